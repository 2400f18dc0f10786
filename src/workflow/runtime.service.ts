import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { LiveEngine } from './bpmn.js';
import { DefinitionsService, type DeployedDefinition } from './definitions.service.js';
import { AfterCommit } from './runtime/after-commit.js';
import { EngineCache } from './runtime/engine-cache.js';
import { ServiceRunner } from './runtime/service-runner.js';
import {
  elementsCompleted,
  historyRows,
  NothingToDo,
  stepAudit,
  type InstanceRow,
  type NewTimer,
  type StepContext,
  type TaskCompletion,
} from './runtime/step-records.js';
import { StepRepository, type SiblingTask } from './runtime/step.repository.js';
import { TaskCreation } from './runtime/task-creation.js';
import { RuntimeTimers } from './runtime/timers.js';
import type { InstanceStatus } from './workflow-instance.entity.js';
import type { SweepResult } from './timer-queue.js';

export { INSTANCE_ROW_JSON } from './runtime/step.repository.js';
export { infoOf } from './runtime/step-records.js';
export type { InstanceRow, StepContext, TaskCompletion } from './runtime/step-records.js';

export interface StartOptions {
  processId: string;
  businessKey?: string | null;
  ownerUnitId?: string | null;
  variables?: Record<string, unknown>;
}

/** A timer's step that lost to a concurrent step of its case runs again, at most this many times in all. */
const TIMER_STEP_ATTEMPTS = 5;

/**
 * Runs BPMN instances durably. Every step — start, completing a task, firing a timer, retrying an incident —
 * runs in one transaction that writes the engine state (checked against the version read), the task rows,
 * the timers, the history and the audit record; a lost race is a 409 and leaves nothing behind. The parts:
 * StepRepository (all SQL), EngineCache (live engines, per-case queue), ServiceRunner (service tasks,
 * incidents), TaskCreation (task rows, candidates, deadlines) and RuntimeTimers (durable timers).
 */
@Injectable()
export class WorkflowRuntime {
  constructor(
    private readonly repository: StepRepository,
    private readonly engines: EngineCache,
    private readonly services: ServiceRunner,
    private readonly tasks: TaskCreation,
    private readonly timers: RuntimeTimers,
    private readonly definitions: DefinitionsService,
    private readonly clock: Clock,
    private readonly afterCommit: AfterCommit,
  ) {}

  /** Starts a case on the newest version of the process. Pass the caller's manager to start inside its transaction. */
  async start(
    actor: Actor,
    options: StartOptions,
    outer?: EntityManager,
  ): Promise<{ id: string; version: number }> {
    const definition = await this.definitions.latest(options.processId, outer);
    const live = new LiveEngine(definition.serializedSource, definition.xml, definition.topics);
    const now = this.clock.now();
    let evict = false;
    const run = async (manager: EntityManager) => {
      const row = {
        definitionId: definition.id,
        processId: definition.processId,
        businessKey: options.businessKey ?? null,
        ownerUnitId: options.ownerUnitId ?? null,
        startedBy: actor.principal?.userId ?? null,
      };
      const id = await this.repository.insertInstance(manager, row, now);
      const instance: InstanceRow = { id, ...row, status: 'active', version: 0 };
      const ctx = context(manager, live, instance, definition, actor, now);
      ctx.history.push({
        action: 'instance.started',
        data: { processId: definition.processId, version: definition.version },
      });
      await live.start({ ...(options.variables ?? {}) });
      evict = (await this.finishStep(ctx)).evict;
      return id;
    };
    try {
      const id = outer ? await run(outer) : await this.repository.transaction(run);
      // Started inside someone else's transaction: the engine is kept once that commits, never if it rolls back.
      if (evict) live.stop();
      else if (outer)
        this.afterCommit.defer(
          outer,
          () => this.engines.offer(id, live, 1),
          () => live.stop(),
        );
      else this.engines.remember(id, live, 1);
      return { id, version: 1 };
    } catch (e) {
      live.stop();
      throw e;
    }
  }

  /**
   * Runs one step of an instance: `op` acts on the live engine inside the step's transaction. Any server
   * process can run any step: a cached engine is used only if nobody advanced the instance since.
   */
  async step<T>(
    instanceId: string,
    actor: Actor,
    op: (ctx: StepContext) => Promise<T>,
    opts: { allowInactive?: boolean; preloaded?: InstanceRow } = {},
  ): Promise<T> {
    // A row the caller read with its own query saves a round trip, unless a step of this case is running in
    // this process (the row must then be read after it). If the case moved on between the caller's read and
    // this step, the version check fails, and the step runs once more on a fresh row, as it would have.
    const preloaded = this.engines.busy(instanceId) ? undefined : opts.preloaded;
    const attempt = async (row?: InstanceRow): Promise<T> => {
      // A row older than this process's engine of the case was read before this process's last step: reread
      // it rather than throw the engine away.
      const cachedVersion = this.engines.cachedVersion(instanceId);
      const instance =
        row && !(cachedVersion !== undefined && cachedVersion > row.version)
          ? row
          : await this.loadRow(instanceId);
      if (!opts.allowInactive && instance.status !== 'active')
        throw new AppError('INSTANCE_NOT_ACTIVE', { status: instance.status });
      const definition = await this.definitions.get(instance.definitionId);
      const live = await this.engines.take(instance, definition);
      try {
        let evict = false;
        const result = await this.repository.transaction(async (manager) => {
          const ctx = context(manager, live, instance, definition, actor, this.clock.now());
          const r = await op(ctx);
          evict = (await this.finishStep(ctx)).evict;
          return r;
        });
        if (evict) live.stop();
        else this.engines.remember(instanceId, live, instance.version + 1);
        return result;
      } catch (e) {
        live.stop();
        if (e instanceof NothingToDo) return undefined as T;
        throw e;
      }
    };
    return this.engines.serialize(instanceId, async () => {
      if (!preloaded) return attempt();
      try {
        return await attempt(preloaded);
      } catch (e) {
        // The case moved on since the caller read it: run the step again on a fresh row — as it would have
        // run had it come a moment later.
        if (e instanceof AppError && e.code === 'CONCURRENT_UPDATE') return attempt();
        throw e;
      }
    });
  }

  /**
   * Completes the task at once, inside the step (when later work of the step must see it completed); given
   * a LIKE pattern of execution ids, answers the case's step tasks that match (the completed one completed),
   * read by the same statement.
   */
  async completeTaskNow(ctx: StepContext, c: TaskCompletion, siblingsLike?: string): Promise<SiblingTask[]> {
    const done = await this.repository.completeTask(
      ctx.manager,
      c,
      ctx.now,
      siblingsLike === undefined ? undefined : { instanceId: ctx.instance.id, executionIdLike: siblingsLike },
    );
    if (!done.completed) await this.completionFailed(ctx.manager, c.taskId, c.userId);
    ctx.completedAhead = c;
    return done.siblings;
  }

  /** Restores the state stored before a step and runs `op` on it (撤回). */
  async restoreAndStep<T>(
    instanceId: string,
    actor: Actor,
    expectedVersion: number,
    state: object,
    op: (ctx: StepContext) => Promise<T>,
  ): Promise<T> {
    return this.engines.serialize(instanceId, async () => {
      const instance = await this.loadRow(instanceId);
      if (instance.version !== expectedVersion) throw new AppError('WITHDRAW_NOT_POSSIBLE');
      const definition = await this.definitions.get(instance.definitionId);
      this.engines.forget(instanceId);
      const live = await this.engines.recover(definition, state);
      try {
        const result = await this.repository.transaction(async (manager) => {
          const ctx = context(manager, live, instance, definition, actor, this.clock.now());
          const r = await op(ctx);
          await this.finishStep(ctx, { reopen: true });
          return r;
        });
        this.engines.remember(instanceId, live, instance.version + 1);
        return result;
      } catch (e) {
        live.stop();
        throw e;
      }
    });
  }

  /** Fires a durable timer, exactly once: the step that fires it also marks it fired. */
  async fireTimer(timerId: string): Promise<void> {
    const timer = await this.timers.due(timerId);
    if (!timer) return;
    if (timer.kind !== 'bpmn') return this.timers.fireTaskTimer(timer);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.step(timer.instanceId, {}, (ctx) => this.timers.fireInStep(ctx, timer), {
          allowInactive: true,
        });
        return;
      } catch (e) {
        // Another step of the case committed meanwhile (the claim rolled back with this one): fire on the
        // fresh case, as a user would reload and try again.
        if (attempt < TIMER_STEP_ATTEMPTS && e instanceof AppError && e.code === 'CONCURRENT_UPDATE')
          continue;
        throw e;
      }
    }
  }

  /** A timer whose job spent its retries becomes an incident for the office (see RuntimeTimers.failed). */
  timerFailed(timerId: string, error: unknown): Promise<void> {
    return this.timers.failed(timerId, error);
  }

  /** Fires every timer due by the clock, queueing again those whose job was lost (see RuntimeTimers.sweep). */
  sweepTimers(): Promise<SweepResult> {
    return this.timers.sweep((timerId) => this.fireTimer(timerId));
  }

  /** Schedules a durable timer inside the caller's transaction. */
  scheduleTimer(m: EntityManager, t: NewTimer): Promise<void> {
    return this.timers.schedule(m, t);
  }

  /** The work calendar step limits count with (day → working day; cached, see TaskCreation.calendar). */
  workCalendar(m: EntityManager): Promise<Map<string, boolean>> {
    return this.tasks.calendar(m);
  }

  /** Drops a cached engine (e.g. after an incident), so the next step recovers from the database. */
  forget(instanceId: string): void {
    this.engines.forget(instanceId);
  }

  /**
   * Runs waiting service calls, then writes everything the step changed, version-checked: the state (with
   * the task completion), the task rows and timers reconciled with the engine, the history and the audit
   * record. Answers whether the engine must not be cached (a service failed: the next step retries it).
   */
  private async finishStep(ctx: StepContext, opts: { reopen?: boolean } = {}): Promise<{ evict: boolean }> {
    const { manager: m, live, instance, now } = ctx;
    const services = await this.services.run(ctx);
    ctx.history.push(...services.history);
    if (live.failed) throw live.failed;
    const status: InstanceStatus = ctx.status ?? (live.ended ? 'completed' : instance.status);
    const written = await this.repository.writeStep(m, {
      instance,
      state: await live.state(),
      // As JSON text: what is stored (functions and undefined left out), serialized once.
      variables: JSON.stringify(live.variables()),
      status,
      now,
      undoTaskId: ctx.undoTaskId ?? null,
      reopen: opts.reopen === true,
      resolvedElements: services.resolved,
      completion: ctx.taskCompletion,
    });
    if (ctx.taskCompletion && written.completed !== 1)
      await this.completionFailed(m, ctx.taskCompletion.taskId, ctx.taskCompletion.userId);
    if (written.version === null) throw new AppError('CONCURRENT_UPDATE');
    if (status === 'completed') ctx.history.push({ action: 'instance.completed' });
    const tasks = await this.tasks.reconcile({
      manager: m,
      live,
      instance,
      status,
      now,
      rows: written.tasks,
      completedTaskIds: ctx.completedTaskIds,
    });
    ctx.history.push(...tasks.history);
    ctx.openTasks.push(...tasks.openTasks);
    const timers = await this.timers.reconcile({
      manager: m,
      live,
      instanceId: instance.id,
      status,
      now,
      pending: written.timers,
      closedTaskIds: new Set([...ctx.completedTaskIds, ...tasks.cancelledTaskIds]),
    });
    ctx.history.push(...timers.history, ...elementsCompleted(live));
    // New tasks, their time limits, the engine's new timers, the history and the audit record: one statement.
    const newTimers = [
      ...(await Promise.all(tasks.limitTimers.map((t) => this.timers.prepare(t)))),
      ...timers.timers,
    ];
    // The audit record is named after what the step did (read before the history is taken for writing).
    const entry = stepAudit(instance, status, ctx.history, ctx.taskCompletion ?? ctx.completedAhead);
    const history = historyRows(instance.id, ctx.actor, now, ctx.history.splice(0));
    await this.repository.insertRows(m, tasks.newTasks, history, { actor: ctx.actor, entry }, newTimers);
    return { evict: services.failed };
  }

  /** Why a completion wrote nothing: signers still awaited, the task ended, the user no longer of its group, or it moved on. */
  private async completionFailed(m: EntityManager, taskId: string, userId?: string): Promise<never> {
    const why = await this.repository.completionObstacles(m, taskId, userId ?? null);
    if (why.openSigners > 0) throw new AppError('TASK_WAITING_FOR_SIGNERS', { open: why.openSigners });
    if (!why.open) throw new AppError('TASK_NOT_OPEN');
    // Moved, disabled or without the role since the request began: as to anyone outside the task's group.
    if (userId && !why.candidate) throw new AppError('TASK_NOT_FOUND');
    throw new AppError('CONCURRENT_UPDATE');
  }

  private async loadRow(instanceId: string): Promise<InstanceRow> {
    const row = await this.repository.loadRow(instanceId);
    if (!row) throw new AppError('INSTANCE_NOT_FOUND');
    return row;
  }
}

function context(
  manager: EntityManager,
  live: LiveEngine,
  instance: InstanceRow,
  definition: DeployedDefinition,
  actor: Actor,
  now: Date,
): StepContext {
  return {
    manager,
    live,
    instance,
    definition,
    actor,
    now,
    history: [],
    completedTaskIds: new Set(),
    openTasks: [],
  };
}
