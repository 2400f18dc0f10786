import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor, Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { rowsOf } from '../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OrgUnit } from '../org/org-unit.entity.js';
import { User } from '../org/user.entity.js';
import { AuthSession } from './auth-session.entity.js';
import { LoginResponseDto, MeDto } from './dto/login.dto.js';
import { JWT_AUDIENCE, JWT_ISSUER } from './jwt.strategy.js';
import { verifyAgainstDummy, verifyPassword } from './passwords.js';
import { permissionsOf } from './permissions.js';

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Logs in. An unknown user and a wrong password get the same answer; after LOGIN_MAX_FAILURES
   * wrong passwords in a row the account is locked for LOGIN_LOCK_MINUTES (等级保护: 登录失败处理).
   */
  async login(usernameRaw: string, password: string, actor: Actor): Promise<LoginResponseDto> {
    const username = usernameRaw.trim().toLowerCase();
    const users = this.dataSource.getRepository(User);
    const user = await users.findOneBy({ username });
    if (!user) {
      await verifyAgainstDummy(password);
      throw new AppError('LOGIN_FAILED');
    }
    if (user.lockedUntil && user.lockedUntil > new Date()) {
      throw new AppError('ACCOUNT_LOCKED', { lockedUntil: user.lockedUntil.toISOString() });
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      await this.recordFailure(user, actor);
      throw new AppError('LOGIN_FAILED');
    }
    if (!user.active) throw new AppError('ACCOUNT_DISABLED');

    const { env } = this.config;
    const expiresAt = new Date(Date.now() + env.JWT_TTL_SECONDS * 1000);
    const session = await this.dataSource.transaction(async (m) => {
      await m.update(
        User,
        { id: user.id },
        { failedLoginCount: 0, lockedUntil: null, lastLoginAt: new Date() },
      );
      const s = await m.save(m.create(AuthSession, { userId: user.id, expiresAt }));
      await this.audit.record(
        m,
        { ...actor, principal: undefined },
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

  private async recordFailure(user: User, actor: Actor): Promise<void> {
    const { LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES } = this.config.env;
    await this.dataSource.transaction(async (m) => {
      const result: unknown[] = await m.query(
        `UPDATE app_user
            SET failed_login_count = CASE WHEN failed_login_count + 1 >= $2 THEN 0 ELSE failed_login_count + 1 END,
                locked_until = CASE WHEN failed_login_count + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
          WHERE id = $1
          RETURNING failed_login_count, locked_until`,
        [user.id, LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES],
      );
      const rows = rowsOf<{ locked_until: Date | null }>(result);
      const lockedNow = rows[0]?.locked_until && new Date(rows[0].locked_until) > new Date();
      if (lockedNow) {
        await m.query(
          `UPDATE auth_session SET revoked_at = now(), revoked_reason = 'locked' WHERE user_id = $1 AND revoked_at IS NULL`,
          [user.id],
        );
      }
      await this.audit.record(
        m,
        { ...actor, principal: undefined },
        {
          action: lockedNow ? 'auth.locked' : 'auth.login-failed',
          entityType: 'user',
          entityId: user.id,
          data: { username: user.username },
        },
      );
    });
  }

  /** Ends the session of the token; the token stops working at once. */
  async logout(actor: Actor): Promise<void> {
    const p = actor.principal!;
    await this.dataSource.transaction(async (m) => {
      await m.update(AuthSession, { id: p.sessionId }, { revokedAt: new Date(), revokedReason: 'logout' });
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
