import { addDays } from '../src/common/china-time.js';
import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act } from './helpers/cases.js';

interface Finding {
  code: string;
  check: string;
  result: string;
  message: string;
  details?: unknown;
  override?: { role: string; displayName: string; unitName: string; reason: string; at: string };
}

/**
 * Findings that bind (issue 11 item 1; seed 002 §4–§5): a failing automatic check blocks approval at the office's
 * scope review, each member's countersign and the leader's signature until the department corrects it or it is
 * overridden with a written reason — by the office, or for a negative-list hit only by the principal leader — which
 * the members and the leader see beside the finding, and which stays in the register entry and the audit trail.
 * And issue 11 item 14: the duplicate check for every community under a unit looks only under that unit.
 */
describe('findings that bind: a failing check is corrected or overridden with a reason before anyone approves', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const MEMBERS = ['member-1', 'member-2', 'member-3'];

  const complete = (over: Record<string, unknown> = {}) => ({
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
    fundingPerCommunityFen: 0,
    supportOffered: '卫健委派员培训，提供随访表',
    contactName: '张卫',
    contactPhone: '0571-88888888',
    ...over,
  });
  /** The application of the issue: a negative-list hit (民发〔2015〕136号). */
  const investment = () =>
    complete({
      title: '社区经济发展任务',
      content: '下达社区招商引资指标并考核',
      statutoryArea: 'employment',
    });

  async function toScopeReview(body: Record<string, unknown>) {
    const h = await auth('dept-staff');
    const d = await t.http().post('/applications').set(h).send(body);
    expect(d.status).toBe(201);
    const s = await t.http().post(`/applications/${d.body.id}/submit`).set(h).send({});
    expect(s.status).toBe(200);
    expect(
      (await act(t, 'dept-head', s.body.instanceId, 'deptApprove', { decision: 'approve' })).status,
    ).toBe(200);
    expect((await act(t, 'office', s.body.instanceId, 'completeness', { decision: 'approve' })).status).toBe(
      200,
    );
    return { id: d.body.id as string, instanceId: s.body.instanceId as string };
  }
  const get = async (id: string, user = 'dept-staff') =>
    t
      .http()
      .get(`/applications/${id}`)
      .set(await auth(user));
  const findingsOf = async (id: string, user = 'dept-staff') =>
    (await get(id, user)).body.findings as Finding[];
  const override = async (id: string, code: string, user: string, body: unknown) =>
    t
      .http()
      .post(`/applications/${id}/findings/${code}/override`)
      .set(await auth(user))
      .send(body as object);
  const approve = (user: string, instanceId: string, element: string) =>
    act(t, user, instanceId, element, { decision: 'approve' });
  const itemOf = async (applicationId: string) =>
    (await t.dataSource.query('SELECT id FROM admitted_item WHERE application_id = $1', [applicationId]))[0]
      ?.id as string | undefined;
  async function auditActions(applicationId: string) {
    const res = await t
      .http()
      .get('/audit')
      .query({ entityType: 'admission_application', entityId: applicationId, pageSize: 200 })
      .set(await auth('auditor'));
    expect(res.status).toBe(200);
    return res.body.items as { action: string; actorUsername: string; data: Record<string, unknown> }[];
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given the negative-list application, then the office can neither approve nor override it; the principal leader overrides it with a reason, and members and leader see that before they sign; the register entry and the audit trail keep it', async () => {
    const a = await toScopeReview(investment());
    const hit = (await findingsOf(a.id)).find((f) => f.check === 'negative-list')!;
    expect(hit).toMatchObject({ code: 'negative-list', result: 'fail' });
    expect(JSON.stringify(hit.details)).toContain('民发〔2015〕136号');

    // The office's approval is refused, naming the finding and saying what to do.
    const refused = await approve('office', a.instanceId, 'scopeReview');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('FINDINGS_UNRESOLVED');
    expect(refused.body.error.message).toMatch(/^自动审查有未解决的不通过项.*退回.*理由/);
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ code: 'negative-list', check: 'negative-list', overridableBy: 'leader' }),
    ]);

    // Not below the principal leader: the office's override is refused, and so is anyone else's.
    const byOffice = await override(a.id, 'negative-list', 'office', { reason: '办公室认为可以' });
    expect([byOffice.status, byOffice.body.error.code]).toEqual([403, 'FINDING_OVERRIDE_LEADER_ONLY']);
    expect(byOffice.body.error.message).toMatch(/^命中负面清单的事项只能由本级主要领导/);
    for (const [user, status, code] of [
      ['member-1', 403, 'FINDING_OVERRIDE_NOT_ALLOWED'],
      ['dept-staff', 403, 'FINDING_OVERRIDE_NOT_ALLOWED'],
      ['city-leader', 403, 'FINDING_OVERRIDE_NOT_ALLOWED'],
      ['dept2-staff', 404, 'APPLICATION_NOT_FOUND'],
      ['committee', 404, 'APPLICATION_NOT_FOUND'],
    ] as const) {
      const res = await override(a.id, 'negative-list', user, { reason: '同意' });
      expect([user, res.status, res.body.error?.code]).toEqual([user, status, code]);
    }
    // Bad input: 4xx with a stable code, never a 500.
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(2001) }, { reason: 7 }]) {
      const res = await override(a.id, 'negative-list', 'leader', body);
      expect([res.status, res.body.error.code, res.body.error.details?.[0]?.field]).toEqual([
        400,
        'VALIDATION_FAILED',
        'reason',
      ]);
    }
    const unknown = await override(a.id, 'no-such-check', 'leader', { reason: '同意' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'FINDING_NOT_FOUND']);
    const passing = await override(a.id, 'lead-time', 'leader', { reason: '同意' });
    expect([passing.status, passing.body.error.code]).toEqual([409, 'FINDING_NOT_FAILING']);
    const missing = await override('00000000-0000-4000-8000-000000000000', 'negative-list', 'leader', {
      reason: '同意',
    });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'APPLICATION_NOT_FOUND']);
    // Nothing changed by the refusals.
    expect((await findingsOf(a.id)).find((f) => f.code === 'negative-list')!.override).toBeUndefined();

    // The principal leader overrides it, in writing.
    const reason = '经区委常委会研究，本事项改为由商务局自行承担，社区仅配合宣传；特此放行。';
    const byLeader = await override(a.id, 'negative-list', 'leader', { reason });
    expect(byLeader.status).toBe(200);
    expect(byLeader.body.findings.find((f: Finding) => f.code === 'negative-list').override).toMatchObject({
      role: 'leader',
      displayName: '孙正（区领导小组组长）',
      unitName: '东湖区社区建设工作领导小组',
      reason,
    });
    const twice = await override(a.id, 'negative-list', 'leader', { reason: '再次放行' });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'FINDING_ALREADY_OVERRIDDEN']);

    expect((await approve('office', a.instanceId, 'scopeReview')).status).toBe(200);
    for (const m of MEMBERS) {
      // Each member sees the override beside the finding before signing.
      const seen = (await findingsOf(a.id, m)).find((f) => f.code === 'negative-list')!;
      expect([m, seen.result, seen.override?.reason]).toEqual([m, 'fail', reason]);
      expect((await approve(m, a.instanceId, 'countersign')).status).toBe(200);
    }
    expect((await findingsOf(a.id, 'leader')).find((f) => f.code === 'negative-list')!.override?.role).toBe(
      'leader',
    );
    expect((await approve('leader', a.instanceId, 'leaderSign')).status).toBe(200);
    expect((await get(a.id)).body.status).toBe('admitted');

    // The register entry keeps the override.
    const itemId = await itemOf(a.id);
    const item = await t.http().get(`/admitted-items/${itemId}`);
    expect(item.status).toBe(200);
    expect(item.body.overriddenFindings).toEqual([
      expect.objectContaining({
        code: 'negative-list',
        result: 'fail',
        override: expect.objectContaining({ role: 'leader', reason }),
      }),
    ]);
    // The public page names the role and unit, not the account or the unit's id.
    expect(Object.keys(item.body.overriddenFindings[0].override).sort()).toEqual([
      'at',
      'reason',
      'role',
      'unitName',
    ]);
    // So does the audit trail, with who and why.
    const trail = await auditActions(a.id);
    expect(trail.find((r) => r.action === 'application.finding-overridden')).toMatchObject({
      actorUsername: 'leader',
      data: expect.objectContaining({ code: 'negative-list', role: 'leader', reason }),
    });
    // Once signed, nothing more can be overridden.
    const late = await override(a.id, 'negative-list', 'leader', { reason: '事后' });
    expect(late.status).toBe(409);
  });

  it('given a start too soon (提前期), when walked from draft to publication, then the office overrides the lead-time finding with its reason, the members and the leader see it before they sign, and the published item carries it', async () => {
    const start = addDays(t.app.get(Clock).today(), 10);
    const a = await toScopeReview(complete({ title: '流感疫苗接种动员', startDate: start }));
    const lead = (await findingsOf(a.id, 'office')).find((f) => f.code === 'lead-time')!;
    expect(lead.result).toBe('fail');

    const refused = await approve('office', a.instanceId, 'scopeReview');
    expect([refused.status, refused.body.error.code]).toEqual([409, 'FINDINGS_UNRESOLVED']);
    expect(refused.body.error.details.map((d: { code: string }) => d.code)).toEqual(['lead-time']);
    const reason = '流感季节临近，市卫健委统一部署，确需提前实施；已安排培训与经费。';
    const versionBefore = (await get(a.id, 'office')).body.version as number;
    const byOffice = await override(a.id, 'lead-time', 'office', { reason });
    expect(byOffice.status).toBe(200);
    // The override changes the application: its version moves on.
    expect(byOffice.body.version).toBe(versionBefore + 1);
    expect(byOffice.body.findings.find((f: Finding) => f.code === 'lead-time').override).toMatchObject({
      role: 'office',
      displayName: '王民（区领导小组办公室）',
      unitName: '东湖区社区建设工作领导小组办公室',
      reason,
    });
    expect((await approve('office', a.instanceId, 'scopeReview')).status).toBe(200);
    for (const m of MEMBERS) {
      const seen = await get(a.id, m);
      expect(seen.status).toBe(200);
      expect(seen.body.findings.find((f: Finding) => f.code === 'lead-time').override).toMatchObject({
        role: 'office',
        reason,
      });
      expect((await approve(m, a.instanceId, 'countersign')).status).toBe(200);
    }
    const forLeader = (await findingsOf(a.id, 'leader')).find((f) => f.code === 'lead-time')!;
    expect(forLeader).toMatchObject({ result: 'fail', override: { role: 'office', reason } });
    expect((await approve('leader', a.instanceId, 'leaderSign')).status).toBe(200);

    // Published: the item is in the public register from its start, and its entry shows the override.
    const itemId = await itemOf(a.id);
    const register = await t.http().get('/admitted-items').query({ asOf: start, pageSize: 200 });
    expect(register.status).toBe(200);
    expect(register.body.items.map((i: { id: string }) => i.id)).toContain(itemId);
    const item = await t.http().get(`/admitted-items/${itemId}`);
    expect(item.body.overriddenFindings).toEqual([
      expect.objectContaining({
        code: 'lead-time',
        override: expect.objectContaining({ role: 'office', reason }),
      }),
    ]);
    const trail = await auditActions(a.id);
    expect(trail.filter((r) => r.action === 'application.finding-overridden')).toEqual([
      expect.objectContaining({
        actorUsername: 'office',
        data: expect.objectContaining({ code: 'lead-time', role: 'office', reason }),
      }),
    ]);
  });

  it('given the whole admission walked once more: a binding finding, the office’s override with its reason seen by the leader, a return at the leader’s step with its deficiencies, the correction, the checks again, and publication', async () => {
    const start = addDays(t.app.get(Clock).today(), 12);
    const a = await toScopeReview(complete({ title: '秋冬季流感疫苗接种动员', startDate: start }));
    // The finding binds: nobody approves past it.
    const blocked = await approve('office', a.instanceId, 'scopeReview');
    expect([blocked.status, blocked.body.error.code]).toEqual([409, 'FINDINGS_UNRESOLVED']);
    const reason = '市卫健委统一部署，确需在流感季前实施；已安排培训。';
    expect((await override(a.id, 'lead-time', 'office', { reason })).status).toBe(200);
    expect((await approve('office', a.instanceId, 'scopeReview')).status).toBe(200);
    for (const m of MEMBERS) expect((await approve(m, a.instanceId, 'countersign')).status).toBe(200);

    // The leader sees the override beside the finding, and sends the application back with what is missing.
    const seen = (await findingsOf(a.id, 'leader')).find((f) => f.code === 'lead-time')!;
    expect(seen).toMatchObject({ result: 'fail', override: { role: 'office', reason } });
    const deficiencies = [
      { field: 'supportOffered', problem: '请写明为社区提供的培训次数和时间' },
      { problem: '请附市卫健委的部署文件' },
    ];
    const returned = await act(t, 'leader', a.instanceId, 'leaderSign', {
      decision: 'return',
      form: { deficiencies },
    });
    expect(returned.status).toBe(200);
    const back = await get(a.id);
    expect(back.body).toMatchObject({ status: 'returned', returnedStep: 'leaderSign', deficiencies });

    // The department corrects and resubmits: the same case, the checks run again, the finding binds again.
    const h = await auth('dept-staff');
    const fixed = await t
      .http()
      .patch(`/applications/${a.id}`)
      .set(h)
      .send({ version: back.body.version, supportOffered: '开展前集中培训 2 次，每次半天' });
    expect(fixed.status).toBe(200);
    const again = await t.http().post(`/applications/${a.id}/submit`).set(h).send({ comment: '已补正' });
    expect(again.status).toBe(200);
    expect((await approve('office', a.instanceId, 'completeness')).status).toBe(200);
    const rerun = await get(a.id, 'office');
    expect(rerun.body).toMatchObject({ status: 'in_review', deficiencies: [] });
    expect(rerun.body.changesSinceSubmission).toHaveProperty('supportOffered');
    const lead = (rerun.body.findings as Finding[]).find((f) => f.code === 'lead-time')!;
    expect(lead.result).toBe('fail');
    expect(lead.override).toBeUndefined();
    expect((await approve('office', a.instanceId, 'scopeReview')).status).toBe(409);
    expect((await override(a.id, 'lead-time', 'office', { reason: `${reason}（补正后复核）` })).status).toBe(
      200,
    );
    expect((await approve('office', a.instanceId, 'scopeReview')).status).toBe(200);
    for (const m of MEMBERS) expect((await approve(m, a.instanceId, 'countersign')).status).toBe(200);
    expect((await findingsOf(a.id, 'leader')).find((f) => f.code === 'lead-time')!.override).toMatchObject({
      reason: `${reason}（补正后复核）`,
    });
    expect((await approve('leader', a.instanceId, 'leaderSign')).status).toBe(200);
    const itemId = await itemOf(a.id);
    expect(itemId).toBeDefined();
    expect((await get(a.id)).body.admittedItem).toMatchObject({ id: itemId });
    const trail = (await auditActions(a.id)).map((r) => r.action);
    expect(trail.filter((x) => x === 'application.finding-overridden')).toHaveLength(2);
  });

  it('given a case already past the office with failing findings unresolved, then no member and not the leader can approve it until each is overridden, and a rejection stays possible', async () => {
    const a = await toScopeReview(complete({ title: '社区健康档案更新' }));
    expect((await approve('office', a.instanceId, 'scopeReview')).status).toBe(200);
    // As a case in review when findings began to bind: its stored findings fail, and nobody has overridden them.
    const failing = (findings: Finding[]) =>
      findings.map((f) =>
        f.check === 'negative-list'
          ? { ...f, result: 'fail', message: '命中负面清单：招商引资任务指标。Hits the negative list.' }
          : f.check === 'lead-time'
            ? { ...f, result: 'fail', message: '距开始日期不足 30 个工作日。Too soon.' }
            : f,
      );
    await t.dataSource.query('UPDATE admission_application SET findings = $2 WHERE id = $1', [
      a.id,
      JSON.stringify(failing(await findingsOf(a.id))),
    ]);
    const byMember = await approve('member-1', a.instanceId, 'countersign');
    expect([byMember.status, byMember.body.error.code]).toEqual([409, 'FINDINGS_UNRESOLVED']);
    expect(byMember.body.error.details.map((d: { code: string }) => d.code).sort()).toEqual([
      'lead-time',
      'negative-list',
    ]);
    // The office may still override the lead time while the members sign; then only the negative list is left.
    expect((await override(a.id, 'lead-time', 'office', { reason: '已与部门商定提前培训' })).status).toBe(
      200,
    );
    const still = await approve('member-1', a.instanceId, 'countersign');
    expect(still.body.error.details.map((d: { code: string }) => d.code)).toEqual(['negative-list']);
    expect((await override(a.id, 'negative-list', 'leader', { reason: '领导小组会议决定放行' })).status).toBe(
      200,
    );
    for (const m of MEMBERS) expect((await approve(m, a.instanceId, 'countersign')).status).toBe(200);

    // At the signature, a finding that fails again (the stored findings changed) blocks the leader too.
    const now = await findingsOf(a.id);
    await t.dataSource.query('UPDATE admission_application SET findings = $2 WHERE id = $1', [
      a.id,
      JSON.stringify(
        now.map((f) =>
          f.code === 'statutory-scope'
            ? { ...f, result: 'fail', message: '不属于法定协助领域，且未提供法律依据。' }
            : f,
        ),
      ),
    ]);
    const byLeader = await approve('leader', a.instanceId, 'leaderSign');
    expect([byLeader.status, byLeader.body.error.code]).toEqual([409, 'FINDINGS_UNRESOLVED']);
    expect(byLeader.body.error.details.map((d: { code: string }) => d.code)).toEqual(['statutory-scope']);
    expect(await itemOf(a.id)).toBeUndefined();
    // Rejecting is never blocked.
    const reject = await act(t, 'leader', a.instanceId, 'leaderSign', {
      decision: 'reject',
      comment: '不予准入',
    });
    expect(reject.status).toBe(200);
    expect((await get(a.id)).body.status).toBe('rejected');
    const late = await override(a.id, 'statutory-scope', 'office', { reason: '补充' });
    expect([late.status, late.body.error.code]).toEqual([409, 'FINDING_OVERRIDE_NOT_NOW']);
  });

  it('given two failing findings, when the office and the leader override them at the same moment, then both overrides are kept', async () => {
    const start = addDays(t.app.get(Clock).today(), 12);
    const a = await toScopeReview({ ...investment(), title: '社区招商引资宣传周', startDate: start });
    // The race made to happen: the application's row is held while both requests arrive and wait on it.
    const holder = t.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query('SELECT 1 FROM admission_application WHERE id = $1 FOR UPDATE', [a.id]);
      const both = Promise.all([
        override(a.id, 'lead-time', 'office', { reason: '宣传周时间由市里统一确定' }),
        override(a.id, 'negative-list', 'leader', { reason: '仅宣传，不下达指标' }),
      ]);
      for (let i = 0; ; i++) {
        const waiting: { n: number }[] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (waiting[0].n >= 2) break;
        if (i > 10_000) throw new Error('the two overrides never waited on the application');
      }
      await holder.commitTransaction();
      const [byOffice, byLeader] = await both;
      expect([byOffice.status, byLeader.status]).toEqual([200, 200]);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    const kept = (await findingsOf(a.id)).filter((f) => f.override).map((f) => [f.code, f.override!.role]);
    expect(kept.sort()).toEqual([
      ['lead-time', 'office'],
      ['negative-list', 'leader'],
    ]);
    expect((await approve('office', a.instanceId, 'scopeReview')).status).toBe(200);
  });

  it('given the negative-list application, when the office rejects it at scope review, then it is rejected (rejection is not blocked)', async () => {
    const a = await toScopeReview(investment());
    const res = await act(t, 'office', a.instanceId, 'scopeReview', {
      decision: 'reject',
      comment: '属负面清单',
    });
    expect(res.status).toBe(200);
    expect((await get(a.id)).body).toMatchObject({ status: 'rejected', decisionReason: '属负面清单' });
  });

  it('given the negative-list application returned at scope review, when the department corrects the content and resubmits, then the checks run again and the finding is gone', async () => {
    const a = await toScopeReview(investment());
    const back = await act(
      t,
      'office',
      a.instanceId,
      'scopeReview',
      { deficiencies: ['事项内容命中负面清单（招商引资），请删除'], comment: '请按负面清单修改' },
      'return',
    );
    expect(back.status).toBe(200);
    const returned = await get(a.id);
    expect(returned.body.status).toBe('returned');
    const h = await auth('dept-staff');
    const fixed = await t
      .http()
      .patch(`/applications/${a.id}`)
      .set(h)
      .send({ content: '配合开展就业援助政策宣传，每季度一次。', version: returned.body.version });
    expect(fixed.status).toBe(200);
    expect((await t.http().post(`/applications/${a.id}/submit`).set(h).send({})).status).toBe(200);
    expect((await approve('office', a.instanceId, 'completeness')).status).toBe(200);
    const again = await findingsOf(a.id);
    expect(again.find((f) => f.code === 'negative-list')).toMatchObject({ result: 'pass' });
    expect(again.filter((f) => f.result === 'fail')).toEqual([]);
    expect((await approve('office', a.instanceId, 'scopeReview')).status).toBe(200);
  });

  it('given an item for every community of one street, then an application of the same kind and area for every community of another street is no duplicate, and one for the same street is', async () => {
    const allOf = (street: string, title: string) =>
      complete({
        title,
        statutoryArea: 'elderly_rights',
        targetScope: 'all',
        targetUnitId: unit[street],
        targetCommunityIds: undefined,
      });
    const first = await toScopeReview(allOf('339901001', '东华街道高龄老人走访'));
    expect((await approve('office', first.instanceId, 'scopeReview')).status).toBe(200);
    for (const m of MEMBERS) expect((await approve(m, first.instanceId, 'countersign')).status).toBe(200);
    expect((await approve('leader', first.instanceId, 'leaderSign')).status).toBe(200);
    const firstItem = await itemOf(first.id);
    expect(firstItem).toBeDefined();

    const elsewhere = await toScopeReview(allOf('339901002', '朝阳街道高龄老人走访'));
    expect((await findingsOf(elsewhere.id)).find((f) => f.code === 'duplicates')).toMatchObject({
      result: 'pass',
    });
    const same = await toScopeReview(allOf('339901001', '东华街道高龄老人关爱'));
    const dup = (await findingsOf(same.id)).find((f) => f.code === 'duplicates')!;
    expect(dup.result).toBe('warn');
    expect((dup.details as { id: string }[]).map((d) => d.id)).toContain(first.id);
  });
});
