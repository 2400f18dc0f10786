import type { TestApp } from './app.js';
import { act } from './cases.js';
import { APPROVALS } from '../fixtures/application.js';

export { APPROVALS, makeApplication } from '../fixtures/application.js';

/** Drafts and submits an application as `dept-staff`; answers its id and the case. */
export async function submitApplication(
  t: TestApp,
  body: Record<string, unknown>,
): Promise<{ applicationId: string; instanceId: string }> {
  const auth = { Authorization: `Bearer ${await t.token('dept-staff')}` };
  const d = await t.http().post('/applications').set(auth).send(body);
  if (d.status !== 201) throw new Error(`draft refused: ${JSON.stringify(d.body)}`);
  const s = await t.http().post(`/applications/${d.body.id}/submit`).set(auth).send({});
  if (s.status !== 200) throw new Error(`submission refused: ${JSON.stringify(s.body)}`);
  return { applicationId: d.body.id, instanceId: s.body.instanceId };
}

/** Submits an application and approves it at every step; answers the admitted item. */
export async function admitApplication(t: TestApp, body: Record<string, unknown>) {
  const { applicationId, instanceId } = await submitApplication(t, body);
  for (const [user, element] of APPROVALS) {
    const res = await act(t, user, instanceId, element, { decision: 'approve' });
    if (res.status !== 200) throw new Error(`${user} at ${element}: ${JSON.stringify(res.body)}`);
  }
  const item = (
    await t.dataSource.query('SELECT id, admission_number FROM admitted_item WHERE application_id = $1', [
      applicationId,
    ])
  )[0];
  return { applicationId, instanceId, itemId: item.id as string, number: item.admission_number as string };
}
