import { INSTANCE_ROW_JSON, WorkflowRuntime, type InstanceRow } from '../src/workflow/runtime.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, historyActions, instanceStatus, openTask, startReviewCase } from './helpers/cases.js';
import { captureStatements } from './helpers/statements.js';
import { Clock } from '../src/common/clock.js';
import {
  failOverdueOf,
  fireTimersOf,
  holdRow,
  lockWaiters,
  pendingTimer,
  sweepTimers,
  timeUntilDue,
  waitFor,
} from './helpers/timers.js';

/** Moves the clocks of the server processes just past a case's pending timers of a kind: one time for all. */
async function clocksPast(apps: TestApp[], instanceId: string, kind: 'bpmn' | 'task-limit') {
  const ms = (await timeUntilDue(apps[0], instanceId, kind)).ms;
  const clocks = apps.map((app) => app.app.get(Clock));
  const to = clocks[0].nowMs() + ms;
  for (const clock of clocks) if (clock.nowMs() < to) clock.advance(to - clock.nowMs());
}

/**
 * The job queue schedules by the database's clock, which tests do not move: for a test of the queue's own
 * path, the jobs of timers due by the application's clock are brought forward to now.
 */
async function bringJobsForward(app: TestApp, jobIds: string[], set = '') {
  await app.dataSource.query(`UPDATE pgboss.job SET start_after = now()${set} WHERE id = ANY($1::uuid[])`, [
    jobIds,
  ]);
}

/** `username` approves the task over HTTP on server process `app`. */
async function approve(app: TestApp, username: string, taskId: string) {
  return app
    .http()
    .post(`/tasks/${taskId}/complete`)
    .set('Authorization', `Bearer ${await app.token(username)}`)
    .send({ decision: 'approve' });
}

/** The path to the leader's signature, split into steps that can run on any server process. */
const TO_LEADER: [string, string][] = [
  ['dept-head', 'deptApprove'],
  ['office', 'officeReview'],
  ['member-1', 'countersign'],
  ['member-2', 'countersign'],
  ['member-3', 'countersign'],
];

// Passport keeps one strategy per process, bound to the last app started: apps of one test process stop in
// the reverse order of their start (in production there is one app per process).
describe('workflow durability', () => {
  let a: TestApp;
  let b: TestApp;
  let c: TestApp;
  beforeAll(async () => {
    a = await startTestApp();
    // A second server process on the same database, and a third that never caches an engine.
    b = await startTestApp({}, { databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b.stop();
    await a.close();
  });

  it('given steps alternating between two server processes, then the outcome equals an uninterrupted run', async () => {
    const steps: [string, string, string][] = [
      ...TO_LEADER.map(([u, e]) => [u, e, 'approve'] as [string, string, string]),
      ['leader', 'leaderSign', 'approve'],
    ];
    const straight = await startReviewCase(a);
    for (const [user, el, decision] of steps)
      expect((await act(a, user, straight, el, { decision })).status).toBe(200);
    const alternating = await startReviewCase(a);
    for (const [i, [user, el, decision]] of steps.entries()) {
      // Each process holds a cached engine that the other one's step makes stale.
      const app = i % 2 === 0 ? b : a;
      expect((await act(app, user, alternating, el, { decision })).status).toBe(200);
    }
    expect(await instanceStatus(a, alternating)).toBe('completed');
    expect(await historyActions(a, alternating)).toEqual(await historyActions(a, straight));
  });

  it('given a process that recovers the engine from the database at every step, then the outcome is the same', async () => {
    c = await startTestApp({ ENGINE_CACHE_SIZE: '0' }, { databaseUrl: a.databaseUrl });
    {
      const straight = await startReviewCase(a);
      const recovered = await startReviewCase(c);
      const path: [string, string, string, Record<string, unknown>?][] = [
        ['dept-head', 'deptApprove', 'approve'],
        ['office', 'officeReview', 'return', { deficiencies: ['缺少附件'] }],
        ['dept-staff', 'correct', 'resubmit'],
        ['office', 'officeReview', 'approve'],
        ['member-1', 'countersign', 'approve'],
        ['member-2', 'countersign', 'reject'],
      ];
      for (const [user, el, decision, extra] of path) {
        const op = decision === 'return' ? 'return' : 'complete';
        const body = decision === 'return' ? extra! : { decision };
        expect((await act(a, user, straight, el, body, op)).status).toBe(200);
        expect((await act(c, user, recovered, el, body, op)).status).toBe(200);
      }
      expect(await instanceStatus(c, recovered)).toBe('completed');
      expect(await historyActions(c, recovered)).toEqual(await historyActions(a, straight));
    }
  });

  it('given a case row read before another process advanced the case, when a step runs on it, then the step runs again on a fresh row and succeeds', async () => {
    const id = await startReviewCase(a);
    for (const [user, el] of TO_LEADER.slice(0, 2))
      expect((await act(a, user, id, el, { decision: 'approve' })).status).toBe(200);
    const stale: InstanceRow = (
      await a.dataSource.query(
        `SELECT ${INSTANCE_ROW_JSON('i')} AS row FROM workflow_instance i WHERE i.id = $1`,
        [id],
      )
    )[0].row;
    // Another process moves the case on: one member countersigns.
    expect((await act(b, 'member-1', id, 'countersign', { decision: 'approve' })).status).toBe(200);
    const versions: number[] = [];
    await a.app.get(WorkflowRuntime).step(
      id,
      {},
      async (ctx) => {
        versions.push(ctx.instance.version);
        ctx.history.push({ action: 'test.noted' });
      },
      { preloaded: stale },
    );
    expect(versions).toEqual([stale.version, stale.version + 1]);
    expect(await historyActions(a, id)).toContain('test.noted');
    // And the case goes on from there in either process.
    expect((await act(a, 'member-2', id, 'countersign', { decision: 'approve' })).status).toBe(200);
  });

  it('given a case row read before this process moved the case on, then the step rereads the row and keeps the live engine', async () => {
    const id = await startReviewCase(a);
    await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const stale: InstanceRow = (
      await a.dataSource.query(
        `SELECT ${INSTANCE_ROW_JSON('i')} AS row FROM workflow_instance i WHERE i.id = $1`,
        [id],
      )
    )[0].row;
    // This process moves the case on (its engine is now one version ahead of the row read above).
    await a.app
      .get(WorkflowRuntime)
      .step(id, {}, async (ctx) => void ctx.history.push({ action: 'test.first' }));
    const versions: number[] = [];
    const { statements } = await captureStatements(() =>
      a.app.get(WorkflowRuntime).step(
        id,
        {},
        async (ctx) => {
          versions.push(ctx.instance.version);
          ctx.history.push({ action: 'test.second' });
        },
        { preloaded: stale },
      ),
    );
    expect(versions).toEqual([stale.version + 1]);
    // Not recovered from the stored state: the engine in memory was current.
    expect(statements.filter((s) => s.startsWith('SELECT state FROM'))).toEqual([]);
    expect((await historyActions(a, id)).filter((x) => x.startsWith('test.'))).toEqual([
      'test.first',
      'test.second',
    ]);
  });

  it('given two completions of one task at once, in one process or in two, then exactly one wins and the other gets 409', async () => {
    for (const [first, second] of [
      [a, a],
      [a, b],
    ]) {
      const id = await startReviewCase(a);
      const taskId = await openTask(a, 'dept-head', id, 'deptApprove');
      const results = await Promise.all([
        approve(first, 'dept-head', taskId),
        approve(second, 'dept-head', taskId),
      ]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      expect(['TASK_NOT_OPEN', 'CONCURRENT_UPDATE']).toContain(loser.body.error.code);
      const created = await a.dataSource.query(
        `SELECT count(*)::int AS n FROM workflow_task WHERE instance_id = $1 AND element_id = 'officeReview'`,
        [id],
      );
      expect(created[0].n).toBe(1);
    }
  });

  it('given two completions of one task at once, in one process or in two, then the rows of the winner are written once', async () => {
    for (const [first, second] of [
      [a, a],
      [a, b],
    ]) {
      const id = await startReviewCase(a);
      await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' });
      const taskId = await openTask(a, 'office', id, 'officeReview');
      const results = await Promise.all([
        approve(first, 'office', taskId),
        approve(second, 'office', taskId),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const rows: { n: number; completed: number; history: number; audit: number }[] =
        await a.dataSource.query(
          `SELECT (SELECT count(*)::int FROM workflow_task WHERE instance_id = $1 AND element_id = 'countersign') AS n,
                (SELECT count(*)::int FROM workflow_task WHERE id = $2 AND status = 'completed') AS completed,
                (SELECT count(*)::int FROM workflow_history WHERE task_id = $2 AND action = 'task.completed') AS history,
                (SELECT count(*)::int FROM audit_record WHERE entity_id = $1::text AND action = 'workflow.task.completed') AS audit`,
          [id, taskId],
        );
      expect(rows[0]).toEqual({ n: 3, completed: 1, history: 1, audit: 2 });
    }
  });

  it('given a time limit left pending on a task that is no longer open, when the next task of the case is completed, then it is cancelled', async () => {
    const id = await startReviewCase(a);
    await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    await openTask(a, 'office', id, 'officeReview');
    const deptTask: string = (
      await a.dataSource.query(
        `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'deptApprove'`,
        [id],
      )
    )[0].id;
    const leftover: string = (
      await a.dataSource.query(
        `INSERT INTO workflow_timer (instance_id, kind, element_id, execution_id, task_id, fire_at, created_at)
         VALUES ($1, 'task-limit', 'deptApprove', 'deptApprove_x', $2, now() + interval '1 day', now()) RETURNING id`,
        [id, deptTask],
      )
    )[0].id;
    const res = await act(a, 'office', id, 'officeReview', { decision: 'approve' });
    expect(res.status).toBe(200);
    expect(
      (
        await a.dataSource.query(
          'SELECT cancelled_at IS NOT NULL AS cancelled FROM workflow_timer WHERE id = $1',
          [leftover],
        )
      )[0],
    ).toEqual({ cancelled: true });
  });

  it('given task rows that do not match the engine (a stray open task), when a task is completed, then the step cancels the stray task', async () => {
    const id = await startReviewCase(a);
    await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const taskId = await openTask(a, 'office', id, 'officeReview');
    const stray: string = (
      await a.dataSource.query(
        `INSERT INTO workflow_task (instance_id, element_id, execution_id, name, status, kind, created_at)
         VALUES ($1, 'ghost', 'ghost_1', 'ghost', 'open', 'step', now()) RETURNING id`,
        [id],
      )
    )[0].id;
    const res = await act(a, 'office', id, 'officeReview', { decision: 'approve' });
    expect(res.status).toBe(200);
    expect(res.body.openTasks.map((t: { elementId: string }) => t.elementId)).toEqual([
      'countersign',
      'countersign',
      'countersign',
    ]);
    const tasks: { id: string; status: string }[] = await a.dataSource.query(
      `SELECT id, status FROM workflow_task WHERE id = ANY($1) ORDER BY status`,
      [[stray, taskId]],
    );
    expect(tasks).toEqual([
      { id: stray, status: 'cancelled' },
      { id: taskId, status: 'completed' },
    ]);
    const actions = await historyActions(a, id);
    expect(actions.filter((x) => x.startsWith('task.completed'))).toHaveLength(2);
    expect(actions.filter((x) => x === 'task.cancelled')).toHaveLength(1);
  });

  it('given a 90-day timer, when the server restarts and the day comes, then it fires exactly once', async () => {
    const id = await startReviewCase(a);
    for (const [user, el] of TO_LEADER) await act(a, user, id, el, { decision: 'approve' });
    const timer = (
      await a.dataSource.query(
        `SELECT fire_at, created_at FROM workflow_timer WHERE instance_id = $1 AND kind = 'bpmn'`,
        [id],
      )
    )[0];
    const days = (new Date(timer.fire_at).getTime() - new Date(timer.created_at).getTime()) / 86400_000;
    expect(Math.round(days)).toBe(90);
    // Every server process goes away; 90 days pass; a new one starts.
    await c.stop();
    await b.stop();
    const url = a.databaseUrl;
    await a.stop();
    const fresh = await startTestApp({}, { databaseUrl: url });
    try {
      expect(await fireTimersOf(fresh, id)).toBe(1);
      expect(await instanceStatus(fresh, id)).toBe('completed');
      const actions = await historyActions(fresh, id);
      expect(actions.filter((x) => x === 'timer.fired:signLapsed')).toHaveLength(1);
      const ended = await fresh.dataSource.query(
        `SELECT 1 FROM workflow_history WHERE instance_id = $1 AND action = 'element.completed' AND element_id = 'lapsed'`,
        [id],
      );
      expect(ended).toHaveLength(1);
      const open = await fresh.dataSource.query(
        `SELECT status FROM workflow_task WHERE instance_id = $1 AND element_id = 'leaderSign'`,
        [id],
      );
      expect(open[0].status).toBe('cancelled');
    } finally {
      await fresh.stop();
    }
    a = await startTestApp({}, { databaseUrl: url });
    b = await startTestApp({}, { databaseUrl: url });
  });

  it('given two server processes polling the same due timers, then no timer fires twice', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await startReviewCase(i % 2 ? a : b);
      for (const [user, el] of TO_LEADER) await act(i % 2 ? b : a, user, id, el, { decision: 'approve' });
      ids.push(id);
    }
    // The day comes for both processes; their jobs fire the timers (this tests the queue's path).
    for (const id of ids) await clocksPast([a, b], id, 'bpmn');
    const jobs = await a.dataSource.query(
      `SELECT job_id FROM workflow_timer WHERE instance_id = ANY($1::uuid[]) AND kind = 'bpmn' AND fired_at IS NULL`,
      [ids],
    );
    await bringJobsForward(
      a,
      jobs.map((j: { job_id: string }) => j.job_id),
    );
    await waitFor('all timers to fire', async () => {
      const left = await a.dataSource.query(
        `SELECT count(*)::int AS n FROM workflow_instance WHERE id = ANY($1::uuid[]) AND status <> 'completed'`,
        [ids],
      );
      return left[0].n === 0;
    });
    // Every job of those timers has run (none is left to fire a timer twice).
    await waitFor('every job of those timers to end', async () => {
      const live = await a.dataSource.query(
        `SELECT count(*)::int AS n FROM workflow_timer t JOIN pgboss.job j ON j.name = 'workflow-timer' AND j.data->>'timerId' = t.id::text
          WHERE t.instance_id = ANY($1::uuid[]) AND t.kind = 'bpmn' AND j.state < 'completed'`,
        [ids],
      );
      return live[0].n === 0;
    });
    const fired: { instance_id: string; n: number }[] = await a.dataSource.query(
      `SELECT instance_id, count(*)::int AS n FROM workflow_history WHERE instance_id = ANY($1::uuid[]) AND action = 'timer.fired' GROUP BY instance_id`,
      [ids],
    );
    expect(fired).toHaveLength(6);
    expect(fired.every((f) => f.n === 1)).toBe(true);
  });
  it('given one timer fired by two server processes at the same moment, then it fires exactly once: the claim in the database decides', async () => {
    const id = await startReviewCase(a);
    await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const limit = await pendingTimer(a, id, 'task-limit');
    const race = async (timerId: string) => {
      // Both processes read the timer as not fired, then queue on its row: the barrier opens for both at once.
      const barrier = await holdRow(a, 'workflow_timer', timerId);
      const fires = [a, b].map((app) => app.app.get(WorkflowRuntime).fireTimer(timerId));
      try {
        await lockWaiters(a, 2, 'UPDATE workflow_timer SET fired_at');
      } finally {
        await barrier.release();
      }
      await Promise.all(fires);
    };
    await race(limit.id);
    const overdue = await a.dataSource.query(
      `SELECT count(*)::int AS n FROM workflow_history WHERE instance_id = $1 AND action = 'task.overdue'`,
      [id],
    );
    expect(overdue[0].n).toBe(1);

    for (const [user, el] of TO_LEADER.slice(1)) await act(a, user, id, el, { decision: 'approve' });
    await race((await pendingTimer(a, id, 'bpmn')).id);
    const actions = await historyActions(a, id);
    expect(actions.filter((x) => x === 'timer.fired:signLapsed')).toHaveLength(1);
    expect(await instanceStatus(a, id)).toBe('completed');
  });

  it('given the day of two timers coming for two server processes, when both sweep at the same moment, then each timer fires exactly once: the claim in the database decides', async () => {
    const id = await startReviewCase(a);
    await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const limit = await pendingTimer(a, id, 'task-limit');
    const race = async (timerId: string) => {
      // Both sweeps find the timer due and not fired, then queue on its row: the barrier opens for both at once.
      const barrier = await holdRow(a, 'workflow_timer', timerId);
      const sweeps = [a, b].map((app) => sweepTimers(app));
      try {
        await lockWaiters(a, 2, 'UPDATE workflow_timer SET fired_at');
      } finally {
        await barrier.release();
      }
      return Promise.all(sweeps);
    };
    await clocksPast([a, b], id, 'task-limit');
    const swept = await race(limit.id);
    expect(swept.every((r) => r.due >= 1 && r.failed === 0)).toBe(true);
    const overdue = await a.dataSource.query(
      `SELECT count(*)::int AS n FROM workflow_history WHERE instance_id = $1 AND action = 'task.overdue'`,
      [id],
    );
    expect(overdue[0].n).toBe(1);

    for (const [user, el] of TO_LEADER.slice(1)) await act(a, user, id, el, { decision: 'approve' });
    const lapse = await pendingTimer(a, id, 'bpmn');
    await clocksPast([a, b], id, 'bpmn');
    await race(lapse.id);
    const actions = await historyActions(a, id);
    expect(actions.filter((x) => x === 'timer.fired:signLapsed')).toHaveLength(1);
    expect(await instanceStatus(a, id)).toBe('completed');
  });

  it("given another step of the case commits while a timer's step writes, then the timer's step runs again on the fresh case and fires", async () => {
    const id = await startReviewCase(a);
    for (const [user, el] of TO_LEADER) await act(a, user, id, el, { decision: 'approve' });
    const timer = await pendingTimer(a, id, 'bpmn');
    const other = await holdRow(a, 'workflow_instance', id);
    const fire = a.app.get(WorkflowRuntime).fireTimer(timer.id);
    const settled = fire.then(
      () => null,
      (e: unknown) => e,
    );
    try {
      await lockWaiters(a, 1, 'WITH done AS');
      // The other step: it moves the case's version on while the timer's step waits to write.
      await other.run('UPDATE workflow_instance SET version = version + 1 WHERE id = $1', [id]);
    } finally {
      await other.release(true);
    }
    expect(await settled).toBeNull();
    expect(await instanceStatus(a, id)).toBe('completed');
    const actions = await historyActions(a, id);
    expect(actions.filter((x) => x === 'timer.fired:signLapsed')).toHaveLength(1);
  });

  it('given two due timers fetched together and one failing, then the other fires at its first attempt and only the failing one is retried', async () => {
    const good = await startReviewCase(a);
    const bad = await startReviewCase(a);
    for (const id of [good, bad]) await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const goodTimer = await pendingTimer(a, good, 'task-limit');
    const badTimer = await pendingTimer(a, bad, 'task-limit');
    const stopFailing = await failOverdueOf(a, [bad]);
    try {
      await clocksPast([a, b], good, 'task-limit');
      await clocksPast([a, b], bad, 'task-limit');
      // One statement: both jobs are due at once, so the next fetch takes them together.
      await bringJobsForward(a, [goodTimer.job_id, badTimer.job_id]);
      const job = async (jobId: string) =>
        (
          await a.dataSource.query(
            `SELECT state, retry_count FROM pgboss.job WHERE name = 'workflow-timer' AND id = $1`,
            [jobId],
          )
        )[0] as { state: string; retry_count: number };
      // Each job of the batch settles on its own: wait until neither is still being worked on.
      await waitFor(
        'the failing job to be retried and the other to settle',
        async () =>
          (await job(badTimer.job_id)).state === 'retry' &&
          !['created', 'active'].includes((await job(goodTimer.job_id)).state),
      );
      expect(await job(goodTimer.job_id)).toEqual({ state: 'completed', retry_count: 0 });
      const fired = await a.dataSource.query(
        `SELECT id FROM workflow_timer WHERE id = ANY($1::uuid[]) AND fired_at IS NOT NULL`,
        [[goodTimer.id, badTimer.id]],
      );
      expect(fired).toEqual([{ id: goodTimer.id }]);
    } finally {
      await stopFailing();
    }
    // Its retry (a backoff away on the database's clock) is brought forward: it fires now that the fault is gone.
    await bringJobsForward(a, [badTimer.job_id]);
    await waitFor('the retried timer to fire', async () => {
      const r = await a.dataSource.query(`SELECT fired_at FROM workflow_timer WHERE id = $1`, [badTimer.id]);
      return r[0].fired_at !== null;
    });
  });

  it('given a timer whose job has spent its retries, when it fails once more, then an incident opens that the office sees and retries; the sweeper leaves it to the office', async () => {
    const id = await startReviewCase(a);
    await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const timer = await pendingTimer(a, id, 'task-limit');
    const stopFailing = await failOverdueOf(a, [id]);
    const office = await a.token('office');
    let incidentId: string;
    try {
      await clocksPast([a, b], id, 'task-limit');
      // The last attempt of its budget (after 10 retries with backoff: about 85 minutes of trouble).
      await bringJobsForward(a, [timer.job_id], ', retry_count = retry_limit');
      await waitFor('an incident of the timer', async () => {
        const r = await a.dataSource.query(`SELECT 1 FROM workflow_incident WHERE timer_id = $1`, [timer.id]);
        return r.length === 1;
      });
      const list = await a.http().get('/workflow-incidents').set('Authorization', `Bearer ${office}`);
      expect(list.status).toBe(200);
      const incident = list.body.items.find((x: { timerId: string | null }) => x.timerId === timer.id);
      expect(incident).toMatchObject({
        instanceId: id,
        elementId: 'officeReview',
        topic: 'timer:task-limit',
        resolvedAt: null,
      });
      expect(incident.message).toContain('fails (test)');
      incidentId = incident.id;
      // The timer is still due and unfired, but it is the office's now: the sweeper neither fires it nor queues it again.
      expect(await sweepTimers(a)).toMatchObject({ failed: 0, requeued: 0 });
      const unfired = await a.dataSource.query(`SELECT fired_at FROM workflow_timer WHERE id = $1`, [
        timer.id,
      ]);
      expect(unfired[0].fired_at).toBeNull();
      const jobs = await a.dataSource.query(`SELECT job_id FROM workflow_timer WHERE id = $1`, [timer.id]);
      expect(jobs[0].job_id).toBe(timer.job_id);
      // Retrying while the fault lasts answers so and counts the attempt.
      const again = await a
        .http()
        .post(`/workflow-incidents/${incidentId}/retry`)
        .set('Authorization', `Bearer ${office}`);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ resolved: false });
    } finally {
      await stopFailing();
    }
    const retried = await a
      .http()
      .post(`/workflow-incidents/${incidentId}/retry`)
      .set('Authorization', `Bearer ${office}`);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ resolved: true });
    const row = await a.dataSource.query(
      `SELECT t.fired_at, i.resolved_at, i.attempts FROM workflow_timer t JOIN workflow_incident i ON i.timer_id = t.id WHERE t.id = $1`,
      [timer.id],
    );
    expect(row[0].fired_at).not.toBeNull();
    expect(row[0].resolved_at).not.toBeNull();
    expect(row[0].attempts).toBe(2);
    const actions = await historyActions(a, id);
    expect(actions.filter((x) => x.startsWith('task.overdue'))).toHaveLength(1);
    expect(actions.filter((x) => x === 'incident.opened:officeReview')).toHaveLength(1);
    const retries = await a.dataSource.query(
      `SELECT actor_username, data->>'resolved' AS resolved FROM workflow_history WHERE instance_id = $1 AND action = 'incident.retried' ORDER BY seq`,
      [id],
    );
    expect(retries).toEqual([
      { actor_username: 'office', resolved: 'false' },
      { actor_username: 'office', resolved: 'true' },
    ]);
  });

  it('given a due timer whose job was lost (its retries spent during a database outage), when the sweepers of two processes run at once, then it is queued again once and fires once', async () => {
    const id = await startReviewCase(a);
    await act(a, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const timer = await pendingTimer(a, id, 'task-limit');
    // Its job is lost (a failure the queue recorded while the timer's step could not): not the passage of time.
    await a.dataSource.query(
      `UPDATE pgboss.job SET state = 'failed', completed_on = now() WHERE name = 'workflow-timer' AND id = $1`,
      [timer.job_id],
    );
    await clocksPast([a, b], id, 'task-limit');
    const swept = await Promise.all([a, b].map((app) => sweepTimers(app)));
    expect(swept[0].requeued + swept[1].requeued).toBeLessThanOrEqual(1);
    // Queued again once (by one of the two sweeps, or by a periodic one before them).
    const jobs = await a.dataSource.query(
      `SELECT id FROM pgboss.job WHERE name = 'workflow-timer' AND data->>'timerId' = $1 AND id <> $2`,
      [timer.id, timer.job_id],
    );
    expect(jobs).toHaveLength(1);
    // And fired by the sweeps themselves, once.
    const r = await a.dataSource.query(`SELECT fired_at FROM workflow_timer WHERE id = $1`, [timer.id]);
    expect(r[0].fired_at).not.toBeNull();
    expect((await historyActions(a, id)).filter((x) => x.startsWith('task.overdue'))).toHaveLength(1);
  });
});
