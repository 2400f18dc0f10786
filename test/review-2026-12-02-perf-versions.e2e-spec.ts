import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, instanceStatus, startReviewCase } from './helpers/cases.js';
import { FIXTURE_WORKFLOWS } from './helpers/workflow-fixtures.js';

/**
 * Review of the serialized models (engines load their model from the form made at deploy, state is stored
 * without it): a case of an old version, recovered by a process that never ran it, continues on its own model.
 */
describe('a case of an old version recovered after a restart', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cwa-flows-'));
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given version 2 of a flow whose step has another element id, when a new process continues a case of version 1, then it runs on version 1’s model to the end', async () => {
    cpSync(FIXTURE_WORKFLOWS, dir, { recursive: true });
    const first = await startTestApp({ WORKFLOWS_DIR: `workflows,${dir}` });
    const old = await startReviewCase(first);
    await first.stop();

    // Version 2: the department head's step is another element (the old one does not exist in it).
    const file = path.join(dir, 'review.bpmn');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"deptApprove"/g, '"deptHeadCheck"'));
    t = await startTestApp({ WORKFLOWS_DIR: `workflows,${dir}` }, { databaseUrl: first.databaseUrl });
    const fresh = await startReviewCase(t);

    // The old case, recovered from stored state with a cold cache, still waits at and completes its own step.
    expect((await act(t, 'dept-head', old, 'deptApprove', { decision: 'reject' })).status).toBe(200);
    expect(await instanceStatus(t, old)).toBe('completed');
    const incidents = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM workflow_incident WHERE instance_id = $1',
      [old],
    );
    expect(incidents[0].n).toBe(0);

    // The new case runs version 2.
    expect((await act(t, 'dept-head', fresh, 'deptHeadCheck', { decision: 'reject' })).status).toBe(200);
    expect(await instanceStatus(t, fresh)).toBe('completed');
  });
});
