import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication, makeApplication } from './helpers/admission.js';
import { act } from './helpers/cases.js';
import { Clock } from '../src/common/clock.js';
import { fireTimersOf } from './helpers/timers.js';

describe('funding before entry (费随事转) and the public register of admitted items', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const C1 = '339901001001';
  const C2 = '339901001002';
  const C3 = '339901001003';

  const application = (over: Record<string, unknown> = {}) => makeApplication([unit[C1], unit[C2]], over);

  /** Drafts, submits and takes an application through every approval; answers the application with its item. */
  const admitted = (over: Record<string, unknown> = {}) => admitApplication(t, application(over));
  const register = (q: string) => t.http().get(`/admitted-items?${q}`);
  const transfer = async (
    itemId: string,
    community: string,
    key: string,
    amountFen = 300000,
    user = 'dept-staff',
  ) =>
    t
      .http()
      .post(`/admitted-items/${itemId}/transfers`)
      .set(await auth(user))
      .send({
        communityId: unit[community],
        amountFen,
        account: '东华街道社区财务专账 6222',
        reference: `GK-${key}`,
        idempotencyKey: key,
      });

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a signed item, then it is numbered and public, but enters a community only when its funding is confirmed', async () => {
    const a = await admitted();
    expect(a.number).toMatch(/^〔20\d\d〕第\d+号$/);
    const pub = await t.http().get(`/admitted-items/${a.itemId}`);
    expect(pub.status).toBe(200);
    expect(pub.body.communities.map((c: { fundingStatus: string }) => c.fundingStatus)).toEqual([
      'awaiting',
      'awaiting',
    ]);
    expect((await register(`community=${C1}&asOf=2027-07-01`)).body.items).toEqual([]);

    const first = await transfer(a.itemId, C1, `${a.itemId}-c1`);
    expect(first.status).toBe(200);
    const again = await transfer(a.itemId, C1, `${a.itemId}-c1`);
    expect(again.body.id).toBe(first.body.id);
    const wrong = await transfer(a.itemId, C2, `${a.itemId}-c2-wrong`, 299999);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({
      code: 'FUNDING_AMOUNT_MISMATCH',
      details: { dueFen: 300000, givenFen: 299999 },
    });

    expect(
      (
        await t
          .http()
          .post(`/funding-transfers/${first.body.id}/confirm`)
          .set(await auth('committee'))
      ).status,
    ).toBe(403);
    const confirmed = await t
      .http()
      .post(`/funding-transfers/${first.body.id}/confirm`)
      .set(await auth('finance'));
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.confirmedAt).toBeTruthy();

    const list = await register(`community=${C1}&asOf=2027-07-01`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0]).toMatchObject({
      admissionNumber: a.number,
      title: '社区慢病随访',
      powers: '登记',
      startDate: '2027-06-01',
      endDate: '2027-12-31',
      fundingPerCommunityFen: 300000,
    });
    expect((await register(`community=${C2}&asOf=2027-07-01`)).body.items).toEqual([]);
    expect((await register(`community=${C1}&asOf=2027-05-31`)).body.items).toEqual([]);
    expect((await register(`community=${C1}&asOf=2028-01-01`)).body.items).toEqual([]);
  });

  it('given the funding window closing with one of two communities unfunded, then the item lapses there only', async () => {
    const a = await admitted({ title: '社区康复训练' });
    const c1 = await transfer(a.itemId, C1, `${a.itemId}-1`);
    await t
      .http()
      .post(`/funding-transfers/${c1.body.id}/confirm`)
      .set(await auth('finance'));
    const late = await transfer(a.itemId, C2, `${a.itemId}-2`);
    expect(late.status).toBe(200);
    expect(await fireTimersOf(t, a.instanceId)).toBe(1); // the funding window closes
    expect(
      await t.dataSource.query(
        `SELECT 1 FROM admitted_item_community WHERE item_id = $1 AND funding_status = 'lapsed'`,
        [a.itemId],
      ),
    ).toHaveLength(1);
    const item = await t.http().get(`/admitted-items/${a.itemId}`);
    expect(
      item.body.communities.map(
        (c: { code: string; fundingStatus: string }) => `${c.code}:${c.fundingStatus}`,
      ),
    ).toEqual([`${C1}:confirmed`, `${C2}:lapsed`]);
    const tooLate = await t
      .http()
      .post(`/funding-transfers/${late.body.id}/confirm`)
      .set(await auth('finance'));
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error.code).toBe('FUNDING_LAPSED');
    expect((await transfer(a.itemId, C2, `${a.itemId}-3`)).body.error.code).toBe('FUNDING_NOT_DUE');
    const titles = (await register(`community=${C1}&asOf=2027-07-01`)).body.items.map(
      (x: { title: string }) => x.title,
    );
    expect(titles).toContain('社区康复训练');
    expect(
      (await register(`community=${C2}&asOf=2027-07-01`)).body.items.map((x: { title: string }) => x.title),
    ).not.toContain('社区康复训练');
  });

  it('given an item with no funding due, then it enters its communities at sign-off', async () => {
    const a = await admitted({
      title: '政策宣传资料发放',
      fundingPerCommunityFen: 0,
      fundingSource: undefined,
    });
    expect(
      (await register(`community=${C2}&asOf=2027-07-01`)).body.items.map((x: { id: string }) => x.id),
    ).toContain(a.itemId);
    expect((await transfer(a.itemId, C1, `${a.itemId}-x`)).body.error.code).toBe('FUNDING_NOT_DUE');
  });

  it('given “all communities under a street”, then the item goes to every community of that street', async () => {
    const a = await admitted({
      title: '街道全覆盖宣传',
      targetScope: 'all',
      targetUnitId: unit['339901001'],
      targetCommunityIds: undefined,
      fundingPerCommunityFen: 0,
    });
    const item = await t.http().get(`/admitted-items/${a.itemId}`);
    expect(item.body.communities.map((c: { code: string }) => c.code)).toEqual([
      '339901001001',
      '339901001002',
      '339901001003',
    ]);
  });

  it('given someone else’s item or transfer, then it answers like a missing one', async () => {
    const a = await admitted({ title: '独居老人探访' });
    const foreign = await transfer(a.itemId, C1, `${a.itemId}-f`, 300000, 'dept2-staff');
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('ADMITTED_ITEM_NOT_FOUND');
    const mine = await transfer(a.itemId, C1, `${a.itemId}-m`);
    // Finance of another district may not confirm it.
    await t.dataSource.query(
      `WITH d2 AS (SELECT id, path FROM org_unit WHERE code = '339902'), f AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_unit (id, code, name, kind, parent_id, path) SELECT f.id, '339902-CW', '西山区社区财务', 'FINANCE', d2.id, d2.path || f.id || '/' FROM d2, f`,
    );
    await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT 'finance-d2', '西山区财务', password_hash, (SELECT id FROM org_unit WHERE code = '339902-CW'), roles FROM app_user WHERE username = 'finance'`,
    );
    const other = await t
      .http()
      .post(`/funding-transfers/${mine.body.id}/confirm`)
      .set(await auth('finance-d2'));
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('TRANSFER_NOT_FOUND');
    expect(
      (
        await t
          .http()
          .post(`/admitted-items/00000000-0000-4000-8000-000000000000/transfers`)
          .set(await auth('dept-staff'))
          .send({ communityId: unit[C1], amountFen: 1, account: 'a', reference: 'r', idempotencyKey: 'k' })
      ).status,
    ).toBe(404);
  });

  it('given a new report asking for fields an item in force already collects, then the office is told to share the data (数据一次采集)', async () => {
    const incomplete = await t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send(application({ kind: 'report', title: '没有字段的报表' }));
    const refused = await t
      .http()
      .post(`/applications/${incomplete.body.id}/submit`)
      .set(await auth('dept-staff'))
      .send({});
    expect(refused.body.error.details.map((d: { field: string }) => d.field)).toContain('reportFields');
    const first = await admitted({
      kind: 'report',
      title: '困难群众台账',
      fundingPerCommunityFen: 0,
      reportFields: ['姓名', '身份证号', '联系电话'],
    });
    const d = await t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send(
        application({
          kind: 'report',
          title: '住房困难家庭统计',
          statutoryArea: 'housing_security',
          reportFields: ['身份证号', '家庭住址'],
        }),
      );
    const s = await t
      .http()
      .post(`/applications/${d.body.id}/submit`)
      .set(await auth('dept-staff'))
      .send({});
    await act(t, 'dept-head', s.body.instanceId, 'deptApprove', { decision: 'approve' });
    await act(t, 'office', s.body.instanceId, 'completeness', { decision: 'approve' });
    const findings: {
      check: string;
      result: string;
      details?: { admissionNumber: string; fields: string[] }[];
    }[] = (
      await t
        .http()
        .get(`/applications/${d.body.id}`)
        .set(await auth('office'))
    ).body.findings;
    const shared = findings.find((f) => f.check === 'duplicates' && f.details?.some((x) => x.fields));
    expect(shared).toMatchObject({ result: 'warn' });
    expect(shared!.details).toEqual([
      expect.objectContaining({ admissionNumber: first.number, fields: ['身份证号'] }),
    ]);
  });

  it('given the register without a community, then it lists every item in force that day; bad dates are refused', async () => {
    const all = await register('asOf=2027-07-01');
    expect(all.status).toBe(200);
    expect(all.body.items.length).toBeGreaterThanOrEqual(2);
    const bad = await register('asOf=2027-13-45');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
  const emergencyIn = async (communities: string[], title: string) => {
    const res = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send({
        departmentId: unit['339901-WJ'],
        kind: 'task',
        title,
        reason: '突发情况需立即处置',
        statutoryArea: 'public_health',
        targetCommunityIds: communities,
        authorizedContent: '入户登记',
        targetPopulation: '辖区居民',
        powers: '登记',
        days: 10,
        fundingPerCommunityFen: 0,
      });
    expect(res.status).toBe(201);
    return res.body as { id: string; admissionNumber: string };
  };
  const today = () => t.app.get(Clock).today();

  it('given a resident who knows the community’s name, not its code, then the register finds it by part of the name, and a name two communities share answers both, each with its street', async () => {
    // A second 杏花社区, in another street of the same district.
    await t.dataSource.query(
      `WITH s AS (SELECT id, path FROM org_unit WHERE code = '339901002'), c AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_unit (id, code, name, kind, parent_id, path) SELECT c.id, '339901002009', '杏花社区', 'COMMUNITY', s.id, s.path || c.id || '/' FROM s, c`,
    );
    const second = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901002009'`))[0].id;
    const both = await emergencyIn([unit[C1], second], '两个杏花社区的排查');
    const onlyTaoyuan = await emergencyIn([unit[C2]], '只在桃园社区');

    const found = await register(`communityName=${encodeURIComponent('杏花')}&asOf=${today()}`);
    expect(found.status).toBe(200);
    const ids = found.body.items.map((x: { id: string }) => x.id);
    expect(ids).toContain(both.id);
    expect(ids).not.toContain(onlyTaoyuan.id);
    const entry = found.body.items.find((x: { id: string }) => x.id === both.id);
    expect(entry.communities).toEqual([
      expect.objectContaining({ code: C1, name: '杏花社区', street: '东华街道' }),
      expect.objectContaining({ code: '339901002009', name: '杏花社区', street: '朝阳街道' }),
    ]);
    const exact = await register(`communityName=${encodeURIComponent('桃园社区')}&asOf=${today()}`);
    expect(exact.body.items.map((x: { id: string }) => x.id)).toContain(onlyTaoyuan.id);

    const none = await register(`communityName=${encodeURIComponent('不存在的')}`);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('COMMUNITY_NOT_FOUND');
    expect(none.body.error.message).toMatch(/^找不到/);
    const noCode = await register('community=339901009009');
    expect(noCode.status).toBe(404);
    expect(noCode.body.error.code).toBe('COMMUNITY_NOT_FOUND');
  });

  it('given no community, then the register lists what is in force in an area (a street or district), a page at a time', async () => {
    const chaoyang = await emergencyIn([unit['339901002001']], '朝晖社区的应急值守');
    const street = await register(`area=339901002&asOf=${today()}`);
    expect(street.status).toBe(200);
    const ids = street.body.items.map((x: { id: string }) => x.id);
    expect(ids).toContain(chaoyang.id);
    expect(
      street.body.items.every((x: { communities: { code: string }[] }) =>
        x.communities.every((c) => c.code.startsWith('339901002')),
      ),
    ).toBe(true);
    const district = await register(`area=339901&asOf=${today()}&pageSize=1`);
    expect(district.body.total).toBeGreaterThanOrEqual(3);
    expect(district.body.items).toHaveLength(1);
    const second = await register(`area=339901&asOf=${today()}&pageSize=1&page=2`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(district.body.items[0].id);
    expect(second.body.total).toBe(district.body.total);
    expect(
      (await register(`area=339902&asOf=${today()}`)).body.items.map((x: { id: string }) => x.id),
    ).not.toContain(chaoyang.id);
    const nowhere = await register('area=999999');
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error.code).toBe('UNIT_NOT_FOUND');
  });

  it('given items numbered 第2号 to past 第10号, then the register lists them by number as numbers (第2号 before 第10号)', async () => {
    const made: string[] = [];
    for (let i = 0; i < 11; i++)
      made.push((await emergencyIn([unit[C3]], `柳岸社区应急事项${i + 1}`)).admissionNumber);
    const seqOf = (n: string) => Number(/第(\d+)号/.exec(n)![1]);
    expect(made.some((n) => seqOf(n) < 10)).toBe(true);
    expect(made.some((n) => seqOf(n) >= 10)).toBe(true);
    const listed = (await register(`community=${C3}&asOf=${today()}&pageSize=200`)).body.items.map(
      (x: { admissionNumber: string }) => x.admissionNumber,
    ) as string[];
    expect(listed).toEqual(expect.arrayContaining(made));
    const seqs = listed.map(seqOf);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('given an admitted application, then it shows the item it became, and the item shows its application', async () => {
    const a = await admitted({ title: '社区老年人健康管理', fundingPerCommunityFen: 0 });
    const app = await t
      .http()
      .get(`/applications/${a.applicationId}`)
      .set(await auth('dept-staff'));
    expect(app.body.admittedItem).toEqual({ id: a.itemId, admissionNumber: a.number });
    const listed = await t
      .http()
      .get('/applications?pageSize=200')
      .set(await auth('dept-staff'));
    expect(listed.body.items.find((x: { id: string }) => x.id === a.applicationId).admittedItem).toEqual({
      id: a.itemId,
      admissionNumber: a.number,
    });
    const item = await t.http().get(`/admitted-items/${a.itemId}`);
    expect(item.body.applicationId).toBe(a.applicationId);
    const entry = (await register(`community=${C1}&asOf=2027-07-01`)).body.items.find(
      (x: { id: string }) => x.id === a.itemId,
    );
    expect(entry.applicationId).toBe(a.applicationId);
    const draft = await t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send({ title: '尚未提交' });
    const draftNow = await t
      .http()
      .get(`/applications/${draft.body.id}`)
      .set(await auth('dept-staff'));
    expect(draftNow.body.admittedItem).toBeNull();
  });

  it('given the clock moved on a year, when an item is admitted, then its funding window closes 30 days after the clock’s now', async () => {
    const clock = t.app.get(Clock);
    clock.advance(365 * 86400_000);
    const a = await admitted({ title: '社区睦邻节', startDate: '2028-03-01', endDate: '2028-12-31' });
    const [timer]: { fire_at: Date }[] = await t.dataSource.query(
      `SELECT fire_at FROM workflow_timer WHERE instance_id = $1 AND element_id = 'fundingDeadline'`,
      [a.instanceId],
    );
    const daysAhead = (timer.fire_at.getTime() - clock.now().getTime()) / 86400_000;
    expect(daysAhead).toBeGreaterThan(29.9);
    expect(daysAhead).toBeLessThanOrEqual(30);
  });
});
