import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What the registry answered when the stamp was recorded (a prohibited one is never recorded). */
export const LOGGED_DECISIONS = ['allowed', 'not-listed'] as const;
export type LoggedDecision = (typeof LOGGED_DECISIONS)[number];

/**
 * One stamp the committee put on a certificate (用印登记, issue 13 §6). Append-only (a trigger refuses UPDATE and
 * DELETE): a mistake is voided (StampLogVoid) and, for a correction, recorded again as a new entry that names the
 * one it corrects. The registry's answer on the day of the stamp is stored with it (decision, deciding entry,
 * source document, legal basis), so the log says what the rule was then, whatever the lists say later.
 */
@Entity('stamp_log_entry')
@Index('ix_stamp_log_entry_community_day', ['communityId', 'stampedOn'])
@Check('ck_stamp_log_entry_decision', `"decision" IN ('allowed', 'not-listed')`)
@Check('ck_stamp_log_entry_copies', `"copies" BETWEEN 1 AND 99`)
@Check('ck_stamp_log_entry_two_people', `"handler_id" <> "approver_id"`)
@Check(
  'ck_stamp_log_entry_basis',
  `("decision" = 'allowed' AND "deciding_entry_id" IS NOT NULL) OR ("decision" = 'not-listed' AND "legal_basis_entered")`,
)
export class StampLogEntry {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) communityId: string;
  @Column({ type: 'timestamptz' }) stampedAt: Date;
  /** The China day of `stampedAt`: the day the registry was asked for, and what date filters and counts use. */
  @Column({ type: 'date' }) stampedOn: string;
  /** The certificate's name as the clerk typed it. */
  @Column({ type: 'varchar', length: 100 }) certificateName: string;
  @Column({ type: 'varchar', length: 12 }) decision: LoggedDecision;
  /** The registry entry (version) that decided; null when not listed. */
  @Column({ type: 'uuid', nullable: true }) decidingEntryId: string | null;
  /** The certificate across its versions (what counts group by); null when not listed. */
  @Column({ type: 'uuid', nullable: true }) decidingEntryKey: string | null;
  /** The deciding entry's name (居住证明); null when not listed. */
  @Column({ type: 'varchar', length: 100, nullable: true }) listedName: string | null;
  /** The list (version) the deciding entry belongs to, and its document as cited (示范市《…》（示民发〔2021〕15号）). */
  @Column({ type: 'uuid', nullable: true }) sourceListId: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) sourceDocument: string | null;
  /** The deciding entry's legal basis, or (not listed) the one the clerk entered. */
  @Column({ type: 'text' }) legalBasis: string;
  @Column({ type: 'boolean' }) legalBasisEntered: boolean;
  @Column({ type: 'varchar', length: 200 }) purpose: string;
  @Column({ type: 'integer' }) copies: number;
  @Column({ type: 'varchar', length: 50 }) requesterName: string;
  @Column({ type: 'varchar', length: 20 }) requesterPhone: string;
  @Column({ type: 'uuid' }) handlerId: string;
  @Column({ type: 'uuid' }) approverId: string;
  @Column({ type: 'uuid' }) recordedBy: string;
  @Column({ type: 'timestamptz' }) recordedAt: Date;
  /** The entry this one corrects (voided in the same transaction). */
  @Index('ux_stamp_log_entry_corrects', { unique: true, where: '"corrects_id" IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  correctsId: string | null;
}

/** An entry voided, with why: at most one per entry (append-only like the log). */
@Entity('stamp_log_void')
export class StampLogVoid {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('ux_stamp_log_void_entry', { unique: true })
  @Column({ type: 'uuid' })
  entryId: string;
  @Column({ type: 'varchar', length: 500 }) reason: string;
  @Column({ type: 'uuid' }) voidedBy: string;
  @Column({ type: 'timestamptz' }) voidedAt: Date;
}

/**
 * The committee's roster of members who may handle or approve a stamp (用印人员): accounts of the community put
 * on it by the committee. Temporary staff (临时工作人员) are the community's accounts not on it. A removal ends the
 * row (removedAt); putting the account on again is a new row.
 */
@Entity('stamp_log_member')
@Index('ux_stamp_log_member_current', ['communityId', 'userId'], {
  unique: true,
  where: '"removed_at" IS NULL',
})
export class StampLogMember {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) communityId: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'uuid' }) addedBy: string;
  @Column({ type: 'timestamptz' }) addedAt: Date;
  @Column({ type: 'uuid', nullable: true }) removedBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) removedAt: Date | null;
}
