import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { Clock } from '../../common/clock.js';
import type { LiveEngine } from '../bpmn.js';
import { mayHold } from '../candidates.js';
import { TIMER_QUEUE, TimerQueue, type SweepResult } from '../timer-queue.js';
import type { InstanceStatus } from '../workflow-instance.entity.js';
import type { WorkflowTimer } from '../workflow-timer.entity.js';
import { lookupsOnce, WorkflowRegistry } from '../workflow.registry.js';
import {
  infoOf,
  NothingToDo,
  type HistoryEntry,
  type NewTimer,
  type StepContext,
  type TimerRowBrief,
} from './step-records.js';
import { StepRepository, type TimerInsert } from './step.repository.js';

/** A BPMN timer the engine holds. */
type HeldTimer = ReturnType<LiveEngine['heldTimers']>[number];

/**
 * Which timer rows a step schedules and cancels: each BPMN timer the engine holds has one pending row (a
 * held timer without one is scheduled); a pending BPMN timer the engine no longer holds (its boundary event
 * or catch event is gone) is cancelled; when the case ends every pending timer is; and a task's timer
 * (time limit, delegation) stops with its task, completed or cancelled.
 */
export function planTimers(p: {
  ended: boolean;
  held: HeldTimer[];
  pending: TimerRowBrief[];
  /** Tasks this step completed or cancelled. */
  closedTaskIds: ReadonlySet<string>;
}): { schedule: HeldTimer[]; cancel: string[] } {
  const held = p.ended ? [] : p.held;
  const heldIds = new Set(held.map((t) => t.executionId));
  const pendingBpmn = new Set(p.pending.filter((t) => t.kind === 'bpmn').map((t) => t.execution_id));
  const cancel = new Set<string>();
  for (const t of p.pending) {
    if (t.kind === 'bpmn' && !heldIds.has(t.execution_id)) cancel.add(t.id);
    if (t.kind !== 'bpmn' && p.ended) cancel.add(t.id);
    if (t.task_id && (t.task_open === false || p.closedTaskIds.has(t.task_id))) cancel.add(t.id);
  }
  return { schedule: held.filter((t) => !pendingBpmn.has(t.executionId)), cancel: [...cancel] };
}

/**
 * Durable timers: scheduled inside the step's transaction (row and job together), fired exactly once (the
 * firing step claims the row), failed into an incident when their job's retries are spent, and swept: fired
 * when due by the application's clock, queued again when their job was lost.
 */
@Injectable()
export class RuntimeTimers {
  private readonly logger = new Logger('WorkflowRuntime');

  constructor(
    private readonly repository: StepRepository,
    private readonly queue: TimerQueue,
    private readonly registry: WorkflowRegistry,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Schedules a durable timer inside the caller's transaction. */
  async schedule(m: EntityManager, t: NewTimer): Promise<void> {
    await this.repository.insertTimerWithJob(m, await this.prepare(t));
  }

  /** A new timer's row and its job, to be written by the step's last statement (StepRepository.insertRows). */
  async prepare(t: NewTimer): Promise<TimerInsert> {
    const now = this.clock.now();
    const id = randomUUID();
    return { id, timer: t, now, job: await this.queue.jobInsert(id, t.fireAt, now) };
  }

  /**
   * Timer rows follow the engine (see planTimers): cancels those it no longer holds; answers the step's
   * timer.scheduled entries and the new timers, for the step's last statement to write.
   */
  async reconcile(step: {
    manager: EntityManager;
    live: LiveEngine;
    instanceId: string;
    status: InstanceStatus;
    now: Date;
    pending: TimerRowBrief[];
    closedTaskIds: ReadonlySet<string>;
  }): Promise<{ history: HistoryEntry[]; timers: TimerInsert[] }> {
    const { manager: m } = step;
    const plan = planTimers({
      ended: step.status === 'completed' || step.status === 'terminated',
      // Durations from the step's clock (the engine counts them from the machine's).
      held: step.live.heldTimers(step.now),
      pending: step.pending,
      closedTaskIds: step.closedTaskIds,
    });
    const history: HistoryEntry[] = [];
    const timers: TimerInsert[] = [];
    for (const t of plan.schedule) {
      timers.push(
        await this.prepare({
          instanceId: step.instanceId,
          kind: 'bpmn',
          elementId: t.elementId,
          executionId: t.executionId,
          taskId: null,
          fireAt: t.expireAt,
        }),
      );
      history.push({
        action: 'timer.scheduled',
        elementId: t.elementId,
        actorId: null,
        actorUsername: null,
        data: { fireAt: t.expireAt.toISOString() },
      });
    }
    if (plan.cancel.length) await this.repository.cancelTimers(m, plan.cancel, step.now);
    return { history, timers };
  }

  /** The timer to fire, unless it fired or was cancelled already. */
  async due(timerId: string): Promise<WorkflowTimer | null> {
    const timer = await this.repository.findTimer(timerId);
    return timer && !timer.firedAt && !timer.cancelledAt ? timer : null;
  }

  /** Fires a BPMN timer inside its case's step; a timer fired meanwhile, or of a case not active, waits. */
  async fireInStep(ctx: StepContext, timer: WorkflowTimer): Promise<void> {
    if (!(await this.repository.claimTimer(ctx.manager, timer.id, this.clock.now()))) throw new NothingToDo();
    // A suspended case's timers wait: the claim rolls back, for when it resumes.
    if (ctx.instance.status !== 'active') throw new NothingToDo();
    const held = ctx.live.heldTimers().find((t) => t.executionId === timer.executionId);
    ctx.history.push({
      action: 'timer.fired',
      elementId: timer.elementId,
      data: { timerId: timer.id, fireAt: timer.fireAt.toISOString() },
    });
    held?.fire();
  }

  /** Fires a task's timer (time limit or delegation) in its own transaction. */
  async fireTaskTimer(timer: WorkflowTimer): Promise<void> {
    await this.repository.transaction(async (m) => {
      if (!(await this.repository.claimTimer(m, timer.id, this.clock.now()))) return;
      if (timer.kind === 'task-limit') await this.markOverdue(m, timer);
      else await this.endDelegation(m, timer);
    });
  }

  /**
   * A timer whose job failed at the last attempt of its retry budget becomes an incident the office sees and
   * retries (`POST /workflow-incidents/:id/retry`); a failing retry counts another attempt. Never a silent drop.
   */
  async failed(timerId: string, error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    await this.repository.transaction(async (m) => {
      const timer = await this.repository.findTimer(timerId, m, true);
      if (!timer || timer.firedAt || timer.cancelledAt) return;
      const open = await this.repository.openIncident(m, { timerId });
      if (open) return this.repository.incidentAgain(m, open.id, message);
      const now = this.clock.now();
      await this.repository.insertIncident(m, {
        instanceId: timer.instanceId,
        elementId: timer.elementId,
        topic: `timer:${timer.kind}`,
        timerId,
        message,
        createdAt: now,
      });
      await this.repository.insertHistory(m, {
        instance_id: timer.instanceId,
        task_id: timer.taskId,
        element_id: timer.elementId,
        action: 'incident.opened',
        at: now,
        data: { timerId, kind: timer.kind, message },
      });
    });
  }

  /**
   * The one place that makes timers fire as the clock goes: first (one process at a time, a lock in the
   * database) queues at once every due timer whose job was lost (see StepRepository.lostTimers), so each due
   * timer has a job that retries it and opens an incident when its budget is spent; then fires, in this
   * process, every timer due by the application's clock (see StepRepository.dueTimers). A timer fired twice
   * — by this sweep and its job, or by the sweeps of two processes — fires once: the firing step claims it.
   * A firing that fails here is only logged: its job retries it.
   */
  async sweep(fire: (timerId: string) => Promise<void>): Promise<SweepResult> {
    const now = this.clock.now();
    const requeued = await this.repository.transaction(async (m) => {
      if (!(await this.repository.lockSweep(m))) return [];
      const lost = await this.repository.lostTimers(m, now, TIMER_QUEUE);
      for (const id of lost)
        await this.repository.setTimerJob(m, id, await this.queue.schedule(m, id, null, now));
      return lost;
    });
    if (requeued.length)
      this.logger.warn(
        { timers: requeued },
        `${requeued.length} due timer(s) had lost their job: queued again`,
      );
    const due = await this.repository.dueTimers(now);
    let failed = 0;
    for (const id of due) {
      try {
        await fire(id);
      } catch (e) {
        failed++;
        this.logger.warn(
          { timerId: id, err: e instanceof Error ? e.message : String(e) },
          'a due timer failed in the sweep; its job retries it',
        );
      }
    }
    return { due: due.length, failed, requeued: requeued.length };
  }

  /** 限时办结: an overdue step is flagged and escalated (the registry's escalation: src/org/workflow-groups.ts). */
  private async markOverdue(m: EntityManager, timer: WorkflowTimer): Promise<void> {
    const task = await this.repository.findTask(m, timer.taskId!);
    if (!task || task.status !== 'open') return;
    const instance = await this.repository.findInstance(m, task.instanceId);
    const escalate = this.registry.escalationResolver();
    const to = escalate
      ? await escalate({
          manager: m,
          instance: infoOf(instance),
          elementId: task.elementId,
          loopItem: task.loopItem,
          variables: instance.variables,
          once: lookupsOnce(),
          candidateGroups: task.candidateGroups,
        })
      : {};
    const now = this.clock.now();
    await this.repository.markOverdue(m, task.id, now, to.unitIds ?? []);
    await this.repository.insertHistory(m, {
      instance_id: task.instanceId,
      task_id: task.id,
      element_id: task.elementId,
      action: 'task.overdue',
      at: now,
      data: { dueAt: task.dueAt?.toISOString(), escalatedToUnitIds: to.unitIds ?? [] },
    });
    await this.audit.record(
      m,
      {},
      { action: 'workflow.task-overdue', entityType: 'workflow_task', entityId: task.id },
    );
  }

  /**
   * 委托 ends: the task goes back to whoever delegated it if they may still hold it (as the organization is
   * now), else to its group. (A delegation ended otherwise — released, reassigned, delegated anew — cancels its timer.)
   */
  private async endDelegation(m: EntityManager, timer: WorkflowTimer): Promise<void> {
    const task = await this.repository.findTask(m, timer.taskId!, true);
    if (!task || task.status !== 'open' || !task.delegatedFromId) return;
    const person = await this.repository.personForShare(m, task.delegatedFromId);
    const to = mayHold(person, task) ? task.delegatedFromId : null;
    await this.repository.endDelegation(m, task, to);
    await this.repository.insertHistory(m, {
      instance_id: task.instanceId,
      task_id: task.id,
      element_id: task.elementId,
      action: to ? 'task.delegation-ended' : 'task.returned-to-group',
      at: this.clock.now(),
      data: to ? { back: to } : { from: task.assigneeId, to: null, reason: 'delegation-ended' },
    });
  }
}
