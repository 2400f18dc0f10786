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
import { WorkflowDefinition } from './workflow-definition.entity.js';

export type InstanceStatus = 'active' | 'suspended' | 'completed' | 'terminated';

/** A running or finished case. `state` is the engine state without the model; `version` guards every write. */
@Entity('workflow_instance')
@Check('ck_workflow_instance_status', `"status" IN ('active', 'suspended', 'completed', 'terminated')`)
@Index('ix_workflow_instance_business_key', ['processId', 'businessKey'])
export class WorkflowInstance {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Index('ix_workflow_instance_definition')
  @Column({ type: 'uuid' })
  definitionId: string;

  @ManyToOne(() => WorkflowDefinition, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'definition_id', foreignKeyConstraintName: 'fk_workflow_instance_definition' })
  definition?: Relation<WorkflowDefinition>;

  @Column({ type: 'varchar', length: 100 }) processId: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) businessKey: string | null;
  @Column({ type: 'varchar', length: 16 }) status: InstanceStatus;
  @Column({ type: 'jsonb' }) state: object;
  /** Process variables after the last step, for reading without recovering the engine. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) variables: Record<string, unknown>;
  @Column({ type: 'uuid', nullable: true }) startedBy: string | null;
  /** The unit the case belongs to (e.g. the applicant's department): candidate groups resolve from it. */
  @Index('ix_workflow_instance_owner_unit')
  @Column({ type: 'uuid', nullable: true })
  ownerUnitId: string | null;
  @Column({ type: 'timestamptz' }) startedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) suspendedAt: Date | null;
  @Column({ type: 'integer' }) version: number;
}
