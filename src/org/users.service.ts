import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import { SessionCache } from '../auth/session-cache.js';
import { hashPassword } from '../auth/passwords.js';
import { ROLE_UNIT_KINDS, Role, SEPARATED_ROLES } from '../auth/permissions.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page } from '../common/pagination.js';
import {
  CreateUserDto,
  ListUsersQuery,
  ResetPasswordDto,
  SetRolesDto,
  UpdateUserDto,
  UserDto,
} from './dto/org.dto.js';
import { OrgUnit } from './org-unit.entity.js';
import { OrgService, escapeLike } from './org.service.js';
import { User } from './user.entity.js';

/** The user as answered; `now` tells whether a lock is still on. */
export function toUserDto(u: User, now: Date): UserDto {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    unitId: u.unitId,
    roles: u.roles,
    active: u.active,
    lockedUntil: u.lockedUntil && u.lockedUntil > now ? u.lockedUntil.toISOString() : null,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    version: u.version,
  };
}

/** Checks a set of roles: 三员分立 (no two of system admin, security admin, auditor) and each role fits the unit. */
export function checkRoles(roles: Role[], unit: OrgUnit): void {
  if (roles.filter((r) => SEPARATED_ROLES.includes(r)).length > 1)
    throw new AppError('ROLE_CONFLICT', { roles });
  const misfits = roles.filter((r) => !ROLE_UNIT_KINDS[r].includes(unit.kind));
  if (misfits.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      misfits.map((r) => ({
        field: 'roles',
        problems: [
          `角色 ${r} 只能授予以下类型单位的人员：${ROLE_UNIT_KINDS[r].join('、')}。Role ${r} fits only users of units of kind ${ROLE_UNIT_KINDS[r].join(', ')}; this user's unit is ${unit.kind}.`,
        ],
      })),
    );
  }
}

/** User administration. Accounts (system admin), roles and unlocking (security admin) are separate duties. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly org: OrgService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
    private readonly sessions: SessionCache,
  ) {}

  private async findManagedUser(
    p: Principal,
    id: string,
    m: EntityManager,
    lock = false,
  ): Promise<{ user: User; unit: OrgUnit }> {
    const user = await m.findOne(User, {
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' } } : {}),
    });
    const unit = user ? await m.findOneBy(OrgUnit, { id: user.unitId }) : null;
    if (!user || !unit || !this.scope.inScope(p, unit)) throw new AppError('USER_NOT_FOUND');
    return { user, unit };
  }

  async list(p: Principal, q: ListUsersQuery): Promise<Page<UserDto>> {
    const page = pageRequest(q);
    const qb = this.dataSource
      .getRepository(User)
      .createQueryBuilder('usr')
      .innerJoin(OrgUnit, 'ou', 'ou.id = usr.unit_id')
      .where(this.scope.sqlInArea('ou.path', ':scope'), { scope: p.scopePath })
      .orderBy('usr.username', 'ASC')
      .offset(page.offset)
      .limit(page.pageSize);
    if (q.unitId) qb.andWhere('usr.unit_id = :unitId', { unitId: q.unitId });
    if (q.q)
      qb.andWhere('(usr.username ILIKE :like OR usr.display_name ILIKE :like)', {
        like: `%${escapeLike(q.q)}%`,
      });
    const [users, total] = await qb.getManyAndCount();
    return toPage(
      users.map((u) => toUserDto(u, this.clock.now())),
      total,
      page,
    );
  }

  async get(p: Principal, id: string): Promise<UserDto> {
    return toUserDto((await this.findManagedUser(p, id, this.dataSource.manager)).user, this.clock.now());
  }

  /** Creates an account without roles; the security administrator grants roles (三员分立). */
  async create(actor: Actor, dto: CreateUserDto): Promise<UserDto> {
    const p = actor.principal!;
    const passwordHash = await hashPassword(dto.password);
    return this.dataSource.transaction(async (m) => {
      const unit = await this.org.findVisibleUnit(p, dto.unitId, m);
      if (!this.scope.inScope(p, unit)) throw new AppError('UNIT_NOT_FOUND');
      if (await m.findOneBy(User, { username: dto.username }))
        throw new AppError('USERNAME_TAKEN', { username: dto.username });
      const inserted = await m.insert(User, {
        username: dto.username,
        displayName: dto.displayName,
        unitId: unit.id,
        passwordHash,
        passwordSetBy: p.userId,
        roles: [],
      });
      const id = inserted.identifiers[0].id as string;
      await this.audit.record(m, actor, {
        action: 'user.created',
        entityType: 'user',
        entityId: id,
        data: { username: dto.username, displayName: dto.displayName, unitId: unit.id },
      });
      return toUserDto(await m.findOneByOrFail(User, { id }), this.clock.now());
    });
  }

  /** Renames, moves or (de)activates an account. Disabling ends its sessions at once. */
  async update(actor: Actor, id: string, dto: UpdateUserDto): Promise<UserDto> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const { user } = await this.findManagedUser(p, id, m);
      const changes: Partial<User> = {};
      if (dto.displayName !== undefined) changes.displayName = dto.displayName;
      if (dto.active !== undefined) changes.active = dto.active;
      if (dto.unitId !== undefined && dto.unitId !== user.unitId) {
        const unit = await this.org.findVisibleUnit(p, dto.unitId, m);
        if (!this.scope.inScope(p, unit)) throw new AppError('UNIT_NOT_FOUND');
        checkRoles(user.roles, unit);
        changes.unitId = unit.id;
      }
      if (user.id === p.userId && dto.active === false)
        throw new AppError('FORBIDDEN', { reason: 'cannot disable yourself' });
      await this.versionedUpdate(m, id, dto.version, changes, user.version);
      if (dto.active === false || changes.unitId)
        await this.revokeSessions(m, id, dto.active === false ? 'disabled' : 'moved');
      if ((dto.active !== undefined && dto.active !== user.active) || changes.unitId) {
        // The tasks they hold go back to their group unless they may still hold them (and back to them if so).
        await this.org.followUser(
          m,
          actor,
          id,
          [user.unitId, changes.unitId ?? user.unitId],
          dto.active === false ? 'user-disabled' : changes.unitId ? 'user-moved' : 'user-enabled',
        );
      }
      await this.audit.record(m, actor, {
        action: 'user.updated',
        entityType: 'user',
        entityId: id,
        data: {
          before: { displayName: user.displayName, active: user.active, unitId: user.unitId },
          after: changes,
        },
      });
      return toUserDto(await m.findOneByOrFail(User, { id }), this.clock.now());
    });
  }

  /**
   * Grants exactly these roles. Nobody changes their own roles; the three admin roles never combine, and are
   * granted only to an account whose password its holder set (三员分立: no taking over by the back door).
   */
  async setRoles(actor: Actor, id: string, dto: SetRolesDto): Promise<UserDto> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const { user, unit } = await this.findManagedUser(p, id, m, true);
      if (user.id === p.userId) throw new AppError('FORBIDDEN', { reason: 'cannot change your own roles' });
      checkRoles(dto.roles, unit);
      const addedAdminRoles = dto.roles.filter((r) => SEPARATED_ROLES.includes(r) && !user.roles.includes(r));
      // Whoever set the password (the system admin who made the account, the security admin who reset it)
      // would hold the role too: only once the holder has set their own password.
      if (addedAdminRoles.length && user.passwordSetBy !== null && user.passwordSetBy !== user.id)
        throw new AppError('ADMIN_ACCOUNT_PROTECTED', { roles: addedAdminRoles });
      await this.versionedUpdate(m, id, dto.version, { roles: dto.roles }, user.version);
      await this.revokeSessions(m, id, 'roles-changed');
      await this.org.followUser(m, actor, id, [user.unitId], 'roles-changed');
      await this.audit.record(m, actor, {
        action: 'user.roles-set',
        entityType: 'user',
        entityId: id,
        data: { before: user.roles, after: dto.roles },
      });
      return toUserDto(await m.findOneByOrFail(User, { id }), this.clock.now());
    });
  }

  async unlock(actor: Actor, id: string): Promise<UserDto> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      await this.findManagedUser(p, id, m);
      await m.update(User, { id }, { lockedUntil: null, failedLoginCount: 0 });
      await this.audit.record(m, actor, { action: 'user.unlocked', entityType: 'user', entityId: id });
      return toUserDto(await m.findOneByOrFail(User, { id }), this.clock.now());
    });
  }

  /**
   * Sets a new password (e.g. a forgotten one); the user's sessions end. Never of an account holding one of
   * the three admin roles, the caller's own included (三员分立: the security admin cannot become another admin).
   */
  async resetPassword(actor: Actor, id: string, dto: ResetPasswordDto): Promise<void> {
    const p = actor.principal!;
    const passwordHash = await hashPassword(dto.password);
    await this.dataSource.transaction(async (m) => {
      const { user } = await this.findManagedUser(p, id, m, true);
      if (user.id === p.userId || user.roles.some((r) => SEPARATED_ROLES.includes(r)))
        throw new AppError('ADMIN_ACCOUNT_PROTECTED');
      await m.update(
        User,
        { id },
        { passwordHash, passwordSetBy: p.userId, lockedUntil: null, failedLoginCount: 0 },
      );
      await this.revokeSessions(m, id, 'password-reset');
      await this.audit.record(m, actor, { action: 'user.password-reset', entityType: 'user', entityId: id });
    });
  }

  private async versionedUpdate(
    m: EntityManager,
    id: string,
    version: number,
    changes: Partial<User>,
    current: number,
  ) {
    const res = await m
      .createQueryBuilder()
      .update(User)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id, version })
      .execute();
    if (res.affected !== 1) throw new AppError('CONCURRENT_UPDATE', { currentVersion: current });
  }

  private async revokeSessions(m: EntityManager, userId: string, reason: string) {
    await m.query(
      `UPDATE auth_session SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId, reason],
    );
    this.sessions.changedIn(m);
  }
}
