import { startTestApp, type TestApp } from './helpers/app.js';
import { APPROVALS, admitApplication, makeApplication, submitApplication } from './helpers/admission.js';
import { act } from './helpers/cases.js';

/** Admission numbers (〔2026〕第N号) per leading group and year: gap-free and unique whatever signs at once. */
describe('admission numbers (准入编号)', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const application = (n: number) => makeApplication([unit['339901001001']], { title: `编号测试事项${n}` });
  /** Submits and approves up to (not including) the leader's signature; answers the case. */
  const toSignature = async (n: number) => {
    const { applicationId, instanceId } = await submitApplication(t, application(n));
    for (const [user, element] of APPROVALS.slice(0, -1)) {
      const res = await act(t, user, instanceId, element, { decision: 'approve' });
      if (res.status !== 200) throw new Error(`${user} at ${element}: ${JSON.stringify(res.body)}`);
    }
    return { applicationId, instanceId };
  };
  const sign = (instanceId: string) => {
    const [user, element] = APPROVALS[APPROVALS.length - 1];
    return act(t, user, instanceId, element, { decision: 'approve' });
  };
  const itemOf = async (applicationId: string) =>
    (
      await t.dataSource.query(
        `SELECT id, leading_group_id, number_year, number_seq, admission_number FROM admitted_item WHERE application_id = $1`,
        [applicationId],
      )
    )[0] as {
      id: string;
      leading_group_id: string;
      number_year: number;
      number_seq: number;
      admission_number: string;
    };

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given four applications signed at the same moment, then their numbers follow the last one without gaps or repeats, each recorded in its audit record', async () => {
    const first = await admitApplication(t, application(0));
    const before = await itemOf(first.applicationId);
    const cases = [];
    for (let n = 1; n <= 4; n++) cases.push(await toSignature(n));
    const signed = await Promise.all(cases.map((c) => sign(c.instanceId)));
    expect(signed.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const items = await Promise.all(cases.map((c) => itemOf(c.applicationId)));
    expect(items.map((i) => i.number_seq).sort((a, b) => a - b)).toEqual(
      [1, 2, 3, 4].map((k) => before.number_seq + k),
    );
    for (const i of items) {
      expect(i.admission_number).toBe(`〔${i.number_year}〕第${i.number_seq}号`);
      const [audit] = await t.dataSource.query(
        `SELECT data FROM audit_record WHERE action = 'item.admitted' AND entity_id = $1`,
        [i.id],
      );
      expect(audit.data.admissionNumber).toBe(i.admission_number);
    }
  });
});
