import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export enum ApplicationKind {
  TASK = 'task', // 工作任务
  MEETING = 'meeting', // 会议
  REPORT = 'report', // 报表台账
  ORGANIZATION = 'organization', // 组织机构挂牌
  ASSESSMENT = 'assessment', // 考评检查
  STAMP = 'stamp', // 盖章证明
  APP = 'app', // 政务应用/账号
}
export const APPLICATION_KINDS = Object.values(ApplicationKind);

export type ApplicationStatus =
  | 'draft'
  | 'in_review'
  | 'returned'
  | 'rejected'
  | 'awaiting_funding'
  | 'admitted'
  | 'withdrawn'
  | 'terminated';

/** One deficiency a reviewer found (一次告知: a return lists all of them at once), optionally naming the form field. */
export interface Deficiency {
  field?: string;
  problem: string;
}

export interface Finding {
  check: 'statutory-scope' | 'negative-list' | 'duplicates' | 'lead-time' | 'stamp-registry';
  result: 'pass' | 'warn' | 'fail';
  message: string;
  details?: Record<string, unknown> | Record<string, unknown>[];
  /** Stable within the application (the check's name; `shared-report-fields` for the 数据一次采集 check). */
  code?: string;
  /** A failing finding overridden with a written reason (findings.service.ts); a re-run of the checks clears it. */
  override?: FindingOverride;
}

/** Who overrode a failing finding, when and why: the office, or for a negative-list hit the principal leader. */
export interface FindingOverride {
  role: 'office' | 'leader';
  userId: string;
  displayName: string;
  unitId: string;
  unitName: string;
  /** ISO instant. */
  at: string;
  reason: string;
}

/** 社区工作准入审批表: a department's application to put work onto communities. */
@Entity('admission_application')
@Check(
  'ck_admission_application_status',
  `"status" IN ('draft', 'in_review', 'returned', 'rejected', 'awaiting_funding', 'admitted', 'withdrawn', 'terminated')`,
)
@Check(
  'ck_admission_application_funding',
  `"funding_per_community_fen" IS NULL OR "funding_per_community_fen" >= 0`,
)
@Check(
  'ck_admission_application_notice',
  `"notice_working_days" IS NULL OR "notice_working_days" BETWEEN 1 AND 30`,
)
@Check(
  'ck_admission_application_dates',
  `"start_date" IS NULL OR "end_date" IS NULL OR "end_date" >= "start_date"`,
)
export class AdmissionApplication {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Index('ix_admission_application_unit')
  @Column({ type: 'uuid' })
  applicantUnitId: string;

  @Column({ type: 'uuid' }) createdBy: string;
  @Column({ type: 'varchar', length: 20 }) status: ApplicationStatus;
  @Column({ type: 'uuid', nullable: true }) instanceId: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true }) kind: ApplicationKind | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) title: string | null;
  @Column({ type: 'text', nullable: true }) content: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) legalBasisDocument: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) legalBasisArticle: string | null;
  /** A statutory area code, or `other` (which then needs a legal basis). */
  @Column({ type: 'varchar', length: 48, nullable: true }) statutoryArea: string | null;
  /** `all`: every community under `targetUnitId`; `list`: the communities in `targetCommunityIds`. */
  @Column({ type: 'varchar', length: 8, nullable: true }) targetScope: 'all' | 'list' | null;
  @Column({ type: 'uuid', nullable: true }) targetUnitId: string | null;
  @Column({ type: 'uuid', array: true, default: () => "'{}'" }) targetCommunityIds: string[];
  @Column({ type: 'text', nullable: true }) authorizedContent: string | null;
  @Column({ type: 'text', nullable: true }) targetPopulation: string | null;
  @Column({ type: 'text', nullable: true }) powers: string | null;
  @Column({ type: 'date', nullable: true }) startDate: string | null;
  @Column({ type: 'date', nullable: true }) endDate: string | null;
  /** Expected workload per community, hours per month. */
  @Column({ type: 'numeric', precision: 7, scale: 1, nullable: true }) workloadHoursPerMonth: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) frequency: string | null;
  /** Funding per community in fen (分): exact integers, never floats. */
  @Column({ type: 'bigint', nullable: true }) fundingPerCommunityFen: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) fundingSource: string | null;
  @Column({ type: 'text', nullable: true }) supportOffered: string | null;
  @Column({ type: 'varchar', length: 50, nullable: true }) contactName: string | null;
  @Column({ type: 'varchar', length: 50, nullable: true }) contactPhone: string | null;
  /** For a report or ledger: the fields it asks committees to fill (checked against fields already collected). */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) reportFields: string[];
  /** An emergency item this application regularizes: once admitted, it takes that item's place. */
  @Column({ type: 'uuid', nullable: true }) regularizesItemId: string | null;
  /** For a stamp demand (盖章证明): the certificate the committees would issue, checked against the stamp registry. */
  @Column({ type: 'varchar', length: 100, nullable: true }) certificateName: string | null;
  /**
   * 派单提前期: the working days at least between sending work under the item and its due date (issue 14 §2,
   * 上午发下午要 is what it forbids); null: the default of 3 (dispatch/coverage.ts).
   */
  @Column({ type: 'smallint', nullable: true }) noticeWorkingDays: number | null;

  /** The automatic checks' findings, for the office (statutory scope, negative list, duplicates, lead time). */
  @Column({ type: 'jsonb', default: () => "'[]'" }) findings: Finding[];
  /** What changed since the last submission (a resubmission shows the office what was corrected). */
  @Column({ type: 'jsonb', nullable: true }) changesSinceSubmission: Record<
    string,
    { before: unknown; after: unknown }
  > | null;
  @Column({ type: 'jsonb', nullable: true }) submittedSnapshot: Record<string, unknown> | null;
  /** Why it was rejected, returned or terminated (the reviewer's or the office's comment). */
  @Column({ type: 'text', nullable: true }) decisionReason: string | null;
  /** The deficiencies of the last return, every one at once (一次告知); emptied when it is resubmitted. */
  @Column({ type: 'jsonb', default: () => "'[]'" }) deficiencies: Deficiency[];
  /** The review step that returned it last (completeness, scopeReview, countersign, leaderSign). */
  @Column({ type: 'varchar', length: 64, nullable: true }) returnedStep: string | null;
  @Column({ type: 'timestamptz', nullable: true }) returnedAt: Date | null;
  /** When the office terminated (终止) its case; the reason is in decisionReason. */
  @Column({ type: 'timestamptz', nullable: true }) terminatedAt: Date | null;
  /** When its department withdrew it (撤回), and why (the department's reason; decisionReason keeps the reviewers'). */
  @Column({ type: 'timestamptz', nullable: true }) withdrawnAt: Date | null;
  @Column({ type: 'text', nullable: true }) withdrawalReason: string | null;

  @Column({ type: 'timestamptz', nullable: true }) submittedAt: Date | null;
  @Column({ type: 'integer', default: 1 }) version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
