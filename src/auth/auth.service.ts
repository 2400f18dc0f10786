import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { rowsOf } from '../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OrgUnit } from '../org/org-unit.entity.js';
import { User } from '../org/user.entity.js';
import { AuthSession } from './auth-session.entity.js';
import { LoginResponseDto, MeDto } from './dto/login.dto.js';
import { JWT_AUDIENCE, JWT_ISSUER } from './jwt.strategy.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js';
import { permissionsOf } from './permissions.js';
import { SessionCache } from './session-cache.js';

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly sessions: SessionCache,
  ) {}

  /**
   * Logs in (等级保护: 登录失败处理). An unknown name, a wrong password and a locked account get one and the same
   * answer, so names cannot be enumerated. Attempts are counted before the password is checked, in the database
   * (every server process counts the same): per client address, more than LOGIN_ADDRESS_MAX_FAILURES unproven
   * attempts in LOGIN_ADDRESS_MINUTES answer 429 with Retry-After; per account, LOGIN_MAX_FAILURES wrong
   * passwords in a row lock it for LOGIN_LOCK_MINUTES, after which its holder gets in again.
   */
  async login(
    usernameRaw: string,
    password: string,
    actor: Actor,
    clientAddress: string,
  ): Promise<LoginResponseDto> {
    const username = usernameRaw.trim().toLowerCase();
    const address = clientAddress.slice(0, 100);
    await this.countAddressAttempt(address);
    const user = await this.dataSource.getRepository(User).findOneBy({ username });
    const failures = user ? await this.countAccountAttempt(user.id) : null;
    if (!user || failures === null) {
      // Unknown, or locked (its attempts are not counted, its password not checked): answered alike, as slowly.
      await verifyAgainstDummy(password);
      throw new AppError('LOGIN_FAILED');
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      await this.recordFailure(user, failures, actor);
      throw new AppError('LOGIN_FAILED');
    }
    // The right password: this attempt does not count against the address.
    await this.dataSource.query(
      `UPDATE login_throttle SET attempts = greatest(attempts - 1, 0) WHERE address = $1`,
      [address],
    );
    if (!user.active) {
      await this.dataSource.query(`UPDATE app_user SET failed_login_count = 0 WHERE id = $1`, [user.id]);
      throw new AppError('ACCOUNT_DISABLED');
    }

    const { env } = this.config;
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + env.JWT_TTL_SECONDS * 1000);
    const session = await this.dataSource.transaction(async (m) => {
      await m.update(User, { id: user.id }, { failedLoginCount: 0, lockedUntil: null, lastLoginAt: now });
      const s = await m.save(m.create(AuthSession, { userId: user.id, expiresAt }));
      await this.audit.record(
        m,
        { ...actor, principal: undefined, unauthenticated: { userId: user.id, username: user.username } },
        {
          action: 'auth.login',
          entityType: 'user',
          entityId: user.id,
          data: { username, sessionId: s.id },
        },
      );
      return s;
    });
    const accessToken = await this.jwt.signAsync(
      { sub: user.id, sid: session.id },
      { algorithm: 'HS256', expiresIn: env.JWT_TTL_SECONDS, issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
    );
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: env.JWT_TTL_SECONDS,
      user: await this.describe(user),
    };
  }

  /** Counts one attempt of this client address in its window; over the limit, 429 LOGIN_THROTTLED. */
  private async countAddressAttempt(address: string): Promise<void> {
    const { LOGIN_ADDRESS_MAX_FAILURES, LOGIN_ADDRESS_MINUTES } = this.config.env;
    const result: unknown = await this.dataSource.query(
      `INSERT INTO login_throttle AS t (address, attempts, window_started_at) VALUES ($1, 1, $3)
       ON CONFLICT (address) DO UPDATE SET
         attempts = CASE WHEN t.window_started_at <= $3::timestamptz - make_interval(mins => $2) THEN 1 ELSE t.attempts + 1 END,
         window_started_at = CASE WHEN t.window_started_at <= $3::timestamptz - make_interval(mins => $2) THEN $3 ELSE t.window_started_at END
       RETURNING attempts, ceil(extract(epoch FROM window_started_at + make_interval(mins => $2) - $3::timestamptz))::int AS retry_after`,
      [address, LOGIN_ADDRESS_MINUTES, this.clock.now()],
    );
    const r = rowsOf<{ attempts: number; retry_after: number }>(result)[0];
    if (r.attempts > LOGIN_ADDRESS_MAX_FAILURES) {
      // Concurrent requests read the clock before their statements run, so the window may have been opened by
      // one that read it a moment later than this one: never more than the whole window, never less than 1 s.
      const retryAfterSeconds = Math.min(LOGIN_ADDRESS_MINUTES * 60, Math.max(1, r.retry_after));
      throw new AppError('LOGIN_THROTTLED', { retryAfterSeconds });
    }
    if (r.attempts === 1) {
      // A new window: windows of other addresses that have ended are forgotten.
      await this.dataSource.query(
        `DELETE FROM login_throttle WHERE window_started_at <= $2::timestamptz - make_interval(mins => $1)`,
        [LOGIN_ADDRESS_MINUTES, this.clock.now()],
      );
    }
  }

  /**
   * Counts one attempt on the account before its password is checked, so that a burst of concurrent guesses
   * checks at most LOGIN_MAX_FAILURES passwords. Answers the failures so far including this one; null when the
   * account is locked or its remaining attempts are taken by requests in flight.
   */
  private async countAccountAttempt(userId: string): Promise<number | null> {
    const result: unknown = await this.dataSource.query(
      `UPDATE app_user SET failed_login_count = failed_login_count + 1
        WHERE id = $1 AND failed_login_count < $2 AND (locked_until IS NULL OR locked_until <= $3)
        RETURNING failed_login_count`,
      [userId, this.config.env.LOGIN_MAX_FAILURES, this.clock.now()],
    );
    return rowsOf<{ failed_login_count: number }>(result)[0]?.failed_login_count ?? null;
  }

  /** A wrong password, already counted: the last allowed one locks the account and ends its sessions. */
  private async recordFailure(user: User, failures: number, actor: Actor): Promise<void> {
    const { LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES } = this.config.env;
    const lockNow = failures >= LOGIN_MAX_FAILURES;
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      if (lockNow) {
        await m.query(
          `UPDATE app_user SET failed_login_count = 0, locked_until = $3::timestamptz + make_interval(mins => $2) WHERE id = $1`,
          [user.id, LOGIN_LOCK_MINUTES, now],
        );
        await m.query(
          `UPDATE auth_session SET revoked_at = $2, revoked_reason = 'locked' WHERE user_id = $1 AND revoked_at IS NULL`,
          [user.id, now],
        );
        this.sessions.changedIn(m);
      }
      await this.audit.record(
        m,
        { ...actor, principal: undefined, unauthenticated: null },
        {
          action: lockNow ? 'auth.locked' : 'auth.login-failed',
          entityType: 'user',
          entityId: user.id,
          data: { username: user.username },
        },
      );
    });
  }

  /**
   * The holder sets their own password: then nobody else knows it (三员分立: an admin role is granted only to an
   * account whose password its holder set). The holder's other sessions end.
   */
  async changePassword(actor: Actor, current: string, next: string): Promise<void> {
    const p = actor.principal!;
    const user = await this.dataSource.getRepository(User).findOneByOrFail({ id: p.userId });
    if (!(await verifyPassword(user.passwordHash, current))) throw new AppError('PASSWORD_WRONG');
    const passwordHash = await hashPassword(next);
    await this.dataSource.transaction(async (m) => {
      await m.update(User, { id: p.userId }, { passwordHash, passwordSetBy: p.userId });
      await m
        .createQueryBuilder()
        .update(AuthSession)
        .set({ revokedAt: this.clock.now(), revokedReason: 'password-changed' })
        .where('user_id = :id AND id <> :sid AND revoked_at IS NULL', { id: p.userId, sid: p.sessionId })
        .execute();
      await this.audit.record(m, actor, {
        action: 'user.password-changed',
        entityType: 'user',
        entityId: p.userId,
      });
    });
  }

  /** Ends the session of the token; the token stops working at once. */
  async logout(actor: Actor): Promise<void> {
    const p = actor.principal!;
    await this.dataSource.transaction(async (m) => {
      await m.update(
        AuthSession,
        { id: p.sessionId },
        { revokedAt: this.clock.now(), revokedReason: 'logout' },
      );
      await this.audit.record(m, actor, { action: 'auth.logout', entityType: 'user', entityId: p.userId });
    });
  }

  async me(p: Principal): Promise<MeDto> {
    const user = await this.dataSource.getRepository(User).findOneByOrFail({ id: p.userId });
    return this.describe(user);
  }

  private async describe(user: User): Promise<MeDto> {
    const unit = await this.dataSource.getRepository(OrgUnit).findOneByOrFail({ id: user.unitId });
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      roles: user.roles,
      permissions: [...permissionsOf(user.roles)].sort(),
      unit: { id: unit.id, code: unit.code, name: unit.name, kind: unit.kind },
    };
  }
}
