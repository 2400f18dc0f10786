/**
 * The rows dispatch_delivery answers and what the department (DeliveryDto) and the committee (ReceivedWorkDto)
 * read of them: one mapping of a piece's coverage, state and dispute, shared by both.
 */
import { SEED_002, type CoverageReason } from './coverage.js';
import type { DeliveryState, DispatchDetails } from './dispatch.entities.js';
import type { DeliveryDto, PieceFieldsDto, ReceivedWorkDto } from './dto/dispatch-responses.dto.js';

/** Seed 002 §4: work clearly outside the committee's duties may be refused (a covered piece refused in words). */
export const OUTSIDE_DUTIES_RULE = `${SEED_002}第4条：对明显不属于社区职责范围的工作，社区有权拒绝`;

/** The states in which the committee still has the work to do. */
export const OPEN_STATES: DeliveryState[] = ['received', 'accepted'];

/** A dispatch_delivery row (`v.*`). */
export interface DeliveryRow {
  id: string;
  dispatch_id: string;
  community_id: string;
  community_name: string;
  covered: boolean;
  reason_code: string;
  reasons: CoverageReason[];
  state: DeliveryState;
  accepted_at: Date | null;
  done_at: Date | null;
  hours_spent: string | null;
  refused_at: Date | null;
  refusal_reason_code: string | null;
  refusal_note: string | null;
  withdrawn_at: Date | null;
  withdraw_note: string | null;
  dispute_state: string | null;
  dispute_instance_id: string | null;
  dispute_argument: string | null;
  dispute_basis: string | null;
  dispute_ruled_by: string | null;
  dispute_ruling: string | null;
}

/** A piece with its dispatch, as the committee's inbox reads it (RECEIVED_SELECT). */
export interface ReceivedRow extends DeliveryRow {
  kind: string;
  title: string;
  content: string;
  details: DispatchDetails;
  due: string;
  expected_hours: string;
  department_name: string;
  admitted_item_id: string | null;
  admission_number: string | null;
  sent_at: Date;
  department_id: string;
}

/** The committee's pieces with their dispatch, department and item; callers add `WHERE …` on `v`. */
export const RECEIVED_SELECT = `
  SELECT v.*, to_char(v.due_date, 'YYYY-MM-DD') AS due, d.kind, d.title, d.content, d.details, d.expected_hours,
         d.admitted_item_id, i.admission_number, u.name AS department_name, c.name AS community_name
    FROM dispatch_delivery v
    JOIN dispatch d ON d.id = v.dispatch_id
    JOIN org_unit u ON u.id = v.department_id
    JOIN org_unit c ON c.id = v.community_id
    LEFT JOIN admitted_item i ON i.id = d.admitted_item_id`;

/** The rule a refusal cites: the coverage reason's own, or seed 002 §4 for a reason the coverage did not give. */
export function refusalRule(code: string | null, reasons: CoverageReason[]): string | null {
  if (!code) return null;
  return reasons.find((r) => r.code === code)?.rule ?? OUTSIDE_DUTIES_RULE;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** What both sides read of a piece: its coverage, state, refusal and dispute. */
function pieceFields(r: DeliveryRow): PieceFieldsDto {
  return {
    id: r.id,
    covered: r.covered,
    reasonCode: r.reason_code,
    rule: r.reasons[0]?.rule ?? '',
    reasons: r.reasons,
    state: r.state,
    acceptedAt: iso(r.accepted_at),
    doneAt: iso(r.done_at),
    hoursSpent: r.hours_spent === null ? null : Number(r.hours_spent),
    refusedAt: iso(r.refused_at),
    refusalReasonCode: r.refusal_reason_code,
    refusalRule: refusalRule(r.refusal_reason_code, r.reasons),
    refusalNote: r.refusal_note,
    withdrawnAt: iso(r.withdrawn_at),
    disputeState: r.dispute_state,
    disputeInstanceId: r.dispute_instance_id,
    disputeArgument: r.dispute_argument,
    disputeBasis: r.dispute_basis,
    disputeRuledBy: r.dispute_ruled_by,
    disputeRuling: r.dispute_ruling,
  };
}

export function toDelivery(r: DeliveryRow): DeliveryDto {
  return { ...pieceFields(r), communityId: r.community_id, communityName: r.community_name };
}

/** The time a piece has left (counted by the service with the holiday calendar; null once it is closed). */
export type TimeLeft = Pick<ReceivedWorkDto, 'workingDaysLeft' | 'todayCounted' | 'dueState'>;
const CLOSED: TimeLeft = { workingDaysLeft: null, todayCounted: null, dueState: null };

export function toReceivedWork(r: ReceivedRow, left: TimeLeft = CLOSED): ReceivedWorkDto {
  return {
    ...pieceFields(r),
    dispatchId: r.dispatch_id,
    kind: r.kind,
    title: r.title,
    content: r.content,
    details: r.details,
    dueDate: r.due,
    expectedHours: Number(r.expected_hours),
    departmentId: r.department_id,
    departmentName: r.department_name,
    admittedItemId: r.admitted_item_id,
    admissionNumber: r.admission_number,
    sentAt: new Date(r.sent_at).toISOString(),
    withdrawNote: r.withdraw_note,
    ...left,
  };
}
