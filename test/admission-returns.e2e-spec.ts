import { addDays } from '../src/common/china-time.js';
import { Clock } from '../src/common/clock.js';
import { makeApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, inboxOf } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import { holdRow, lockWaiters } from './helpers/timers.js';

/**
 * Issue 11 items 2–4 and 14: every review can send the application back with every deficiency at once (一次告知,
 * seed 001); dates that make sense at submission; a terminated case ends its application; a change racing a
 * resubmission never lands after the reviewers' snapshot.
 */
describe('admission returns at every review, dates at submission, termination, and the update race', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const body = (over: Record<string, unknown> = {}) =>
    makeApplication([unit['339901001001'], unit['339901001002']], {
      legalBasisDocument: '国卫基层发〔2025〕1号',
      legalBasisArticle: '第三条',
      ...over,
    });

  async function draft(over: Record<string, unknown> = {}) {
    const res = await t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send(body(over));
    expect(res.status).toBe(201);
    return res.body as { id: string; version: number };
  }
  const submit = async (id: string) =>
    t
      .http()
      .post(`/applications/${id}/submit`)
      .set(await auth('dept-staff'))
      .send({});
  async function submitted(over: Record<string, unknown> = {}) {
    const d = await draft(over);
    const res = await submit(d.id);
    expect(res.status).toBe(200);
    return res.body as { id: string; instanceId: string };
  }
  const application = async (id: string, user = 'dept-staff') =>
    (
      await t
        .http()
        .get(`/applications/${id}`)
        .set(await auth(user))
    ).body;
  const ok = async (res: Promise<{ status: number; body: unknown }>) => {
    const r = await res;
    expect([r.status, r.body]).toEqual([200, expect.anything()]);
    return r;
  };
  /** Submits and approves up to (not including) `element`. */
  async function caseAt(element: 'scopeReview' | 'countersign' | 'leaderSign', over = {}) {
    const a = await submitted(over);
    await ok(act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' }));
    await ok(act(t, 'office', a.instanceId, 'completeness', { decision: 'approve' }));
    if (element === 'scopeReview') return a;
    await ok(act(t, 'office', a.instanceId, 'scopeReview', { decision: 'approve' }));
    if (element === 'countersign') return a;
    for (const m of ['member-1', 'member-2', 'member-3'])
      await ok(act(t, m, a.instanceId, 'countersign', { decision: 'approve' }));
    return a;
  }
  const openTasks = async (instanceId: string): Promise<{ element: string; dueAt: Date | null }[]> =>
    (
      await t.dataSource.query(
        `SELECT element_id, due_at FROM workflow_task WHERE instance_id = $1 AND status = 'open' AND kind = 'step' ORDER BY element_id`,
        [instanceId],
      )
    ).map((r: { element_id: string; due_at: Date | null }) => ({ element: r.element_id, dueAt: r.due_at }));

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given the office returns at its scope review listing every deficiency, then the department sees them, corrects within a time limit, resubmits, and the review starts again', async () => {
    const a = await caseAt('scopeReview');
    const deficiencies = [
      { field: 'legalBasisArticle', problem: '法律依据条款与事项内容不符，请核对' },
      { field: 'workloadHoursPerMonth', problem: '工作量估算偏低，请按入户随访实际测算' },
      { problem: '请补充卫健委派员培训的安排' },
    ];
    await ok(
      act(t, 'office', a.instanceId, 'scopeReview', {
        decision: 'return',
        form: { deficiencies },
        comment: '请一次补正以下问题',
      }),
    );
    const returned = await application(a.id);
    expect(returned).toMatchObject({
      status: 'returned',
      deficiencies,
      returnedStep: 'scopeReview',
      decisionReason: '请一次补正以下问题',
    });
    expect(returned.returnedAt).toEqual(expect.any(String));
    // The correction has a time limit too (10 working days).
    const [correct] = await openTasks(a.instanceId);
    expect(correct.element).toBe('correct');
    expect(correct.dueAt).not.toBeNull();
    const inbox = await inboxOf(t, 'dept-staff');
    expect(inbox.some((x) => x.instanceId === a.instanceId && x.elementId === 'correct')).toBe(true);

    const patched = await t
      .http()
      .patch(`/applications/${a.id}`)
      .set(await auth('dept-staff'))
      .send({ legalBasisArticle: '第四条', workloadHoursPerMonth: 8, version: returned.version });
    expect(patched.status).toBe(200);
    const resubmitted = await submit(a.id);
    expect(resubmitted.status).toBe(200);
    const after = await application(a.id);
    expect(after).toMatchObject({
      status: 'in_review',
      deficiencies: [],
      returnedStep: null,
      returnedAt: null,
    });
    expect(Object.keys(after.changesSinceSubmission).sort()).toEqual([
      'legalBasisArticle',
      'workloadHoursPerMonth',
    ]);
    // The same case goes on: the office reviews completeness, the checks run, and the scope review comes again.
    await ok(act(t, 'office', a.instanceId, 'completeness', { decision: 'approve' }));
    expect((await openTasks(a.instanceId)).map((x) => x.element)).toEqual(['scopeReview']);
    // What was asked stays in the case's history.
    const history = await t
      .http()
      .get(`/workflow-instances/${a.instanceId}/history`)
      .query({ pageSize: 200 })
      .set(await auth('office'));
    const ret = history.body.items.find(
      (h: { action: string; elementId: string }) =>
        h.action === 'task.returned' && h.elementId === 'scopeReview',
    );
    expect(ret.data.deficiencies).toEqual(deficiencies);
  });

  it('given one member returns at the countersign, then the countersign ends as returned (the others’ tasks close), and after the resubmission every member signs again', async () => {
    const a = await caseAt('countersign');
    await ok(act(t, 'member-1', a.instanceId, 'countersign', { decision: 'approve' }));
    await ok(
      act(
        t,
        'member-2',
        a.instanceId,
        'countersign',
        { deficiencies: ['未说明与民政部门已有随访工作的衔接'], comment: '会签退回' },
        'return',
      ),
    );
    expect((await openTasks(a.instanceId)).map((x) => x.element)).toEqual(['correct']);
    const returned = await application(a.id);
    expect(returned).toMatchObject({
      status: 'returned',
      returnedStep: 'countersign',
      deficiencies: [{ problem: '未说明与民政部门已有随访工作的衔接' }],
    });
    const tally = (
      await t.dataSource.query(
        `SELECT variables->'countersign'->'countersign' AS tally FROM workflow_instance WHERE id = $1`,
        [a.instanceId],
      )
    )[0].tally;
    expect(tally).toMatchObject({
      approve: 1,
      returns: 1,
      reject: 0,
      decided: true,
      approved: false,
      returned: true,
    });

    await ok(
      t
        .http()
        .patch(`/applications/${a.id}`)
        .set(await auth('dept-staff'))
        .send({ supportOffered: '与民政随访合并进行，一次入户', version: returned.version }),
    );
    await ok(submit(a.id));
    await ok(act(t, 'office', a.instanceId, 'completeness', { decision: 'approve' }));
    await ok(act(t, 'office', a.instanceId, 'scopeReview', { decision: 'approve' }));
    for (const m of ['member-1', 'member-2', 'member-3'])
      await ok(act(t, m, a.instanceId, 'countersign', { decision: 'approve' }));
    expect((await openTasks(a.instanceId)).map((x) => x.element)).toEqual(['leaderSign']);
  });

  it('given the leader returns at the signature, then it goes back to the department with the deficiencies; corrected and reviewed again, the leader signs and it is admitted', async () => {
    const a = await caseAt('leaderSign');
    await ok(
      act(t, 'leader', a.instanceId, 'leaderSign', {
        decision: 'return',
        form: { deficiencies: [{ field: 'fundingPerCommunityFen', problem: '经费标准偏低，请与财政核定' }] },
      }),
    );
    const returned = await application(a.id);
    expect(returned).toMatchObject({
      status: 'returned',
      returnedStep: 'leaderSign',
      deficiencies: [{ field: 'fundingPerCommunityFen', problem: '经费标准偏低，请与财政核定' }],
    });
    await ok(
      t
        .http()
        .patch(`/applications/${a.id}`)
        .set(await auth('dept-staff'))
        .send({ fundingPerCommunityFen: 500000, version: returned.version }),
    );
    await ok(submit(a.id));
    await ok(act(t, 'office', a.instanceId, 'completeness', { decision: 'approve' }));
    await ok(act(t, 'office', a.instanceId, 'scopeReview', { decision: 'approve' }));
    for (const m of ['member-1', 'member-2', 'member-3'])
      await ok(act(t, m, a.instanceId, 'countersign', { decision: 'approve' }));
    await ok(act(t, 'leader', a.instanceId, 'leaderSign', { decision: 'approve' }));
    expect((await application(a.id)).status).toBe('admitted');
  });

  it('given a return with no deficiency, a blank one or an unknown field, then 400 naming it and nothing moves; the department head cannot return', async () => {
    const a = await caseAt('scopeReview');
    const tries: [Record<string, unknown>, number, string, string?][] = [
      [{ decision: 'return' }, 400, 'DEFICIENCIES_REQUIRED'],
      [{ decision: 'return', form: { deficiencies: [] } }, 400, 'DEFICIENCIES_REQUIRED'],
      [
        { decision: 'return', form: { deficiencies: [{ problem: '  ' }] } },
        400,
        'VALIDATION_FAILED',
        'form.deficiencies.0.problem',
      ],
      [
        { decision: 'return', form: { deficiencies: [{ field: 'colour', problem: '颜色不对' }] } },
        400,
        'VALIDATION_FAILED',
        'form.deficiencies.0.field',
      ],
    ];
    for (const [req, status, code, field] of tries) {
      const res = await act(t, 'office', a.instanceId, 'scopeReview', req);
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
      if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
      expect(res.body.error.message).toMatch(/^[\u4e00-\u9fff]/);
    }
    expect((await openTasks(a.instanceId)).map((x) => x.element)).toEqual(['scopeReview']);
    expect((await application(a.id)).status).toBe('in_review');

    const b = await submitted();
    const head = await act(t, 'dept-head', b.instanceId, 'deptApprove', {
      decision: 'return',
      form: { deficiencies: [{ problem: 'x' }] },
    });
    expect([head.status, head.body.error?.code]).toEqual([400, 'DECISION_NOT_ALLOWED']);
  });

  it('given a start before today, an end before the start or a period over three years, then the submission answers 400 naming each field at once', async () => {
    const today = t.app.get(Clock).today();
    const past = await draft({ startDate: addDays(today, -1), endDate: addDays(today, 30) });
    const res = await submit(past.id);
    expect([res.status, res.body.error.code]).toEqual([400, 'APPLICATION_INCOMPLETE']);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['startDate']);
    expect(res.body.error.details[0].problems[0]).toMatch(/^开始日期不能早于今天/);

    const long = await draft({ startDate: '2027-06-01', endDate: '2030-06-01' });
    const tooLong = await submit(long.id);
    expect([tooLong.status, tooLong.body.error.code]).toEqual([400, 'APPLICATION_INCOMPLETE']);
    expect(tooLong.body.error.details).toEqual([
      {
        field: 'endDate',
        problems: [expect.stringMatching(/^实施期限最长 3 年，结束日期最晚为 2030-05-31/)],
      },
    ]);
    // Exactly three years is allowed.
    const three = await draft({ startDate: '2027-06-01', endDate: '2030-05-31' });
    expect((await submit(three.id)).status).toBe(200);

    // Both at once, with another missing field: every problem in one answer.
    const both = await draft({ startDate: addDays(today, -3), endDate: '2031-01-01', contactName: null });
    const all = await submit(both.id);
    expect(all.status).toBe(400);
    expect(all.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'contactName',
      'endDate',
      'startDate',
    ]);
    expect((await application(both.id)).status).toBe('draft');
  });

  it('given the office terminates a case under review, then the application is terminated with the reason, the department sees it, and may file a new one', async () => {
    const a = await submitted({ title: '终止测试：入户随访' });
    await ok(act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' }));
    const term = await t
      .http()
      .post(`/workflow-instances/${a.instanceId}/terminate`)
      .set(await auth('office'))
      .send({ comment: '上级已统一部署同类工作，本申请终止' });
    expect([term.status, term.body.status]).toEqual([200, 'terminated']);
    const ended = await application(a.id);
    expect(ended).toMatchObject({
      status: 'terminated',
      decisionReason: '上级已统一部署同类工作，本申请终止',
    });
    expect(ended.terminatedAt).toEqual(expect.any(String));
    const list = await t
      .http()
      .get('/applications')
      .query({ pageSize: 100 })
      .set(await auth('dept-staff'));
    expect(list.body.items.find((x: { id: string }) => x.id === a.id).status).toBe('terminated');
    const audit = await t.dataSource.query(
      `SELECT data FROM audit_record WHERE action = 'application.terminated' AND entity_id = $1`,
      [a.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].data).toMatchObject({
      reason: '上级已统一部署同类工作，本申请终止',
      previousStatus: 'in_review',
    });

    // The terminated one is over: neither changed nor submitted again.
    const patch = await t
      .http()
      .patch(`/applications/${a.id}`)
      .set(await auth('dept-staff'))
      .send({ title: '再改', version: ended.version });
    expect([patch.status, patch.body.error.code]).toEqual([409, 'APPLICATION_NOT_EDITABLE']);
    const again = await submit(a.id);
    expect([again.status, again.body.error.code]).toEqual([409, 'APPLICATION_NOT_SUBMITTABLE']);

    // A new application with the same content goes through: nothing of the terminated one blocks it.
    const fresh = await submitted({ title: '终止测试：入户随访' });
    expect(fresh.instanceId).not.toBe(a.instanceId);
    await ok(act(t, 'dept-head', fresh.instanceId, 'deptApprove', { decision: 'approve' }));
    await ok(act(t, 'office', fresh.instanceId, 'completeness', { decision: 'approve' }));
    expect((await openTasks(fresh.instanceId)).map((x) => x.element)).toEqual(['scopeReview']);
  });

  it('given a returned application being corrected, when the office terminates the case, then it is terminated and the correction task is gone', async () => {
    const a = await caseAt('scopeReview');
    await ok(act(t, 'office', a.instanceId, 'scopeReview', { deficiencies: ['材料不全'] }, 'return'));
    await ok(
      t
        .http()
        .post(`/workflow-instances/${a.instanceId}/terminate`)
        .set(await auth('office'))
        .send({ comment: '逾期未补正' }),
    );
    expect(await application(a.id)).toMatchObject({ status: 'terminated', decisionReason: '逾期未补正' });
    expect(await openTasks(a.instanceId)).toEqual([]);
  });

  describe('a change racing a resubmission (item 14)', () => {
    async function returnedApplication() {
      const a = await caseAt('scopeReview');
      await ok(act(t, 'office', a.instanceId, 'scopeReview', { deficiencies: ['请核对联系电话'] }, 'return'));
      return { ...a, version: (await application(a.id)).version as number };
    }
    const settle = <T>(p: PromiseLike<T>) => Promise.resolve(p);

    it('given a PATCH waiting on the row when the resubmission comes, then the resubmission takes the changed fields into the reviewers’ snapshot and moves the version on (never the PATCH’s version again)', async () => {
      const a = await returnedApplication();
      const barrier = await holdRow(t, 'admission_application', a.id);
      let patch: Promise<{ status: number; body: { version: number } }>;
      let resubmit: Promise<{ status: number; body: unknown }>;
      try {
        patch = settle(
          t
            .http()
            .patch(`/applications/${a.id}`)
            .set(await auth('dept-staff'))
            .send({ contactPhone: '0571-87654321', version: a.version }),
        );
        await lockWaiters(t, 1, 'UPDATE');
        resubmit = settle(submit(a.id));
        await lockWaiters(t, 2, '');
      } finally {
        await barrier.release();
      }
      const [p, r] = await Promise.all([patch!, resubmit!]);
      expect(p.status).toBe(200);
      expect(r.status).toBe(200);
      const after = await application(a.id);
      expect(after.status).toBe('in_review');
      expect(after.contactPhone).toBe('0571-87654321');
      // The reviewers' snapshot holds the change (what they review is what the row holds) …
      expect(after.changesSinceSubmission.contactPhone).toEqual({
        before: '0571-88888888',
        after: '0571-87654321',
      });
      // … and the flow's write gave a new version, not the one the PATCH answered.
      expect(after.version).toBeGreaterThan(p.body.version);
    });

    it('given the resubmission holding the row when a PATCH comes, then the PATCH answers 409 and changes nothing', async () => {
      const a = await returnedApplication();
      const barrier = await holdRow(t, 'admission_application', a.id);
      let patch: Promise<{ status: number; body: { error?: { code: string } } }>;
      let resubmit: Promise<{ status: number; body: unknown }>;
      try {
        resubmit = settle(submit(a.id));
        await lockWaiters(t, 1, '');
        patch = settle(
          t
            .http()
            .patch(`/applications/${a.id}`)
            .set(await auth('dept-staff'))
            .send({ contactPhone: '0571-87654321', version: a.version }),
        );
        await lockWaiters(t, 2, '');
      } finally {
        await barrier.release();
      }
      const [r, p] = await Promise.all([resubmit!, patch!]);
      expect(r.status).toBe(200);
      expect([p.status, p.body.error?.code]).toEqual([409, 'APPLICATION_NOT_EDITABLE']);
      const after = await application(a.id);
      expect(after.contactPhone).toBe('0571-88888888');
      expect(after.changesSinceSubmission).toEqual({});
    });
  });

  it('given a returned application whose start date has passed meanwhile, then the resubmission answers 400 naming startDate', async () => {
    const today = t.app.get(Clock).today();
    const a = await submitted({ startDate: addDays(today, 10), endDate: addDays(today, 200) });
    await ok(act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' }));
    await ok(act(t, 'office', a.instanceId, 'completeness', { deficiencies: ['附件缺失'] }, 'return'));
    moveClockTo(t, addDays(today, 11));
    const res = await submit(a.id);
    expect([res.status, res.body.error?.code]).toEqual([400, 'APPLICATION_INCOMPLETE']);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['startDate']);
    expect((await application(a.id)).status).toBe('returned');
  });
});
