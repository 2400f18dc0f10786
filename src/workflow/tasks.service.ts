import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, decisionHash } from '../audit/audit.service.js';
import { Permission } from '../auth/permissions.js';
import type { Actor, Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { flattenValidationErrors } from '../common/validation.js';
import { Clock } from '../common/clock.js';
import {
  infoOf,
  INSTANCE_ROW_JSON,
  WorkflowRuntime,
  type InstanceRow,
  type StepContext,
  type TaskCompletion,
} from './runtime.service.js';
import { camelRow, prepared, rowsOf } from '../common/sql.js';
import { WorkflowHistory } from './workflow-history.entity.js';
import { WorkflowTask } from './workflow-task.entity.js';
import { WorkflowUndo } from './workflow-undo.entity.js';
import { WorkflowRegistry } from './workflow.registry.js';
import { isCandidate } from './candidates.js';
import { TaskHolders } from './task-holders.service.js';

export interface InboxItem {
  id: string;
  instanceId: string;
  processId: string;
  businessKey: string | null;
  elementId: string;
  name: string | null;
  formKey: string | null;
  kind: string;
  assigneeId: string | null;
  claimable: boolean;
  createdAt: string;
  dueAt: string | null;
  /** Milliseconds left until the time limit; negative when overdue. */
  timeLeftMs: number | null;
  overdue: boolean;
  escalated: boolean;
  suspended: boolean;
  urgedCount: number;
  loopItem: unknown;
}

export interface CompleteResult {
  instanceId: string;
  status: string;
  openTasks: { id: string; elementId: string; name: string | null }[];
}

export interface CompleteInput {
  decision?: string;
  form?: Record<string, unknown>;
  comment?: string;
  deficiencies?: string[];
}

export type CountersignRule = 'all' | 'majority' | 'any';

/** What 催办 answers: the task urged, without its form data or comments. */
export interface UrgedTask {
  id: string;
  instanceId: string;
  elementId: string;
  name: string | null;
  status: string;
  assigneeId: string | null;
  dueAt: string | null;
  urgedCount: number;
  lastUrgedAt: string;
}

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
const TASK_COLUMNS = TASK_COLUMN_NAMES.map((c) => `t.${c}`).join(', ');
/** A task by id (every task operation reads it first). */
const TASK_SQL = prepared(
  'workflow_task_by_id',
  `SELECT ${TASK_COLUMNS} FROM workflow_task t WHERE t.id = $1`,
);
/** A task by id with its case's row for the step and the count of its open added signers (task completion). */
const TASK_WITH_CASE_SQL = prepared(
  'workflow_task_with_case',
  `SELECT ${TASK_COLUMNS}, ${INSTANCE_ROW_JSON('i')} AS instance_row,
                  (SELECT count(*)::int FROM workflow_task s WHERE s.parent_task_id = t.id AND s.status = 'open') AS open_signers
             FROM workflow_task t JOIN workflow_instance i ON i.id = t.instance_id WHERE t.id = $1`,
);

/** The inbox and every operation Chinese offices use on a task, each checked, recorded and audited. */
@Injectable()
export class TasksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly registry: WorkflowRegistry,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly holders: TaskHolders,
  ) {}

  /** Tasks I may act on: assigned to me, or open to my unit and role, or escalated to my unit. */
  async inbox(p: Principal): Promise<InboxItem[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT t.*, i.process_id, i.business_key, i.status AS instance_status
         FROM workflow_task t JOIN workflow_instance i ON i.id = t.instance_id
        WHERE t.status = 'open' AND i.status IN ('active', 'suspended')
          AND (t.assignee_id = $1
               OR (t.assignee_id IS NULL AND ($1 = ANY(t.candidate_user_ids)
                   OR ($2 = ANY(t.candidate_unit_ids) AND (cardinality(t.candidate_roles) = 0 OR t.candidate_roles && $3::text[]))))
               OR $2 = ANY(t.escalated_to_unit_ids))
        ORDER BY t.due_at ASC NULLS LAST, t.created_at ASC
        LIMIT 500`,
      [p.userId, p.unitId, p.roles],
    );
    const now = this.clock.now().getTime();
    return rows.map((r) => {
      const t = camelRow(r) as unknown as WorkflowTask & {
        processId: string;
        businessKey: string | null;
        instanceStatus: string;
      };
      return {
        id: t.id,
        instanceId: t.instanceId,
        processId: t.processId,
        businessKey: t.businessKey,
        elementId: t.elementId,
        name: t.name,
        formKey: t.formKey,
        kind: t.kind,
        assigneeId: t.assigneeId,
        claimable: t.assigneeId === null && this.isCandidate(p, t),
        createdAt: new Date(t.createdAt).toISOString(),
        dueAt: t.dueAt ? new Date(t.dueAt).toISOString() : null,
        timeLeftMs: t.dueAt ? new Date(t.dueAt).getTime() - now : null,
        overdue: t.overdueAt !== null || (t.dueAt !== null && new Date(t.dueAt).getTime() < now),
        escalated: t.escalatedToUnitIds.includes(p.unitId),
        suspended: t.instanceStatus === 'suspended',
        urgedCount: t.urgedCount,
        loopItem: t.loopItem,
      };
    });
  }

  private isCandidate(
    p: Principal,
    t: Pick<WorkflowTask, 'candidateUserIds' | 'candidateUnitIds' | 'candidateRoles'>,
  ): boolean {
    return isCandidate({ id: p.userId, unitId: p.unitId, roles: p.roles }, t);
  }

  /**
   * Whether the principal, with the unit and roles they have now, may act on the task: its holder or, while
   * nobody holds it, anyone of its group — and in both cases someone its group names today (a holder who was
   * moved or lost the role no longer may, even before the task has been given back).
   */
  private mayAct(p: Principal, t: WorkflowTask): boolean {
    return (t.assigneeId === p.userId || t.assigneeId === null) && this.isCandidate(p, t);
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
  private async loadVisible(
    p: Principal,
    id: string,
    m: EntityManager,
    withInstance: boolean,
  ): Promise<{ task: WorkflowTask; instance?: InstanceRow; openSigners?: number }> {
    const rows: Record<string, unknown>[] = await m.query(withInstance ? TASK_WITH_CASE_SQL : TASK_SQL, [id]);
    if (!rows[0]) throw new AppError('TASK_NOT_FOUND');
    const { instanceRow, openSigners, ...task } = camelRow(rows[0]) as unknown as WorkflowTask & {
      instanceRow?: InstanceRow;
      openSigners?: number;
    };
    const t = task as WorkflowTask;
    const visible =
      this.mayAct(p, t) ||
      this.isCandidate(p, t) ||
      t.escalatedToUnitIds.includes(p.unitId) ||
      t.completedBy === p.userId ||
      t.delegatedFromId === p.userId;
    if (!visible) throw new AppError('TASK_NOT_FOUND');
    return { task: t, instance: instanceRow, openSigners };
  }

  private async findActionable(
    p: Principal,
    id: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<WorkflowTask> {
    const t = await this.findVisible(p, id, m);
    if (t.status !== 'open') throw new AppError('TASK_NOT_OPEN');
    if (!this.mayAct(p, t)) throw new AppError('TASK_NOT_YOURS');
    return t;
  }

  async get(p: Principal, id: string) {
    const t = await this.findVisible(p, id);
    const history = await this.dataSource
      .getRepository(WorkflowHistory)
      .find({ where: { taskId: id }, order: { seq: 'ASC' } });
    return { ...t, history };
  }

  /** Takes a claimable task for oneself. Of two claims at once, one wins; the other gets 409. */
  async claim(actor: Actor, id: string): Promise<WorkflowTask> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const t = await this.findVisible(p, id, m);
      if (t.status !== 'open') throw new AppError('TASK_NOT_OPEN');
      if (t.assigneeId === p.userId) return t;
      if (t.assigneeId !== null) throw new AppError('TASK_ALREADY_CLAIMED');
      if (!this.isCandidate(p, t)) throw new AppError('TASK_NOT_YOURS');
      await this.holders.assertActorCurrent(m, p);
      const won = await this.guardedUpdate(
        m,
        t,
        { assignee_id: p.userId, claimed_at: this.clock.now() },
        'TASK_ALREADY_CLAIMED',
        false,
      );
      if (!won) {
        // Lost to a claim at the same moment: if that was the same person, the task is theirs all the same.
        const now = await this.dataSource.manager.findOneBy(WorkflowTask, { id });
        if (now?.status === 'open' && now.assigneeId === p.userId) return now;
        if (now?.status !== 'open') throw new AppError('TASK_NOT_OPEN');
        // Changed meanwhile but held by nobody (released, given back): try again.
        throw new AppError(now.assigneeId ? 'TASK_ALREADY_CLAIMED' : 'CONCURRENT_UPDATE');
      }
      await this.log(m, actor, t, 'task.claimed');
      return m.findOneByOrFail(WorkflowTask, { id });
    });
  }

  /**
   * The office of the task's level releases a task stuck with someone (away, left): it goes back to its group,
   * recorded. Anyone who may not see the task gets the same 404 as for a missing one.
   */
  async release(actor: Actor, id: string, comment?: string): Promise<WorkflowTask> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const t = await m.findOneBy(WorkflowTask, { id });
      if (!t || !(await this.holders.isLevelOffice(m, p, t))) throw new AppError('TASK_NOT_FOUND');
      if (t.status !== 'open') throw new AppError('TASK_NOT_OPEN');
      await this.holders.assertActorCurrent(m, p);
      if (t.kind === 'added-signer') {
        // An added signature the step waits for in vain (the signer is away): no longer awaited.
        await this.guardedUpdate(m, t, { status: 'cancelled', completed_at: this.clock.now() });
        await this.log(m, actor, t, 'task.signer-removed', { signer: t.assigneeId }, comment);
        return m.findOneByOrFail(WorkflowTask, { id });
      }
      await this.guardedUpdate(m, t, {
        assignee_id: null,
        claimed_at: null,
        delegated_from_id: null,
        delegated_until: null,
      });
      if (t.delegatedFromId) await this.holders.cancelDelegationEnd(m, t.id);
      await this.log(m, actor, t, 'task.released', { from: t.assigneeId }, comment);
      return m.findOneByOrFail(WorkflowTask, { id });
    });
  }

  /** Gives a claimed task back to its candidates. */
  async unclaim(actor: Actor, id: string): Promise<WorkflowTask> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const t = await this.findActionable(p, id, m);
      if (t.assigneeId !== p.userId || t.kind !== 'step') throw new AppError('TASK_NOT_YOURS');
      await this.guardedUpdate(m, t, {
        assignee_id: null,
        claimed_at: null,
        delegated_from_id: null,
        delegated_until: null,
      });
      await this.log(m, actor, t, 'task.unclaimed');
      return m.findOneByOrFail(WorkflowTask, { id });
    });
  }

  /**
   * Completes a task with a decision and form data (validated against the form key), or returns it with
   * every deficiency listed at once (退回, 一次告知). A countersign (会签) iteration also updates the tally the
   * flow's completion condition reads.
   */
  async complete(actor: Actor, id: string, input: CompleteInput): Promise<CompleteResult> {
    const p = actor.principal!;
    // The task and its case's row in one query: the step need not read the case again.
    const { task: t, instance, openSigners } = await this.loadVisible(p, id, this.dataSource.manager, true);
    if (t.status !== 'open') throw new AppError('TASK_NOT_OPEN');
    if (!this.mayAct(p, t)) throw new AppError('TASK_NOT_YOURS');
    // 加签: refused before any work while an added signer has not signed (the step's write checks it again).
    if (openSigners) throw new AppError('TASK_WAITING_FOR_SIGNERS', { open: openSigners });
    if (t.kind === 'added-signer') return this.completeAddedSigner(actor, t, input);
    const spec = t.formKey ? this.registry.form(t.formKey) : undefined;
    const decisions = spec?.decisions ?? ['complete'];
    const decision = input.decision ?? decisions[0];
    if (!decisions.includes(decision)) throw new AppError('DECISION_NOT_ALLOWED', { allowed: decisions });
    if (decision === 'return' && !(input.deficiencies && input.deficiencies.length))
      throw new AppError('DEFICIENCIES_REQUIRED');
    const form = this.validateForm(spec?.dto, input.form ?? {});
    let after: StepContext | undefined;
    await this.runtime.step(
      t.instanceId,
      actor,
      async (ctx) => {
        after = ctx;
        const api = ctx.live.waits.get(t.executionId);
        if (!api) throw new AppError('TASK_NOT_OPEN');
        const completion: TaskCompletion = {
          taskId: id,
          executionId: t.executionId,
          version: t.version,
          userId: p.userId,
          decision,
          form,
          comment: input.comment ?? null,
        };
        // A countersign tally counts this completion, so it is written first; otherwise with the step's state.
        if (api.content.isMultiInstance) await this.runtime.completeTaskNow(ctx, completion);
        else ctx.taskCompletion = completion;
        if (spec?.check) {
          await spec.check({
            manager: ctx.manager,
            instance: infoOf(ctx.instance),
            elementId: t.elementId,
            decision,
            form,
            actor,
          });
        }
        ctx.completedTaskIds.add(id);
        ctx.undoTaskId = id;
        const variables = ctx.live.variables();
        variables.decision = { [decision]: true, value: decision };
        variables.form = form;
        variables.comment = input.comment ?? null;
        const decisions = (variables.decisions ?? {}) as Record<string, string>;
        decisions[t.elementId] = decision;
        variables.decisions = decisions;
        if (decision === 'return') variables.deficiencies = input.deficiencies;
        if (api.content.isMultiInstance) await this.tally(ctx, t, api.owner.behaviour);
        ctx.history.push({
          action: decision === 'return' ? 'task.returned' : 'task.completed',
          taskId: id,
          elementId: t.elementId,
          comment: input.comment ?? null,
          data: { decision, ...(input.deficiencies ? { deficiencies: input.deficiencies } : {}) },
        });
        api.signal({ decision, form });
        ctx.live.waits.delete(t.executionId);
      },
      { preloaded: instance },
    );
    // What happens next: the case's status and its open tasks (so that a client need not search its inbox).
    const ctx = after!;
    const status = ctx.status ?? (ctx.live.ended ? 'completed' : ctx.instance.status);
    return { instanceId: t.instanceId, status, openTasks: ctx.openTasks };
  }

  /** 会签 tally: counts decisions of the element's iterations and decides by the element's rule. */
  private async tally(
    ctx: StepContext,
    task: WorkflowTask,
    behaviour: Record<string, unknown>,
  ): Promise<void> {
    // Iterations of one multi-instance activation share its execution id: <parent>_<index>.
    const prefix = task.executionId.replace(/_\d+$/, '_').replace(/[\\%_]/g, (c) => '\\' + c);
    const rows: { decision: string | null; status: string }[] = await ctx.manager.query(
      `SELECT decision, status FROM workflow_task WHERE instance_id = $1 AND kind = 'step' AND execution_id LIKE $2`,
      [task.instanceId, prefix + '%'],
    );
    const total = rows.length;
    const approve = rows.filter((r) => r.status === 'completed' && r.decision === 'approve').length;
    const reject = rows.filter((r) => r.status === 'completed' && r.decision !== 'approve').length;
    const rule = countersignRule(behaviour);
    const { decided, approved } = decideCountersign(rule, total, approve, reject);
    const variables = ctx.live.variables();
    const tallies = (variables.countersign ?? {}) as Record<string, unknown>;
    tallies[task.elementId] = { rule, total, approve, reject, decided, approved };
    variables.countersign = tallies;
  }

  private validateForm(
    dto: (new () => object) | undefined,
    form: Record<string, unknown>,
  ): Record<string, unknown> {
    if (!dto) {
      if (Object.keys(form).length) {
        throw new AppError(
          'VALIDATION_FAILED',
          Object.keys(form).map((field) => ({
            field: `form.${field}`,
            problems: [`此环节不收表单字段 ${field}。This step takes no form field ${field}.`],
          })),
        );
      }
      return {};
    }
    const instance = plainToInstance(dto, form);
    const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw new AppError('VALIDATION_FAILED', flattenValidationErrors(errors, 'form'));
    return JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
  }

  private async completeAddedSigner(actor: Actor, t: WorkflowTask, input: CompleteInput) {
    const decision = input.decision ?? 'approve';
    if (!['approve', 'reject'].includes(decision))
      throw new AppError('DECISION_NOT_ALLOWED', { allowed: ['approve', 'reject'] });
    await this.dataSource.transaction(async (m) => {
      await this.guardedUpdate(m, t, {
        status: 'completed',
        completed_at: this.clock.now(),
        completed_by: actor.principal!.userId,
        decision,
        comment: input.comment ?? null,
      });
      // The audit record carries a hash of the comment, as a step's does of its form and comment.
      const formHash = decisionHash({}, input.comment ?? null);
      await this.log(
        m,
        actor,
        t,
        'task.signed',
        { decision, parentTaskId: t.parentTaskId, formHash },
        input.comment,
      );
    });
    return { instanceId: t.instanceId, status: 'active', openTasks: [] };
  }

  /**
   * 转办: hands the task to someone who could hold it (a candidate of its group, as the organization is now). Its
   * holder may, and so may the office of its level for a task stuck with someone.
   */
  async reassign(actor: Actor, id: string, toUserId: string, comment?: string): Promise<WorkflowTask> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const t = await this.findActionableOrOffice(p, id, m);
      if (t.kind !== 'step') throw new AppError('TASK_NOT_YOURS');
      await this.holders.assertActorCurrent(m, p);
      await this.holders.assertMayReceive(m, t, [toUserId], 'toUserId');
      if (t.delegatedFromId) await this.holders.cancelDelegationEnd(m, t.id);
      await this.guardedUpdate(m, t, {
        assignee_id: toUserId,
        claimed_at: this.clock.now(),
        delegated_from_id: null,
        delegated_until: null,
      });
      await this.log(m, actor, t, 'task.reassigned', { from: t.assigneeId, to: toUserId }, comment);
      return m.findOneByOrFail(WorkflowTask, { id });
    });
  }

  /** 委托: lends the task to another user until a date; then it comes back by itself (a durable timer). */
  async delegate(
    actor: Actor,
    id: string,
    toUserId: string,
    until: Date,
    comment?: string,
  ): Promise<WorkflowTask> {
    const p = actor.principal!;
    if (until.getTime() <= this.clock.now().getTime()) {
      throw new AppError('VALIDATION_FAILED', [
        { field: 'until', problems: ['委托截止时间须晚于现在。The delegation must end in the future.'] },
      ]);
    }
    return this.dataSource.transaction(async (m) => {
      const t = await this.findActionable(p, id, m);
      if (t.kind !== 'step') throw new AppError('TASK_NOT_YOURS');
      await this.holders.assertActorCurrent(m, p);
      await this.holders.assertMayReceive(m, t, [toUserId], 'toUserId', p.userId);
      if (t.delegatedFromId) await this.holders.cancelDelegationEnd(m, t.id);
      await this.guardedUpdate(m, t, {
        assignee_id: toUserId,
        delegated_from_id: p.userId,
        delegated_until: until,
        claimed_at: this.clock.now(),
      });
      await this.runtime.scheduleTimer(m, {
        instanceId: t.instanceId,
        kind: 'delegation-end',
        elementId: t.elementId,
        executionId: t.executionId,
        taskId: t.id,
        fireAt: until,
      });
      await this.log(m, actor, t, 'task.delegated', { to: toUserId, until: until.toISOString() }, comment);
      return m.findOneByOrFail(WorkflowTask, { id });
    });
  }

  /**
   * 加签: asks more users, each someone who could hold the step, to sign; the step cannot be completed until they
   * all have. The step's row is updated first, so that a completion at the same moment waits and then fails.
   */
  async addSigners(actor: Actor, id: string, userIds: string[], comment?: string): Promise<WorkflowTask[]> {
    const p = actor.principal!;
    const ids = [...new Set(userIds)];
    return this.dataSource.transaction(async (m) => {
      const t = await this.findActionable(p, id, m);
      if (t.kind !== 'step') throw new AppError('TASK_NOT_YOURS');
      await this.holders.assertActorCurrent(m, p);
      await this.holders.assertMayReceive(m, t, ids, 'userIds', p.userId);
      await this.guardedUpdate(m, t, {});
      const created: WorkflowTask[] = [];
      for (const uid of ids) {
        const row = await m.save(
          m.create(WorkflowTask, {
            instanceId: t.instanceId,
            elementId: t.elementId,
            executionId: `${t.executionId}#signer-${uid}`,
            name: t.name,
            formKey: null,
            status: 'open',
            kind: 'added-signer',
            parentTaskId: t.id,
            // The step's candidates: a signer who leaves them no longer signs (see TaskHolders).
            candidateUnitIds: t.candidateUnitIds,
            candidateRoles: t.candidateRoles,
            candidateUserIds: t.candidateUserIds,
            escalatedToUnitIds: [],
            assigneeId: uid,
            createdAt: this.clock.now(),
            dueAt: t.dueAt,
          }),
        );
        created.push(row);
      }
      await this.log(m, actor, t, 'task.signers-added', { userIds }, comment);
      return created;
    });
  }

  /** 撤回: takes back one's own completion while the next step has not been acted on. */
  async withdraw(actor: Actor, id: string, comment?: string): Promise<WorkflowTask> {
    const p = actor.principal!;
    const t = await this.findVisible(p, id);
    // Only while its completer still belongs to the step's group (not after a move or the loss of the role).
    if (
      t.status !== 'completed' ||
      t.completedBy !== p.userId ||
      t.kind !== 'step' ||
      !this.isCandidate(p, t)
    )
      throw new AppError('WITHDRAW_NOT_POSSIBLE');
    const undo = await this.dataSource.getRepository(WorkflowUndo).findOneBy({ instanceId: t.instanceId });
    if (!undo || undo.taskId !== id) throw new AppError('WITHDRAW_NOT_POSSIBLE');
    const history: { action: string; data: { topic?: string } | null }[] = await this.dataSource.query(
      `SELECT action, data FROM workflow_history WHERE instance_id = $1 AND at >= $2 AND action IN ('service.completed', 'incident.opened', 'task.claimed', 'task.completed', 'task.returned', 'task.signed', 'instance.completed')`,
      [t.instanceId, undo.createdAt],
    );
    if (
      history.some((h) => h.action !== 'task.completed' && h.action !== 'task.returned') ||
      history.length > 1
    ) {
      throw new AppError('WITHDRAW_NOT_POSSIBLE');
    }
    await this.runtime.restoreAndStep(t.instanceId, actor, undo.version + 1, undo.state, async (ctx) => {
      const later = await ctx.manager.query(
        `SELECT count(*)::int AS n FROM workflow_task WHERE instance_id = $1 AND id <> $2 AND created_at >= $3 AND (claimed_at IS NOT NULL OR status = 'completed')`,
        [t.instanceId, id, undo.createdAt],
      );
      if (later[0].n > 0) throw new AppError('WITHDRAW_NOT_POSSIBLE');
      await ctx.manager.query(
        `UPDATE workflow_task SET assignee_id = $2, form_data = NULL, comment = NULL WHERE id = $1`,
        [id, p.userId],
      );
      await ctx.manager.delete(WorkflowUndo, { instanceId: t.instanceId });
      ctx.history.push({
        action: 'task.withdrawn',
        taskId: id,
        elementId: t.elementId,
        comment: comment ?? null,
      });
    });
    return this.dataSource.getRepository(WorkflowTask).findOneByOrFail({ id });
  }

  /**
   * 催办: reminds whoever holds the task; recorded and counted. The case's starter, the unit it was escalated to,
   * and overseers of the case's area may urge; to anyone else it answers like a missing task, open or not. The
   * answer says what was urged, not what the task's form holds.
   */
  async urge(actor: Actor, id: string, comment?: string): Promise<UrgedTask> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const rows: { started_by: string | null; in_area: boolean }[] = await m.query(
        `SELECT i.started_by, EXISTS (SELECT 1 FROM org_unit u WHERE u.id = i.owner_unit_id AND starts_with(u.path, $2)) AS in_area
           FROM workflow_task t JOIN workflow_instance i ON i.id = t.instance_id WHERE t.id = $1`,
        [id, p.scopePath],
      );
      const t = rows[0] ? await m.findOneBy(WorkflowTask, { id }) : null;
      if (!t) throw new AppError('TASK_NOT_FOUND');
      const allowed =
        rows[0].started_by === p.userId ||
        t.escalatedToUnitIds.includes(p.unitId) ||
        (p.permissions.has(Permission.WORKFLOW_OVERSEE) && rows[0].in_area);
      if (!allowed) throw new AppError('TASK_NOT_FOUND');
      if (t.status !== 'open') throw new AppError('TASK_NOT_OPEN');
      const now = this.clock.now();
      await m.query(
        'UPDATE workflow_task SET urged_count = urged_count + 1, last_urged_at = $2 WHERE id = $1',
        [id, now],
      );
      await this.log(m, actor, t, 'task.urged', null, comment);
      return {
        id: t.id,
        instanceId: t.instanceId,
        elementId: t.elementId,
        name: t.name,
        status: t.status,
        assigneeId: t.assigneeId,
        dueAt: t.dueAt ? new Date(t.dueAt).toISOString() : null,
        urgedCount: t.urgedCount + 1,
        lastUrgedAt: now.toISOString(),
      };
    });
  }

  /** The task for its holder or claimable candidate, or for the office of its level (stuck tasks). */
  private async findActionableOrOffice(p: Principal, id: string, m: EntityManager): Promise<WorkflowTask> {
    const t = await m.findOneBy(WorkflowTask, { id });
    if (!t) throw new AppError('TASK_NOT_FOUND');
    if (t.status === 'open' && t.kind === 'step' && !this.mayAct(p, t)) {
      if (await this.holders.isLevelOffice(m, p, t)) return t;
    }
    return this.findActionable(p, id, m);
  }

  /**
   * Updates a task only if nobody changed it since it was read (an empty `set` only takes the row for the
   * transaction); else 409 (default TASK_NOT_OPEN), or false when `raise` is false.
   */
  private async guardedUpdate(
    m: EntityManager,
    t: WorkflowTask,
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

  private log(
    m: EntityManager,
    actor: Actor,
    t: WorkflowTask,
    action: string,
    data?: Record<string, unknown> | null,
    comment?: string,
  ): Promise<void> {
    return this.holders.log(m, actor, t, action, data, comment);
  }
}

/**
 * 会签 rules: `all` — every member must approve (one rejection decides); `majority` — more than half approve
 * (half or more rejecting decides against); `any` — one approval suffices (all rejecting decides against).
 */
export function decideCountersign(
  rule: CountersignRule,
  total: number,
  approve: number,
  reject: number,
): { decided: boolean; approved: boolean } {
  if (rule === 'all') return { decided: reject > 0 || approve === total, approved: approve === total };
  if (rule === 'majority')
    return { decided: approve * 2 > total || reject * 2 >= total, approved: approve * 2 > total };
  return { decided: approve > 0 || reject === total, approved: approve > 0 };
}

function countersignRule(behaviour: Record<string, unknown>): CountersignRule {
  const ext = behaviour.extensionElements as
    { values?: { $type?: string; values?: { name?: string; value?: string }[] }[] } | undefined;
  for (const v of ext?.values ?? []) {
    for (const prop of v.values ?? []) {
      if (prop.name === 'countersignRule' && ['all', 'majority', 'any'].includes(prop.value ?? ''))
        return prop.value as CountersignRule;
    }
  }
  return 'all';
}
