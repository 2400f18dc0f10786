import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { OrgScope } from '../auth/org-scope.js';
import type { Actor, Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { WorkflowRuntime } from './runtime.service.js';
import { claimDecision, mayUrge, mayWithdraw } from './task-access.js';
import { TaskHolders, type Receiver } from './task-holders.service.js';
import { TaskInbox } from './task-inbox.service.js';
import { assertCaseActive, updateTaskIfUnchanged } from './task-rows.js';
import { WorkflowTask } from './workflow-task.entity.js';
import { WorkflowUndo } from './workflow-undo.entity.js';

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

/** The ways of handing a task to someone else: 转办, 委托, 加签. */
export const HAND_OVERS = ['reassign', 'delegate', 'signers'] as const;
export type HandOver = (typeof HAND_OVERS)[number];

/** Someone a task may be handed to (GET /tasks/:id/hand-over-candidates). */
export type HandOverCandidate = Pick<Receiver, 'id' | 'username' | 'displayName' | 'unitId' | 'unitName'>;

/**
 * Who may not receive a hand-over though of the task's group: the one asking (委托, 加签: someone else; 转办:
 * claiming is the way to take it oneself) and, for 转办, its holder (it would stay where it is).
 */
function excludedFrom(how: HandOver, p: Principal, t: WorkflowTask): string[] {
  return how === 'reassign' && t.assigneeId ? [p.userId, t.assigneeId] : [p.userId];
}

/**
 * Handing a task over and back, each checked, recorded and audited: 认领 (claim) and giving back, the level
 * office's release of a stuck task, 转办 (reassign), 委托 (delegate until a date), 加签 (added signers),
 * 撤回 (withdraw one's completion) and 催办 (urge).
 */
@Injectable()
export class TaskHandover {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly clock: Clock,
    private readonly holders: TaskHolders,
    private readonly inbox: TaskInbox,
    private readonly scope: OrgScope,
  ) {}

  /** Takes a claimable task for oneself. Of two claims at once, one wins; the other gets 409. */
  async claim(actor: Actor, id: string): Promise<WorkflowTask> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const t = await this.inbox.findVisible(p, id, m);
      const decision = claimDecision(p, t);
      if (decision === 'mine') return t;
      if (decision !== 'claim') throw new AppError(decision);
      await this.holders.assertActorCurrent(m, p);
      const won = await updateTaskIfUnchanged(
        m,
        t,
        { assignee_id: p.userId, claimed_at: this.clock.now() },
        'TASK_ALREADY_CLAIMED',
        false,
      );
      if (!won) {
        // Lost to a claim at the same moment: if that was the same person, the task is theirs all the same.
        // (Read in this transaction, on its connection: a new statement sees what the winner committed.)
        const now = await m.findOneBy(WorkflowTask, { id });
        if (now?.status === 'open' && now.assigneeId === p.userId) return now;
        if (now?.status !== 'open') throw new AppError('TASK_NOT_OPEN');
        // Changed meanwhile but held by nobody (released, given back): try again.
        throw new AppError(now.assigneeId ? 'TASK_ALREADY_CLAIMED' : 'CONCURRENT_UPDATE');
      }
      // After the task's row, as a step takes them: nothing is claimed on a suspended or finished case.
      await assertCaseActive(m, t);
      await this.holders.log(m, actor, t, 'task.claimed');
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
        await updateTaskIfUnchanged(m, t, { status: 'cancelled', completed_at: this.clock.now() });
        await this.holders.log(m, actor, t, 'task.signer-removed', { signer: t.assigneeId }, comment);
        return m.findOneByOrFail(WorkflowTask, { id });
      }
      await updateTaskIfUnchanged(m, t, {
        assignee_id: null,
        claimed_at: null,
        delegated_from_id: null,
        delegated_until: null,
      });
      if (t.delegatedFromId) await this.holders.cancelDelegationEnd(m, t.id);
      await this.holders.log(m, actor, t, 'task.released', { from: t.assigneeId }, comment);
      return m.findOneByOrFail(WorkflowTask, { id });
    });
  }

  /** Gives a claimed task back to its candidates. */
  async unclaim(actor: Actor, id: string): Promise<WorkflowTask> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const t = await this.inbox.findActionable(p, id, m);
      if (t.assigneeId !== p.userId || t.kind !== 'step') throw new AppError('TASK_NOT_YOURS');
      await updateTaskIfUnchanged(m, t, {
        assignee_id: null,
        claimed_at: null,
        delegated_from_id: null,
        delegated_until: null,
      });
      await assertCaseActive(m, t);
      await this.holders.log(m, actor, t, 'task.unclaimed');
      return m.findOneByOrFail(WorkflowTask, { id });
    });
  }

  /**
   * 转办: hands the task to someone who could hold it (a candidate of its group, as the organization is now). Its
   * holder may, and so may the office of its level for a task stuck with someone.
   */
  async reassign(actor: Actor, id: string, toUserId: string, comment?: string): Promise<WorkflowTask> {
    const p = actor.principal!;
    return this.dataSource.transaction(async (m) => {
      const t = await this.handing(p, id, 'reassign', m);
      await this.holders.assertActorCurrent(m, p);
      await this.holders.assertMayReceive(m, t, [toUserId], 'toUserId', excludedFrom('reassign', p, t));
      if (t.delegatedFromId) await this.holders.cancelDelegationEnd(m, t.id);
      await updateTaskIfUnchanged(m, t, {
        assignee_id: toUserId,
        claimed_at: this.clock.now(),
        delegated_from_id: null,
        delegated_until: null,
      });
      await assertCaseActive(m, t);
      await this.holders.log(m, actor, t, 'task.reassigned', { from: t.assigneeId, to: toUserId }, comment);
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
      const t = await this.handing(p, id, 'delegate', m);
      await this.holders.assertActorCurrent(m, p);
      await this.holders.assertMayReceive(m, t, [toUserId], 'toUserId', excludedFrom('delegate', p, t));
      if (t.delegatedFromId) await this.holders.cancelDelegationEnd(m, t.id);
      await updateTaskIfUnchanged(m, t, {
        assignee_id: toUserId,
        delegated_from_id: p.userId,
        delegated_until: until,
        claimed_at: this.clock.now(),
      });
      // No delegation (nor its timer) while the case's time limits are paused (挂起).
      await assertCaseActive(m, t);
      await this.runtime.scheduleTimer(m, {
        instanceId: t.instanceId,
        kind: 'delegation-end',
        elementId: t.elementId,
        executionId: t.executionId,
        taskId: t.id,
        fireAt: until,
      });
      await this.holders.log(
        m,
        actor,
        t,
        'task.delegated',
        { to: toUserId, until: until.toISOString() },
        comment,
      );
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
      const t = await this.handing(p, id, 'signers', m);
      await this.holders.assertActorCurrent(m, p);
      await this.holders.assertMayReceive(m, t, ids, 'userIds', excludedFrom('signers', p, t));
      await updateTaskIfUnchanged(m, t, {});
      await assertCaseActive(m, t);
      // Read under the step's row (taken just above): a signer added at the same moment is seen, or waits.
      const asked = await this.openSigners(m, t.id);
      const again = ids.filter((uid) => asked.includes(uid));
      if (again.length) {
        throw new AppError('VALIDATION_FAILED', [
          {
            field: 'userIds',
            problems: [
              '所选人员中已有人在加签中、尚未签署，请勿重复加签，改选其他人员。Some of these users were already asked to sign and have not signed yet: choose others.',
            ],
          },
        ]);
      }
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
      await this.holders.log(m, actor, t, 'task.signers-added', { userIds }, comment);
      return created;
    });
  }

  /**
   * Who the principal may hand the task to this way, as the organization is now: the same checks as the
   * hand-over itself (who may hand it over, who may receive it), a page at a time with the total.
   */
  async candidates(
    actor: Actor,
    id: string,
    how: HandOver,
    q: PageQuery = {},
  ): Promise<Page<HandOverCandidate>> {
    const p = actor.principal!;
    const req = pageRequest(q);
    const m = this.dataSource.manager;
    const t = await this.handing(p, id, how, m);
    // Refused as the hand-over itself would be: an actor moved or without the role, a case not active.
    await this.holders.assertActorCurrent(m, p);
    await assertCaseActive(m, t, false);
    // 加签: whoever was asked already and has not signed is not asked twice.
    const excluded = [
      ...excludedFrom(how, p, t),
      ...(how === 'signers' ? await this.openSigners(m, t.id) : []),
    ];
    const all = await this.holders.receivers(m, t, excluded);
    return toPage(all.slice(req.offset, req.offset + req.pageSize), all.length, req);
  }

  /** The users asked to sign the step (加签) who have not signed yet. */
  private async openSigners(m: EntityManager, stepId: string): Promise<string[]> {
    const rows: { assignee_id: string }[] = await m.query(
      `SELECT assignee_id FROM workflow_task WHERE parent_task_id = $1 AND kind = 'added-signer' AND status = 'open'`,
      [stepId],
    );
    return rows.map((r) => r.assignee_id);
  }

  /** The task the principal hands over this way: its holder (转办 also the office of its level), a step only. */
  private async handing(p: Principal, id: string, how: HandOver, m: EntityManager): Promise<WorkflowTask> {
    const t =
      how === 'reassign'
        ? await this.inbox.findActionableOrOffice(p, id, m)
        : await this.inbox.findActionable(p, id, m);
    if (t.kind !== 'step') throw new AppError('TASK_NOT_YOURS');
    return t;
  }

  /** 撤回: takes back one's own completion while the next step has not been acted on. */
  async withdraw(actor: Actor, id: string, comment?: string): Promise<WorkflowTask> {
    const p = actor.principal!;
    const t = await this.inbox.findVisible(p, id);
    if (!mayWithdraw(p, t)) throw new AppError('WITHDRAW_NOT_POSSIBLE');
    const undo = await this.inbox.withdrawal(t);
    if (!undo) throw new AppError('WITHDRAW_NOT_POSSIBLE');
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
      const rows: { started_by: string | null; owner_unit_id: string | null }[] = await m.query(
        `SELECT i.started_by, i.owner_unit_id
           FROM workflow_task t JOIN workflow_instance i ON i.id = t.instance_id WHERE t.id = $1`,
        [id],
      );
      const t = rows[0] ? await m.findOneBy(WorkflowTask, { id }) : null;
      if (!t) throw new AppError('TASK_NOT_FOUND');
      const owner = rows[0].owner_unit_id;
      const allowed = await mayUrge(p, t, { startedBy: rows[0].started_by }, async () =>
        owner ? this.scope.unitInArea(m, owner, p.scopePath) : false,
      );
      if (!allowed) throw new AppError('TASK_NOT_FOUND');
      if (t.status !== 'open') throw new AppError('TASK_NOT_OPEN');
      const now = this.clock.now();
      await m.query(
        'UPDATE workflow_task SET urged_count = urged_count + 1, last_urged_at = $2 WHERE id = $1',
        [id, now],
      );
      await this.holders.log(m, actor, t, 'task.urged', null, comment);
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
}
