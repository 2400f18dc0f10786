import { Clock } from '../../src/common/clock.js';
import { WorkflowRuntime } from '../../src/workflow/runtime.service.js';
import type { SweepResult } from '../../src/workflow/timer-queue.js';
import type { TimerKind } from '../../src/workflow/workflow-timer.entity.js';
import type { TestApp } from './app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How far the application's clock must move for every pending timer of a kind of a case to be due (a second
 * past the latest; 0 when they are due already), and how many there are.
 */
export async function timeUntilDue(
  t: TestApp,
  instanceId: string,
  kind: TimerKind = 'bpmn',
): Promise<{ timers: number; ms: number }> {
  const rows: { fire_at: Date }[] = await t.dataSource.query(
    `SELECT fire_at FROM workflow_timer WHERE instance_id = $1 AND kind = $2 AND fired_at IS NULL AND cancelled_at IS NULL`,
    [instanceId, kind],
  );
  const latest = Math.max(...rows.map((r) => new Date(r.fire_at).getTime()));
  const ms = rows.length ? Math.max(0, latest + 1000 - t.app.get(Clock).nowMs()) : 0;
  return { timers: rows.length, ms };
}

/** Runs the app's sweep, which fires (in this process, awaited) every timer due by the app's clock. */
export function sweepTimers(t: TestApp): Promise<SweepResult> {
  return t.app.get(WorkflowRuntime).sweepTimers();
}

/**
 * The day of a case's pending timers of a kind comes: the app's clock moves just past them (no further) and
 * the sweep fires them. Answers how many were pending.
 */
export async function fireTimersOf(
  t: TestApp,
  instanceId: string,
  kind: TimerKind = 'bpmn',
): Promise<number> {
  const { timers, ms } = await timeUntilDue(t, instanceId, kind);
  t.app.get(Clock).advance(ms);
  await sweepTimers(t);
  return timers;
}

/** Polls until `probe` holds: for what stays asynchronous (the job queue, a poll interval away; another process). */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The pending timer of a kind of a case, with its job. */
export async function pendingTimer(
  t: TestApp,
  instanceId: string,
  kind: string,
): Promise<{ id: string; job_id: string }> {
  const rows: { id: string; job_id: string }[] = await t.dataSource.query(
    `SELECT id, job_id FROM workflow_timer WHERE instance_id = $1 AND kind = $2 AND fired_at IS NULL AND cancelled_at IS NULL`,
    [instanceId, kind],
  );
  if (rows.length !== 1) throw new Error(`${rows.length} pending ${kind} timers of ${instanceId}`);
  return rows[0];
}

/**
 * Locks a row in a transaction of its own: whoever writes the row queues behind the lock (a barrier). `run`
 * sends more statements in that transaction; `release` commits (or rolls back) and lets the queue go on.
 */
export async function holdRow(t: TestApp, table: string, id: string) {
  const qr = t.dataSource.createQueryRunner();
  await qr.connect();
  await qr.startTransaction();
  await qr.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
  return {
    run: (sql: string, params: unknown[] = []) => qr.query(sql, params),
    async release(commit = false) {
      if (commit) await qr.commitTransaction();
      else await qr.rollbackTransaction();
      await qr.release();
    },
  };
}

/** Waits until `n` sessions of the test database wait for a lock in a statement that starts with `prefix`. */
export async function lockWaiters(t: TestApp, n: number, prefix: string): Promise<void> {
  await waitFor(`${n} session(s) waiting for a lock in ${prefix}…`, async () => {
    const rows = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND starts_with(ltrim(query), $1)`,
      [prefix],
    );
    return rows[0].n >= n;
  });
}

/** Makes the overdue step of the listed cases fail (a bug, a constraint) until the returned function is called. */
export async function failOverdueOf(t: TestApp, instanceIds: string[]): Promise<() => Promise<void>> {
  await t.dataSource.query(`CREATE TABLE IF NOT EXISTS test_failing_case (id uuid PRIMARY KEY)`);
  await t.dataSource
    .query(`CREATE OR REPLACE FUNCTION test_fail_overdue() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM test_failing_case WHERE id = NEW.instance_id) THEN
        RAISE EXCEPTION 'overdue step of % fails (test)', NEW.instance_id;
      END IF;
      RETURN NEW;
    END $$`);
  await t.dataSource.query(`DROP TRIGGER IF EXISTS test_fail_overdue ON workflow_history`);
  await t.dataSource.query(`CREATE TRIGGER test_fail_overdue BEFORE INSERT ON workflow_history FOR EACH ROW
    WHEN (NEW.action = 'task.overdue') EXECUTE FUNCTION test_fail_overdue()`);
  await t.dataSource.query(`INSERT INTO test_failing_case SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING`, [
    instanceIds,
  ]);
  return async () => {
    await t.dataSource.query(`DELETE FROM test_failing_case WHERE id = ANY($1::uuid[])`, [instanceIds]);
  };
}

/** Waits for `heard` (a change announced), failing after `ms` instead of hanging: a bound, not a sleep. */
export async function within<T>(what: string, heard: Promise<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([heard, late]);
  } finally {
    clearTimeout(timer);
  }
}
