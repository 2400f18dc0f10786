import { rowsOf } from '../../src/common/sql.js';
import type { TestApp } from './app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pretends the clock moved past a case's pending timers of a kind: the rows and their queued jobs become due now. */
export async function makeTimersDue(t: TestApp, instanceId: string, kind = 'bpmn'): Promise<number> {
  const res = await t.dataSource.query(
    `UPDATE workflow_timer SET fire_at = now() WHERE instance_id = $1 AND kind = $2 AND fired_at IS NULL AND cancelled_at IS NULL RETURNING job_id`,
    [instanceId, kind],
  );
  const rows = rowsOf<{ job_id: string }>(res);
  await t.dataSource.query(`UPDATE pgboss.job SET start_after = now() WHERE id = ANY($1::uuid[])`, [
    rows.map((r) => r.job_id),
  ]);
  return rows.length;
}

/** Polls until `probe` holds (timers fire from the job queue, a poll interval away). */
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
