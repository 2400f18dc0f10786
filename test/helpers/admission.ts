import type { TestApp } from './app.js';
import { act } from './cases.js';

/** An application (准入审批表) of the district-1 health commission for these communities, complete unless changed. */
export function makeApplication(communityIds: string[], over: Record<string, unknown> = {}) {
  return {
    kind: 'task',
    title: '社区慢病随访',
    content: '慢病患者每月随访一次。',
    statutoryArea: 'public_health',
    targetScope: 'list',
    targetCommunityIds: communityIds,
    authorizedContent: '随访、登记',
    targetPopulation: '慢病患者',
    powers: '登记',
    startDate: '2027-06-01',
    endDate: '2027-12-31',
    workloadHoursPerMonth: 4,
    frequency: '每月一次',
    fundingPerCommunityFen: 300000,
    fundingSource: '区财政专项',
    contactName: '张卫',
    contactPhone: '0571-88888888',
    ...over,
  };
}

/** The approvals from the department head to the principal leader, each approving. */
export const APPROVALS: [string, string][] = [
  ['dept-head', 'deptApprove'],
  ['office', 'completeness'],
  ['office', 'scopeReview'],
  ['member-1', 'countersign'],
  ['member-2', 'countersign'],
  ['member-3', 'countersign'],
  ['leader', 'leaderSign'],
];

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
