import { admitApplication, makeApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';

/**
 * The notice period of an admitted item (派单提前期（工作日）, issue 14 §2): an optional whole number of working days,
 * 1 to 30, on the application form; anything else answers 400 naming the field. Registration copies it to the
 * admitted item, which answers it in the item and the public register (null: the default of 3).
 */
describe('the application’s notice period (派单提前期)', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const C1 = '339901001001';
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const draft = async (body: Record<string, unknown>) =>
    t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send(body);

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a notice period that is not a whole number from 1 to 30, then the draft is refused (400) naming noticeWorkingDays in Chinese', async () => {
    for (const bad of [0, 31, -3, 2.5, '5', true, 1e9]) {
      const res = await draft(makeApplication([unit[C1]], { noticeWorkingDays: bad }));
      expect([bad, res.status, res.body.error?.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['noticeWorkingDays']);
      expect(res.body.error.details[0].problems.join()).toContain('派单提前期（工作日）');
    }
    const count = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM admission_application WHERE notice_working_days IS NOT NULL`,
    );
    expect(count[0].n).toBe(0);
  });

  it('given a draft, then its notice period is kept, changed and cleared with null', async () => {
    const created = await draft(makeApplication([unit[C1]], { title: '提前期：草稿', noticeWorkingDays: 1 }));
    expect([created.status, created.body.noticeWorkingDays]).toEqual([201, 1]);
    const patch = async (noticeWorkingDays: unknown, version: number) =>
      t
        .http()
        .patch(`/applications/${created.body.id}`)
        .set(await auth('dept-staff'))
        .send({ noticeWorkingDays, version });
    const changed = await patch(30, created.body.version);
    expect([changed.status, changed.body.noticeWorkingDays]).toEqual([200, 30]);
    const refused = await patch(31, changed.body.version);
    expect([refused.status, refused.body.error.details[0].field]).toEqual([400, 'noticeWorkingDays']);
    const cleared = await patch(null, changed.body.version);
    expect([cleared.status, cleared.body.noticeWorkingDays]).toEqual([200, null]);
    const without = await draft(makeApplication([unit[C1]], { title: '提前期：未填' }));
    expect([without.status, without.body.noticeWorkingDays]).toEqual([201, null]);
  });

  it('given an admitted application with a notice period of 10 working days, then its item has it (item and public register); one without has none', async () => {
    const noFunding = { fundingPerCommunityFen: 0, fundingSource: undefined };
    const ten = await admitApplication(
      t,
      makeApplication([unit[C1]], { ...noFunding, title: '提前期：十个工作日', noticeWorkingDays: 10 }),
    );
    const none = await admitApplication(
      t,
      makeApplication([unit[C1]], { ...noFunding, title: '提前期：默认' }),
    );
    const item = async (id: string) => (await t.http().get(`/admitted-items/${id}`)).body;
    expect((await item(ten.itemId)).noticeWorkingDays).toBe(10);
    expect((await item(none.itemId)).noticeWorkingDays).toBeNull();
    const app = await t
      .http()
      .get(`/applications/${ten.applicationId}`)
      .set(await auth('dept-staff'));
    expect([app.body.status, app.body.noticeWorkingDays]).toEqual(['admitted', 10]);
    const register = await t
      .http()
      .get('/admitted-items')
      .query({ community: C1, asOf: '2027-07-01', pageSize: 100 });
    expect(register.status).toBe(200);
    const byId = new Map(
      register.body.items.map((x: { id: string; noticeWorkingDays: number | null }) => [
        x.id,
        x.noticeWorkingDays,
      ]),
    );
    expect([byId.get(ten.itemId), byId.get(none.itemId)]).toEqual([10, null]);
  });
});
