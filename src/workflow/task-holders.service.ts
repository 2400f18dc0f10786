import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { OrgScope } from '../auth/org-scope.js';
import { Permission, type Role } from '../auth/permissions.js';
import type { Actor, Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { mayHold, type CandidateLists, type Person } from './candidates.js';
import { Clock } from '../common/clock.js';
import { INSTANCE_ROW_JSON, infoOf, type InstanceRow } from './runtime.service.js';
import { WorkflowHistory } from './workflow-history.entity.js';
import type { WorkflowTask } from './workflow-task.entity.js';
import { lookupsOnce, WorkflowRegistry, type Candidates } from './workflow.registry.js';

export { isCandidate, type CandidateLists, type Person } from './candidates.js';

/** Someone a task may be handed to, with the names a picker shows. */
export interface Receiver extends Person {
  username: string;
  displayName: string;
  unitName: string;
}

/** Why the organization changed, as recorded on the tasks it moves. */
export type OrganizationChange =
  'user-disabled' | 'user-enabled' | 'user-moved' | 'roles-changed' | 'organization-changed';

interface OpenTaskRow {
  id: string;
  instance_id: string;
  element_id: string;
  kind: 'step' | 'added-signer';
  parent_task_id: string | null;
  candidate_groups: string | null;
  loop_item: unknown;
  candidate_unit_ids: string[];
  candidate_roles: string[];
  candidate_user_ids: string[];
  assignee_id: string | null;
  delegated_from_id: string | null;
  instance: InstanceRow;
  variables: Record<string, unknown>;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Who may hold a task, decided by the organization as it is now (issue: authority follows the organization).
 * 委托, 转办 and 加签 hand a task only to someone who could hold it; when a user is moved, disabled or loses a
 * role, or a leading group's leader, office or members change, the open tasks concerned are re-resolved and
 * those whose holder can no longer hold them go back to their group, recorded.
 */
@Injectable()
export class TaskHolders {
  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly scope: OrgScope,
  ) {}

  /**
   * The people with these ids as they are now (missing ids are left out); with `lock`, their rows are kept
   * from changing (a move, a role, disabling) until the caller's transaction ends.
   */
  async people(m: EntityManager, ids: string[], lock = false): Promise<Map<string, Person>> {
    if (!ids.length) return new Map();
    const rows: { id: string; unit_id: string; roles: string[]; active: boolean }[] = await m.query(
      `SELECT id, unit_id, roles, active FROM app_user WHERE id = ANY($1::uuid[]) ORDER BY id${lock ? ' FOR SHARE' : ''}`,
      [ids],
    );
    return new Map(
      rows.map((r) => [r.id, { id: r.id, unitId: r.unit_id, roles: r.roles, active: r.active }]),
    );
  }

  /**
   * 委托, 转办, 加签: the people a task may be handed to must be active and able to hold it; anyone else (unknown,
   * disabled, of another unit or role) is refused alike, naming the field.
   */
  async assertMayReceive(
    m: EntityManager,
    t: CandidateLists,
    ids: string[],
    field: 'toUserId' | 'userIds',
    excluded: string[] = [],
  ): Promise<void> {
    const people = await this.people(m, ids, true);
    const bad = ids.filter((id) => excluded.includes(id) || !mayHold(people.get(id), t));
    if (!bad.length) return;
    throw new AppError('VALIDATION_FAILED', [
      {
        field,
        problems: [
          field === 'userIds'
            ? '加签人须为能够办理该事项的其他在用人员（该环节的候选单位和角色）。Added signers must be other active users who could hold this task (its candidate units and roles).'
            : '接收人须为能够办理该事项的其他在用人员（该环节的候选单位和角色）。The new holder must be another active user who could hold this task (its candidate units and roles).',
        ],
      },
    ]);
  }

  /**
   * The people a task may be handed to (转办, 委托, 加签) as the organization is now — by the rule
   * assertMayReceive checks (active and able to hold it), but those `excluded` — with their names and units.
   */
  async receivers(m: EntityManager, t: CandidateLists, excluded: string[] = []): Promise<Receiver[]> {
    const rows: {
      id: string;
      username: string;
      display_name: string;
      unit_id: string;
      unit_name: string;
      roles: string[];
      active: boolean;
    }[] = await m.query(
      `SELECT u.id, u.username, u.display_name, u.unit_id, o.name AS unit_name, u.roles, u.active
         FROM app_user u JOIN org_unit o ON o.id = u.unit_id
        WHERE u.active AND (u.id = ANY($1::uuid[]) OR u.unit_id = ANY($2::uuid[]))
        ORDER BY o.name, u.display_name, u.id`,
      [t.candidateUserIds, t.candidateUnitIds],
    );
    return rows
      .map((r) => ({
        id: r.id,
        username: r.username,
        displayName: r.display_name,
        unitId: r.unit_id,
        unitName: r.unit_name,
        roles: r.roles,
        active: r.active,
      }))
      .filter((r) => !excluded.includes(r.id) && mayHold(r, t));
  }

  /**
   * The actor's row as the session read it, kept from changing until the operation commits: a move, a role
   * lost or disabling that commits first makes the task answer as it would to anyone outside its group.
   */
  async assertActorCurrent(m: EntityManager, p: Principal): Promise<void> {
    const rows: unknown[] = await m.query(
      'SELECT 1 FROM app_user WHERE id = $1 AND active AND unit_id = $2 AND roles = $3::text[] FOR SHARE',
      [p.userId, p.unitId, p.roles],
    );
    if (!rows.length) throw new AppError('TASK_NOT_FOUND');
  }

  /** Cancels the pending end of a task's delegation (the delegation was ended some other way). */
  async cancelDelegationEnd(m: EntityManager, taskId: string): Promise<void> {
    await m.query(
      `UPDATE workflow_timer SET cancelled_at = $2 WHERE task_id = $1 AND kind = 'delegation-end' AND fired_at IS NULL AND cancelled_at IS NULL`,
      [taskId, this.clock.now()],
    );
  }

  /**
   * The office of the task's level (the units its overdue steps escalate to), or the office whose own step it is,
   * holding the oversee permission: it may release or hand over a task stuck with someone.
   */
  async isLevelOffice(m: EntityManager, p: Principal, t: WorkflowTask): Promise<boolean> {
    if (!p.permissions.has(Permission.WORKFLOW_OVERSEE)) return false;
    // The office whose own step it is, in the role the step asks for (a district office that is a member unit of
    // the city's group countersigns as a member, and is not the one to hand that step over).
    if (
      t.candidateUnitIds.includes(p.unitId) &&
      t.candidateRoles.length > 0 &&
      t.candidateRoles.some((r) => p.roles.includes(r as Role))
    )
      return true;
    const resolver = this.registry.escalationResolver();
    if (!resolver) return false;
    const rows: { row: InstanceRow; variables: Record<string, unknown> }[] = await m.query(
      `SELECT ${INSTANCE_ROW_JSON('i')} AS row, i.variables FROM workflow_instance i WHERE i.id = $1`,
      [t.instanceId],
    );
    if (!rows[0]) return false;
    const c: Candidates = await resolver({
      manager: m,
      instance: infoOf(rows[0].row),
      elementId: t.elementId,
      loopItem: t.loopItem,
      variables: rows[0].variables ?? {},
      once: lookupsOnce(),
      candidateGroups: t.candidateGroups,
    });
    return (c.unitIds ?? []).includes(p.unitId);
  }

  /**
   * Re-resolves the open tasks concerned by an organization change — those a user holds, delegated or is named
   * in (`userId`), or those of cases of a level (`levelPath`: owned under that city or district, not under a
   * district below it; with `namedUsersOnly`, those whose group names people, not units: a principal leader,
   * an applicant) — and returns to their group the tasks whose holder can no longer hold them. In the
   * caller's transaction; the tasks are locked in id order while they are moved.
   */
  async followOrganization(
    m: EntityManager,
    actor: Actor,
    concerned: { userId?: string; levelPath?: string; namedUsersOnly?: boolean },
    reason: OrganizationChange,
  ): Promise<number> {
    const rows: OpenTaskRow[] = await m.query(
      `SELECT t.id, t.instance_id, t.element_id, t.kind, t.parent_task_id, t.candidate_groups, t.loop_item,
              t.candidate_unit_ids, t.candidate_roles, t.candidate_user_ids, t.assignee_id, t.delegated_from_id,
              ${INSTANCE_ROW_JSON('i')} AS instance, i.variables
         FROM workflow_task t JOIN workflow_instance i ON i.id = t.instance_id
        WHERE t.status = 'open'
          AND (($1::uuid IS NOT NULL AND (t.assignee_id = $1 OR t.delegated_from_id = $1 OR $1 = ANY(t.candidate_user_ids)))
            OR ($2::text IS NOT NULL AND i.owner_unit_id IN (${this.scope.sqlUnitsOfLevel('$2')})
                AND ($3::boolean IS NOT TRUE OR cardinality(t.candidate_unit_ids) = 0))
            -- A step for the office of the case's community (district-office) whichever level owns the case:
            -- a city department's dispute over a community of the level.
            OR ($2::text IS NOT NULL AND $3::boolean IS NOT TRUE AND 'district-office' = ANY(string_to_array(replace(t.candidate_groups, ' ', ''), ','))
                AND EXISTS (SELECT 1 FROM org_unit c WHERE c.id::text = lower(i.variables->>'communityId')
                               AND ${this.scope.sqlInArea('c.path', '$2')})))
        ORDER BY t.id
        FOR UPDATE OF t`,
      [concerned.userId ?? null, concerned.levelPath ?? null, concerned.namedUsersOnly ?? false],
    );
    // Step tasks before their added signers (a signer's candidates are its step's).
    rows.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'step' ? -1 : 1));
    if (!rows.length) return 0;
    const lists = new Map<string, CandidateLists>();
    const once = lookupsOnce();
    const listsOf = async (r: OpenTaskRow): Promise<CandidateLists> => {
      const known = lists.get(r.id);
      if (known) return known;
      let next: CandidateLists = {
        candidateUnitIds: r.candidate_unit_ids,
        candidateRoles: r.candidate_roles,
        candidateUserIds: r.candidate_user_ids,
      };
      if (r.kind === 'step' && r.candidate_groups) {
        const c = await this.registry.resolveCandidates(r.candidate_groups, {
          manager: m,
          instance: infoOf(r.instance),
          elementId: r.element_id,
          loopItem: r.loop_item,
          variables: r.variables ?? {},
          // Cases of different owners: their lookups are keyed by owner (see WorkflowGroups).
          once,
        });
        next = { candidateUnitIds: c.unitIds, candidateRoles: c.roles, candidateUserIds: c.userIds };
      } else if (r.kind === 'added-signer' && r.parent_task_id) {
        const parent = rows.find((x) => x.id === r.parent_task_id);
        if (parent) next = await listsOf(parent);
        else {
          const p: {
            candidate_unit_ids: string[];
            candidate_roles: string[];
            candidate_user_ids: string[];
          }[] = await m.query(
            'SELECT candidate_unit_ids, candidate_roles, candidate_user_ids FROM workflow_task WHERE id = $1',
            [r.parent_task_id],
          );
          if (p[0])
            next = {
              candidateUnitIds: p[0].candidate_unit_ids,
              candidateRoles: p[0].candidate_roles,
              candidateUserIds: p[0].candidate_user_ids,
            };
        }
      }
      lists.set(r.id, next);
      return next;
    };
    const people = await this.people(m, [
      ...new Set(rows.flatMap((r) => [r.assignee_id, r.delegated_from_id]).filter((x): x is string => !!x)),
    ]);
    const holds = (id: string | null, l: CandidateLists) => mayHold(id ? people.get(id) : undefined, l);
    const now = this.clock.now();
    let moved = 0;
    for (const r of rows) {
      const l = await listsOf(r);
      const holderStays = r.assignee_id === null || holds(r.assignee_id, l);
      const delegatorStays = r.delegated_from_id === null || holds(r.delegated_from_id, l);
      const listsChanged =
        !sameSet(l.candidateUnitIds, r.candidate_unit_ids) ||
        !sameSet(l.candidateRoles, r.candidate_roles) ||
        !sameSet(l.candidateUserIds, r.candidate_user_ids);
      if (holderStays && delegatorStays && !listsChanged) continue;
      if (r.kind === 'added-signer' && !holderStays) {
        // An added signer who can no longer sign: the signature is no longer awaited.
        await m.query(
          `UPDATE workflow_task SET status = 'cancelled', completed_at = $2, version = version + 1 WHERE id = $1`,
          [r.id, now],
        );
        await this.record(m, actor, r, 'task.signer-removed', { signer: r.assignee_id, reason });
        moved++;
        continue;
      }
      let assignee = r.assignee_id;
      let delegatedFrom = r.delegated_from_id;
      if (!holderStays) {
        // Back to the one who delegated it if they still may hold it; else to the group.
        assignee = r.delegated_from_id && holds(r.delegated_from_id, l) ? r.delegated_from_id : null;
        delegatedFrom = null;
      } else if (!delegatorStays) {
        delegatedFrom = null; // The delegate keeps it: the delegator can no longer take it back.
      }
      if (delegatedFrom === null && r.delegated_from_id !== null) await this.cancelDelegationEnd(m, r.id);
      await m.query(
        `UPDATE workflow_task SET candidate_unit_ids = $2, candidate_roles = $3, candidate_user_ids = $4,
                assignee_id = $5, delegated_from_id = $6,
                delegated_until = CASE WHEN $6::uuid IS NULL THEN NULL ELSE delegated_until END,
                claimed_at = CASE WHEN $5::uuid IS NULL THEN NULL ELSE claimed_at END, version = version + 1
          WHERE id = $1`,
        [r.id, l.candidateUnitIds, l.candidateRoles, l.candidateUserIds, assignee, delegatedFrom],
      );
      if (assignee !== r.assignee_id) {
        await this.record(m, actor, r, 'task.returned-to-group', {
          from: r.assignee_id,
          to: assignee,
          reason,
        });
        moved++;
      } else if (delegatedFrom !== r.delegated_from_id) {
        await this.record(m, actor, r, 'task.delegation-ended', { back: null, reason });
      }
    }
    return moved;
  }

  /** A task operation's entry in its case's history and its audit record, in the caller's transaction. */
  async log(
    m: EntityManager,
    actor: Actor,
    t: Pick<WorkflowTask, 'id' | 'instanceId' | 'elementId'>,
    action: string,
    data?: Record<string, unknown> | null,
    comment?: string,
  ): Promise<void> {
    await m.insert(WorkflowHistory, {
      instanceId: t.instanceId,
      taskId: t.id,
      elementId: t.elementId,
      action,
      actorId: actor.principal?.userId ?? null,
      actorUsername: actor.principal?.username ?? null,
      at: this.clock.now(),
      comment: comment ?? null,
      data: (data ?? null) as never,
    });
    await this.audit.record(m, actor, {
      action: `workflow.${action}`,
      entityType: 'workflow_task',
      entityId: t.id,
      data: data ?? null,
    });
  }

  private record(
    m: EntityManager,
    actor: Actor,
    r: OpenTaskRow,
    action: string,
    data: Record<string, unknown>,
  ) {
    return this.log(m, actor, { id: r.id, instanceId: r.instance_id, elementId: r.element_id }, action, data);
  }
}
