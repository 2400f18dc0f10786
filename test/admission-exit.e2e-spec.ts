import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication } from './helpers/admission.js';
import { act, historyActions, inboxOf, instanceStatus } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import { fireTimersOf } from './helpers/timers.js';
import { FIXTURE_WORKFLOWS } from './helpers/workflow-fixtures.js';

/**
 * A quarterly residents' meeting without funding for these communities, in force from 2027-02-01 (far enough
 * ahead of the clock's first day for the lead time) to 2027-12-31.
 */
function meeting(communityIds: string[], title: string, over: Record<string, unknown> = {}) {
  return {
    kind: 'meeting',
    title,
    content: '每季度召开一次居民议事会。',
    statutoryArea: 'community_education',
    targetScope: 'list',
    targetCommunityIds: communityIds,
    authorizedContent: '组织议事会',
    targetPopulation: '居民代表',
    powers: '组织',
    startDate: '2027-02-01',
    endDate: '2027-12-31',
    workloadHoursPerMonth: 2,
    frequency: '每季度一次',
    fundingPerCommunityFen: 0,
    contactName: '张卫',
    contactPhone: '0571-88888888',
    ...over,
  };
}

describe('exit (准入退出): expiry, residents’ evaluation, joint determination, the leader’s approval and the office’s record', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const C1 = '339901001001';
  const C2 = '339901001002';

  /**
   * An item without funding (or with `fundingPerCommunityFen` per community), in force in C1 and C2 from its start
   * (2027-02-01, far enough ahead of the clock's first day for the lead time) to 2027-12-31.
   */
  async function admitted(title: string, over: Record<string, unknown> = {}) {
    const { itemId, instanceId } = await admitApplication(t, meeting([unit[C1], unit[C2]], title, over));
    return { itemId, instanceId };
  }
  const inForce = async (community: string) =>
    (await t.http().get(`/admitted-items?community=${community}&asOf=2027-06-01`)).body.items.map(
      (x: { id: string }) => x.id,
    );

  /** The items of this file, admitted while the clock is before their start (2027-02-01). */
  const items: Record<string, { itemId: string; instanceId: string }> = {};
  const evaluate = async (user: string, itemId: string, body: Record<string, unknown>) =>
    t
      .http()
      .post(`/admitted-items/${itemId}/evaluations`)
      .set(await auth(user))
      .send(body);
  /** The fields named by a 400 EVALUATION_NOT_IN_FORCE. */
  const fieldsOf = (res: { body: { error: { details: { field: string }[] } } }) =>
    res.body.error.details.map((d) => d.field).sort();
  const entryOf = async (itemId: string, code: string) =>
    (
      await t.dataSource.query(
        `SELECT c.exited_at, c.exit_reason FROM admitted_item_community c JOIN org_unit u ON u.id = c.community_id
          WHERE c.item_id = $1 AND u.code = $2`,
        [itemId, code],
      )
    )[0] as { exited_at: Date | null; exit_reason: string | null };
  /** The audit records of a case through GET /audit, as the auditor reads them. */
  const auditOf = async (entityType: string, entityId: string) => {
    const res = await t
      .http()
      .get('/audit')
      .query({ entityType, entityId, pageSize: 200 })
      .set(await auth('auditor'));
    expect(res.status).toBe(200);
    return res.body.items as {
      action: string;
      actorUsername: string | null;
      data: Record<string, unknown> | null;
    }[];
  };

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    // Only the expiry test's item: its sweep fires every timer due by the clock it moves, of any case.
    items.expiry = await admitted('居民议事会（到期）');
  });
  afterAll(async () => {
    await t.close();
  });

  it('given an item admitted but not started yet, when its committee evaluates it, then 400 EVALUATION_NOT_IN_FORCE naming the item and the period', async () => {
    const { itemId } = items.expiry;
    // The clock is still before 2027-02-01: the item is in force nowhere, and 2027Q1 has not begun.
    const early = await evaluate('committee', itemId, { period: '2027Q1', respondents: 10, satisfied: 9 });
    expect(early.status).toBe(400);
    expect(early.body.error.code).toBe('EVALUATION_NOT_IN_FORCE');
    expect(fieldsOf(early)).toEqual(['id', 'period']);
    expect(early.body.error.message).toMatch(/^只能评议/);
    expect(await t.dataSource.query('SELECT 1 FROM item_evaluation WHERE item_id = $1', [itemId])).toEqual(
      [],
    );
  });

  it('given an item reaching its end date, then it exits every community by itself (a durable timer)', async () => {
    const { itemId, instanceId } = items.expiry;
    // Its year passes for this test only: the clock comes back after, for the other items of this file.
    const clock = t.app.get(Clock);
    const before = clock.nowMs();
    expect(await fireTimersOf(t, instanceId)).toBe(1); // the funding window
    expect(
      await t.dataSource.query(
        `SELECT 1 FROM workflow_timer WHERE instance_id = $1 AND element_id = 'expiry' AND fired_at IS NULL`,
        [instanceId],
      ),
    ).toHaveLength(1); // the expiry timer is set
    const timer = (
      await t.dataSource.query(
        `SELECT fire_at FROM workflow_timer WHERE instance_id = $1 AND element_id = 'expiry'`,
        [instanceId],
      )
    )[0];
    expect(new Date(timer.fire_at).toISOString()).toBe('2027-12-31T16:00:00.000Z');
    expect(await fireTimersOf(t, instanceId)).toBe(1); // its end date comes
    expect(await instanceStatus(t, instanceId)).toBe('completed');
    clock.advance(before - clock.nowMs());
    const item = await t.http().get(`/admitted-items/${itemId}`);
    expect(item.body.exitedAt).toBe('2027-12-31T16:00:00.000Z');
    expect(
      item.body.communities.every(
        (c: { exitedAt: string | null }) => c.exitedAt === '2027-12-31T16:00:00.000Z',
      ),
    ).toBe(true);
    expect(await inForce(C1)).toContain(itemId); // still in force on a day within its period
  });

  describe('the items admitted after the expiry test (its sweep fired every timer due by then)', () => {
    beforeAll(async () => {
      // Admitted while the clock is back before their start (2027-02-01), as departments apply ahead.
      for (const [key, title] of Object.entries({
        evaluation: '居民议事会（评议）',
        kept: '居民议事会（保留）',
        checks: '居民议事会（校验）',
        ended: '居民议事会（期满）',
        leaderKept: '居民议事会（组长不批准）',
        single: '居民议事会（单社区退出）',
        periods: '居民议事会（评议期间）',
      }))
        items[key] = await admitted(title);
      items.funded = await admitted('居民议事会（经费）', {
        fundingPerCommunityFen: 300000,
        fundingSource: '区财政专项',
      });
    });

    it('given residents’ satisfaction below 60%, then an exit opens; when department and community agree, the principal leader approves and the office records, the item leaves that community only', async () => {
      const { itemId } = items.evaluation;
      // Residents evaluate the item while it runs (2027-02-01 to 2027-12-31).
      moveClockTo(t, '2027-03-01');
      const good = await t
        .http()
        .post(`/admitted-items/${itemId}/evaluations`)
        .set(await auth('committee-2'))
        .send({ period: '2027Q1', respondents: 40, satisfied: 36 });
      expect(good.status).toBe(201);
      expect(good.body).toMatchObject({ satisfaction: 90, exitProposal: null });
      const poor = await t
        .http()
        .post(`/admitted-items/${itemId}/evaluations`)
        .set(await auth('committee'))
        .send({ period: '2027Q1', respondents: 50, satisfied: 20 });
      expect(poor.status).toBe(201);
      expect(poor.body.satisfaction).toBe(40);
      expect(poor.body.exitProposal).toMatchObject({
        origin: 'evaluation',
        communityId: unit[C1],
        status: 'open',
      });
      const exitCase = poor.body.exitProposal.instanceId as string;
      expect((await act(t, 'dept-head', exitCase, 'deptDetermine', { decision: 'approve' })).status).toBe(
        200,
      );
      expect(
        (await act(t, 'committee', exitCase, 'communityDetermine', { decision: 'approve' })).status,
      ).toBe(200);
      // Jointly determined: the principal leader of the same level approves it; the office has nothing to do yet.
      expect((await inboxOf(t, 'office')).filter((x) => x.instanceId === exitCase)).toEqual([]);
      const approved = await act(t, 'leader', exitCase, 'leaderApprove', {
        decision: 'approve',
        comment: '同意退出',
      });
      expect(approved.status).toBe(200);
      // Approved but not recorded: still in force, until the office records it (备案).
      expect(await instanceStatus(t, exitCase)).toBe('active');
      expect(await inForce(C1)).toContain(itemId);
      expect((await inboxOf(t, 'leader')).filter((x) => x.instanceId === exitCase)).toEqual([]);
      const recorded = await act(t, 'office', exitCase, 'officeRecord', {
        decision: 'record',
        comment: '已备案',
      });
      expect(recorded.status).toBe(200);
      expect(await instanceStatus(t, exitCase)).toBe('completed');
      expect(await inForce(C1)).not.toContain(itemId);
      expect(await inForce(C2)).toContain(itemId);
      const steps = await historyActions(t, exitCase);
      expect(steps.indexOf('task.completed:leaderApprove')).toBeGreaterThan(-1);
      expect(steps.indexOf('task.completed:officeRecord')).toBeGreaterThan(
        steps.indexOf('task.completed:leaderApprove'),
      );
      // Each a person's act in the audit trail: the leader's approval, the office's record, the exit by the office.
      const trail = await auditOf('workflow_instance', exitCase);
      expect(
        trail
          .filter((r) => r.data?.elementId === 'leaderApprove' || r.data?.elementId === 'officeRecord')
          .map((r) => [r.data?.elementId, r.data?.decision, r.actorUsername]),
      ).toEqual([
        ['leaderApprove', 'approve', 'leader'],
        ['officeRecord', 'record', 'office'],
      ]);
      expect(
        (await auditOf('admitted_item', itemId))
          .filter((r) => r.action === 'item.exited')
          .map((r) => [r.actorUsername, r.data?.communityId]),
      ).toEqual([['office', unit[C1]]]);
      // The community's register entry says why it left; the other community's does not.
      expect((await entryOf(itemId, C1)).exit_reason).toBe('居民满意度 40%，低于 60%（2027Q1）');
      expect(await entryOf(itemId, C2)).toEqual({ exited_at: null, exit_reason: null });
      const again = await evaluate('committee', itemId, { period: '2027Q1', respondents: 10, satisfied: 1 });
      expect(again.status).toBe(400);
      expect(again.body.error.code).toBe('EVALUATION_NOT_IN_FORCE');
      expect(fieldsOf(again)).toEqual(['id']);
    });

    it('given an exit the department and the communities agree on, when the principal leader rejects it, then the item is kept and the office records nothing', async () => {
      const { itemId } = items.leaderKept;
      const proposal = await t
        .http()
        .post(`/admitted-items/${itemId}/exit-proposals`)
        .set(await auth('office'))
        .send({ reason: '与街道议事活动重复' });
      expect(proposal.status).toBe(201);
      const exitCase = proposal.body.instanceId as string;
      await act(t, 'dept-head', exitCase, 'deptDetermine', { decision: 'approve' });
      await act(t, 'committee', exitCase, 'communityDetermine', { decision: 'approve' });
      await act(t, 'committee-2', exitCase, 'communityDetermine', { decision: 'approve' });
      const rejected = await act(t, 'leader', exitCase, 'leaderApprove', {
        decision: 'reject',
        comment: '居民仍有需要，继续开展',
      });
      expect(rejected.status).toBe(200);
      expect(await instanceStatus(t, exitCase)).toBe('completed');
      expect((await historyActions(t, exitCase)).join(' ')).not.toContain('officeRecord');
      expect(await inForce(C1)).toContain(itemId);
      expect(await inForce(C2)).toContain(itemId);
      const item = await t.http().get(`/admitted-items/${itemId}`);
      expect(item.body.exitedAt).toBeNull();
      expect(item.body.communities.map((c: { exitedAt: string | null }) => c.exitedAt)).toEqual([null, null]);
      expect(
        (await t.dataSource.query('SELECT status FROM exit_proposal WHERE id = $1', [proposal.body.id]))[0]
          .status,
      ).toBe('kept');
      expect(
        (await auditOf('exit_proposal', proposal.body.id)).map((r) => [r.action, r.actorUsername]),
      ).toEqual([['exit.kept', 'leader']]);
    });

    it('given the department’s exit of one community, when approved and recorded, then that community’s register entry carries the reason and the item stays in force elsewhere', async () => {
      const { itemId } = items.single;
      const reason = '桃园社区已由街道统一组织议事会，本事项在该社区不再开展';
      const proposal = await t
        .http()
        .post(`/admitted-items/${itemId}/exit-proposals`)
        .set(await auth('dept-staff'))
        .send({ communityId: unit[C2], reason });
      expect(proposal.status).toBe(201);
      expect(proposal.body).toMatchObject({ origin: 'department', communityId: unit[C2], reason });
      const exitCase = proposal.body.instanceId as string;
      await act(t, 'dept-head', exitCase, 'deptDetermine', { decision: 'approve' });
      await act(t, 'committee-2', exitCase, 'communityDetermine', { decision: 'approve' });
      await act(t, 'leader', exitCase, 'leaderApprove', { decision: 'approve' });
      expect((await entryOf(itemId, C2)).exit_reason).toBeNull(); // approved, not yet recorded
      await act(t, 'office', exitCase, 'officeRecord', { decision: 'record' });
      expect(await instanceStatus(t, exitCase)).toBe('completed');
      const entry = await entryOf(itemId, C2);
      expect(entry.exit_reason).toBe(reason);
      expect(entry.exited_at).not.toBeNull();
      expect(await entryOf(itemId, C1)).toEqual({ exited_at: null, exit_reason: null });
      const item = await t.http().get(`/admitted-items/${itemId}`);
      // Only one community left: the item as a whole has not exited.
      expect(item.body).toMatchObject({ exitedAt: null, exitReason: null });
      const byCode = Object.fromEntries(
        item.body.communities.map((c: { code: string; exitedAt: string | null }) => [c.code, c.exitedAt]),
      );
      expect(byCode[C1]).toBeNull();
      expect(byCode[C2]).not.toBeNull();
      const reasons = Object.fromEntries(
        item.body.communities.map((c: { code: string; exitReason: string | null }) => [c.code, c.exitReason]),
      );
      expect(reasons).toEqual({ [C1]: null, [C2]: reason });
      expect(await inForce(C1)).toContain(itemId);
      expect(await inForce(C2)).not.toContain(itemId);
    });

    it('given evaluations for a period not begun, a period before the item was in force there, or an item not yet entered (unfunded), then 400 naming the field; a period within its time in force is recorded', async () => {
      const { itemId } = items.periods;
      moveClockTo(t, '2027-03-01');
      const cases: [string, string, string[]][] = [
        ['2027Q3', 'committee', ['period']], // not begun
        ['2027-04', 'committee', ['period']], // not begun: next month
        ['2026', 'committee', ['period']], // over before the item started
        ['2026Q4', 'committee-2', ['period']],
        ['2027-01', 'committee', ['period']], // the item started on 2027-02-01
      ];
      for (const [period, user, fields] of cases) {
        const res = await evaluate(user, itemId, { period, respondents: 10, satisfied: 9 });
        expect([period, res.status, res.body.error?.code, res.status === 400 && fieldsOf(res)]).toEqual([
          period,
          400,
          'EVALUATION_NOT_IN_FORCE',
          fields,
        ]);
      }
      for (const period of ['2027-02', '2027Q1', '2027-03', '2027']) {
        const res = await evaluate('committee', itemId, { period, respondents: 10, satisfied: 9 });
        expect([period, res.status]).toEqual([period, 201]);
      }
      // A funded item in force only once its funding is confirmed: not yet entered in C1, so not evaluable there.
      const funded = items.funded.itemId;
      const unfunded = await evaluate('committee', funded, {
        period: '2027-02',
        respondents: 10,
        satisfied: 9,
      });
      expect(unfunded.status).toBe(400);
      expect(unfunded.body.error.code).toBe('EVALUATION_NOT_IN_FORCE');
      expect(fieldsOf(unfunded)).toEqual(['id', 'period']);
      const transfer = await t
        .http()
        .post(`/admitted-items/${funded}/transfers`)
        .set(await auth('dept-staff'))
        .send({
          communityId: unit[C1],
          amountFen: 300000,
          account: '东华街道社区财务专账 6222',
          reference: 'GK-exit-1',
          idempotencyKey: `${funded}-exit`,
        });
      expect(transfer.status).toBe(200);
      expect(
        (
          await t
            .http()
            .post(`/funding-transfers/${transfer.body.id}/confirm`)
            .set(await auth('finance'))
        ).status,
      ).toBe(200);
      // In force in C1 from today (2027-03-01): February lies outside its time in force there, March does not.
      const february = await evaluate('committee', funded, {
        period: '2027-02',
        respondents: 10,
        satisfied: 9,
      });
      expect(february.status).toBe(400);
      expect(fieldsOf(february)).toEqual(['period']);
      expect(
        (await evaluate('committee', funded, { period: '2027-03', respondents: 10, satisfied: 9 })).status,
      ).toBe(201);
      // Still unfunded in C2.
      const c2 = await evaluate('committee-2', funded, { period: '2027-03', respondents: 10, satisfied: 9 });
      expect(c2.status).toBe(400);
      expect(fieldsOf(c2)).toEqual(['id', 'period']);
    });

    it('given the department disagrees, then the item is kept', async () => {
      const { itemId } = items.kept;
      const proposal = await t
        .http()
        .post(`/admitted-items/${itemId}/exit-proposals`)
        .set(await auth('office'))
        .send({ reason: '与其他议事活动重复' });
      expect(proposal.status).toBe(201);
      expect(proposal.body).toMatchObject({ origin: 'office', communityId: null });
      const dup = await t
        .http()
        .post(`/admitted-items/${itemId}/exit-proposals`)
        .set(await auth('dept-staff'))
        .send({ reason: '再提一次' });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('EXIT_ALREADY_PROPOSED');
      const exitCase = proposal.body.instanceId as string;
      await act(t, 'dept-head', exitCase, 'deptDetermine', { decision: 'reject', comment: '仍需开展' });
      await act(t, 'committee', exitCase, 'communityDetermine', { decision: 'approve' });
      await act(t, 'committee-2', exitCase, 'communityDetermine', { decision: 'approve' });
      expect(await instanceStatus(t, exitCase)).toBe('completed');
      expect(await inForce(C1)).toContain(itemId);
      expect(
        (await t.dataSource.query('SELECT status FROM exit_proposal WHERE id = $1', [proposal.body.id]))[0]
          .status,
      ).toBe('kept');
    });

    it('given evaluations that do not add up or come from outside, then they are refused', async () => {
      const { itemId } = items.checks;
      const bad = await t
        .http()
        .post(`/admitted-items/${itemId}/evaluations`)
        .set(await auth('committee'))
        .send({ period: '2027Q1', respondents: 5, satisfied: 6 });
      expect(bad.status).toBe(400);
      // A year no calendar has (0000) is a bad period, not a database error.
      for (const period of ['0000', '0000Q1', '0000-05', '1999']) {
        const odd = await t
          .http()
          .post(`/admitted-items/${itemId}/evaluations`)
          .set(await auth('committee'))
          .send({ period, respondents: 5, satisfied: 1 });
        expect([odd.status, odd.body.error.code, odd.body.error.details[0].field]).toEqual([
          400,
          'VALIDATION_FAILED',
          'period',
        ]);
      }
      const outside = await t
        .http()
        .post(`/admitted-items/${itemId}/evaluations`)
        .set(await auth('committee-d2'))
        .send({ period: '2027Q1', respondents: 5, satisfied: 1 });
      expect(outside.status).toBe(404);
      const wrongRole = await t
        .http()
        .post(`/admitted-items/${itemId}/evaluations`)
        .set(await auth('dept-staff'))
        .send({ period: '2027Q1', respondents: 5, satisfied: 1 });
      expect(wrongRole.status).toBe(403);
    });

    it('given an item whose period has ended but whose expiry has not run yet, then its committee can neither evaluate it nor propose its exit, and the register no longer lists it', async () => {
      const { itemId } = items.ended;
      const registerToday = async () =>
        (await t.http().get(`/admitted-items?community=${C1}`)).body.items.map((x: { id: string }) => x.id);
      moveClockTo(t, '2027-12-31');
      expect(await registerToday()).toContain(itemId);
      // The day after its end date: out of force everywhere, though nothing has exited it yet.
      moveClockTo(t, '2028-01-01');
      expect((await t.http().get(`/admitted-items/${itemId}`)).body.exitedAt).toBeNull();
      expect(await registerToday()).not.toContain(itemId);
      const evaluation = await t
        .http()
        .post(`/admitted-items/${itemId}/evaluations`)
        .set(await auth('committee'))
        .send({ period: '2027Q4', respondents: 50, satisfied: 10 });
      expect(evaluation.status).toBe(400);
      expect(evaluation.body.error.code).toBe('EVALUATION_NOT_IN_FORCE');
      expect(fieldsOf(evaluation)).toEqual(['id']);
      const proposal = await t
        .http()
        .post(`/admitted-items/${itemId}/exit-proposals`)
        .set(await auth('committee'))
        .send({ reason: '期满后仍在开展' });
      expect(proposal.status).toBe(409);
      expect(proposal.body.error.code).toBe('ITEM_NOT_IN_FORCE');
      // Nor the office the whole item's exit: no community is left to ask (it opened a case that asked nobody).
      const whole = await t
        .http()
        .post(`/admitted-items/${itemId}/exit-proposals`)
        .set(await auth('office'))
        .send({ reason: '期满后整体退出' });
      expect(whole.status).toBe(409);
      expect(whole.body.error.code).toBe('ITEM_NOT_IN_FORCE');
    });
  });
});

describe('exit cases running when the leader’s approval is deployed', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cwa-exit-flows-'));
  let t: TestApp | undefined;
  const unit: Record<string, string> = {};
  const C1 = '339901001001';
  const C2 = '339901001002';
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const definitionVersionOf = async (app: TestApp, instanceId: string) =>
    (
      await app.dataSource.query(
        `SELECT d.version FROM workflow_instance i JOIN workflow_definition d ON d.id = i.definition_id WHERE i.id = $1`,
        [instanceId],
      )
    )[0].version as number;

  it('given a case at the office’s approval of the previous exit flow, when the new flow deploys, then the case ends on its own version and new proposals go to the leader', async () => {
    // The shipped flows, with the exit flow as it was before (the office approved and recorded in one step).
    cpSync('workflows', dir, { recursive: true });
    cpSync('test/fixtures/exit-before-leader/exit.bpmn', path.join(dir, 'exit.bpmn'));
    const before = await startTestApp({ WORKFLOWS_DIR: `${dir},${FIXTURE_WORKFLOWS}` });
    for (const r of await before.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    const { itemId } = await admitApplication(before, meeting([unit[C1], unit[C2]], '居民议事会（版本）'));
    moveClockTo(before, '2027-03-01');
    const reason = '杏花社区已并入街道统一议事';
    const old = await before
      .http()
      .post(`/admitted-items/${itemId}/exit-proposals`)
      .set('Authorization', `Bearer ${await before.token('office')}`)
      .send({ communityId: unit[C1], reason });
    expect(old.status).toBe(201);
    const oldCase = old.body.instanceId as string;
    await act(before, 'dept-head', oldCase, 'deptDetermine', { decision: 'approve' });
    await act(before, 'committee', oldCase, 'communityDetermine', { decision: 'approve' });
    await before.stop();

    // The new flow deploys with the service: the running case stays on the previous version.
    t = await startTestApp({}, { databaseUrl: before.databaseUrl });
    moveClockTo(t, '2027-03-01');
    expect(await definitionVersionOf(t, oldCase)).toBe(1);
    expect((await act(t, 'office', oldCase, 'officeApprove', { decision: 'approve' })).status).toBe(200);
    expect(await instanceStatus(t, oldCase)).toBe('completed');
    const entry = (
      await t.dataSource.query(
        'SELECT exited_at, exit_reason FROM admitted_item_community WHERE item_id = $1 AND community_id = $2',
        [itemId, unit[C1]],
      )
    )[0];
    expect(entry.exited_at).not.toBeNull();
    expect(entry.exit_reason).toBe(reason);

    // A new proposal starts on the new version: after the joint determination, the principal leader approves.
    const fresh = await t
      .http()
      .post(`/admitted-items/${itemId}/exit-proposals`)
      .set('Authorization', `Bearer ${await t.token('office')}`)
      .send({ communityId: unit[C2], reason: '桃园社区另有安排' });
    expect(fresh.status).toBe(201);
    const freshCase = fresh.body.instanceId as string;
    expect(await definitionVersionOf(t, freshCase)).toBe(2);
    await act(t, 'dept-head', freshCase, 'deptDetermine', { decision: 'approve' });
    await act(t, 'committee-2', freshCase, 'communityDetermine', { decision: 'approve' });
    expect((await act(t, 'leader', freshCase, 'leaderApprove', { decision: 'approve' })).status).toBe(200);
    expect((await act(t, 'office', freshCase, 'officeRecord', { decision: 'record' })).status).toBe(200);
    expect(await instanceStatus(t, freshCase)).toBe('completed');
  });
});
