import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { addWorkingDays, parseLimit } from '../../common/china-time.js';
import { Clock } from '../../common/clock.js';
import type { ElementApi, LiveEngine } from '../bpmn.js';
import type { InstanceStatus } from '../workflow-instance.entity.js';
import { lookupsOnce, WorkflowRegistry, type GroupContext } from '../workflow.registry.js';
import {
  infoOf,
  type HistoryEntry,
  type InstanceRow,
  type NewTaskRow,
  type NewTimer,
  type StepContext,
  type TaskRowBrief,
} from './step-records.js';
import { StepRepository } from './step.repository.js';

/** How long the work calendar read from the database serves. */
const CALENDAR_KEEP_MS = 60_000;

/** What reconciling the task rows with the engine decided and did. */
export interface TasksReconciled {
  /** task.reopened, task.created and task.cancelled entries, in the order of the engine's waits. */
  history: HistoryEntry[];
  /** The case's open step tasks after the step. */
  openTasks: StepContext['openTasks'];
  /** Rows of the new tasks, to write with the step's history. */
  newTasks: NewTaskRow[];
  /** Time limits of the new tasks (written after their task rows). */
  limitTimers: NewTimer[];
  /** Tasks cancelled: their time limits stop too. */
  cancelledTaskIds: Set<string>;
}

/** What a step knows when it reconciles its task rows. */
export interface TaskStep {
  manager: EntityManager;
  live: LiveEngine;
  instance: InstanceRow;
  status: InstanceStatus;
  now: Date;
  /** The case's step tasks as the state write read them (open ones; all when a restored state reopens). */
  rows: TaskRowBrief[];
  /** Tasks the step completed: they leave the engine but are not cancelled. */
  completedTaskIds: ReadonlySet<string>;
}

/**
 * Step tasks follow the engine: a new wait is a new open task (candidates resolved for the case as the
 * organization stands, due date by the working-day calendar); a wait that is gone cancels its task; a
 * restored wait reopens its task.
 */
@Injectable()
export class TaskCreation {
  private calendarCache?: { at: number; map: Map<string, boolean> };

  constructor(
    private readonly repository: StepRepository,
    private readonly registry: WorkflowRegistry,
    private readonly clock: Clock,
  ) {}

  async reconcile(step: TaskStep): Promise<TasksReconciled> {
    const { manager: m, live, now } = step;
    const out: TasksReconciled = {
      history: [],
      openTasks: [],
      newTasks: [],
      limitTimers: [],
      cancelledTaskIds: new Set(),
    };
    const byExecution = new Map(step.rows.map((t) => [t.execution_id, t]));
    const waits =
      step.status === 'active' || step.status === 'suspended' ? live.waits : new Map<string, ElementApi>();
    // The organization as the step sees it, looked up once for all the tasks it opens.
    const once = lookupsOnce();
    for (const [executionId, api] of waits) {
      const existing = byExecution.get(executionId);
      if (existing) {
        if (existing.status !== 'open') {
          await this.repository.reopenTask(m, existing.id);
          out.history.push({ action: 'task.reopened', taskId: existing.id, elementId: api.id });
        }
        if (!step.completedTaskIds.has(existing.id))
          out.openTasks.push({ id: existing.id, elementId: existing.element_id, name: existing.name });
        continue;
      }
      const task = await this.newTask({ ...step, once }, api);
      out.newTasks.push(task.row);
      out.history.push(task.history);
      if (task.limit) out.limitTimers.push(task.limit);
      out.openTasks.push({ id: task.row.id, elementId: api.id, name: api.owner.name ?? api.id });
    }
    for (const t of step.rows) {
      if (t.status !== 'open' || waits.has(t.execution_id) || step.completedTaskIds.has(t.id)) continue;
      await this.repository.cancelTask(m, t.id, now);
      out.cancelledTaskIds.add(t.id);
      out.history.push({ action: 'task.cancelled', taskId: t.id, actorId: null, actorUsername: null });
    }
    return out;
  }

  /** The row of a new task for a wait, its task.created entry and its time limit. */
  async newTask(
    step: Pick<TaskStep, 'manager' | 'live' | 'instance' | 'now'> & { once?: GroupContext['once'] },
    api: ElementApi,
  ): Promise<{ row: NewTaskRow; history: HistoryEntry; limit: NewTimer | null }> {
    const { manager: m, instance, now } = step;
    const behaviour = api.owner.behaviour as {
      candidateGroups?: string;
      formKey?: string;
      dueDate?: string;
      name?: string;
    };
    const loopItem = api.content.isMultiInstance ? itemOf(api) : null;
    const candidates = await this.registry.resolveCandidates(behaviour.candidateGroups ?? null, {
      manager: m,
      instance: infoOf(instance),
      elementId: api.id,
      loopItem,
      variables: step.live.variables(),
      once: step.once ?? lookupsOnce(),
    });
    const limit = behaviour.dueDate ? parseLimit(behaviour.dueDate) : null;
    let dueAt: Date | null = null;
    if (limit && 'workingDays' in limit)
      dueAt = addWorkingDays(now, limit.workingDays, await this.calendar(m));
    else if (limit) dueAt = new Date(now.getTime() + limit.ms);
    const id = randomUUID();
    return {
      row: {
        id,
        instance_id: instance.id,
        element_id: api.id,
        execution_id: api.executionId,
        name: api.owner.name ?? behaviour.name ?? api.id,
        form_key: behaviour.formKey ?? null,
        candidate_groups: behaviour.candidateGroups?.trim() || null,
        candidate_unit_ids: candidates.unitIds,
        candidate_roles: candidates.roles,
        candidate_user_ids: candidates.userIds,
        loop_index: typeof api.content.index === 'number' ? api.content.index : null,
        loop_item: loopItem,
        created_at: now,
        due_at: dueAt,
        limit_working_days: limit && 'workingDays' in limit ? limit.workingDays : null,
      },
      history: {
        action: 'task.created',
        taskId: id,
        elementId: api.id,
        actorId: null,
        actorUsername: null,
        data: dueAt ? { dueAt: dueAt.toISOString() } : null,
      },
      limit: dueAt
        ? {
            instanceId: instance.id,
            kind: 'task-limit',
            elementId: api.id,
            executionId: api.executionId,
            taskId: id,
            fireAt: dueAt,
          }
        : null,
    };
  }

  /** Forgets the cached work calendar: the next time limit reads it again (after an import or a day set). */
  forgetCalendar(): void {
    this.calendarCache = undefined;
  }

  /** The work calendar (day → working day), read again at most once a minute (by the Clock). */
  async calendar(m: EntityManager): Promise<Map<string, boolean>> {
    const nowMs = this.clock.nowMs();
    if (this.calendarCache && nowMs - this.calendarCache.at < CALENDAR_KEEP_MS) return this.calendarCache.map;
    const rows = await this.repository.workCalendar(m);
    const map = new Map(rows.map((r) => [r.day, r.working_day]));
    this.calendarCache = { at: nowMs, map };
    return map;
  }
}

function itemOf(api: ElementApi): unknown {
  const lc = api.owner.behaviour.loopCharacteristics as
    { behaviour?: { elementVariable?: string }; elementVariable?: string } | undefined;
  const variable = lc?.behaviour?.elementVariable ?? lc?.elementVariable ?? 'item';
  return api.content[variable] ?? null;
}
