import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** The sixteen areas in which a committee assists government (中办发〔2010〕27号, quoted in seed 002 §4). */
@Entity('statutory_area')
export class StatutoryArea {
  @PrimaryColumn({ type: 'varchar', length: 48 }) code: string;
  @Column({ type: 'varchar', length: 50 }) nameZh: string;
  @Column({ type: 'varchar', length: 100 }) nameEn: string;
  @Column({ type: 'varchar', length: 200 }) source: string;
}

/** Work that must not be pushed onto committees (民发〔2015〕136号 §一; 国办函〔2026〕12号), with the words that reveal it. */
@Entity('negative_list_item')
export class NegativeListItem {
  @PrimaryColumn({ type: 'varchar', length: 48 }) code: string;
  @Column({ type: 'varchar', length: 100 }) nameZh: string;
  @Column({ type: 'varchar', length: 200 }) nameEn: string;
  /** `any kind`, or the application kind it concerns. */
  @Column({ type: 'varchar', length: 20 }) appliesTo: string;
  @Column({ type: 'text', array: true }) keywords: string[];
  @Column({ type: 'varchar', length: 200 }) source: string;
  @Column({ type: 'boolean', default: true }) active: boolean;
}

/** A proposed change to the negative list: the office proposes, the principal leader approves (negative-list.bpmn). */
@Entity('negative_list_change')
export class NegativeListChange {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 12 }) action: 'add' | 'update' | 'deactivate';
  @Column({ type: 'varchar', length: 48 }) code: string;
  /** The entry as it will be after the change (add, update). */
  @Column({ type: 'jsonb', nullable: true }) entry: Record<string, unknown> | null;
  @Column({ type: 'text' }) reason: string;
  @Column({ type: 'uuid' }) proposedBy: string;
  @Column({ type: 'uuid', nullable: true }) instanceId: string | null;
  @Column({ type: 'varchar', length: 10 }) status: 'open' | 'applied' | 'rejected';
  @Column({ type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) decidedAt: Date | null;
}
