import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '../org/user.entity.js';

/** One login. Its id is the token's `sid`; revoking the row (logout, lock, disable) kills the token. */
@Entity('auth_session')
export class AuthSession {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Index('ix_auth_session_user')
  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_auth_session_user' })
  user?: Relation<User>;

  @CreateDateColumn({ type: 'timestamptz' }) issuedAt: Date;

  @Index('ix_auth_session_expires')
  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) revokedReason: string | null;
}
