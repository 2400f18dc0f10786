import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { AuditRecord } from './audit-record.entity.js';

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
  constructor(private readonly dataSource: DataSource) {}

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
      at: new Date(),
      actorId: actor.principal?.userId ?? null,
      actorUsername: actor.principal?.username ?? (actor.principal ? null : 'system'),
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

  async list(filter: {
    entityType?: string;
    entityId?: string;
    actorId?: string;
    afterSeq?: string;
    limit: number;
  }) {
    const qb = this.dataSource.getRepository(AuditRecord).createQueryBuilder('a').orderBy('a.seq', 'ASC');
    if (filter.entityType) qb.andWhere('a.entity_type = :t', { t: filter.entityType });
    if (filter.entityId) qb.andWhere('a.entity_id = :e', { e: filter.entityId });
    if (filter.actorId) qb.andWhere('a.actor_id = :u', { u: filter.actorId });
    if (filter.afterSeq) qb.andWhere('a.seq > :s', { s: filter.afterSeq });
    return qb.take(filter.limit).getMany();
  }

  /** Recomputes the whole chain; answers where it first breaks, if anywhere. */
  async verify(): Promise<{ intact: boolean; checked: number; firstBrokenSeq: string | null }> {
    let prev = GENESIS_HASH;
    let checked = 0;
    let after = '0';
    for (;;) {
      const batch = await this.dataSource
        .getRepository(AuditRecord)
        .createQueryBuilder('a')
        .where('a.seq > :after', { after })
        .orderBy('a.seq', 'ASC')
        .take(1000)
        .getMany();
      if (batch.length === 0) {
        // The head row must stand at the last record (a record added behind its back would not), unless
        // records were committed since the last batch was read: then those are checked first.
        const head: { hash: string }[] = await this.dataSource.query(
          'SELECT hash FROM audit_head WHERE id = 1',
        );
        if (head[0]?.hash === prev) return { intact: true, checked, firstBrokenSeq: null };
        const more: { n: number }[] = await this.dataSource.query(
          'SELECT count(*)::int AS n FROM audit_record WHERE seq > $1',
          [after],
        );
        if (more[0].n > 0) continue;
        return { intact: false, checked, firstBrokenSeq: after === '0' ? null : after };
      }
      for (const r of batch) {
        if (r.prevHash !== prev || recordHash(prev, r) !== r.hash) {
          return { intact: false, checked, firstBrokenSeq: r.seq };
        }
        prev = r.hash;
        checked++;
        after = r.seq;
      }
    }
  }
}
