import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { Finding } from './admission-application.entity.js';

/** An admitted item (准入事项), numbered per leading group and year, e.g. 〔2026〕第3号, and public. */
@Entity('admitted_item')
@Index('ux_admitted_item_number', ['leadingGroupId', 'numberYear', 'numberSeq'], { unique: true })
@Index('ux_admitted_item_application', ['applicationId'], { unique: true })
@Check('ck_admitted_item_notice', `"notice_working_days" IS NULL OR "notice_working_days" BETWEEN 1 AND 30`)
export class AdmittedItem {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** The application admitted; null for an emergency admission (突发事件), which has none. */
  @Column({ type: 'uuid', nullable: true }) applicationId: string | null;
  /** Admitted by the office at once for an emergency, for a short time, unless regularized. */
  @Column({ type: 'boolean', default: false }) emergency: boolean;
  @Column({ type: 'text', nullable: true }) emergencyReason: string | null;
  /** The regular item that took an emergency item's place. */
  @Column({ type: 'uuid', nullable: true }) regularizedByItemId: string | null;
  @Column({ type: 'uuid' }) leadingGroupId: string;
  @Column({ type: 'uuid' }) departmentId: string;
  @Column({ type: 'integer' }) numberYear: number;
  @Column({ type: 'integer' }) numberSeq: number;
  @Column({ type: 'varchar', length: 40 }) admissionNumber: string;
  @Column({ type: 'varchar', length: 20 }) kind: string;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'varchar', length: 48 }) statutoryArea: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) legalBasis: string | null;
  @Column({ type: 'text' }) authorizedContent: string;
  @Column({ type: 'text' }) targetPopulation: string;
  @Column({ type: 'text' }) powers: string;
  @Column({ type: 'date' }) startDate: string;
  @Column({ type: 'date' }) endDate: string;
  @Column({ type: 'bigint' }) fundingPerCommunityFen: string;
  /** Where the funding comes from (the department's budget line, a special fund …); null when none is due. */
  @Column({ type: 'varchar', length: 200, nullable: true }) fundingSource: string | null;
  /** Report fields the item collects (数据一次采集: a new report may not ask for them again). */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) reportFields: string[];
  /**
   * 派单提前期: work sent under the item must leave at least this many working days before its due date (copied
   * from the application at registration); null: the default of 3 (dispatch/coverage.ts).
   */
  @Column({ type: 'smallint', nullable: true }) noticeWorkingDays: number | null;
  @Column({ type: 'timestamptz' }) signedAt: Date;
  /** Funding not confirmed by then lapses for that community. */
  @Column({ type: 'timestamptz' }) fundingDeadline: Date;
  /** When the whole item left every community (expiry at its end date, or an approved exit), and why. */
  @Column({ type: 'timestamptz', nullable: true }) exitedAt: Date | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) exitReason: string | null;
  /** The failing checks overridden before the signature, each with who, when and why (issue 11 item 1). */
  @Column({ type: 'jsonb', default: () => "'[]'" }) overriddenFindings: Finding[];
}

/**
 * A community's funding: none due; awaited; confirmed; lapsed (a regular item whose window closed unfunded: it
 * never entered); overdue (an emergency item, in force at once, whose funding was not confirmed within the window:
 * it stays in force and stays owed, flagged for the office and finance, until finance confirms it late).
 */
export type CommunityFunding = 'not_required' | 'awaiting' | 'confirmed' | 'lapsed' | 'overdue';

/** An admitted item in one target community: it is in force there only once that community's funding is confirmed. */
@Entity('admitted_item_community')
@Check(
  'ck_admitted_item_community_funding',
  `"funding_status" IN ('not_required', 'awaiting', 'confirmed', 'lapsed', 'overdue')`,
)
@Index('ix_admitted_item_community_community', ['communityId'])
export class AdmittedItemCommunity {
  @PrimaryColumn({ type: 'uuid' }) itemId: string;
  @PrimaryColumn({ type: 'uuid' }) communityId: string;
  @Column({ type: 'bigint' }) fundingDueFen: string;
  @Column({ type: 'varchar', length: 16 }) fundingStatus: CommunityFunding;
  /** When the item entered the community's list (funding confirmed, or sign-off when none is due). */
  @Column({ type: 'timestamptz', nullable: true }) enteredAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lapsedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) exitedAt: Date | null;
  /** Why the item left this community (an approved exit's reason, seed 002 §5); null while it has not left by an exit. */
  @Column({ type: 'text', nullable: true }) exitReason: string | null;
}

/** 费随事转: a transfer the department registers for one community; finance confirms it arrived. */
@Entity('funding_transfer')
@Index('ux_funding_transfer_key', ['itemId', 'idempotencyKey'], { unique: true })
@Check('ck_funding_transfer_amount', `"amount_fen" > 0`)
export class FundingTransfer {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) itemId: string;
  @Column({ type: 'uuid' }) communityId: string;
  @Column({ type: 'bigint' }) amountFen: string;
  /** The street's dedicated community account (社区财务专账). */
  @Column({ type: 'varchar', length: 100 }) account: string;
  @Column({ type: 'varchar', length: 100 }) reference: string;
  @Column({ type: 'varchar', length: 100 }) idempotencyKey: string;
  @Column({ type: 'uuid' }) registeredBy: string;
  @CreateDateColumn({ type: 'timestamptz' }) registeredAt: Date;
  @Column({ type: 'uuid', nullable: true }) confirmedBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) confirmedAt: Date | null;
}
