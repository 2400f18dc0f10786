import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, openTask } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import { contestRefusal, disputeCaseOf, refusePiece, sendUncovered } from './helpers/dispatch.js';

/**
 * The dispute pages' reads (拒绝争议, issue 14 §6): `GET /disputes` and `GET /disputes/:deliveryId`. The street
 * office, the district office and the city office see the contested refusals of the communities in their area,
 * the department its own, the committee its own; everyone else gets an empty list and 404.
 */
describe('the contested refusals the street and the district office work (GET /disputes)', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const C1 = '339901001001';
  const C2 = '339901001002';

  interface Row {
    deliveryId: string;
    dispatchId: string;
    title: string;
    disputeState: string | null;
    instanceId: string;
    openTaskId: string | null;
    ruling: { by: string; at: string; text: string | null } | null;
    [field: string]: unknown;
  }
  const list = async (user: string, query: Record<string, unknown> = {}) => {
    const res = await t
      .http()
      .get('/disputes')
      .query({ pageSize: 200, ...query })
      .set(await auth(user));
    expect(res.status).toBe(200);
    return res.body as { items: Row[]; total: number; page: number; pageSize: number };
  };
  const one = async (user: string, id: string) =>
    t
      .http()
      .get(`/disputes/${id}`)
      .set(await auth(user));

  /** Sends uncovered work to a community; its committee refuses it; the department contests the refusal. */
  async function contested(title: string, code = C1, committee = 'committee') {
    const { dispatchId, pieceIn } = await sendUncovered(t, title, [unit[code]]);
    const piece = pieceIn(unit[code]);
    expect((await refusePiece(t, committee, piece, '社区无此职责')).status).toBe(200);
    const c = await contestRefusal(t, dispatchId, unit[code]);
    expect(c.status).toBe(200);
    // The next contest is a minute later (the list is newest first).
    t.app.get(Clock).advance(60_000);
    return { dispatchId, piece, instanceId: disputeCaseOf(c, unit[code]) };
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    // The other district's office and department, and the other street of the district.
    await t.dataSource.query(
      `WITH d2 AS (SELECT id, path FROM org_unit WHERE code = '339902'), f AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_unit (id, code, name, kind, parent_id, path)
       SELECT f.id, '339902-LGO', '西山区领导小组办公室', 'LEADING_GROUP_OFFICE', d2.id, d2.path || f.id || '/' FROM d2, f`,
    );
    await t.dataSource.query(
      `WITH d2 AS (SELECT id, path FROM org_unit WHERE code = '339902'), f AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_unit (id, code, name, kind, parent_id, path)
       SELECT f.id, '339902-WJ', '西山区卫生健康委员会', 'DEPARTMENT', d2.id, d2.path || f.id || '/' FROM d2, f`,
    );
    for (const [username, name, code, like] of [
      ['office-d2', '西山区领导小组办公室', '339902-LGO', 'office'],
      ['dept-d2', '西山区卫健委经办人', '339902-WJ', 'dept-staff'],
      ['street-2', '朝阳街道办事处', '339901002', 'street'],
    ])
      await t.dataSource.query(
        `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
         SELECT $1, $2, password_hash, (SELECT id FROM org_unit WHERE code = $3), roles
           FROM app_user WHERE username = $4`,
        [username, name, code, like],
      );
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a contested refusal, then the street office, the district and city office, the department and the committee see it with its fields, and only the street office has its open task', async () => {
    const { dispatchId, piece, instanceId } = await contested('张贴健康宣传海报');
    const streetTask = await openTask(t, 'street', instanceId, 'streetMediate');
    for (const user of ['street', 'office', 'city-office', 'dept-staff', 'committee']) {
      const row = (await list(user)).items.find((r) => r.deliveryId === piece);
      expect({ user, row }).toMatchObject({
        user,
        row: {
          deliveryId: piece,
          dispatchId,
          title: '张贴健康宣传海报',
          kind: 'task',
          department: { id: unit['339901-WJ'], name: '东湖区卫生健康委员会' },
          community: { id: unit[C1], name: '杏花社区', code: C1 },
          refusal: {
            reasonCode: 'no-admitted-item',
            note: '社区无此职责',
            refusedAt: expect.stringMatching(/^2027-03-01T02:0/),
          },
          contest: {
            argument: '属于公共卫生协助事项',
            basis: '《基本公共卫生服务规范》第三条',
            disputedAt: expect.stringMatching(/^2027-03-01T02:0/),
          },
          disputeState: 'street',
          // Five working days from Monday 2027-03-01: Monday 03-08, 24:00 China time.
          streetDeadline: '2027-03-08T16:00:00.000Z',
          ruling: null,
          instanceId,
          openTaskId: user === 'street' ? streetTask : null,
        },
      });
      expect((row!.refusal as { rule: string }).rule).toContain('第4条');
    }
    const detail = await one('street', piece);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      deliveryId: piece,
      content: '请在社区公告栏张贴。',
      dueDate: '2027-03-31',
      expectedHours: 2,
      state: 'refused',
      covered: false,
      reasonCode: 'no-admitted-item',
      admissionNumber: null,
      openTaskId: streetTask,
      streetDeadline: '2027-03-08T16:00:00.000Z',
    });
    expect(detail.body.reasons[0]).toMatchObject({ code: 'no-admitted-item' });
    expect(detail.body.reasons[0].rule).toContain('第4条');
    expect((await one('dept-staff', piece)).body.openTaskId).toBeNull();
  });

  it('given a dispute in one community, then another district’s office, department and committee, another street, another department and another committee of the street get an empty list and 404', async () => {
    const { piece } = await contested('社区环境整治责任书');
    for (const user of ['office-d2', 'dept-d2', 'committee-d2', 'street-2', 'dept2-staff', 'committee-2']) {
      const body = await list(user);
      expect({ user, items: body.items, total: body.total }).toEqual({ user, items: [], total: 0 });
      const res = await one(user, piece);
      expect({ user, status: res.status, code: res.body.error?.code }).toEqual({
        user,
        status: 404,
        code: 'DISPUTE_NOT_FOUND',
      });
    }
  });

  it('given a malformed id, a piece never contested or a missing one, then 404 DISPUTE_NOT_FOUND; a bad state or page size 400 naming the field; a user without dispute:read 403', async () => {
    const d = await t
      .http()
      .post('/dispatches')
      .set(await auth('dept-staff'))
      .send({
        kind: 'task',
        title: '未拒绝的工作',
        content: '请张贴。',
        dueDate: '2027-03-31',
        expectedHours: 1,
        targets: [unit[C1]],
      });
    for (const id of ['not-a-uuid', d.body.deliveries[0].id, '00000000-0000-4000-8000-000000000000']) {
      const res = await one('street', id);
      expect({ id, status: res.status, code: res.body.error?.code }).toEqual({
        id,
        status: 404,
        code: 'DISPUTE_NOT_FOUND',
      });
    }
    for (const [query, field] of [
      [{ state: 'closed' }, 'state'],
      [{ pageSize: 0 }, 'pageSize'],
    ] as const) {
      const res = await t
        .http()
        .get('/disputes')
        .query(query)
        .set(await auth('office'));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((x: { field: string }) => x.field)).toContain(field);
    }
    const leader = await t
      .http()
      .get('/disputes')
      .set(await auth('leader'));
    expect(leader.status).toBe(403);
  });

  it('given the street office refers a dispute and the district office overturns it, then the office holds the open task meanwhile, and the state filter moves it from open to ruled with the ruling', async () => {
    const { piece, instanceId } = await contested('慢病随访补录');
    expect(
      (await act(t, 'street', instanceId, 'streetMediate', { decision: 'refer', comment: '协调不成' }))
        .status,
    ).toBe(200);
    const officeTask = await openTask(t, 'office', instanceId, 'officeRule');
    const atOffice = (await list('office', { state: 'open' })).items.find((r) => r.deliveryId === piece);
    expect(atOffice).toMatchObject({ disputeState: 'office', openTaskId: officeTask, ruling: null });
    expect((await list('street', { state: 'open' })).items.find((r) => r.deliveryId === piece)).toMatchObject(
      {
        disputeState: 'office',
        openTaskId: null,
      },
    );
    expect((await list('office', { state: 'ruled' })).items.some((r) => r.deliveryId === piece)).toBe(false);

    const basis = '依据《基本公共卫生服务规范》，慢病随访属社区协助的公共卫生工作';
    expect(
      (await act(t, 'office', instanceId, 'officeRule', { decision: 'overturn', comment: basis })).status,
    ).toBe(200);
    expect((await list('office', { state: 'open' })).items.some((r) => r.deliveryId === piece)).toBe(false);
    const ruled = (await list('street', { state: 'ruled' })).items.find((r) => r.deliveryId === piece);
    expect(ruled).toMatchObject({
      disputeState: 'overturned',
      openTaskId: null,
      ruling: { by: 'office', text: basis },
    });
    expect(ruled!.ruling!.at).toEqual(expect.stringMatching(/^2027-03-01T/));
    expect((await one('committee', piece)).body).toMatchObject({
      state: 'accepted',
      disputeState: 'overturned',
    });
    const all = await list('office', { state: 'all' });
    expect(all.items.some((r) => r.deliveryId === piece)).toBe(true);
    for (const r of (await list('office', { state: 'ruled' })).items)
      expect(['upheld', 'overturned']).toContain(r.disputeState);
    for (const r of (await list('office', { state: 'open' })).items)
      expect(['street', 'office']).toContain(r.disputeState);
  });

  it('given more disputes than a page, then the pages are newest first with the total, and a page past the end is empty with the total', async () => {
    await contested('防汛物资清点', C2, 'committee-2');
    await contested('社区消防演练');
    const all = await list('office');
    expect(all.total).toBe(all.items.length);
    expect(all.total).toBeGreaterThanOrEqual(5);
    const disputedAt = all.items.map((r) => (r.contest as { disputedAt: string }).disputedAt);
    expect([...disputedAt].sort().reverse()).toEqual(disputedAt);
    expect(all.items[0].title).toBe('社区消防演练');
    expect(all.items[1].title).toBe('防汛物资清点');

    const first = await list('office', { page: 1, pageSize: 2 });
    const second = await list('office', { page: 2, pageSize: 2 });
    expect(first).toMatchObject({ total: all.total, page: 1, pageSize: 2 });
    expect(second).toMatchObject({ total: all.total, page: 2, pageSize: 2 });
    expect([...first.items, ...second.items].map((r) => r.deliveryId)).toEqual(
      all.items.slice(0, 4).map((r) => r.deliveryId),
    );
    const past = await list('office', { page: 100, pageSize: 2 });
    expect(past).toMatchObject({ items: [], total: all.total });
    // The committee of 桃园 sees its own dispute only; the street sees both communities'.
    expect((await list('committee-2')).items.map((r) => r.title)).toEqual(['防汛物资清点']);
    expect((await list('street')).total).toBe(all.total);
  });
});
