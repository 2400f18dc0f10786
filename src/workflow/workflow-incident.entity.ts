import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A failed service task, or a timer that kept failing after its job's retries: visible to the office, retried
 * on demand; nothing is lost silently.
 */
@Entity('workflow_incident')
@Index('ix_workflow_incident_open_timer', ['timerId'], {
  where: `"resolved_at" IS NULL AND "timer_id" IS NOT NULL`,
})
export class WorkflowIncident {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index('ix_workflow_incident_instance') @Column({ type: 'uuid' }) instanceId: string;
  @Column({ type: 'varchar', length: 100 }) elementId: string;
  /** The service topic, or `timer:<kind>` for a timer. */
  @Column({ type: 'varchar', length: 100 }) topic: string;
  /** The timer that failed (null for a service task). */
  @Column({ type: 'uuid', nullable: true }) timerId: string | null;
  @Column({ type: 'text' }) message: string;
  @Column({ type: 'integer', default: 1 }) attempts: number;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
}
