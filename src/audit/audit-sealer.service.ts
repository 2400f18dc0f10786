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
import { Clock } from '../workflow/clock.js';
import { AuditSeal } from './audit-seal.entity.js';
import { canonicalJson, GENESIS_HASH } from './audit.service.js';

const DAY_MS = 86_400_000;

/** The Asia/Shanghai calendar day (YYYY-MM-DD) of an instant. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The day after `day` (YYYY-MM-DD). */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

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
    await this.sealFinishedDays();
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
    const last: { day: string | null }[] = await this.dataSource.query(
      `SELECT to_char(max(day), 'YYYY-MM-DD') AS day FROM audit_seal`,
    );
    let day: string;
    if (last[0].day) day = nextDay(last[0].day);
    else {
      const first: { at: Date | null }[] = await this.dataSource.query(
        'SELECT min(at) AS at FROM audit_record',
      );
      if (!first[0].at) return [];
      day = shanghaiDay(new Date(first[0].at));
    }
    const made: AuditSeal[] = [];
    for (; day < today; day = nextDay(day)) {
      const head: { seq: string; hash: string }[] = await this.dataSource.query(
        `SELECT seq, hash FROM audit_record WHERE at < $1 ORDER BY seq DESC LIMIT 1`,
        [new Date(Date.parse(`${nextDay(day)}T00:00:00+08:00`))],
      );
      const seal = {
        day,
        upToSeq: head[0]?.seq ?? '0',
        hash: head[0]?.hash ?? GENESIS_HASH,
        keyId: sealKeyId(key),
        sealedAt: this.clock.now(),
      };
      const row = { ...seal, mac: sealMac(key, seal) };
      const inserted = await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(AuditSeal)
        .values(row)
        .orIgnore()
        .returning(['day'])
        .execute();
      if (inserted.raw.length) {
        made.push(row);
        // Also in the log, outside the database: a copy of each seal where a database administrator cannot reach.
        this.logger.log({ seal: row }, `audit chain sealed for ${day}`);
      }
    }
    return made;
  }
}
