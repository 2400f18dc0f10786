import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { OrgUnit } from './org-unit.entity.js';

/** A member unit (成员单位) of a leading group; each countersigns (会签) the group's admissions. */
@Entity('leading_group_member')
export class LeadingGroupMember {
  @PrimaryColumn({ type: 'uuid' }) groupId: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_leading_group_member_group' })
  group?: Relation<OrgUnit>;

  @Index('ix_leading_group_member_unit')
  @PrimaryColumn({ type: 'uuid' })
  unitId: string;

  @ManyToOne(() => OrgUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_leading_group_member_unit' })
  unit?: Relation<OrgUnit>;

  @Column({ type: 'integer', default: 0 }) position: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
