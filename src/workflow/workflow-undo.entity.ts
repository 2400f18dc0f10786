import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The state before the last completed task of an instance, kept so that its completer can withdraw it (撤回)
 * while nothing else has happened (the instance is still at `version + 1`). One row per instance, overwritten.
 */
@Entity('workflow_undo')
export class WorkflowUndo {
  @PrimaryColumn({ type: 'uuid' }) instanceId: string;
  @Column({ type: 'uuid' }) taskId: string;
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'jsonb' }) state: object;
  @Column({ type: 'timestamptz' }) createdAt: Date;
}
