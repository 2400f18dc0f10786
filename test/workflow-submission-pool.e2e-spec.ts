import { EngineCache } from '../src/workflow/runtime/engine-cache.js';
import { WorkflowRuntime } from '../src/workflow/runtime.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { act } from './helpers/cases.js';

describe('submissions: the connection pool and the engine of the new case', () => {
  let t: TestApp;
  let communities: string[];
  const POOL = 2;

  beforeAll(async () => {
    // A small pool and a short wait for a connection: a submission that asks the pool for a second
    // connection while it holds one waits for ever once every connection is held so.
    t = await startTestApp({ DB_POOL_SIZE: String(POOL), DB_CONNECT_TIMEOUT_MS: '3000' });
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
});
