import { admitApplication, makeApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { instanceStatus } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';

/**
 * What the office's termination (终止) of a case does to the domain's object: an exit case's proposal ends (the
 * item is kept) so that a new one can be made; a case that times an admitted item's funding window and end —
 * an admission past its signature, an emergency admission — cannot be terminated: the item leaves by an exit.
 */
describe('termination of admission, exit and emergency cases', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const C1 = '339901001001';
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const terminate = async (instanceId: string, comment: string) =>
    t
      .http()
      .post(`/workflow-instances/${instanceId}/terminate`)
      .set(await auth('office'))
      .send({ comment });
  const propose = async (itemId: string, reason: string) =>
    t
      .http()
      .post(`/admitted-items/${itemId}/exit-proposals`)
      .set(await auth('office'))
      .send({ communityId: unit[C1], reason });

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a signed application, then its case cannot be terminated (409), and it goes on timing the item', async () => {
    const { instanceId } = await admitApplication(t, makeApplication([unit[C1]], { title: '终止：已签批' }));
    const res = await terminate(instanceId, '误操作');
    expect([res.status, res.body.error.code]).toEqual([409, 'CASE_NOT_TERMINABLE']);
    expect(res.body.error.message).toMatch(/^该办件所涉事项已准入/);
    expect(await instanceStatus(t, instanceId)).toBe('active');
  });

  it('given an exit case terminated by the office, then its proposal ends with the item kept, and a new exit can be proposed', async () => {
    const { itemId } = await admitApplication(
      t,
      makeApplication([unit[C1]], { title: '终止：退出', fundingPerCommunityFen: 0, fundingSource: null }),
    );
    moveClockTo(t, '2027-07-01'); // in force: from 2027-06-01, nothing to fund
    const first = await propose(itemId, '社区反映负担重');
    expect(first.status).toBe(201);
    const term = await terminate(first.body.instanceId, '退出理由须由部门重新提出');
    expect([term.status, term.body.status]).toEqual([200, 'terminated']);
    const proposal = await t.dataSource.query('SELECT status FROM exit_proposal WHERE id = $1', [
      first.body.id,
    ]);
    expect(proposal[0].status).toBe('kept');
    const audit = await t.dataSource.query(
      `SELECT data FROM audit_record WHERE action = 'exit.terminated' AND entity_id = $1`,
      [first.body.id],
    );
    expect(audit.map((a: { data: unknown }) => a.data)).toEqual([{ reason: '退出理由须由部门重新提出' }]);
    const again = await propose(itemId, '社区再次反映负担重');
    expect(again.status).toBe(201);
  });

  it('given an emergency admission, then its case cannot be terminated (409): it times the item’s end', async () => {
    const res = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send({
        departmentId: unit['339901-WJ'],
        kind: 'task',
        title: '突发汛情转移登记',
        reason: '强降雨',
        statutoryArea: 'public_health',
        targetCommunityIds: [unit[C1]],
        authorizedContent: '登记',
        targetPopulation: '低洼地区居民',
        powers: '登记',
        days: 7,
        fundingPerCommunityFen: 0,
      });
    expect(res.status).toBe(201);
    const instanceId = (
      await t.dataSource.query(
        `SELECT id FROM workflow_instance WHERE process_id = 'emergency' AND business_key = $1`,
        [res.body.id],
      )
    )[0].id as string;
    const term = await terminate(instanceId, '误操作');
    expect([term.status, term.body.error.code]).toEqual([409, 'CASE_NOT_TERMINABLE']);
    expect(await instanceStatus(t, instanceId)).toBe('active');
  });
});
