import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { CoverageReason } from './coverage.js';

/** The kinds of work a department sends (派单), with what each kind carries in `details`. */
export const DISPATCH_KINDS = [
  'task', // 工作任务
  'meeting', // 会议 {time, place}
  'report', // 报表台账 {fields[]}
  'survey', // 调查统计
  'inspection', // 检查考评
  'stamp', // 盖章证明 {certificateName}
  'app-registration', // 政务App/工作群 {scoresOnlineTime?}
  'plaque', // 挂牌
] as const;
export type DispatchKind = (typeof DISPATCH_KINDS)[number];

/** What each kind carries beyond title and content. */
export interface DispatchDetails {
  meetingTime?: string;
  meetingPlace?: string;
  reportFields?: string[];
  certificateName?: string;
  scoresOnlineTime?: boolean;
  targetPopulation?: string;
}

/** A piece of work a department sends to one or more communities (派单); each community gets a delivery. */
@Entity('dispatch')
@Index('ix_dispatch_department_sent', ['departmentId', 'sentAt'])
@Index('ux_dispatch_idempotency', ['departmentId', 'idempotencyKey'], {
  unique: true,
  where: '"idempotency_key" IS NOT NULL',
})
@Check(
  'ck_dispatch_kind',
  `"kind" IN ('task', 'meeting', 'report', 'survey', 'inspection', 'stamp', 'app-registration', 'plaque')`,
)
export class Dispatch {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) departmentId: string;
  @Column({ type: 'uuid' }) sentBy: string;
  @Column({ type: 'varchar', length: 20 }) kind: DispatchKind;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'text' }) content: string;
  @Column({ type: 'jsonb', default: () => "'{}'" }) details: DispatchDetails;
  /** The report fields it asks for (数据一次采集: compared with what the community already reports). */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) reportFields: string[];
  @Column({ type: 'date' }) dueDate: string;
  @Column({ type: 'numeric', precision: 7, scale: 1 }) expectedHours: string;
  /** The admitted item it relies on; null: sent without one (then uncovered). */
  @Column({ type: 'uuid', nullable: true }) admittedItemId: string | null;
  /** The units the department named (communities, streets, a district), as sent. */
  @Column({ type: 'uuid', array: true }) targetUnitIds: string[];
  @Column({ type: 'varchar', length: 100, nullable: true }) idempotencyKey: string | null;
  @Column({ type: 'timestamptz' }) sentAt: Date;
}

/** received → accepted → done; received/accepted → refused; anything not done → withdrawn (by the department). */
export type DeliveryState = 'received' | 'accepted' | 'done' | 'refused' | 'withdrawn';

/** One community's copy of a dispatch: its coverage as computed at send time, and what the committee did. */
@Entity('dispatch_delivery')
@Index('ux_dispatch_delivery', ['dispatchId', 'communityId'], { unique: true })
@Index('ix_dispatch_delivery_inbox', ['communityId', 'state', 'dueDate'])
@Index('ix_dispatch_delivery_department', ['departmentId', 'sentAt'])
/** The contested pieces, newest contest first (GET /disputes). */
@Index('ix_dispatch_delivery_disputes', ['disputedAt', 'id'], { where: '"dispute_instance_id" IS NOT NULL' })
/** (community_id, sent_at) INCLUDE (the counted columns): migration 1797200600000 (TypeORM cannot say INCLUDE). */
@Index('ix_dispatch_delivery_counts', { synchronize: false })
@Check('ck_dispatch_delivery_state', `"state" IN ('received', 'accepted', 'done', 'refused', 'withdrawn')`)
@Check('ck_dispatch_delivery_hours', `"hours_spent" IS NULL OR "hours_spent" >= 0`)
@Check(
  'ck_dispatch_delivery_dispute',
  `"dispute_state" IS NULL OR "dispute_state" IN ('street', 'office', 'upheld', 'overturned')`,
)
export class DispatchDelivery {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) dispatchId: string;
  @Column({ type: 'uuid' }) communityId: string;
  /** Copied from the dispatch for the inbox order and the counts. */
  @Column({ type: 'uuid' }) departmentId: string;
  @Column({ type: 'date' }) dueDate: string;
  @Column({ type: 'timestamptz' }) sentAt: Date;
  @Column({ type: 'boolean' }) covered: boolean;
  /** The headline reason (the first of `reasons` by priority): `covered` when covered. */
  @Column({ type: 'varchar', length: 32 }) reasonCode: string;
  /** Every reason that applies, headline first, each with the rule it comes from. */
  @Column({ type: 'jsonb' }) reasons: CoverageReason[];
  @Column({ type: 'varchar', length: 12, default: 'received' }) state: DeliveryState;
  @Column({ type: 'timestamptz', nullable: true }) acceptedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) doneAt: Date | null;
  @Column({ type: 'numeric', precision: 7, scale: 1, nullable: true }) hoursSpent: string | null;
  @Column({ type: 'timestamptz', nullable: true }) refusedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) refusedBy: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) refusalReasonCode: string | null;
  @Column({ type: 'text', nullable: true }) refusalNote: string | null;
  @Column({ type: 'timestamptz', nullable: true }) withdrawnAt: Date | null;
  @Column({ type: 'text', nullable: true }) withdrawNote: string | null;
  /**
   * A contested refusal (拒绝争议, workflows/refusal-dispute.bpmn): with the street office, with the district office,
   * or ruled — upheld (the work is closed) or overturned (the work stands, with its legal basis).
   */
  @Column({ type: 'varchar', length: 12, nullable: true }) disputeState: DisputeState | null;
  @Column({ type: 'uuid', nullable: true }) disputeInstanceId: string | null;
  @Column({ type: 'text', nullable: true }) disputeArgument: string | null;
  @Column({ type: 'text', nullable: true }) disputeBasis: string | null;
  @Column({ type: 'timestamptz', nullable: true }) disputedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) disputeRuledAt: Date | null;
  /** Who ruled: the street office (settled in mediation) or the district office. */
  @Column({ type: 'varchar', length: 8, nullable: true }) disputeRuledBy: 'street' | 'office' | null;
  /** The ruling's reason; for an overturn, the legal basis on which the work stands. */
  @Column({ type: 'text', nullable: true }) disputeRuling: string | null;
}

export type DisputeState = 'street' | 'office' | 'upheld' | 'overturned';
