import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
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
            (SELECT o.id FROM org_unit o, grp WHERE o.parent_id = grp.id AND o.kind = 'LEADING_GROUP_OFFICE' LIMIT 1) AS "officeId",
            (SELECT principal_leader_id FROM grp) AS "leaderId"`,
);

/** The case owner's level (nearest city/district), its leading group, the group's office and principal leader. */
export async function levelUnitsOf(m: EntityManager, ownerUnitId: string | null): Promise<LevelUnits> {
  if (!ownerUnitId) return NONE;
  const rows: LevelUnits[] = await m.query(LEVEL_UNITS_SQL, [ownerUnitId]);
  return rows[0];
}

/** Channel on which the database announces every committed change to org_unit (migration OrgUnitChanges). */
const CHANNEL = 'org_unit_changed';
/** Owners kept at most (then the memory starts afresh). */
const MAX_KEPT = 10_000;
/** How long a lookup is kept at most: bounds the harm of a listening connection that died without a word. */
const KEEP_MS = 60_000;

/**
 * levelUnitsOf for the candidate groups of new tasks, kept in memory: every step that opens a task asks
 * for it. Each process listens for the database's announcement of any committed change to org_unit and
 * then forgets everything, so a change in one process reaches the tasks created by all of them. While the
 * process does not listen (starting, or its listening connection lost and being restored), nothing is
 * kept, and nothing is kept longer than a minute (in case the connection died without a word). Only lookups outside a transaction use the memory: a transaction may have changed org_unit itself.
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

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.forget();
    await this.client?.end().catch(() => undefined);
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
    const client = new pg.Client({
      connectionString: this.config.databaseUrl,
      application_name: 'community-work-admission:org-changes',
      keepAlive: true,
    });
    this.client = client;
    const lost = (reason: string) => {
      if (this.client !== client) return;
      this.forget();
      this.client = undefined;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(
        { reason },
        'organization changes not heard: looking units up each time until reconnected',
      );
      this.retry = setTimeout(() => void this.listen(), 1000);
      this.retry.unref();
    };
    client.on('notification', () => {
      this.changes++;
      this.kept.clear();
    });
    client.on('error', (e: Error) => lost(e.message));
    client.on('end', () => lost('connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.client === client && !this.stopped) {
        this.kept.clear();
        this.listening = true;
      }
    } catch (e) {
      lost(e instanceof Error ? e.message : String(e));
    }
  }
}
