import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The head of the audit chain: one row, holding the hash of the newest record. Appending a record updates
 * this row (computing the new hash from the row's current value in the same statement), so concurrent
 * appenders queue on the row lock only for the rest of their transaction, and never read a stale head.
 */
@Entity('audit_head')
@Check('ck_audit_head_single', `"id" = 1`)
export class AuditHead {
  @PrimaryColumn({ type: 'smallint' }) id: number;

  @Column({ type: 'char', length: 64 }) prevHash: string;
  @Column({ type: 'char', length: 64 }) hash: string;
}
