import { BenchModule } from '../bench/bench-module.js';
import { startTestApp, type TestApp } from './helpers/app.js';

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
  });
});
