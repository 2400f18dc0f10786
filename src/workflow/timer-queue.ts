import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { pgPoolOptions, timeoutsOf } from '../database/pg-options.js';

export const TIMER_QUEUE = 'workflow-timer';

/** Jobs fetched at once; a full batch is followed by the next fetch at once. */
const BATCH_SIZE = 10;

interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: { id: string }[] }>;
}

/** What the queue does with timers: the runtime's side. */
export interface TimerHandlers {
  /** Fires a due timer (a no-op for one fired or cancelled already). */
  fire(timerId: string): Promise<void>;
  /** The timer's job failed at the last attempt of its retry budget: it becomes an incident for the office. */
  exhausted(timerId: string, error: unknown): Promise<void>;
  /** Queues again the due timers whose job was lost and fires every timer due by the clock. */
  sweep(): Promise<SweepResult>;
}

/** What a sweep did: timers it found due by the clock (and fired, unless fired meanwhile), lost ones queued again. */
export interface SweepResult {
  due: number;
  /** Due timers whose firing failed in the sweep: their job retries them (then an incident). */
  failed: number;
  requeued: number;
}

/** A job's INSERT statement, not yet sent. */
export interface JobInsert {
  jobId: string;
  text: string;
  values: unknown[];
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Durable timers on pg-boss (a PostgreSQL job queue; its schema comes from our migrations). A timer's job is
 * created in the same transaction as the timer row, so a rolled-back step leaves no job behind. Jobs are
 * fetched with SKIP LOCKED by any server process; the firing step marks the timer fired, so a job run twice
 * (after a crash) fires nothing twice. Each job of a batch succeeds or fails alone. A job failing at the last
 * attempt of its budget opens an incident; a job lost otherwise (its retries spent while the database was
 * away, its failure not recorded) is found by the sweep, every `TIMER_SWEEP_SECONDS`, which queues the timer
 * again; the sweep also fires every timer due by the application's clock (see RuntimeTimers.sweep).
 */
@Injectable()
export class TimerQueue {
  private readonly logger = new Logger('TimerQueue');
  private readonly boss: PgBoss;
  private started = false;
  private loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();

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

  /** Starts fetching due timers (every `TIMER_POLL_SECONDS`) and sweeping (every `TIMER_SWEEP_SECONDS`). */
  async start(handlers: TimerHandlers): Promise<void> {
    await this.boss.start();
    this.started = true;
    const { TIMER_POLL_SECONDS, TIMER_SWEEP_SECONDS } = this.config.env;
    this.loops = [
      this.every(TIMER_POLL_SECONDS, 'fetching due timers', () => this.poll(handlers)),
      this.every(TIMER_SWEEP_SECONDS, 'sweeping for due timers', async () => {
        await handlers.sweep();
        return false;
      }),
    ];
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const wake of this.sleepers) wake();
    await Promise.all(this.loops);
    await this.boss.stop({ graceful: true, timeout: 5000, wait: true });
  }

  /**
   * Creates the job of a timer inside the caller's transaction, to run at `fireAt` or, given null, at once (as
   * the database's clock goes: a timer due by the application's clock is not made to wait); answers the job id.
   */
  async schedule(m: EntityManager, timerId: string, fireAt: Date | null, now: Date): Promise<string> {
    const client = (await m.queryRunner!.connect()) as PgClient;
    const id = await this.boss.send(TIMER_QUEUE, { timerId }, {
      ...this.jobOptions(fireAt, now),
      db: { executeSql: (text: string, values: unknown[]) => client.query(text, values) },
    } as PgBoss.SendOptions);
    return id!;
  }

  /**
   * The statement that creates the job of a timer (one INSERT, sent by the caller, e.g. in one statement with
   * the timer row), without sending it; the job's id is chosen here.
   */
  async jobInsert(timerId: string, fireAt: Date, now: Date): Promise<JobInsert> {
    let insert: JobInsert | undefined;
    const id = randomUUID();
    await this.boss.send(TIMER_QUEUE, { timerId }, {
      id,
      ...this.jobOptions(fireAt, now),
      db: {
        executeSql: (text: string, values: unknown[]) => {
          insert = { jobId: id, text, values };
          return Promise.resolve({ rows: [{ id }] });
        },
      },
    } as PgBoss.SendOptions);
    return insert!;
  }

  /** When the job runs (null: at once) and how long the queue keeps it: 30 days past its run. */
  private jobOptions(fireAt: Date | null, now: Date) {
    const runAt = fireAt ?? now;
    const keepDays = Math.ceil(Math.max(0, runAt.getTime() - now.getTime()) / 86400_000) + 30;
    return {
      ...(fireAt ? { startAfter: fireAt } : {}),
      keepUntil: new Date(runAt.getTime() + keepDays * 86400_000).toISOString(),
    };
  }

  /** Runs `work` now and then every `seconds` until stopped (at once again while it answers true). */
  private async every(seconds: number, what: string, work: () => Promise<boolean>): Promise<void> {
    while (this.started) {
      let more = false;
      try {
        more = await work();
      } catch (e) {
        this.logger.error({ err: messageOf(e) }, `${what} failed; trying again in ${seconds} s`);
      }
      if (!more && this.started)
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.sleepers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, seconds * 1000);
          this.sleepers.add(wake);
        });
    }
  }

  private async poll(handlers: TimerHandlers): Promise<boolean> {
    const jobs = await this.boss.fetch<{ timerId: string }>(TIMER_QUEUE, {
      batchSize: BATCH_SIZE,
      includeMetadata: true,
    });
    for (const job of jobs) await this.run(job, handlers);
    return jobs.length === BATCH_SIZE;
  }

  /** One job, alone: its failure is recorded for it, the others of its batch go on. */
  private async run(
    job: PgBoss.JobWithMetadata<{ timerId: string }>,
    handlers: TimerHandlers,
  ): Promise<void> {
    const { timerId } = job.data;
    let failure: unknown = null;
    try {
      await handlers.fire(timerId);
    } catch (e) {
      failure = e;
    }
    try {
      if (failure === null) {
        await this.boss.complete(TIMER_QUEUE, job.id);
      } else if (job.retryCount >= job.retryLimit) {
        this.logger.error(
          { timerId, err: messageOf(failure) },
          'timer failed at its last retry: incident opened',
        );
        await handlers.exhausted(timerId, failure);
        await this.boss.complete(TIMER_QUEUE, job.id);
      } else {
        this.logger.warn(
          { timerId, attempt: job.retryCount + 1, err: messageOf(failure) },
          'timer failed; the job queue retries it',
        );
        await this.boss.fail(TIMER_QUEUE, job.id, { message: messageOf(failure) });
      }
    } catch (e) {
      // The job stays active until it expires and is retried; or, if it ends, the sweep finds its timer.
      this.logger.error({ timerId, err: messageOf(e) }, 'could not record the outcome of a timer job');
    }
  }
}
