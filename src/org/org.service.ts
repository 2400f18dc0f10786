import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import type { Actor, Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page } from '../common/pagination.js';
import { TaskHolders, type OrganizationChange } from '../workflow/task-holders.service.js';
import { LeadingGroupMember } from './leading-group-member.entity.js';
import { OrgUnit, UnitKind } from './org-unit.entity.js';
import { User } from './user.entity.js';
import { Role } from '../auth/permissions.js';
import {
  CreateUnitDto,
  LeadingGroupDto,
  ListUnitsQuery,
  SetLeadingGroupDto,
  UnitDto,
  UnitTreeNodeDto,
  UpdateUnitDto,
} from './dto/org.dto.js';

/** Which kinds of unit may hang under which (city → district → street → community; others at a level). */
export const PARENT_KINDS: Record<UnitKind, UnitKind[]> = {
  [UnitKind.CITY]: [],
  [UnitKind.DISTRICT]: [UnitKind.CITY],
  [UnitKind.STREET]: [UnitKind.DISTRICT],
  [UnitKind.COMMUNITY]: [UnitKind.STREET],
  [UnitKind.DEPARTMENT]: [UnitKind.CITY, UnitKind.DISTRICT],
  [UnitKind.LEADING_GROUP]: [UnitKind.CITY, UnitKind.DISTRICT],
  [UnitKind.LEADING_GROUP_OFFICE]: [UnitKind.LEADING_GROUP],
  [UnitKind.FINANCE]: [UnitKind.CITY, UnitKind.DISTRICT, UnitKind.STREET],
};

const MEMBER_KINDS = [UnitKind.DEPARTMENT, UnitKind.STREET, UnitKind.FINANCE, UnitKind.LEADING_GROUP_OFFICE];

export function toUnitDto(u: OrgUnit): UnitDto {
  return {
    id: u.id,
    code: u.code,
    name: u.name,
    kind: u.kind,
    parentId: u.parentId,
    active: u.active,
    principalLeaderId: u.principalLeaderId,
    version: u.version,
  };
}

@Injectable()
export class OrgService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly holders: TaskHolders,
    private readonly scope: OrgScope,
  ) {}

  /**
   * Open tasks follow a change of the units that candidate groups name (leading group, its office, finance):
   * those of cases owned under the changed unit's level are re-resolved.
   */
  private async followLevelOf(m: EntityManager, actor: Actor, unit: OrgUnit): Promise<void> {
    if (![UnitKind.LEADING_GROUP, UnitKind.LEADING_GROUP_OFFICE, UnitKind.FINANCE].includes(unit.kind))
      return;
    for (const levelPath of await this.scope.levelPaths(m, [unit.id]))
      await this.holders.followOrganization(m, actor, { levelPath }, 'organization-changed');
  }

  /**
   * After an account changed (disabled or enabled, moved, roles): the tasks it holds or is named in follow, and
   * so do the tasks of its levels' cases whose group names people (a principal leader given the role back,
   * an applicant back in the department) — a task is never left with nobody who may hold it.
   */
  async followUser(
    m: EntityManager,
    actor: Actor,
    userId: string,
    unitIds: string[],
    reason: OrganizationChange,
  ): Promise<void> {
    await this.holders.followOrganization(m, actor, { userId }, reason);
    for (const levelPath of await this.scope.levelPaths(m, unitIds))
      await this.holders.followOrganization(m, actor, { levelPath, namedUsersOnly: true }, reason);
  }

  private visible(p: Principal, alias = 'u'): SelectQueryBuilder<OrgUnit> {
    return this.dataSource
      .getRepository(OrgUnit)
      .createQueryBuilder(alias)
      .where(this.scope.whereVisible(p, alias));
  }

  async listUnits(p: Principal, q: ListUnitsQuery): Promise<Page<UnitDto>> {
    const page = pageRequest(q);
    const qb = this.visible(p).orderBy('u.path', 'ASC').offset(page.offset).limit(page.pageSize);
    if (q.kind) qb.andWhere('u.kind = :kind', { kind: q.kind });
    if (q.parentId) qb.andWhere('u.parent_id = :parentId', { parentId: q.parentId });
    if (q.q) qb.andWhere('(u.name ILIKE :like OR u.code ILIKE :like)', { like: `%${escapeLike(q.q)}%` });
    const [units, total] = await qb.getManyAndCount();
    return toPage(units.map(toUnitDto), total, page);
  }

  /** A unit the principal may see; any other id answers exactly like a missing one. */
  async findVisibleUnit(p: Principal, id: string, manager?: EntityManager): Promise<OrgUnit> {
    const unit = await (manager ?? this.dataSource.manager).findOneBy(OrgUnit, { id });
    if (!unit || !this.scope.canSee(p, unit)) throw new AppError('UNIT_NOT_FOUND');
    return unit;
  }

  async getUnit(p: Principal, id: string): Promise<UnitDto> {
    return toUnitDto(await this.findVisibleUnit(p, id));
  }

  /** The visible part of the organization tree, nested. */
  async tree(p: Principal): Promise<UnitTreeNodeDto[]> {
    const units = await this.visible(p).orderBy('u.path', 'ASC').getMany();
    const nodes = new Map<string, UnitTreeNodeDto>(
      units.map((u) => [u.id, { ...toUnitDto(u), children: [] }]),
    );
    const roots: UnitTreeNodeDto[] = [];
    for (const n of nodes.values()) {
      const parent = n.parentId ? nodes.get(n.parentId) : undefined;
      (parent ? parent.children : roots).push(n);
    }
    return roots;
  }

  async getLeadingGroup(p: Principal, id: string): Promise<LeadingGroupDto> {
    const group = await this.findVisibleUnit(p, id).catch(notFoundAsNull);
    if (!group || group.kind !== UnitKind.LEADING_GROUP) throw new AppError('LEADING_GROUP_NOT_FOUND');
    const m = this.dataSource.manager;
    const office = await m.findOneBy(OrgUnit, { parentId: group.id, kind: UnitKind.LEADING_GROUP_OFFICE });
    const memberRows = await m.find(LeadingGroupMember, {
      where: { groupId: group.id },
      order: { position: 'ASC' },
    });
    const members = memberRows.length
      ? await m.findBy(OrgUnit, { id: In(memberRows.map((r) => r.unitId)) })
      : [];
    const order = new Map(memberRows.map((r, i) => [r.unitId, i]));
    members.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    const leader = group.principalLeaderId ? await m.findOneBy(User, { id: group.principalLeaderId }) : null;
    return {
      group: toUnitDto(group),
      office: office ? toUnitDto(office) : null,
      principalLeader: leader
        ? { id: leader.id, username: leader.username, displayName: leader.displayName }
        : null,
      members: members.map(toUnitDto),
    };
  }

  /** Adds a unit under a parent the admin manages, keeping the hierarchy's rules. */
  async createUnit(actor: Actor, dto: CreateUnitDto): Promise<UnitDto> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const parent = await this.findVisibleUnit(p, dto.parentId, m);
      if (!this.scope.inScope(p, parent)) throw new AppError('UNIT_NOT_FOUND');
      if (!PARENT_KINDS[dto.kind].includes(parent.kind) || !parent.active) {
        throw new AppError('UNIT_PARENT_INVALID', { kind: dto.kind, parentKind: parent.kind });
      }
      if (dto.kind === UnitKind.LEADING_GROUP || dto.kind === UnitKind.LEADING_GROUP_OFFICE) {
        const sibling = await m.findOneBy(OrgUnit, { parentId: parent.id, kind: dto.kind });
        if (sibling)
          throw new AppError('UNIT_PARENT_INVALID', { reason: 'one per level', existing: sibling.id });
      }
      if (await m.findOneBy(OrgUnit, { code: dto.code }))
        throw new AppError('UNIT_CODE_TAKEN', { code: dto.code });
      const id = randomUUID();
      const unit = m.create(OrgUnit, {
        id,
        code: dto.code,
        name: dto.name,
        kind: dto.kind,
        parentId: parent.id,
        path: `${parent.path}${id}/`,
        principalLeaderId: null,
      });
      await m.insert(OrgUnit, unit);
      const saved = await m.findOneByOrFail(OrgUnit, { id });
      await this.followLevelOf(m, actor, saved);
      await this.audit.record(m, actor, {
        action: 'unit.created',
        entityType: 'org_unit',
        entityId: id,
        data: { ...dto },
      });
      return toUnitDto(saved);
    });
  }

  /** Renames or (de)activates a unit; the version read must still be current. */
  async updateUnit(actor: Actor, id: string, dto: UpdateUnitDto): Promise<UnitDto> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const unit = await this.findVisibleUnit(p, id, m);
      if (!this.scope.inScope(p, unit)) throw new AppError('UNIT_NOT_FOUND');
      if (dto.active === false && unit.active) {
        const busy = await m.query(
          `SELECT (SELECT count(*) FROM org_unit WHERE parent_id = $1 AND active)::int
                + (SELECT count(*) FROM app_user WHERE unit_id = $1 AND active)::int AS n`,
          [id],
        );
        if (busy[0].n > 0) throw new AppError('UNIT_HAS_CHILDREN');
      }
      const changes: Partial<OrgUnit> = {};
      if (dto.name !== undefined) changes.name = dto.name;
      if (dto.active !== undefined) changes.active = dto.active;
      const res = await m
        .createQueryBuilder()
        .update(OrgUnit)
        .set({ ...changes, version: () => 'version + 1' })
        .where('id = :id AND version = :version', { id, version: dto.version })
        .execute();
      if (res.affected !== 1) throw new AppError('CONCURRENT_UPDATE', { currentVersion: unit.version });
      if (dto.active !== undefined && dto.active !== unit.active) await this.followLevelOf(m, actor, unit);
      await this.audit.record(m, actor, {
        action: 'unit.updated',
        entityType: 'org_unit',
        entityId: id,
        data: { before: { name: unit.name, active: unit.active }, after: changes },
      });
      return toUnitDto(await m.findOneByOrFail(OrgUnit, { id }));
    });
  }

  /** Sets a leading group's principal leader (主要领导) and member units (成员单位, same level). */
  async setLeadingGroup(actor: Actor, id: string, dto: SetLeadingGroupDto): Promise<LeadingGroupDto> {
    const p = actor.principal!;
    await this.dataSource.transaction(async (m) => {
      const group = await this.findVisibleUnit(p, id, m).catch(notFoundAsNull);
      if (!group || group.kind !== UnitKind.LEADING_GROUP || !this.scope.inScope(p, group)) {
        throw new AppError('LEADING_GROUP_NOT_FOUND');
      }
      // One change of the group at a time: members are replaced (deleted and inserted) in one go.
      await m.query('SELECT 1 FROM org_unit WHERE id = $1 FOR UPDATE', [group.id]);
      const level = await m.findOneByOrFail(OrgUnit, { id: group.parentId! });
      const problems: { field: string; problems: string[] }[] = [];
      if (dto.principalLeaderId) {
        const leader = await m.findOneBy(User, { id: dto.principalLeaderId });
        if (!leader || leader.unitId !== group.id || !leader.roles.includes(Role.LEADER) || !leader.active) {
          problems.push({
            field: 'principalLeaderId',
            problems: [
              '主要领导须为本领导小组中具有 LEADER 角色的在用账号。The principal leader must be an active user of this leading group with role LEADER.',
            ],
          });
        }
      }
      const units = dto.memberUnitIds.length ? await m.findBy(OrgUnit, { id: In(dto.memberUnitIds) }) : [];
      const bad = dto.memberUnitIds.filter((uid) => {
        const u = units.find((x) => x.id === uid);
        return (
          !u ||
          !u.active ||
          !MEMBER_KINDS.includes(u.kind) ||
          !this.scope.inArea(u.path, level.path) ||
          this.scope.inArea(u.path, group.path)
        );
      });
      if (bad.length) {
        problems.push({
          field: 'memberUnitIds',
          problems: [
            `成员单位须为同级的在用部门、街道或财政单位：${bad.join(', ')}。Member units must be active departments, streets or finance units of the same level.`,
          ],
        });
      }
      if (problems.length) throw new AppError('VALIDATION_FAILED', problems);
      const before: { unit_id: string }[] = await m.query(
        'SELECT unit_id FROM leading_group_member WHERE group_id = $1',
        [id],
      );
      const removed = before.map((r) => r.unit_id).filter((u) => !dto.memberUnitIds.includes(u));
      if (removed.length) {
        // A countersign under way keeps its members: a member unit leaves once its countersign is done.
        const busy: { unit_id: string }[] = await m.query(
          `SELECT DISTINCT loop_item #>> '{}' AS unit_id FROM workflow_task
            WHERE status = 'open' AND kind = 'step' AND 'members' = ANY(string_to_array(replace(candidate_groups, ' ', ''), ','))
              AND loop_item #>> '{}' = ANY($1::text[])`,
          [removed],
        );
        if (busy.length)
          throw new AppError('MEMBER_COUNTERSIGN_OPEN', { unitIds: busy.map((b) => b.unit_id) });
      }
      const changed =
        removed.length > 0 ||
        dto.memberUnitIds.some((u) => !before.some((r) => r.unit_id === u)) ||
        (dto.principalLeaderId !== undefined && dto.principalLeaderId !== group.principalLeaderId);
      if (dto.principalLeaderId !== undefined) {
        await m.update(
          OrgUnit,
          { id },
          { principalLeaderId: dto.principalLeaderId, version: () => 'version + 1' },
        );
      }
      await m.delete(LeadingGroupMember, { groupId: id });
      if (dto.memberUnitIds.length) {
        await m.insert(
          LeadingGroupMember,
          dto.memberUnitIds.map((unitId, position) => ({ groupId: id, unitId, position })),
        );
      }
      // The principal leader's and the members' open tasks follow the group as it is now.
      if (changed)
        await this.holders.followOrganization(m, actor, { levelPath: level.path }, 'organization-changed');
      await this.audit.record(m, actor, {
        action: 'leading-group.updated',
        entityType: 'org_unit',
        entityId: id,
        data: { ...dto },
      });
    });
    return this.getLeadingGroup(p, id);
  }
}

/** A unit not found (or not visible) as null; any other failure (the database away) goes on as it is. */
function notFoundAsNull(e: unknown): null {
  if (e instanceof AppError && e.code === 'UNIT_NOT_FOUND') return null;
  throw e;
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
