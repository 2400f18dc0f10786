import { EngineCache } from '../src/workflow/runtime/engine-cache.js';
import { WorkflowRuntime } from '../src/workflow/runtime.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { act } from './helpers/cases.js';
import { captureStatements } from './helpers/statements.js';

describe('submissions: the connection pool and the engine of the new case', () => {
  let t: TestApp;
  let communities: string[];
  const POOL = 2;

  beforeAll(async () => {
    // A small pool: a submission that asks the pool for a second connection while it holds one waits until
    // the connect timeout once every connection is held so (a wait long enough for a busy machine otherwise).
    t = await startTestApp({ DB_POOL_SIZE: String(POOL), DB_CONNECT_TIMEOUT_MS: '15000' });
    communities = (
      await t.dataSource.query(`SELECT id FROM org_unit WHERE code IN ('339901001001', '339901001002')`)
    ).map((r: { id: string }) => r.id);
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a pool of two connections, when three times as many drafts are submitted at once, then every submission starts its case', async () => {
    const auth = { Authorization: `Bearer ${await t.token('dept-staff')}` };
    const drafts: string[] = [];
    for (let i = 0; i < POOL * 3; i++) {
      const d = await t
        .http()
        .post('/applications')
        .set(auth)
        .send(makeApplication(communities, { title: `并发提交 ${i}` }));
      expect(d.status).toBe(201);
      drafts.push(d.body.id as string);
    }
    const submitted = await Promise.all(
      drafts.map((id) => t.http().post(`/applications/${id}/submit`).set(auth).send({})),
    );
    expect(submitted.map((r) => r.status)).toEqual(drafts.map(() => 200));
    const cases: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM admission_application WHERE id = ANY($1) AND status = 'in_review' AND instance_id IS NOT NULL`,
      [drafts],
    );
    expect(cases[0].n).toBe(drafts.length);
  });

  it('given a submission that committed, when the department head approves, then the step runs on the engine the submission kept', async () => {
    const engines = t.app.get(EngineCache);
    const { instanceId } = await submitApplication(t, makeApplication(communities, { title: '保留引擎' }));
    expect(engines.cachedVersion(instanceId)).toBe(1);
    const before = engines.recoveries;
    expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(200);
    expect(engines.recoveries).toBe(before);
    expect(engines.cachedVersion(instanceId)).toBe(2);
  });

  it('given a case started inside a transaction that rolls back, then no engine of it is kept', async () => {
    const engines = t.app.get(EngineCache);
    let started: { id: string } | undefined;
    await expect(
      t.dataSource.transaction(async (m) => {
        started = await t.app
          .get(WorkflowRuntime)
          .start({}, { processId: 'review', businessKey: 'rolled-back', variables: { memberUnits: [] } }, m);
        throw new Error('the caller fails after the start');
      }),
    ).rejects.toThrow('the caller fails after the start');
    expect(started).toBeDefined();
    expect(engines.cachedVersion(started!.id)).toBeUndefined();
    const rows: unknown[] = await t.dataSource.query('SELECT 1 FROM workflow_instance WHERE id = $1', [
      started!.id,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('given a step with a time limit, when the department head approves, then the statements are the step write (which also stops the limit), the level lookup, and one statement of the task row, its next limit with its job, history and audit', async () => {
    const { instanceId } = await submitApplication(t, makeApplication(communities, { title: '限时一句' }));
    const head = await t.dataSource.query(
      `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'deptApprove' AND status = 'open'`,
      [instanceId],
    );
    await t.token('dept-head');
    const { result, statements } = await captureStatements(() =>
      act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' }),
    );
    expect(result.status).toBe(200);
    expect(statements.slice(statements.indexOf('START TRANSACTION'))).toEqual([
      'START TRANSACTION',
      'WITH done AS',
      'WITH owner AS',
      'WITH new_tasks AS',
      'COMMIT',
    ]);
    const timers: { task_id: string; cancelled: boolean; job: boolean }[] = await t.dataSource.query(
      `SELECT t.task_id, t.cancelled_at IS NOT NULL AS cancelled,
              EXISTS (SELECT 1 FROM pgboss.job j WHERE j.id = t.job_id AND j.data->>'timerId' = t.id::text) AS job
         FROM workflow_timer t WHERE t.instance_id = $1 AND t.kind = 'task-limit' ORDER BY t.created_at`,
      [instanceId],
    );
    expect(timers).toEqual([
      { task_id: head[0].id, cancelled: true, job: true },
      { task_id: expect.any(String), cancelled: false, job: true },
    ]);
  });

  it('given a countersign member with a time limit, when they sign, then their completion stops the limit in the same statement', async () => {
    const { instanceId } = await submitApplication(t, makeApplication(communities, { title: '会签限时' }));
    for (const [user, element] of [
      ['dept-head', 'deptApprove'],
      ['office', 'completeness'],
      ['office', 'scopeReview'],
    ])
      expect((await act(t, user, instanceId, element, { decision: 'approve' })).status).toBe(200);
    await t.token('member-1');
    const { result, statements } = await captureStatements(() =>
      act(t, 'member-1', instanceId, 'countersign', { decision: 'approve' }),
    );
    expect(result.status).toBe(200);
    expect(statements.filter((s) => s.startsWith('UPDATE workflow_timer'))).toEqual([]);
    const limits: { completed: boolean; cancelled: boolean }[] = await t.dataSource.query(
      `SELECT k.status = 'completed' AS completed, t.cancelled_at IS NOT NULL AS cancelled
         FROM workflow_timer t JOIN workflow_task k ON k.id = t.task_id
        WHERE t.instance_id = $1 AND k.element_id = 'countersign' ORDER BY completed DESC`,
      [instanceId],
    );
    expect(limits).toEqual([
      { completed: true, cancelled: true },
      { completed: false, cancelled: false },
      { completed: false, cancelled: false },
    ]);
  });
});
