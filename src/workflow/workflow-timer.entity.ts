import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type TimerKind = 'bpmn' | 'task-limit' | 'delegation-end';

/** A durable timer: a BPMN timer event, a task's time limit, or the end of a delegation. Fires once: `fired_at` is set in the firing step. */
@Entity('workflow_timer')
@Check('ck_workflow_timer_kind', `"kind" IN ('bpmn', 'task-limit', 'delegation-end')`)
@Index('ix_workflow_timer_pending', ['fireAt'], { where: `"fired_at" IS NULL AND "cancelled_at" IS NULL` })
export class WorkflowTimer {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('ix_workflow_timer_instance') @Column({ type: 'uuid' }) instanceId: string;
  @Column({ type: 'varchar', length: 16 }) kind: TimerKind;
  @Column({ type: 'varchar', length: 100 }) elementId: string;
  @Column({ type: 'varchar', length: 120 }) executionId: string;
  @Column({ type: 'uuid', nullable: true }) taskId: string | null;
  @Column({ type: 'timestamptz' }) fireAt: Date;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) firedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) cancelledAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) jobId: string | null;
}
