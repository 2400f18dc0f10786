import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Small key/value settings the service keeps for itself (e.g. the generated token key, the demo-seed mark). */
@Entity('system_setting')
export class SystemSetting {
  @PrimaryColumn({ type: 'varchar', length: 64 }) key: string;
  @Column({ type: 'text' }) value: string;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
