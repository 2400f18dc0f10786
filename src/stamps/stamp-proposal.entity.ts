import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { StampChange, StampChangeSet } from './stamp-changes.js';

export const PROPOSAL_STATES = ['proposed', 'approved', 'rejected', 'published'] as const;
/** proposed: waits for the principal leader; approved: approved, being published; rejected; published: in the registry. */
export type ProposalState = (typeof PROPOSAL_STATES)[number];

/**
 * A proposed change to the stamp registry (issue 13 §4, workflows/stamp-list.bpmn): the office of a leading group
 * proposes a change set within its scope, the principal leader approves or rejects it, and an approved one is
 * published into the versioned lists in one transaction. The change set itself is never edited; the state moves
 * forward only (proposed → approved → published, or proposed → rejected).
 */
@Entity('stamp_proposal')
@Index('ix_stamp_proposal_unit', ['proposerUnitId', 'createdAt'])
@Check('ck_stamp_proposal_state', `"state" IN ('proposed', 'approved', 'rejected', 'published')`)
@Check('ck_stamp_proposal_scope', `"scope_code" ~ '^([0-9]{2}|[0-9]{4}|[0-9]{6})?$'`)
export class StampProposal {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** '' national, else the 2/4/6-digit division the change is in. */
  @Column({ type: 'varchar', length: 6 }) scopeCode: string;
  @Column({ type: 'text' }) summary: string;
  @Column({ type: 'jsonb' }) origin: StampChangeSet['origin'];
  @Column({ type: 'jsonb' }) changes: StampChange[];
  @Column({ type: 'varchar', length: 12, default: 'proposed' }) state: ProposalState;
  @Column({ type: 'uuid' }) proposedBy: string;
  /** The proposing office (its level's leader approves). */
  @Column({ type: 'uuid' }) proposerUnitId: string;
  /** The approval case (workflows/stamp-list.bpmn). */
  @Column({ type: 'uuid', nullable: true }) instanceId: string | null;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'uuid', nullable: true }) decidedBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) decidedAt: Date | null;
  /** The leader's comment with the decision. */
  @Column({ type: 'text', nullable: true }) decisionComment: string | null;
  @Column({ type: 'timestamptz', nullable: true }) publishedAt: Date | null;
  /** The diff against what was in force, as it stood just before publishing (after that the live diff is empty). */
  @Column({ type: 'jsonb', nullable: true }) publishedDiff: object | null;
}
