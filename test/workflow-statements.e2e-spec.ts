import { APPROVALS, makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act } from './helpers/cases.js';
import { captureStatements } from './helpers/statements.js';

/**
 * What a step of the production flow (workflows/admission.bpmn) costs PostgreSQL: every task there has a
 * time limit, so each new task brings a timer and its job; they go with the step's one statement of rows.
 */
describe('statements of a production step', () => {
  let t: TestApp;
  let communities: string[];
  beforeAll(async () => {
    t = await startTestApp();
    communities = (
      await t.dataSource.query(`SELECT id FROM org_unit WHERE kind = 'COMMUNITY' ORDER BY code LIMIT 2`)
    ).map((r: { id: string }) => r.id);
  });
  afterAll(async () => {
    await t.close();
  });

  it('given the scope review approved, when the three member units’ countersigns open with their time limits, then one statement writes tasks, timers, jobs, history and audit, and the level and its members are looked up once', async () => {
    const { instanceId } = await submitApplication(t, makeApplication(communities));
    for (const [user, element] of APPROVALS.slice(0, 2))
      expect((await act(t, user, instanceId, element, { decision: 'approve' })).status).toBe(200);
    await t.token('office');
    const { result, statements } = await captureStatements(() =>
      act(t, 'office', instanceId, 'scopeReview', { decision: 'approve' }),
    );
    expect(result.status).toBe(200);
    const step = statements.slice(statements.indexOf('START TRANSACTION'));
    expect(step.filter((s) => s.startsWith('WITH new_tasks AS'))).toHaveLength(1);
    expect(step.filter((s) => s.startsWith('WITH timer'))).toEqual([]);
    expect(step.filter((s) => s.startsWith('WITH owner AS'))).toHaveLength(1);
    expect(
      step.filter((s) => /FROM leading_group_member/.test(s) || s.startsWith('SELECT unit_id FROM')),
    ).toHaveLength(1);
    const rows: { n: number; jobs: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n, count(j.id)::int AS jobs
         FROM workflow_timer w JOIN workflow_task k ON k.id = w.task_id LEFT JOIN pgboss.job j ON j.id = w.job_id
        WHERE w.instance_id = $1 AND k.element_id = 'countersign' AND w.kind = 'task-limit'`,
      [instanceId],
    );
    expect(rows[0]).toEqual({ n: 3, jobs: 3 });
  });
});
