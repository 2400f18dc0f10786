import { addDays } from '../src/common/china-time.js';
import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication } from './helpers/admission.js';
import { instanceStatus } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import { fireTimersOf } from './helpers/timers.js';

describe('emergency admission (突发事件应急准入)', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const C1 = '339901001001';
  const today = () => t.app.get(Clock).today();

  const emergency = (over: Record<string, unknown> = {}) => ({
    departmentId: unit['339901-WJ'],
    kind: 'task',
    title: '突发疫情入户排查',
    reason: '辖区出现聚集性疫情，需立即入户排查',
    statutoryArea: 'public_health',
    targetCommunityIds: [unit[C1]],
    authorizedContent: '入户排查登记',
    targetPopulation: '辖区居民',
    powers: '登记、报告',
    days: 14,
    fundingPerCommunityFen: 0,
    ...over,
  });
  const inForceOn = async (day: string) =>
    (await t.http().get(`/admitted-items?community=${C1}&asOf=${day}`)).body.items as {
      id: string;
      emergency: boolean;
    }[];
  const inForceToday = () => inForceOn(today());

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given an emergency, then the office admits it at once, flagged, and it exits by itself at its end', async () => {
    const res = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send(emergency());
    expect(res.status).toBe(201);
    expect(res.body.admissionNumber).toMatch(/（应急）$/);
    expect(await inForceToday()).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: res.body.id, emergency: true })]),
    );
    const audit = await t.dataSource.query(
      `SELECT 1 FROM audit_record WHERE action = 'item.emergency-admitted' AND entity_id = $1`,
      [res.body.id],
    );
    expect(audit).toHaveLength(1);
    const instanceId = (
      await t.dataSource.query(
        `SELECT id FROM workflow_instance WHERE process_id = 'emergency' AND business_key = $1`,
        [res.body.id],
      )
    )[0].id;
    expect(await fireTimersOf(t, instanceId)).toBe(1); // its end comes
    expect(await instanceStatus(t, instanceId)).toBe('completed');
    const item = await t.http().get(`/admitted-items/${res.body.id}`);
    expect(item.body.exitedAt).toBeTruthy();
  });

  it('given a committee, then its own list holds only its community’s items', async () => {
    const e = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send(emergency({ title: '只在杏花社区' }));
    const own = await t
      .http()
      .get(`/my-community/admitted-items?asOf=${today()}`)
      .set(await auth('committee'));
    expect(own.status).toBe(200);
    expect(own.body.items.map((x: { id: string }) => x.id)).toContain(e.body.id);
    expect(
      own.body.items.every((x: { communities: { code: string }[] }) =>
        x.communities.every((c) => c.code === C1),
      ),
    ).toBe(true);
    const other = await t
      .http()
      .get(`/my-community/admitted-items?asOf=${today()}`)
      .set(await auth('committee-2'));
    expect(other.body.items.map((x: { id: string }) => x.id)).not.toContain(e.body.id);
    expect(
      (
        await t
          .http()
          .get('/my-community/admitted-items')
          .set(await auth('dept-staff'))
      ).status,
    ).toBe(403);
  });

  it('given too many days, another role, or communities elsewhere, then it is refused', async () => {
    const long = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send(emergency({ days: 31 }));
    expect(long.status).toBe(400);
    expect(long.body.error.details[0].field).toBe('days');
    expect(
      (
        await t
          .http()
          .post('/emergency-items')
          .set(await auth('dept-staff'))
          .send(emergency())
      ).status,
    ).toBe(403);
    const elsewhere = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send(emergency({ targetCommunityIds: [unit['339902001001']] }));
    expect(elsewhere.status).toBe(400);
    const noSource = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send(emergency({ fundingPerCommunityFen: 100000 }));
    expect(noSource.status).toBe(400);
    expect(noSource.body.error.details).toEqual([expect.objectContaining({ field: 'fundingSource' })]);
    const noFunding = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send(emergency({ fundingPerCommunityFen: undefined }));
    expect(noFunding.status).toBe(400);
    expect(noFunding.body.error.details.map((d: { field: string }) => d.field)).toContain(
      'fundingPerCommunityFen',
    );
  });

  it('given a regular application admitted to regularize it, then the regular item takes the emergency item’s place when it comes into force, not before', async () => {
    const e = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send(emergency({ title: '防汛应急值守' }));
    const body = {
      kind: 'task',
      title: '防汛值守（常态化）',
      content: '汛期社区值守。',
      statutoryArea: 'public_order',
      targetScope: 'list',
      targetCommunityIds: [unit[C1]],
      authorizedContent: '值守',
      targetPopulation: '居民',
      powers: '巡查、报告',
      startDate: '2027-06-01',
      endDate: '2027-09-30',
      workloadHoursPerMonth: 10,
      frequency: '汛期每日',
      fundingPerCommunityFen: 0,
      contactName: '张卫',
      contactPhone: '0571-88888888',
      regularizesItemId: e.body.id,
    };
    const r = await admitApplication(t, body);
    const emergencyNow = await t.http().get(`/admitted-items/${e.body.id}`);
    // No funding is due: the regular item enters at once, and is in force from its first day, 2027-06-01.
    expect(emergencyNow.body.exitedAt).toBe(new Date('2027-05-31T16:00:00.000Z').toISOString());
    expect(emergencyNow.body.exitReason).toMatch(/转为正常准入/);
    expect(emergencyNow.body.regularizedByItemId).toBe(r.itemId);
    // Until then the emergency item goes on, past its own 14 days: the community is never left without it.
    expect((await inForceToday()).map((x) => x.id)).toContain(e.body.id);
    expect((await inForceOn('2027-05-31')).map((x) => x.id)).toEqual(expect.arrayContaining([e.body.id]));
    expect((await inForceOn('2027-05-31')).map((x) => x.id)).not.toContain(r.itemId);
    const onItsFirstDay = (await inForceOn('2027-06-01')).map((x) => x.id);
    expect(onItsFirstDay).toContain(r.itemId);
    expect(onItsFirstDay).not.toContain(e.body.id);
  });

  it('given an emergency item whose days have passed but whose exit has not run yet, then it can no longer be regularized, and the register no longer lists it', async () => {
    const e = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send(emergency({ title: '台风应急转移', days: 3 }));
    expect(e.status).toBe(201);
    expect(e.body.endDate).toBe(addDays(today(), 2));
    const regularize = async () =>
      t
        .http()
        .post('/applications')
        .set(await auth('dept-staff'))
        .send({ title: '台风转移（常态化）', regularizesItemId: e.body.id });
    expect((await regularize()).status).toBe(201);
    moveClockTo(t, addDays(e.body.endDate, 1));
    expect((await t.http().get(`/admitted-items/${e.body.id}`)).body.exitedAt).toBeNull();
    expect((await inForceToday()).map((x) => x.id)).not.toContain(e.body.id);
    const late = await regularize();
    expect(late.status).toBe(400);
    expect(late.body.error.details).toEqual([expect.objectContaining({ field: 'regularizesItemId' })]);
  });
});
