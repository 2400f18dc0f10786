import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlInArea } from '../auth/org-scope.js';
import { Permission } from '../auth/permissions.js';
import type { Principal } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { pageRequest, toPage, type Page } from '../common/pagination.js';
import { camelRow } from '../common/sql.js';
import { mayAct } from '../workflow/task-access.js';
import type { WorkflowTask } from '../workflow/workflow-task.entity.js';
import type { CoverageReason } from './coverage.js';
import type { DispatchDetails } from './dispatch.entities.js';
import { OUTSIDE_DUTIES_RULE, refusalRule } from './dispatch-rows.js';
import type { DisputeDetailDto, DisputeDto, DisputeListQuery } from './dto/dispute-responses.dto.js';

/**
 * Who sees a contested refusal: the street office, the district office and the city office whose area holds the
 * community (they mediate and rule), the department that sent the work, the committee of the community.
 * $1 the caller's unit, $2 whether they oversee disputes, $3 their area.
 */
const VISIBLE = `v.dispute_instance_id IS NOT NULL
  AND (($2::boolean AND ${sqlInArea('c.path', '$3::text')}) OR v.department_id = $1::uuid OR v.community_id = $1::uuid)`;

const FROM = `FROM dispatch_delivery v
    JOIN dispatch d ON d.id = v.dispatch_id
    JOIN org_unit u ON u.id = v.department_id
    JOIN org_unit c ON c.id = v.community_id`;

const COLUMNS = `v.id, v.dispatch_id, d.title, d.kind, v.department_id, u.name AS department_name,
       v.community_id, c.name AS community_name, c.code AS community_code,
       v.refusal_reason_code, v.refusal_note, v.refused_at, v.reasons,
       v.dispute_argument, v.dispute_basis, v.disputed_at, v.dispute_state, v.dispute_instance_id,
       v.dispute_ruled_by, v.dispute_ruled_at, v.dispute_ruling,
       (SELECT i.variables->>'streetDeadline' FROM workflow_instance i WHERE i.id = v.dispute_instance_id) AS street_deadline`;

const STATE_WHERE: Record<string, string> = {
  open: `v.dispute_state IN ('street', 'office')`,
  ruled: `v.dispute_state IN ('upheld', 'overturned')`,
  all: 'TRUE',
};

interface DisputeRow {
  id: string;
  dispatch_id: string;
  title: string;
  kind: string;
  department_id: string;
  department_name: string;
  community_id: string;
  community_name: string;
  community_code: string;
  refusal_reason_code: string | null;
  refusal_note: string | null;
  refused_at: Date | null;
  reasons: CoverageReason[];
  dispute_argument: string | null;
  dispute_basis: string | null;
  disputed_at: Date | null;
  dispute_state: string | null;
  dispute_instance_id: string;
  dispute_ruled_by: string | null;
  dispute_ruled_at: Date | null;
  dispute_ruling: string | null;
  street_deadline: string | null;
}

interface DetailRow extends DisputeRow {
  content: string;
  details: DispatchDetails;
  due: string;
  expected_hours: string;
  sent_at: Date;
  admission_number: string | null;
  state: string;
  covered: boolean;
  reason_code: string;
}

type OpenTask = Pick<
  WorkflowTask,
  | 'id'
  | 'instanceId'
  | 'assigneeId'
  | 'candidateUnitIds'
  | 'candidateRoles'
  | 'candidateUserIds'
  | 'escalatedToUnitIds'
>;

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * The dispute pages' reads (拒绝争议, issue 14 §6): the contested refusals a caller may see, each with the work,
 * the committee's refusal, the department's argument and basis, where the case stands and — when the caller can
 * act on it — the open step of its case. The dispute itself runs in DisputeService.
 */
@Injectable()
export class DisputeReads {
  constructor(private readonly dataSource: DataSource) {}

  /** A page of the contested refusals the caller may see, newest contest first. */
  async list(p: Principal, q: DisputeListQuery): Promise<Page<DisputeDto>> {
    const page = pageRequest(q);
    const where = `${VISIBLE} AND ${STATE_WHERE[q.state ?? 'all']}`;
    const params = this.viewer(p);
    const [count, rows] = await Promise.all([
      this.dataSource.query(`SELECT count(*) AS n ${FROM} WHERE ${where}`, params) as Promise<
        { n: string }[]
      >,
      this.dataSource.query(
        `SELECT ${COLUMNS} ${FROM} WHERE ${where}
          ORDER BY v.disputed_at DESC, v.id DESC
          LIMIT ${page.pageSize} OFFSET ${page.offset}`,
        params,
      ) as Promise<DisputeRow[]>,
    ]);
    const tasks = await this.openTasks(
      p,
      rows.map((r) => r.dispute_instance_id),
    );
    return toPage(
      rows.map((r) => toDispute(r, tasks.get(r.dispute_instance_id) ?? null)),
      Number(count[0].n),
      page,
    );
  }

  /** One contested refusal with the work's content and due date and that community's coverage; else 404. */
  async get(p: Principal, deliveryId: string): Promise<DisputeDetailDto> {
    const rows: DetailRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS}, d.content, d.details, to_char(v.due_date, 'YYYY-MM-DD') AS due, d.expected_hours,
              v.sent_at, ai.admission_number, v.state, v.covered, v.reason_code
         ${FROM} LEFT JOIN admitted_item ai ON ai.id = d.admitted_item_id
        WHERE ${VISIBLE} AND v.id = $4::uuid`,
      [...this.viewer(p), deliveryId],
    );
    const r = rows[0];
    if (!r) throw new AppError('DISPUTE_NOT_FOUND');
    const tasks = await this.openTasks(p, [r.dispute_instance_id]);
    return {
      ...toDispute(r, tasks.get(r.dispute_instance_id) ?? null),
      content: r.content,
      details: r.details,
      dueDate: r.due,
      expectedHours: Number(r.expected_hours),
      sentAt: iso(r.sent_at)!,
      admissionNumber: r.admission_number,
      state: r.state,
      covered: r.covered,
      reasonCode: r.reason_code,
      reasons: r.reasons,
    };
  }

  /** The visibility parameters: the caller's unit, whether they mediate or rule disputes, their area. */
  private viewer(p: Principal): unknown[] {
    const oversees =
      p.permissions.has(Permission.DISPUTE_RULE_STREET) || p.permissions.has(Permission.DISPUTE_RULE_OFFICE);
    return [p.unitId, oversees, p.scopePath];
  }

  /**
   * For each case, the open step the caller would find in their task inbox — one they may act on (task-access's
   * rule) or one escalated to their unit — of a case still live; the oldest first.
   */
  private async openTasks(p: Principal, instanceIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!instanceIds.length) return out;
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT t.id, t.instance_id, t.assignee_id, t.candidate_unit_ids, t.candidate_roles, t.candidate_user_ids,
              t.escalated_to_unit_ids
         FROM workflow_task t JOIN workflow_instance i ON i.id = t.instance_id
        WHERE t.instance_id = ANY($1::uuid[]) AND t.status = 'open' AND t.kind = 'step'
          AND i.status IN ('active', 'suspended')
        ORDER BY t.created_at, t.id`,
      [instanceIds],
    );
    for (const row of rows) {
      const t = camelRow(row) as unknown as OpenTask;
      if (out.has(t.instanceId)) continue;
      if (mayAct(p, t) || t.escalatedToUnitIds.includes(p.unitId)) out.set(t.instanceId, t.id);
    }
    return out;
  }
}

function toDispute(r: DisputeRow, openTaskId: string | null): DisputeDto {
  return {
    deliveryId: r.id,
    dispatchId: r.dispatch_id,
    title: r.title,
    kind: r.kind,
    department: { id: r.department_id, name: r.department_name },
    community: { id: r.community_id, name: r.community_name, code: r.community_code },
    refusal: {
      reasonCode: r.refusal_reason_code ?? 'outside-duties',
      rule: refusalRule(r.refusal_reason_code, r.reasons) ?? OUTSIDE_DUTIES_RULE,
      note: r.refusal_note,
      refusedAt: iso(r.refused_at)!,
    },
    contest: {
      argument: r.dispute_argument ?? '',
      basis: r.dispute_basis ?? '',
      disputedAt: iso(r.disputed_at)!,
    },
    disputeState: r.dispute_state,
    streetDeadline: iso(r.street_deadline),
    ruling:
      r.dispute_ruled_by && r.dispute_ruled_at
        ? { by: r.dispute_ruled_by, at: iso(r.dispute_ruled_at)!, text: r.dispute_ruling }
        : null,
    instanceId: r.dispute_instance_id,
    openTaskId,
  };
}
