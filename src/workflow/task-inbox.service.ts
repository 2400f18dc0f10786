import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { OrgScope, sqlInArea } from '../auth/org-scope.js';
import type { Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { camelRow, prepared } from '../common/sql.js';
import type { TaskListItemDto } from './dto/task.dto.js';
import { DefinitionsService } from './definitions.service.js';
import { WorkflowRuntime, type InstanceRow } from './runtime.service.js';
import type { SiblingTask } from './runtime/step.repository.js';
import {
  candidatesText,
  describeSubjects,
  dueInfo,
  holderText,
  TASK_NAMES_COLUMNS,
  TASK_NAMES_JOIN,
  type TaskAbout,
} from './task-about.js';
import {
  caseAllowsWork,
  claimDecision,
  isCandidateOf,
  mayAct,
  maySee,
  mayUrge,
  mayWithdraw,
} from './task-access.js';
import { describeDecisions } from './task-decisions.js';
import { TaskHolders } from './task-holders.service.js';
import { TASK_COLUMNS, TASK_SQL, TASK_WITH_CASE_SQL } from './task-rows.js';
import { nameActors } from './history-names.js';
import { WorkflowHistory } from './workflow-history.entity.js';
import { WorkflowTask } from './workflow-task.entity.js';
import { WorkflowUndo } from './workflow-undo.entity.js';
import { WorkflowRegistry } from './workflow.registry.js';

/** The inbox's rule: open tasks of live cases assigned to me, open to my unit and role, or escalated to my unit. */
const INBOX_WHERE = `t.status = 'open' AND i.status IN ('active', 'suspended')
          AND (t.assignee_id = $1
               OR (t.assignee_id IS NULL AND ($1 = ANY(t.candidate_user_ids)
                   OR ($2 = ANY(t.candidate_unit_ids) AND (cardinality(t.candidate_roles) = 0 OR t.candidate_roles && $3::text[]))))
               OR $2 = ANY(t.escalated_to_unit_ids))`;
const INBOX_FROM = 'FROM workflow_task t JOIN workflow_instance i ON i.id = t.instance_id';
/**
 * A page of the inbox with its total, prepared (every inbox read sends it; its columns named, see TASK_COLUMNS):
 * $1 user, $2 unit, $3 roles, $4 the reader's area (for 催办), $5 page size, $6 offset. The page is cut by row
 * number, not LIMIT/OFFSET: the planner then costs the one plan kept for every page as it costs a plan made
 * for one page, keeps it, and stops planning the query at every read. The words (names) are read for the
 * page's rows only.
 */
const INBOX_SQL = prepared(
  'workflow_inbox_page',
  `SELECT t.*,
          EXISTS (SELECT 1 FROM org_unit o
                   WHERE o.id = t.owner_unit_id AND ${sqlInArea('o.path', '$4::text')}) AS owner_in_area,
          ${TASK_NAMES_COLUMNS}
     FROM (SELECT ${TASK_COLUMNS}, i.process_id, i.business_key, i.definition_id, i.status AS instance_status,
                  i.started_by, i.owner_unit_id, count(*) OVER () AS total_rows,
                  row_number() OVER (ORDER BY t.due_at ASC NULLS LAST, t.created_at ASC, t.id ASC) AS page_row
             ${INBOX_FROM} WHERE ${INBOX_WHERE}) t
     ${TASK_NAMES_JOIN}
    WHERE t.page_row > $6::bigint AND t.page_row <= $6::bigint + $5::bigint
    ORDER BY t.page_row`,
);
const INBOX_COUNT_SQL = `SELECT count(*) AS n ${INBOX_FROM} WHERE ${INBOX_WHERE}`;

/** A task row with its case's process and the names its words need (TASK_NAMES_COLUMNS). */
type NamedTaskRow = Pick<WorkflowTask, 'dueAt' | 'overdueAt' | 'candidateRoles'> &
  Partial<Pick<WorkflowTask, 'status' | 'completedAt'>> & {
    processId: string;
    businessKey: string | null;
    definitionId: string;
    assigneeName: string | null;
    candidateUnitNames: string[] | null;
    candidateUserNames: string[] | null;
  };

/** What the principal may do with a task now (the task page's buttons). */
export interface TaskActions {
  claim: boolean;
  decide: boolean;
  reassign: boolean;
  delegate: boolean;
  addSigners: boolean;
  withdraw: boolean;
  urge: boolean;
}

/**
 * A task as its operations read it: the row, and (for a completion) its case's row, its open added signers and
 * (an iteration of a multi-instance step) its activation's iterations, as they stood with that row.
 */
export interface VisibleTask {
  task: WorkflowTask;
  instance?: InstanceRow;
  openSigners?: number;
  iterations?: SiblingTask[] | null;
}

/**
 * The task inbox and who may see or act on a task (the decisions are in task-access.ts): every task operation
 * finds its task here first, so that a task one may not see answers exactly like a missing one.
 */
@Injectable()
export class TaskInbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly holders: TaskHolders,
    private readonly registry: WorkflowRegistry,
    private readonly definitions: DefinitionsService,
    private readonly runtime: WorkflowRuntime,
    private readonly scope: OrgScope,
  ) {}

  /**
   * Tasks I may act on: assigned to me, or open to my unit and role, or escalated to my unit; the most urgent
   * first (time limit, then age), a page at a time with the total. Each says what it is about: the subject of
   * its case (one describer call per process on the page), who holds it, the time left.
   */
  async inbox(p: Principal, q: PageQuery = {}): Promise<Page<TaskListItemDto>> {
    const req = pageRequest(q);
    const params = [p.userId, p.unitId, p.roles];
    const rows: Record<string, unknown>[] = await this.dataSource.query(INBOX_SQL, [
      ...params,
      p.scopePath,
      req.pageSize,
      req.offset,
    ]);
    // A page past the end has no row to carry the total: count on its own.
    const total = rows.length
      ? Number(rows[0].total_rows)
      : req.offset === 0
        ? 0
        : Number((await this.dataSource.query(INBOX_COUNT_SQL, params))[0].n);
    const now = this.clock.nowMs();
    const tasks = rows.map(
      (r) =>
        camelRow(r) as unknown as WorkflowTask &
          NamedTaskRow & {
            instanceStatus: string;
            startedBy: string | null;
            ownerUnitId: string | null;
            ownerInArea: boolean;
          },
    );
    const abouts = await this.about(tasks);
    // 催办 by the rule of the urge itself; whether each case's unit lies in the principal's area came with the page.
    const urgeable = await Promise.all(
      tasks.map((t) => mayUrge(p, t, { startedBy: t.startedBy }, () => Promise.resolve(t.ownerInArea))),
    );
    const items = tasks.map((t, n): TaskListItemDto => {
      return {
        ...abouts[n],
        id: t.id,
        instanceId: t.instanceId,
        processId: t.processId,
        businessKey: t.businessKey,
        elementId: t.elementId,
        name: t.name,
        formKey: t.formKey,
        kind: t.kind,
        assigneeId: t.assigneeId,
        claimable: t.assigneeId === null && isCandidateOf(p, t),
        createdAt: new Date(t.createdAt).toISOString(),
        dueAt: t.dueAt ? new Date(t.dueAt).toISOString() : null,
        timeLeftMs: t.dueAt ? new Date(t.dueAt).getTime() - now : null,
        escalated: t.escalatedToUnitIds.includes(p.unitId),
        suspended: t.instanceStatus === 'suspended',
        urgedCount: t.urgedCount,
        mayUrge: urgeable[n],
        loopItem: t.loopItem,
      };
    });
    return toPage(items, total, req);
  }

  /**
   * One task with its history and what it is about, for whoever may see it; with the decisions its form allows
   * and what the principal may do with it now (each by the rule its operation checks).
   */
  async get(p: Principal, id: string) {
    const t = await this.findVisible(p, id);
    const [history, named] = await Promise.all([
      this.dataSource
        .getRepository(WorkflowHistory)
        .find({ where: { taskId: id }, order: { seq: 'ASC' } })
        .then((rows) => nameActors(this.dataSource.manager, rows)),
      this.dataSource.query(
        `SELECT t.status, t.completed_at, t.due_at, t.overdue_at, t.candidate_roles,
                i.process_id, i.business_key, i.definition_id,
                i.status AS instance_status, i.started_by, i.owner_unit_id,
                ${TASK_NAMES_COLUMNS}
           FROM workflow_task t JOIN workflow_instance i ON i.id = t.instance_id ${TASK_NAMES_JOIN}
          WHERE t.id = $1`,
        [id],
      ) as Promise<Record<string, unknown>[]>,
    ]);
    const row = camelRow(named[0]) as unknown as NamedTaskRow & {
      instanceStatus: string;
      startedBy: string | null;
      ownerUnitId: string | null;
    };
    const [about] = await this.about([row]);
    const suspended = row.instanceStatus === 'suspended';
    const actions = await this.actionsOf(p, t, row);
    const decisions = describeDecisions(this.registry, t);
    return { ...t, history, about, decisions, actions, suspended, claimable: actions.claim };
  }

  /** What the principal may do with the task now, each answered by the rule its operation checks. */
  private async actionsOf(
    p: Principal,
    t: WorkflowTask,
    c: { startedBy: string | null; ownerUnitId: string | null; instanceStatus: string },
  ): Promise<TaskActions> {
    const m = this.dataSource.manager;
    // The rule every task operation checks (assertCaseActive): nothing is done on a case not active.
    const open = t.status === 'open' && caseAllowsWork(c.instanceStatus);
    const acts = open && mayAct(p, t);
    const step = t.kind === 'step';
    const owner = c.ownerUnitId;
    const urge =
      t.status === 'open' &&
      (await mayUrge(p, t, { startedBy: c.startedBy }, async () =>
        owner ? this.scope.unitInArea(m, owner, p.scopePath) : false,
      ));
    return {
      claim: open && claimDecision(p, t) === 'claim',
      decide: acts,
      reassign: open && step && (acts || (!mayAct(p, t) && (await this.holders.isLevelOffice(m, p, t)))),
      delegate: acts && step,
      addSigners: acts && step,
      // Offered only when it would work (the operation's own test, withdrawal), not to find out by pressing it.
      withdraw: mayWithdraw(p, t) && c.instanceStatus === 'active' && !!(await this.withdrawal(t, m)),
      urge,
    };
  }

  /**
   * What lets a step's completer take the completion back (撤回): the case's undo record, when it is this step's
   * and nothing has happened since but the next tasks' creation — no service run, claim, signature, incident or
   * end of the case (one completion at most: this one). Null: too late.
   */
  async withdrawal(
    t: WorkflowTask,
    m: EntityManager = this.dataSource.manager,
  ): Promise<WorkflowUndo | null> {
    const undo = await m.getRepository(WorkflowUndo).findOneBy({ instanceId: t.instanceId });
    if (!undo || undo.taskId !== t.id) return null;
    const history: { action: string }[] = await m.query(
      `SELECT action FROM workflow_history WHERE instance_id = $1 AND at >= $2 AND action IN ('service.completed', 'incident.opened', 'task.claimed', 'task.completed', 'task.returned', 'task.signed', 'instance.completed')`,
      [t.instanceId, undo.createdAt],
    );
    const since = history.filter((h) => h.action !== 'task.completed' && h.action !== 'task.returned');
    if (since.length || history.length > 1) return null;
    // Nothing else moved the case (a timer, a suspension and resumption: its version), and no task created since
    // was taken up (claimed, delegated or completed) — what the withdrawal itself checks again under its lock.
    const [now]: { version: number; later: number }[] = await m.query(
      `SELECT i.version,
              (SELECT count(*)::int FROM workflow_task t
                WHERE t.instance_id = i.id AND t.id <> $2 AND t.created_at >= $3
                  AND (t.claimed_at IS NOT NULL OR t.status = 'completed')) AS later
         FROM workflow_instance i WHERE i.id = $1`,
      [t.instanceId, t.id, undo.createdAt],
    );
    return now && now.version === undo.version + 1 && now.later === 0 ? undo : null;
  }

  /**
   * What each task is about, in words: its case's subject (each process's describer once for all of them),
   * its process's name, who holds it or may claim it, its time left by the working-day calendar.
   */
  private async about(tasks: NamedTaskRow[]): Promise<TaskAbout[]> {
    if (!tasks.length) return [];
    const m = this.dataSource.manager;
    const [subjectOf, calendar, definitions] = await Promise.all([
      describeSubjects(this.registry, m, tasks),
      tasks.some((t) => t.dueAt) ? this.runtime.workCalendar(m) : new Map<string, boolean>(),
      Promise.all([...new Set(tasks.map((t) => t.definitionId))].map((d) => this.definitions.get(d, m))),
    ]);
    const processName = new Map(definitions.map((d) => [d.id, d.name]));
    const now = this.clock.nowMs();
    // The page's tasks mostly end on a few days: each day's working days left is counted once.
    const counted = new Map<string, number>();
    return tasks.map((t) => {
      const candidates = candidatesText(t.candidateUnitNames, t.candidateRoles, t.candidateUserNames);
      return {
        processId: t.processId,
        processName: processName.get(t.definitionId) ?? null,
        businessKey: t.businessKey,
        subject: subjectOf(t.processId, t.businessKey),
        assigneeName: t.assigneeName,
        candidates,
        holder: holderText(t.assigneeName, candidates),
        ...(t.status && t.status !== 'open'
          ? // A closed task is judged by when it was completed: on time or late, with nothing left.
            {
              ...dueInfo(
                t.dueAt,
                t.overdueAt,
                t.completedAt ? new Date(t.completedAt).getTime() : now,
                calendar,
                counted,
              ),
              workingDaysLeft: null,
              todayCounted: null,
            }
          : dueInfo(t.dueAt, t.overdueAt, now, calendar, counted)),
      };
    });
  }

  /** A task the principal may see (act on, or escalated to their unit, or one they completed); else 404. */
  async findVisible(
    p: Principal,
    id: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<WorkflowTask> {
    return (await this.loadVisible(p, id, m, false)).task;
  }

  /** The task, checked as findVisible does, and (if asked, in the same query) its case's row for a step. */
  async loadVisible(p: Principal, id: string, m: EntityManager, withInstance: boolean): Promise<VisibleTask> {
    const rows: Record<string, unknown>[] = await m.query(withInstance ? TASK_WITH_CASE_SQL : TASK_SQL, [id]);
    if (!rows[0]) throw new AppError('TASK_NOT_FOUND');
    const { instanceRow, openSigners, iterations, ...task } = camelRow(rows[0]) as unknown as WorkflowTask & {
      instanceRow?: InstanceRow;
      openSigners?: number;
      iterations?: SiblingTask[] | null;
    };
    const t = task as WorkflowTask;
    if (!maySee(p, t)) throw new AppError('TASK_NOT_FOUND');
    return { task: t, instance: instanceRow, openSigners, iterations };
  }

  /** An open task the principal may act on: 404 if they may not see it, else 409 if closed, 403 if not theirs. */
  async findActionable(
    p: Principal,
    id: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<WorkflowTask> {
    const t = await this.findVisible(p, id, m);
    if (t.status !== 'open') throw new AppError('TASK_NOT_OPEN');
    if (!mayAct(p, t)) throw new AppError('TASK_NOT_YOURS');
    return t;
  }

  /** The task for its holder or claimable candidate, or for the office of its level (stuck tasks). */
  async findActionableOrOffice(p: Principal, id: string, m: EntityManager): Promise<WorkflowTask> {
    const t = await m.findOneBy(WorkflowTask, { id });
    if (!t) throw new AppError('TASK_NOT_FOUND');
    if (t.status === 'open' && t.kind === 'step' && !mayAct(p, t)) {
      if (await this.holders.isLevelOffice(m, p, t)) return t;
    }
    return this.findActionable(p, id, m);
  }
}
