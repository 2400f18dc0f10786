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
    const review = list.body.items.find((d: { processId: string }) => d.processId === 'review');
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

  it('given content A, then B, when the file is reverted to A, then A is deployed again as the newest version; new cases start on it, running ones stay on theirs', async () => {
    const file = path.join(dir, 'review.bpmn');
    const contentB = readFileSync(file, 'utf8');
    const onB = await startReviewCase(t);
    await t.stop();
    // Revert the file to the first content (A): it was deployed before as version 1.
    writeFileSync(file, readFileSync(path.join(FIXTURE_WORKFLOWS, 'review.bpmn'), 'utf8'));
    const url = t.databaseUrl;
    t = await startTestApp({ WORKFLOWS_DIR: `workflows,${dir}` }, { databaseUrl: url });
    const list = await t
      .http()
      .get('/workflows')
      .set('Authorization', `Bearer ${await t.token('office')}`);
    const review = list.body.items.find((d: { processId: string }) => d.processId === 'review');
    expect(review.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);

    const reverted = await startReviewCase(t);
    const view = async (id: string) =>
      (
        await t
          .http()
          .get(`/workflow-instances/${id}`)
          .set('Authorization', `Bearer ${await t.token('sysadmin')}`)
      ).body;
    expect(await view(reverted)).toMatchObject({
      definitionVersion: 3,
      tasks: [expect.objectContaining({ name: '部门负责人审核', status: 'open' })],
    });
    expect(await view(onB)).toMatchObject({
      definitionVersion: 2,
      tasks: [expect.objectContaining({ name: '部门负责人审核（新）', status: 'open' })],
    });

    // The same content as the newest version deploys nothing new; B again is version 4.
    await t.stop();
    t = await startTestApp({ WORKFLOWS_DIR: `workflows,${dir}` }, { databaseUrl: url });
    const count = async () =>
      (
        await t.dataSource.query(
          `SELECT count(*)::int AS n, max(version) AS v FROM workflow_definition WHERE process_id = 'review'`,
        )
      )[0];
    expect(await count()).toEqual({ n: 3, v: 3 });
    await t.stop();
    writeFileSync(file, contentB);
    t = await startTestApp({ WORKFLOWS_DIR: `workflows,${dir}` }, { databaseUrl: url });
    expect(await count()).toEqual({ n: 4, v: 4 });
    const again = await startReviewCase(t);
    expect(await view(again)).toMatchObject({
      definitionVersion: 4,
      tasks: [expect.objectContaining({ name: '部门负责人审核（新）', status: 'open' })],
    });
  });
});
