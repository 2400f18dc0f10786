/*
 * All the SQL of the workflow runtime: the case row and its state, task rows, history, incidents and timers.
 * Over 400 lines because it is the one place for that SQL; each method is one statement (or a short fixed
 * sequence) named after what it does. Methods that write take the step's EntityManager (its transaction).
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, assertAppended, type AuditEntry } from '../../audit/audit.service.js';
import type { Actor } from '../../common/actor.js';
import { prepared, rowsOf } from '../../common/sql.js';
import { createHash } from 'node:crypto';
import type { InstanceStatus } from '../workflow-instance.entity.js';
import type { JobInsert } from '../timer-queue.js';
import { WorkflowTimer } from '../workflow-timer.entity.js';
import { WorkflowTask } from '../workflow-task.entity.js';
import { WorkflowInstance } from '../workflow-instance.entity.js';
import type {
  HistoryRow,
  InstanceRow,
  NewTaskRow,
  NewTimer,
  TaskCompletion,
  TaskRowBrief,
  TimerRowBrief,
} from './step-records.js';

/** SQL for an InstanceRow as one JSON value, from the workflow_instance row aliased `alias`. */
export function INSTANCE_ROW_JSON(alias: string): string {
  return `json_build_object('id', ${alias}.id, 'definitionId', ${alias}.definition_id, 'processId', ${alias}.process_id,
      'businessKey', ${alias}.business_key, 'ownerUnitId', ${alias}.owner_unit_id, 'startedBy', ${alias}.started_by,
      'status', ${alias}.status, 'version', ${alias}.version)`;
}

/** Named parameters: `$.name` is the placeholder of `name`, `values` puts the values in their order. */
function params<K extends string>(...names: K[]) {
  const $ = Object.fromEntries(names.map((n, i) => [n, `$${i + 1}`])) as Record<K, string>;
  return { $, values: (v: Record<K, unknown>) => names.map((n) => v[n]) };
}

/**
 * The UPDATE that completes a task, only if nobody touched it since it was read, no added signer (加签) still
 * waits on it, and the user is, as the organization is now, one of its candidates: their row is read and kept
 * (FOR SHARE), so a move, a lost role or disabling that commits first makes the completion fail, and one
 * that comes later waits for it.
 */
function completionSql(
  $: Record<'taskId' | 'taskVersion' | 'now' | 'userId' | 'decision' | 'form' | 'comment', string>,
) {
  return `UPDATE workflow_task SET status = 'completed', completed_at = ${$.now}, completed_by = ${$.userId}::uuid,
                assignee_id = coalesce(assignee_id, ${$.userId}::uuid), decision = ${$.decision}::varchar,
                form_data = ${$.form}::jsonb, comment = ${$.comment}::text, version = version + 1
          WHERE id = ${$.taskId}::uuid AND version = ${$.taskVersion}::int AND status = 'open'
            AND NOT EXISTS (SELECT 1 FROM workflow_task s WHERE s.parent_task_id = ${$.taskId}::uuid AND s.status = 'open')
            AND EXISTS (SELECT 1 FROM app_user u WHERE u.id = ${$.userId}::uuid AND u.active
                          AND (u.id = ANY(workflow_task.candidate_user_ids)
                               OR (u.unit_id = ANY(workflow_task.candidate_unit_ids)
                                   AND (cardinality(workflow_task.candidate_roles) = 0
                                        OR workflow_task.candidate_roles && u.roles)))
                        FOR SHARE)
          RETURNING id`;
}

function completionValues(c: TaskCompletion | undefined) {
  return {
    taskId: c?.taskId ?? null,
    taskVersion: c?.version ?? null,
    userId: c?.userId ?? null,
    decision: c?.decision ?? null,
    form: c ? JSON.stringify(c.form) : null,
    comment: c?.comment ?? null,
  };
}

const STEP = params(
  'caseId',
  'version',
  'state',
  'variables',
  'status',
  'now',
  'undoTaskId',
  'reopen',
  'resolvedElements',
  'taskId',
  'taskVersion',
  'userId',
  'decision',
  'form',
  'comment',
);
const { $ } = STEP;

/**
 * A step's write of its case: completes its task (if any) and cancels that task's timers (time limit,
 * delegation), resolves the incidents of the service tasks that succeeded in the step, keeps the state
 * before it for 撤回 (if asked), writes the new state checked against the version
 * read, and reads the step tasks and the other pending timers as they were before this statement, to
 * reconcile them with the engine.
 */
const WRITE_STEP_SQL = prepared(
  'workflow_write_step',
  `WITH done AS (${completionSql($)}),
  undo AS (
    INSERT INTO workflow_undo (instance_id, task_id, version, state, created_at)
    SELECT id, ${$.undoTaskId}::uuid, version, state, ${$.now} FROM workflow_instance
     WHERE ${$.undoTaskId}::uuid IS NOT NULL AND id = ${$.caseId} AND version = ${$.version}
    ON CONFLICT (instance_id) DO UPDATE
      SET task_id = EXCLUDED.task_id, version = EXCLUDED.version, state = EXCLUDED.state, created_at = EXCLUDED.created_at
    RETURNING 1),
  limits AS (
    UPDATE workflow_timer SET cancelled_at = ${$.now}
     WHERE task_id IN (SELECT id FROM done) AND fired_at IS NULL AND cancelled_at IS NULL RETURNING id),
  resolved AS (
    UPDATE workflow_incident SET resolved_at = ${$.now}
     WHERE instance_id = ${$.caseId} AND element_id = ANY(${$.resolvedElements}::varchar[]) AND resolved_at IS NULL),
  upd AS (
    UPDATE workflow_instance
       SET state = ${$.state}, variables = ${$.variables}, status = ${$.status}::varchar, version = version + 1,
           ended_at = CASE WHEN ${$.status}::varchar IN ('completed', 'terminated') THEN ${$.now}::timestamptz ELSE ended_at END
     WHERE id = ${$.caseId} AND version = ${$.version} RETURNING version)
  SELECT (SELECT version FROM upd) AS version,
         (SELECT count(*)::int FROM done) AS completed,
         (SELECT count(*) FROM undo) AS undone,
         (SELECT coalesce(json_agg(json_build_object('id', id, 'execution_id', execution_id, 'status', status,
                                                     'element_id', element_id, 'name', name)), '[]'::json)
            FROM workflow_task WHERE instance_id = ${$.caseId} AND kind = 'step' AND (status = 'open' OR ${$.reopen})) AS tasks,
         (SELECT coalesce(json_agg(json_build_object('id', t.id, 'execution_id', t.execution_id, 'kind', t.kind,
                                                     'task_id', t.task_id, 'task_open', k.status = 'open')), '[]'::json)
            FROM workflow_timer t LEFT JOIN workflow_task k ON k.id = t.task_id
           WHERE t.instance_id = ${$.caseId} AND t.fired_at IS NULL AND t.cancelled_at IS NULL
             AND t.id NOT IN (SELECT id FROM limits)) AS timers`,
);

const COMPLETE = params(
  'taskId',
  'taskVersion',
  'now',
  'userId',
  'decision',
  'form',
  'comment',
  'instanceId',
  'siblingsLike',
);
/**
 * A completion ahead of its step's state write, stopping the task's timers with it; and (given a LIKE pattern
 * of execution ids) the decision and status of the step tasks of the case that match it, as they were before
 * this statement (a countersign's iterations, for its tally).
 */
const COMPLETE_SQL = prepared(
  'workflow_complete_task',
  `WITH done AS (${completionSql(COMPLETE.$)}),
  limits AS (
    UPDATE workflow_timer SET cancelled_at = ${COMPLETE.$.now}
     WHERE task_id IN (SELECT id FROM done) AND fired_at IS NULL AND cancelled_at IS NULL)
  SELECT (SELECT count(*)::int FROM done) AS completed,
         (SELECT coalesce(json_agg(json_build_object('id', id, 'decision', decision, 'status', status)), '[]'::json)
            FROM workflow_task
           WHERE ${COMPLETE.$.siblingsLike}::text IS NOT NULL AND instance_id = ${COMPLETE.$.instanceId}::uuid
             AND kind = 'step' AND execution_id LIKE ${COMPLETE.$.siblingsLike}::text) AS siblings`,
);

/** A step task's decision and status, for a countersign's tally. */
export interface SiblingTask {
  id: string;
  decision: string | null;
  status: string;
}

/** INSERT of new step tasks from a JSON array of NewTaskRow ($1), in order. */
const INSERT_TASKS_SQL = `INSERT INTO workflow_task (id, instance_id, element_id, execution_id, name, form_key, status, kind,
                candidate_groups, candidate_unit_ids, candidate_roles, candidate_user_ids, loop_index, loop_item,
                created_at, due_at, limit_working_days)
         SELECT id, instance_id, element_id, execution_id, name, form_key, 'open', 'step', candidate_groups,
                candidate_unit_ids, candidate_roles, candidate_user_ids, loop_index, loop_item, created_at, due_at,
                limit_working_days
           FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id uuid, instance_id uuid, element_id varchar,
                execution_id varchar, name varchar, form_key varchar, candidate_groups varchar,
                candidate_unit_ids uuid[], candidate_roles text[], candidate_user_ids uuid[], loop_index integer,
                loop_item jsonb, created_at timestamptz, due_at timestamptz, limit_working_days integer))
                WITH ORDINALITY AS t
          ORDER BY t.ordinality`;

/** INSERT of history rows from a JSON array of HistoryRow ($2), in order. */
const INSERT_HISTORY_SQL = `INSERT INTO workflow_history (instance_id, task_id, element_id, action, actor_id, actor_username, at, comment, data)
         SELECT instance_id, task_id, element_id, action, actor_id, actor_username, at, comment, data
           FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (instance_id uuid, task_id uuid, element_id varchar,
                action varchar, actor_id uuid, actor_username varchar, at timestamptz, comment text, data jsonb))
                WITH ORDINALITY AS h
          ORDER BY h.ordinality`;

/** A timer row to insert and the job that fires it (the job queue's own INSERT, see TimerQueue.jobInsert). */
export interface TimerInsert {
  id: string;
  timer: NewTimer;
  now: Date;
  job: JobInsert;
}

/**
 * The CTEs `timer<i>` and `job<i>` that insert a timer row and its job, their parameters appended to
 * `params` (the job's own placeholders renumbered after those before it), and the select of the job's id.
 */
function timerCtes(t: TimerInsert, i: number, params: unknown[]): { ctes: string[]; select: string } {
  const { text, values } = t.job;
  if (!/^\s*INSERT\s/i.test(text)) throw new Error('the job queue no longer creates a job with one INSERT');
  const offset = params.length;
  const placeholders = [...text.matchAll(/\$(\d+)/g)].map((x) => Number(x[1]));
  if (Math.max(0, ...placeholders) !== values.length)
    throw new Error("the job queue's INSERT no longer numbers its parameters $1…$n");
  const job = text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  params.push(...values);
  const $ = (k: number) => `$${params.length + k}`;
  const timer = `timer${i} AS (INSERT INTO workflow_timer (id, instance_id, kind, element_id, execution_id, task_id, fire_at, created_at, job_id)
         VALUES (${$(1)}::uuid, ${$(2)}::uuid, ${$(3)}::varchar, ${$(4)}::varchar, ${$(5)}::varchar, ${$(6)}::uuid,
                 ${$(7)}::timestamptz, ${$(8)}::timestamptz, ${$(9)}::uuid))`;
  const { timer: r } = t;
  params.push(t.id, r.instanceId, r.kind, r.elementId, r.executionId, r.taskId, r.fireAt, t.now, t.job.jobId);
  return { ctes: [timer, `job${i} AS (${job})`], select: `(SELECT id FROM job${i}) AS job${i}` };
}

/**
 * The rows statement of a step as a prepared statement named after its text: its text depends only on its
 * shape (audit record or not, how many timers), so a handful of texts serve every step, each parsed and
 * planned once per connection. Past a bound (a shape never seen in the flows) a text is sent unnamed.
 */
const rowsStatements = new Map<string, string>();
const ROWS_STATEMENTS_MAX = 32;
function rowsStatement(text: string): string {
  let statement = rowsStatements.get(text);
  if (statement) return statement;
  if (rowsStatements.size >= ROWS_STATEMENTS_MAX) return text;
  statement = prepared(
    `workflow_step_rows_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`,
    text,
  );
  rowsStatements.set(text, statement);
  return statement;
}

/** What the state write read and wrote. */
export interface StepWritten {
  /** The case's new version, or null if it was not at the version read. */
  version: number | null;
  /** 1 if the step's task completion was written. */
  completed: number;
  tasks: TaskRowBrief[];
  timers: TimerRowBrief[];
}

/** The state write of a step (see WRITE_STEP_SQL). */
export interface StepWrite {
  instance: Pick<InstanceRow, 'id' | 'version'>;
  state: object;
  /** The variables as JSON text. */
  variables: string;
  status: InstanceStatus;
  now: Date;
  undoTaskId: string | null;
  /** Read cancelled and completed tasks too (a restored state reopens them). */
  reopen: boolean;
  /** Service tasks whose handler succeeded in the step: their open incidents are resolved. */
  resolvedElements: string[];
  completion: TaskCompletion | undefined;
}

/** An incident of a service task or a timer. */
export interface NewIncident {
  instanceId: string;
  elementId: string;
  topic: string;
  timerId?: string;
  message: string;
  createdAt: Date;
}

/** The advisory lock one process holds while it sweeps for lost timers. */
const TIMER_SWEEP_LOCK = 7270032;

@Injectable()
export class StepRepository {
  constructor(
    readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Runs `work` in a new transaction. */
  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async insertInstance(
    m: EntityManager,
    i: Omit<InstanceRow, 'id' | 'status' | 'version'>,
    now: Date,
  ): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO workflow_instance (definition_id, process_id, business_key, status, state, variables, started_by, owner_unit_id, started_at, version)
       VALUES ($1, $2, $3, 'active', '{}', '{}', $4, $5, $6, 0) RETURNING id`,
      [i.definitionId, i.processId, i.businessKey, i.startedBy, i.ownerUnitId, now],
    );
    return rows[0].id;
  }

  async loadRow(instanceId: string): Promise<InstanceRow | undefined> {
    const rows: { row: InstanceRow }[] = await this.dataSource.query(
      `SELECT ${INSTANCE_ROW_JSON('i')} AS row FROM workflow_instance i WHERE i.id = $1`,
      [instanceId],
    );
    return rows[0]?.row;
  }

  async loadState(instanceId: string): Promise<object> {
    const rows: { state: object }[] = await this.dataSource.query(
      'SELECT state FROM workflow_instance WHERE id = $1',
      [instanceId],
    );
    return rows[0].state;
  }

  async writeStep(m: EntityManager, w: StepWrite): Promise<StepWritten> {
    const rows: StepWritten[] = await m.query(
      WRITE_STEP_SQL,
      STEP.values({
        caseId: w.instance.id,
        version: w.instance.version,
        state: w.state,
        variables: w.variables,
        status: w.status,
        now: w.now,
        undoTaskId: w.undoTaskId,
        reopen: w.reopen,
        resolvedElements: w.resolvedElements,
        ...completionValues(w.completion),
      }),
    );
    return rows[0];
  }

  /**
   * Completes a task (and stops its timers) ahead of its step's state: `completed` false if the completion's
   * conditions do not hold. Given `siblings` (the case and a LIKE pattern of execution ids), also the step
   * tasks that match, as they stand after the completion (the completed one with its decision).
   */
  async completeTask(
    m: EntityManager,
    c: TaskCompletion,
    now: Date,
    siblings?: { instanceId: string; executionIdLike: string },
  ): Promise<{ completed: boolean; siblings: SiblingTask[] }> {
    const rows: { completed: number; siblings: SiblingTask[] }[] = await m.query(
      COMPLETE_SQL,
      COMPLETE.values({
        ...completionValues(c),
        now,
        instanceId: siblings?.instanceId ?? null,
        siblingsLike: siblings?.executionIdLike ?? null,
      }),
    );
    const completed = rows[0].completed === 1;
    return {
      completed,
      siblings: rows[0].siblings.map((t) =>
        completed && t.id === c.taskId ? { ...t, status: 'completed', decision: c.decision } : t,
      ),
    };
  }

  /** Why a completion could not be written: signers open, the task's state, the user still a candidate. */
  async completionObstacles(
    m: EntityManager,
    taskId: string,
    userId: string | null,
  ): Promise<{ openSigners: number; open: boolean; candidate: boolean }> {
    const openSigners = await m.count(WorkflowTask, { where: { parentTaskId: taskId, status: 'open' } });
    const rows: { open: boolean; candidate: boolean }[] = await m.query(
      `SELECT t.status = 'open' AS open,
              EXISTS (SELECT 1 FROM app_user u WHERE u.id = $2::uuid AND u.active
                        AND (u.id = ANY(t.candidate_user_ids)
                             OR (u.unit_id = ANY(t.candidate_unit_ids)
                                 AND (cardinality(t.candidate_roles) = 0 OR t.candidate_roles && u.roles)))) AS candidate
         FROM workflow_task t WHERE t.id = $1`,
      [taskId, userId],
    );
    return { openSigners, open: rows[0]?.open ?? false, candidate: rows[0]?.candidate ?? false };
  }

  async reopenTask(m: EntityManager, taskId: string): Promise<void> {
    await m.query(
      `UPDATE workflow_task SET status = 'open', completed_at = NULL, completed_by = NULL, decision = NULL, version = version + 1 WHERE id = $1`,
      [taskId],
    );
  }

  /** Cancels a step task and any added signers (加签) still waiting on it. */
  async cancelTask(m: EntityManager, taskId: string, now: Date): Promise<void> {
    await m.query(
      `UPDATE workflow_task SET status = 'cancelled', completed_at = $2, version = version + 1
        WHERE id = $1 OR (parent_task_id = $1 AND status = 'open')`,
      [taskId, now],
    );
  }

  /**
   * One statement: new task rows, history rows, (if given) the audit record, and new timers with their jobs
   * (a timer may refer to a task of the same statement: the foreign key is checked at its end).
   */
  async insertRows(
    m: EntityManager,
    tasks: NewTaskRow[],
    history: HistoryRow[],
    audit: { actor: Actor; entry: AuditEntry } | null,
    timers: TimerInsert[] = [],
  ): Promise<void> {
    const chain = audit ? this.audit.sql(audit.actor, audit.entry, 3) : null;
    const params: unknown[] = [JSON.stringify(tasks), JSON.stringify(history), ...(chain?.params ?? [])];
    const ctes = [`new_tasks AS (${INSERT_TASKS_SQL})`, `history AS (${INSERT_HISTORY_SQL})`];
    if (chain) ctes.push(chain.cte);
    const jobs = timers.map((t, i) => timerCtes(t, i, params));
    const result: Record<string, string | null>[] = await m.query(
      rowsStatement(`WITH ${[...ctes, ...jobs.flatMap((j) => j.ctes)].join(', ')}
       SELECT ${chain ? '(SELECT id FROM audit_row)' : 'NULL'} AS id${jobs.map((j) => `, ${j.select}`).join('')}`),
      params,
    );
    if (chain) assertAppended(result[0]?.id);
    timers.forEach((t, i) => {
      if (result[0]?.[`job${i}`] !== t.job.jobId) throw new Error(`the job of timer ${t.id} was not created`);
    });
  }

  async workCalendar(m: EntityManager): Promise<{ day: string; working_day: boolean }[]> {
    return m.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, working_day FROM work_calendar_day`);
  }

  // Service tasks: each call runs inside a savepoint, so that a failing handler leaves nothing behind.

  async savepoint(m: EntityManager, action: 'SAVEPOINT' | 'ROLLBACK TO SAVEPOINT') {
    await m.query(`${action} service_call`);
  }

  async resolveIncidents(m: EntityManager, instanceId: string, elementId: string, now: Date): Promise<void> {
    await m.query(
      'UPDATE workflow_incident SET resolved_at = $3 WHERE instance_id = $1 AND element_id = $2 AND resolved_at IS NULL',
      [instanceId, elementId, now],
    );
  }

  /** The open incident of a service task (by element) or of a timer. */
  async openIncident(
    m: EntityManager,
    of: { instanceId: string; elementId: string } | { timerId: string },
  ): Promise<{ id: string; attempts: number } | undefined> {
    const rows: { id: string; attempts: number }[] =
      'timerId' in of
        ? await m.query(
            'SELECT id, attempts FROM workflow_incident WHERE timer_id = $1 AND resolved_at IS NULL LIMIT 1',
            [of.timerId],
          )
        : await m.query(
            'SELECT id, attempts FROM workflow_incident WHERE instance_id = $1 AND element_id = $2 AND resolved_at IS NULL LIMIT 1',
            [of.instanceId, of.elementId],
          );
    return rows[0];
  }

  /** Counts one more failed attempt of an open incident. */
  async incidentAgain(m: EntityManager, id: string, message: string): Promise<void> {
    await m.query('UPDATE workflow_incident SET attempts = attempts + 1, message = $2 WHERE id = $1', [
      id,
      message,
    ]);
  }

  async insertIncident(m: EntityManager, i: NewIncident): Promise<void> {
    await m.query(
      `INSERT INTO workflow_incident (instance_id, element_id, topic, timer_id, message, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [i.instanceId, i.elementId, i.topic, i.timerId ?? null, i.message, i.createdAt],
    );
  }

  // Timers.

  async findTimer(timerId: string, m?: EntityManager, lock = false): Promise<WorkflowTimer | null> {
    return (m ?? this.dataSource.manager).findOne(WorkflowTimer, {
      where: { id: timerId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  /** A new timer row (its id chosen by the caller) and its job, in one statement. */
  async insertTimerWithJob(m: EntityManager, timer: TimerInsert): Promise<void> {
    const params: unknown[] = [];
    const { ctes, select } = timerCtes(timer, 0, params);
    const result: Record<string, string | null>[] = await m.query(
      `WITH ${ctes.join(', ')} SELECT ${select}`,
      params,
    );
    if (result[0]?.job0 !== timer.job.jobId) throw new Error(`the job of timer ${timer.id} was not created`);
  }

  async setTimerJob(m: EntityManager, timerId: string, jobId: string): Promise<void> {
    await m.query('UPDATE workflow_timer SET job_id = $2 WHERE id = $1', [timerId, jobId]);
  }

  async cancelTimers(m: EntityManager, timerIds: string[], now: Date): Promise<void> {
    await m.query(`UPDATE workflow_timer SET cancelled_at = $2 WHERE id = ANY($1)`, [timerIds, now]);
  }

  /** Marks a timer fired, if nobody fired or cancelled it yet: true for the one step that may fire it. */
  async claimTimer(m: EntityManager, timerId: string, now: Date): Promise<boolean> {
    const res = await m.query(
      `UPDATE workflow_timer SET fired_at = $2 WHERE id = $1 AND fired_at IS NULL AND cancelled_at IS NULL RETURNING id`,
      [timerId, now],
    );
    return rowsOf(res).length === 1;
  }

  /** Takes the sweep's lock for this transaction; false if another process sweeps. */
  async lockSweep(m: EntityManager): Promise<boolean> {
    const lock = rowsOf<{ ok: boolean }>(
      await m.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [TIMER_SWEEP_LOCK]),
    );
    return lock[0].ok;
  }

  /**
   * Due timers neither fired nor cancelled whose job is not waiting or running in `queue`, that are not the
   * office's as an open incident, and (BPMN timers) whose case is active; locked, at most 500.
   */
  async lostTimers(m: EntityManager, now: Date, queue: string): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await m.query(
        `SELECT t.id FROM workflow_timer t
          WHERE t.fired_at IS NULL AND t.cancelled_at IS NULL AND t.fire_at <= $1
            AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = $2 AND j.id = t.job_id AND j.state < 'completed')
            AND NOT EXISTS (SELECT 1 FROM workflow_incident i WHERE i.timer_id = t.id AND i.resolved_at IS NULL)
            AND (t.kind <> 'bpmn' OR EXISTS (SELECT 1 FROM workflow_instance w WHERE w.id = t.instance_id AND w.status = 'active'))
          ORDER BY t.fire_at LIMIT 500
          FOR UPDATE OF t SKIP LOCKED`,
        [now, queue],
      ),
    );
    return rows.map((r) => r.id);
  }

  /**
   * Timers due by `now` (the application's clock), neither fired nor cancelled, not the office's as an open
   * incident, and (BPMN timers) whose case is active; the earliest first, at most 500. Not locked: the step
   * that fires one claims it.
   */
  async dueTimers(now: Date): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await this.dataSource.query(
        `SELECT t.id FROM workflow_timer t
          WHERE t.fired_at IS NULL AND t.cancelled_at IS NULL AND t.fire_at <= $1
            AND NOT EXISTS (SELECT 1 FROM workflow_incident i WHERE i.timer_id = t.id AND i.resolved_at IS NULL)
            AND (t.kind <> 'bpmn' OR EXISTS (SELECT 1 FROM workflow_instance w WHERE w.id = t.instance_id AND w.status = 'active'))
          ORDER BY t.fire_at, t.id LIMIT 500`,
        [now],
      ),
    );
    return rows.map((r) => r.id);
  }

  // Task timers: time limits (限时办结) and delegations (委托).

  async findTask(m: EntityManager, taskId: string, lock = false): Promise<WorkflowTask | null> {
    return m.findOne(WorkflowTask, {
      where: { id: taskId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  async findInstance(m: EntityManager, instanceId: string): Promise<WorkflowInstance> {
    return m.findOneByOrFail(WorkflowInstance, { id: instanceId });
  }

  async markOverdue(m: EntityManager, taskId: string, now: Date, escalatedTo: string[]): Promise<void> {
    await m.update(WorkflowTask, { id: taskId }, { overdueAt: now, escalatedToUnitIds: escalatedTo });
  }

  /** A user as the organization knows them now, their row kept (FOR SHARE) until the transaction ends. */
  async personForShare(
    m: EntityManager,
    userId: string,
  ): Promise<{ id: string; unitId: string; roles: string[]; active: boolean } | undefined> {
    const rows: { id: string; unit_id: string; roles: string[]; active: boolean }[] = await m.query(
      'SELECT id, unit_id, roles, active FROM app_user WHERE id = $1 FOR SHARE',
      [userId],
    );
    return (
      rows[0] && { id: rows[0].id, unitId: rows[0].unit_id, roles: rows[0].roles, active: rows[0].active }
    );
  }

  /** Ends a task's delegation: it goes to `to` (keeping its claim) or, with null, back to its group. */
  async endDelegation(m: EntityManager, task: WorkflowTask, to: string | null): Promise<void> {
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
  }

  /** One history row outside a step (timers of tasks, timer incidents). */
  async insertHistory(m: EntityManager, row: Omit<HistoryRow, 'actor_id' | 'actor_username' | 'comment'>) {
    await m.query(
      `INSERT INTO workflow_history (instance_id, task_id, element_id, action, at, data) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        row.instance_id,
        row.task_id,
        row.element_id,
        row.action,
        row.at,
        row.data === null ? null : JSON.stringify(row.data),
      ],
    );
  }
}
