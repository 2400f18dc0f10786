import { BenchModule } from '../bench/bench-module.js';
import { randomUUID } from 'node:crypto';
import { SessionCache } from '../src/auth/session-cache.js';
import { TASK_COLUMN_NAMES } from '../src/workflow/task-rows.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { captureStatements } from './helpers/statements.js';
import { waitFor } from './helpers/timers.js';

/** Keeps `npm run bench:workflow` honest: its flow deploys beside the product's and runs to the end over HTTP. */
describe('the benchmark flow', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ WORKFLOWS_DIR: 'workflows,bench/workflows' }, { modules: [BenchModule] });
  });
  afterAll(async () => {
    await t.close();
  });

  /** Starts a bench case owned by the demo department (as sysadmin); answers the response. */
  async function startCase() {
    const owner = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901-WJ'`))[0].id;
    return t
      .http()
      .post('/workflow-instances')
      .set('Authorization', `Bearer ${await t.token('sysadmin')}`)
      .send({ processId: 'bench', ownerUnitId: owner });
  }

  /** The office approves a task on server process `app`. */
  async function approve(taskId: string, app: TestApp = t) {
    return app
      .http()
      .post(`/tasks/${taskId}/complete`)
      .set('Authorization', `Bearer ${await app.token('office')}`)
      .send({ decision: 'approve' });
  }

  it('given a bench case, when its eight approvals are completed over HTTP, then it ends', async () => {
    const started = await startCase();
    expect(started.status).toBe(201);
    let task: string | undefined = started.body.tasks[0].id;
    let steps = 0;
    while (task) {
      const res = await approve(task);
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

  it('given a cached case, when a task is completed, then the service sends PostgreSQL 6 statements: the task read, then one transaction that writes the step in two', async () => {
    // Every completion takes the one write path (the session kept in memory): task with its case row, and a transaction
    // that completes the task with the state (and reads the rows to reconcile), looks up the next task's
    // office, and writes the new task, history and audit record.
    const first = await approve((await startCase()).body.tasks[0].id);
    await t.token('office'); // the token is made before the statements are counted
    const { result: res, statements } = await captureStatements(() => approve(first.body.openTasks[0].id));
    expect(res.status).toBe(200);
    expect(statements).toEqual([
      'SELECT t.id, t.instance_id,',
      'START TRANSACTION',
      'WITH done AS',
      'WITH owner AS',
      'WITH new_tasks AS',
      'COMMIT',
    ]);
  });
  it('given the task reads kept prepared on each connection, then they name every column of workflow_task', async () => {
    const columns: { column_name: string }[] = await t.dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'workflow_task' ORDER BY ordinal_position`,
    );
    expect([...TASK_COLUMN_NAMES].sort()).toEqual(columns.map((c) => c.column_name).sort());
  });
  it('given a migration that adds a column to workflow_task while the service runs, then task reads and completions go on', async () => {
    const token = await t.token('office');
    let task: string | undefined = (await startCase()).body.tasks[0].id;
    // Prepares the statements on the connections the service uses.
    for (let i = 0; i < 3; i++) task = (await approve(task!)).body.openTasks[0].id;
    await t.dataSource.query('ALTER TABLE workflow_task ADD COLUMN added_by_a_later_release integer');
    try {
      while (task) {
        const res = await approve(task);
        expect(res.status).toBe(200);
        expect((await t.http().get(`/tasks/${task}`).set('Authorization', `Bearer ${token}`)).status).toBe(
          200,
        );
        task = res.body.openTasks[0]?.id;
      }
    } finally {
      await t.dataSource.query('ALTER TABLE workflow_task DROP COLUMN added_by_a_later_release');
    }
  });
  // Last: a second app in this test process takes over Passport's strategy until all apps stop.
  it('given the office of a level replaced, when the next task opens in either server process, then it goes to the new office', async () => {
    const other = await startTestApp(
      { WORKFLOWS_DIR: 'workflows,bench/workflows' },
      { databaseUrl: t.databaseUrl, modules: [BenchModule] },
    );
    try {
      const start = async () => (await startCase()).body.tasks[0].id as string;
      const complete = async (app: TestApp, taskId: string) => {
        const res = await approve(taskId, app);
        expect(res.status).toBe(200);
        return res.body.openTasks[0].id as string;
      };
      const candidates = async (taskId: string): Promise<string[]> =>
        (await t.dataSource.query('SELECT candidate_unit_ids FROM workflow_task WHERE id = $1', [taskId]))[0]
          .candidate_unit_ids;
      /**
       * Runs hand-written statements as an administrator would, then waits until both server processes have
       * heard the database announce them (NOTIFY auth_changed): a principal kept in memory is forgotten then, as
       * it is within milliseconds in production. Without the wait the next request may outrun the announcement.
       */
      const change = async (statements: () => Promise<unknown>) => {
        const caches = [t, other].map((app) => app.app.get(SessionCache));
        const before = caches.map((c) => c.changesHeard);
        await statements();
        await waitFor('both processes to hear the change', async () =>
          caches.every((c, i) => c.changesHeard > before[i]),
        );
      };
      // Both processes have looked up the office for this owner.
      const onT = await complete(t, await start());
      const onOther = await complete(other, await start());
      const [oldOffice] = await candidates(onT);
      expect(await candidates(onOther)).toEqual([oldOffice]);
      // The office is replaced: a new one under the leading group, the old one moved out of it.
      const office: { parent_id: string; group_path: string; level_id: string }[] = await t.dataSource.query(
        `SELECT o.parent_id, g.path AS group_path, g.parent_id AS level_id
           FROM org_unit o JOIN org_unit g ON g.id = o.parent_id WHERE o.id = $1`,
        [oldOffice],
      );
      const newOffice = randomUUID();
      await change(() =>
        t.dataSource.transaction(async (m) => {
          await m.query(
            `INSERT INTO org_unit (id, code, name, kind, parent_id, path) VALUES ($1, '339901-LGO2', '新领导小组办公室', 'LEADING_GROUP_OFFICE', $2, $3)`,
            [newOffice, office[0].parent_id, `${office[0].group_path}${newOffice}/`],
          );
          await m.query('UPDATE org_unit SET parent_id = $2 WHERE id = $1', [oldOffice, office[0].level_id]);
        }),
      );
      const nextOnT = await complete(t, onT);
      expect(await candidates(nextOnT)).toEqual([newOffice]);
      expect(await candidates(await complete(other, onOther))).toEqual([newOffice]);
      // And back again: the next task in either process goes to the old office.
      await change(async () => {
        await t.dataSource.query(`UPDATE app_user SET unit_id = $1 WHERE username = 'office'`, [newOffice]);
        await t.dataSource.query('UPDATE org_unit SET parent_id = $2 WHERE id = $1', [
          oldOffice,
          office[0].parent_id,
        ]);
        await t.dataSource.query('UPDATE org_unit SET parent_id = $2 WHERE id = $1', [
          newOffice,
          office[0].level_id,
        ]);
      });
      expect(await candidates(await complete(t, nextOnT))).toEqual([oldOffice]);
      await change(() =>
        t.dataSource.query(`UPDATE app_user SET unit_id = $1 WHERE username = 'office'`, [oldOffice]),
      );
    } finally {
      await other.stop();
    }
  });
});
