import { APPROVALS, submitApplication, makeApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, historyActions, instanceStatus } from './helpers/cases.js';

/**
 * The office's termination (终止) of a case whose last decision is done but not yet recorded: a service task of
 * the flow failed (an incident the office would retry), e.g. the leader signed and registering the item failed.
 * Terminating ends the case (as cancelling a process instance does in Camunda): the pending recording does not
 * run, its incident is closed, and the application says 已终止 with the office's reason — never 已准入 with no item,
 * nor an item published for a terminated case.
 */
describe('terminating a case whose decision is still being recorded', () => {
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
  const application = async (id: string) =>
    (
      await t
        .http()
        .get(`/applications/${id}`)
        .set(await auth('dept-staff'))
    ).body;
  const openIncidents = async (instanceId: string) =>
    (
      await t.dataSource.query(
        `SELECT element_id FROM workflow_incident WHERE instance_id = $1 AND resolved_at IS NULL`,
        [instanceId],
      )
    ).map((r: { element_id: string }) => r.element_id);
  const items = async (applicationId: string) =>
    (await t.dataSource.query(`SELECT id FROM admitted_item WHERE application_id = $1`, [applicationId]))
      .length;

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given the leader signed but registering the item failed (an incident), when the register is back and the office terminates the case, then the application is 已终止 with the reason, no item is registered and the incident is closed', async () => {
    const TITLE = '终止：签批后登记失败';
    // The register refuses this item (a real failure inside the step's transaction) until the trigger goes.
    await t.dataSource
      .query(`CREATE OR REPLACE FUNCTION test_register_down() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the register is not reachable (test)'; END $$`);
    await t.dataSource.query(`CREATE TRIGGER test_register_down BEFORE INSERT ON admitted_item FOR EACH ROW
        WHEN (NEW.title = '${TITLE}') EXECUTE FUNCTION test_register_down()`);
    const { applicationId, instanceId } = await submitApplication(
      t,
      makeApplication([unit[C1]], { title: TITLE }),
    );
    for (const [user, element] of APPROVALS) {
      const res = await act(t, user, instanceId, element, { decision: 'approve' });
      expect([user, element, res.status]).toEqual([user, element, 200]);
    }
    expect(await openIncidents(instanceId)).toEqual(['admit']);
    expect((await application(applicationId)).status).toBe('in_review');
    // The register is reachable again: were the pending registration run now, it would succeed.
    await t.dataSource.query(`DROP TRIGGER test_register_down ON admitted_item`);

    const res = await terminate(instanceId, '主要领导签批后，上级通知该事项暂缓实施');
    expect([res.status, res.body.status]).toEqual([200, 'terminated']);
    const app = await application(applicationId);
    expect([app.status, app.decisionReason]).toEqual([
      'terminated',
      '主要领导签批后，上级通知该事项暂缓实施',
    ]);
    expect(app.terminatedAt).toEqual(expect.any(String));
    expect(await items(applicationId)).toBe(0);
    expect(await instanceStatus(t, instanceId)).toBe('terminated');
    expect(await openIncidents(instanceId)).toEqual([]);
    expect(await historyActions(t, instanceId)).not.toContain('service.completed:admit');
    const audit = await t.dataSource.query(
      `SELECT data FROM audit_record WHERE action = 'application.terminated' AND entity_id = $1`,
      [applicationId],
    );
    expect(audit.map((a: { data: unknown }) => a.data)).toEqual([
      expect.objectContaining({
        previousStatus: 'in_review',
        reason: '主要领导签批后，上级通知该事项暂缓实施',
        pendingSteps: ['admit'],
      }),
    ]);
    // Nothing is left for the office to retry on the ended case.
    const incidents = await t
      .http()
      .get('/workflow-incidents')
      .set(await auth('office'));
    expect(incidents.body.items.filter((x: { instanceId: string }) => x.instanceId === instanceId)).toEqual(
      [],
    );
  });

  it('given a resubmission whose recording failed (an incident), when the office terminates the case, then the application is 已终止, not put back under review by the pending recording', async () => {
    const TITLE = '终止：重新提交登记失败';
    const { applicationId, instanceId } = await submitApplication(
      t,
      makeApplication([unit[C1]], { title: TITLE }),
    );
    expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(200);
    const ret = await act(t, 'office', instanceId, 'completeness', {
      decision: 'return',
      form: { deficiencies: [{ field: 'legalBasisArticle', problem: '请写明法律依据条款' }] },
      comment: '请补正',
    });
    expect(ret.status).toBe(200);
    await t.dataSource
      .query(`CREATE OR REPLACE FUNCTION test_resubmission_down() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'recording the resubmission fails (test)'; END $$`);
    await t.dataSource.query(`CREATE TRIGGER test_resubmission_down BEFORE UPDATE ON admission_application
        FOR EACH ROW WHEN (OLD.status = 'returned' AND NEW.status = 'in_review' AND NEW.title = '${TITLE}')
        EXECUTE FUNCTION test_resubmission_down()`);
    try {
      const resubmit = await act(t, 'dept-staff', instanceId, 'correct', { decision: 'resubmit' });
      expect(resubmit.status).toBe(200);
      expect(await openIncidents(instanceId)).toEqual(['markResubmitted']);
    } finally {
      await t.dataSource.query(`DROP TRIGGER test_resubmission_down ON admission_application`);
    }

    const res = await terminate(instanceId, '部门职能调整，本申请不再办理');
    expect([res.status, res.body.status]).toEqual([200, 'terminated']);
    const app = await application(applicationId);
    expect([app.status, app.decisionReason]).toEqual(['terminated', '部门职能调整，本申请不再办理']);
    expect(await openIncidents(instanceId)).toEqual([]);
  });
});
