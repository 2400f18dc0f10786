import { Permission } from '../auth/permissions.js';
import type { Principal } from '../common/actor.js';
import type { WorkflowTask } from './workflow-task.entity.js';
import { claimDecision, mayAct, maySee, mayUrge, mayWithdraw, type TaskAccessFields } from './task-access.js';

const OFFICE = 'unit-office';
const OTHER = 'unit-other';

function person(
  userId: string,
  unitId = OFFICE,
  roles: string[] = ['OFFICE'],
  permissions: Permission[] = [],
) {
  return { userId, unitId, roles, permissions: new Set(permissions) } as unknown as Principal;
}

/** A task of the office's clerks (unit and role), held by nobody unless said otherwise. */
type TaskFields = TaskAccessFields & Pick<WorkflowTask, 'status' | 'kind'>;

function task(over: Partial<TaskFields> = {}): TaskFields {
  return {
    candidateUnitIds: [OFFICE],
    candidateRoles: ['OFFICE'],
    candidateUserIds: [],
    assigneeId: null,
    escalatedToUnitIds: [],
    completedBy: null,
    delegatedFromId: null,
    status: 'open',
    kind: 'step',
    ...over,
  };
}

describe('who may see and act on a task', () => {
  const clerk = person('clerk');
  const colleague = person('colleague');
  const otherRole = person('driver', OFFICE, ['DEPARTMENT']);
  const outsider = person('outsider', OTHER);

  it('given a claimable task, then anyone of its unit and role may act, and nobody of another role or unit', () => {
    expect(mayAct(clerk, task())).toBe(true);
    expect(mayAct(otherRole, task())).toBe(false);
    expect(mayAct(outsider, task())).toBe(false);
    expect(maySee(outsider, task())).toBe(false);
  });

  it('given a task held by a colleague, then the clerk sees it but may not act on it', () => {
    const held = task({ assigneeId: 'colleague' });
    expect(mayAct(colleague, held)).toBe(true);
    expect(mayAct(clerk, held)).toBe(false);
    expect(maySee(clerk, held)).toBe(true);
  });

  it('given a holder who was moved to another unit, then they may no longer act on or see the task they hold', () => {
    const held = task({ assigneeId: 'moved' });
    expect(mayAct(person('moved', OTHER), held)).toBe(false);
    expect(maySee(person('moved', OTHER), held)).toBe(false);
  });

  it('given a task escalated to a unit, completed by someone, or delegated by someone, then they see it without acting', () => {
    expect(maySee(outsider, task({ escalatedToUnitIds: [OTHER] }))).toBe(true);
    expect(mayAct(outsider, task({ escalatedToUnitIds: [OTHER] }))).toBe(false);
    expect(maySee(outsider, task({ completedBy: 'outsider', status: 'completed' }))).toBe(true);
    expect(maySee(outsider, task({ delegatedFromId: 'outsider', assigneeId: 'clerk' }))).toBe(true);
  });

  it('given a user named by the task, then they may act whatever their unit and role', () => {
    expect(mayAct(outsider, task({ candidateUserIds: ['outsider'] }))).toBe(true);
  });

  it('given claims, then a free task is claimed, one’s own is kept, and the rest are refused by reason', () => {
    expect(claimDecision(clerk, task())).toBe('claim');
    expect(claimDecision(clerk, task({ assigneeId: 'clerk' }))).toBe('mine');
    expect(claimDecision(clerk, task({ assigneeId: 'colleague' }))).toBe('TASK_ALREADY_CLAIMED');
    expect(claimDecision(clerk, task({ status: 'completed' }))).toBe('TASK_NOT_OPEN');
    expect(claimDecision(otherRole, task())).toBe('TASK_NOT_YOURS');
  });

  it('given 撤回, then only its completer may, while still of the step’s group, and not for an added signature', () => {
    const done = task({ status: 'completed', completedBy: 'clerk' });
    expect(mayWithdraw(clerk, done)).toBe(true);
    expect(mayWithdraw(colleague, done)).toBe(false);
    expect(mayWithdraw(person('clerk', OTHER), done)).toBe(false);
    expect(mayWithdraw(clerk, { ...done, kind: 'added-signer' })).toBe(false);
    expect(mayWithdraw(clerk, { ...done, status: 'open' })).toBe(false);
  });

  it('given 催办, then the starter and the escalation unit may; an overseer only when the case lies in their area', async () => {
    let asked = 0;
    const inArea = (answer: boolean) => async () => {
      asked++;
      return answer;
    };
    const overseer = person('overseer', OTHER, ['OFFICE'], [Permission.WORKFLOW_OVERSEE]);
    expect(await mayUrge(outsider, task(), { startedBy: 'outsider' }, inArea(false))).toBe(true);
    expect(
      await mayUrge(outsider, task({ escalatedToUnitIds: [OTHER] }), { startedBy: null }, inArea(false)),
    ).toBe(true);
    expect(asked).toBe(0);
    expect(await mayUrge(overseer, task(), { startedBy: 'someone' }, inArea(true))).toBe(true);
    expect(await mayUrge(overseer, task(), { startedBy: 'someone' }, inArea(false))).toBe(false);
    // Without the permission the area is not even asked.
    expect(await mayUrge(outsider, task(), { startedBy: 'someone' }, inArea(true))).toBe(false);
    expect(asked).toBe(2);
  });
});
