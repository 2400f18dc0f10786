import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication } from './helpers/admission.js';
import { act, instanceStatus } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import { fireTimersOf } from './helpers/timers.js';

describe('exit (准入退出): expiry, residents’ evaluation, joint determination', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const C1 = '339901001001';
  const C2 = '339901001002';

  /** An item without funding, in force in C1 and C2 from sign-off. */
  async function admitted(title: string) {
    const body = {
      kind: 'meeting',
      title,
      content: '每季度召开一次居民议事会。',
      statutoryArea: 'community_education',
      targetScope: 'list',
      targetCommunityIds: [unit[C1], unit[C2]],
      authorizedContent: '组织议事会',
      targetPopulation: '居民代表',
      powers: '组织',
      startDate: '2027-01-04',
      endDate: '2027-12-31',
      workloadHoursPerMonth: 2,
      frequency: '每季度一次',
      fundingPerCommunityFen: 0,
      contactName: '张卫',
      contactPhone: '0571-88888888',
    };
    const { itemId, instanceId } = await admitApplication(t, body);
    return { itemId, instanceId };
  }
  const inForce = async (community: string) =>
    (await t.http().get(`/admitted-items?community=${community}&asOf=2027-06-01`)).body.items.map(
      (x: { id: string }) => x.id,
    );

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given an item reaching its end date, then it exits every community by itself (a durable timer)', async () => {
    const { itemId, instanceId } = await admitted('居民议事会（到期）');
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

  it('given residents’ satisfaction below 60%, then an exit opens; when department, community and office agree, the item leaves that community only', async () => {
    const { itemId } = await admitted('居民议事会（评议）');
    // Residents evaluate the item while it runs (2027-01-04 to 2027-12-31).
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
    await act(t, 'dept-head', exitCase, 'deptDetermine', { decision: 'approve' });
    await act(t, 'committee', exitCase, 'communityDetermine', { decision: 'approve' });
    await act(t, 'office', exitCase, 'officeApprove', { decision: 'approve', comment: '同意退出，已备案' });
    expect(await instanceStatus(t, exitCase)).toBe('completed');
    expect(await inForce(C1)).not.toContain(itemId);
    expect(await inForce(C2)).toContain(itemId);
    const again = await t
      .http()
      .post(`/admitted-items/${itemId}/evaluations`)
      .set(await auth('committee'))
      .send({ period: '2027Q2', respondents: 10, satisfied: 1 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ITEM_NOT_IN_FORCE');
  });

  it('given the department disagrees, then the item is kept', async () => {
    const { itemId } = await admitted('居民议事会（保留）');
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
    const { itemId } = await admitted('居民议事会（校验）');
    const bad = await t
      .http()
      .post(`/admitted-items/${itemId}/evaluations`)
      .set(await auth('committee'))
      .send({ period: '2027Q1', respondents: 5, satisfied: 6 });
    expect(bad.status).toBe(400);
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
    const { itemId } = await admitted('居民议事会（期满）');
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
    expect(evaluation.status).toBe(409);
    expect(evaluation.body.error.code).toBe('ITEM_NOT_IN_FORCE');
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
