import { Column, Entity, PrimaryColumn } from 'typeorm';

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
