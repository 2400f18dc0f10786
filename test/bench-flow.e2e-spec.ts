import { BenchModule } from '../bench/bench-module.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { captureStatements } from './helpers/statements.js';

/** Keeps `npm run bench:workflow` honest: its flow deploys beside the product's and runs to the end over HTTP. */
describe('the benchmark flow', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ WORKFLOWS_DIR: 'workflows,bench/workflows' }, { modules: [BenchModule] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a bench case, when its eight approvals are completed over HTTP, then it ends', async () => {
    const owner = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901-WJ'`))[0].id;
    const started = await t
      .http()
      .post('/workflow-instances')
      .set('Authorization', `Bearer ${await t.token('sysadmin')}`)
      .send({ processId: 'bench', ownerUnitId: owner });
    expect(started.status).toBe(201);
    let task: string | undefined = started.body.tasks[0].id;
    let steps = 0;
    while (task) {
      const res = await t
        .http()
        .post(`/tasks/${task}/complete`)
        .set('Authorization', `Bearer ${await t.token('office')}`)
        .send({ decision: 'approve' });
      expect(res.status).toBe(200);
      task = res.body.openTasks[0]?.id;
      steps++;
    }
    expect(steps).toBe(8);
    // Each step's audit record is named after what the step did (the first history entry that is not an element).
    const audit: { action: string }[] = await t.dataSource.query(
      `SELECT action FROM audit_record WHERE entity_type = 'workflow_instance' AND entity_id = $1 ORDER BY seq`,
      [started.body.id],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'workflow.instance.started',
      ...Array.from({ length: 8 }, () => 'workflow.task.completed'),
    ]);
  });

  it('given a cached case, when a task is completed, then the service sends PostgreSQL at most 4 statements, none of them BEGIN', async () => {
    // The benchmark is bound by round trips: session check, task with its case row, the candidate lookup,
    // and one statement that writes the whole step (completion, state, new tasks, history, audit).
    const owner = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901-WJ'`))[0].id;
    const token = await t.token('office');
    const started = await t
      .http()
      .post('/workflow-instances')
      .set('Authorization', `Bearer ${await t.token('sysadmin')}`)
      .send({ processId: 'bench', ownerUnitId: owner });
    const first = await t
      .http()
      .post(`/tasks/${started.body.tasks[0].id}/complete`)
      .set('Authorization', `Bearer ${token}`)
      .send({ decision: 'approve' });
    const { result: res, statements } = await captureStatements(() =>
      t
        .http()
        .post(`/tasks/${first.body.openTasks[0].id}/complete`)
        .set('Authorization', `Bearer ${token}`)
        .send({ decision: 'approve' }),
    );
    expect(res.status).toBe(200);
    expect(statements.length).toBeLessThanOrEqual(4);
    expect(statements).not.toContain('START TRANSACTION');
  });
});
