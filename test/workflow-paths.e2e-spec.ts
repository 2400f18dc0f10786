import { startTestApp, type TestApp } from './helpers/app.js';
import { act, historyActions, instanceStatus, openTask, startReviewCase } from './helpers/cases.js';

describe('workflow runtime: every path of the test flow', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('given the deployed folder, then GET /workflows lists the process with its version', async () => {
    const res = await t
      .http()
      .get('/workflows')
      .set('Authorization', `Bearer ${await t.token('office')}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          processId: 'review',
          versions: [expect.objectContaining({ version: 1, fileName: 'review.bpmn' })],
        }),
        expect.objectContaining({
          processId: 'admission',
          versions: [expect.objectContaining({ version: 1, fileName: 'admission.bpmn' })],
        }),
      ]),
    );
  });

  it('given approvals all the way, then the case is approved, published in the same transaction, and fully recorded', async () => {
    const id = await startReviewCase(t);
    expect((await act(t, 'dept-head', id, 'deptApprove', { decision: 'approve' })).status).toBe(200);
    expect(
      (
        await act(t, 'office', id, 'officeReview', {
          decision: 'approve',
          form: { opinion: '材料齐全', score: 90 },
        })
      ).status,
    ).toBe(200);
    for (const m of ['member-1', 'member-2', 'member-3']) {
      const res = await act(t, m, id, 'countersign', { decision: 'approve' });
      expect(res.status).toBe(200);
    }
    const signed = await act(t, 'leader', id, 'leaderSign', { decision: 'approve', comment: '同意' });
    expect(signed.body).toEqual({ instanceId: id, status: 'completed', openTasks: [] });
    expect(await instanceStatus(t, id)).toBe('completed');
    expect(
      (await t.dataSource.query(`SELECT value FROM system_setting WHERE key = $1`, [`published-${id}`]))[0]
        .value,
    ).toBe('yes');
    const actions = await historyActions(t, id);
    expect(actions).toEqual([
      'instance.started',
      'task.created:deptApprove',
      'task.completed:deptApprove',
      'task.created:officeReview',
      'task.completed:officeReview',
      'task.created:countersign',
      'task.created:countersign',
      'task.created:countersign',
      'task.completed:countersign',
      'task.completed:countersign',
      'task.completed:countersign',
      'task.created:leaderSign',
      'timer.scheduled:signLapsed',
      'task.completed:leaderSign',
      'service.completed:publish',
      'instance.completed',
    ]);
    const timers = await t.dataSource.query(
      `SELECT kind, fired_at, cancelled_at FROM workflow_timer WHERE instance_id = $1 ORDER BY created_at`,
      [id],
    );
    expect(
      timers.every(
        (x: { fired_at: Date | null; cancelled_at: Date | null }) =>
          x.fired_at === null && x.cancelled_at !== null,
      ),
    ).toBe(true);
    const open = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM workflow_task WHERE instance_id = $1 AND status = 'open'`,
      [id],
    );
    expect(open[0].n).toBe(0);
  });

  it('given the office returns with deficiencies, then the applicant corrects and the same case goes on', async () => {
    const id = await startReviewCase(t);
    await act(t, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const returned = await act(
      t,
      'office',
      id,
      'officeReview',
      { deficiencies: ['缺少法律依据', '经费来源未填写'], comment: '请补正' },
      'return',
    );
    expect(returned.status).toBe(200);
    const history = await t
      .http()
      .get(`/workflow-instances/${id}/history`)
      .set('Authorization', `Bearer ${await t.token('office')}`);
    const ret = history.body.items.find((h: { action: string }) => h.action === 'task.returned');
    expect(ret.data.deficiencies).toEqual(['缺少法律依据', '经费来源未填写']);
    expect((await act(t, 'dept-staff', id, 'correct', { decision: 'resubmit' })).status).toBe(200);
    expect(
      (await act(t, 'office', id, 'officeReview', { decision: 'reject', comment: '超出法定范围' })).status,
    ).toBe(200);
    expect(await instanceStatus(t, id)).toBe('completed');
    expect(await historyActions(t, id)).toContain('task.created:correct');
  });

  it('given a return without deficiencies, then 400 DEFICIENCIES_REQUIRED', async () => {
    const id = await startReviewCase(t);
    await act(t, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const res = await act(t, 'office', id, 'officeReview', { decision: 'return' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('DEFICIENCIES_REQUIRED');
  });

  it.each([
    ['deptApprove', ['dept-head']],
    ['officeReview', ['dept-head', 'office']],
    ['countersign', ['dept-head', 'office', 'member-1']],
    ['leaderSign', ['dept-head', 'office', 'member-1', 'member-2', 'member-3', 'leader']],
  ])('given a rejection at %s, then the case ends rejected and no task stays open', async (element, _who) => {
    const id = await startReviewCase(t);
    const steps: [string, string][] = [
      ['dept-head', 'deptApprove'],
      ['office', 'officeReview'],
      ['member-1', 'countersign'],
      ['member-2', 'countersign'],
      ['member-3', 'countersign'],
      ['leader', 'leaderSign'],
    ];
    for (const [user, el] of steps) {
      const reject = el === element;
      expect((await act(t, user, id, el, { decision: reject ? 'reject' : 'approve' })).status).toBe(200);
      if (reject) break;
    }
    expect(await instanceStatus(t, id)).toBe('completed');
    const ends = await t.dataSource.query(
      `SELECT 1 FROM workflow_history WHERE instance_id = $1 AND action = 'element.completed' AND element_id = 'rejected'`,
      [id],
    );
    expect(ends).toHaveLength(1);
    const open = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM workflow_task WHERE instance_id = $1 AND status = 'open'`,
      [id],
    );
    expect(open[0].n).toBe(0);
  });

  it('given form data that does not fit the form, then 400 naming the field and nothing moves', async () => {
    const id = await startReviewCase(t);
    await act(t, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    const res = await act(t, 'office', id, 'officeReview', {
      decision: 'approve',
      form: { score: 'high', colour: 'red' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'form.colour',
      'form.score',
    ]);
    const bad = await act(t, 'office', id, 'officeReview', { decision: 'maybe' });
    expect(bad.body.error).toMatchObject({
      code: 'DECISION_NOT_ALLOWED',
      details: { allowed: ['approve', 'return', 'reject'] },
    });
    expect(await openTask(t, 'office', id, 'officeReview')).toBeTruthy();
  });
});
