import { Column, Entity, PrimaryColumn } from 'typeorm';

const counter = { type: 'integer', default: 0 } as const;

/**
 * The burden monitor's counts kept on write (issue 14 §5): per China-time month of `sent_at`, community and sending
 * department, what GET /dispatch-counts counts over `dispatch_delivery`. Written only by the statement triggers of
 * migration 1797300000000 on dispatch_delivery (never by the service); read by DispatchCountsService for the whole
 * months of a period. One column per uncovered reason of coverage.ts (REASON_CODES without `covered`, `-` → `_`):
 * a new reason code needs a migration adding its column and the triggers' term.
 */
@Entity('dispatch_count')
export class DispatchCount {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_dispatch_count' }) communityId: string;
  /** The first day of the China-time month the pieces were sent in. */
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'pk_dispatch_count' }) month: string;
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_dispatch_count' }) departmentId: string;
  @Column(counter) received: number;
  @Column(counter) covered: number;
  @Column(counter) negativeList: number;
  @Column(counter) stampProhibited: number;
  @Column(counter) noAdmittedItem: number;
  @Column(counter) otherDepartmentItem: number;
  @Column(counter) notInForce: number;
  @Column(counter) wrongKind: number;
  @Column(counter) stampNotListed: number;
  @Column(counter) outsideContent: number;
  @Column(counter) duplicateReportField: number;
  @Column(counter) shortNotice: number;
  /** refused_at set (an overturned refusal included). */
  @Column(counter) refused: number;
  /** dispute_state set. */
  @Column(counter) contested: number;
  @Column(counter) upheld: number;
  @Column(counter) overturned: number;
  @Column(counter) withdrawn: number;
  @Column(counter) done: number;
  /** Hours spent on the done pieces. */
  @Column({ type: 'numeric', default: 0 }) hours: string;
}
