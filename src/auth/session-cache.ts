import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/actor.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MemoryOfChanges } from '../database/memory-of-changes.js';

/** Channel on which the database announces changes to sessions, users and units (migration SessionChanges). */
export const AUTH_CHANNEL = 'auth_changed';
/** What the session check reads (its statement is in jwt.strategy.ts; the triggers of migration SessionChanges). */
const WATCHED = new Map<string, readonly string[]>([
  ['auth_session', ['id', 'userId', 'revokedAt', 'expiresAt']],
  ['app_user', ['id', 'username', 'displayName', 'roles', 'unitId', 'active']],
  ['org_unit', ['id', 'kind', 'path', 'parentId']],
]);
/** Sessions kept at most (about 1 KB each); when full, the oldest kept is dropped. */
const LIMIT = 20_000;
/** A kept session is checked in the database again after this long, whatever was heard. */
const MAX_AGE_MS = 30_000;

interface Kept {
  userId: string;
  principal: Principal;
  /** The session's own end (auth_session.expires_at), machine time. */
  expiresAtMs: number;
  keptAtMs: number;
}

/**
 * The sessions this process has checked, kept so that a request does not ask the database about its token's
 * session each time (the session check was one statement in every authenticated request). Revocation stays
 * immediate: what is kept is forgotten, all of it,
 *  - at once when a transaction of this process that changed a session, a user or a unit commits (OwnCommits:
 *    TypeORM's entity events, and `changedIn(m)` for hand-written statements), before its request answers;
 *  - when the database announces a committed change from any process (NOTIFY auth_changed, sent by triggers on
 *    auth_session, app_user and org_unit, whatever wrote them): other processes forget within the delivery of a
 *    notification, milliseconds;
 *  - when the listening connection is lost: until it listens again nothing is kept and every request asks the
 *    database, as before.
 * A check that a change overtook is not kept; a kept session is asked again after 30 seconds, and never used past
 * its own end. Times here are the machine's, like the token's expiry (see jwt.strategy.ts), not the Clock's.
 */
@Injectable()
export class SessionCache extends MemoryOfChanges {
  private readonly kept = new Map<string, Kept>();

  constructor(dataSource: DataSource, @Inject(APP_CONFIG) config: AppConfig) {
    super(dataSource, config.databaseUrl, AUTH_CHANNEL, 'sessions', WATCHED);
  }

  /** The principal of this session of this user, if kept and still good; otherwise the database must be asked. */
  get(sessionId: string, userId: string, nowMs: number): Principal | undefined {
    if (!this.isListening) return undefined;
    const k = this.kept.get(sessionId);
    if (!k) return undefined;
    if (k.userId !== userId || nowMs >= k.expiresAtMs || nowMs - k.keptAtMs >= MAX_AGE_MS) {
      this.kept.delete(sessionId);
      return undefined;
    }
    return k.principal;
  }

  /** Where a check starts: its answer may be kept only if nothing changed from here to its end. */
  mark(): number {
    return this.generation;
  }

  /** Keeps what the database answered for this session, unless a change was heard since `mark`. */
  keep(
    mark: number,
    sessionId: string,
    userId: string,
    principal: Principal,
    expiresAt: Date,
    nowMs: number,
  ): void {
    if (!this.isListening || mark !== this.generation) return;
    if (this.kept.size >= LIMIT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(sessionId, { userId, principal, expiresAtMs: expiresAt.getTime(), keptAtMs: nowMs });
  }

  protected cleared(): void {
    this.kept.clear();
  }
}
