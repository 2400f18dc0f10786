import { startTestApp, type TestApp } from './helpers/app.js';
import { act, openTask } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';

/**
 * Review of dispatched work and contested refusals (issue 14) as an attacker and as the parties: races made to
 * happen (refuse against withdraw, two contests at once), who may act on and see a dispute, odd input.
 */
describe('dispatch under attack: races, the dispute’s parties, odd input', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const [C1, C2] = ['339901001001', '339901001002'];
  const work = (over: Record<string, unknown> = {}) => ({
    kind: 'task',
    title: '张贴招商海报',
    content: '请在社区公告栏张贴。',
    dueDate: '2027-03-31',
    expectedHours: 2,
    targets: [unit[C1]],
    ...over,
  });
  const send = async (body: Record<string, unknown>) =>
    t
      .http()
      .post('/dispatches')
      .set(await auth('dept-staff'))
      .send(body);
  const refuse = async (piece: string) =>
    t
      .http()
      .post(`/my-community/received-work/${piece}/refuse`)
      .set(await auth('committee'))
      .send({});
  const contest = async (dispatchId: string) =>
    t
      .http()
      .post(`/dispatches/${dispatchId}/contest`)
      .set(await auth('dept-staff'))
      .send({ communityId: unit[C1], argument: '属于协助事项', basis: '《城市居民委员会组织法》第三条' });
  const dispatchCount = async () =>
    Number((await t.dataSource.query('SELECT count(*) AS n FROM dispatch'))[0].n);

  /** Sends uncovered work to C1, the committee refuses it, the department contests: the dispatch and its case. */
  async function contested(title: string) {
    const d = await send(work({ title }));
    expect(d.status).toBe(201);
    expect((await refuse(d.body.deliveries[0].id)).status).toBe(200);
    const c = await contest(d.body.id);
    expect(c.status).toBe(200);
    return {
      dispatchId: d.body.id as string,
      piece: d.body.deliveries[0].id as string,
      instanceId: c.body.deliveries[0].disputeInstanceId as string,
    };
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    // The street office of the other street of the district (朝阳街道).
    await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT 'street-2', '朝阳街道办事处', password_hash, (SELECT id FROM org_unit WHERE code = '339901002'), roles
         FROM app_user WHERE username = 'street'`,
    );
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  it('given the committee refuses while the department withdraws at the same moment, then the piece ends in one consistent state: refused then withdrawn (its refusal kept), or withdrawn and the refusal answers 409', async () => {
    for (let round = 0; round < 3; round++) {
      const d = await send(work({ title: `同时拒绝与撤回 ${round}`, targets: [unit[C1], unit[C2]] }));
      const piece = d.body.deliveries.find((x: { communityId: string }) => x.communityId === unit[C1]).id;
      const [r, w] = await Promise.all([
        refuse(piece),
        t
          .http()
          .post(`/dispatches/${d.body.id}/withdraw`)
          .set(await auth('dept-staff'))
          .send({}),
      ]);
      expect(w.status).toBe(200);
      expect(w.body.counts).toMatchObject({ withdrawn: 2, received: 0, refused: 0 });
      const [row] = await t.dataSource.query(
        `SELECT state, refused_at FROM dispatch_delivery WHERE id = $1`,
        [piece],
      );
      expect(row.state).toBe('withdrawn');
      if (r.status === 200) expect(row.refused_at).not.toBeNull();
      else {
        expect(r.status).toBe(409);
        expect(r.body.error.code).toBe('DISPATCH_WITHDRAWN');
        expect(row.refused_at).toBeNull();
      }
    }
  });

  it('given a refusal with the district office, when the office’s overturn commits between the committee’s second refusal reading the piece and writing it, then the refusal answers 409 DISPUTE_ALREADY_RULED and the work stands', async () => {
    const { piece, instanceId } = await contested('拒绝与改判同时');
    expect((await act(t, 'street', instanceId, 'streetMediate', { decision: 'refer' })).status).toBe(200);
    // The refusal reads the piece (refused, with the office); as it opens its transaction to write, the office
    // overturns the refusal and that commits first (the piece is accepted again).
    const ds = t.dataSource as unknown as { transaction: (...a: unknown[]) => Promise<unknown> };
    const original = ds.transaction;
    let ruling: number | undefined;
    ds.transaction = async function (this: unknown, ...args: unknown[]) {
      ds.transaction = original;
      ruling = (
        await act(t, 'office', instanceId, 'officeRule', { decision: 'overturn', comment: '属于协助事项' })
      ).status;
      return original.apply(this, args);
    };
    try {
      const r = await refuse(piece);
      expect(ruling).toBe(200);
      expect([r.status, r.body.error?.code]).toEqual([409, 'DISPUTE_ALREADY_RULED']);
    } finally {
      ds.transaction = original;
    }
    const [row] = await t.dataSource.query(
      `SELECT state, dispute_state, refused_at, accepted_at FROM dispatch_delivery WHERE id = $1`,
      [piece],
    );
    expect(row).toMatchObject({ state: 'accepted', dispute_state: 'overturned' });
  });

  it('given a refused piece, when the department’s contest commits between its withdrawal reading the piece and writing it, then the withdrawal still ends the new dispute: the piece is withdrawn and the case terminated', async () => {
    const d = await send(work({ title: '撤回与异议同时' }));
    const piece = d.body.deliveries[0].id as string;
    expect((await refuse(piece)).status).toBe(200);
    // The withdrawal reads the pieces (refused, not contested); as it opens its transaction to write, the contest
    // commits first and starts a case.
    const ds = t.dataSource as unknown as { transaction: (...a: unknown[]) => Promise<unknown> };
    const original = ds.transaction;
    let contested: { status: number; body: { deliveries: { disputeInstanceId: string }[] } } | undefined;
    ds.transaction = async function (this: unknown, ...args: unknown[]) {
      ds.transaction = original;
      contested = await contest(d.body.id);
      return original.apply(this, args);
    };
    try {
      const w = await t
        .http()
        .post(`/dispatches/${d.body.id}/withdraw`)
        .set(await auth('dept-staff'))
        .send({});
      expect(w.status).toBe(200);
      expect(contested?.status).toBe(200);
      expect(w.body.deliveries[0]).toMatchObject({ state: 'withdrawn', disputeState: null });
    } finally {
      ds.transaction = original;
    }
    const instanceId = contested!.body.deliveries[0].disputeInstanceId;
    const [c] = await t.dataSource.query(`SELECT status FROM workflow_instance WHERE id = $1`, [instanceId]);
    expect(c.status).toBe('terminated');
    const open = await t.dataSource.query(
      `SELECT id FROM workflow_task WHERE instance_id = $1 AND status = 'open'`,
      [instanceId],
    );
    expect(open).toEqual([]);
  });

  it('given two contests of one refusal at the same moment, then one case starts and the other answers 409 DISPUTE_ALREADY_OPEN', async () => {
    const d = await send(work({ title: '同时两次异议' }));
    const piece = d.body.deliveries[0].id as string;
    expect((await refuse(piece)).status).toBe(200);
    const answers = await Promise.all([contest(d.body.id), contest(d.body.id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('DISPUTE_ALREADY_OPEN');
    const cases = await t.dataSource.query(
      `SELECT id FROM workflow_instance WHERE process_id = 'refusalDispute' AND business_key = $1`,
      [piece],
    );
    expect(cases).toHaveLength(1);
  });

  it('given a dispute with the street office of the community, then the office of another street has no task and cannot complete it', async () => {
    const { instanceId } = await contested('另一街道不得协调');
    const task = await openTask(t, 'street', instanceId, 'streetMediate');
    const foreign = await t
      .http()
      .post(`/tasks/${task}/complete`)
      .set(await auth('street-2'))
      .send({ decision: 'uphold' });
    expect(foreign.status).toBe(404);
    const [row] = await t.dataSource.query(`SELECT status FROM workflow_task WHERE id = $1`, [task]);
    expect(row.status).toBe('open');
  });

  it('given a contested refusal, then the committee of the community sees the case’s history and diagram (both sides see each step); a committee of another community gets 404', async () => {
    const { instanceId } = await contested('双方可见争议过程');
    for (const path of ['', '/history', '/diagram']) {
      const mine = await t
        .http()
        .get(`/workflow-instances/${instanceId}${path}`)
        .set(await auth('committee'));
      expect(mine.status).toBe(200);
      const other = await t
        .http()
        .get(`/workflow-instances/${instanceId}${path}`)
        .set(await auth('committee-2'));
      expect(other.status).toBe(404);
      expect(other.body.error.code).toBe('INSTANCE_NOT_FOUND');
    }
    const history = await t
      .http()
      .get(`/workflow-instances/${instanceId}/history`)
      .set(await auth('committee'));
    expect(
      history.body.items.some((h: { elementId: string | null }) => h.elementId === 'streetMediate'),
    ).toBe(true);
  });

  it('given blank words (a contest’s argument or basis, a dispatch’s title or content of spaces only), then 400 naming each field and nothing changes', async () => {
    const before = await dispatchCount();
    const blank = await send(work({ title: '   ', content: ' \u3000 ' }));
    expect(blank.status).toBe(400);
    expect(blank.body.error.details.map((x: { field: string }) => x.field).sort()).toEqual([
      'content',
      'title',
    ]);
    expect(await dispatchCount()).toBe(before);
    const d = await send(work({ title: '空白异议' }));
    const piece = d.body.deliveries[0].id as string;
    expect((await refuse(piece)).status).toBe(200);
    const res = await t
      .http()
      .post(`/dispatches/${d.body.id}/contest`)
      .set(await auth('dept-staff'))
      .send({ communityId: unit[C1], argument: ' \u200b ', basis: '\u3000\u2060' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((x: { field: string }) => x.field).sort()).toEqual([
      'argument',
      'basis',
    ]);
    const [row] = await t.dataSource.query(`SELECT dispute_state FROM dispatch_delivery WHERE id = $1`, [
      piece,
    ]);
    expect(row.dispute_state).toBeNull();
  });

  it('given a report the community already fills for an earlier dispatch citing no item, when another report without an item asks the same field, then it is flagged duplicate-report-field (数据一次采集)', async () => {
    const report = (title: string, reportFields: string[]) =>
      work({ kind: 'report', title, reportFields, targets: [unit[C2]], dueDate: '2027-04-30' });
    expect((await send(report('辖区户籍人口统计', ['户籍人口', '联系电话']))).status).toBe(201);
    const second = await t
      .http()
      .post('/dispatches')
      .set(await auth('dept2-staff'))
      .send(report('住房情况摸底', ['户籍人口', '住房面积']));
    expect(second.status).toBe(201);
    const reasons = second.body.deliveries[0].reasons as { code: string; message: string }[];
    const dup = reasons.find((r) => r.code === 'duplicate-report-field');
    expect(dup?.message).toContain('户籍人口');
    expect(dup?.message).not.toContain('住房面积');
  });

  it('given an idempotency key used again with another certificate, other expected hours or another meeting place, then 409 DISPATCH_IDEMPOTENCY_KEY_REUSED, not the earlier dispatch', async () => {
    const stamp = work({ kind: 'stamp', certificateName: '居住证明', idempotencyKey: 'review-stamp' });
    const first = await send(stamp);
    expect(first.status).toBe(201);
    expect((await send(stamp)).status).toBe(200);
    for (const other of [
      { ...stamp, certificateName: '无犯罪记录证明' },
      { ...stamp, expectedHours: 8 },
      { ...stamp, targetPopulation: '辖区老年人' },
    ]) {
      const res = await send(other);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('DISPATCH_IDEMPOTENCY_KEY_REUSED');
    }
    const meeting = work({
      kind: 'meeting',
      meetingTime: '2027-03-20 09:30',
      meetingPlace: '区卫健委三楼会议室',
      idempotencyKey: 'review-meeting',
    });
    expect((await send(meeting)).status).toBe(201);
    const moved = await send({ ...meeting, meetingPlace: '区政府一楼大厅' });
    expect(moved.status).toBe(409);
  });

  it('given the office terminates a dispute’s case (终止) without a ruling, then the piece is no longer shown as contested and the department may contest the refusal again', async () => {
    const { dispatchId, instanceId } = await contested('争议案件被终止');
    const ended = await t
      .http()
      .post(`/workflow-instances/${instanceId}/terminate`)
      .set(await auth('office'))
      .send({ comment: '双方已线下协商' });
    expect(ended.status).toBe(200);
    const [row] = await t.dataSource.query(
      `SELECT state, dispute_state FROM dispatch_delivery WHERE dispatch_id = $1`,
      [dispatchId],
    );
    expect(row).toEqual({ state: 'refused', dispute_state: null });
    const again = await contest(dispatchId);
    expect(again.status).toBe(200);
    expect(again.body.deliveries[0].disputeState).toBe('street');
    expect(again.body.deliveries[0].disputeInstanceId).not.toBe(instanceId);
  });

  it('given odd input (2027-02-30, 2001 targets, 2000 unknown units), then 400 or 404 naming the problem, and nothing is sent', async () => {
    const before = await dispatchCount();
    const feb30 = await send(work({ dueDate: '2027-02-30' }));
    expect(feb30.status).toBe(400);
    expect(feb30.body.error.details[0].field).toBe('dueDate');
    const ids = Array.from({ length: 2000 }, () => crypto.randomUUID());
    const unknown = await send(work({ targets: [unit[C1], ...ids.slice(1)] }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNIT_NOT_FOUND');
    const tooMany = await send(work({ targets: [...ids, crypto.randomUUID()] }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0].field).toBe('targets');
    expect(await dispatchCount()).toBe(before);
  });
});
