import { Inject, Injectable, Logger } from '@nestjs/common';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { pgPoolOptions, timeoutsOf } from '../database/pg-options.js';

export const TIMER_QUEUE = 'workflow-timer';

interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: { id: string }[] }>;
}

/**
 * Durable timers on pg-boss (a PostgreSQL job queue; its schema comes from our migrations). A timer's job is
 * created in the same transaction as the timer row, so a rolled-back step leaves no job behind. Jobs are
 * fetched with SKIP LOCKED by any server process; the firing step marks the timer fired, so a job run twice
 * (after a crash) fires nothing twice.
 */
@Injectable()
export class TimerQueue {
  private readonly logger = new Logger('TimerQueue');
  private readonly boss: PgBoss;
  private started = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.boss = new PgBoss({
      connectionString: config.databaseUrl,
      schema: 'pgboss',
      migrate: false,
      schedule: false,
      supervise: true,
      max: 3,
      application_name: 'community-work-admission:timers',
      ...pgPoolOptions(timeoutsOf(config.env)),
    } as PgBoss.ConstructorOptions);
    this.boss.on('error', (e: Error) => this.logger.error({ err: e.message }, 'job queue error'));
  }

  /** Starts fetching due timers and hands each to `fire`. */
  async start(fire: (timerId: string) => Promise<void>): Promise<void> {
    await this.boss.start();
    this.started = true;
    await this.boss.work<{ timerId: string }>(
      TIMER_QUEUE,
      { pollingIntervalSeconds: this.config.env.TIMER_POLL_SECONDS, batchSize: 10 },
      async (jobs) => {
        for (const job of jobs) await fire(job.data.timerId);
      },
    );
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, timeout: 5000, wait: true });
  }

  /** Creates the job of a timer inside the caller's transaction; answers the job id. */
  async schedule(m: EntityManager, timerId: string, fireAt: Date, now: Date): Promise<string> {
    const client = (await m.queryRunner!.connect()) as PgClient;
    const keepDays = Math.ceil(Math.max(0, fireAt.getTime() - now.getTime()) / 86400_000) + 30;
    const id = await this.boss.send(TIMER_QUEUE, { timerId }, {
      startAfter: fireAt,
      keepUntil: new Date(fireAt.getTime() + keepDays * 86400_000).toISOString(),
      db: { executeSql: (text: string, values: unknown[]) => client.query(text, values) },
    } as PgBoss.SendOptions);
    return id!;
  }
}
