import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Residents' evaluation of an item in one community for one period (居民评议). */
@Entity('item_evaluation')
@Check('ck_item_evaluation_counts', `"respondents" > 0 AND "satisfied" >= 0 AND "satisfied" <= "respondents"`)
@Index('ix_item_evaluation_item', ['itemId', 'communityId'])
export class ItemEvaluation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) itemId: string;
  @Column({ type: 'uuid' }) communityId: string;
  @Column({ type: 'varchar', length: 20 }) period: string;
  @Column({ type: 'integer' }) respondents: number;
  @Column({ type: 'integer' }) satisfied: number;
  /** Percent satisfied, two decimals. */
  @Column({ type: 'numeric', precision: 5, scale: 2 }) satisfaction: string;
  @Column({ type: 'uuid' }) recordedBy: string;
  @CreateDateColumn({ type: 'timestamptz' }) recordedAt: Date;
}

export type ExitOrigin = 'community' | 'department' | 'office' | 'evaluation';

/** A proposal to exit an item (准入退出), from one community or from the whole item; decided by exit.bpmn. */
@Entity('exit_proposal')
@Check('ck_exit_proposal_status', `"status" IN ('open', 'exited', 'kept')`)
@Check('ck_exit_proposal_origin', `"origin" IN ('community', 'department', 'office', 'evaluation')`)
@Index('ix_exit_proposal_item', ['itemId'])
export class ExitProposal {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) itemId: string;
  /** The community the item would leave; null: every community (the whole item). */
  @Column({ type: 'uuid', nullable: true }) communityId: string | null;
  @Column({ type: 'varchar', length: 16 }) origin: ExitOrigin;
  @Column({ type: 'text' }) reason: string;
  @Column({ type: 'uuid', nullable: true }) proposedBy: string | null;
  @Column({ type: 'uuid', nullable: true }) instanceId: string | null;
  @Column({ type: 'varchar', length: 10 }) status: 'open' | 'exited' | 'kept';
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) decidedAt: Date | null;
}
