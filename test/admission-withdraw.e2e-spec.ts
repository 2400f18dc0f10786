import { randomUUID } from 'node:crypto';
import { APPROVALS, makeApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, historyActions, inboxOf, instanceStatus } from './helpers/cases.js';
import { holdRow, lockWaiters, waitFor } from './helpers/timers.js';

/**
 * Issue 12, the department's form: a department withdraws (撤回) its own application until a decision — under
 * review (its case ends at once) or returned for correction (the flow's own path) — with a reason, audited; and
 * removes an attachment from a draft or a returned application. Another department's answers as a missing one.
 */
describe('withdrawing an application and removing an attachment', () => {
  let t: TestApp;
  /** A second server process on the same database, for a race between two processes. */
  let other: TestApp | undefined;
  const unit: Record<string, string> = {};
  const C1 = '339901001001';
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const pdf = Buffer.from('%PDF-1.4\n% 撤回测试\n1 0 obj << >> endobj\n%%EOF\n');

  async function draft(title: string): Promise<string> {
    const res = await t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send(makeApplication([unit[C1]], { title }));
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  async function submitted(title: string): Promise<{ id: string; instanceId: string }> {
    const id = await draft(title);
    const res = await t
      .http()
      .post(`/applications/${id}/submit`)
      .set(await auth('dept-staff'))
      .send({});
    expect(res.status).toBe(200);
    return { id, instanceId: res.body.instanceId as string };
  }
  const ok = async (res: Promise<{ status: number; body: unknown }>) => {
    const r = await res;
    expect([r.status, r.body]).toEqual([200, expect.anything()]);
  };
  /** Submitted, approved by the department head, returned by the office's completeness review. */
  async function returned(title: string) {
    const a = await submitted(title);
    await ok(act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' }));
    await ok(
      act(t, 'office', a.instanceId, 'completeness', {
        decision: 'return',
        form: { deficiencies: [{ field: 'legalBasisArticle', problem: '请写明法律依据条款' }] },
        comment: '请补正后重新提交',
      }),
    );
    return a;
  }
  const withdraw = async (id: string, reason: unknown, user = 'dept-staff') =>
    t
      .http()
      .post(`/applications/${id}/withdraw`)
      .set(await auth(user))
      .send(reason === undefined ? {} : { reason });
  const application = async (id: string) =>
    (
      await t
        .http()
        .get(`/applications/${id}`)
        .set(await auth('dept-staff'))
    ).body;
  const auditOf = async (action: string, entityId: string) =>
    (
      await t.dataSource.query(
        `SELECT data, actor_username FROM audit_record WHERE action = $1 AND entity_id = $2 ORDER BY seq`,
        [action, entityId],
      )
    ).map((r: { data: unknown; actor_username: string }) => ({ by: r.actor_username, data: r.data }));
  const openTasks = async (instanceId: string) =>
    (
      await t.dataSource.query(
        `SELECT element_id FROM workflow_task WHERE instance_id = $1 AND status = 'open' ORDER BY element_id`,
        [instanceId],
      )
    ).map((r: { element_id: string }) => r.element_id);
  const pendingTimers = async (instanceId: string) =>
    Number(
      (
        await t.dataSource.query(
          `SELECT count(*) AS n FROM workflow_timer WHERE instance_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL`,
          [instanceId],
        )
      )[0].n,
    );
  async function upload(id: string, fileName: string) {
    const res = await t
      .http()
      .post(`/applications/${id}/attachments`)
      .set(await auth('dept-staff'))
      .send({ fileName, contentType: 'application/pdf', contentBase64: pdf.toString('base64') });
    expect(res.status).toBe(201);
    return res.body as { id: string; sha256: string };
  }
  const remove = async (id: string, attachmentId: string, user = 'dept-staff') =>
    t
      .http()
      .delete(`/applications/${id}/attachments/${attachmentId}`)
      .set(await auth(user));
  const attachmentNames = async (id: string) =>
    (
      await t
        .http()
        .get(`/applications/${id}/attachments`)
        .set(await auth('dept-staff'))
    ).body.items.map((a: { fileName: string }) => a.fileName);

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    // Passport keeps one strategy per process, bound to the last app started: apps stop in reverse order.
    await other?.stop();
    await t.close();
  });

  describe('撤回申请', () => {
    it('given an application at the office’s review, when its department withdraws it, then it ends as withdrawn with the reason, its case ends and nobody has it in their inbox', async () => {
      const a = await submitted('撤回：审核中');
      await ok(act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' }));
      expect(await openTasks(a.instanceId)).toEqual(['completeness']);
      expect(await pendingTimers(a.instanceId)).toBeGreaterThan(0);

      const res = await withdraw(a.id, '  上级已统一部署同类工作，不再单独申请  ');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'withdrawn',
        withdrawalReason: '上级已统一部署同类工作，不再单独申请',
        withdrawnAt: expect.any(String),
      });
      expect(await application(a.id)).toMatchObject({ status: 'withdrawn' });
      expect(await instanceStatus(t, a.instanceId)).toBe('terminated');
      expect(await openTasks(a.instanceId)).toEqual([]);
      expect(await pendingTimers(a.instanceId)).toBe(0);
      expect((await inboxOf(t, 'office')).filter((x) => x.instanceId === a.instanceId)).toEqual([]);
      expect(await historyActions(t, a.instanceId)).toContain('application.withdrawn');
      expect(await auditOf('application.withdrawn', a.id)).toEqual([
        {
          by: 'dept-staff',
          data: {
            instanceId: a.instanceId,
            previousStatus: 'in_review',
            reason: '上级已统一部署同类工作，不再单独申请',
          },
        },
      ]);
      // Nothing of it reaches the public register.
      const register = await t.http().get('/admitted-items').query({ pageSize: 200 });
      expect(register.status).toBe(200);
      expect(JSON.stringify(register.body)).not.toContain('撤回：审核中');
      // Withdrawn is final: not again, not edited, not submitted.
      const again = await withdraw(a.id, '再撤一次');
      expect([again.status, again.body.error.code]).toEqual([409, 'APPLICATION_NOT_WITHDRAWABLE']);
      const submit = await t
        .http()
        .post(`/applications/${a.id}/submit`)
        .set(await auth('dept-staff'))
        .send({});
      expect([submit.status, submit.body.error.code]).toEqual([409, 'APPLICATION_NOT_SUBMITTABLE']);
    });

    it('given an application still with the department head, then it can be withdrawn too (no decision yet)', async () => {
      const a = await submitted('撤回：部门负责人审核中');
      const res = await withdraw(a.id, '填报有误，撤回重填');
      expect([res.status, res.body.status]).toEqual([200, 'withdrawn']);
      expect((await inboxOf(t, 'dept-head')).filter((x) => x.instanceId === a.instanceId)).toEqual([]);
    });

    it('given a returned application, when its department withdraws it, then the flow ends at 申请撤回, the return’s comment stays and the reason is kept apart', async () => {
      const a = await returned('撤回：退回补正');
      expect(await openTasks(a.instanceId)).toEqual(['correct']);
      const res = await withdraw(a.id, '不再申请');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'withdrawn',
        withdrawalReason: '不再申请',
        decisionReason: '请补正后重新提交',
        withdrawnAt: expect.any(String),
      });
      expect(await instanceStatus(t, a.instanceId)).toBe('completed');
      expect(await historyActions(t, a.instanceId)).toEqual(
        expect.arrayContaining(['task.completed:correct', 'instance.completed']),
      );
      const ended: { element_id: string }[] = await t.dataSource.query(
        `SELECT element_id FROM workflow_history WHERE instance_id = $1 AND action = 'element.completed' AND element_id IN ('markWithdrawn', 'withdrawnEnd')`,
        [a.instanceId],
      );
      expect(ended.map((e) => e.element_id).sort()).toEqual(['markWithdrawn', 'withdrawnEnd']);
      expect(await openTasks(a.instanceId)).toEqual([]);
      expect(await auditOf('application.withdrawn', a.id)).toEqual([
        {
          by: 'dept-staff',
          data: { instanceId: a.instanceId, previousStatus: 'returned', reason: '不再申请' },
        },
      ]);
    });

    it('given another department’s application, then withdrawing it answers exactly as a missing one, and nothing changes', async () => {
      const a = await submitted('撤回：他部门');
      const foreign = await withdraw(a.id, '不是我的', 'dept2-staff');
      const missing = await withdraw(randomUUID(), '不存在', 'dept2-staff');
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'APPLICATION_NOT_FOUND']);
      expect([missing.status, missing.body.error.code]).toEqual([404, 'APPLICATION_NOT_FOUND']);
      expect(foreign.body.error.message).toBe(missing.body.error.message);
      const bad = await withdraw('not-a-uuid', '编号有误');
      expect([bad.status, bad.body.error.code]).toEqual([404, 'APPLICATION_NOT_FOUND']);
      // The office reviews it but may not withdraw it for the department.
      const office = await withdraw(a.id, '办公室代撤', 'office');
      expect([office.status, office.body.error.code]).toEqual([403, 'FORBIDDEN']);
      expect((await application(a.id)).status).toBe('in_review');
      expect(await instanceStatus(t, a.instanceId)).toBe('active');
      expect(await auditOf('application.withdrawn', a.id)).toEqual([]);
    });

    it('given a draft, a signed or a rejected application, then it cannot be withdrawn (409), and a reason is required', async () => {
      const d = await draft('撤回：草稿');
      const fromDraft = await withdraw(d, '草稿');
      expect([fromDraft.status, fromDraft.body.error.code, fromDraft.body.error.details]).toEqual([
        409,
        'APPLICATION_NOT_WITHDRAWABLE',
        { status: 'draft' },
      ]);
      expect(fromDraft.body.error.message).toMatch(/^该申请当前不能撤回/);

      const signed = await submitted('撤回：已签批');
      for (const [user, element] of APPROVALS)
        await ok(act(t, user, signed.instanceId, element, { decision: 'approve' }));
      // Signed: admitted (or waiting for its funding) — decided.
      expect(['awaiting_funding', 'admitted']).toContain((await application(signed.id)).status);
      const fromSigned = await withdraw(signed.id, '签批后不想做了');
      expect([fromSigned.status, fromSigned.body.error.code]).toEqual([409, 'APPLICATION_NOT_WITHDRAWABLE']);
      expect(await instanceStatus(t, signed.instanceId)).toBe('active');

      const rejected = await submitted('撤回：不予准入');
      await ok(
        act(t, 'dept-head', rejected.instanceId, 'deptApprove', { decision: 'reject', comment: '不必' }),
      );
      const fromRejected = await withdraw(rejected.id, '已被否决');
      expect([fromRejected.status, fromRejected.body.error.code]).toEqual([
        409,
        'APPLICATION_NOT_WITHDRAWABLE',
      ]);

      const a = await submitted('撤回：无理由');
      for (const reason of [undefined, '', '   ', 'x'.repeat(2001), 42]) {
        const res = await withdraw(a.id, reason);
        expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
        expect(res.body.error.details.map((p: { field: string }) => p.field)).toEqual(['reason']);
      }
      expect((await application(a.id)).status).toBe('in_review');
    });

    it('given the leader has signed but registering the item failed (an incident), when the register is back and the department withdraws, then it is refused: the signature stands, nothing is published for a withdrawn application, and the office’s retry admits it', async () => {
      const TITLE = '撤回：签批后登记失败';
      const signed = await submitted(TITLE);
      // The register refuses this item (a real failure inside the step's transaction) until the trigger goes.
      await t.dataSource
        .query(`CREATE OR REPLACE FUNCTION test_register_down() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the register is not reachable (test)'; END $$`);
      await t.dataSource.query(`CREATE TRIGGER test_register_down BEFORE INSERT ON admitted_item FOR EACH ROW
        WHEN (NEW.title = '${TITLE}') EXECUTE FUNCTION test_register_down()`);
      for (const [user, element] of APPROVALS)
        await ok(act(t, user, signed.instanceId, element, { decision: 'approve' }));
      const incidents = async () =>
        Number(
          (
            await t.dataSource.query(
              `SELECT count(*)::int AS n FROM workflow_incident WHERE instance_id = $1 AND resolved_at IS NULL`,
              [signed.instanceId],
            )
          )[0].n,
        );
      expect(await incidents()).toBe(1);
      expect((await application(signed.id)).status).toBe('in_review');
      await t.dataSource.query(`DROP TRIGGER test_register_down ON admitted_item`);

      const res = await withdraw(signed.id, '签批后不想做了');
      expect([res.status, res.body.error?.code, res.body.error?.details]).toEqual([
        409,
        'APPLICATION_DECISION_PENDING',
        { steps: ['admit'] },
      ]);
      expect(res.body.error.message).toMatch(/^上一环节已办结，系统正在登记办理结果/);
      expect((await application(signed.id)).status).toBe('in_review');
      expect(await instanceStatus(t, signed.instanceId)).toBe('active');
      const items = async () =>
        (await t.dataSource.query(`SELECT id FROM admitted_item WHERE application_id = $1`, [signed.id]))
          .length;
      expect(await items()).toBe(0);
      expect(await auditOf('application.withdrawn', signed.id)).toEqual([]);

      // The office retries: the signed item is registered and waits for its funding.
      const list = await t
        .http()
        .get('/workflow-incidents')
        .set(await auth('office'));
      const incident = list.body.items.find(
        (x: { instanceId: string }) => x.instanceId === signed.instanceId,
      );
      const retry = await t
        .http()
        .post(`/workflow-incidents/${incident.id}/retry`)
        .set(await auth('office'));
      expect([retry.status, retry.body.resolved]).toEqual([200, true]);
      expect(['awaiting_funding', 'admitted']).toContain((await application(signed.id)).status);
      expect(await items()).toBe(1);
    });

    it('given a resubmission whose recording failed (an incident), when the department withdraws, then it is told the result is pending (409), not that a returned application cannot be withdrawn', async () => {
      const TITLE = '撤回：重新提交登记失败';
      const a = await returned(TITLE);
      await t.dataSource
        .query(`CREATE OR REPLACE FUNCTION test_resubmission_down() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'recording the resubmission fails (test)'; END $$`);
      await t.dataSource.query(`CREATE TRIGGER test_resubmission_down BEFORE UPDATE ON admission_application
        FOR EACH ROW WHEN (OLD.status = 'returned' AND NEW.status = 'in_review' AND NEW.title = '${TITLE}')
        EXECUTE FUNCTION test_resubmission_down()`);
      try {
        const resubmit = await t
          .http()
          .post(`/applications/${a.id}/submit`)
          .set(await auth('dept-staff'))
          .send({});
        expect([resubmit.status, resubmit.body.status]).toEqual([200, 'returned']);
        expect(await openTasks(a.instanceId)).toEqual([]);
        const res = await withdraw(a.id, '不再申请');
        expect([res.status, res.body.error?.code, res.body.error?.details]).toEqual([
          409,
          'APPLICATION_DECISION_PENDING',
          { steps: ['markResubmitted'] },
        ]);
        expect((await application(a.id)).status).toBe('returned');
        expect(await instanceStatus(t, a.instanceId)).toBe('active');
      } finally {
        await t.dataSource.query(`DROP TRIGGER test_resubmission_down ON admission_application`);
      }
    });

    it('given a case the office has suspended, then the department cannot withdraw it until it resumes (409 INSTANCE_NOT_ACTIVE)', async () => {
      const a = await submitted('撤回：挂起中');
      await ok(act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' }));
      const suspend = await t
        .http()
        .post(`/workflow-instances/${a.instanceId}/suspend`)
        .set(await auth('office'))
        .send({ comment: '核实情况' });
      expect(suspend.status).toBe(200);
      const res = await withdraw(a.id, '不再申请');
      expect([res.status, res.body.error.code]).toEqual([409, 'INSTANCE_NOT_ACTIVE']);
      expect((await application(a.id)).status).toBe('in_review');
      const resume = await t
        .http()
        .post(`/workflow-instances/${a.instanceId}/resume`)
        .set(await auth('office'))
        .send({});
      expect(resume.status).toBe(200);
      expect((await withdraw(a.id, '不再申请')).status).toBe(200);
    });

    it('given the office’s return committing while the department’s withdrawal (in another server process) waits for the application, then the withdrawal is done at the correction step instead of refused', async () => {
      const a = await submitted('撤回：退回时撤回');
      await ok(act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' }));
      // A second server process on the same database (stopped after the file: see `other`).
      other = await startTestApp({}, { databaseUrl: t.databaseUrl });
      const staff = { Authorization: `Bearer ${await other.token('dept-staff')}` };
      // A barrier on the application's row: the return's step queues behind it first, then the withdrawal's.
      const hold = await holdRow(t, 'admission_application', a.id);
      const returning = act(t, 'office', a.instanceId, 'completeness', {
        decision: 'return',
        form: { deficiencies: [{ problem: '缺少附件' }] },
      }).then((r) => r);
      await lockWaiters(t, 1, 'SELECT');
      const withdrawing = other
        .http()
        .post(`/applications/${a.id}/withdraw`)
        .set(staff)
        .send({ reason: '不再申请' })
        .then((r) => r);
      await lockWaiters(t, 2, 'SELECT');
      await hold.release();
      const [r, w] = await Promise.all([returning, withdrawing]);
      expect(r.status).toBe(200);
      expect([w.status, w.body.status, w.body.error]).toEqual([200, 'withdrawn', undefined]);
      expect(await application(a.id)).toMatchObject({
        status: 'withdrawn',
        withdrawalReason: '不再申请',
      });
      expect(await instanceStatus(t, a.instanceId)).toBe('completed');
      expect(await openTasks(a.instanceId)).toEqual([]);
      expect(await auditOf('application.withdrawn', a.id)).toEqual([
        {
          by: 'dept-staff',
          data: { instanceId: a.instanceId, previousStatus: 'returned', reason: '不再申请' },
        },
      ]);
    });

    it('given the office returning it at the same moment as the department withdraws it, then the withdrawal is done either way and the case agrees with the application', async () => {
      const a = await submitted('撤回：同时退回');
      await ok(act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' }));
      const [w, r] = await Promise.all([
        withdraw(a.id, '不再申请'),
        act(t, 'office', a.instanceId, 'completeness', {
          decision: 'return',
          form: { deficiencies: [{ problem: '缺少附件' }] },
        }),
      ]);
      // Returned first, it is withdrawn at its correction step; withdrawn first, the return finds no task.
      expect([w.status, (await application(a.id)).status]).toEqual([200, 'withdrawn']);
      expect(r.status === 200 || (r.status >= 400 && r.status < 500)).toBe(true);
      expect(await openTasks(a.instanceId)).toEqual([]);
      expect(['completed', 'terminated']).toContain(await instanceStatus(t, a.instanceId));
    });
  });

  describe('删除附件', () => {
    it('given a draft with two files, when one is removed, then only the other is listed, the removed one is gone, and the audit keeps what it was', async () => {
      const id = await draft('附件：草稿');
      const keep = await upload(id, '保留.pdf');
      const gone = await upload(id, '删除.pdf');
      const res = await remove(id, gone.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: gone.id, fileName: '删除.pdf', sha256: gone.sha256 });
      expect(res.body.content).toBeUndefined();
      expect(await attachmentNames(id)).toEqual(['保留.pdf']);
      const download = await t
        .http()
        .get(`/applications/${id}/attachments/${gone.id}`)
        .set(await auth('dept-staff'));
      expect([download.status, download.body.error.code]).toEqual([404, 'ATTACHMENT_NOT_FOUND']);
      const twice = await remove(id, gone.id);
      expect([twice.status, twice.body.error.code]).toEqual([404, 'ATTACHMENT_NOT_FOUND']);
      expect(await auditOf('application.attachment-removed', id)).toEqual([
        {
          by: 'dept-staff',
          data: {
            attachmentId: gone.id,
            fileName: '删除.pdf',
            contentType: 'application/pdf',
            sizeBytes: pdf.length,
            sha256: gone.sha256,
          },
        },
      ]);
      // An attachment of another application is not found under this one.
      const other = await draft('附件：另一份草稿');
      const wrong = await remove(other, keep.id);
      expect([wrong.status, wrong.body.error.code]).toEqual([404, 'ATTACHMENT_NOT_FOUND']);
      expect(await attachmentNames(id)).toEqual(['保留.pdf']);
    });

    it('given a returned application, then a file can be removed while correcting it', async () => {
      const id = await draft('附件：退回补正');
      const file = await upload(id, '旧依据.pdf');
      const s = await t
        .http()
        .post(`/applications/${id}/submit`)
        .set(await auth('dept-staff'))
        .send({});
      expect(s.status).toBe(200);
      await ok(act(t, 'dept-head', s.body.instanceId, 'deptApprove', { decision: 'approve' }));
      await ok(
        act(t, 'office', s.body.instanceId, 'completeness', {
          decision: 'return',
          form: { deficiencies: [{ field: 'attachments', problem: '附件不是现行文件' }] },
        }),
      );
      expect((await remove(id, file.id)).status).toBe(200);
      expect(await attachmentNames(id)).toEqual([]);
    });

    it('given an application under review, then its files cannot be removed (409 APPLICATION_NOT_EDITABLE)', async () => {
      const id = await draft('附件：审核中');
      const file = await upload(id, '依据.pdf');
      const s = await t
        .http()
        .post(`/applications/${id}/submit`)
        .set(await auth('dept-staff'))
        .send({});
      expect(s.status).toBe(200);
      const res = await remove(id, file.id);
      expect([res.status, res.body.error.code, res.body.error.details]).toEqual([
        409,
        'APPLICATION_NOT_EDITABLE',
        { status: 'in_review' },
      ]);
      expect(await attachmentNames(id)).toEqual(['依据.pdf']);
      expect(await auditOf('application.attachment-removed', id)).toEqual([]);
    });

    it('given an upload under way, when the application is submitted at that moment, then the upload lands before the submission or not at all: no file joins an application after it was submitted', async () => {
      const id = await draft('附件：上传同时提交');
      // A barrier on new files: the upload has read the application and waits to write its file.
      const qr = t.dataSource.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      await qr.query('LOCK TABLE application_attachment IN SHARE MODE');
      const uploading = t
        .http()
        .post(`/applications/${id}/attachments`)
        .set(await auth('dept-staff'))
        .send({
          fileName: '同时上传.pdf',
          contentType: 'application/pdf',
          contentBase64: pdf.toString('base64'),
        })
        .then((r) => r);
      await lockWaiters(t, 1, 'INSERT');
      // The submission now: it either finishes while the upload waits, or queues behind the upload's hold.
      let submitted: { status: number } | null = null;
      const submitting = t
        .http()
        .post(`/applications/${id}/submit`)
        .set(await auth('dept-staff'))
        .send({})
        .then((r) => (submitted = r));
      await waitFor('the submission to finish or to wait for the upload', async () => {
        if (submitted) return true;
        const rows = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0].n >= 2;
      });
      await qr.rollbackTransaction();
      await qr.release();
      const [u, s] = await Promise.all([uploading, submitting]);
      expect(s.status).toBe(200);
      const order: { action: string }[] = await t.dataSource.query(
        `SELECT action FROM audit_record WHERE entity_id = $1 AND action IN ('application.attached', 'application.submitted') ORDER BY seq`,
        [id],
      );
      if (u.status === 201) {
        expect(order.map((r) => r.action)).toEqual(['application.attached', 'application.submitted']);
      } else {
        expect([u.status, u.body.error?.code]).toEqual([409, 'APPLICATION_NOT_EDITABLE']);
        expect(await attachmentNames(id)).toEqual([]);
      }
    });

    it('given another department’s draft, then removing its file answers as a missing application, and the file stays', async () => {
      const id = await draft('附件：他部门');
      const file = await upload(id, '依据.pdf');
      const foreign = await remove(id, file.id, 'dept2-staff');
      const missing = await remove(randomUUID(), file.id, 'dept2-staff');
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'APPLICATION_NOT_FOUND']);
      expect(foreign.body.error.message).toBe(missing.body.error.message);
      const office = await remove(id, file.id, 'office');
      expect([office.status, office.body.error.code]).toEqual([403, 'FORBIDDEN']);
      const badId = await remove(id, 'not-a-uuid');
      expect([badId.status, badId.body.error.code]).toEqual([404, 'ATTACHMENT_NOT_FOUND']);
      expect(await attachmentNames(id)).toEqual(['依据.pdf']);
    });
  });
});
