/* The values that pass between the runtime's parts during a step, and the rows a step writes. No I/O here. */
import type { EntityManager } from 'typeorm';
import { decisionHash, type AuditEntry } from '../../audit/audit.service.js';
import type { Actor } from '../../common/actor.js';
import type { LiveEngine } from '../bpmn.js';
import type { DeployedDefinition } from '../definitions.service.js';
import type { WorkflowHistory } from '../workflow-history.entity.js';
import type { InstanceStatus } from '../workflow-instance.entity.js';
import type { WorkflowTimer } from '../workflow-timer.entity.js';
import type { InstanceInfo } from '../workflow.registry.js';

/** What a step needs of its case's row (see INSTANCE_ROW_JSON). */
export interface InstanceRow {
  id: string;
  definitionId: string;
  processId: string;
  businessKey: string | null;
  ownerUnitId: string | null;
  startedBy: string | null;
  status: InstanceStatus;
  version: number;
}

/** A user's completion of a step task. */
export interface TaskCompletion {
  taskId: string;
  /** The engine's wait that the task stands for. */
  executionId: string;
  /** The task row's version when it was read: the completion fails if anyone touched it since. */
  version: number;
  userId: string;
  decision: string;
  form: Record<string, unknown>;
  comment: string | null;
}

/** A history entry of a step, before it is a row. */
export type HistoryEntry = Partial<WorkflowHistory>;

/**
 * What a step's operation (the caller's `op`) sees and says: the case, its live engine and the step's
 * transaction; it answers with the history entries, the task it completes and, for an operation that ends
 * the case by hand, the status. The runtime fills `openTasks` for the caller once the step is written.
 */
export interface StepContext {
  manager: EntityManager;
  live: LiveEngine;
  instance: InstanceRow;
  definition: DeployedDefinition;
  actor: Actor;
  now: Date;
  /** Set by operations that end or pause the case by hand (terminate, suspend, resume). */
  status?: InstanceStatus;
  /** History entries of this step (task completed, returned, …), written with the step. */
  history: HistoryEntry[];
  /** Tasks completed by this step: they leave the engine but are not "cancelled". */
  completedTaskIds: Set<string>;
  /** Set by a task completion: keep the state before this step, so the completer can withdraw (撤回). */
  undoTaskId?: string;
  /** The task this step completes: written, checked, with the step's state. */
  taskCompletion?: TaskCompletion;
  /** The task completion written ahead of the state (WorkflowRuntime.completeTaskNow), for the audit record. */
  completedAhead?: TaskCompletion;
  /** The case's open step tasks after the step, for the caller. */
  openTasks: { id: string; elementId: string; name: string | null }[];
}

/** A new step task, as the columns of its row. */
export interface NewTaskRow {
  id: string;
  instance_id: string;
  element_id: string;
  execution_id: string;
  name: string;
  form_key: string | null;
  candidate_groups: string | null;
  candidate_unit_ids: string[];
  candidate_roles: string[];
  candidate_user_ids: string[];
  loop_index: number | null;
  loop_item: unknown;
  created_at: Date;
  due_at: Date | null;
  limit_working_days: number | null;
}

/** A step task of the case as the state write read it. */
export interface TaskRowBrief {
  id: string;
  execution_id: string;
  status: string;
  element_id: string;
  name: string | null;
}

/** A pending timer of the case as the state write read it. */
export interface TimerRowBrief {
  id: string;
  execution_id: string;
  kind: string;
  task_id: string | null;
  task_open: boolean | null;
}

/** A timer to schedule. */
export type NewTimer = Pick<
  WorkflowTimer,
  'instanceId' | 'kind' | 'elementId' | 'executionId' | 'taskId' | 'fireAt'
>;

/** A history row's columns. */
export interface HistoryRow {
  instance_id: string;
  task_id: string | null;
  element_id: string | null;
  action: string;
  actor_id: string | null;
  actor_username: string | null;
  at: Date;
  comment: string | null;
  data: unknown;
}

/** The step's history entries as the columns of their rows (the step's actor unless an entry names another). */
export function historyRows(
  instanceId: string,
  actor: Actor,
  now: Date,
  history: HistoryEntry[],
): HistoryRow[] {
  return history.map((h) => ({
    instance_id: instanceId,
    task_id: h.taskId ?? null,
    element_id: h.elementId ?? null,
    action: h.action!,
    actor_id: h.actorId !== undefined ? h.actorId : (actor.principal?.userId ?? null),
    actor_username: h.actorUsername !== undefined ? h.actorUsername : (actor.principal?.username ?? null),
    at: now,
    comment: h.comment ?? null,
    data: h.data ?? null,
  }));
}

/**
 * The step's audit record, named after what it did (its first history entry that is not an element's). A
 * task completion also records what was decided: the task, its element, the decision, the deficiencies and
 * a hash of the form data and comment (GET /audit/verify checks the task and history rows against them).
 */
export function stepAudit(
  instance: Pick<InstanceRow, 'id' | 'version'>,
  status: InstanceStatus,
  history: HistoryEntry[],
  completion: TaskCompletion | undefined,
): AuditEntry {
  const c = completion;
  const entry = c
    ? history.find(
        (h) => h.taskId === c.taskId && (h.action === 'task.completed' || h.action === 'task.returned'),
      )
    : undefined;
  const deficiencies = (entry?.data as { deficiencies?: string[] } | undefined)?.deficiencies;
  return {
    action: `workflow.${history.find((h) => h.action !== 'element.completed')?.action ?? 'step'}`,
    entityType: 'workflow_instance',
    entityId: instance.id,
    data: {
      version: instance.version + 1,
      status,
      ...(c
        ? {
            taskId: c.taskId,
            elementId: entry?.elementId ?? null,
            decision: c.decision,
            ...(deficiencies ? { deficiencies } : {}),
            formHash: decisionHash(c.form, c.comment),
          }
        : {}),
    },
  };
}

/** The elements the engine left in this step (taken from its trail), as history entries. */
export function elementsCompleted(live: Pick<LiveEngine, 'trail'>): HistoryEntry[] {
  return live.trail
    .splice(0)
    .filter((t) => t.event === 'activity.end' && t.type !== 'bpmn:SequenceFlow')
    .map((t) => ({ action: 'element.completed', elementId: t.elementId }));
}

export function infoOf(
  i: Pick<InstanceInfo, 'id' | 'processId' | 'businessKey' | 'ownerUnitId' | 'startedBy'>,
): InstanceInfo {
  return {
    id: i.id,
    processId: i.processId,
    businessKey: i.businessKey,
    ownerUnitId: i.ownerUnitId,
    startedBy: i.startedBy,
  };
}

/** Thrown inside a step to roll it back quietly (e.g. a timer that another process already fired). */
export class NothingToDo extends Error {}
