import { Permission } from '../auth/permissions.js';
import type { Principal } from '../common/actor.js';
import { isCandidate, type CandidateLists } from './candidates.js';
import type { WorkflowTask } from './workflow-task.entity.js';

/**
 * Who may see and act on a task — the decisions, without the database. Each is taken on the principal as the
 * session has them (unit and roles) and the task's row; TaskHolders checks in the same transaction that the
 * session still matches the organization.
 */

/** The task fields the access decisions read. */
export type TaskAccessFields = CandidateLists &
  Pick<WorkflowTask, 'assigneeId' | 'escalatedToUnitIds' | 'completedBy' | 'delegatedFromId'>;

/** Whether the principal is one of the task's candidates (named, or of a unit named with a role named). */
export function isCandidateOf(p: Pick<Principal, 'userId' | 'unitId' | 'roles'>, t: CandidateLists): boolean {
  return isCandidate({ id: p.userId, unitId: p.unitId, roles: p.roles }, t);
}

/**
 * Whether the principal, with the unit and roles they have now, may act on the task: its holder or, while
 * nobody holds it, anyone of its group — and in both cases someone its group names today (a holder who was
 * moved or lost the role no longer may, even before the task has been given back).
 */
export function mayAct(
  p: Pick<Principal, 'userId' | 'unitId' | 'roles'>,
  t: CandidateLists & Pick<WorkflowTask, 'assigneeId'>,
): boolean {
  return (t.assigneeId === p.userId || t.assigneeId === null) && isCandidateOf(p, t);
}

/**
 * Whether the principal may see the task: they may act on it or are of its group, it was escalated to their
 * unit, they completed it, or they delegated it (委托). Anyone else gets the 404 of a missing task.
 */
export function maySee(p: Pick<Principal, 'userId' | 'unitId' | 'roles'>, t: TaskAccessFields): boolean {
  return (
    mayAct(p, t) ||
    isCandidateOf(p, t) ||
    t.escalatedToUnitIds.includes(p.unitId) ||
    t.completedBy === p.userId ||
    t.delegatedFromId === p.userId
  );
}

/**
 * Whether the principal may take a task for themselves (认领): an open task held by nobody, of their group.
 * 'mine' when they hold it already (claiming again changes nothing).
 */
export function claimDecision(
  p: Pick<Principal, 'userId' | 'unitId' | 'roles'>,
  t: CandidateLists & Pick<WorkflowTask, 'assigneeId' | 'status'>,
): 'claim' | 'mine' | 'TASK_NOT_OPEN' | 'TASK_ALREADY_CLAIMED' | 'TASK_NOT_YOURS' {
  if (t.status !== 'open') return 'TASK_NOT_OPEN';
  if (t.assigneeId === p.userId) return 'mine';
  if (t.assigneeId !== null) return 'TASK_ALREADY_CLAIMED';
  if (!isCandidateOf(p, t)) return 'TASK_NOT_YOURS';
  return 'claim';
}

/**
 * 撤回: only its completer, while they still belong to the step's group (not after a move or the loss of the
 * role), and only for a completed step (not an added signature).
 */
export function mayWithdraw(
  p: Pick<Principal, 'userId' | 'unitId' | 'roles'>,
  t: CandidateLists & Pick<WorkflowTask, 'status' | 'completedBy' | 'kind'>,
): boolean {
  return t.status === 'completed' && t.completedBy === p.userId && t.kind === 'step' && isCandidateOf(p, t);
}

/**
 * 催办: the case's starter, the unit the task was escalated to, and overseers of the case's area may urge a
 * task; to anyone else it answers like a missing task. `ownerInArea` answers whether the case's unit lies in
 * the principal's scope (asked only of overseers).
 */
export async function mayUrge(
  p: Pick<Principal, 'userId' | 'unitId' | 'permissions'>,
  t: Pick<WorkflowTask, 'escalatedToUnitIds'>,
  instance: { startedBy: string | null },
  ownerInArea: () => Promise<boolean>,
): Promise<boolean> {
  if (instance.startedBy === p.userId || t.escalatedToUnitIds.includes(p.unitId)) return true;
  return p.permissions.has(Permission.WORKFLOW_OVERSEE) && (await ownerInArea());
}

/**
 * Whether a task of a case in this status may be worked on at all (claimed, given back, handed over, signed,
 * completed): only while the case is active — not while it is suspended (挂起), nor once it is over.
 */
export function caseAllowsWork(instanceStatus: string): boolean {
  return instanceStatus === 'active';
}
