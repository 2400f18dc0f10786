import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { prepared } from '../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

export interface LevelUnits {
  levelId: string | null;
  groupId: string | null;
  officeId: string | null;
  leaderId: string | null;
}

const NONE: LevelUnits = { levelId: null, groupId: null, officeId: null, leaderId: null };

/** See levelUnitsOf: looked up for every new task of a flow (candidate groups, escalation). */
const LEVEL_UNITS_SQL = prepared(
  'org_level_units',
  `WITH owner AS (SELECT path FROM org_unit WHERE id = $1),
          lvl AS (SELECT a.id FROM org_unit a, owner o
                   WHERE a.id = ANY(string_to_array(trim(both '/' from o.path), '/')::uuid[]) AND a.kind IN ('CITY', 'DISTRICT')
                  ORDER BY length(a.path) DESC LIMIT 1),
          grp AS (SELECT g.id, g.principal_leader_id FROM org_unit g, lvl WHERE g.parent_id = lvl.id AND g.kind = 'LEADING_GROUP' AND g.active LIMIT 1)
     SELECT (SELECT id FROM lvl) AS "levelId", (SELECT id FROM grp) AS "groupId",
            (SELECT o.id FROM org_unit o, grp WHERE o.parent_id = grp.id AND o.kind = 'LEADING_GROUP_OFFICE' AND o.active LIMIT 1) AS "officeId",
            (SELECT u.id FROM grp JOIN app_user u ON u.id = grp.principal_leader_id
              WHERE u.active AND u.unit_id = grp.id AND 'LEADER' = ANY(u.roles)) AS "leaderId"`,
);

/**
 * The case owner's level (nearest city/district), its leading group, the group's active office and its principal
 * leader while that account is active, in the group and holds the LEADER role.
 */
export async function levelUnitsOf(m: EntityManager, ownerUnitId: string | null): Promise<LevelUnits> {
  if (!ownerUnitId) return NONE;
  const rows: LevelUnits[] = await m.query(LEVEL_UNITS_SQL, [ownerUnitId]);
  return rows[0];
}

/** Channel on which the database announces every committed change to org_unit (migration OrgUnitChanges). */
const CHANNEL = 'org_unit_changed';
/** Owners kept at most (then the memory starts afresh). */
const MAX_KEPT = 10_000;
/** How long a lookup is kept at most. */
const KEEP_MS = 60_000;
/** The listening connection is proven every so often: a probe announced on the channel must come back. */
const PROBE_EVERY_MS = 10_000;
const PROBE_WAIT_MS = 5_000;
/** Reconnecting after a loss: first after a second, then waiting twice as long each time, up to a minute. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/**
 * levelUnitsOf for the candidate groups of new tasks, kept in memory: every step that opens a task asks
 * for it. Each process listens for the database's announcement of any committed change to org_unit and
 * then forgets everything, so a change in one process reaches the tasks created by all of them. While the
 * process does not listen (starting, its listening connection lost and being restored, or a probe of it
 * unanswered), nothing is kept; nothing is kept longer than a minute either. Only lookups outside a
 * transaction use the memory: a transaction may have changed org_unit itself.
 */
@Injectable()
export class LevelUnitsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LevelUnits');
  private readonly kept = new Map<string, { units: LevelUnits; until: number }>();
  /** Counts the changes heard: a lookup that a change overtook is not kept. */
  private changes = 0;
  private client?: pg.Client;
  private listening = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private retryMs = RETRY_FIRST_MS;
  private heartbeat?: NodeJS.Timeout;
  /** The probe this process waits for, if any (see probe). */
  private probing?: { resolve: () => void; reject: (e: Error) => void };
  private readonly probeToken = `probe:${randomUUID()}`;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.probing?.reject(new Error('stopping'));
    this.forget();
    await this.client?.end().catch(() => undefined);
  }

  /** Whether lookups are kept: the process hears the database's announcements (proven by its probes). */
  get remembering(): boolean {
    return this.listening;
  }

  /** Changes to the organization tree this process has heard of (or assumed, when it stopped listening). */
  get changesHeard(): number {
    return this.changes;
  }

  async of(m: EntityManager, ownerUnitId: string | null): Promise<LevelUnits> {
    if (!ownerUnitId) return NONE;
    const usable = this.listening && !m.queryRunner?.isTransactionActive;
    const hit = usable ? this.kept.get(ownerUnitId) : undefined;
    if (hit && hit.until > Date.now()) return hit.units;
    const changes = this.changes;
    const found = await levelUnitsOf(m, ownerUnitId);
    if (usable && this.listening && changes === this.changes) {
      if (this.kept.size >= MAX_KEPT) this.kept.clear();
      this.kept.set(ownerUnitId, { units: found, until: Date.now() + KEEP_MS });
    }
    return found;
  }

  private forget(): void {
    this.listening = false;
    this.changes++;
    this.kept.clear();
  }

  private async listen(): Promise<void> {
    let client: pg.Client | undefined;
    const lost = (reason: string) => {
      if (client && this.client !== client) return; // late news of an earlier connection
      this.forget();
      this.client = undefined;
      clearInterval(this.heartbeat);
      this.probing?.reject(new Error(reason));
      void client?.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(
        { reason },
        'organization changes not heard: looking units up each time until heard again',
      );
      this.retry = setTimeout(() => void this.listen(), this.retryMs);
      this.retry.unref();
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    };
    try {
      client = new pg.Client({
        connectionString: this.config.databaseUrl,
        application_name: 'community-work-admission:org-changes',
        keepAlive: true,
        connectionTimeoutMillis: PROBE_WAIT_MS,
      });
      this.client = client;
      const own = client;
      client.on('notification', (n) => {
        // Probes: this process's answers its own question; another process's mean nothing here.
        if (n.payload === this.probeToken) return this.probing?.resolve();
        if (n.payload?.startsWith('probe:')) return;
        this.changes++;
        this.kept.clear();
      });
      client.on('error', (e: Error) => lost(e.message));
      client.on('end', () => lost('connection ended'));
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      const trigger = await client.query(
        `SELECT 1 FROM pg_trigger WHERE tgname = 'tg_org_unit_announce_change' AND tgenabled <> 'D'`,
      );
      if (!trigger.rowCount)
        throw new Error('the database does not announce changes to org_unit (migration OrgUnitChanges)');
      // Keep nothing until an announcement made now comes back (a pooler in transaction mode never
      // delivers one), and ask again every few seconds: a connection can die without a word.
      await this.probe(own);
      if (this.client !== own || this.stopped) return;
      this.kept.clear();
      this.listening = true;
      this.retryMs = RETRY_FIRST_MS;
      this.heartbeat = setInterval(() => {
        if (!this.probing) this.probe(own).catch((e: Error) => lost(`no answer to a probe: ${e.message}`));
      }, PROBE_EVERY_MS);
      this.heartbeat.unref();
    } catch (e) {
      lost(e instanceof Error ? e.message : String(e));
    }
  }

  /** Announces this process's probe on the channel and waits for it to come back. */
  private probe(client: pg.Client): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`none within ${PROBE_WAIT_MS} ms`)), PROBE_WAIT_MS);
      timer.unref();
      const done = (e?: Error) => {
        clearTimeout(timer);
        this.probing = undefined;
        if (e) reject(e);
        else resolve();
      };
      this.probing = { resolve: () => done(), reject: (e) => done(e) };
      client.query('SELECT pg_notify($1, $2)', [CHANNEL, this.probeToken]).catch((e: Error) => done(e));
    });
  }
}
