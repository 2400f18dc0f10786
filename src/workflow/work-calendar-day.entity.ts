import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Exceptions to the Monday–Friday week for counting working days (限时办结): public holidays (法定节假日)
 * and the weekend days worked in exchange (调休上班).
 */
@Entity('work_calendar_day')
export class WorkCalendarDay {
  @PrimaryColumn({ type: 'date' }) day: string;
  @Column({ type: 'boolean' }) workingDay: boolean;
  @Column({ type: 'varchar', length: 100, nullable: true }) note: string | null;
}
