import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A failed service task: visible to the office, retried on demand; nothing is lost silently. */
@Entity('workflow_incident')
export class WorkflowIncident {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('ix_workflow_incident_instance') @Column({ type: 'uuid' }) instanceId: string;
  @Column({ type: 'varchar', length: 100 }) elementId: string;
  @Column({ type: 'varchar', length: 100 }) topic: string;
  @Column({ type: 'text' }) message: string;
  @Column({ type: 'integer', default: 1 }) attempts: number;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
}
