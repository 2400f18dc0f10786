import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only, hash-chained audit trail (DESIGN §7): each row's hash covers its content and the
 * previous row's hash, so an edit or a deletion anywhere breaks the chain from there on.
 */
@Entity('audit_record')
@Index('ix_audit_record_entity', ['entityType', 'entityId'])
export class AuditRecord {
  @PrimaryGeneratedColumn({ type: 'bigint' }) seq: string;

  @Column({ type: 'timestamptz' }) at: Date;

  @Index('ix_audit_record_actor')
  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true }) actorUsername: string | null;

  @Column({ type: 'varchar', length: 64 }) action: string;

  @Column({ type: 'varchar', length: 64 }) entityType: string;

  @Column({ type: 'varchar', length: 64, nullable: true }) entityId: string | null;

  @Column({ type: 'jsonb', nullable: true }) data: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 64, nullable: true }) requestId: string | null;

  @Column({ type: 'char', length: 64 }) prevHash: string;
  @Column({ type: 'char', length: 64 }) hash: string;
}
