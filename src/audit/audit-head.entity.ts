import { Check, Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The head of the audit chain: one row, holding the hash of the newest record. Records are chained at
 * commit (see AuditPending), so concurrent transactions queue on this row only while they commit.
 */
@Entity('audit_head')
@Check('ck_audit_head_single', `"id" = 1`)
export class AuditHead {
  @PrimaryColumn({ type: 'smallint' }) id: number;

  @Column({ type: 'char', length: 64 }) prevHash: string;
  @Column({ type: 'char', length: 64 }) hash: string;
}

/**
 * A record written by a transaction that has not committed yet. A deferred trigger moves it into the chain
 * (audit_record) when its transaction commits: it takes the head row, hashes the record onto it and
 * draws the record's seq, so chain order is commit order and seq order. The table is empty between
 * transactions.
 */
@Entity('audit_pending')
export class AuditPending {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) actorUsername: string | null;
  @Column({ type: 'varchar', length: 64 }) action: string;
  @Column({ type: 'varchar', length: 64 }) entityType: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) entityId: string | null;
  @Column({ type: 'jsonb', nullable: true }) data: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) requestId: string | null;
  /** The canonical text the record's hash covers (see recordContent). */
  @Column({ type: 'text' }) content: string;
}
