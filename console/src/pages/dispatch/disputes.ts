import { lastDayOf } from '../../format';
import type { CoverageReason } from './names';

/** A contested refusal (拒绝争议) as `GET /disputes` answers it. */
export interface DisputeRow {
  deliveryId: string;
  dispatchId: string;
  title: string;
  kind: string;
  department: { id: string; name: string };
  community: { id: string; name: string; code: string };
  refusal: { reasonCode: string; rule: string; note: string | null; refusedAt: string };
  contest: { argument: string; basis: string; disputedAt: string };
  disputeState: string | null;
  streetDeadline: string | null;
  ruling: { by: string; at: string; text: string | null } | null;
  instanceId: string;
  openTaskId: string | null;
}

/** One contested refusal with the work itself (`GET /disputes/:deliveryId`). */
export interface DisputeDetail extends DisputeRow {
  content: string;
  details: { meetingTime?: string; meetingPlace?: string; reportFields?: string[]; certificateName?: string };
  dueDate: string;
  expectedHours: number;
  sentAt: string;
  admissionNumber: string | null;
  state: string;
  covered: boolean;
  reasonCode: string;
  reasons: CoverageReason[];
}

/** Where a dispute stands, in a street clerk's words. */
export const DISPUTE_STAGE_NAMES: Record<string, string> = {
  street: '待协调（街道办事处）',
  office: '待裁定（区领导小组办公室）',
  upheld: '已裁定',
  overturned: '已裁定',
};

/** The ruling's outcome. */
export const DISPUTE_OUTCOME_NAMES: Record<string, string> = {
  upheld: '拒绝成立，工作关闭',
  overturned: '拒绝不成立，工作继续',
};

export const RULED_BY_NAMES: Record<string, string> = {
  street: '街道办事处协调',
  office: '区领导小组办公室裁定',
};

/** The street office's last day to mediate (the deadline is 24:00 China time of that day). */
export const streetLastDay = (d: Pick<DisputeRow, 'streetDeadline'>) => lastDayOf(d.streetDeadline);

/** Whether the street office's time ran out while the dispute is still with it. */
export function streetOverdue(
  d: Pick<DisputeRow, 'streetDeadline' | 'disputeState'>,
  now = Date.now(),
): boolean {
  return d.disputeState === 'street' && !!d.streetDeadline && new Date(d.streetDeadline).getTime() <= now;
}
