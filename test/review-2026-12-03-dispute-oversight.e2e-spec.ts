import { startTestApp, type TestApp } from './helpers/app.js';
import { act, openTask } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import { contestRefusal, disputeCaseOf, refusePiece, sendUncovered } from './helpers/dispatch.js';
import { fireTimersOf } from './helpers/timers.js';

/**
 * Review 2026-12-03 (session 17): the district office that rules a contested refusal saw it in its list of
 * disputes, but its case page (流程图, history) answered 404 while the street held the case; an overdue ruling step
 * was escalated to the office of the department's level — for a district department, the very office that was
 * late; and a case whose community was stored in capitals was hidden from that community's committee.
 */
describe('review: who sees and who is told about a contested refusal', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const XINGHUA = '339901001001';

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  /** Work the district department sends to the community, refused there and contested: the dispute's case. */
  async function contested(title: string): Promise<string> {
    const { dispatchId, pieceIn } = await sendUncovered(t, title, [unit[XINGHUA]]);
    expect((await refusePiece(t, 'committee', pieceIn(unit[XINGHUA]))).status).toBe(200);
    const c = await contestRefusal(t, dispatchId, unit[XINGHUA]);
    expect(c.status).toBe(200);
    return disputeCaseOf(c, unit[XINGHUA]);
  }
  const caseAs = async (user: string, id: string, part = '') =>
    (
      await t
        .http()
        .get(`/workflow-instances/${id}${part}`)
        .set('Authorization', `Bearer ${await t.token(user)}`)
    ).status;

  it('given a dispute the street holds, then the district office that will rule and the city office see its case, history and diagram (404 before); another department does not', async () => {
    const id = await contested('街道协调中的争议');
    for (const user of ['office', 'city-office', 'street', 'committee', 'dept-staff'])
      for (const part of ['', '/history', '/diagram'])
        expect([user, part, await caseAs(user, id, part)]).toEqual([user, part, 200]);
    for (const user of ['dept2-staff', 'committee-2'])
      expect([user, await caseAs(user, id)]).toEqual([user, 404]);
    // A case stored before ids were read in small letters, its community in capitals: still the committee's.
    await t.dataSource.query(
      `UPDATE workflow_instance SET variables = jsonb_set(variables, '{communityId}', to_jsonb(upper(variables->>'communityId'))) WHERE id = $1`,
      [id],
    );
    expect(await caseAs('committee', id)).toBe(200);
    expect(await caseAs('office', id)).toBe(200);
    expect(await caseAs('committee-2', id)).toBe(404);
  });

  it('given the district office’s ruling overdue, then it is told to the city office (it went to the district office itself, which was late), and the district office may still release its own step', async () => {
    const id = await contested('裁定超期的争议');
    expect((await act(t, 'street', id, 'streetMediate', { decision: 'refer' })).status).toBe(200);
    expect(await fireTimersOf(t, id, 'task-limit')).toBe(1);
    const [ruling]: { id: string; overdue_at: Date | null; escalated_to_unit_ids: string[] }[] =
      await t.dataSource.query(
        `SELECT id, overdue_at, escalated_to_unit_ids FROM workflow_task WHERE instance_id = $1 AND element_id = 'officeRule'`,
        [id],
      );
    expect(ruling.overdue_at).not.toBeNull();
    expect(ruling.escalated_to_unit_ids).toEqual([unit['3399-LGO']]);
    // The city office finds it among the steps escalated to it.
    expect(await openTask(t, 'city-office', id, 'officeRule')).toBe(ruling.id);
    // The district office claims it, and may release it back to its group (its own step).
    const office = { Authorization: `Bearer ${await t.token('office')}` };
    expect((await t.http().post(`/tasks/${ruling.id}/claim`).set(office).send({})).status).toBe(200);
    expect((await t.http().post(`/tasks/${ruling.id}/release`).set(office).send({})).status).toBe(200);
    expect((await act(t, 'office', id, 'officeRule', { decision: 'uphold' })).status).toBe(200);
  });
});
