import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Login attempts per client address in the current window (等级保护: 登录失败处理). Kept in the database so that
 * every server process behind the load balancer counts the same attempts.
 */
@Entity('login_throttle')
export class LoginThrottle {
  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_login_throttle' })
  address: string;

  /** Attempts in the window not (yet) proven by a right password. */
  @Column({ type: 'integer' }) attempts: number;

  @Index('ix_login_throttle_window')
  @Column({ type: 'timestamptz' })
  windowStartedAt: Date;
}
