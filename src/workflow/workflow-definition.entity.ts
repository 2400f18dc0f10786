import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One deployed version of a BPMN process. The XML is stored once per version, never inside instance state. */
@Entity('workflow_definition')
@Index('ux_workflow_definition_version', ['processId', 'version'], { unique: true })
export class WorkflowDefinition {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 100 }) processId: string;
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'varchar', length: 200, nullable: true }) name: string | null;
  @Column({ type: 'varchar', length: 200 }) fileName: string;
  @Column({ type: 'char', length: 64 }) contentHash: string;
  @Column({ type: 'text' }) xml: string;
  /** The engine's serialized model, so that recovering an instance need not parse XML. */
  @Column({ type: 'text' }) serializedSource: string;
  @CreateDateColumn({ type: 'timestamptz' }) deployedAt: Date;
}
