import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, instanceStatus, startReviewCase } from './helpers/cases.js';
import { FIXTURE_WORKFLOWS } from './helpers/workflow-fixtures.js';

describe('workflow definitions are versioned', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cwa-flows-'));
  let t: TestApp;
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given new content for a process, then it is a new version; running cases stay on theirs, new ones take the latest', async () => {
    cpSync(FIXTURE_WORKFLOWS, dir, { recursive: true });
    const first = await startTestApp({ WORKFLOWS_DIR: `workflows,${dir}` });
    const old = await startReviewCase(first);
    await first.stop();

    // The same content again deploys nothing new.
    const same = await startTestApp(
      { WORKFLOWS_DIR: `workflows,${dir}` },
      { databaseUrl: first.databaseUrl },
    );
    expect(
      (
        await same.dataSource.query(
          `SELECT count(*)::int AS n FROM workflow_definition WHERE process_id = 'review'`,
        )
      )[0].n,
    ).toBe(1);
    await same.stop();

    // A changed flow: the department head's step is renamed.
    const file = path.join(dir, 'review.bpmn');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('name="部门负责人审核"', 'name="部门负责人审核（新）"'),
    );
    t = await startTestApp({ WORKFLOWS_DIR: `workflows,${dir}` }, { databaseUrl: first.databaseUrl });
    const list = await t
      .http()
      .get('/workflows')
      .set('Authorization', `Bearer ${await t.token('office')}`);
    const review = list.body.find((d: { processId: string }) => d.processId === 'review');
    expect(review.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const fresh = await startReviewCase(t);
    const oldView = await t
      .http()
      .get(`/workflow-instances/${old}`)
      .set('Authorization', `Bearer ${await t.token('sysadmin')}`);
    const newView = await t
      .http()
      .get(`/workflow-instances/${fresh}`)
      .set('Authorization', `Bearer ${await t.token('sysadmin')}`);
    expect(oldView.body).toMatchObject({
      definitionVersion: 1,
      tasks: [expect.objectContaining({ name: '部门负责人审核', status: 'open' })],
    });
    expect(newView.body).toMatchObject({
      definitionVersion: 2,
      tasks: [expect.objectContaining({ name: '部门负责人审核（新）', status: 'open' })],
    });

    // The old case still runs its own version to the end.
    expect((await act(t, 'dept-head', old, 'deptApprove', { decision: 'reject' })).status).toBe(200);
    expect(await instanceStatus(t, old)).toBe('completed');
  });
});
