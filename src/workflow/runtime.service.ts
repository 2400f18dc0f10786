import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { AuditService, assertAppended, decisionHash, type AuditEntry } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { rowsOf } from '../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LiveEngine, type ElementApi } from './bpmn.js';
import { mayHold } from './candidates.js';
import { Clock } from '../common/clock.js';
import { DefinitionsService, type DeployedDefinition } from './definitions.service.js';
import { TIMER_QUEUE, TimerQueue } from './timer-queue.js';
import { addWorkingDays, parseLimit } from '../common/china-time.js';
import { WorkflowHistory } from './workflow-history.entity.js';
import { WorkflowIncident } from './workflow-incident.entity.js';
import { WorkflowInstance, type InstanceStatus } from './workflow-instance.entity.js';
import { WorkflowTask } from './workflow-task.entity.js';
import { WorkflowTimer } from './workflow-timer.entity.js';
import { WorkflowRegistry, type InstanceInfo } from './workflow.registry.js';

/** What one step knows while it runs inside its transaction. */
export interface StepContext {
  manager: EntityManager;
  live: LiveEngine;
  instance: InstanceRow;
  definition: DeployedDefinition;
  actor: Actor;
  now: Date;
  /** Set by operations that end the case by hand (terminate). */
  status?: InstanceStatus;
  /** History entries of this step (task completed, returned, …), written with the step. */
  history: Partial<WorkflowHistory>[];
  /** Tasks completed by this step: they leave the engine but are not "cancelled". */
  completedTaskIds: Set<string>;
  /** Task rows that a restored state reopens (withdraw). */
  reopen?: boolean;
  /** Whether a service handler ran (a step with effects outside the case cannot be withdrawn). */
  ranServices: boolean;
  /** After an incident the engine is not cached: the next step recovers it, which retries the service. */
  evict: boolean;
  /** Set by a task completion: keep the state before this step, so the completer can withdraw (撤回). */
  undoTaskId?: string;
  /** Tasks this step cancelled (their time limits stop too). */
  closedTaskIds: Set<string>;
  /** The case's open step tasks after the step, for the caller. */
  openTasks: { id: string; elementId: string; name: string | null }[];
  /** The task this step completes: written, checked, with the step's state (see completeTaskNow). */
  taskCompletion?: TaskCompletion;
  /** The task completion this step wrote ahead of its state (completeTaskNow), for the audit record. */
  completedAhead?: TaskCompletion;
  /** Task rows this step creates, written with its history and audit record in its last statement. */
  newTasks: NewTaskRow[];
  /** Time limits of the new tasks (their timer rows need the task rows written first). */
  limitTimers: Parameters<WorkflowRuntime['scheduleTimer']>[1][];
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

/**
 * The UPDATE that completes a task, only if nobody touched it since it was read, no added signer (加签) still
 * waits on it, and the user is, as the organization is now, one of its candidates: their row is read and kept
 * (FOR SHARE), so a move, a lost role or disabling that commits first makes the completion fail, and one
 * that comes later waits for it. `$` numbers the parameters: task id, version, now, user, decision, form,
 * comment.
 */
function completionSql($: (i: number) => string): string {
  return `UPDATE workflow_task SET status = 'completed', completed_at = ${$(2)}, completed_by = ${$(3)}::uuid,
                assignee_id = coalesce(assignee_id, ${$(3)}::uuid), decision = ${$(4)}::varchar, form_data = ${$(5)}::jsonb,
                comment = ${$(6)}::text, version = version + 1
          WHERE id = ${$(0)}::uuid AND version = ${$(1)}::int AND status = 'open'
            AND NOT EXISTS (SELECT 1 FROM workflow_task s WHERE s.parent_task_id = ${$(0)}::uuid AND s.status = 'open')
            AND EXISTS (SELECT 1 FROM app_user u WHERE u.id = ${$(3)}::uuid AND u.active
                          AND (u.id = ANY(workflow_task.candidate_user_ids)
                               OR (u.unit_id = ANY(workflow_task.candidate_unit_ids)
                                   AND (cardinality(workflow_task.candidate_roles) = 0
                                        OR workflow_task.candidate_roles && u.roles)))
                        FOR SHARE)
          RETURNING id`;
}

function completionParams(c: TaskCompletion | undefined, now: Date): unknown[] {
  return c
    ? [c.taskId, c.version, now, c.userId, c.decision, JSON.stringify(c.form), c.comment]
    : [null, null, now, null, null, null, null];
}

/** A new step task, as the columns of its row. */
interface NewTaskRow {
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

interface TaskRowBrief {
  id: string;
  execution_id: string;
  status: string;
  element_id: string;
  name: string | null;
}

interface TimerRowBrief {
  id: string;
  execution_id: string;
  kind: string;
  task_id: string | null;
  task_open: boolean | null;
}

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

export interface StartOptions {
  processId: string;
  businessKey?: string | null;
  ownerUnitId?: string | null;
  variables?: Record<string, unknown>;
}

/**
 * A step's writes of the case row, numbered as in finishStep: $1 case id, $2 version read,
 * $3 state, $4 variables, $5 status, $6 now, $7 the completed task whose step can be withdrawn (撤回).
 */
const undoSql = `
  INSERT INTO workflow_undo (instance_id, task_id, version, state, created_at)
  SELECT id, $7::uuid, version, state, $6 FROM workflow_instance WHERE $7::uuid IS NOT NULL AND id = $1 AND version = $2
  ON CONFLICT (instance_id) DO UPDATE
    SET task_id = EXCLUDED.task_id, version = EXCLUDED.version, state = EXCLUDED.state, created_at = EXCLUDED.created_at
  RETURNING 1`;
const stateUpdateSql = `
  UPDATE workflow_instance
     SET state = $3, variables = $4, status = $5::varchar, version = version + 1,
         ended_at = CASE WHEN $5::varchar IN ('completed', 'terminated') THEN $6::timestamptz ELSE ended_at END
   WHERE id = $1 AND version = $2 RETURNING version`;

/** $1–$7 of undoSql and stateUpdateSql. */
function caseWriteParams(
  ctx: StepContext,
  state: object,
  variables: object,
  status: InstanceStatus,
): unknown[] {
  return [ctx.instance.id, ctx.instance.version, state, variables, status, ctx.now, ctx.undoTaskId ?? null];
}

/** INSERT of new step tasks from a JSON array of NewTaskRow (the parameter `param`), in order. */
function insertTasksSql(param: string): string {
  return `INSERT INTO workflow_task (id, instance_id, element_id, execution_id, name, form_key, status, kind,
                candidate_groups, candidate_unit_ids, candidate_roles, candidate_user_ids, loop_index, loop_item,
                created_at, due_at, limit_working_days)
         SELECT id, instance_id, element_id, execution_id, name, form_key, 'open', 'step', candidate_groups,
                candidate_unit_ids, candidate_roles, candidate_user_ids, loop_index, loop_item, created_at, due_at,
                limit_working_days
           FROM ROWS FROM (jsonb_to_recordset(${param}::jsonb) AS (id uuid, instance_id uuid, element_id varchar,
                execution_id varchar, name varchar, form_key varchar, candidate_groups varchar,
                candidate_unit_ids uuid[], candidate_roles text[], candidate_user_ids uuid[], loop_index integer,
                loop_item jsonb, created_at timestamptz, due_at timestamptz, limit_working_days integer))
                WITH ORDINALITY AS t
          ORDER BY t.ordinality`;
}

/** INSERT of history rows from a JSON array (the parameter `param`, see historyRows), in order. */
function insertHistorySql(param: string): string {
  return `INSERT INTO workflow_history (instance_id, task_id, element_id, action, actor_id, actor_username, at, comment, data)
         SELECT instance_id, task_id, element_id, action, actor_id, actor_username, at, comment, data
           FROM ROWS FROM (jsonb_to_recordset(${param}::jsonb) AS (instance_id uuid, task_id uuid, element_id varchar,
                action varchar, actor_id uuid, actor_username varchar, at timestamptz, comment text, data jsonb))
                WITH ORDINALITY AS h
          ORDER BY h.ordinality`;
}

/** The step's history entries as the columns of their rows (the step's actor unless an entry names another). */
function historyRows(ctx: StepContext, history: Partial<WorkflowHistory>[]) {
  return history.map((h) => ({
    instance_id: ctx.instance.id,
    task_id: h.taskId ?? null,
    element_id: h.elementId ?? null,
    action: h.action!,
    actor_id: h.actorId !== undefined ? h.actorId : (ctx.actor.principal?.userId ?? null),
    actor_username: h.actorUsername !== undefined ? h.actorUsername : (ctx.actor.principal?.username ?? null),
    at: ctx.now,
    comment: h.comment ?? null,
    data: h.data ?? null,
  }));
}

/**
 * The step's audit record, named after what it did (its first history entry that is not an element's). A
 * task completion also records what was decided: the task, its element, the decision, the deficiencies and
 * a hash of the form data and comment (GET /audit/verify checks the task and history rows against them).
 */
function stepAudit(ctx: StepContext, status: InstanceStatus): AuditEntry {
  const c = ctx.taskCompletion ?? ctx.completedAhead;
  const entry = c
    ? ctx.history.find(
        (h) => h.taskId === c.taskId && (h.action === 'task.completed' || h.action === 'task.returned'),
      )
    : undefined;
  const deficiencies = (entry?.data as { deficiencies?: string[] } | undefined)?.deficiencies;
  return {
    action: `workflow.${ctx.history.find((h) => h.action !== 'element.completed')?.action ?? 'step'}`,
    entityType: 'workflow_instance',
    entityId: ctx.instance.id,
    data: {
      version: ctx.instance.version + 1,
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

/** SQL for an InstanceRow as one JSON value, from the workflow_instance row aliased `alias`. */
export function INSTANCE_ROW_JSON(alias: string): string {
  return `json_build_object('id', ${alias}.id, 'definitionId', ${alias}.definition_id, 'processId', ${alias}.process_id,
      'businessKey', ${alias}.business_key, 'ownerUnitId', ${alias}.owner_unit_id, 'startedBy', ${alias}.started_by,
      'status', ${alias}.status, 'version', ${alias}.version)`;
}

/** A timer's step that lost to a concurrent step of its case runs again, at most this many times in all. */
const TIMER_STEP_ATTEMPTS = 5;
/** The advisory lock one process holds while it sweeps for lost timers. */
const TIMER_SWEEP_LOCK = 7270032;

/** Thrown inside a step to roll it back quietly (e.g. a timer that another process already fired). */
class NothingToDo extends Error {}

/**
 * Runs BPMN instances durably. Every step — start, completing a task, firing a timer, retrying an incident —
 * runs in one transaction that writes the engine state (checked against the version read), the task rows,
 * the timers, the history and the audit record; a lost race is a 409 and leaves nothing behind.
 */
@Injectable()
export class WorkflowRuntime implements OnModuleDestroy {
  private readonly logger = new Logger('WorkflowRuntime');
  /** Live engines by instance id, with the version they stand at (LRU by insertion order). */
  private readonly cache = new Map<string, { live: LiveEngine; version: number }>();
  /** Steps of one instance in this process run one after the other. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly registry: WorkflowRegistry,
    private readonly audit: AuditService,
    private readonly timerQueue: TimerQueue,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleDestroy(): void {
    for (const { live } of this.cache.values()) live.stop();
    this.cache.clear();
  }

  /** Starts a case on the newest version of the process. Pass the caller's manager to start inside its transaction. */
  async start(
    actor: Actor,
    options: StartOptions,
    outer?: EntityManager,
  ): Promise<{ id: string; version: number }> {
    const definition = await this.definitions.latest(options.processId);
    const live = new LiveEngine(definition.serializedSource, definition.xml, definition.topics);
    const now = this.clock.now();
    let evict = false;
    const run = async (manager: EntityManager) => {
      const inserted = await manager.query(
        `INSERT INTO workflow_instance (definition_id, process_id, business_key, status, state, variables, started_by, owner_unit_id, started_at, version)
         VALUES ($1, $2, $3, 'active', '{}', '{}', $4, $5, $6, 0) RETURNING id`,
        [
          definition.id,
          definition.processId,
          options.businessKey ?? null,
          actor.principal?.userId ?? null,
          options.ownerUnitId ?? null,
          now,
        ],
      );
      const instance: InstanceRow = {
        id: inserted[0].id,
        definitionId: definition.id,
        processId: definition.processId,
        businessKey: options.businessKey ?? null,
        ownerUnitId: options.ownerUnitId ?? null,
        startedBy: actor.principal?.userId ?? null,
        status: 'active',
        version: 0,
      };
      const ctx = this.context(manager, live, instance, definition, actor, now);
      ctx.history.push({
        action: 'instance.started',
        data: { processId: definition.processId, version: definition.version },
      });
      await live.start({ ...(options.variables ?? {}) });
      await this.finishStep(ctx);
      evict = ctx.evict;
      return instance.id;
    };
    try {
      const id = outer ? await run(outer) : await this.dataSource.transaction(run);
      // Started inside someone else's transaction: it may still roll back, so cache nothing.
      if (outer || evict) live.stop();
      else this.remember(id, live, 1);
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
    const preloaded = this.queues.has(instanceId) ? undefined : opts.preloaded;
    const attempt = async (row?: InstanceRow): Promise<T> => {
      // A row older than this process's engine of the case was read before this process's last step: reread
      // it rather than throw the engine away.
      const cachedVersion = this.cache.get(instanceId)?.version;
      const instance =
        row && !(cachedVersion !== undefined && cachedVersion > row.version)
          ? row
          : await this.loadRow(instanceId);
      if (!opts.allowInactive && instance.status !== 'active')
        throw new AppError('INSTANCE_NOT_ACTIVE', { status: instance.status });
      const definition = await this.definitions.get(instance.definitionId);
      const live = await this.liveEngine(instance, definition);
      let evict = false;
      try {
        const result = await this.dataSource.transaction(async (manager) => {
          const ctx = this.context(manager, live, instance, definition, actor, this.clock.now());
          const r = await op(ctx);
          await this.finishStep(ctx);
          evict = ctx.evict;
          return r;
        });
        if (evict) live.stop();
        else this.remember(instanceId, live, instance.version + 1);
        return result;
      } catch (e) {
        live.stop();
        if (e instanceof NothingToDo) return undefined as T;
        throw e;
      }
    };
    return this.serialize(instanceId, async () => {
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

  /** Completes the task at once, inside the step (when later work of the step must see it completed). */
  async completeTaskNow(ctx: StepContext, c: TaskCompletion): Promise<void> {
    const done = await ctx.manager.query(
      completionSql((i) => `$${i + 1}`),
      completionParams(c, ctx.now),
    );
    if (rowsOf(done).length !== 1) await this.completionFailed(ctx.manager, c.taskId, c.userId);
    ctx.completedAhead = c;
  }

  /** Why a completion wrote nothing: signers still awaited, the task ended, the user no longer of its group, or it moved on. */
  private async completionFailed(m: EntityManager, taskId: string, userId?: string): Promise<never> {
    const signers = await m.count(WorkflowTask, { where: { parentTaskId: taskId, status: 'open' } });
    if (signers > 0) throw new AppError('TASK_WAITING_FOR_SIGNERS', { open: signers });
    const rows: { open: boolean; candidate: boolean }[] = await m.query(
      `SELECT t.status = 'open' AS open,
              EXISTS (SELECT 1 FROM app_user u WHERE u.id = $2::uuid AND u.active
                        AND (u.id = ANY(t.candidate_user_ids)
                             OR (u.unit_id = ANY(t.candidate_unit_ids)
                                 AND (cardinality(t.candidate_roles) = 0 OR t.candidate_roles && u.roles)))) AS candidate
         FROM workflow_task t WHERE t.id = $1`,
      [taskId, userId ?? null],
    );
    if (!rows[0]?.open) throw new AppError('TASK_NOT_OPEN');
    // Moved, disabled or without the role since the request began: as to anyone outside the task's group.
    if (userId && !rows[0].candidate) throw new AppError('TASK_NOT_FOUND');
    throw new AppError('CONCURRENT_UPDATE');
  }

  /** Restores the state stored before a step and runs `op` on it (撤回). */
  async restoreAndStep<T>(
    instanceId: string,
    actor: Actor,
    expectedVersion: number,
    state: object,
    op: (ctx: StepContext) => Promise<T>,
  ): Promise<T> {
    return this.serialize(instanceId, async () => {
      const instance = await this.loadRow(instanceId);
      if (instance.version !== expectedVersion) throw new AppError('WITHDRAW_NOT_POSSIBLE');
      const definition = await this.definitions.get(instance.definitionId);
      this.forget(instanceId);
      const live = new LiveEngine(definition.serializedSource, null, definition.topics);
      await live.recover(state);
      try {
        const result = await this.dataSource.transaction(async (manager) => {
          const ctx = this.context(manager, live, instance, definition, actor, this.clock.now());
          ctx.reopen = true;
          const r = await op(ctx);
          await this.finishStep(ctx);
          return r;
        });
        this.remember(instanceId, live, instance.version + 1);
        return result;
      } catch (e) {
        live.stop();
        throw e;
      }
    });
  }

  /** Fires a durable timer, exactly once: the step that fires it also marks it fired. */
  async fireTimer(timerId: string): Promise<void> {
    const timer = await this.dataSource.getRepository(WorkflowTimer).findOneBy({ id: timerId });
    if (!timer || timer.firedAt || timer.cancelledAt) return;
    const system: Actor = {};
    if (timer.kind !== 'bpmn') {
      await this.dataSource.transaction(async (m) => {
        if (!(await this.claimTimer(m, timer.id))) return;
        if (timer.kind === 'task-limit') await this.markOverdue(m, timer);
        else await this.endDelegation(m, timer);
      });
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.step(
          timer.instanceId,
          system,
          async (ctx) => {
            if (!(await this.claimTimer(ctx.manager, timer.id))) throw new NothingToDo();
            if (ctx.instance.status !== 'active') {
              // A suspended case's timers wait: put the timer back for when it resumes.
              throw new NothingToDo();
            }
            const held = ctx.live.heldTimers().find((t) => t.executionId === timer.executionId);
            ctx.history.push({
              action: 'timer.fired',
              elementId: timer.elementId,
              data: { timerId: timer.id, fireAt: timer.fireAt.toISOString() },
            });
            held?.fire();
          },
          { allowInactive: true },
        );
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

  /**
   * A timer whose job failed at the last attempt of its retry budget becomes an incident the office sees and
   * retries (`POST /workflow-incidents/:id/retry`); a failing retry counts another attempt. Never a silent drop.
   */
  async timerFailed(timerId: string, error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    await this.dataSource.transaction(async (m) => {
      const timer = await m.findOne(WorkflowTimer, {
        where: { id: timerId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!timer || timer.firedAt || timer.cancelledAt) return;
      const open = await m.findOneBy(WorkflowIncident, { timerId, resolvedAt: IsNull() });
      if (open) {
        await m.update(WorkflowIncident, { id: open.id }, { attempts: open.attempts + 1, message });
        return;
      }
      const now = this.clock.now();
      await m.insert(WorkflowIncident, {
        instanceId: timer.instanceId,
        elementId: timer.elementId,
        topic: `timer:${timer.kind}`,
        timerId,
        message,
        createdAt: now,
      });
      await m.insert(WorkflowHistory, {
        instanceId: timer.instanceId,
        taskId: timer.taskId,
        elementId: timer.elementId,
        action: 'incident.opened',
        at: now,
        data: { timerId, kind: timer.kind, message },
      });
    });
  }

  /**
   * Queues again every due timer that is neither fired nor cancelled, whose job is not waiting or running (it
   * was lost: retries spent while the database was away, a failure that could not be recorded) and that is
   * not the office's as an open incident. One process sweeps at a time (a lock in the database); the firing
   * step's claim keeps a timer queued twice from firing twice. Answers how many were queued.
   */
  async sweepTimers(): Promise<number> {
    const now = this.clock.now();
    const queued = await this.dataSource.transaction(async (m) => {
      const lock = rowsOf<{ ok: boolean }>(
        await m.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [TIMER_SWEEP_LOCK]),
      );
      if (!lock[0].ok) return [];
      const lost = rowsOf<{ id: string }>(
        await m.query(
          `SELECT t.id FROM workflow_timer t
            WHERE t.fired_at IS NULL AND t.cancelled_at IS NULL AND t.fire_at <= $1
              AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = $2 AND j.id = t.job_id AND j.state < 'completed')
              AND NOT EXISTS (SELECT 1 FROM workflow_incident i WHERE i.timer_id = t.id AND i.resolved_at IS NULL)
              AND (t.kind <> 'bpmn' OR EXISTS (SELECT 1 FROM workflow_instance w WHERE w.id = t.instance_id AND w.status = 'active'))
            ORDER BY t.fire_at LIMIT 500
            FOR UPDATE OF t SKIP LOCKED`,
          [now, TIMER_QUEUE],
        ),
      );
      for (const t of lost) {
        const jobId = await this.timerQueue.schedule(m, t.id, now, now);
        await m.query('UPDATE workflow_timer SET job_id = $2 WHERE id = $1', [t.id, jobId]);
      }
      return lost.map((t) => t.id);
    });
    if (queued.length)
      this.logger.warn({ timers: queued }, `${queued.length} due timer(s) had lost their job: queued again`);
    return queued.length;
  }

  private async claimTimer(m: EntityManager, timerId: string): Promise<boolean> {
    const res = await m.query(
      `UPDATE workflow_timer SET fired_at = $2 WHERE id = $1 AND fired_at IS NULL AND cancelled_at IS NULL RETURNING id`,
      [timerId, this.clock.now()],
    );
    return rowsOf(res).length === 1;
  }

  /** 限时办结: an overdue step is flagged and escalated to the office of the case's level. */
  private async markOverdue(m: EntityManager, timer: WorkflowTimer): Promise<void> {
    const task = await m.findOneBy(WorkflowTask, { id: timer.taskId! });
    if (!task || task.status !== 'open') return;
    const instance = await m.findOneByOrFail(WorkflowInstance, { id: task.instanceId });
    const escalate = this.registry.escalationResolver();
    const to = escalate
      ? await escalate({
          manager: m,
          instance: infoOf(instance),
          elementId: task.elementId,
          loopItem: task.loopItem,
          variables: instance.variables,
        })
      : {};
    await m.update(
      WorkflowTask,
      { id: task.id },
      { overdueAt: this.clock.now(), escalatedToUnitIds: to.unitIds ?? [] },
    );
    await m.insert(WorkflowHistory, {
      instanceId: task.instanceId,
      taskId: task.id,
      elementId: task.elementId,
      action: 'task.overdue',
      at: this.clock.now(),
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
    const task = await m.findOne(WorkflowTask, {
      where: { id: timer.taskId! },
      lock: { mode: 'pessimistic_write' },
    });
    if (!task || task.status !== 'open' || !task.delegatedFromId) return;
    const back: { id: string; unit_id: string; roles: string[]; active: boolean }[] = await m.query(
      'SELECT id, unit_id, roles, active FROM app_user WHERE id = $1 FOR SHARE',
      [task.delegatedFromId],
    );
    const person = back[0] && {
      id: back[0].id,
      unitId: back[0].unit_id,
      roles: back[0].roles,
      active: back[0].active,
    };
    const to = mayHold(person, task) ? task.delegatedFromId : null;
    await m.update(
      WorkflowTask,
      { id: task.id },
      {
        assigneeId: to,
        claimedAt: to ? task.claimedAt : null,
        delegatedFromId: null,
        delegatedUntil: null,
        version: () => 'version + 1',
      },
    );
    await m.insert(WorkflowHistory, {
      instanceId: task.instanceId,
      taskId: task.id,
      elementId: task.elementId,
      action: to ? 'task.delegation-ended' : 'task.returned-to-group',
      at: this.clock.now(),
      data: (to ? { back: to } : { from: task.assigneeId, to: null, reason: 'delegation-ended' }) as never,
    });
  }

  /** Schedules a durable timer inside the caller's transaction. */
  async scheduleTimer(
    m: EntityManager,
    t: Pick<WorkflowTimer, 'instanceId' | 'kind' | 'elementId' | 'executionId' | 'taskId' | 'fireAt'>,
  ): Promise<void> {
    const inserted = await m.query(
      `INSERT INTO workflow_timer (instance_id, kind, element_id, execution_id, task_id, fire_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [t.instanceId, t.kind, t.elementId, t.executionId, t.taskId, t.fireAt, this.clock.now()],
    );
    const id = rowsOf(inserted)[0].id as string;
    const jobId = await this.timerQueue.schedule(m, id, t.fireAt, this.clock.now());
    await m.query('UPDATE workflow_timer SET job_id = $2 WHERE id = $1', [id, jobId]);
  }

  private context(
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
      ranServices: false,
      evict: false,
      closedTaskIds: new Set(),
      openTasks: [],
      newTasks: [],
      limitTimers: [],
    };
  }

  private async loadRow(instanceId: string): Promise<InstanceRow> {
    const rows: { row: InstanceRow }[] = await this.dataSource.query(
      `SELECT ${INSTANCE_ROW_JSON('i')} AS row FROM workflow_instance i WHERE i.id = $1`,
      [instanceId],
    );
    if (!rows[0]) throw new AppError('INSTANCE_NOT_FOUND');
    return rows[0].row;
  }

  private async liveEngine(instance: InstanceRow, definition: DeployedDefinition): Promise<LiveEngine> {
    const cached = this.cache.get(instance.id);
    this.cache.delete(instance.id);
    if (cached && cached.version === instance.version) return cached.live;
    cached?.live.stop();
    const rows: { state: object }[] = await this.dataSource.query(
      'SELECT state FROM workflow_instance WHERE id = $1',
      [instance.id],
    );
    const live = new LiveEngine(definition.serializedSource, null, definition.topics);
    await live.recover(rows[0].state);
    return live;
  }

  private remember(instanceId: string, live: LiveEngine, version: number): void {
    if (live.ended || this.config.env.ENGINE_CACHE_SIZE === 0) {
      live.stop();
      return;
    }
    this.cache.set(instanceId, { live, version });
    while (this.cache.size > this.config.env.ENGINE_CACHE_SIZE) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.get(oldest)?.live.stop();
      this.cache.delete(oldest);
    }
  }

  /** Drops a cached engine (e.g. after an incident), so the next step recovers from the database. */
  forget(instanceId: string): void {
    this.cache.get(instanceId)?.live.stop();
    this.cache.delete(instanceId);
  }

  private serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }

  /** Runs waiting service calls, then writes everything the step changed, version-checked. */
  private async finishStep(ctx: StepContext): Promise<void> {
    await this.runServices(ctx);
    if (ctx.live.failed) throw ctx.live.failed;
    const { manager: m, live, instance, now } = ctx;
    const status: InstanceStatus = ctx.status ?? (live.ended ? 'completed' : instance.status);
    const state = await live.state();
    const variables = JSON.parse(JSON.stringify(live.variables())) as Record<string, unknown>;
    // One round trip: complete the task (if the step does), keep the undo state (if asked), write the new
    // state version-checked, and read the task and timer rows to reconcile with the engine. (The rows read
    // are those before this statement: the task it completes is in ctx.completedTaskIds.)
    const rows: {
      version: number | null;
      completed: number;
      tasks: TaskRowBrief[];
      timers: TimerRowBrief[];
    }[] = await m.query(
      `WITH done AS (${completionSql((i) => (i === 2 ? '$6' : `$${i < 2 ? i + 9 : i + 8}`))}),
       undo AS (${undoSql}),
       upd AS (${stateUpdateSql})
       SELECT (SELECT version FROM upd) AS version,
              (SELECT count(*)::int FROM done) AS completed,
              (SELECT count(*) FROM undo) AS undone,
              (SELECT coalesce(json_agg(json_build_object('id', id, 'execution_id', execution_id, 'status', status,
                                                          'element_id', element_id, 'name', name)), '[]'::json)
                 FROM workflow_task WHERE instance_id = $1 AND kind = 'step' AND (status = 'open' OR $8)) AS tasks,
              (SELECT coalesce(json_agg(json_build_object('id', t.id, 'execution_id', t.execution_id, 'kind', t.kind,
                                                          'task_id', t.task_id, 'task_open', k.status = 'open')), '[]'::json)
                 FROM workflow_timer t LEFT JOIN workflow_task k ON k.id = t.task_id
                WHERE t.instance_id = $1 AND t.fired_at IS NULL AND t.cancelled_at IS NULL) AS timers`,
      [
        ...caseWriteParams(ctx, state, variables, status),
        ctx.reopen === true,
        ...completionParams(ctx.taskCompletion, now).filter((_, i) => i !== 2),
      ],
    );
    if (ctx.taskCompletion && rows[0].completed !== 1)
      await this.completionFailed(m, ctx.taskCompletion.taskId, ctx.taskCompletion.userId);
    if (rows[0].version === null) throw new AppError('CONCURRENT_UPDATE');
    if (status === 'completed') ctx.history.push({ action: 'instance.completed' });
    await this.syncTasks(ctx, status, rows[0].tasks);
    await this.syncTimers(ctx, status, rows[0].timers);
    for (const t of live.trail.splice(0)) {
      if (t.event === 'activity.end' && t.type !== 'bpmn:SequenceFlow')
        ctx.history.push({ action: 'element.completed', elementId: t.elementId });
    }
    if (ctx.limitTimers.length) {
      // Timer rows refer to their task: write the tasks first.
      await this.writeRows(ctx, ctx.newTasks.splice(0), [], null);
      for (const t of ctx.limitTimers.splice(0)) await this.scheduleTimer(m, t);
    }
    // The audit record is named after what the step did (read before the history is taken for writing).
    const audit = stepAudit(ctx, status);
    await this.writeRows(ctx, ctx.newTasks.splice(0), ctx.history.splice(0), audit);
  }

  /** One statement: the step's new task rows, its history and its audit record. */
  private async writeRows(
    ctx: StepContext,
    tasks: NewTaskRow[],
    history: Partial<WorkflowHistory>[],
    audit: AuditEntry | null,
  ): Promise<void> {
    const chain = audit ? this.audit.sql(ctx.actor, audit, 3) : null;
    const auditCte = chain ? `, ${chain.cte}` : '';
    const result: { id: string | null }[] = await ctx.manager.query(
      `WITH new_tasks AS (${insertTasksSql('$1')}), history AS (${insertHistorySql('$2')})${auditCte}
       SELECT ${chain ? '(SELECT id FROM audit_row)' : 'NULL'} AS id`,
      [JSON.stringify(tasks), JSON.stringify(historyRows(ctx, history)), ...(chain?.params ?? [])],
    );
    if (chain) assertAppended(result[0]?.id);
  }

  private async runServices(ctx: StepContext): Promise<void> {
    const { live } = ctx;
    let guard = 0;
    while (live.pendingServices.length) {
      if (++guard > 1000) throw new Error('service tasks keep coming: is the flow looping?');
      const call = live.pendingServices.shift()!;
      const handler = this.registry.service(call.topic);
      ctx.ranServices = true;
      await ctx.manager.query('SAVEPOINT service_call');
      try {
        if (!handler) throw new Error(`no handler for topic ${call.topic}`);
        const output = await handler({
          manager: ctx.manager,
          instance: infoOf(ctx.instance),
          elementId: call.elementId,
          variables: live.variables(),
          actor: ctx.actor,
        });
        await ctx.manager.query('RELEASE SAVEPOINT service_call');
        await ctx.manager.query(
          'UPDATE workflow_incident SET resolved_at = $3 WHERE instance_id = $1 AND element_id = $2 AND resolved_at IS NULL',
          [ctx.instance.id, call.elementId, ctx.now],
        );
        ctx.history.push({
          action: 'service.completed',
          elementId: call.elementId,
          data: { topic: call.topic },
        });
        call.callback(null, output ?? {});
      } catch (e) {
        await ctx.manager.query('ROLLBACK TO SAVEPOINT service_call');
        const message = e instanceof Error ? e.message : String(e);
        this.logger.warn(
          { instanceId: ctx.instance.id, elementId: call.elementId, err: message },
          'service task failed: incident opened',
        );
        const open = await ctx.manager.findOneBy(WorkflowIncident, {
          instanceId: ctx.instance.id,
          elementId: call.elementId,
          resolvedAt: IsNull(),
        });
        if (open)
          await ctx.manager.update(
            WorkflowIncident,
            { id: open.id },
            { attempts: open.attempts + 1, message },
          );
        else
          await ctx.manager.insert(WorkflowIncident, {
            instanceId: ctx.instance.id,
            elementId: call.elementId,
            topic: call.topic,
            message,
            createdAt: ctx.now,
          });
        ctx.history.push({
          action: 'incident.opened',
          elementId: call.elementId,
          data: { topic: call.topic, message },
        });
        // The engine keeps the service task waiting; the next step recovers it from the database, and
        // resuming runs the service again (the retry).
        ctx.evict = true;
      }
    }
  }

  /** Task rows follow the engine: a new wait is a new open task; a wait that is gone cancels its task. */
  private async syncTasks(ctx: StepContext, status: InstanceStatus, open: TaskRowBrief[]): Promise<void> {
    const { manager: m, live, now } = ctx;
    const byExecution = new Map(open.map((t) => [t.execution_id, t]));
    const live_ = status === 'active' || status === 'suspended' ? live.waits : new Map<string, ElementApi>();
    for (const [executionId, api] of live_) {
      const existing = byExecution.get(executionId);
      if (existing) {
        if (existing.status !== 'open') {
          await m.query(
            `UPDATE workflow_task SET status = 'open', completed_at = NULL, completed_by = NULL, decision = NULL, version = version + 1 WHERE id = $1`,
            [existing.id],
          );
          ctx.history.push({ action: 'task.reopened', taskId: existing.id, elementId: api.id });
        }
        if (!ctx.completedTaskIds.has(existing.id))
          ctx.openTasks.push({ id: existing.id, elementId: existing.element_id, name: existing.name });
        continue;
      }
      const id = await this.createTask(ctx, api);
      ctx.openTasks.push({ id, elementId: api.id, name: api.owner.name ?? api.id });
    }
    for (const t of open) {
      if (t.status !== 'open' || live_.has(t.execution_id) || ctx.completedTaskIds.has(t.id)) continue;
      // The step task, and any added signers (加签) still waiting on it.
      await m.query(
        `UPDATE workflow_task SET status = 'cancelled', completed_at = $2, version = version + 1
          WHERE id = $1 OR (parent_task_id = $1 AND status = 'open')`,
        [t.id, now],
      );
      ctx.closedTaskIds.add(t.id);
      ctx.history.push({ action: 'task.cancelled', taskId: t.id, actorId: null, actorUsername: null });
    }
  }

  private async createTask(ctx: StepContext, api: ElementApi): Promise<string> {
    const { manager: m, instance, now } = ctx;
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
      variables: ctx.live.variables(),
    });
    const limit = behaviour.dueDate ? parseLimit(behaviour.dueDate) : null;
    let dueAt: Date | null = null;
    if (limit && 'workingDays' in limit)
      dueAt = addWorkingDays(now, limit.workingDays, await this.calendar(m));
    else if (limit) dueAt = new Date(now.getTime() + limit.ms);
    const taskId = randomUUID();
    ctx.newTasks.push({
      id: taskId,
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
    });
    ctx.history.push({
      action: 'task.created',
      taskId,
      elementId: api.id,
      actorId: null,
      actorUsername: null,
      data: dueAt ? { dueAt: dueAt.toISOString() } : null,
    });
    if (dueAt) {
      ctx.limitTimers.push({
        instanceId: instance.id,
        kind: 'task-limit',
        elementId: api.id,
        executionId: api.executionId,
        taskId,
        fireAt: dueAt,
      });
    }
    return taskId;
  }

  private calendarCache?: { at: number; map: Map<string, boolean> };
  private async calendar(m: EntityManager): Promise<Map<string, boolean>> {
    if (this.calendarCache && Date.now() - this.calendarCache.at < 60_000) return this.calendarCache.map;
    const rows: { day: string; working_day: boolean }[] = await m.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, working_day FROM work_calendar_day`,
    );
    const map = new Map(rows.map((r) => [r.day, r.working_day]));
    this.calendarCache = { at: Date.now(), map };
    return map;
  }

  /** Timer rows follow the engine: each held BPMN timer has one pending row; a timer gone is cancelled. */
  private async syncTimers(
    ctx: StepContext,
    status: InstanceStatus,
    pending: TimerRowBrief[],
  ): Promise<void> {
    const { manager: m, live, instance, now } = ctx;
    const ended = status === 'completed' || status === 'terminated';
    const held = ended ? [] : live.heldTimers();
    const heldIds = new Set(held.map((t) => t.executionId));
    const pendingBpmn = new Set(pending.filter((p) => p.kind === 'bpmn').map((p) => p.execution_id));
    for (const t of held) {
      if (pendingBpmn.has(t.executionId)) continue;
      await this.scheduleTimer(m, {
        instanceId: instance.id,
        kind: 'bpmn',
        elementId: t.elementId,
        executionId: t.executionId,
        taskId: null,
        fireAt: t.expireAt,
      });
      ctx.history.push({
        action: 'timer.scheduled',
        elementId: t.elementId,
        actorId: null,
        actorUsername: null,
        data: { fireAt: t.expireAt.toISOString() },
      });
    }
    const cancel: string[] = [];
    for (const p of pending) {
      if (p.kind === 'bpmn' && !heldIds.has(p.execution_id)) cancel.push(p.id);
      if (p.kind !== 'bpmn' && ended) cancel.push(p.id);
    }
    for (const p of pending) {
      if (!p.task_id) continue;
      if (p.task_open === false || ctx.completedTaskIds.has(p.task_id) || ctx.closedTaskIds.has(p.task_id))
        cancel.push(p.id);
    }
    if (cancel.length)
      await m.query(`UPDATE workflow_timer SET cancelled_at = $2 WHERE id = ANY($1)`, [
        [...new Set(cancel)],
        now,
      ]);
  }
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

function itemOf(api: ElementApi): unknown {
  const lc = api.owner.behaviour.loopCharacteristics as
    { behaviour?: { elementVariable?: string }; elementVariable?: string } | undefined;
  const variable = lc?.behaviour?.elementVariable ?? lc?.elementVariable ?? 'item';
  return api.content[variable] ?? null;
}
