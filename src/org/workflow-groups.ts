import { Injectable, type OnModuleInit } from '@nestjs/common';
import { sqlInArea } from '../auth/org-scope.js';
import { Role } from '../auth/permissions.js';
import { WorkflowRegistry, type GroupContext } from '../workflow/workflow.registry.js';
import { LevelUnitsService, type LevelUnits } from './level-units.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resolves the candidate groups that BPMN user tasks name (camunda:candidateGroups) against the organization
 * tree, from the unit that owns the case (e.g. the applicant's department). A department applies to the
 * leading group of its own level (同级): the nearest city or district above it.
 */
@Injectable()
export class WorkflowGroups implements OnModuleInit {
  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly levels: LevelUnitsService,
  ) {}

  private levelUnits(ctx: GroupContext): Promise<LevelUnits> {
    const owner = ctx.instance.ownerUnitId;
    return ctx.once(`level-units:${owner}`, () => this.levels.of(ctx.manager, owner));
  }

  /** The member units of a leading group, in its order. */
  private membersOf(ctx: GroupContext, groupId: string): Promise<string[]> {
    return ctx.once(`members:${groupId}`, async () => {
      const rows: { unit_id: string }[] = await ctx.manager.query(
        'SELECT unit_id FROM leading_group_member WHERE group_id = $1 ORDER BY position',
        [groupId],
      );
      return rows.map((x) => x.unit_id);
    });
  }

  /**
   * The street office (街道办事处) of the case's community: the active STREET unit on the community's path. The
   * case's community is the first of these that is a community: the unit of this iteration of a multi-instance
   * step (one task per community, e.g. over an exit's communities), the case variable `communityId` (a case
   * about one community, as a dispute will be), the unit that owns the case (a committee's own case). A case
   * about several communities names none of them: loop over them instead. None found: no street office.
   */
  private async streetOfCaseCommunity(ctx: GroupContext): Promise<string | null> {
    const ids = this.caseCommunityCandidates(ctx);
    if (!ids.length) return null;
    const rows: { id: string }[] = await ctx.manager.query(
      `SELECT s.id
         FROM unnest($1::uuid[]) WITH ORDINALITY AS k(id, n)
         JOIN org_unit c ON c.id = k.id AND c.kind = 'COMMUNITY'
         JOIN org_unit s ON s.id = ANY(string_to_array(trim(both '/' from c.path), '/')::uuid[])
                        AND s.kind = 'STREET' AND s.active
        ORDER BY k.n LIMIT 1`,
      [ids],
    );
    return rows[0]?.id ?? null;
  }

  /** The case's community (see streetOfCaseCommunity): the iteration's unit, the case variable, the owner. */
  private caseCommunityCandidates(ctx: GroupContext): string[] {
    return [ctx.loopItem, ctx.variables.communityId, ctx.instance.ownerUnitId].filter(
      (x): x is string => typeof x === 'string' && UUID.test(x),
    );
  }

  onModuleInit(): void {
    const r = this.registry;
    r.registerGroup('office', async (ctx) => {
      const l = await this.levelUnits(ctx);
      return { unitIds: l.officeId ? [l.officeId] : [], roles: [Role.OFFICE] };
    });
    r.registerGroup('leader', async (ctx) => {
      const l = await this.levelUnits(ctx);
      return { userIds: l.leaderId ? [l.leaderId] : [] };
    });
    r.registerGroup('members', async (ctx) => {
      const l = await this.levelUnits(ctx);
      const members = l.groupId ? await this.membersOf(ctx, l.groupId) : [];
      // One member unit's countersign, while it is a member of the group.
      if (typeof ctx.loopItem === 'string')
        return { unitIds: members.includes(ctx.loopItem) ? [ctx.loopItem] : [], roles: [Role.MEMBER] };
      return { unitIds: members, roles: [Role.MEMBER] };
    });
    r.registerGroup('dept-head', async (ctx) => ({
      unitIds: ctx.instance.ownerUnitId ? [ctx.instance.ownerUnitId] : [],
      roles: [Role.DEPT_HEAD],
    }));
    r.registerGroup('applicant-unit', async (ctx) => ({
      unitIds: ctx.instance.ownerUnitId ? [ctx.instance.ownerUnitId] : [],
      roles: [Role.DEPT_STAFF],
    }));
    r.registerGroup('applicant', async (ctx) => {
      // The clerk who started the case while still an active clerk of its department; else the department's staff.
      const still: unknown[] =
        ctx.instance.startedBy && ctx.instance.ownerUnitId
          ? await ctx.manager.query(
              `SELECT 1 FROM app_user WHERE id = $1 AND unit_id = $2 AND active AND 'DEPT_STAFF' = ANY(roles)`,
              [ctx.instance.startedBy, ctx.instance.ownerUnitId],
            )
          : [];
      if (still.length) return { userIds: [ctx.instance.startedBy!] };
      return {
        unitIds: ctx.instance.ownerUnitId ? [ctx.instance.ownerUnitId] : [],
        roles: [Role.DEPT_STAFF],
      };
    });
    r.registerGroup('finance', async (ctx) => {
      const l = await this.levelUnits(ctx);
      const rows: { id: string }[] = l.levelId
        ? await ctx.manager.query(
            `SELECT f.id FROM org_unit f JOIN org_unit lv ON lv.id = $1 WHERE f.kind = 'FINANCE' AND f.active AND ${sqlInArea('f.path', 'lv.path')}`,
            [l.levelId],
          )
        : [];
      return { unitIds: rows.map((x) => x.id), roles: [Role.FINANCE] };
    });
    r.registerGroup('street-office', async (ctx) => {
      const street = await this.streetOfCaseCommunity(ctx);
      return { unitIds: street ? [street] : [], roles: [Role.STREET] };
    });
    // The district leading-group office of the case's community (a dispute over a refusal: seed 002 §4, the
    // street and the district office coordinate it), whichever level the case's department is of; where the
    // district has no office, the nearest level above that has one.
    r.registerGroup('district-office', async (ctx) => {
      const community = this.caseCommunityCandidates(ctx)[0];
      const office = community
        ? await ctx.once(`ruling-office:${community}`, () => this.levels.rulingOffice(ctx.manager, community))
        : null;
      return { unitIds: office ? [office] : [], roles: [Role.OFFICE] };
    });
    // 限时办结: an overdue step is told to the office of the case's level; a dispute's steps to who coordinates
    // above the one that is late (seed 002 §4): the street's to the office that rules, the ruling office's to the
    // office of the level above it (none above: the step is flagged overdue, told to no one else).
    r.registerEscalation(async (ctx) => {
      const groups = (ctx.candidateGroups ?? '').split(',').map((g) => g.trim());
      const community = this.caseCommunityCandidates(ctx)[0];
      if (community && (groups.includes('street-office') || groups.includes('district-office'))) {
        const ruling = await ctx.once(`ruling-office:${community}`, () =>
          this.levels.rulingOffice(ctx.manager, community),
        );
        const to =
          ruling && groups.includes('district-office')
            ? await this.levels.officeAbove(ctx.manager, ruling)
            : ruling;
        return { unitIds: to ? [to] : [] };
      }
      const l = await this.levelUnits(ctx);
      return { unitIds: l.officeId ? [l.officeId] : [] };
    });
  }
}
