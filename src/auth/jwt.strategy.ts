import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/actor.js';
import { isDatabaseUnavailable } from '../common/error-mapping.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { prepared } from '../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { permissionsOf, Role, AREA_WIDE_ROLES } from './permissions.js';
import { SessionCache } from './session-cache.js';
import { UnitKind } from '../org/org-unit.entity.js';

export const JWT_ALGORITHMS = ['HS256'] as const;
export const JWT_ISSUER = 'community-work-admission';
export const JWT_AUDIENCE = 'cwa-api';

interface TokenPayload {
  sub: string;
  sid: string;
  iss?: unknown;
  aud?: unknown;
  iat?: unknown;
  exp?: unknown;
}

interface SessionRow {
  user_id: string;
  username: string;
  display_name: string;
  roles: Role[];
  unit_id: string;
  unit_kind: UnitKind;
  unit_path: string;
  area_path: string | null;
  expires_at: Date;
}

/**
 * The session behind a token, with its user and unit: checked on every authenticated request. A token's and a
 * session's lifetime run on the machine's time (the token library checks `exp`, the database `expires_at`), not
 * on the Clock: a test that moves the Clock by days does not log its users out. Production never moves it.
 * Asked when the session is not kept in this process's SessionCache.
 */
const SESSION_SQL = prepared(
  'auth_session_check',
  `SELECT s.expires_at, u.id AS user_id, u.username, u.display_name, u.roles, u.unit_id, ou.kind AS unit_kind, ou.path AS unit_path,
              (SELECT a.path FROM org_unit a
                WHERE a.id = ANY(string_to_array(trim(both '/' from ou.path), '/')::uuid[])
                  AND a.kind IN ('CITY','DISTRICT','STREET')
                ORDER BY length(a.path) DESC LIMIT 1) AS area_path
         FROM auth_session s
         JOIN app_user u ON u.id = s.user_id
         JOIN org_unit ou ON ou.id = u.unit_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active`,
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Seconds that the clocks of two server processes may differ by. */
const MAX_CLOCK_SKEW_SECONDS = 60;

/**
 * The token of `Authorization: Bearer <token>` (RFC 6750: one space, one token of base64url parts and nothing
 * else); any other shape of the header gives none, and the request answers 401.
 */
function bearerToken(req: { headers: Record<string, string | string[] | undefined> }): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header);
  return m ? m[1] : null;
}

/** Verifies the token (HS256 only; issuer, audience, issued-at and expiry present and right) and that its session is live. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly sessions: SessionCache,
  ) {
    super({
      jwtFromRequest: bearerToken,
      // A KeyObject: jsonwebtoken then skips trying the secret as a public key on every request.
      secretOrKey: createSecretKey(Buffer.from(config.jwtSecret)) as unknown as string,
      algorithms: [...JWT_ALGORITHMS],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(payload: TokenPayload): Promise<Principal | false> {
    if (typeof payload?.sid !== 'string' || typeof payload?.sub !== 'string') return false;
    // Ids this service issues are UUIDs; anything else is not its token (and must not reach the query).
    if (!UUID.test(payload.sid) || !UUID.test(payload.sub)) return false;
    // The library checks exp, iss and aud only when present: every token this service issues carries all four.
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') return false;
    if (payload.iss !== JWT_ISSUER || payload.aud !== JWT_AUDIENCE) return false;
    // Issued in the future (beyond a minute of clock skew between servers): not a token this service made.
    if (payload.iat > this.clock.nowMs() / 1000 + MAX_CLOCK_SKEW_SECONDS) return false;
    const kept = this.sessions.get(payload.sid, payload.sub, Date.now());
    if (kept) return kept;
    const mark = this.sessions.mark();
    let rows: SessionRow[];
    try {
      rows = await this.dataSource.query(SESSION_SQL, [payload.sid, payload.sub]);
    } catch (e) {
      // The session could not be looked at: that says nothing about the token. A 401 here would log out
      // every user while the database is down; 503 tells them to try again.
      if (isDatabaseUnavailable(e)) throw new AppError('DATABASE_UNAVAILABLE');
      throw e;
    }
    const r = rows[0];
    if (!r) return false;
    const principal: Principal = Object.freeze({
      userId: r.user_id,
      username: r.username,
      displayName: r.display_name,
      sessionId: payload.sid,
      unitId: r.unit_id,
      unitKind: r.unit_kind,
      unitPath: r.unit_path,
      scopePath: scopeOf(r),
      roles: Object.freeze(r.roles) as Role[],
      permissions: permissionsOf(r.roles),
    });
    this.sessions.keep(mark, payload.sid, payload.sub, principal, r.expires_at, Date.now());
    return principal;
  }
}

/** A community or street sees its own subtree; everyone else sees the area (city/district/street) they sit in. */
function scopeOf(r: SessionRow): string {
  const areaWide = r.roles.some((role) => AREA_WIDE_ROLES.includes(role));
  if (!areaWide && (r.unit_kind === UnitKind.COMMUNITY || r.unit_kind === UnitKind.STREET))
    return r.unit_path;
  return r.area_path ?? r.unit_path;
}
