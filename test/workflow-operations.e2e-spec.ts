import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, historyActions, inboxOf, instanceStatus, openTask, startReviewCase } from './helpers/cases.js';
import { captureStatements } from './helpers/statements.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';
import type { TimerKind } from '../src/workflow/workflow-timer.entity.js';
import { fireTimersOf } from './helpers/timers.js';

describe('task operations (the inbox of a Chinese office)', () => {
  let t: TestApp;
  const user: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const post = async (u: string, path: string, body: object = {}) =>
    t
      .http()
      .post(path)
      .set(await auth(u))
      .send(body);

  async function atOfficeReview(): Promise<{ id: string; taskId: string }> {
    const id = await startReviewCase(t);
    await act(t, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    return { id, taskId: await openTask(t, 'office', id, 'officeReview') };
  }

  /** The time of a case's pending timers of a kind comes: the clock moves just past them and the sweep fires them. */
  async function makeDue(instanceId: string, kind: TimerKind): Promise<void> {
    expect(await fireTimersOf(t, instanceId, kind)).toBeGreaterThan(0);
  }

  beforeAll(async () => {
    t = await startTestApp();
    // A second clerk in the office, to pass work between.
    await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT 'office-2', '办公室二号', password_hash, unit_id, roles FROM app_user WHERE username = 'office'`,
    );
    for (const r of await t.dataSource.query('SELECT id, username FROM app_user')) user[r.username] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a claimable task, then claiming is exclusive: one of two claims wins and only the holder may act', async () => {
    const { taskId } = await atOfficeReview();
    const [x, y] = await Promise.all([
      post('office', `/tasks/${taskId}/claim`),
      post('office-2', `/tasks/${taskId}/claim`),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const holder = x.status === 200 ? 'office' : 'office-2';
    const other = holder === 'office' ? 'office-2' : 'office';
    expect((await post(other, `/tasks/${taskId}/claim`)).body.error.code).toBe('TASK_ALREADY_CLAIMED');
    const notYours = await post(other, `/tasks/${taskId}/complete`, { decision: 'approve' });
    expect(notYours.status).toBe(403);
    expect(notYours.body.error.code).toBe('TASK_NOT_YOURS');
    expect((await post(holder, `/tasks/${taskId}/unclaim`)).status).toBe(200);
    expect((await post(other, `/tasks/${taskId}/claim`)).body.assigneeId).toBe(user[other]);
  });

  it('given someone outside the candidates, then the task answers like a missing one', async () => {
    const { taskId } = await atOfficeReview();
    const res = await post('committee', `/tasks/${taskId}/complete`, { decision: 'approve' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('TASK_NOT_FOUND');
    expect(
      (
        await t
          .http()
          .get(`/tasks/${taskId}`)
          .set(await auth('committee'))
      ).status,
    ).toBe(404);
    expect((await post('office', '/tasks/00000000-0000-4000-8000-000000000000/complete')).status).toBe(404);
  });

  it('given 转办, then the task moves to a colleague, and not to someone of another unit', async () => {
    const { taskId } = await atOfficeReview();
    const res = await post('office', `/tasks/${taskId}/reassign`, {
      toUserId: user['office-2'],
      comment: '请王二办理',
    });
    expect(res.status).toBe(200);
    expect(res.body.assigneeId).toBe(user['office-2']);
    const wrong = await post('office-2', `/tasks/${taskId}/reassign`, { toUserId: user['committee'] });
    expect(wrong.status).toBe(400);
    expect((await post('office-2', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(200);
  });

  it('given 委托 until a time, then the delegate holds it and it comes back when the time is up', async () => {
    const { id, taskId } = await atOfficeReview();
    await post('office', `/tasks/${taskId}/claim`);
    const until = new Date(Date.now() + 3600_000).toISOString();
    const res = await post('office', `/tasks/${taskId}/delegate`, { toUserId: user['office-2'], until });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ assigneeId: user['office-2'], delegatedFromId: user['office'] });
    await makeDue(id, 'delegation-end');
    expect(
      (await t.dataSource.query('SELECT assignee_id FROM workflow_task WHERE id = $1', [taskId]))[0]
        .assignee_id,
    ).toBe(user['office']);
    expect(await historyActions(t, id)).toContain('task.delegation-ended:officeReview');
  });

  it('given 加签, then the step cannot be completed until the added signer has signed', async () => {
    const { taskId } = await atOfficeReview();
    await post('office', `/tasks/${taskId}/claim`);
    // An added signer must be someone who could hold the step: a colleague of the office.
    const added = await post('office', `/tasks/${taskId}/signers`, { userIds: [user['office-2']] });
    expect(added.status).toBe(201);
    // Refused before any work: the case is not touched (no transaction, no engine step).
    const { result: blocked, statements } = await captureStatements(() =>
      post('office', `/tasks/${taskId}/complete`, { decision: 'approve' }),
    );
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('TASK_WAITING_FOR_SIGNERS');
    expect(blocked.body.error.details).toEqual({ open: 1 });
    expect(statements).not.toContain('START TRANSACTION');
    const signerTask = added.body[0].id;
    expect(
      (await post('office-2', `/tasks/${signerTask}/complete`, { decision: 'approve', comment: '同意' }))
        .status,
    ).toBe(200);
    expect((await post('office', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(200);
  });

  it('given 撤回 before the next step is touched, then the step reopens and the next one is cancelled; after, it is refused', async () => {
    const id = await startReviewCase(t);
    const deptTask = await openTask(t, 'dept-head', id, 'deptApprove');
    await post('dept-head', `/tasks/${deptTask}/complete`, { decision: 'approve' });
    const next = await openTask(t, 'office', id, 'officeReview');
    const back = await post('dept-head', `/tasks/${deptTask}/withdraw`, { comment: '意见写错了' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'open', assigneeId: user['dept-head'] });
    expect(
      (await t.dataSource.query('SELECT status FROM workflow_task WHERE id = $1', [next]))[0].status,
    ).toBe('cancelled');
    expect(await historyActions(t, id)).toEqual(
      expect.arrayContaining(['task.withdrawn:deptApprove', 'task.reopened:deptApprove']),
    );
    // Again, but the office claims the next step first.
    await post('dept-head', `/tasks/${deptTask}/complete`, { decision: 'approve' });
    const next2 = await openTask(t, 'office', id, 'officeReview');
    // Whether the task page offers dept-head 撤回 of a task.
    const offered = async (task: string) =>
      (
        await t
          .http()
          .get(`/tasks/${task}`)
          .set(await auth('dept-head'))
      ).body.actions.withdraw;
    expect(await offered(deptTask)).toBe(true);
    await post('office', `/tasks/${next2}/claim`);
    // Too late: no longer offered (the task page shows no 撤回), and refused when asked.
    expect(await offered(deptTask)).toBe(false);
    const refused = await post('dept-head', `/tasks/${deptTask}/withdraw`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('WITHDRAW_NOT_POSSIBLE');
    expect(await instanceStatus(t, id)).toBe('active');

    // Nor once something else moved the case (suspended and resumed by the office).
    const other = await startReviewCase(t);
    const otherTask = await openTask(t, 'dept-head', other, 'deptApprove');
    await post('dept-head', `/tasks/${otherTask}/complete`, { decision: 'approve' });
    expect(await offered(otherTask)).toBe(true);
    expect((await post('office', `/workflow-instances/${other}/suspend`, { comment: '核实' })).status).toBe(
      200,
    );
    expect((await post('office', `/workflow-instances/${other}/resume`, { comment: '继续' })).status).toBe(
      200,
    );
    expect(await offered(otherTask)).toBe(false);
    expect((await post('dept-head', `/tasks/${otherTask}/withdraw`)).status).toBe(409);
  });

  it('given 催办 by the applicant, then the office sees the reminder; others cannot urge', async () => {
    const { taskId } = await atOfficeReview();
    expect((await post('dept-staff', `/tasks/${taskId}/urge`, { comment: '请尽快' })).status).toBe(200);
    const inbox = await inboxOf(t, 'office');
    expect(inbox.find((x) => x.id === taskId)?.urgedCount).toBe(1);
    expect((await post('committee', `/tasks/${taskId}/urge`)).status).toBe(404);
  });

  it('given more tasks in the inbox than a page holds, when paging through it, then every task comes once and the total counts them all', async () => {
    await atOfficeReview();
    await atOfficeReview();
    await atOfficeReview();
    const token = await t.token('office');
    const read = (query: Record<string, unknown>) =>
      t.http().get('/tasks').query(query).set('Authorization', `Bearer ${token}`);
    const first = await read({ pageSize: 2 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 2 });
    expect(first.body.items).toHaveLength(2);
    const total: number = first.body.total;
    expect(total).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    for (let page = 1; (page - 1) * 2 < total; page++) {
      const res = await read({ page, pageSize: 2 });
      expect(res.body.total).toBe(total);
      seen.push(...res.body.items.map((x: { id: string }) => x.id));
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect((await inboxOf(t, 'office')).map((x) => x.id).sort()).toEqual([...seen].sort());
    const past = await read({ page: Math.ceil(total / 2) + 1, pageSize: 2 });
    expect(past.body).toEqual({ items: [], total, page: Math.ceil(total / 2) + 1, pageSize: 2 });
    const tooLarge = await read({ pageSize: 201 });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'pageSize' })]),
    );
  });

  it('given 挂起 and 恢复, then nothing can be done meanwhile and the time limit is extended by the pause', async () => {
    const { id, taskId } = await atOfficeReview();
    const dueBefore = new Date(
      (await t.dataSource.query('SELECT due_at FROM workflow_task WHERE id = $1', [taskId]))[0].due_at,
    ).getTime();
    expect((await post('dept-staff', `/workflow-instances/${id}/suspend`)).status).toBe(403);
    expect(
      (await post('office', `/workflow-instances/${id}/suspend`, { comment: '等待上级意见' })).body.status,
    ).toBe('suspended');
    const blocked = await post('office', `/tasks/${taskId}/complete`, { decision: 'approve' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('INSTANCE_NOT_ACTIVE');
    const pending = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM workflow_timer WHERE task_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL`,
      [taskId],
    );
    expect(pending[0].n).toBe(0);
    t.app.get(Clock).advance(3 * 3600_000); // three hours suspended
    expect((await post('office', `/workflow-instances/${id}/resume`)).body.status).toBe('active');
    const dueAfter = new Date(
      (await t.dataSource.query('SELECT due_at FROM workflow_task WHERE id = $1', [taskId]))[0].due_at,
    ).getTime();
    expect(dueAfter - dueBefore).toBeGreaterThanOrEqual(3 * 3600_000);
    const again = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM workflow_timer WHERE task_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL`,
      [taskId],
    );
    expect(again[0].n).toBe(1);
    expect((await post('office', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(200);
  });

  it('given a suspended case, then its tasks can be neither claimed, given back, handed over nor signed, the hand-over candidates are refused, and the task page offers none of it; after 恢复 they can', async () => {
    const get = async (u: string, path: string) =>
      t
        .http()
        .get(path)
        .set(await auth(u));
    const notActive = (res: { status: number; body: { error?: { code: string } } }) => [
      res.status,
      res.body.error?.code,
    ];
    // A case whose task nobody holds, and one the office holds and has asked office-2 to sign (加签).
    const unclaimed = await atOfficeReview();
    const { id, taskId } = await atOfficeReview();
    expect((await post('office', `/tasks/${taskId}/claim`)).status).toBe(200);
    const added = await post('office', `/tasks/${taskId}/signers`, { userIds: [user['office-2']] });
    expect(added.status).toBe(201);
    const signerTask: string = added.body[0].id;
    for (const c of [unclaimed.id, id])
      expect((await post('office', `/workflow-instances/${c}/suspend`)).body.status).toBe('suspended');
    const before = await t.dataSource.query(
      `SELECT id, assignee_id, status, version FROM workflow_task WHERE instance_id = ANY($1::uuid[]) ORDER BY id`,
      [[unclaimed.id, id]],
    );
    const until = new Date(t.app.get(Clock).nowMs() + 86400_000).toISOString();
    const refused = [
      await post('office', `/tasks/${unclaimed.taskId}/claim`),
      await post('office', `/tasks/${taskId}/unclaim`),
      await post('office', `/tasks/${taskId}/reassign`, { toUserId: user['office-2'] }),
      await post('office', `/tasks/${taskId}/delegate`, { toUserId: user['office-2'], until }),
      await post('office', `/tasks/${taskId}/signers`, { userIds: [user['office-2']] }),
      await post('office-2', `/tasks/${signerTask}/complete`, { decision: 'approve' }),
      await get('office', `/tasks/${taskId}/hand-over-candidates?for=reassign`),
      await get('office', `/tasks/${taskId}/hand-over-candidates?for=delegate`),
      await get('office', `/tasks/${taskId}/hand-over-candidates?for=signers`),
    ];
    const completion = await post('office', `/tasks/${unclaimed.taskId}/complete`, {
      decision: 'approve',
    });
    for (const res of refused) {
      expect(notActive(res)).toEqual([409, 'INSTANCE_NOT_ACTIVE']);
      // The same answer as a completion's.
      expect(res.body.error.message).toBe(completion.body.error.message);
    }
    // Nothing changed: no task, no holder, no delegation timer while the case's time limits are paused.
    expect(
      await t.dataSource.query(
        `SELECT id, assignee_id, status, version FROM workflow_task WHERE instance_id = ANY($1::uuid[]) ORDER BY id`,
        [[unclaimed.id, id]],
      ),
    ).toEqual(before);
    expect(
      await t.dataSource.query(
        `SELECT id FROM workflow_timer WHERE task_id = $1 AND kind = 'delegation-end'`,
        [taskId],
      ),
    ).toEqual([]);
    // The task page offers none of it, by the same rule.
    const page = await get('office', `/tasks/${unclaimed.taskId}`);
    expect(page.body.suspended).toBe(true);
    expect(page.body.actions).toMatchObject({
      claim: false,
      decide: false,
      reassign: false,
      delegate: false,
      addSigners: false,
    });
    // 恢复: the same operations go through again.
    expect((await post('office', `/workflow-instances/${id}/resume`)).body.status).toBe('active');
    expect((await post('office-2', `/tasks/${signerTask}/complete`, { decision: 'approve' })).status).toBe(
      200,
    );
    expect(
      (await post('office', `/tasks/${taskId}/delegate`, { toUserId: user['office-2'], until })).status,
    ).toBe(200);
  });

  it('given 终止 by the office, then open tasks are cancelled and the case is over', async () => {
    const { id, taskId } = await atOfficeReview();
    expect(
      (await post('office', `/workflow-instances/${id}/terminate`, { comment: '申请单位撤回申请' })).body
        .status,
    ).toBe('terminated');
    expect(
      (await t.dataSource.query('SELECT status FROM workflow_task WHERE id = $1', [taskId]))[0].status,
    ).toBe('cancelled');
    expect((await post('office', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(409);
    const timers = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM workflow_timer WHERE instance_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL`,
      [id],
    );
    expect(timers[0].n).toBe(0);
  });

  it('given a failing service task, then an incident is opened, half-done work rolled back, and a retry finishes the case', async () => {
    await t.dataSource.query(`INSERT INTO system_setting (key, value) VALUES ('test-register-down', 'yes')`);
    const id = await startReviewCase(t);
    for (const [u, el] of [
      ['dept-head', 'deptApprove'],
      ['office', 'officeReview'],
      ['member-1', 'countersign'],
      ['member-2', 'countersign'],
      ['member-3', 'countersign'],
      ['leader', 'leaderSign'],
    ]) {
      expect((await act(t, u, id, el, { decision: 'approve' })).status).toBe(200);
    }
    expect(await instanceStatus(t, id)).toBe('active');
    expect(await t.dataSource.query(`SELECT key FROM system_setting WHERE key LIKE '%' || $1`, [id])).toEqual(
      [],
    );
    const incidents = await t
      .http()
      .get('/workflow-incidents')
      .set(await auth('office'));
    const incident = incidents.body.items.find((x: { instanceId: string }) => x.instanceId === id);
    expect(incident).toMatchObject({
      elementId: 'publish',
      topic: 'testPublish',
      message: 'the register is not reachable',
    });
    expect((await post('committee', `/workflow-incidents/${incident.id}/retry`)).status).toBe(403);
    expect((await post('office', `/workflow-incidents/${incident.id}/retry`)).body).toMatchObject({
      resolved: false,
    });
    await t.dataSource.query(`DELETE FROM system_setting WHERE key = 'test-register-down'`);
    expect((await post('office', `/workflow-incidents/${incident.id}/retry`)).body).toEqual({
      resolved: true,
    });
    expect(await instanceStatus(t, id)).toBe('completed');
    expect(
      (await t.dataSource.query(`SELECT value FROM system_setting WHERE key = $1`, [`published-${id}`]))[0]
        .value,
    ).toBe('yes');
  });

  it('given a step past its limit (限时办结), then it is flagged overdue, escalated to the office, and shown so on the diagram', async () => {
    const { id, taskId } = await atOfficeReview();
    const task = (
      await t.dataSource.query('SELECT due_at, limit_working_days FROM workflow_task WHERE id = $1', [taskId])
    )[0];
    expect(task.limit_working_days).toBe(5);
    await makeDue(id, 'task-limit');
    expect(
      (await t.dataSource.query('SELECT overdue_at FROM workflow_task WHERE id = $1', [taskId]))[0]
        .overdue_at,
    ).not.toBeNull();
    const inbox = await inboxOf(t, 'office');
    expect(inbox.find((x) => x.id === taskId)).toMatchObject({
      overdue: true,
      escalated: true,
    });
    const diagram = await t
      .http()
      .get(`/workflow-instances/${id}/diagram`)
      .set(await auth('office'));
    expect(diagram.status).toBe(200);
    expect(diagram.body.xml).toContain('<bpmn:process id="review"');
    expect(diagram.body.activities).toMatchObject({
      start: 'completed',
      deptApprove: 'completed',
      officeReview: 'overdue',
    });
  });

  it('given the case timeline, then the applicant reads it and an outsider gets 404', async () => {
    const { id } = await atOfficeReview();
    const res = await t
      .http()
      .get(`/workflow-instances/${id}/history`)
      .set(await auth('dept-staff'));
    expect(res.status).toBe(200);
    const done = res.body.items.find((h: { action: string }) => h.action === 'task.completed');
    expect(done).toMatchObject({ elementId: 'deptApprove', actorUsername: 'dept-head' });
    // As people know the actor: the name and unit (the login name is no one's name); the service itself, none.
    const [head] = await t.dataSource.query(
      `SELECT u.display_name || '（' || o.name || '）' AS name FROM app_user u JOIN org_unit o ON o.id = u.unit_id WHERE u.username = 'dept-head'`,
    );
    expect(done.actorName).toBe(head.name);
    const bySystem = res.body.items.find((h: { actorId: string | null }) => !h.actorId);
    if (bySystem) expect(bySystem.actorName).toBeNull();
    const task = await t
      .http()
      .get(`/tasks/${done.taskId}`)
      .set(await auth('dept-head'));
    expect(task.body.history.find((h: { action: string }) => h.action === 'task.completed').actorName).toBe(
      head.name,
    );
    expect(
      (
        await t
          .http()
          .get(`/workflow-instances/${id}`)
          .set(await auth('committee-d2'))
      ).status,
    ).toBe(404);
  });

  it('given a case of a process started by the admin endpoint, then permission is checked', async () => {
    const res = await t
      .http()
      .post('/workflow-instances')
      .set(await auth('office'))
      .send({ processId: 'review' });
    expect(res.status).toBe(403);
    const missing = await t
      .http()
      .post('/workflow-instances')
      .set(await auth('sysadmin'))
      .send({ processId: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('PROCESS_NOT_FOUND');
    void TEST_DEMO_PASSWORD;
  });
});
