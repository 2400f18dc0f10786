import pg from 'pg';
import { addDays } from '../src/common/china-time.js';
import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, historyActions, inboxOf } from './helpers/cases.js';
import { waitFor } from './helpers/timers.js';

describe('admission applications (准入审批表) and the admission flow up to the leader’s signature', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });

  const complete = () => ({
    kind: 'task',
    title: '老年人健康服务入户随访',
    content: '对辖区 65 岁以上老人每季度入户随访一次，登记健康状况。',
    legalBasisDocument: '国卫基层发〔2025〕1号',
    legalBasisArticle: '第三条',
    statutoryArea: 'public_health',
    targetScope: 'list',
    targetCommunityIds: [unit['339901001001'], unit['339901001002']],
    authorizedContent: '入户随访、登记健康信息',
    targetPopulation: '65 岁以上常住老人',
    powers: '信息登记，不含执法',
    startDate: '2027-06-01',
    endDate: '2027-12-31',
    workloadHoursPerMonth: 6.5,
    frequency: '每季度一次',
    fundingPerCommunityFen: 500000,
    fundingSource: '区财政专项',
    supportOffered: '卫健委派员培训，提供随访表',
    contactName: '张卫',
    contactPhone: '0571-88888888',
  });

  async function draft(body: Record<string, unknown> = complete(), user = 'dept-staff') {
    const res = await t
      .http()
      .post('/applications')
      .set(await auth(user))
      .send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; version: number };
  }
  async function submitted(body: Record<string, unknown> = complete()) {
    const d = await draft(body);
    const res = await t
      .http()
      .post(`/applications/${d.id}/submit`)
      .set(await auth('dept-staff'))
      .send({});
    expect(res.status).toBe(200);
    return res.body as { id: string; instanceId: string; status: string };
  }
  const app = async (id: string) =>
    (
      await t
        .http()
        .get(`/applications/${id}`)
        .set(await auth('dept-staff'))
    ).body;
  async function toScopeReview(body?: Record<string, unknown>) {
    const a = await submitted(body);
    expect((await act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(
      200,
    );
    expect((await act(t, 'office', a.instanceId, 'completeness', { decision: 'approve' })).status).toBe(200);
    return a;
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given an incomplete draft, then it is saved and only its own department sees it', async () => {
    const d = await draft({ title: '半成品' });
    expect((await app(d.id)).status).toBe('draft');
    for (const other of ['dept2-staff', 'office', 'committee']) {
      const res = await t
        .http()
        .get(`/applications/${d.id}`)
        .set(await auth(other));
      expect([other, res.status, res.body.error?.code]).toEqual([other, 404, 'APPLICATION_NOT_FOUND']);
    }
    const touch = await t
      .http()
      .patch(`/applications/${d.id}`)
      .set(await auth('dept2-staff'))
      .send({ title: '改', version: 1 });
    expect(touch.status).toBe(404);
    const list = await t
      .http()
      .get('/applications')
      .set(await auth('dept2-staff'));
    expect(list.body.items.map((a: { id: string }) => a.id)).not.toContain(d.id);
  });

  it('given another department’s draft held by a change in progress, when a department submits it, then 404 at once: a draft not its own is not locked', async () => {
    const d = await draft({ title: '他人草稿' });
    const token = await t.token('dept2-staff');
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    let waited = false;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM admission_application WHERE id = $1 FOR UPDATE', [d.id]);
      let settled = false;
      const foreign = t
        .http()
        .post(`/applications/${d.id}/submit`)
        .set({ Authorization: `Bearer ${token}` })
        .send({})
        .then((r) => r)
        .finally(() => {
          settled = true;
        });
      // Either the submission answers, or it waits on the draft's row (the fault).
      await waitFor('the foreign submission to answer or to wait on the draft', async () => {
        const rows = await holder.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        waited = rows.rows[0].n > 0;
        return waited || settled;
      });
      await holder.query('COMMIT');
      const res = await foreign;
      expect([res.status, res.body.error?.code]).toEqual([404, 'APPLICATION_NOT_FOUND']);
    } finally {
      await holder.end();
    }
    expect(waited).toBe(false);
    expect((await app(d.id)).status).toBe('draft');
  });

  it('given reversed dates, fractional or negative fen, an unknown area or communities of another district, then 400 naming each', async () => {
    const res = await t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send({
        startDate: '2027-06-01',
        endDate: '2027-01-01',
        statutoryArea: 'space_travel',
        targetCommunityIds: [unit['339902001001']],
      });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'endDate',
      'statutoryArea',
      'targetCommunityIds',
    ]);
    for (const fen of [12.5, -1]) {
      const bad = await t
        .http()
        .post('/applications')
        .set(await auth('dept-staff'))
        .send({ fundingPerCommunityFen: fen });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].field).toBe('fundingPerCommunityFen');
    }
  });

  it('given an incomplete application, when submitted, then every missing item is listed at once and nothing starts', async () => {
    const d = await draft({ title: '只写了标题', statutoryArea: 'other', fundingPerCommunityFen: 100 });
    const res = await t
      .http()
      .post(`/applications/${d.id}/submit`)
      .set(await auth('dept-staff'))
      .send({});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('APPLICATION_INCOMPLETE');
    const fields = res.body.error.details.map((x: { field: string }) => x.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'kind',
        'content',
        'targetScope',
        'startDate',
        'endDate',
        'contactName',
        'legalBasisDocument',
        'fundingSource',
      ]),
    );
    expect(fields).not.toContain('title');
    expect((await app(d.id)).status).toBe('draft');
  });

  it('given a complete application, when approved at every step, then it is admitted with the checks’ findings recorded', async () => {
    const a = await toScopeReview();
    const afterChecks = await t
      .http()
      .get(`/applications/${a.id}`)
      .set(await auth('office'));
    expect(afterChecks.status).toBe(200);
    expect(
      afterChecks.body.findings.map((f: { check: string; result: string }) => `${f.check}:${f.result}`),
    ).toEqual(['statutory-scope:pass', 'negative-list:pass', 'duplicates:pass', 'lead-time:pass']);
    await act(t, 'office', a.instanceId, 'scopeReview', { decision: 'approve' });
    for (const m of ['member-1', 'member-2', 'member-3'])
      await act(t, m, a.instanceId, 'countersign', { decision: 'approve' });
    // The signer named in person (not by unit and role) reads the whole case before signing: what the office and
    // the members said, and where it stands.
    for (const path of ['', '/history', '/diagram']) {
      const res = await t
        .http()
        .get(`/workflow-instances/${a.instanceId}${path}`)
        .set(await auth('leader'));
      expect([path, res.status]).toEqual([path, 200]);
    }
    // Another district's leader and a member unit of no part in it still see nothing.
    const stranger = await t
      .http()
      .get(`/workflow-instances/${a.instanceId}`)
      .set(await auth('committee-d2'));
    expect(stranger.status).toBe(404);
    await act(t, 'leader', a.instanceId, 'leaderSign', { decision: 'approve', comment: '同意' });
    expect((await app(a.id)).status).toBe('admitted');
  });

  it('given a return with deficiencies, then the department corrects and resubmits, the same case goes on, and the office sees what changed', async () => {
    const a = await submitted();
    await act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' });
    const back = await act(
      t,
      'office',
      a.instanceId,
      'completeness',
      { deficiencies: ['联系电话有误'], comment: '请核对联系电话' },
      'return',
    );
    expect(back.status).toBe(200);
    const returned = await app(a.id);
    expect(returned).toMatchObject({ status: 'returned', decisionReason: '请核对联系电话' });
    // An incomplete correction is refused and the case waits.
    const broken = await t
      .http()
      .patch(`/applications/${a.id}`)
      .set(await auth('dept-staff'))
      .send({ contactPhone: '', version: returned.version });
    expect(broken.status).toBe(200);
    const refused = await t
      .http()
      .post(`/applications/${a.id}/submit`)
      .set(await auth('dept-staff'))
      .send({});
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('APPLICATION_INCOMPLETE');
    const fixed = await t
      .http()
      .patch(`/applications/${a.id}`)
      .set(await auth('dept-staff'))
      .send({ contactPhone: '0571-87654321', version: broken.body.version });
    expect(fixed.status).toBe(200);
    const again = await t
      .http()
      .post(`/applications/${a.id}/submit`)
      .set(await auth('dept-staff'))
      .send({ comment: '已更正电话' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'in_review', instanceId: a.instanceId });
    expect(again.body.changesSinceSubmission).toEqual({
      contactPhone: { before: '0571-88888888', after: '0571-87654321' },
    });
    expect(await historyActions(t, a.instanceId)).toEqual(
      expect.arrayContaining([
        'task.returned:completeness',
        'task.completed:correct',
        'task.created:completeness',
      ]),
    );
    const edit = await t
      .http()
      .patch(`/applications/${a.id}`)
      .set(await auth('dept-staff'))
      .send({ title: 'x', version: again.body.version });
    expect(edit.body.error.code).toBe('APPLICATION_NOT_EDITABLE');
  });

  it('given work on the negative list, then the checks say so for the office', async () => {
    const a = await toScopeReview({ ...complete(), title: '社区招商引资任务分解', statutoryArea: 'other' });
    const findings = (await app(a.id)).findings;
    expect(findings.find((f: { check: string }) => f.check === 'negative-list')).toMatchObject({
      result: 'fail',
    });
    expect(findings.find((f: { check: string }) => f.check === 'statutory-scope')).toMatchObject({
      result: 'warn',
    });
  });

  it('given a start too soon (提前期), then the lead-time check fails', async () => {
    const soon = addDays(t.app.get(Clock).today(), 10);
    const a = await toScopeReview({ ...complete(), startDate: soon, endDate: '2027-12-31' });
    expect((await app(a.id)).findings.find((f: { check: string }) => f.check === 'lead-time')).toMatchObject({
      result: 'fail',
    });
  });

  it('given an approved item of the same kind and area over the same communities, then a new one is flagged as a duplicate', async () => {
    const first = await toScopeReview({ ...complete(), statutoryArea: 'elderly_rights' });
    await act(t, 'office', first.instanceId, 'scopeReview', { decision: 'approve' });
    for (const m of ['member-1', 'member-2', 'member-3'])
      await act(t, m, first.instanceId, 'countersign', { decision: 'approve' });
    await act(t, 'leader', first.instanceId, 'leaderSign', { decision: 'approve' });
    const second = await toScopeReview({
      ...complete(),
      statutoryArea: 'elderly_rights',
      title: '高龄老人走访',
    });
    const dup = (await app(second.id)).findings.find((f: { check: string }) => f.check === 'duplicates');
    expect(dup).toMatchObject({ result: 'warn' });
    expect(dup.details.map((d: { id: string }) => d.id)).toContain(first.id);
  });

  it.each([
    ['deptApprove', [['dept-head', 'deptApprove']]],
    [
      'completeness',
      [
        ['dept-head', 'deptApprove'],
        ['office', 'completeness'],
      ],
    ],
    [
      'scopeReview',
      [
        ['dept-head', 'deptApprove'],
        ['office', 'completeness'],
        ['office', 'scopeReview'],
      ],
    ],
    [
      'countersign',
      [
        ['dept-head', 'deptApprove'],
        ['office', 'completeness'],
        ['office', 'scopeReview'],
        ['member-2', 'countersign'],
      ],
    ],
  ])(
    'given a rejection at %s, then the application is rejected with the reason the department sees',
    async (_at, steps) => {
      const a = await submitted();
      for (const [i, [user, el]] of steps.entries()) {
        const last = i === steps.length - 1;
        expect(
          (
            await act(
              t,
              user,
              a.instanceId,
              el,
              last ? { decision: 'reject', comment: '超出社区法定职责' } : { decision: 'approve' },
            )
          ).status,
        ).toBe(200);
      }
      expect(await app(a.id)).toMatchObject({ status: 'rejected', decisionReason: '超出社区法定职责' });
    },
  );

  it('given the leader acting before the countersign is done, then there is nothing for the leader to sign', async () => {
    const a = await toScopeReview();
    await act(t, 'office', a.instanceId, 'scopeReview', { decision: 'approve' });
    const inbox = await inboxOf(t, 'leader');
    expect(inbox.filter((x) => x.instanceId === a.instanceId)).toEqual([]);
    const countersignTask = (
      await t.dataSource.query(
        `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'countersign' AND status = 'open' LIMIT 1`,
        [a.instanceId],
      )
    )[0].id;
    const res = await t
      .http()
      .post(`/tasks/${countersignTask}/complete`)
      .set(await auth('leader'))
      .send({ decision: 'approve' });
    expect(res.status).toBe(404);
    expect((await app(a.id)).status).toBe('in_review');
  });

  it('given a returned application the department gives up, then it is withdrawn', async () => {
    const a = await submitted();
    await act(t, 'dept-head', a.instanceId, 'deptApprove', { decision: 'approve' });
    await act(t, 'office', a.instanceId, 'completeness', { deficiencies: ['缺少法律依据'] }, 'return');
    expect(
      (await act(t, 'dept-staff', a.instanceId, 'correct', { decision: 'withdraw', comment: '不再申请' }))
        .status,
    ).toBe(200);
    expect((await app(a.id)).status).toBe('withdrawn');
  });

  it('given attachments, then real PDFs and images are kept with their SHA-256, and anything else is refused', async () => {
    const d = await draft();
    const pdf = Buffer.from('%PDF-1.4\n% 政策依据\n1 0 obj << >> endobj\n%%EOF\n');
    const up = await t
      .http()
      .post(`/applications/${d.id}/attachments`)
      .set(await auth('dept-staff'))
      .send({
        fileName: '政策依据.pdf',
        contentType: 'application/pdf',
        contentBase64: pdf.toString('base64'),
      });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ fileName: '政策依据.pdf', sizeBytes: pdf.length });
    expect(up.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(up.body.content).toBeUndefined();
    const list = await t
      .http()
      .get(`/applications/${d.id}/attachments`)
      .set(await auth('dept-staff'));
    expect(list.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([up.body.id]);
    const file = await t
      .http()
      .get(`/applications/${d.id}/attachments/${up.body.id}`)
      .set(await auth('dept-staff'))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(file.status).toBe(200);
    expect(Buffer.compare(file.body as Buffer, pdf)).toBe(0);
    expect(file.headers['x-content-sha256']).toBe(up.body.sha256);
    expect(
      (
        await t
          .http()
          .get(`/applications/${d.id}/attachments/${up.body.id}`)
          .set(await auth('dept2-staff'))
      ).status,
    ).toBe(404);

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const disguised = await t
      .http()
      .post(`/applications/${d.id}/attachments`)
      .set(await auth('dept-staff'))
      .send({ fileName: 'a.pdf', contentType: 'application/pdf', contentBase64: png.toString('base64') });
    expect(disguised.status).toBe(415);
    expect(disguised.body.error.code).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    const exe = await t
      .http()
      .post(`/applications/${d.id}/attachments`)
      .set(await auth('dept-staff'))
      .send({
        fileName: 'a.exe',
        contentType: 'application/x-msdownload',
        contentBase64: 'TVqQAAMAAAAEAAAA',
      });
    expect(exe.status).toBe(400);
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 0);
    pdf.copy(big);
    const tooBig = await t
      .http()
      .post(`/applications/${d.id}/attachments`)
      .set(await auth('dept-staff'))
      .send({ fileName: 'big.pdf', contentType: 'application/pdf', contentBase64: big.toString('base64') });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('ATTACHMENT_TOO_LARGE');
  });

  it('given a submitted application, then no attachment may be added until it is returned', async () => {
    const a = await submitted();
    const res = await t
      .http()
      .post(`/applications/${a.id}/attachments`)
      .set(await auth('dept-staff'))
      .send({
        fileName: 'x.pdf',
        contentType: 'application/pdf',
        contentBase64: Buffer.from('%PDF-1.4').toString('base64'),
      });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('APPLICATION_NOT_EDITABLE');
  });

  it('given a negative-list change, then it takes effect only when the principal leader approves, and the checks use it', async () => {
    const proposal = {
      action: 'add',
      code: 'fundraising_quota',
      nameZh: '摊派募捐任务',
      nameEn: 'assigned fundraising quotas',
      appliesTo: 'any kind',
      keywords: ['募捐'],
      source: '某区社区减负实施意见（示例）',
      reason: '多个部门向社区摊派募捐任务',
    };
    expect(
      (
        await t
          .http()
          .post('/admission/negative-list/changes')
          .set(await auth('dept-staff'))
          .send(proposal)
      ).status,
    ).toBe(403);
    const declined = await t
      .http()
      .post('/admission/negative-list/changes')
      .set(await auth('office'))
      .send({ ...proposal, code: 'declined_entry' });
    expect(declined.status).toBe(201);
    await act(t, 'leader', declined.body.instanceId, 'leaderApprove', { decision: 'reject' });
    const list0 = await t.http().get('/admission/negative-list?pageSize=200');
    expect(list0.body.items.map((n: { code: string }) => n.code)).not.toContain('declined_entry');

    const change = await t
      .http()
      .post('/admission/negative-list/changes')
      .set(await auth('office'))
      .send(proposal);
    expect(change.status).toBe(201);
    expect(
      (await t.http().get('/admission/negative-list?pageSize=200')).body.items.map(
        (n: { code: string }) => n.code,
      ),
    ).not.toContain('fundraising_quota');
    await act(t, 'leader', change.body.instanceId, 'leaderApprove', { decision: 'approve' });
    expect(
      (await t.http().get('/admission/negative-list?pageSize=200')).body.items.map(
        (n: { code: string }) => n.code,
      ),
    ).toContain('fundraising_quota');
    const again = await t
      .http()
      .post('/admission/negative-list/changes')
      .set(await auth('office'))
      .send(proposal);
    expect(again.status).toBe(400);

    const a = await toScopeReview({ ...complete(), title: '社区慈善募捐任务分配' });
    const hit = (await app(a.id)).findings.find((f: { check: string }) => f.check === 'negative-list');
    expect(hit).toMatchObject({ result: 'fail' });
    expect(hit.message).toContain('摊派募捐任务');
  });

  it('given the public reference lists, then anyone reads the statutory areas and the negative list with sources', async () => {
    const areas = await t.http().get('/admission/statutory-areas');
    expect(areas.body.items).toHaveLength(16);
    expect(areas.body.total).toBe(16);
    const neg = await t.http().get('/admission/negative-list?pageSize=200');
    expect(neg.body.items.find((n: { code: string }) => n.code === 'investment_promotion')).toMatchObject({
      nameZh: '招商引资任务指标',
    });
    expect(neg.body.items.every((n: { source: string }) => n.source.length > 0)).toBe(true);
  });
});
