import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { TaskCreation } from './runtime/task-creation.js';
import { importCalendarFile, type CalendarImportResult } from './work-calendar-import.js';

/** The work calendar that step limits count with: holidays and 调休 working days. */
@Injectable()
export class WorkCalendarService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly tasks: TaskCreation,
  ) {}

  /** The marked days (holidays, 调休 working days) of a year given as YYYY; any other value means this year in China. */
  async days(
    year: string | undefined,
    q: PageQuery = {},
  ): Promise<Page<{ day: string; workingDay: boolean; note: string | null }>> {
    const y = /^\d{4}$/.test(year ?? '') ? Number(year) : Number(this.clock.today().slice(0, 4));
    const page = pageRequest(q);
    const [rows, count]: [{ day: string; workingDay: boolean; note: string | null }[], { n: string }[]] =
      await Promise.all([
        this.dataSource.query(
          `SELECT to_char(day, 'YYYY-MM-DD') AS day, working_day AS "workingDay", note FROM work_calendar_day WHERE extract(year FROM day) = $1 ORDER BY day LIMIT $2 OFFSET $3`,
          [y, page.pageSize, page.offset],
        ),
        this.dataSource.query(
          `SELECT count(*) AS n FROM work_calendar_day WHERE extract(year FROM day) = $1`,
          [y],
        ),
      ]);
    return toPage(rows, Number(count[0].n), page);
  }

  /** Marks a day (YYYY-MM-DD) as a working day or a day off, recorded with what it was before. */
  async setDay(actor: Actor, day: string, workingDay: boolean, note: string | null) {
    const set = await this.dataSource.transaction(async (m) => {
      const before: { working_day: boolean; note: string | null }[] = await m.query(
        'SELECT working_day, note FROM work_calendar_day WHERE day = $1 FOR UPDATE',
        [day],
      );
      await m.query(
        `INSERT INTO work_calendar_day (day, working_day, note) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET working_day = $2, note = $3`,
        [day, workingDay, note],
      );
      await this.audit.record(m, actor, {
        action: 'work-calendar.day-set',
        entityType: 'work_calendar_day',
        entityId: day,
        data: {
          before: before[0] ? { workingDay: before[0].working_day, note: before[0].note } : null,
          after: { workingDay, note },
        },
      });
      return { day, workingDay, note };
    });
    // Time limits set from now on count with the new day (this process at once; others within a minute).
    this.tasks.forgetCalendar();
    return set;
  }

  /**
   * Imports a work-calendar file (the State Council's notice for a year, as `date,kind,name,source` lines), the
   * same way the service loads the files it ships at start-up: every bad line told at once, nothing written then;
   * importing the same file again changes nothing. Recorded in the audit trail.
   */
  async importCsv(actor: Actor, fileName: string, csv: string): Promise<CalendarImportResult> {
    const result = await this.dataSource.transaction((m) =>
      importCalendarFile(m, this.audit, actor, { fileName, csv, by: 'administrator', now: this.clock.now() }),
    );
    this.tasks.forgetCalendar();
    return result;
  }
}
