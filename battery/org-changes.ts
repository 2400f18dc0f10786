/*
 * Authority after the organization changes (issue "decided now, by the organization as it is now"): a user who
 * holds a task loses the role, is moved to another unit, is disabled, or the principal leader is replaced. The
 * old holder must not act any more, and the task must be back with its group (someone who may hold it can).
 */
import {
  type Answer,
  type Api,
  makeApplication,
  approveSteps,
  type ScratchDatabase,
  taskOf,
} from './harness.js';
import { makeUser, reviewCase, type Fixtures } from './fixtures.js';

export interface ChangeFinding {
  kind: 'allow' | 'stuck';
  text: string;
}

export async function organizationChanges(
  api: Api,
  db: ScratchDatabase,
  f: Fixtures,
): Promise<{ probes: number; findings: ChangeFinding[] }> {
  const findings: ChangeFinding[] = [];
  const ok = (r: Answer) => r.status >= 200 && r.status < 300;
  const version = async (id: string) =>
    (await api.as('sysadmin', 'GET', `/admin/users/${id}`)).version as number;
  const call = async (user: string, method: string, path: string, body?: unknown) =>
    api.call(method, path, { token: await api.token(user), body });
  let probes = 0;

  /** After `change`, `old` must not complete `task`; `heir` must be able to claim or complete it. */
  const check = async (
    what: string,
    task: string,
    old: string,
    heir: string,
    change: () => Promise<void>,
  ) => {
    await change();
    api.forget(old); // a role change, a move or disabling ends the sessions: log in again where still allowed
    const acted = await api
      .token(old)
      .then(() => call(old, 'POST', `/tasks/${task}/complete`, { decision: 'approve' }))
      .catch(() => null);
    probes++;
    if (acted && ok(acted))
      findings.push({
        kind: 'allow',
        text: `${what}: ${old} still completed the task → ${acted.status}`,
      });
    const taken = await call(heir, 'POST', `/tasks/${task}/claim`);
    probes++;
    if (!ok(taken) && !(acted && ok(acted)))
      findings.push({
        kind: 'stuck',
        text: `${what}: the task is not back with its group: ${heir} claims → ${taken.status} ${taken.body.error?.code ?? ''}`,
      });
  };

  // A holder of the office's review loses the OFFICE role.
  const officeB = await makeUser(api, 'office-b', f.unit['339901-LGO'], 'OFFICE');
  const t1 = (await reviewCase(api, f.unit)).task;
  await api.as('office-b', 'POST', `/tasks/${t1}/claim`);
  await check('office-b lost the OFFICE role', t1, 'office-b', 'office', async () => {
    await api.as('secadmin', 'PUT', `/admin/users/${officeB}/roles`, {
      roles: [],
      version: await version(officeB),
    });
  });

  // A holder of the office's review is disabled.
  const officeC = await makeUser(api, 'office-c', f.unit['339901-LGO'], 'OFFICE');
  const t2 = (await reviewCase(api, f.unit)).task;
  await api.as('office-c', 'POST', `/tasks/${t2}/claim`);
  await check('office-c was disabled', t2, 'office-c', 'office', async () => {
    await api.as('sysadmin', 'PATCH', `/admin/users/${officeC}`, {
      active: false,
      version: await version(officeC),
    });
  });

  // A department head holding the department's approval is moved to another department.
  const headB = await makeUser(api, 'head-b', f.unit['339901-WJ'], 'DEPT_HEAD');
  const draft = await api.as(
    'dept-staff',
    'POST',
    '/applications',
    makeApplication([f.unit['339901001001']]),
  );
  const submitted = await api.as('dept-staff', 'POST', `/applications/${draft.id as string}/submit`, {});
  const t3 = await taskOf(api, 'head-b', submitted.instanceId as string, 'deptApprove');
  await api.as('head-b', 'POST', `/tasks/${t3}/claim`);
  await check('head-b was moved to another department', t3, 'head-b', 'dept-head', async () => {
    await api.as('sysadmin', 'PATCH', `/admin/users/${headB}`, {
      unitId: f.unit['339901-ZJ'],
      version: await version(headB),
    });
  });

  // The principal leader is replaced while a case waits for the leader's signature.
  const leaderB = await makeUser(api, 'leader-b', f.unit['339901-LG'], 'LEADER');
  const waiting = await reviewCase(api, f.unit);
  await approveSteps(api, waiting.instanceId, 1, 6);
  const t4 = await taskOf(api, 'leader', waiting.instanceId, 'leaderSign');
  await check('the principal leader was replaced by leader-b', t4, 'leader', 'leader-b', async () => {
    const members = await db.query<{ unit_id: string }>(
      'SELECT unit_id FROM leading_group_member WHERE group_id = $1 ORDER BY position',
      [f.unit['339901-LG']],
    );
    await api.as('sysadmin', 'PUT', `/admin/leading-groups/${f.unit['339901-LG']}`, {
      principalLeaderId: leaderB,
      memberUnitIds: members.map((m) => m.unit_id),
    });
  });
  return { probes, findings };
}
