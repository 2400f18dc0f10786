import type { Actor } from '../../src/common/actor.js';
import { WorkflowRuntime } from '../../src/workflow/runtime.service.js';
import type { TestApp } from './app.js';

/** Starts a case of the fixture flow as `dept-staff` would, owned by their department, with the district's members. */
export async function startReviewCase(t: TestApp, variables: Record<string, unknown> = {}): Promise<string> {
  const staff = (
    await t.dataSource.query(`SELECT id, username, unit_id FROM app_user WHERE username = 'dept-staff'`)
  )[0];
  const members: { unit_id: string }[] = await t.dataSource.query(
    `SELECT m.unit_id FROM leading_group_member m JOIN org_unit g ON g.id = m.group_id WHERE g.code = '339901-LG' ORDER BY m.position`,
  );
  const actor = { principal: { userId: staff.id, username: staff.username } } as Actor;
  const started = await t.app.get(WorkflowRuntime).start(actor, {
    processId: 'review',
    businessKey: `case-${Date.now()}-${Math.random()}`,
    ownerUnitId: staff.unit_id,
    variables: { memberUnits: members.map((m) => m.unit_id), ...variables },
  });
  return started.id;
}

/** A row of the task inbox, as the tests read it. */
export interface InboxRow {
  id: string;
  instanceId: string;
  elementId: string;
  urgedCount: number;
  overdue: boolean;
  escalated: boolean;
  [field: string]: unknown;
}

/** The whole inbox of `username`, read page by page (the route answers pages of at most 200 rows). */
export async function inboxOf(t: TestApp, username: string): Promise<InboxRow[]> {
  const token = await t.token(username);
  const rows: InboxRow[] = [];
  for (let page = 1; ; page++) {
    const res = await t
      .http()
      .get('/tasks')
      .query({ page, pageSize: 200 })
      .set('Authorization', `Bearer ${token}`);
    if (res.status !== 200)
      throw new Error(`inbox of ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    const body = res.body as { items: InboxRow[]; total: number };
    rows.push(...body.items);
    if (page * 200 >= body.total) return rows;
  }
}

/** The one open task of a case at an element that `username` can act on. */
export async function openTask(
  t: TestApp,
  username: string,
  instanceId: string,
  elementId: string,
): Promise<string> {
  const inbox = await inboxOf(t, username);
  const task = inbox.find((x) => x.instanceId === instanceId && x.elementId === elementId);
  if (!task)
    throw new Error(`${username} has no ${elementId} task of ${instanceId}: ${JSON.stringify(inbox)}`);
  return task.id;
}

/** Completes the task `username` has at `elementId`; answers the HTTP response. */
export async function act(
  t: TestApp,
  username: string,
  instanceId: string,
  elementId: string,
  body: Record<string, unknown> = {},
  op = 'complete',
) {
  const id = await openTask(t, username, instanceId, elementId);
  return t
    .http()
    .post(`/tasks/${id}/${op}`)
    .set('Authorization', `Bearer ${await t.token(username)}`)
    .send(body);
}

export async function historyActions(t: TestApp, instanceId: string): Promise<string[]> {
  const rows: { action: string; element_id: string | null }[] = await t.dataSource.query(
    `SELECT action, element_id FROM workflow_history WHERE instance_id = $1 AND action <> 'element.completed' ORDER BY seq`,
    [instanceId],
  );
  return rows.map((r) => (r.element_id ? `${r.action}:${r.element_id}` : r.action));
}

export async function instanceStatus(t: TestApp, instanceId: string): Promise<string> {
  return (await t.dataSource.query('SELECT status FROM workflow_instance WHERE id = $1', [instanceId]))[0]
    .status;
}
