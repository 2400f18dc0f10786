import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { OrgScope } from '../auth/org-scope.js';
import { Permission } from '../auth/permissions.js';
import { Clock } from '../common/clock.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { DefinitionsService } from './definitions.service.js';
import { WorkflowRuntime } from './runtime.service.js';
import { nameActors, type NamedHistory } from './history-names.js';
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

/** A uuid written out (a case variable is text: only such a text is compared as an id). */
const UUID_TEXT = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
/**
 * The cases as the console and the office see them: who may see which (`sqlCaseVisible`), a case with its open
 * steps, history and diagram, and the open incidents. The office's hand on a case (suspend, resume, terminate,
 * retry) is instance-control.service.ts.
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
  async findVisible(
    p: Principal,
    id: string,
    purpose: 'read' | 'control' = 'read',
  ): Promise<WorkflowInstance> {
    const i = await this.dataSource.getRepository(WorkflowInstance).findOneBy({ id });
    if (!i) throw new AppError('INSTANCE_NOT_FOUND');
    if (p.permissions.has(Permission.WORKFLOW_ADMIN) || i.startedBy === p.userId) return i;
    if ((await this.visibleAmong(p, [id], purpose)).has(id)) return i;
    throw new AppError('INSTANCE_NOT_FOUND');
  }

  /**
   * Which of these cases the principal may see, by the rule of findVisible, for a page of cases at once. For
   * `control` (the office's hand on a case: suspend, terminate …) the offices over the case's community do not
   * count: they see a dispute from the start, and act on it only through its steps.
   */
  async visibleAmong(
    p: Principal,
    ids: string[],
    purpose: 'read' | 'control' = 'read',
  ): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const { params, ref } = positional(p, 1);
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT i.id FROM workflow_instance i WHERE i.id = ANY($1::uuid[]) AND ${this.sqlCaseVisible('i', ref, purpose)}`,
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
   * named through `ref` (user, unit, roles, scope, oversee, admin). Involved: holds, delegated or completed one of
   * its tasks, or is named on one in person (a principal leader's signature), or is of a unit and role one names, or of the unit its overdue steps went to (a removed signer
   * or a holder who lost the role is not); or of the community a case about one community names (its variable
   * `communityId`, as the street-office group reads it): the committee is a party to a dispute over its refusal;
   * and overseers of the area of that community (the district office that will rule a dispute sees it from the start,
   * as its list of disputes does).
   */
  private sqlCaseVisible(
    i: string,
    ref: (name: keyof CaseViewer) => string,
    purpose: 'read' | 'control' = 'read',
  ): string {
    const community = `${i}.variables->>'communityId'`;
    const overCommunity =
      purpose === 'control'
        ? ''
        : `OR (${ref('oversee')}::boolean AND ${community} ~* '${UUID_TEXT}'
          AND EXISTS (SELECT 1 FROM org_unit cu WHERE cu.id = (CASE WHEN ${community} ~* '${UUID_TEXT}' THEN (${community})::uuid END)
                        AND ${this.scope.sqlInArea('cu.path', `${ref('scope')}::text`)}))`;
    return `(${ref('admin')}::boolean OR ${i}.started_by = ${ref('user')}::uuid
      OR lower(${community}) = ${ref('unit')}::uuid::text
      OR (${ref('oversee')}::boolean AND EXISTS (SELECT 1 FROM org_unit ou WHERE ou.id = ${i}.owner_unit_id
                                                   AND ${this.scope.sqlInArea('ou.path', `${ref('scope')}::text`)}))
      ${overCommunity}
      OR EXISTS (SELECT 1 FROM workflow_task wt WHERE wt.instance_id = ${i}.id
          AND (((wt.assignee_id = ${ref('user')}::uuid OR wt.delegated_from_id = ${ref('user')}::uuid
                 OR ${ref('user')}::uuid = ANY(wt.candidate_user_ids)) AND wt.status <> 'cancelled')
               OR wt.completed_by = ${ref('user')}::uuid
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
  async history(p: Principal, id: string, q: PageQuery = {}): Promise<Page<NamedHistory>> {
    await this.findVisible(p, id);
    const page = pageRequest(q);
    const [rows, total] = await this.dataSource.getRepository(WorkflowHistory).findAndCount({
      where: { instanceId: id },
      order: { seq: 'ASC' },
      skip: page.offset,
      take: page.pageSize,
    });
    return toPage(await nameActors(this.dataSource.manager, rows), total, page);
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
}
