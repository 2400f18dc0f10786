import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act } from './helpers/cases.js';
import { FIXTURE_WORKFLOWS } from './helpers/workflow-fixtures.js';

/**
 * Admission cases running when the returns at every review are deployed: a case started on the previous
 * version of workflows/admission.bpmn has no path back to the department after the scope review, the
 * countersign or the signature (a return there would take the gate's default path, a rejection), so it
 * offers approve and reject only; a case of today's version may return.
 */
describe('admission cases running when the returns at every review are deployed', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cwa-admission-flows-'));
  let before: TestApp | undefined;
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a case at the scope review of the previous flow, then a return answers 400 and leaves it in review, an approval goes on; a new case may be returned there', async () => {
    cpSync('workflows', dir, { recursive: true });
    cpSync('test/fixtures/admission-before-returns/admission.bpmn', path.join(dir, 'admission.bpmn'));
    before = await startTestApp({ WORKFLOWS_DIR: `${dir},${FIXTURE_WORKFLOWS}` });
    const communities: string[] = (
      await before.dataSource.query(`SELECT id FROM org_unit WHERE kind = 'COMMUNITY' ORDER BY code LIMIT 2`)
    ).map((r: { id: string }) => r.id);
    const old = await submitApplication(before, makeApplication(communities, { title: '旧版本流程的申请' }));
    for (const [user, element] of [
      ['dept-head', 'deptApprove'],
      ['office', 'completeness'],
    ])
      expect((await act(before, user, old.instanceId, element, { decision: 'approve' })).status).toBe(200);
    await before.stop();

    t = await startTestApp({}, { databaseUrl: before.databaseUrl });
    const returned = await act(t, 'office', old.instanceId, 'scopeReview', {
      decision: 'return',
      form: { deficiencies: [{ problem: '请补充法律依据' }] },
    });
    expect(returned.status).toBe(400);
    expect(returned.body.error.code).toBe('DECISION_NOT_ALLOWED');
    expect(returned.body.error.details).toEqual({ allowed: ['approve', 'reject'] });
    const app = async (id: string) =>
      t!
        .http()
        .get(`/applications/${id}`)
        .set('Authorization', `Bearer ${await t!.token('dept-staff')}`);
    expect((await app(old.applicationId)).body.status).toBe('in_review');
    expect((await act(t, 'office', old.instanceId, 'scopeReview', { decision: 'approve' })).status).toBe(200);

    const fresh = await submitApplication(t, makeApplication(communities, { title: '新版本流程的申请' }));
    for (const [user, element] of [
      ['dept-head', 'deptApprove'],
      ['office', 'completeness'],
    ])
      expect((await act(t, user, fresh.instanceId, element, { decision: 'approve' })).status).toBe(200);
    const back = await act(t, 'office', fresh.instanceId, 'scopeReview', {
      decision: 'return',
      form: { deficiencies: [{ problem: '请补充法律依据' }] },
    });
    expect(back.status).toBe(200);
    expect((await app(fresh.applicationId)).body.status).toBe('returned');
  });
});
