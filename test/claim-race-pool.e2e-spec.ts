import pg from 'pg';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, openTask, startReviewCase } from './helpers/cases.js';
import { waitFor } from './helpers/timers.js';

/**
 * A claim that loses its race decides what to answer from the task as the winner left it. It must read that
 * on its own transaction: a second connection from the pool, asked for while its transaction holds one, waits
 * for itself once every connection is so held (here: a pool of one).
 */
describe('a claim that loses its race, with one connection in the pool', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: '1', DB_CONNECT_TIMEOUT_MS: '3000' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('given the same clerk claiming in another request that commits first, when this claim finds the task changed, then it answers 200 with the task theirs', async () => {
    const id = await startReviewCase(t);
    await act(t, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const taskId = await openTask(t, 'office', id, 'officeReview');
    const office: string = (await t.dataSource.query(`SELECT id FROM app_user WHERE username = 'office'`))[0]
      .id;
    const token = await t.token('office');
    const other = new pg.Client({ connectionString: t.databaseUrl });
    // Watches from outside both transactions (a transaction sees the activity view as it was when it began).
    const watcher = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    await watcher.connect();
    try {
      // The other request: holds the task's row, so this claim's update waits for it, then claims it.
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM workflow_task WHERE id = $1 FOR UPDATE', [taskId]);
      let settled = false;
      const claiming = Promise.resolve(
        t.http().post(`/tasks/${taskId}/claim`).set('Authorization', `Bearer ${token}`).send({}),
      ).finally(() => {
        settled = true;
      });
      await waitFor('the claim to wait for the task row', async () => {
        const rows = await watcher.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND starts_with(ltrim(query), 'UPDATE workflow_task')`,
        );
        return rows.rows[0].n >= 1 || settled;
      });
      await other.query(
        `UPDATE workflow_task SET assignee_id = $2, claimed_at = now(), version = version + 1 WHERE id = $1`,
        [taskId, office],
      );
      await other.query('COMMIT');
      const res = await claiming;
      expect(res.status).toBe(200);
      expect(res.body.assigneeId).toBe(office);
    } finally {
      await other.end();
      await watcher.end();
    }
  });
});
