import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { WorkflowInstance } from './workflow-instance.entity.js';

export type TaskStatus = 'open' | 'completed' | 'cancelled';
/** `step`: a BPMN user task; `added-signer`: 加签, an extra signature the step waits for. */
export type TaskKind = 'step' | 'added-signer';

/** One waiting user task (a row per multi-instance iteration). */
@Entity('workflow_task')
@Check('ck_workflow_task_status', `"status" IN ('open', 'completed', 'cancelled')`)
@Check('ck_workflow_task_kind', `"kind" IN ('step', 'added-signer')`)
@Index('ix_workflow_task_open_assignee', ['assigneeId'], { where: `"status" = 'open'` })
@Index('ux_workflow_task_execution', ['instanceId', 'executionId'], {
  unique: true,
  where: `"kind" = 'step'`,
})
@Index('ix_workflow_task_open_units', ['candidateUnitIds'], { where: `"status" = 'open'` })
// Added signers (加签) still open on a step task: looked up on every completion.
@Index('ix_workflow_task_open_parent', ['parentTaskId'], {
  where: `"status" = 'open' AND "parent_task_id" IS NOT NULL`,
})
export class WorkflowTask {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Index('ix_workflow_task_instance')
  @Column({ type: 'uuid' })
  instanceId: string;

  @ManyToOne(() => WorkflowInstance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'fk_workflow_task_instance' })
  instance?: Relation<WorkflowInstance>;

  @Column({ type: 'varchar', length: 100 }) elementId: string;
  @Column({ type: 'varchar', length: 120 }) executionId: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) name: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) formKey: string | null;
  @Column({ type: 'varchar', length: 16 }) status: TaskStatus;
  @Column({ type: 'varchar', length: 16, default: 'step' }) kind: TaskKind;
  /** For an added signer: the step task that waits for it. */
  @Column({ type: 'uuid', nullable: true }) parentTaskId: string | null;

  /**
   * The BPMN candidate groups the task was created for (camunda:candidateGroups): re-resolved against the
   * organization when it changes, so that the lists below stay those of the organization as it is now.
   */
  @Column({ type: 'varchar', length: 200, nullable: true }) candidateGroups: string | null;
  /** Who may claim it: users of these units holding one of these roles, or these users. */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" }) candidateUnitIds: string[];
  @Column({ type: 'text', array: true, default: () => "'{}'" }) candidateRoles: string[];
  @Column({ type: 'uuid', array: true, default: () => "'{}'" }) candidateUserIds: string[];
  @Column({ type: 'uuid', nullable: true }) assigneeId: string | null;
  /** Overdue steps are escalated: users of these units (the office) see them too. */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" }) escalatedToUnitIds: string[];
  /** 委托: the assignee who delegated it, and until when. */
  @Column({ type: 'uuid', nullable: true }) delegatedFromId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) delegatedUntil: Date | null;

  /** Multi-instance iteration: its index and the element value (e.g. the member unit). */
  @Column({ type: 'integer', nullable: true }) loopIndex: number | null;
  @Column({ type: 'jsonb', nullable: true }) loopItem: unknown;

  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) dueAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) overdueAt: Date | null;
  @Column({ type: 'integer', nullable: true }) limitWorkingDays: number | null;
  @Column({ type: 'timestamptz', nullable: true }) claimedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) completedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) completedBy: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) decision: string | null;
  @Column({ type: 'jsonb', nullable: true }) formData: Record<string, unknown> | null;
  @Column({ type: 'text', nullable: true }) comment: string | null;
  @Column({ type: 'integer', default: 0 }) urgedCount: number;
  @Column({ type: 'timestamptz', nullable: true }) lastUrgedAt: Date | null;
  @Column({ type: 'integer', default: 1 }) version: number;
}
