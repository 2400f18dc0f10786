import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { OrgUnit } from './org-unit.entity.js';
import { Role } from '../auth/permissions.js';

@Entity('app_user')
@Check(
  'ck_app_user_separation_of_duties',
  `(('SYSTEM_ADMIN' = ANY("roles"))::int + ('SECURITY_ADMIN' = ANY("roles"))::int + ('AUDITOR' = ANY("roles"))::int) <= 1`,
)
@Check('ck_app_user_failed_logins', `"failed_login_count" >= 0`)
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;

  /** Lower-case login name. */
  @Index('ux_app_user_username', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ type: 'varchar', length: 100 }) displayName: string;

  @Column({ type: 'text' }) passwordHash: string;

  /** Who last set the password through the API (三员分立: they may not then make it an admin account); null: set at bootstrap or by the demo seed. */
  @Column({ type: 'uuid', nullable: true }) passwordSetBy: string | null;

  @Index('ix_app_user_unit')
  @Column({ type: 'uuid' })
  unitId: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_app_user_unit' })
  unit?: Relation<OrgUnit>;

  @Column({ type: 'text', array: true, default: () => "'{}'" }) roles: Role[];

  @Column({ type: 'boolean', default: true }) active: boolean;

  @Column({ type: 'integer', default: 0 }) failedLoginCount: number;
  @Column({ type: 'timestamptz', nullable: true }) lockedUntil: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastLoginAt: Date | null;

  @Column({ type: 'integer', default: 1 }) version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
