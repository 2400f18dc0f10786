import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication, makeApplication } from './helpers/admission.js';
import { act as actOnCase } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';

/**
 * The counts for the burden monitor (issue 14 §5): per community (or department) and period of sent days (China
 * time), received, covered, uncovered by reason, refused, contested, upheld, overturned, withdrawn, done and hours.
 * Every piece is sent, refused, contested, ruled, withdrawn or done through the API; the counts are exact.
 */
describe('dispatch counts (派单统计) for the office and the street', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  // C1, C2, C3 lie under street S1 (东华街道); C4 under the other street of district D1; C7 in district D2.
  const [C1, C2, C3, C4, C7] = [
    '339901001001',
    '339901001002',
    '339901001003',
    '339901002001',
    '339902001001',
  ];
  let followUp: string;

  const send = async (body: Record<string, unknown>, user = 'dept-staff') => {
    const res = await t
      .http()
      .post('/dispatches')
      .set(await auth(user))
      .send({ content: '请按要求办理。', dueDate: '2027-04-30', expectedHours: 2, kind: 'task', ...body });
    if (res.status !== 201) throw new Error(`dispatch refused: ${res.status} ${JSON.stringify(res.body)}`);
    const pieces: Record<string, string> = {};
    for (const d of res.body.deliveries as { id: string; communityId: string }[])
      pieces[d.communityId] = d.id;
    return {
      id: res.body.id as string,
      pieces,
      reasons: (res.body.deliveries as { communityId: string; reasonCode: string }[]).map(
        (d) => d.reasonCode,
      ),
    };
  };
  const piece = async (user: string, id: string, action: string, body: Record<string, unknown> = {}) => {
    const res = await t
      .http()
      .post(`/my-community/received-work/${id}/${action}`)
      .set(await auth(user))
      .send(body);
    if (res.status !== 200) throw new Error(`${action} failed: ${res.status} ${JSON.stringify(res.body)}`);
  };
  /** Contests the refusal of one community and answers the dispute's case id. */
  const contest = async (dispatchId: string, community: string) => {
    const res = await t
      .http()
      .post(`/dispatches/${dispatchId}/contest`)
      .set(await auth('dept-staff'))
      .send({
        communityId: unit[community],
        argument: '属于公共卫生协助事项',
        basis: '《基本公共卫生服务规范》',
      });
    expect(res.status).toBe(200);
    return (res.body.deliveries as { communityId: string; disputeInstanceId: string }[]).find(
      (d) => d.communityId === unit[community],
    )!.disputeInstanceId;
  };
  const counts = async (user: string, query: Record<string, unknown>) =>
    t
      .http()
      .get('/dispatch-counts')
      .query(query)
      .set(await auth(user));
  const byCode = (body: { items: { unit: { code: string } }[] }) =>
    Object.fromEntries(body.items.map((r) => [r.unit.code, r])) as Record<string, Record<string, unknown>>;
  const zero = {
    received: 0,
    covered: 0,
    uncovered: 0,
    uncoveredByReason: {},
    refused: 0,
    contested: 0,
    upheld: 0,
    overturned: 0,
    withdrawn: 0,
    done: 0,
    hours: 0,
  };
  const MARCH = { from: '2027-03-01', to: '2027-03-31' };

  beforeAll(async () => {
    t = await startTestApp();
    // A department of the other district (its code must answer 404 to district D1's office).
    await t.dataSource.query(
      `WITH d2 AS (SELECT id, path FROM org_unit WHERE code = '339902'), f AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_unit (id, code, name, kind, parent_id, path)
       SELECT f.id, '339902-WJ', '西山区卫生健康委员会', 'DEPARTMENT', d2.id, d2.path || f.id || '/' FROM d2, f`,
    );
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    followUp = (
      await admitApplication(
        t,
        makeApplication([unit[C1], unit[C2]], {
          fundingPerCommunityFen: 0,
          fundingSource: undefined,
          startDate: '2027-02-01',
        }),
      )
    ).itemId;
    moveClockTo(t, '2027-03-01');

    // Covered, to C1 and C2: both done, 3.5 and 1.5 hours.
    const covered = await send({
      title: '三月慢病随访',
      admittedItemId: followUp,
      targets: [unit[C1], unit[C2]],
    });
    expect(covered.reasons).toEqual(['covered', 'covered']);
    await piece('committee', covered.pieces[unit[C1]], 'done', { hours: 3.5 });
    await piece('committee-2', covered.pieces[unit[C2]], 'accept');
    await piece('committee-2', covered.pieces[unit[C2]], 'done', { hours: 1.5 });

    // Barred by the negative list, to C1 and C2: both refused and contested; the street upholds C1's refusal,
    // refers C2's, and the district office overturns it.
    const barred = await send({ title: '招商引资任务分解', targets: [unit[C1], unit[C2]] });
    expect(barred.reasons).toEqual(['negative-list', 'negative-list']);
    await piece('committee', barred.pieces[unit[C1]], 'refuse');
    await piece('committee-2', barred.pieces[unit[C2]], 'refuse');
    const upheld = await contest(barred.id, C1);
    expect((await actOnCase(t, 'street', upheld, 'streetMediate', { decision: 'uphold' })).status).toBe(200);
    const overturned = await contest(barred.id, C2);
    expect((await actOnCase(t, 'street', overturned, 'streetMediate', { decision: 'refer' })).status).toBe(
      200,
    );
    expect(
      (
        await actOnCase(t, 'office', overturned, 'officeRule', {
          decision: 'overturn',
          comment: '依据有关规定，该项工作由社区协助',
        })
      ).status,
    ).toBe(200);

    // Without an item, to C1, C3 and C4: the department withdraws it everywhere.
    const bare = await send({ title: '慢病随访补录', targets: [unit[C1], unit[C3], unit[C4]] });
    expect(bare.reasons).toEqual(['no-admitted-item', 'no-admitted-item', 'no-admitted-item']);
    const withdrawn = await t
      .http()
      .post(`/dispatches/${bare.id}/withdraw`)
      .set(await auth('dept-staff'))
      .send({});
    expect(withdrawn.status).toBe(200);

    // Another department (住建委) sends C1 work citing the health commission's item: another department's item.
    const other = await send(
      { title: '小区加装电梯摸底', admittedItemId: followUp, targets: [unit[C1]] },
      'dept2-staff',
    );
    expect(other.reasons).toEqual(['other-department-item']);
    await piece('committee', other.pieces[unit[C1]], 'refuse');

    // At 07:00 on 1 April China time (still 31 March in UTC): outside March.
    moveClockTo(t, '2027-03-31').advance(21 * 3600_000);
    await send({ title: '四月工作', targets: [unit[C1]] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('given work sent, refused, contested, ruled, withdrawn and done, then the office reads exact counts per community of its district', async () => {
    const res = await counts('office', MARCH);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 4, page: 1, pageSize: 50 });
    expect(res.body.items.map((r: { unit: { code: string } }) => r.unit.code)).toEqual([C1, C2, C3, C4]);
    const rows = byCode(res.body);
    expect(rows[C1]).toEqual({
      unit: { id: unit[C1], code: C1, name: expect.any(String) },
      received: 4,
      covered: 1,
      uncovered: 3,
      uncoveredByReason: { 'negative-list': 1, 'no-admitted-item': 1, 'other-department-item': 1 },
      refused: 2,
      contested: 1,
      upheld: 1,
      overturned: 0,
      withdrawn: 1,
      done: 1,
      hours: 3.5,
    });
    expect(rows[C2]).toEqual({
      ...zero,
      unit: { id: unit[C2], code: C2, name: expect.any(String) },
      received: 2,
      covered: 1,
      uncovered: 1,
      uncoveredByReason: { 'negative-list': 1 },
      refused: 1,
      contested: 1,
      overturned: 1,
      done: 1,
      hours: 1.5,
    });
    expect(rows[C3]).toMatchObject({
      ...zero,
      received: 1,
      uncovered: 1,
      withdrawn: 1,
      uncoveredByReason: { 'no-admitted-item': 1 },
    });
    expect(rows[C4]).toMatchObject({
      ...zero,
      received: 1,
      uncovered: 1,
      withdrawn: 1,
      uncoveredByReason: { 'no-admitted-item': 1 },
    });
  });

  it('given the period, then it is counted by the China day the work was sent (07:00 on 1 April is April)', async () => {
    const april = await counts('office', { from: '2027-04-01', to: '2027-04-01' });
    expect(april.status).toBe(200);
    expect(april.body.total).toBe(1);
    expect(april.body.items[0]).toMatchObject({ unit: { code: C1 }, received: 1, uncovered: 1 });
    const both = await counts('office', { from: '2027-03-01', to: '2027-04-30', community: C1 });
    expect(both.body.items).toHaveLength(1);
    expect(both.body.items[0]).toMatchObject({ received: 5, uncoveredByReason: { 'no-admitted-item': 2 } });
    const none = await counts('office', { from: '2027-02-01', to: '2027-02-28' });
    expect(none.body).toMatchObject({ total: 0, items: [] });
  });

  it('given by=department or a department, then the rows are the sending departments, or only that department’s work', async () => {
    const res = await counts('office', { ...MARCH, by: 'department' });
    expect(res.status).toBe(200);
    const rows = byCode(res.body);
    expect(Object.keys(rows).sort()).toEqual(['339901-WJ', '339901-ZJ']);
    expect(rows['339901-WJ']).toMatchObject({
      received: 7,
      covered: 2,
      uncoveredByReason: { 'negative-list': 2, 'no-admitted-item': 3 },
      refused: 2,
      contested: 2,
      upheld: 1,
      overturned: 1,
      withdrawn: 3,
      done: 2,
      hours: 5,
    });
    expect(rows['339901-ZJ']).toMatchObject({
      received: 1,
      refused: 1,
      uncoveredByReason: { 'other-department-item': 1 },
    });
    const housing = await counts('office', { ...MARCH, department: '339901-ZJ' });
    expect(
      housing.body.items.map((r: { unit: { code: string }; received: number }) => [r.unit.code, r.received]),
    ).toEqual([[C1, 1]]);
    const byId = await counts('street', { ...MARCH, department: unit['339901-WJ'], community: C2 });
    expect(byId.status).toBe(200);
    expect(byId.body.items).toEqual([expect.objectContaining({ received: 2, done: 1, hours: 1.5 })]);
  });

  it('given the street, then it sees only the communities of its street; another street’s or district’s community, or another district’s department, answers 404', async () => {
    const street = await counts('street', MARCH);
    expect(street.status).toBe(200);
    expect(street.body.items.map((r: { unit: { code: string } }) => r.unit.code)).toEqual([C1, C2, C3]);
    expect(byCode(street.body)[C1]).toMatchObject({ received: 4, refused: 2 });
    const streetByDept = await counts('street', { ...MARCH, by: 'department' });
    expect(byCode(streetByDept.body)['339901-WJ']).toMatchObject({ received: 6, withdrawn: 2 });
    for (const [user, q, code] of [
      ['street', { community: C4 }, 'COMMUNITY_NOT_FOUND'],
      ['office', { community: C7 }, 'COMMUNITY_NOT_FOUND'],
      ['office', { community: unit[C7] }, 'COMMUNITY_NOT_FOUND'],
      ['office', { community: 'nothing-like-this' }, 'COMMUNITY_NOT_FOUND'],
      ['office', { department: '339902-WJ' }, 'UNIT_NOT_FOUND'],
      ['street', { department: unit['339902-WJ'] }, 'UNIT_NOT_FOUND'],
      ['office', { department: C1 }, 'UNIT_NOT_FOUND'],
    ] as const) {
      const res = await counts(user, { ...MARCH, ...q });
      expect([user, q, res.status, res.body.error?.code]).toEqual([user, q, 404, code]);
    }
    // The city office's area holds both districts.
    const city = await counts('city-office', MARCH);
    expect(city.body.total).toBe(4);
  });

  it('given bad input, then 400 naming the field; without burden:read, 403', async () => {
    for (const [q, field] of [
      [{ to: '2027-03-31' }, 'from'],
      [{ from: '2027-03-01' }, 'to'],
      [{ from: '2027-3-1', to: '2027-03-31' }, 'from'],
      [{ from: '2027-02-30', to: '2027-03-31' }, 'from'],
      [{ from: '2027-03-31', to: '2027-03-01' }, 'to'],
      [{ from: '2026-01-01', to: '2027-03-01' }, 'to'],
      [{ ...MARCH, by: 'street' }, 'by'],
      [{ ...MARCH, pageSize: 500 }, 'pageSize'],
    ] as const) {
      const res = await counts('office', q);
      expect([q, res.status, res.body.error?.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    for (const user of ['committee', 'dept-staff']) expect((await counts(user, MARCH)).status).toBe(403);
  });

  it('given pages, then each holds its rows and the total stays, past the last page too', async () => {
    const p2 = await counts('office', { ...MARCH, pageSize: 3, page: 2 });
    expect(p2.body).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(p2.body.items.map((r: { unit: { code: string } }) => r.unit.code)).toEqual([C4]);
    const p9 = await counts('office', { ...MARCH, pageSize: 3, page: 9 });
    expect(p9.body).toMatchObject({ total: 4, items: [] });
  });
});
