import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication, makeApplication } from './helpers/admission.js';
import { act as actOnCase } from './helpers/cases.js';
import { DispatchCounters1797300000000 } from '../migrations/1797300000000-DispatchCounters.js';
import { addDays } from '../src/common/china-time.js';
import { REASON_CODES } from '../src/dispatch/coverage.js';
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
  let aprilPiece: string;

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
  const onPiece = async (user: string, id: string, action: string, body: Record<string, unknown> = {}) => {
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
    await onPiece('committee', covered.pieces[unit[C1]], 'done', { hours: 3.5 });
    await onPiece('committee-2', covered.pieces[unit[C2]], 'accept');
    await onPiece('committee-2', covered.pieces[unit[C2]], 'done', { hours: 1.5 });

    // Barred by the negative list, to C1 and C2: both refused and contested; the street upholds C1's refusal,
    // refers C2's, and the district office overturns it.
    const barred = await send({ title: '招商引资任务分解', targets: [unit[C1], unit[C2]] });
    expect(barred.reasons).toEqual(['negative-list', 'negative-list']);
    await onPiece('committee', barred.pieces[unit[C1]], 'refuse');
    await onPiece('committee-2', barred.pieces[unit[C2]], 'refuse');
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
    await onPiece('committee', other.pieces[unit[C1]], 'refuse');

    // At 00:30 and 07:00 on 1 April China time (2027-03-31T16:30Z and 23:00Z, still 31 March in UTC): April's.
    const clock = moveClockTo(t, '2027-03-31');
    clock.advance(14.5 * 3600_000);
    // The test clock runs on from where it was moved: the milliseconds since then are not part of the point.
    expect(clock.now().toISOString().slice(0, 16)).toBe('2027-03-31T16:30');
    aprilPiece = (await send({ title: '四月零点工作', targets: [unit[C1]] })).pieces[unit[C1]];
    clock.advance(6.5 * 3600_000);
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

  it('given the period, then it is counted by the China day the work was sent (00:30 and 07:00 on 1 April are April)', async () => {
    const april = await counts('office', { from: '2027-04-01', to: '2027-04-01' });
    expect(april.status).toBe(200);
    expect(april.body.total).toBe(1);
    expect(april.body.items[0]).toMatchObject({ unit: { code: C1 }, received: 2, uncovered: 2 });
    // The whole month, read from the counters kept on write: the piece sent at 16:30 UTC on 31 March is April's.
    const wholeApril = await counts('office', { from: '2027-04-01', to: '2027-04-30' });
    expect(wholeApril.body.items).toEqual([expect.objectContaining({ received: 2, uncovered: 2 })]);
    expect(
      await t.dataSource.query(
        `SELECT to_char(n.month, 'YYYY-MM-DD') AS month, n.received FROM dispatch_count n
           JOIN dispatch_delivery v ON v.community_id = n.community_id AND v.department_id = n.department_id
          WHERE v.id = $1 AND n.month >= '2027-03-01'`,
        [aprilPiece],
      ),
    ).toEqual([
      { month: '2027-03-01', received: 3 },
      { month: '2027-04-01', received: 2 },
    ]);
    const both = await counts('office', { from: '2027-03-01', to: '2027-04-30', community: C1 });
    expect(both.body.items).toHaveLength(1);
    expect(both.body.items[0]).toMatchObject({ received: 6, uncoveredByReason: { 'no-admitted-item': 3 } });
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
      // What to type here: a code or id (the route takes no name, unlike the searches that do).
      if (code === 'COMMUNITY_NOT_FOUND') expect(res.body.error.message).toContain('不能只填名称');
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

  /**
   * The counts kept on write (dispatch_count, migration 1797300000000): after a random mix of work through the
   * API and of hand-written statements, the counters equal an aggregate of the pieces, and the route (whole months
   * from the counters, edges from the pieces) answers what a direct aggregate over the pieces answers.
   */
  describe('counters kept on write', () => {
    type Row = Record<string, unknown>;
    const PLAIN = [
      'received',
      'covered',
      'refused',
      'contested',
      'upheld',
      'overturned',
      'withdrawn',
      'done',
    ];
    const COUNTED = `count(*)::int AS received, count(*) FILTER (WHERE v.covered)::int AS covered,
      count(*) FILTER (WHERE v.refused_at IS NOT NULL)::int AS refused,
      count(*) FILTER (WHERE v.dispute_state IS NOT NULL)::int AS contested,
      count(*) FILTER (WHERE v.dispute_state = 'upheld')::int AS upheld,
      count(*) FILTER (WHERE v.dispute_state = 'overturned')::int AS overturned,
      count(*) FILTER (WHERE v.state = 'withdrawn')::int AS withdrawn,
      count(*) FILTER (WHERE v.state = 'done')::int AS done,
      coalesce(sum(v.hours_spent) FILTER (WHERE v.state = 'done'), 0)::float8 AS hours`;
    const UNCOVERED = REASON_CODES.filter((c) => c !== 'covered');

    /** Every counter row but the empty ones, beside the same figures aggregated from the pieces by month. */
    const expectCountersEqualPieces = async () => {
      const columns = [...PLAIN, ...UNCOVERED.map((c) => c.replace(/-/g, '_'))];
      const counters: Row[] = await t.dataSource.query(
        `SELECT community_id, to_char(month, 'YYYY-MM-DD') AS month, department_id, ${columns.join(', ')},
                hours::float8 AS hours
           FROM dispatch_count WHERE received <> 0 OR hours <> 0 ORDER BY community_id, month, department_id`,
      );
      const pieces: Row[] = await t.dataSource.query(
        `SELECT v.community_id, to_char(date_trunc('month', v.sent_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD') AS month,
                v.department_id, ${COUNTED},
                ${UNCOVERED.map((c) => `count(*) FILTER (WHERE NOT v.covered AND v.reason_code = '${c}')::int AS ${c.replace(/-/g, '_')}`).join(', ')}
           FROM dispatch_delivery v GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      );
      expect(counters.length).toBeGreaterThan(10);
      expect(counters).toEqual(pieces);
      const negative = columns.map((c) => `${c} < 0`).join(' OR ');
      expect(await t.dataSource.query(`SELECT * FROM dispatch_count WHERE ${negative} OR hours < 0`)).toEqual(
        [],
      );
    };

    /** What the route must answer over the area of unit `areaCode` and the China days [from, to], from the pieces. */
    const direct = async (
      areaCode: string,
      from: string,
      to: string,
      by: 'community' | 'department',
      department: string | null = null,
    ) => {
      const params = [`${from}T00:00:00+08:00`, `${addDays(to, 1)}T00:00:00+08:00`, areaCode, department];
      const key = by === 'department' ? 'v.department_id' : 'v.community_id';
      const where = `FROM dispatch_delivery v JOIN org_unit c ON c.id = v.community_id
          JOIN org_unit area ON area.code = $3 JOIN org_unit u ON u.id = ${key}
         WHERE v.sent_at >= $1::timestamptz AND v.sent_at < $2::timestamptz AND starts_with(c.path, area.path)
           AND ($4::text IS NULL OR v.department_id = (SELECT id FROM org_unit WHERE code = $4))`;
      const rows: Row[] = await t.dataSource.query(
        `SELECT u.code, ${COUNTED} ${where} GROUP BY u.code ORDER BY u.code COLLATE "C"`,
        params,
      );
      const reasons: { code: string; reason_code: string; n: number }[] = await t.dataSource.query(
        `SELECT u.code, v.reason_code, count(*)::int AS n ${where} AND NOT v.covered GROUP BY 1, 2`,
        params,
      );
      return rows.map(({ code, ...r }) => ({
        code,
        ...r,
        uncovered: (r.received as number) - (r.covered as number),
        uncoveredByReason: Object.fromEntries(
          reasons.filter((x) => x.code === code).map((x) => [x.reason_code, x.n]),
        ),
      }));
    };
    const viaRoute = async (user: string, from: string, to: string, by: 'community' | 'department') => {
      const res = await counts(user, { from, to, by, pageSize: 200 });
      expect([from, to, by, res.status]).toEqual([from, to, by, 200]);
      return (res.body.items as { unit: { code: string } }[]).map(({ unit: u, ...r }) => ({
        code: u.code,
        ...r,
      }));
    };
    const PERIODS: [string, string, string][] = [
      ['whole months', '2027-06-01', '2027-08-31'],
      ['partial edges read from the pieces', '2027-05-17', '2027-09-12'],
      ['partial edges read as whole months less the days outside', '2027-05-03', '2027-10-28'],
      ['one day', '2027-07-20', '2027-07-20'],
      ['inside one month, as the month less both ends', '2027-07-04', '2027-07-27'],
      ['across a year boundary', '2027-12-15', '2028-01-20'],
      ['from the first day of a month', '2027-07-01', '2027-09-20'],
      ['to the last day of a month', '2027-08-09', '2027-10-31'],
      ['a year', '2027-05-01', '2028-04-30'],
    ];
    const expectRouteEqualsPieces = async () => {
      for (const [, from, to] of PERIODS) {
        for (const [user, area] of [
          ['office', '339901'],
          ['street', '339901001'],
        ])
          expect(await viaRoute(user, from, to, 'community')).toEqual(
            await direct(area, from, to, 'community'),
          );
        expect(await viaRoute('office', from, to, 'department')).toEqual(
          await direct('339901', from, to, 'department'),
        );
      }
    };

    /** A deterministic random sequence (mulberry32). */
    const random = (() => {
      let a = 14;
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let x = Math.imul(a ^ (a >>> 15), 1 | a);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      };
    })();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const COMMITTEE: Record<string, string> = { [C1]: 'committee', [C2]: 'committee-2' };
    const sent: { dispatchId: string; community: string; piece: string; sender: string }[] = [];
    let pieceCount = 0;

    beforeAll(async () => {
      // 36 dispatches from May 2027 to March 2028 at random hours (some late at night, China time), each to some
      // of C1–C4, with or without an item, from either department; each piece's fate drawn at random.
      let day = '2027-05-02';
      for (let n = 0; n < 36; n++) {
        day = addDays(day, 3 + Math.floor(random() * 9));
        moveClockTo(t, day).advance(
          Math.floor(random() * 14) * 3600_000 + Math.floor(random() * 60) * 60_000,
        );
        const sender = random() < 0.75 ? 'dept-staff' : 'dept2-staff';
        const targets = [C1, C2, C3, C4].filter(() => random() < 0.6);
        if (!targets.length) targets.push(pick([C1, C2]));
        const kind = pick(['item', 'item', 'none', 'barred']);
        const work = await send(
          {
            title: kind === 'barred' ? '招商引资任务分解' : `随机工作${n}`,
            dueDate: addDays(day, 30),
            ...(kind === 'item' ? { admittedItemId: followUp } : {}),
            targets: targets.map((c) => unit[c]),
          },
          sender,
        );
        for (const c of targets) {
          const piece = work.pieces[unit[c]];
          sent.push({ dispatchId: work.id, community: c, piece, sender });
          pieceCount++;
          const fate = random();
          const committee = COMMITTEE[c];
          if (fate < 0.15) continue;
          if (!committee || fate >= 0.8) {
            if (random() < 0.5) {
              const res = await t
                .http()
                .post(`/dispatches/${work.id}/withdraw`)
                .set(await auth(sender))
                .send({ communityIds: [unit[c]] });
              expect(res.status).toBe(200);
            }
            continue;
          }
          if (fate < 0.3) await onPiece(committee, piece, 'accept');
          else if (fate < 0.5) {
            if (random() < 0.5) await onPiece(committee, piece, 'accept');
            await onPiece(committee, piece, 'done', { hours: 0.5 * (1 + Math.floor(random() * 12)) });
          } else {
            await onPiece(committee, piece, 'refuse', { note: '不属于社区职责' });
            if (random() < 0.5) continue;
            const res = await t
              .http()
              .post(`/dispatches/${work.id}/contest`)
              .set(await auth(sender))
              .send({ communityId: unit[c], argument: '属于协助事项', basis: '《有关规定》' });
            expect(res.status).toBe(200);
            const id = (res.body.deliveries as { communityId: string; disputeInstanceId: string }[]).find(
              (d) => d.communityId === unit[c],
            )!.disputeInstanceId;
            const ruling = random();
            if (ruling < 0.2) continue; // still with the street
            if (ruling < 0.5) {
              expect((await actOnCase(t, 'street', id, 'streetMediate', { decision: 'uphold' })).status).toBe(
                200,
              );
              continue;
            }
            expect((await actOnCase(t, 'street', id, 'streetMediate', { decision: 'refer' })).status).toBe(
              200,
            );
            const decision = ruling < 0.75 ? 'uphold' : 'overturn';
            expect(
              (await actOnCase(t, 'office', id, 'officeRule', { decision, comment: '依据有关规定' })).status,
            ).toBe(200);
          }
        }
      }
      // Later, work of earlier months is finished: counters of past months change.
      for (const s of sent.filter((x) => COMMITTEE[x.community]).slice(0, 20)) {
        const res = await t
          .http()
          .post(`/my-community/received-work/${s.piece}/done`)
          .set(await auth(COMMITTEE[s.community]))
          .send({ hours: 2.5 });
        expect([200, 409]).toContain(res.status);
      }
    });

    it('given a random mix of sends, accepts, done work with hours, refusals, contests, rulings and withdrawals, then the counters equal the pieces and the route equals a direct aggregate over every kind of period', async () => {
      expect(pieceCount).toBeGreaterThan(60);
      const states: { state: string; n: number }[] = await t.dataSource.query(
        `SELECT coalesce(dispute_state, state) AS state, count(*)::int AS n FROM dispatch_delivery
          WHERE sent_at >= '2027-05-01' GROUP BY 1`,
      );
      // The mix holds every fate.
      expect(states.map((s) => s.state).sort()).toEqual(
        expect.arrayContaining([
          'accepted',
          'done',
          'overturned',
          'received',
          'refused',
          'street',
          'upheld',
          'withdrawn',
        ]),
      );
      await expectCountersEqualPieces();
      await expectRouteEqualsPieces();
      // One community and one department's work: the row of the department's pieces only.
      const one = await counts('office', {
        from: '2027-05-17',
        to: '2027-09-12',
        community: C2,
        department: '339901-WJ',
      });
      const only = await direct('339901', '2027-05-17', '2027-09-12', 'community', '339901-WJ');
      expect(
        one.body.items.map(({ unit: u, ...r }: { unit: { code: string } }) => ({ code: u.code, ...r })),
      ).toEqual(only.filter((r) => r.code === C2));
    });

    it('given hand-written statements over many pieces (moved across months, hours changed, copied, deleted, a rolled-back one), then the counters follow', async () => {
      await t.dataSource.query(
        `UPDATE dispatch_delivery SET sent_at = sent_at + interval '17 days'
          WHERE sent_at >= '2027-05-01' AND get_byte(uuid_send(id), 15) % 3 = 0`,
      );
      await t.dataSource.query(
        `UPDATE dispatch_delivery SET hours_spent = hours_spent + 1 WHERE state = 'done' AND get_byte(uuid_send(id), 14) % 2 = 0`,
      );
      await t.dataSource.query(
        `INSERT INTO dispatch_delivery (dispatch_id, community_id, department_id, due_date, sent_at, covered, reason_code,
                                        reasons, state, done_at, hours_spent, refused_at, dispute_state)
         SELECT d.id, v.community_id, v.department_id, v.due_date, v.sent_at - interval '40 days', v.covered, v.reason_code,
                v.reasons, v.state, v.done_at, v.hours_spent, v.refused_at, v.dispute_state
           FROM dispatch_delivery v CROSS JOIN LATERAL (SELECT id FROM dispatch ORDER BY sent_at LIMIT 1) d
          WHERE v.sent_at >= '2027-06-01' AND NOT EXISTS (
                SELECT 1 FROM dispatch_delivery w WHERE w.dispatch_id = d.id AND w.community_id = v.community_id)
            AND v.id IN (SELECT DISTINCT ON (community_id) id FROM dispatch_delivery WHERE sent_at >= '2027-06-01' ORDER BY community_id, id)`,
      );
      await t.dataSource.query(
        `DELETE FROM dispatch_delivery WHERE sent_at >= '2027-05-01' AND get_byte(uuid_send(id), 15) % 5 = 1`,
      );
      const before = await t.dataSource.query(`SELECT * FROM dispatch_count ORDER BY 1, 2, 3`);
      await expect(
        t.dataSource.transaction(async (m) => {
          await m.query(`UPDATE dispatch_delivery SET state = 'withdrawn' WHERE state <> 'withdrawn'`);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await t.dataSource.query(`SELECT * FROM dispatch_count ORDER BY 1, 2, 3`)).toEqual(before);
      await expectCountersEqualPieces();
      await expectRouteEqualsPieces();
    });

    it('given two transactions changing pieces of the same community and month at once, then no count is lost', async () => {
      const [first, second]: { piece: string }[] = await t.dataSource.query(
        `SELECT id AS piece FROM dispatch_delivery WHERE community_id = $1 AND department_id = $2 ORDER BY id LIMIT 2`,
        [unit[C3], unit['339901-WJ']],
      );
      const runner = async () => {
        const r = t.dataSource.createQueryRunner();
        await r.connect();
        await r.startTransaction();
        const [{ pid }] = await r.query('SELECT pg_backend_pid() AS pid');
        return { r, pid: pid as number };
      };
      /** Until `pid` waits for a lock (polled, no sleep). */
      const waiting = async (pid: number) => {
        for (let i = 0; i < 10_000; i++) {
          const rows = await t.dataSource.query(
            `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
            [pid],
          );
          if (rows.length) return;
        }
        throw new Error(`backend ${pid} never waited`);
      };
      // Both update pieces of C3 in the same month: the second waits for the first's counter row, then adds to it.
      await t.dataSource.query(
        `UPDATE dispatch_delivery SET sent_at = $2, state = 'received', hours_spent = NULL WHERE id = ANY($1::uuid[])`,
        [[first.piece, second.piece], '2028-06-10T02:00:00Z'],
      );
      const a = await runner();
      const b = await runner();
      try {
        await a.r.query(`UPDATE dispatch_delivery SET state = 'done', hours_spent = 2.5 WHERE id = $1`, [
          first.piece,
        ]);
        const late = b.r.query(
          `UPDATE dispatch_delivery SET state = 'done', hours_spent = 1.5 WHERE id = $1`,
          [second.piece],
        );
        await waiting(b.pid);
        await a.r.commitTransaction();
        await late;
        await b.r.commitTransaction();
        // Both create the counter row of a month without one: the second waits for the first's insert, then adds.
        await a.r.startTransaction();
        await b.r.startTransaction();
        const copy = `INSERT INTO dispatch_delivery (dispatch_id, community_id, department_id, due_date, sent_at, covered, reason_code, reasons)
           SELECT d.id, v.community_id, v.department_id, v.due_date, '2028-07-15T02:00:00Z', v.covered, v.reason_code, v.reasons
             FROM dispatch_delivery v, dispatch d WHERE v.id = $1 AND d.id = $2`;
        const [x, y]: { id: string }[] = await t.dataSource.query(
          `SELECT d.id FROM dispatch d
            WHERE NOT EXISTS (SELECT 1 FROM dispatch_delivery w WHERE w.dispatch_id = d.id AND w.community_id = $1)
            ORDER BY d.sent_at DESC LIMIT 2`,
          [unit[C3]],
        );
        await a.r.query(copy, [first.piece, x.id]);
        const second_ = b.r.query(copy, [first.piece, y.id]);
        await waiting(b.pid);
        await a.r.commitTransaction();
        await second_;
        await b.r.commitTransaction();
      } finally {
        for (const { r } of [a, b]) {
          if (r.isTransactionActive) await r.rollbackTransaction();
          await r.release();
        }
      }
      const [june] = await t.dataSource.query(
        `SELECT received, done, hours::float8 AS hours FROM dispatch_count WHERE community_id = $1 AND month = '2028-06-01'`,
        [unit[C3]],
      );
      expect(june).toMatchObject({ done: 2, hours: 4 });
      const july: { received: number }[] = await t.dataSource.query(
        `SELECT received FROM dispatch_count WHERE community_id = $1 AND month = '2028-07-01'`,
        [unit[C3]],
      );
      expect(july).toEqual([{ received: 2 }]);
      await expectCountersEqualPieces();
    });

    it('given pieces already sent when the migration runs, then its backfill counts them like the triggers do', async () => {
      // Equal values (a numeric's scale aside: 0.0 and 0 are the same hours).
      const all = () =>
        t.dataSource.query(
          `SELECT to_jsonb(n) - 'hours' || jsonb_build_object('hours', n.hours::float8) AS row
             FROM dispatch_count n WHERE received <> 0 OR hours <> 0 ORDER BY community_id, month, department_id`,
        );
      const before = await all();
      expect(before.length).toBeGreaterThan(10);
      const migration = new DispatchCounters1797300000000();
      const r = t.dataSource.createQueryRunner();
      await r.connect();
      try {
        await r.startTransaction();
        await migration.down(r);
        await migration.up(r);
        await r.commitTransaction();
      } finally {
        if (r.isTransactionActive) await r.rollbackTransaction();
        await r.release();
      }
      expect(await all()).toEqual(before);
      await expectCountersEqualPieces();
    });
  });
});
