import { randomUUID } from 'node:crypto';
import { SessionCache } from '../src/auth/session-cache.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import { contestRefusal, disputeCaseOf, refusePiece, sendUncovered } from './helpers/dispatch.js';
import { fireTimersOf, waitFor } from './helpers/timers.js';

/**
 * Review 2026-12-03 (an attack on dispatched work): the ruling of a contested refusal went to the office of the
 * department's level, not of the community's district — a city department's disputes were ruled by the city
 * office, and the district office never saw them; and in a district without a leading-group office the ruling
 * task had no one at all. The district leading-group office of the community rules (seed 002 §4); where its
 * district has none, the nearest level above that has one.
 */
describe('review: who rules a contested refusal', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const [XINGHUA, HUBIN] = ['339901001001', '339902001001'];

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    // The department's staff work for the city's health commission (示范市卫健委): a city department.
    await t.dataSource.query(`UPDATE app_user SET unit_id = $1 WHERE username = 'dept-staff'`, [
      unit['3399-WJ'],
    ]);
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  /** Work the city department sends to the community, refused there and contested: the dispute's case. */
  async function contested(code: string, committee: string, title: string): Promise<string> {
    const { dispatchId, pieceIn } = await sendUncovered(t, title, [unit[code]]);
    expect((await refusePiece(t, committee, pieceIn(unit[code]))).status).toBe(200);
    const c = await contestRefusal(t, dispatchId, unit[code]);
    expect(c.status).toBe(200);
    return disputeCaseOf(c, unit[code]);
  }

  const rulingCandidates = async (instanceId: string): Promise<string[]> =>
    (
      await t.dataSource.query(
        `SELECT candidate_unit_ids FROM workflow_task WHERE instance_id = $1 AND element_id = 'officeRule' AND status = 'open'`,
        [instanceId],
      )
    )[0]?.candidate_unit_ids ?? [];

  it('given a city department’s work refused in a community of 东湖区 and the street not settling it, then the 东湖区 office rules it (it went to the city office)', async () => {
    const id = await contested(XINGHUA, 'committee', '市级派单争议（东湖区）');
    expect((await act(t, 'street', id, 'streetMediate', { decision: 'refer' })).status).toBe(200);
    expect(await rulingCandidates(id)).toEqual([unit['339901-LGO']]);
    const ruled = await act(t, 'office', id, 'officeRule', { decision: 'uphold' });
    expect(ruled.status).toBe(200);
  });

  it('given a city department’s dispute the street still holds, then the 东湖区 office that will rule sees its case and history (404 before), but cannot suspend or terminate it; the city office, of the department’s level, can', async () => {
    const id = await contested(XINGHUA, 'committee', '市级派单争议（区办查看）');
    const as = async (user: string) => ({ Authorization: `Bearer ${await t.token(user)}` });
    for (const part of ['', '/history', '/diagram'])
      expect([
        part,
        (
          await t
            .http()
            .get(`/workflow-instances/${id}${part}`)
            .set(await as('office'))
        ).status,
      ]).toEqual([part, 200]);
    const control = (user: string, op: string) =>
      as(user).then((h) =>
        t.http().post(`/workflow-instances/${id}/${op}`).set(h).send({ comment: '区办不应终止' }),
      );
    expect((await control('office', 'suspend')).status).toBe(404);
    expect((await control('office', 'terminate')).status).toBe(404);
    expect((await control('city-office', 'suspend')).status).toBe(200);
    expect((await control('city-office', 'resume')).status).toBe(200);
  });

  it('given a city department’s dispute with the 东湖区 office, when that office is closed, then its ruling goes to the city office (it stayed with the closed office)', async () => {
    const id = await contested(XINGHUA, 'committee', '市级派单争议（办公室撤销）');
    expect((await act(t, 'street', id, 'streetMediate', { decision: 'refer' })).status).toBe(200);
    expect(await rulingCandidates(id)).toEqual([unit['339901-LGO']]);
    // A case stored before ids were read in small letters (its community in capitals) follows too.
    await t.dataSource.query(
      `UPDATE workflow_instance SET variables = jsonb_set(variables, '{communityId}', to_jsonb(upper(variables->>'communityId'))) WHERE id = $1`,
      [id],
    );
    const admin = { Authorization: `Bearer ${await t.token('sysadmin')}` };
    const version = async (table: string, where: string, value: string) =>
      (await t.dataSource.query(`SELECT id, version FROM ${table} WHERE ${where} = $1`, [value]))[0];
    const office = await version('app_user', 'username', 'office');
    expect(
      (
        await t
          .http()
          .patch(`/admin/users/${office.id}`)
          .set(admin)
          .send({ active: false, version: office.version })
      ).status,
    ).toBe(200);
    const lgo = await version('org_unit', 'code', '339901-LGO');
    const closed = await t
      .http()
      .patch(`/admin/units/${lgo.id}`)
      .set(admin)
      .send({ active: false, version: lgo.version });
    expect(closed.status).toBe(200);
    expect(await rulingCandidates(id)).toEqual([unit['3399-LGO']]);
    // Open again for the tests after this one.
    const reopened = await version('org_unit', 'code', '339901-LGO');
    await t
      .http()
      .patch(`/admin/units/${lgo.id}`)
      .set(admin)
      .send({ active: true, version: reopened.version });
    const back = await version('app_user', 'username', 'office');
    await t
      .http()
      .patch(`/admin/users/${office.id}`)
      .set(admin)
      .send({ active: true, version: back.version });
  });

  it('given a 西山区 department’s work refused in a community of 西山区, which has no leading-group office, and the street’s time running out, then the city office rules it (the task had no one)', async () => {
    // A department of 西山区 (the demo has none), and the department's staff moved there.
    const dept = randomUUID();
    const d2: { path: string }[] = await t.dataSource.query(`SELECT path FROM org_unit WHERE id = $1`, [
      unit['339902'],
    ]);
    await t.dataSource.query(
      `INSERT INTO org_unit (id, code, name, kind, parent_id, path) VALUES ($1, '339902-WJ', '西山区卫健委', 'DEPARTMENT', $2, $3)`,
      [dept, unit['339902'], `${d2[0].path}${dept}/`],
    );
    const cache = t.app.get(SessionCache);
    const heard = cache.changesHeard;
    await t.dataSource.query(`UPDATE app_user SET unit_id = $1 WHERE username = 'dept-staff'`, [dept]);
    await waitFor('the move to be heard', async () => cache.changesHeard > heard);
    const id = await contested(HUBIN, 'committee-d2', '市级派单争议（西山区）');
    expect(await fireTimersOf(t, id)).toBe(1);
    expect(await rulingCandidates(id)).toEqual([unit['3399-LGO']]);
    const ruled = await act(t, 'city-office', id, 'officeRule', { decision: 'uphold' });
    expect(ruled.status).toBe(200);
  });
});
