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
import { User } from './user.entity.js';

/** Kinds of organization unit. The area tree is CITY → DISTRICT → STREET → COMMUNITY; the others hang off an area. */
export enum UnitKind {
  CITY = 'CITY', // 市
  DISTRICT = 'DISTRICT', // 区/县
  STREET = 'STREET', // 街道（办事处）
  COMMUNITY = 'COMMUNITY', // 社区（居委会）
  DEPARTMENT = 'DEPARTMENT', // 职能部门
  LEADING_GROUP = 'LEADING_GROUP', // 社区建设工作领导小组
  LEADING_GROUP_OFFICE = 'LEADING_GROUP_OFFICE', // 领导小组办公室
  FINANCE = 'FINANCE', // 财政 / 街道社区财务专账
}
export const UNIT_KINDS = Object.values(UnitKind);
export const AREA_KINDS = [UnitKind.CITY, UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY];

@Entity('org_unit')
@Check('ck_org_unit_kind', `"kind" IN (${UNIT_KINDS.map((k) => `'${k}'`).join(', ')})`)
@Check('ck_org_unit_parent', `("kind" = 'CITY') = ("parent_id" IS NULL)`)
// The paths in byte order, for the units of an area (sqlInArea): migration 1797300700000.
@Index('ix_org_unit_path_prefix', { synchronize: false })
export class OrgUnit {
  @PrimaryGeneratedColumn('uuid') id: string;

  /** Stable code, e.g. the administrative division code; never reused. */
  @Index('ux_org_unit_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 200 }) name: string;

  @Column({ type: 'varchar', length: 24 }) kind: UnitKind;

  @Index('ix_org_unit_parent')
  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_org_unit_parent' })
  parent?: Relation<OrgUnit>;

  /** Materialized path of ids from the root, '/root/…/self/', for subtree queries. */
  @Index('ix_org_unit_path')
  @Column({ type: 'text' })
  path: string;

  /** For a leading group: its principal leader (主要领导), who signs approvals. */
  @Column({ type: 'uuid', nullable: true }) principalLeaderId: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'principal_leader_id', foreignKeyConstraintName: 'fk_org_unit_principal_leader' })
  principalLeader?: Relation<User>;

  @Column({ type: 'boolean', default: true }) active: boolean;

  @Column({ type: 'integer', default: 1 }) version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
