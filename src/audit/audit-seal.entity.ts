import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A day's seal: the chain's head at the end of one Asia/Shanghai day (the newest record stamped that day or
 * before), sealed with an HMAC whose key the database does not hold (AUDIT_SEAL_KEY). A rewritten history
 * whose hashes were all recomputed no longer matches the seal, and a forged seal has no valid HMAC.
 */
@Entity('audit_seal')
export class AuditSeal {
  /** The Asia/Shanghai day whose end the seal stands at (YYYY-MM-DD). */
  @PrimaryColumn({ type: 'date' }) day: string;
  /** The newest record covered ('0': none yet, the genesis). */
  @Column({ type: 'bigint' }) upToSeq: string;
  /** That record's hash (the genesis hash when none). */
  @Column({ type: 'char', length: 64 }) hash: string;
  /** Which key sealed it: the first 16 hex digits of the SHA-256 of the key. */
  @Column({ type: 'char', length: 16 }) keyId: string;
  @Column({ type: 'timestamptz' }) sealedAt: Date;
  /** HMAC-SHA-256 over the fields above (see sealMac). */
  @Column({ type: 'char', length: 64 }) mac: string;
}
