import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { AppError } from '../common/errors.js';
import { parseCalendarCsv } from './work-calendar-csv.js';

/** The advisory lock that serializes imports of the work calendar (several processes starting at once). */
export const CALENDAR_IMPORT_LOCK = 7270035;

/** Who loaded a file: an administrator through the API, or the service at start-up (the files it ships). */
export type CalendarImportBy = 'administrator' | 'start-up';

/** What an import of a work-calendar file recorded (system_setting `work-calendar-file:<name>`). */
/** How many bad lines an import names at most. */
const MAX_LINES_TOLD = 200;

export interface CalendarFileRecord {
  sha256: string;
  by: CalendarImportBy;
  importedAt: string;
  days: number;
}

export interface CalendarImportResult {
  fileName: string;
  sha256: string;
  /** Days the file marks. */
  days: number;
  /** Days marked for the first time. */
  added: number;
  /** Days already marked otherwise (working day or name), now as the file says. */
  changed: number;
  /** Days already marked as the file says. */
  unchanged: number;
  /** The years the file marks days in. */
  years: number[];
}

export const calendarFileKey = (fileName: string) => `work-calendar-file:${fileName}`;

export const sha256Of = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The record of the last import of a file of this name, if any. */
export async function calendarFileRecord(
  m: EntityManager,
  fileName: string,
): Promise<CalendarFileRecord | null> {
  const rows: { value: string }[] = await m.query('SELECT value FROM system_setting WHERE key = $1', [
    calendarFileKey(fileName),
  ]);
  return rows[0] ? (JSON.parse(rows[0].value) as CalendarFileRecord) : null;
}

/**
 * Imports a work-calendar file inside the caller's transaction: every line checked first (any bad line: 400
 * CALENDAR_CSV_INVALID listing them all, nothing written); then each day marked as the file says (days the file
 * does not mention stay as they are), the file and its hash recorded, and one audit record with what changed. The
 * same file imported again changes nothing. The one path for the files the service ships and for an
 * administrator's next-year notice.
 */
export async function importCalendarFile(
  m: EntityManager,
  audit: AuditService,
  actor: Actor,
  input: { fileName: string; csv: string; by: CalendarImportBy; now: Date },
): Promise<CalendarImportResult> {
  const { days, problems } = parseCalendarCsv(input.csv);
  // Every bad line at once, up to a page of them (a file of thousands of bad lines says so in its last entry).
  if (problems.length > MAX_LINES_TOLD)
    throw new AppError('CALENDAR_CSV_INVALID', [
      ...problems.slice(0, MAX_LINES_TOLD),
      {
        line: problems[MAX_LINES_TOLD].line,
        problems: [
          `此后还有 ${problems.length - MAX_LINES_TOLD} 行有误，请先改正以上各行。${problems.length - MAX_LINES_TOLD} more lines are wrong after these; correct the lines above first.`,
        ],
      },
    ]);
  if (problems.length) throw new AppError('CALENDAR_CSV_INVALID', problems);
  await m.query('SELECT pg_advisory_xact_lock($1)', [CALENDAR_IMPORT_LOCK]);
  const before: { day: string; working_day: boolean; note: string | null }[] = await m.query(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, working_day, note FROM work_calendar_day WHERE day = ANY($1::date[]) FOR UPDATE`,
    [days.map((d) => d.day)],
  );
  const old = new Map(before.map((b) => [b.day, b]));
  const added: string[] = [];
  const changed: { day: string; before: object; after: object }[] = [];
  const writes = days.filter((d) => {
    const was = old.get(d.day);
    if (!was) {
      added.push(d.day);
      return true;
    }
    if (was.working_day === d.workingDay && was.note === d.name) return false;
    changed.push({
      day: d.day,
      before: { workingDay: was.working_day, note: was.note },
      after: { workingDay: d.workingDay, note: d.name },
    });
    return true;
  });
  if (writes.length) {
    await m.query(
      `INSERT INTO work_calendar_day (day, working_day, note)
       SELECT * FROM unnest($1::date[], $2::boolean[], $3::varchar[])
       ON CONFLICT (day) DO UPDATE SET working_day = EXCLUDED.working_day, note = EXCLUDED.note`,
      [writes.map((d) => d.day), writes.map((d) => d.workingDay), writes.map((d) => d.name)],
    );
  }
  const sha256 = sha256Of(input.csv);
  const record: CalendarFileRecord = {
    sha256,
    by: input.by,
    importedAt: input.now.toISOString(),
    days: days.length,
  };
  await m.query(
    `INSERT INTO system_setting (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [calendarFileKey(input.fileName), JSON.stringify(record)],
  );
  const years = [...new Set(days.map((d) => Number(d.day.slice(0, 4))))].sort();
  await audit.record(m, actor, {
    action: 'work-calendar.imported',
    entityType: 'work_calendar_day',
    entityId: input.fileName,
    data: {
      fileName: input.fileName,
      sha256,
      by: input.by,
      years,
      days: days.length,
      sources: [...new Set(days.map((d) => d.source).filter((s) => s !== null))],
      added,
      changed,
      unchanged: days.length - writes.length,
    },
  });
  return {
    fileName: input.fileName,
    sha256,
    days: days.length,
    added: added.length,
    changed: changed.length,
    unchanged: days.length - writes.length,
    years,
  };
}
