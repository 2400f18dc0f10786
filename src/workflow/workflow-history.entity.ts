import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The case timeline: who did what, when, at which step, with which comment. */
@Entity('workflow_history')
@Index('ix_workflow_history_instance', ['instanceId', 'seq'])
export class WorkflowHistory {
  @PrimaryGeneratedColumn({ type: 'bigint' }) seq: string;
  @Column({ type: 'uuid' }) instanceId: string;
  @Column({ type: 'uuid', nullable: true }) taskId: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) elementId: string | null;
  @Column({ type: 'varchar', length: 40 }) action: string;
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) actorUsername: string | null;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'text', nullable: true }) comment: string | null;
  @Column({ type: 'jsonb', nullable: true }) data: Record<string, unknown> | null;
}
