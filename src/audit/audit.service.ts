import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { Actor } from '../common/actor.js';
import { AuditRecord } from './audit-record.entity.js';

const AUDIT_CHAIN_LOCK = 7270021;
export const GENESIS_HASH = '0'.repeat(64);

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

export function recordHash(prevHash: string, r: Omit<AuditRecord, 'seq' | 'hash' | 'prevHash'>): string {
  const content = canonicalJson({
    at: r.at.toISOString(),
    actorId: r.actorId,
    actorUsername: r.actorUsername,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    data: r.data,
    requestId: r.requestId,
  });
  return createHash('sha256').update(prevHash).update(content).digest('hex');
}

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends one record inside the caller's transaction (DESIGN §7: every state change recorded, chained).
   * Call it last in the transaction: it holds the chain lock until commit.
   */
  async record(manager: EntityManager, actor: Actor, entry: AuditEntry): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const last: { hash: string }[] = await manager.query(
      'SELECT hash FROM audit_record ORDER BY seq DESC LIMIT 1',
    );
    const prevHash = last[0]?.hash ?? GENESIS_HASH;
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
    const hash = recordHash(prevHash, row);
    await manager.insert(AuditRecord, { ...row, prevHash, hash } as QueryDeepPartialEntity<AuditRecord>);
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
      if (batch.length === 0) return { intact: true, checked, firstBrokenSeq: null };
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
