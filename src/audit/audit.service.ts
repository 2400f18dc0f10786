import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AuditRecord } from './audit-record.entity.js';
import { toPage, type Page, type PageRequest } from '../common/pagination.js';

export const GENESIS_HASH = '0'.repeat(64);

/** Throws unless the statement wrote its record. */
export function assertAppended(id: string | null | undefined): void {
  if (!id) throw new Error('the audit record was not written');
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  data?: Record<string, unknown> | null;
}

/** JSON with keys sorted at every level, so the same content always hashes the same (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** The text a record's hash covers (after its predecessor's hash). */
export function recordContent(r: Omit<AuditRecord, 'seq' | 'hash' | 'prevHash'>): string {
  return canonicalJson({
    at: r.at.toISOString(),
    actorId: r.actorId,
    actorUsername: r.actorUsername,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    data: r.data,
    requestId: r.requestId,
  });
}

/**
 * The hash of what a decider submitted with a decision — the form data and the comment — kept in the step's
 * audit record, so that the form and comment stored with the task can be checked against it (verify).
 */
export function decisionHash(form: unknown, comment: string | null | undefined): string {
  return createHash('sha256')
    .update(canonicalJson({ form: form ?? {}, comment: comment ?? null }))
    .digest('hex');
}

export function recordHash(prevHash: string, r: Omit<AuditRecord, 'seq' | 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(prevHash).update(recordContent(r)).digest('hex');
}

/** SQL for appending one record, as a common table expression to put in front of a statement. */
export interface AuditSql {
  /** `audit_row AS (…)`: returns the pending record's id. */
  cte: string;
  params: unknown[];
}

@Injectable()
export class AuditService {
  /** `clock`: the application's (injected); seeding and tools outside the application get a clock of their own. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock = new Clock(),
  ) {}

  /**
   * Appends one record inside the caller's transaction (DESIGN §7: every state change recorded, chained).
   * The record joins the hash chain when the transaction commits (a deferred trigger; see the
   * AuditChainAtCommit migration), and not at all if it rolls back.
   */
  async record(manager: EntityManager, actor: Actor, entry: AuditEntry): Promise<void> {
    const { cte, params } = this.sql(actor, entry, 1);
    const rows: { id: string | null }[] = await manager.query(
      `WITH ${cte} SELECT (SELECT id FROM audit_row) AS id`,
      params,
    );
    assertAppended(rows[0]?.id);
  }

  /**
   * The SQL that appends one record, for a caller that writes other rows in the same statement (one round
   * trip). Parameters are numbered from `first`.
   */
  sql(actor: Actor, entry: AuditEntry, first: number): AuditSql {
    const row = {
      at: this.clock.now(),
      actorId: actor.principal?.userId ?? actor.unauthenticated?.userId ?? null,
      actorUsername:
        actor.principal?.username ??
        (actor.unauthenticated !== undefined ? (actor.unauthenticated?.username ?? null) : 'system'),
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      data: entry.data ?? null,
      requestId: actor.requestId ?? null,
    };
    const $ = (i: number) => `$${first + i}`;
    return {
      cte: `audit_row AS (
         INSERT INTO audit_pending (at, actor_id, actor_username, action, entity_type, entity_id, data, request_id, content)
         VALUES (${$(0)}::timestamptz, ${$(1)}::uuid, ${$(2)}::varchar, ${$(3)}::varchar, ${$(4)}::varchar,
                 ${$(5)}::varchar, ${$(6)}::jsonb, ${$(7)}::varchar, ${$(8)}::text)
         RETURNING id)`,
      params: [
        row.at,
        row.actorId,
        row.actorUsername,
        row.action,
        row.entityType,
        row.entityId,
        row.data === null ? null : JSON.stringify(row.data),
        row.requestId,
        recordContent(row),
      ],
    };
  }

  /** The trail oldest first, filtered, one page at a time (after `afterSeq` when given). */
  async list(filter: {
    entityType?: string;
    entityId?: string;
    actorId?: string;
    afterSeq?: string;
    page: PageRequest;
  }): Promise<Page<AuditRecord>> {
    const qb = this.dataSource.getRepository(AuditRecord).createQueryBuilder('a').orderBy('a.seq', 'ASC');
    if (filter.entityType) qb.andWhere('a.entity_type = :t', { t: filter.entityType });
    if (filter.entityId) qb.andWhere('a.entity_id = :e', { e: filter.entityId });
    if (filter.actorId) qb.andWhere('a.actor_id = :u', { u: filter.actorId });
    if (filter.afterSeq) qb.andWhere('a.seq > :s', { s: filter.afterSeq });
    const [records, total] = await qb
      .offset(filter.page.offset)
      .limit(filter.page.pageSize)
      .getManyAndCount();
    return toPage(records, total, filter.page);
  }
}
