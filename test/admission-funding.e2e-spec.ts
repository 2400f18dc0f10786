import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication, makeApplication } from './helpers/admission.js';
import { fireTimersOf, sweepTimers } from './helpers/timers.js';

/**
 * 费随事转 findable (issue 11 items 5 and 7): finance's inbox, the department's transfers, each community's funding
 * on the item's page, an emergency item's funding settled after the fact, and an emergency item kept in force in
 * each community until the regular item that replaces it is in force there. The funding window is 7 days here,
 * shorter than an emergency item's 14, so that it closes while the emergency item is still in force.
 */
describe('the money is findable, and emergency items keep 费随事转', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const C1 = '339901001001';
  const C2 = '339901001002';
  const C3 = '339901001003';
  const today = () => t.app.get(Clock).today();

  type Row = Record<string, unknown> & { id: string; itemId: string; communityCode: string };
  const transfer = async (itemId: string, community: string, key: string, amountFen = 300000) =>
    t
      .http()
      .post(`/admitted-items/${itemId}/transfers`)
      .set(await auth('dept-staff'))
      .send({
        communityId: unit[community],
        amountFen,
        account: '东华街道社区财务专账 6222',
        reference: `GK-${key}`,
        idempotencyKey: key,
      });
  const confirm = async (transferId: string) =>
    t
      .http()
      .post(`/funding-transfers/${transferId}/confirm`)
      .set(await auth('finance'));
  const list = async (user: string, path: string) => {
    const res = await t
      .http()
      .get(path)
      .set(await auth(user));
    expect(res.status).toBe(200);
    return res.body.items as Row[];
  };
  const funding = async (itemId: string) =>
    Object.fromEntries(
      (await t.http().get(`/admitted-items/${itemId}`)).body.communities.map(
        (c: { code: string } & Record<string, unknown>) => [c.code, c],
      ),
    ) as Record<string, Record<string, unknown>>;
  const inForce = async (community: string, day: string) =>
    (await t.http().get(`/admitted-items?community=${community}&asOf=${day}`)).body.items.map(
      (x: { id: string }) => x.id,
    ) as string[];
  const emergency = async (over: Record<string, unknown> = {}) => {
    const res = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send({
        departmentId: unit['339901-WJ'],
        kind: 'task',
        title: '突发疫情入户排查',
        reason: '辖区出现聚集性疫情，需立即入户排查',
        statutoryArea: 'public_health',
        targetCommunityIds: [unit[C1], unit[C2]],
        authorizedContent: '入户排查登记',
        targetPopulation: '辖区居民',
        powers: '登记、报告',
        days: 14,
        fundingPerCommunityFen: 200000,
        fundingSource: '区财政应急专项',
        ...over,
      });
    expect(res.status).toBe(201);
    const [instance] = await t.dataSource.query(
      `SELECT id FROM workflow_instance WHERE process_id = 'emergency' AND business_key = $1`,
      [res.body.id],
    );
    return { ...(res.body as { id: string; admissionNumber: string }), instanceId: instance.id as string };
  };
  /** Moves the clock just past a case's funding deadline (no further) and runs the sweep. */
  const closeFundingWindow = async (instanceId: string) => {
    const [timer]: { fire_at: Date }[] = await t.dataSource.query(
      `SELECT fire_at FROM workflow_timer WHERE instance_id = $1 AND element_id = 'fundingDeadline' AND fired_at IS NULL`,
      [instanceId],
    );
    const clock = t.app.get(Clock);
    clock.advance(Math.max(0, timer.fire_at.getTime() + 1000 - clock.nowMs()));
    await sweepTimers(t);
  };

  beforeAll(async () => {
    t = await startTestApp({ ADMISSION_FUNDING_DAYS: '7' });
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    // A finance office of the other district: it must see nothing of district 1.
    await t.dataSource.query(
      `WITH d2 AS (SELECT id, path FROM org_unit WHERE code = '339902'), f AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_unit (id, code, name, kind, parent_id, path) SELECT f.id, '339902-CW', '西山区社区财务', 'FINANCE', d2.id, d2.path || f.id || '/' FROM d2, f`,
    );
    await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT 'finance-d2', '西山区财务', password_hash, (SELECT id FROM org_unit WHERE code = '339902-CW'), roles FROM app_user WHERE username = 'finance'`,
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('given transfers registered, then finance finds them in its inbox with the item, community, amount and deadline, and the department finds its own with their state', async () => {
    const a = await admitApplication(t, makeApplication([unit[C1], unit[C2]], { title: '社区健康档案更新' }));
    const t1 = await transfer(a.itemId, C1, `${a.itemId}-1`);
    const t2 = await transfer(a.itemId, C2, `${a.itemId}-2`);
    expect([t1.status, t2.status]).toEqual([200, 200]);

    const inbox = (await list('finance', '/funding-transfers?state=awaiting')).filter(
      (r) => r.itemId === a.itemId,
    );
    expect(inbox.map((r) => r.communityCode)).toEqual([C1, C2]);
    expect(inbox[0]).toMatchObject({
      id: t1.body.id,
      admissionNumber: a.number,
      itemTitle: '社区健康档案更新',
      emergency: false,
      departmentName: '东湖区卫生健康委员会',
      communityName: '杏花社区',
      street: '东华街道',
      amountFen: 300000,
      state: 'awaiting',
      overdue: false,
      confirmedAt: null,
    });
    expect(new Date(inbox[0].fundingDeadline as string).getTime()).toBeGreaterThan(t.app.get(Clock).nowMs());

    expect((await confirm(t1.body.id)).status).toBe(200);
    const after = (await list('finance', '/funding-transfers?state=awaiting')).map((r) => r.id);
    expect(after).toContain(t2.body.id);
    expect(after).not.toContain(t1.body.id);
    expect((await list('finance', '/funding-transfers?state=confirmed')).map((r) => r.id)).toContain(
      t1.body.id,
    );
    // The office of the area sees them too.
    expect((await list('office', '/funding-transfers?state=awaiting')).map((r) => r.id)).toContain(
      t2.body.id,
    );

    const mine = (await list('dept-staff', '/funding-transfers')).filter((r) => r.itemId === a.itemId);
    expect(mine.map((r) => `${r.communityCode}:${r.state}`)).toEqual([`${C1}:confirmed`, `${C2}:awaiting`]);

    expect((await list('dept-head', '/funding-transfers')).map((r) => r.itemId)).toContain(a.itemId);
    // Someone else's department, another district's finance: nothing of it; a committee may not ask.
    expect((await list('dept2-staff', '/funding-transfers')).map((r) => r.itemId)).not.toContain(a.itemId);
    expect((await list('finance-d2', '/funding-transfers')).map((r) => r.itemId)).not.toContain(a.itemId);
    const committee = await t
      .http()
      .get('/funding-transfers')
      .set(await auth('committee'));
    expect(committee.status).toBe(403);
    expect(committee.body.error.code).toBe('FORBIDDEN');

    const paged = await t
      .http()
      .get('/funding-transfers?pageSize=1&page=2')
      .set(await auth('finance'));
    expect(paged.body).toMatchObject({ page: 2, pageSize: 1, total: 2 });
    expect(paged.body.items).toHaveLength(1);
    const bad = await t
      .http()
      .get('/funding-transfers?state=paid')
      .set(await auth('finance'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('given an item’s communities funded, registered and not yet registered, then its page shows each one’s state, amounts and deadline, and what lapsed', async () => {
    const a = await admitApplication(
      t,
      makeApplication([unit[C1], unit[C2], unit[C3]], {
        title: '社区康复训练',
        fundingPerCommunityFen: 150000,
      }),
    );
    const t1 = await transfer(a.itemId, C1, `${a.itemId}-1`, 150000);
    await confirm(t1.body.id);
    const t2 = await transfer(a.itemId, C2, `${a.itemId}-2`, 150000);
    const before = await funding(a.itemId);
    expect(before[C1]).toMatchObject({ fundingState: 'confirmed', confirmedFen: 150000, registeredFen: 0 });
    expect(before[C2]).toMatchObject({ fundingState: 'registered', confirmedFen: 0, registeredFen: 150000 });
    expect(before[C3]).toMatchObject({ fundingState: 'none', fundingDueFen: 150000, street: '东华街道' });
    expect(before[C3].fundingDeadline).toBeTruthy();
    const owed = (await list('dept-staff', '/funding-dues?state=none')).filter((r) => r.itemId === a.itemId);
    expect(owed.map((r) => r.communityCode)).toEqual([C3]);

    expect(await fireTimersOf(t, a.instanceId)).toBe(1); // the funding window closes
    const afterwards = await funding(a.itemId);
    expect([C1, C2, C3].map((c) => afterwards[c].fundingState)).toEqual(['confirmed', 'lapsed', 'lapsed']);
    const void2 = (await list('dept-staff', '/funding-transfers?state=lapsed')).map((r) => r.id);
    expect(void2).toContain(t2.body.id);
  });

  it('given an emergency item with funding, then it is in force at once, settled after the fact, and what is unsettled when the window closes is overdue — still in force, listed for finance and the office — until finance confirms it late', async () => {
    const e = await emergency();
    expect(e).toMatchObject({
      emergency: true,
      fundingPerCommunityFen: 200000,
      fundingSource: '区财政应急专项',
    });
    expect(await inForce(C1, today())).toContain(e.id);
    expect(await inForce(C2, today())).toContain(e.id);
    const start = await funding(e.id);
    expect([start[C1].fundingState, start[C2].fundingState]).toEqual(['none', 'none']);
    expect(start[C1].enteredAt).toBeTruthy();

    const t1 = await transfer(e.id, C1, `${e.id}-1`, 200000);
    expect(t1.status).toBe(200);
    const inbox = (await list('finance', '/funding-transfers?state=awaiting')).find(
      (r) => r.id === t1.body.id,
    );
    expect(inbox).toMatchObject({ emergency: true, amountFen: 200000, communityName: '杏花社区' });
    expect((await confirm(t1.body.id)).status).toBe(200);
    const settled = await funding(e.id);
    expect(settled[C1]).toMatchObject({ fundingState: 'confirmed', confirmedFen: 200000 });
    // It entered when it was admitted; the money does not move that.
    expect(settled[C1].enteredAt).toBe(start[C1].enteredAt);

    await closeFundingWindow(e.instanceId);
    const closed = await funding(e.id);
    expect([closed[C1].fundingState, closed[C2].fundingState]).toEqual(['confirmed', 'overdue']);
    expect(await inForce(C2, today())).toContain(e.id);
    for (const user of ['finance', 'office', 'dept-staff']) {
      const overdue = (await list(user, '/funding-dues?state=overdue')).filter((r) => r.itemId === e.id);
      expect(overdue).toEqual([
        expect.objectContaining({
          communityCode: C2,
          communityName: '桃园社区',
          fundingDueFen: 200000,
          confirmedFen: 0,
          emergency: true,
          admissionNumber: e.admissionNumber,
        }),
      ]);
    }
    expect((await list('finance-d2', '/funding-dues?state=overdue')).map((r) => r.itemId)).not.toContain(
      e.id,
    );
    expect(
      await t.dataSource.query(
        `SELECT 1 FROM audit_record WHERE action = 'funding.overdue' AND entity_id = $1`,
        [e.id],
      ),
    ).toHaveLength(1);

    const late = await transfer(e.id, C2, `${e.id}-2`, 200000);
    expect(late.status).toBe(200);
    const lateRow = (await list('finance', '/funding-transfers?state=awaiting')).find(
      (r) => r.id === late.body.id,
    );
    expect(lateRow).toMatchObject({ overdue: true });
    expect((await confirm(late.body.id)).status).toBe(200);
    expect((await funding(e.id))[C2]).toMatchObject({ fundingState: 'confirmed', confirmedFen: 200000 });
    expect((await list('finance', '/funding-dues?state=overdue')).map((r) => r.itemId)).not.toContain(e.id);
  });

  it('given a regular item regularizing an emergency one, then the emergency item stays in force in each community until the regular item is in force there, and ends where the regular item lapses', async () => {
    const e = await emergency({ title: '防汛应急值守', fundingPerCommunityFen: 0, fundingSource: undefined });
    const r = await admitApplication(
      t,
      makeApplication([unit[C1], unit[C2]], {
        title: '防汛值守（常态化）',
        statutoryArea: 'public_order',
        regularizesItemId: e.id,
      }),
    );
    // Signed, funding awaited everywhere: the emergency item goes on, past its own 14 days.
    expect(await inForce(C1, '2027-06-01')).toEqual(expect.arrayContaining([e.id]));
    expect(await inForce(C2, '2027-06-01')).toContain(e.id);
    expect(await inForce(C1, '2027-06-01')).not.toContain(r.itemId);
    expect((await t.http().get(`/admitted-items/${e.id}`)).body).toMatchObject({
      regularizedByItemId: r.itemId,
      exitedAt: null,
      endDate: '2027-12-31',
    });

    const t1 = await transfer(r.itemId, C1, `${r.itemId}-1`);
    await confirm(t1.body.id);
    // In 杏花 the regular item takes over from its first day; in 桃园 the emergency item goes on.
    expect(await inForce(C1, today())).toContain(e.id);
    expect(await inForce(C1, '2027-06-01')).toContain(r.itemId);
    expect(await inForce(C1, '2027-06-01')).not.toContain(e.id);
    expect(await inForce(C2, '2027-06-01')).toContain(e.id);
    expect(await inForce(C2, '2027-06-01')).not.toContain(r.itemId);

    expect(await fireTimersOf(t, r.instanceId)).toBe(1); // the regular item's funding window closes
    expect((await funding(r.itemId))[C2].fundingState).toBe('lapsed');
    expect(await inForce(C2, today())).not.toContain(e.id);
    const ended = (await t.http().get(`/admitted-items/${e.id}`)).body;
    expect(ended.exitedAt).toBeTruthy();
    expect(ended.exitReason).toMatch(/转为正常准入/);
    const communities = await funding(e.id);
    expect(communities[C1].exitedAt).toBe(new Date('2027-05-31T16:00:00.000Z').toISOString());
    expect(new Date(communities[C2].exitedAt as string).getTime()).toBeLessThanOrEqual(
      t.app.get(Clock).nowMs(),
    );
  });
});
