import type { EntityManager } from 'typeorm';
import { AppError } from '../common/errors.js';
import { prepared, rowsOf } from '../common/sql.js';
import { INSTANCE_ROW_JSON } from './runtime.service.js';
import { caseAllowsWork } from './task-access.js';
import type { WorkflowTask } from './workflow-task.entity.js';

/**
 * The columns of a task row, named: a prepared statement's result may not change shape, so `t.*` would fail
 * on every connection that prepared it once a migration added a column (while an older process still runs).
 */
export const TASK_COLUMN_NAMES = [
  'id',
  'instance_id',
  'element_id',
  'execution_id',
  'name',
  'form_key',
  'status',
  'kind',
  'parent_task_id',
  'candidate_groups',
  'candidate_unit_ids',
  'candidate_roles',
  'candidate_user_ids',
  'assignee_id',
  'escalated_to_unit_ids',
  'delegated_from_id',
  'delegated_until',
  'loop_index',
  'loop_item',
  'created_at',
  'due_at',
  'overdue_at',
  'limit_working_days',
  'claimed_at',
  'completed_at',
  'completed_by',
  'decision',
  'form_data',
  'comment',
  'urged_count',
  'last_urged_at',
  'version',
];
export const TASK_COLUMNS = TASK_COLUMN_NAMES.map((c) => `t.${c}`).join(', ');
/** A task by id (every task operation reads it first). */
export const TASK_SQL = prepared(
  'workflow_task_by_id',
  `SELECT ${TASK_COLUMNS} FROM workflow_task t WHERE t.id = $1`,
);
/**
 * A task by id with its case's row for the step, the count of its open added signers, and (an iteration of a
 * multi-instance step, e.g. a countersign) the decision and status of every iteration of its activation
 * (execution ids <parent>_<index>), for the tally: all read at once, for task completion.
 */
export const TASK_WITH_CASE_SQL = prepared(
  'workflow_task_with_case',
  `SELECT ${TASK_COLUMNS}, ${INSTANCE_ROW_JSON('i')} AS instance_row,
                  (SELECT count(*)::int FROM workflow_task s WHERE s.parent_task_id = t.id AND s.status = 'open') AS open_signers,
                  CASE WHEN t.loop_index IS NOT NULL AND t.kind = 'step' THEN
                    (SELECT coalesce(json_agg(json_build_object('id', s.id, 'decision', s.decision, 'status', s.status)), '[]'::json)
                       FROM workflow_task s
                      WHERE s.instance_id = t.instance_id AND s.kind = 'step'
                        AND starts_with(s.execution_id, regexp_replace(t.execution_id, '_[0-9]+$', '_')))
                  END AS iterations
             FROM workflow_task t JOIN workflow_instance i ON i.id = t.instance_id WHERE t.id = $1`,
);

/**
 * Updates an open task only if nobody changed it since it was read (an empty `set` only takes the row for the
 * transaction); else 409 (default TASK_NOT_OPEN), or false when `raise` is false.
 */
export async function updateTaskIfUnchanged(
  m: EntityManager,
  t: Pick<WorkflowTask, 'id' | 'version'>,
  set: Record<string, unknown>,
  code: 'TASK_NOT_OPEN' | 'TASK_ALREADY_CLAIMED' = 'TASK_NOT_OPEN',
  raise = true,
): Promise<boolean> {
  const keys = Object.keys(set);
  const res = await m.query(
    `UPDATE workflow_task SET ${keys.map((k, i) => `${k} = $${i + 3}, `).join('')}version = version + 1
      WHERE id = $1 AND version = $2 AND status = 'open' RETURNING id`,
    [t.id, t.version, ...keys.map((k) => set[k])],
  );
  if (rowsOf(res).length === 1) return true;
  if (raise) throw new AppError(code);
  return false;
}

/**
 * Refuses work on a task of a case that is not active (suspended, finished, terminated) with the answer a
 * completion gets (409 INSTANCE_NOT_ACTIVE). In a transaction, the case's row is kept (FOR SHARE) until it
 * ends: a suspension that commits first is seen, one that comes later waits for the operation.
 */
export async function assertCaseActive(
  m: EntityManager,
  t: Pick<WorkflowTask, 'instanceId'>,
  lock = true,
): Promise<void> {
  const rows: { status: string }[] = await m.query(
    `SELECT status FROM workflow_instance WHERE id = $1${lock ? ' FOR SHARE' : ''}`,
    [t.instanceId],
  );
  const status = rows[0]?.status ?? 'missing';
  if (!caseAllowsWork(status)) throw new AppError('INSTANCE_NOT_ACTIVE', { status });
}
