import { startTestApp, type TestApp } from './helpers/app.js';
import { act, historyActions, inboxOf, instanceStatus } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import {
  COMMITTEE_OF,
  contestRefusal,
  disputeCaseOf,
  refusePiece,
  sendUncovered,
} from './helpers/dispatch.js';
import { fireTimersOf } from './helpers/timers.js';

/**
 * Contested refusals (拒绝争议, seed 002 §4; workflows/refusal-dispute.bpmn): the department contests a committee's
 * refusal; the street office mediates within 5 working days; unsettled or out of time, the district office rules —
 * upheld (the work is closed) or overturned (the work stands, with its legal basis).
 */
describe('contested refusals: the street office mediates, the district office rules', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const [C1, C2, C3] = ['339901001001', '339901001002', '339901001003'];

  /**
   * Sends uncovered work to the communities; the committees of `refusing` refuse it; answers the dispatch and
   * each community's piece.
   */
  async function refused(title: string, targets = [C1], refusing = [C1]) {
    const sent = await sendUncovered(
      t,
      title,
      targets.map((code) => unit[code]),
    );
    const pieceIn = (code: string) => sent.pieceIn(unit[code]);
    for (const code of refusing)
      expect((await refusePiece(t, COMMITTEE_OF[code], pieceIn(code))).status).toBe(200);
    return { dispatchId: sent.dispatchId, piece: pieceIn(targets[0]), pieceIn };
  }
  const contest = (dispatchId: string, user = 'dept-staff', community = C1) =>
    contestRefusal(t, dispatchId, unit[community], user);
  /** Contests the refusals of these communities; answers each one's case. */
  async function contested(dispatchId: string, codes: string[]): Promise<string[]> {
    const cases: string[] = [];
    for (const code of codes) {
      const c = await contest(dispatchId, 'dept-staff', code);
      expect(c.status).toBe(200);
      cases.push(disputeCaseOf(c, unit[code]));
    }
    return cases;
  }
  const pieceOf = async (dispatchId: string) =>
    (
      await t
        .http()
        .get(`/dispatches/${dispatchId}`)
        .set(await auth('dept-staff'))
    ).body.deliveries[0] as Record<string, unknown>;
  const inboxPiece = async (piece: string) =>
    (
      await t
        .http()
        .get('/my-community/received-work')
        .query({ pageSize: 200 })
        .set(await auth('committee'))
    ).body.items.find((x: { id: string }) => x.id === piece) as Record<string, unknown>;

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a refusal contested, when the street office settles it as upheld, then the work is closed, both sides see it, and contesting again answers 409', async () => {
    const { dispatchId, piece } = await refused('张贴招商引资海报');
    const res = await contest(dispatchId);
    expect(res.status).toBe(200);
    const d = res.body.deliveries[0];
    expect(d).toMatchObject({
      state: 'refused',
      disputeState: 'street',
      disputeBasis: '《基本公共卫生服务规范》第三条',
    });
    const again = await contest(dispatchId);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DISPUTE_ALREADY_OPEN');
    expect(
      (await act(t, 'street', d.disputeInstanceId, 'streetMediate', { decision: 'uphold' })).status,
    ).toBe(200);
    expect(await pieceOf(dispatchId)).toMatchObject({
      state: 'refused',
      disputeState: 'upheld',
      disputeRuledBy: 'street',
    });
    expect(await inboxPiece(piece)).toMatchObject({ state: 'refused', disputeState: 'upheld' });
    expect(await instanceStatus(t, d.disputeInstanceId)).toBe('completed');
    const after = await contest(dispatchId);
    expect(after.status).toBe(409);
    expect(after.body.error.code).toBe('DISPUTE_ALREADY_RULED');
  });

  it('given the street office refers it, when the district office overturns it with its legal basis, then the work stands (accepted again) and the committee may not refuse it again', async () => {
    const { dispatchId, piece } = await refused('慢病随访补录');
    const d = (await contest(dispatchId)).body.deliveries[0];
    expect((await act(t, 'street', d.disputeInstanceId, 'streetMediate', { decision: 'refer' })).status).toBe(
      200,
    );
    expect(await pieceOf(dispatchId)).toMatchObject({ disputeState: 'office' });
    const bare = await act(t, 'office', d.disputeInstanceId, 'officeRule', { decision: 'overturn' });
    expect(bare.status).toBe(400);
    // A basis of characters nobody sees (zero-width, word joiner, Hangul filler) is no basis either.
    for (const comment of ['\u200b', '\u200b\u2060', '\u3164'])
      expect([
        comment,
        (await act(t, 'office', d.disputeInstanceId, 'officeRule', { decision: 'overturn', comment })).status,
      ]).toEqual([comment, 400]);
    const ruled = await act(t, 'office', d.disputeInstanceId, 'officeRule', {
      decision: 'overturn',
      comment: '依据《基本公共卫生服务规范》，慢病随访属社区协助的公共卫生工作',
    });
    expect(ruled.status).toBe(200);
    expect(await pieceOf(dispatchId)).toMatchObject({
      state: 'accepted',
      disputeState: 'overturned',
      disputeRuledBy: 'office',
      disputeRuling: '依据《基本公共卫生服务规范》，慢病随访属社区协助的公共卫生工作',
    });
    const refuse = await t
      .http()
      .post(`/my-community/received-work/${piece}/refuse`)
      .set(await auth('committee'))
      .send({ reasonCode: 'no-admitted-item' });
    expect(refuse.status).toBe(409);
    expect(refuse.body.error.code).toBe('DISPUTE_ALREADY_RULED');
    expect((await inboxPiece(piece)).state).toBe('accepted');
  });

  it('given the street office lets its 5 working days run out, then the case goes to the district office by itself, which upholds the refusal', async () => {
    const { dispatchId } = await refused('社区环境整治责任书');
    const d = (await contest(dispatchId)).body.deliveries[0];
    // Contested on Monday 2027-03-01: five working days end with Monday 03-08 (24:00 China time).
    const timers: { fire_at: Date }[] = await t.dataSource.query(
      `SELECT fire_at FROM workflow_timer WHERE instance_id = $1 AND kind = 'bpmn' AND fired_at IS NULL`,
      [d.disputeInstanceId],
    );
    expect(timers.map((x) => new Date(x.fire_at).toISOString())).toEqual(['2027-03-08T16:00:00.000Z']);
    expect(await fireTimersOf(t, d.disputeInstanceId)).toBe(1);
    expect(await pieceOf(dispatchId)).toMatchObject({ disputeState: 'office' });
    const history = await historyActions(t, d.disputeInstanceId);
    expect(history.some((h) => h.includes('officeRule'))).toBe(true);
    expect((await act(t, 'office', d.disputeInstanceId, 'officeRule', { decision: 'uphold' })).status).toBe(
      200,
    );
    expect(await pieceOf(dispatchId)).toMatchObject({
      state: 'refused',
      disputeState: 'upheld',
      disputeRuledBy: 'office',
    });
  });

  const withdraw = async (dispatchId: string, body: Record<string, unknown> = {}) =>
    t
      .http()
      .post(`/dispatches/${dispatchId}/withdraw`)
      .set(await auth('dept-staff'))
      .send(body);
  const auditOf = async (action: string, entityId: string) =>
    (
      await t.dataSource.query(
        `SELECT data, actor_username FROM audit_record WHERE action = $1 AND entity_id = $2 ORDER BY seq`,
        [action, entityId],
      )
    ).map((r: { data: Record<string, unknown>; actor_username: string }) => ({
      by: r.actor_username,
      data: r.data,
    }));
  const streetTasksOf = async (instanceId: string) =>
    (await inboxOf(t, 'street')).filter((x) => x.instanceId === instanceId);

  it('given a refusal contested and with the street office, when the department withdraws the piece, then the case ends (terminated, audited), the street office’s task leaves its inbox, and the piece is withdrawn with no open dispute', async () => {
    const { dispatchId, piece } = await refused('防汛物资清点');
    const d = (await contest(dispatchId)).body.deliveries[0];
    expect(await streetTasksOf(d.disputeInstanceId)).toHaveLength(1);
    const withdrawn = await withdraw(dispatchId, { note: '改由街道统一安排' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.deliveries[0]).toMatchObject({
      state: 'withdrawn',
      disputeState: null,
      disputeInstanceId: d.disputeInstanceId,
      disputeArgument: '属于公共卫生协助事项',
    });
    expect(await instanceStatus(t, d.disputeInstanceId)).toBe('terminated');
    expect(await historyActions(t, d.disputeInstanceId)).toContain('instance.terminated');
    expect(await streetTasksOf(d.disputeInstanceId)).toEqual([]);
    expect(await auditOf('dispatch.dispute-terminated', piece)).toEqual([
      {
        by: 'dept-staff',
        data: { instanceId: d.disputeInstanceId, reason: '部门撤回了这项工作：改由街道统一安排' },
      },
    ]);
    expect(await auditOf('dispatch.withdrawn', dispatchId)).toEqual([
      { by: 'dept-staff', data: { communityIds: [unit[C1]], note: '改由街道统一安排' } },
    ]);
    expect(await inboxPiece(piece)).toMatchObject({ state: 'withdrawn', disputeState: null });
    // The case is over: the street office has nothing to act on, and a withdrawn piece is not contested again.
    const late = await contest(dispatchId);
    expect([late.status, late.body.error.code]).toEqual([409, 'DISPUTE_WORK_WITHDRAWN']);
  });

  it('given two communities’ refusals contested (one with the street office, one with the district office) and a third piece open, when the department withdraws the whole dispatch, then every piece is withdrawn and both cases end', async () => {
    const { dispatchId } = await refused('三个社区的防汛排查', [C1, C2, C3], [C1, C2]);
    const cases = await contested(dispatchId, [C1, C2]);
    expect((await act(t, 'street', cases[1], 'streetMediate', { decision: 'refer' })).status).toBe(200);
    const withdrawn = await withdraw(dispatchId);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.counts).toMatchObject({ total: 3, withdrawn: 3 });
    expect(withdrawn.body.deliveries.map((x: { disputeState: string | null }) => x.disputeState)).toEqual([
      null,
      null,
      null,
    ]);
    for (const id of cases) expect(await instanceStatus(t, id)).toBe('terminated');
    expect(await inboxOf(t, 'office')).not.toContainEqual(expect.objectContaining({ instanceId: cases[1] }));
    const audited = (await auditOf('dispatch.withdrawn', dispatchId)).flatMap(
      (r: { data: Record<string, unknown> }) => r.data.communityIds as string[],
    );
    expect(audited.sort()).toEqual([unit[C1], unit[C2], unit[C3]].sort());
  });

  it('given two refusals contested, one of whose cases the office has suspended, when the department withdraws the dispatch, then 409 DISPATCH_DISPUTE_SUSPENDED and nothing is withdrawn; once resumed, the withdrawal ends both cases', async () => {
    const { dispatchId } = await refused('挂起中的争议不能撤回', [C1, C2], [C1, C2]);
    const cases = await contested(dispatchId, [C1, C2]);
    const office = async (op: 'suspend' | 'resume') =>
      (
        await t
          .http()
          .post(`/workflow-instances/${cases[1]}/${op}`)
          .set(await auth('office'))
          .send({ comment: '核实情况' })
      ).status;
    expect(await office('suspend')).toBe(200);
    const held = await withdraw(dispatchId);
    expect([held.status, held.body.error?.code, held.body.error?.details]).toEqual([
      409,
      'DISPATCH_DISPUTE_SUSPENDED',
      { communityId: unit[C2] },
    ]);
    expect((await pieceOf(dispatchId)).state).toBe('refused');
    expect(await instanceStatus(t, cases[0])).toBe('active');
    expect(await office('resume')).toBe(200);
    const withdrawn = await withdraw(dispatchId);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.counts).toMatchObject({ total: 2, withdrawn: 2 });
    for (const id of cases) expect(await instanceStatus(t, id)).toBe('terminated');
  });

  it('given a piece recorded withdrawn while its dispute is still open (a withdrawal from before withdrawals ended the dispute), when the office overturns the refusal, then the piece stays withdrawn', async () => {
    const { dispatchId, piece } = await refused('防汛物资盘点');
    const d = (await contest(dispatchId)).body.deliveries[0];
    await t.dataSource.query(
      `UPDATE dispatch_delivery SET state = 'withdrawn', withdrawn_at = now() WHERE id = $1`,
      [piece],
    );
    expect((await act(t, 'street', d.disputeInstanceId, 'streetMediate', { decision: 'refer' })).status).toBe(
      200,
    );
    const ruled = await act(t, 'office', d.disputeInstanceId, 'officeRule', {
      decision: 'overturn',
      comment: '属于防汛协助工作',
    });
    expect(ruled.status).toBe(200);
    expect(await pieceOf(dispatchId)).toMatchObject({ state: 'withdrawn', disputeState: 'overturned' });
  });

  it('given a piece not refused, or another department’s dispatch, then 409 DISPUTE_NOT_REFUSED and 404', async () => {
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
    const open = await contest(d.body.id);
    expect(open.status).toBe(409);
    expect(open.body.error.code).toBe('DISPUTE_NOT_REFUSED');
    const other = await contest(d.body.id, 'dept2-staff');
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('DISPATCH_NOT_FOUND');
  });
});
