import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createHash, createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { cstDay, dayStartCst, nextDay } from '../common/china-time.js';
import { Clock } from '../common/clock.js';
import { AuditSeal } from './audit-seal.entity.js';
import { canonicalJson, GENESIS_HASH } from './audit.service.js';

/** The Asia/Shanghai calendar day (YYYY-MM-DD) of an instant (the China day of common/china-time.ts). */
export const shanghaiDay = cstDay;

/** Which key sealed a seal: the first 16 hex digits of the key's SHA-256 (names the key, reveals nothing). */
export function sealKeyId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The HMAC of a seal: over its day, the record it stands at, that record's hash, the key id and the time. */
export function sealMac(key: string, s: Omit<AuditSeal, 'mac'>): string {
  return createHmac('sha256', key)
    .update(
      canonicalJson({
        day: s.day,
        upToSeq: s.upToSeq,
        hash: s.hash,
        keyId: s.keyId,
        sealedAt: s.sealedAt.toISOString(),
      }),
    )
    .digest('hex');
}

/**
 * Seals each finished Asia/Shanghai day's chain head (DESIGN §7: history cannot be rewritten unnoticed): at
 * start-up, every 10 minutes and on demand. A day's seal stands at the newest record (by seq) stamped that day
 * or before; records committed after it are covered by the next day's seal. Several processes may seal at once:
 * the first seal of a day stands.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditSealer');
  private timer?: NodeJS.Timeout;
  readonly key: string | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.key = config.auditSealKey;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.key) return;
    // A failure must not stop the service: the next run (or POST /audit/seals) seals what is due.
    await this.sealFinishedDays().catch((e: unknown) =>
      this.logger.error(
        { err: e instanceof Error ? e.message : e },
        'sealing the audit chain failed; retried',
      ),
    );
    this.timer = setInterval(() => {
      this.sealFinishedDays().catch((e: unknown) =>
        this.logger.error(
          { err: e instanceof Error ? e.message : e },
          'sealing the audit chain failed; retried',
        ),
      );
    }, 600_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Seals every finished day not sealed yet, from the first record's day; answers the seals made. */
  async sealFinishedDays(): Promise<AuditSeal[]> {
    const key = this.key;
    if (!key) return [];
    const today = shanghaiDay(this.clock.now());
    const last: { day: string; up_to_seq: string }[] = await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, up_to_seq FROM audit_seal ORDER BY day DESC LIMIT 1`,
    );
    // One pass over the records since the last seal (all of them the first time): the newest record of each day.
    const base = last[0]?.up_to_seq ?? '0';
    const newest: { day: string; seq: string }[] = await this.dataSource.query(
      `SELECT to_char((at AT TIME ZONE 'Asia/Shanghai')::date, 'YYYY-MM-DD') AS day, max(seq)::text AS seq
         FROM audit_record WHERE seq > $1 AND at < $2 GROUP BY 1 ORDER BY 1`,
      [base, dayStartCst(today)],
    );
    let day = last[0] ? nextDay(last[0].day) : newest[0]?.day;
    if (!day || day >= today) return [];
    const hashes = new Map<string, string>(
      (
        (await this.dataSource.query(
          'SELECT seq::text AS seq, hash FROM audit_record WHERE seq = ANY($1::bigint[])',
          [[base, ...newest.map((n) => n.seq)]],
        )) as { seq: string; hash: string }[]
      ).map((r) => [r.seq, r.hash]),
    );
    hashes.set('0', GENESIS_HASH);
    const made: AuditSeal[] = [];
    let upTo = base;
    for (; day < today; day = nextDay(day)) {
      // The chain up to the newest record stamped this day or before (a late commit counts for the day after).
      for (const n of newest) if (n.day <= day && BigInt(n.seq) > BigInt(upTo)) upTo = n.seq;
      const hash = hashes.get(upTo);
      if (!hash) throw new Error(`audit record ${upTo} vanished while sealing`);
      const seal = { day, upToSeq: upTo, hash, keyId: sealKeyId(key), sealedAt: this.clock.now() };
      const row = { ...seal, mac: sealMac(key, seal) };
      const inserted: unknown[] = await this.dataSource.query(
        `INSERT INTO audit_seal (day, up_to_seq, hash, key_id, sealed_at, mac) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (day) DO NOTHING RETURNING day`,
        [row.day, row.upToSeq, row.hash, row.keyId, row.sealedAt, row.mac],
      );
      if (inserted.length) {
        made.push(row);
        // Also in the log, outside the database: a copy of each seal where a database administrator cannot reach.
        this.logger.log({ seal: row }, `audit chain sealed for ${day}`);
      }
    }
    return made;
  }
}
