import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { OrgScope } from '../auth/org-scope.js';
import { Permission } from '../auth/permissions.js';
import { Clock } from '../common/clock.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { DefinitionsService } from './definitions.service.js';
import { infoOf, WorkflowRuntime } from './runtime.service.js';
import { WorkflowHistory } from './workflow-history.entity.js';
import { WorkflowIncident } from './workflow-incident.entity.js';
import { WorkflowInstance } from './workflow-instance.entity.js';
import { WorkflowTask } from './workflow-task.entity.js';
import { WorkflowRegistry, type CaseSubject } from './workflow.registry.js';
import { describeSubjects } from './task-about.js';
import type { StartInstanceDto } from './dto/workflow.dto.js';

export type ActivityState = 'completed' | 'active' | 'overdue';

/** What decides which cases a principal may see (the values of `sqlCaseVisible`). */
interface CaseViewer {
  user: string;
  unit: string;
  roles: string[];
  /** null: sees no area (the condition's part is then false). */
  scope: string | null;
  oversee: boolean;
  admin: boolean;
}

function caseViewer(p: Principal): CaseViewer {
  return {
    user: p.userId,
    unit: p.unitId,
    roles: [...p.roles],
    scope: p.scopePath ?? null,
    oversee: p.permissions.has(Permission.WORKFLOW_OVERSEE),
    admin: p.permissions.has(Permission.WORKFLOW_ADMIN),
  };
}

/** The viewer's values as positional parameters from `$first + 1` on, and how the condition names them. */
function positional(
  p: Principal,
  first: number,
): { params: unknown[]; ref: (name: keyof CaseViewer) => string } {
  const v = caseViewer(p);
  const names = Object.keys(v) as (keyof CaseViewer)[];
  return { params: names.map((n) => v[n]), ref: (n) => `$${first + 1 + names.indexOf(n)}` };
}

/** Reading cases (timeline, diagram) and the office's hand on them: suspend, resume, terminate, retry. */
/**
 * A case with what its page shows: the version and name of its definition, what it is about, the variables
 * its process declares public (never the engine's own), and its tasks with their holders' names.
 */
export interface InstanceWithTasks {
  instance: WorkflowInstance;
  definitionVersion: number;
  processName: string | null;
  subject: CaseSubject | null;
  variables: Record<string, unknown>;
  tasks: (WorkflowTask & { assigneeName: string | null })[];
}

/** An open step of a case (not an added signature), with who holds it (nobody: its group may claim it). */
export interface OpenStep {
  taskId: string;
  elementId: string;
  name: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
}

/** The variables a process declares public, those that are set; nothing else of the case's variables. */
export function publicVariables(
  variables: Record<string, unknown> | null,
  declared: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of declared)
    if (variables && Object.prototype.hasOwnProperty.call(variables, name) && variables[name] !== undefined)
      out[name] = variables[name];
  return out;
}

/**
 * The cases as the console and the office see them: who may see which (`sqlCaseVisible`), a case with its open
 * steps, history and diagram, and the office's operations on it (suspend, resume, terminate, incidents and retry).
 * A little over 400 lines: the operations share the one visibility rule and the runtime's step wrapper, and a case
 * reader that split them would have to find the rule in another file.
 */
@Injectable()
export class InstancesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: WorkflowRuntime,
    private readonly definitions: DefinitionsService,
    private readonly clock: Clock,
    private readonly registry: WorkflowRegistry,
    private readonly scope: OrgScope,
  ) {}

  /**
   * The system administrator starts a case: only of a process registered as administratively startable, so
   * that no domain flow (admission, exit, emergency, negative list) starts with made-up variables (三员分立).
   */
  async startByAdmin(actor: Actor, dto: StartInstanceDto) {
    if (!this.registry.administrativelyStartable(dto.processId)) {
      await this.definitions.latest(dto.processId); // a process that does not exist answers PROCESS_NOT_FOUND
      throw new AppError('PROCESS_NOT_STARTABLE', { processId: dto.processId });
    }
    const started = await this.runtime.start(actor, dto);
    return this.get(actor.principal!, started.id);
  }

  /**
   * A case the principal may see: its starter, anyone who has or had a task in it, overseers of its unit's
   * area, workflow admins, the committee of the community the case is about. Anyone else gets the same 404 as for a missing case.
   */
  async findVisible(p: Principal, id: string): Promise<WorkflowInstance> {
    const i = await this.dataSource.getRepository(WorkflowInstance).findOneBy({ id });
    if (!i) throw new AppError('INSTANCE_NOT_FOUND');
    if (p.permissions.has(Permission.WORKFLOW_ADMIN) || i.startedBy === p.userId) return i;
    if ((await this.visibleAmong(p, [id])).has(id)) return i;
    throw new AppError('INSTANCE_NOT_FOUND');
  }

  /** Which of these cases the principal may see, by the rule of findVisible, for a page of cases at once. */
  async visibleAmong(p: Principal, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const { params, ref } = positional(p, 1);
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT i.id FROM workflow_instance i WHERE i.id = ANY($1::uuid[]) AND ${this.sqlCaseVisible('i', ref)}`,
      [ids, ...params],
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The open steps of each of these cases that the principal may see (findVisible's rule), oldest first, with
   * their holders' names — what a list of cases shows as "where is it now", one query for a page of cases.
   */
  async openStepsOf(p: Principal, instanceIds: string[]): Promise<Map<string, OpenStep[]>> {
    const visible = [...(await this.visibleAmong(p, [...new Set(instanceIds)]))];
    const out = new Map<string, OpenStep[]>();
    if (!visible.length) return out;
    const rows: {
      id: string;
      instance_id: string;
      element_id: string;
      name: string | null;
      assignee_id: string | null;
      assignee_name: string | null;
    }[] = await this.dataSource.query(
      `SELECT t.id, t.instance_id, t.element_id, t.name, t.assignee_id, u.display_name AS assignee_name
         FROM workflow_task t LEFT JOIN app_user u ON u.id = t.assignee_id
        WHERE t.instance_id = ANY($1::uuid[]) AND t.status = 'open' AND t.kind = 'step'
        ORDER BY t.created_at, t.id`,
      [visible],
    );
    for (const id of visible) out.set(id, []);
    for (const r of rows)
      out.get(r.instance_id)!.push({
        taskId: r.id,
        elementId: r.element_id,
        name: r.name,
        assigneeId: r.assignee_id,
        assigneeName: r.assignee_name,
      });
    return out;
  }

  /**
   * A SQL condition: the case aliased `i` is one the principal may see (the rule of `findVisible`), its values
   * named through `ref` (user, unit, roles, scope, oversee, admin). Involved: holds or completed one of its tasks,
   * or is of a unit and role one of its tasks names, or of the unit its overdue steps went to (a removed signer
   * or a holder who lost the role is not); or of the community a case about one community names (its variable
   * `communityId`, as the street-office group reads it): the committee is a party to a dispute over its refusal.
   */
  private sqlCaseVisible(i: string, ref: (name: keyof CaseViewer) => string): string {
    return `(${ref('admin')}::boolean OR ${i}.started_by = ${ref('user')}::uuid
      OR ${i}.variables->>'communityId' = ${ref('unit')}::uuid::text
      OR (${ref('oversee')}::boolean AND EXISTS (SELECT 1 FROM org_unit ou WHERE ou.id = ${i}.owner_unit_id
                                                   AND ${this.scope.sqlInArea('ou.path', `${ref('scope')}::text`)}))
      OR EXISTS (SELECT 1 FROM workflow_task wt WHERE wt.instance_id = ${i}.id
          AND ((wt.assignee_id = ${ref('user')}::uuid AND wt.status <> 'cancelled') OR wt.completed_by = ${ref('user')}::uuid
               OR (${ref('unit')}::uuid = ANY(wt.candidate_unit_ids)
                   AND (cardinality(wt.candidate_roles) = 0 OR wt.candidate_roles && ${ref('roles')}::text[]))
               OR ${ref('unit')}::uuid = ANY(wt.escalated_to_unit_ids))))`;
  }

  /**
   * A case the principal may see, with its definition's version and name, its subject, its public variables
   * and every task, oldest first, with its holder's name.
   */
  async get(p: Principal, id: string): Promise<InstanceWithTasks> {
    const instance = await this.findVisible(p, id);
    const def = await this.definitions.get(instance.definitionId);
    const [tasks, subjectOf] = await Promise.all([
      this.dataSource
        .getRepository(WorkflowTask)
        .find({ where: { instanceId: id }, order: { createdAt: 'ASC' } }),
      describeSubjects(this.registry, this.dataSource.manager, [instance]),
    ]);
    const holders = [...new Set(tasks.map((t) => t.assigneeId).filter((x): x is string => x !== null))];
    const names: { id: string; display_name: string }[] = holders.length
      ? await this.dataSource.query('SELECT id, display_name FROM app_user WHERE id = ANY($1::uuid[])', [
          holders,
        ])
      : [];
    const nameOf = new Map(names.map((n) => [n.id, n.display_name]));
    return {
      instance,
      definitionVersion: def.version,
      processName: def.name,
      subject: subjectOf(instance.processId, instance.businessKey),
      variables: publicVariables(instance.variables, this.registry.publicVariablesOf(instance.processId)),
      tasks: tasks.map((t) =>
        Object.assign(t, { assigneeName: t.assigneeId ? (nameOf.get(t.assigneeId) ?? null) : null }),
      ),
    };
  }

  /** The timeline: who did what, when, at which step, with which comment. */
  async history(p: Principal, id: string, q: PageQuery = {}): Promise<Page<WorkflowHistory>> {
    await this.findVisible(p, id);
    const page = pageRequest(q);
    const [rows, total] = await this.dataSource.getRepository(WorkflowHistory).findAndCount({
      where: { instanceId: id },
      order: { seq: 'ASC' },
      skip: page.offset,
      take: page.pageSize,
    });
    return toPage(rows, total, page);
  }

  /** The BPMN XML of the case's version and the state of each activity, for a bpmn-js viewer. */
  async diagram(
    p: Principal,
    id: string,
  ): Promise<{ xml: string; activities: Record<string, ActivityState> }> {
    const i = await this.findVisible(p, id);
    const def = await this.definitions.get(i.definitionId);
    const activities: Record<string, ActivityState> = {};
    const done: { element_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT element_id FROM workflow_history WHERE instance_id = $1 AND action = 'element.completed' AND element_id IS NOT NULL`,
      [id],
    );
    for (const d of done) activities[d.element_id] = 'completed';
    const open: { element_id: string; overdue: boolean }[] = await this.dataSource.query(
      `SELECT element_id, bool_or(overdue_at IS NOT NULL OR due_at < $2) AS overdue FROM workflow_task WHERE instance_id = $1 AND status = 'open' GROUP BY element_id`,
      [id, this.clock.now()],
    );
    for (const o of open) activities[o.element_id] = o.overdue ? 'overdue' : 'active';
    const timers: { element_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT element_id FROM workflow_timer WHERE instance_id = $1 AND kind = 'bpmn' AND fired_at IS NULL AND cancelled_at IS NULL`,
      [id],
    );
    for (const t of timers) activities[t.element_id] ??= 'active';
    return { xml: def.xml, activities };
  }

  private async oversee(p: Principal, id: string): Promise<WorkflowInstance> {
    const i = await this.findVisible(p, id);
    if (!p.permissions.has(Permission.WORKFLOW_OVERSEE) && !p.permissions.has(Permission.WORKFLOW_ADMIN))
      throw new AppError('FORBIDDEN', { required: [Permission.WORKFLOW_OVERSEE] });
    return i;
  }

  /** 挂起: the case stops; its steps' time limits pause until it resumes. */
  async suspend(actor: Actor, id: string, comment?: string) {
    await this.oversee(actor.principal!, id);
    await this.runtime.step(id, actor, async (ctx) => {
      ctx.status = 'suspended';
      await ctx.manager.query('UPDATE workflow_instance SET suspended_at = $2 WHERE id = $1', [id, ctx.now]);
      await ctx.manager.query(
        `UPDATE workflow_timer SET cancelled_at = $2 WHERE instance_id = $1 AND kind = 'task-limit' AND fired_at IS NULL AND cancelled_at IS NULL`,
        [id, ctx.now],
      );
      ctx.history.push({ action: 'instance.suspended', comment: comment ?? null });
    });
    return this.get(actor.principal!, id);
  }

  /** 恢复: the case goes on; time limits are extended by the time it was suspended, and timers due meanwhile fire. */
  async resume(actor: Actor, id: string, comment?: string) {
    const i = await this.oversee(actor.principal!, id);
    if (i.status !== 'suspended') throw new AppError('INSTANCE_NOT_ACTIVE', { status: i.status });
    await this.runtime.step(
      id,
      actor,
      async (ctx) => {
        ctx.status = 'active';
        const pausedMs = ctx.now.getTime() - (i.suspendedAt ?? ctx.now).getTime();
        await ctx.manager.query('UPDATE workflow_instance SET suspended_at = NULL WHERE id = $1', [id]);
        const open: {
          id: string;
          element_id: string;
          execution_id: string;
          due_at: Date | null;
          overdue_at: Date | null;
        }[] = await ctx.manager.query(
          `SELECT id, element_id, execution_id, due_at, overdue_at FROM workflow_task WHERE instance_id = $1 AND status = 'open' AND kind = 'step'`,
          [id],
        );
        for (const t of open) {
          if (!t.due_at || t.overdue_at) continue;
          const due = new Date(new Date(t.due_at).getTime() + pausedMs);
          await ctx.manager.query('UPDATE workflow_task SET due_at = $2 WHERE id = $1', [t.id, due]);
          await this.runtime.scheduleTimer(ctx.manager, {
            instanceId: id,
            kind: 'task-limit',
            elementId: t.element_id,
            executionId: t.execution_id,
            taskId: t.id,
            fireAt: due,
          });
        }
        // BPMN timers that came due while suspended fire now (their jobs found the case suspended).
        const due: { id: string; element_id: string; execution_id: string }[] = await ctx.manager.query(
          `SELECT id, element_id, execution_id FROM workflow_timer WHERE instance_id = $1 AND kind = 'bpmn' AND fired_at IS NULL AND cancelled_at IS NULL AND fire_at <= $2`,
          [id, ctx.now],
        );
        for (const t of due) {
          await ctx.manager.query('UPDATE workflow_timer SET cancelled_at = $2 WHERE id = $1', [
            t.id,
            ctx.now,
          ]);
          await this.runtime.scheduleTimer(ctx.manager, {
            instanceId: id,
            kind: 'bpmn',
            elementId: t.element_id,
            executionId: t.execution_id,
            taskId: null,
            fireAt: ctx.now,
          });
        }
        ctx.history.push({ action: 'instance.resumed', comment: comment ?? null, data: { pausedMs } });
      },
      { allowInactive: true },
    );
    return this.get(actor.principal!, id);
  }

  /**
   * 终止: the office ends the case; open tasks are cancelled and timers stop, and the domain ends its object
   * in the same transaction (the handler its process registered, e.g. the application becomes terminated).
   */
  async terminate(actor: Actor, id: string, comment?: string) {
    await this.oversee(actor.principal!, id);
    await this.runtime.step(
      id,
      actor,
      async (ctx) => {
        if (ctx.instance.status === 'completed' || ctx.instance.status === 'terminated')
          throw new AppError('INSTANCE_NOT_ACTIVE', { status: ctx.instance.status });
        // The domain first: it may refuse (e.g. an admitted item whose case times its end).
        const onTerminated = this.registry.termination(ctx.instance.processId);
        if (onTerminated)
          await onTerminated({
            manager: ctx.manager,
            instance: infoOf(ctx.instance),
            reason: comment ?? null,
            actor,
            now: ctx.now,
          });
        ctx.status = 'terminated';
        ctx.live.stop();
        // The case ends with what it still had to record (a service task whose handler failed, an incident):
        // the call is not run after the domain ended its object, and its incident closes with the case.
        const dropped = ctx.live.pendingServices.splice(0).map((s) => s.elementId);
        if (dropped.length)
          await ctx.manager.query(
            `UPDATE workflow_incident SET resolved_at = $3
              WHERE instance_id = $1 AND element_id = ANY($2::varchar[]) AND timer_id IS NULL AND resolved_at IS NULL`,
            [id, dropped, ctx.now],
          );
        ctx.history.push({
          action: 'instance.terminated',
          comment: comment ?? null,
          ...(dropped.length ? { data: { discardedSteps: dropped } } : {}),
        });
      },
      { allowInactive: true },
    );
    return this.get(actor.principal!, id);
  }

  /** Open incidents of the cases the principal may see, newest first; paged and counted by the database. */
  async incidents(p: Principal, q: PageQuery = {}): Promise<Page<WorkflowIncident>> {
    const page = pageRequest(q);
    const viewer = caseViewer(p);
    const [rows, total] = await this.dataSource
      .getRepository(WorkflowIncident)
      .createQueryBuilder('inc')
      .innerJoin(WorkflowInstance, 'i', 'i.id = inc.instance_id')
      .where('inc.resolved_at IS NULL')
      .andWhere(
        this.sqlCaseVisible('i', (name) => `:v_${name}`),
        Object.fromEntries(Object.entries(viewer).map(([k, v]) => [`v_${k}`, v])),
      )
      .orderBy('inc.created_at', 'DESC')
      .addOrderBy('inc.id', 'ASC')
      .offset(page.offset)
      .limit(page.pageSize)
      .getManyAndCount();
    return toPage(rows, total, page);
  }

  /** Runs a failed service task, or fires a failed timer, again; answers whether it worked this time. */
  async retry(actor: Actor, incidentId: string): Promise<{ resolved: boolean; message?: string }> {
    const incident = await this.dataSource.getRepository(WorkflowIncident).findOneBy({ id: incidentId });
    if (!incident || incident.resolvedAt) throw new AppError('INCIDENT_NOT_FOUND');
    await this.oversee(actor.principal!, incident.instanceId);
    if (incident.timerId) return this.retryTimer(actor, { ...incident, timerId: incident.timerId });
    this.runtime.forget(incident.instanceId);
    await this.runtime.step(incident.instanceId, actor, async (ctx) => {
      ctx.history.push({ action: 'incident.retried', elementId: incident.elementId, data: { incidentId } });
    });
    const after = await this.dataSource.getRepository(WorkflowIncident).findOneByOrFail({ id: incidentId });
    return { resolved: after.resolvedAt !== null, message: after.resolvedAt ? undefined : after.message };
  }

  /** A timer's incident is resolved once its timer has fired (or was cancelled meanwhile); who retried is recorded. */
  private async retryTimer(
    actor: Actor,
    incident: WorkflowIncident & { timerId: string },
  ): Promise<{ resolved: boolean; message?: string }> {
    const { id: incidentId, timerId } = incident;
    try {
      await this.runtime.fireTimer(timerId);
    } catch (e) {
      await this.runtime.timerFailed(timerId, e);
    }
    await this.dataSource.query(
      `UPDATE workflow_incident SET resolved_at = $2 WHERE id = $1 AND resolved_at IS NULL
          AND EXISTS (SELECT 1 FROM workflow_timer t WHERE t.id = $3 AND (t.fired_at IS NOT NULL OR t.cancelled_at IS NOT NULL))`,
      [incidentId, this.clock.now(), timerId],
    );
    const after = await this.dataSource.getRepository(WorkflowIncident).findOneByOrFail({ id: incidentId });
    await this.dataSource.getRepository(WorkflowHistory).insert({
      instanceId: incident.instanceId,
      elementId: incident.elementId,
      action: 'incident.retried',
      actorId: actor.principal?.userId ?? null,
      actorUsername: actor.principal?.username ?? null,
      at: this.clock.now(),
      data: { incidentId, timerId, resolved: after.resolvedAt !== null },
    });
    return { resolved: after.resolvedAt !== null, message: after.resolvedAt ? undefined : after.message };
  }
}
