import { randomUUID } from 'node:crypto';
import { AuditService } from '../src/audit/audit.service.js';
import { Clock } from '../src/common/clock.js';
import { publishStampList, type NewStampList } from '../src/stamps/stamp-lists.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act } from './helpers/cases.js';

interface Finding {
  code: string;
  check: string;
  result: string;
  message: string;
  details?: { communityCode: string | null; decision: string; documentNumber: string | null }[];
  override?: { role: string };
}

const XINGHUA = '339901001001'; // 杏花社区, 东华街道, 东湖区 (339901) of 示范市 (3399), province 33
const TAOYUAN = '339901001002'; // 桃园社区, same street
/** A community of 东华街道 coded under another province (34): the test's own, for lists of two provinces. */
const BORDER = '349901001001';

/**
 * Issue 13 §7, the admission link: an application of kind 盖章证明 (stamp) names its certificate; the automatic
 * checks look it up in the stamp registry for each target community on the application's start date. Prohibited
 * in any of them: a failing finding citing the list, which the office sees beside the others and which only the
 * principal leader may override; not listed: a warning (a legal basis is needed); allowed: a pass.
 */
describe('a stamp demand against the stamp registry (盖章证明准入与清单对照)', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });

  const stampDemand = (certificateName: string | undefined, communities: string[]) => ({
    kind: 'stamp',
    title: `要求社区出具${certificateName ?? '证明'}`,
    content: '办事群众申请补贴时须提交社区居委会出具的证明。',
    legalBasisDocument: '东民发〔2027〕3号',
    statutoryArea: 'other',
    targetScope: 'list',
    targetCommunityIds: communities.map((c) => unit[c]),
    authorizedContent: '出具证明',
    targetPopulation: '申请补贴的居民',
    powers: '出具证明',
    startDate: '2027-06-01',
    endDate: '2027-12-31',
    workloadHoursPerMonth: 2,
    frequency: '按需',
    fundingPerCommunityFen: 0,
    contactName: '张卫',
    contactPhone: '0571-88888888',
    ...(certificateName === undefined ? {} : { certificateName }),
  });

  /** Drafted, submitted and approved by the department head and at completeness: the checks have run. */
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
  /** The stamp registry's finding as the office sees it, beside the other findings. */
  async function stampFinding(id: string): Promise<{ finding: Finding | undefined; checks: string[] }> {
    const res = await t
      .http()
      .get(`/applications/${id}`)
      .set(await auth('office'));
    expect(res.status).toBe(200);
    const findings = res.body.findings as Finding[];
    return {
      finding: findings.find((f) => f.check === 'stamp-registry'),
      checks: findings.map((f) => f.check),
    };
  }
  const publish = (list: NewStampList) =>
    t.dataSource.transaction((m) =>
      publishStampList(m, new AuditService(t.dataSource, t.app.get(Clock)), {}, list),
    );

  beforeAll(async () => {
    t = await startTestApp();
    // The border community: under 东华街道 in the organization, its code in province 34.
    const street: { id: string; path: string }[] = await t.dataSource.query(
      `SELECT id, path FROM org_unit WHERE code = '339901001'`,
    );
    const id = randomUUID();
    await t.dataSource.query(
      `INSERT INTO org_unit (id, code, name, kind, parent_id, path) VALUES ($1, $2, '界河社区', 'COMMUNITY', $3, $4)`,
      [id, BORDER, street[0].id, `${street[0].path}${id}/`],
    );
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    // Province 34 prohibits 转学证明 (from 2027-01-01) and, from after the applications' start, 宅基地使用情况证明 too.
    await publish({
      title: '第34省不应由社区出具的证明事项（补充）',
      documentNumber: '三四民〔2026〕7号',
      issuedBy: '第34省民政厅',
      issuedOn: '2026-11-20',
      listType: 'prohibited',
      scopeCode: '34',
      effectiveFrom: '2027-01-01',
      entries: [
        { name: '转学证明', legalBasis: '三四民〔2026〕7号第1项' },
        { name: '宅基地使用情况证明', legalBasis: '三四民〔2026〕7号第2项', effectiveFrom: '2027-07-01' },
      ],
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('given a stamp demand for a certificate prohibited nationally, then a failing finding cites 民发〔2020〕20号 for every target community; the office cannot approve or override it, the principal leader can, with a reason', async () => {
    const a = await toScopeReview(stampDemand('开具居民养犬证明', [XINGHUA, TAOYUAN]));
    const { finding, checks } = await stampFinding(a.id);
    expect(checks).toEqual(
      expect.arrayContaining([
        'statutory-scope',
        'negative-list',
        'duplicates',
        'lead-time',
        'stamp-registry',
      ]),
    );
    expect(finding).toMatchObject({ code: 'stamp-registry', result: 'fail' });
    expect(finding!.message).toContain('“开具居民养犬证明”不应由社区出具');
    expect(finding!.message).toContain(
      '全国《不应由基层群众性自治组织出具证明事项清单（第一批）》（民发〔2020〕20号）',
    );
    expect(finding!.message).toContain('涉及：杏花社区、桃园社区');
    expect(finding!.details!.map((d) => [d.communityCode, d.decision, d.documentNumber])).toEqual([
      [XINGHUA, 'prohibited', '民发〔2020〕20号'],
      [TAOYUAN, 'prohibited', '民发〔2020〕20号'],
    ]);
    const blocked = await act(t, 'office', a.instanceId, 'scopeReview', { decision: 'approve' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('FINDINGS_UNRESOLVED');
    expect(blocked.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'stamp-registry', overridableBy: 'leader' })]),
    );
    const byOffice = await t
      .http()
      .post(`/applications/${a.id}/findings/stamp-registry/override`)
      .set(await auth('office'))
      .send({ reason: '部门坚持要求' });
    expect(byOffice.status).toBe(403);
    expect(byOffice.body.error.code).toBe('FINDING_OVERRIDE_LEADER_ONLY');
    expect(byOffice.body.error.message).toContain('盖章证明事项清单');
    const byLeader = await t
      .http()
      .post(`/applications/${a.id}/findings/stamp-registry/override`)
      .set(await auth('leader'))
      .send({ reason: '经核实另有法律规定，书面说明后放行。' });
    expect(byLeader.status).toBe(200);
    expect((await stampFinding(a.id)).finding!.override).toMatchObject({ role: 'leader' });
  });

  it('given a certificate prohibited only in one target community’s province, then the finding fails citing that province’s list for that community alone; a prohibition that begins after the start date does not count', async () => {
    const a = await toScopeReview(stampDemand('转学证明', [XINGHUA, BORDER]));
    const { finding } = await stampFinding(a.id);
    expect(finding).toMatchObject({ result: 'fail' });
    expect(finding!.message).toContain('《第34省不应由社区出具的证明事项（补充）》（三四民〔2026〕7号）');
    expect(finding!.message).toContain('涉及：界河社区');
    expect(finding!.message).not.toContain('杏花社区');
    expect(finding!.details!.map((d) => [d.communityCode, d.decision])).toEqual([
      [XINGHUA, 'not-listed'],
      [BORDER, 'prohibited'],
    ]);
    // 宅基地使用情况证明 is prohibited there only from 2027-07-01, after the start (2027-06-01): not listed, a warning.
    const later = await toScopeReview(stampDemand('宅基地使用情况证明', [BORDER]));
    expect((await stampFinding(later.id)).finding).toMatchObject({ result: 'warn' });
  });

  it('given a certificate every target community’s lists allow, then the finding passes, naming the list', async () => {
    const a = await toScopeReview(stampDemand('居住证明', [XINGHUA, TAOYUAN]));
    const { finding } = await stampFinding(a.id);
    expect(finding).toMatchObject({ result: 'pass' });
    expect(finding!.message).toContain(
      '示范市《示范市社区居民委员会出具证明事项保留清单》（示民发〔2021〕15号）“居住证明”',
    );
    expect(finding!.details!.map((d) => d.decision)).toEqual(['allowed', 'allowed']);
  });

  it('given a certificate no list names, then a warning (lower than a failure) asks for its legal basis and does not block the office’s approval', async () => {
    const a = await toScopeReview(stampDemand('房屋漏水情况证明', [XINGHUA]));
    const { finding } = await stampFinding(a.id);
    expect(finding).toMatchObject({ result: 'warn' });
    expect(finding!.message).toContain('“房屋漏水情况证明”未列入杏花社区适用的盖章证明事项清单');
    expect(finding!.message).toContain('民发〔2020〕20号');
    expect((await act(t, 'office', a.instanceId, 'scopeReview', { decision: 'approve' })).status).toBe(200);
  });

  it('given a stamp demand without its certificate, then submitting answers 400 naming certificateName; a blank one is refused in the draft; other kinds get no stamp finding', async () => {
    const h = await auth('dept-staff');
    const d = await t
      .http()
      .post('/applications')
      .set(h)
      .send(stampDemand(undefined, [XINGHUA]));
    expect(d.status).toBe(201);
    const s = await t.http().post(`/applications/${d.body.id}/submit`).set(h).send({});
    expect(s.status).toBe(400);
    expect(s.body.error.code).toBe('APPLICATION_INCOMPLETE');
    expect(s.body.error.details.map((p: { field: string }) => p.field)).toEqual(['certificateName']);
    const blank = await t
      .http()
      .post('/applications')
      .set(h)
      .send(stampDemand('  ', [XINGHUA]));
    expect(blank.status).toBe(400);
    expect(blank.body.error.details.map((p: { field: string }) => p.field)).toEqual(['certificateName']);
    const task = await toScopeReview({ ...stampDemand('居民养犬证明', [XINGHUA]), kind: 'task' });
    expect((await stampFinding(task.id)).finding).toBeUndefined();
  });
});
