import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { pageRequest, toPage, type Page, type PageQuery } from '../common/pagination.js';

/** The work calendar that step limits count with: holidays and 调休 working days. */
@Injectable()
export class WorkCalendarService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
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
    return this.dataSource.transaction(async (m) => {
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
  }
}
