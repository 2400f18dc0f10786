import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import {
  CALENDAR_IMPORT_LOCK,
  calendarFileRecord,
  importCalendarFile,
  sha256Of,
} from './work-calendar-import.js';

/** The project's root: the nearest folder above this file with a package.json (the same from src/ and dist/src/). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Where the service's own data lives: the national work calendars (`work-calendar-*.csv`). */
export const SHIPPED_DATA_DIR = join(projectRoot(), 'data');

/** The work-calendar files shipped with the service, by name, in name order. */
export function shippedCalendarFiles(dir = SHIPPED_DATA_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^work-calendar-[A-Za-z0-9._-]+\.csv$/.test(f))
    .sort();
}

/**
 * At start-up, in one transaction under the import lock (several processes starting at once take turns, the
 * later ones find the files loaded): imports each shipped work-calendar file that was not imported yet, through
 * the same import an administrator uses for the next year's notice. A file is imported again when a newer
 * version of it ships, unless an administrator imported a file of that name (theirs stands). Answers the files
 * imported now.
 */
export async function loadShippedCalendars(
  dataSource: DataSource,
  log: Logger,
  dir = SHIPPED_DATA_DIR,
  clock = new Clock(),
): Promise<string[]> {
  const files = shippedCalendarFiles(dir);
  if (files.length === 0) {
    log.warn(`no work-calendar file in ${dir}: working-day limits count Monday to Friday only`);
    return [];
  }
  const audit = new AuditService(dataSource, clock);
  const loaded = await dataSource.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [CALENDAR_IMPORT_LOCK]);
    const now: string[] = [];
    for (const fileName of files) {
      const csv = readFileSync(join(dir, fileName), 'utf8');
      const last = await calendarFileRecord(m, fileName);
      if (last && (last.sha256 === sha256Of(csv) || last.by !== 'start-up')) continue;
      // A newer version over days an administrator has changed since: theirs stand, they import it by hand.
      if (last && (await changedByHandSince(m, last.importedAt))) {
        log.warn(
          { file: fileName },
          `工作日历文件 ${fileName} 有新版本，但管理员此后调整过工作日历，未自动导入；请核对后通过 POST /work-calendar/imports 导入。A newer ${fileName} ships, but the calendar was changed by hand since: import it with POST /work-calendar/imports after checking.`,
        );
        continue;
      }
      try {
        await importCalendarFile(m, audit, {}, { fileName, csv, by: 'start-up', now: clock.now() });
      } catch (e) {
        // Name the file: the lines are in the error's details (printed at start-up).
        if (e instanceof AppError) e.message = `${join(dir, fileName)}：${e.message}`;
        throw e;
      }
      now.push(fileName);
    }
    return now;
  });
  if (loaded.length) log.info({ files: loaded }, 'work calendar loaded');
  return loaded;
}

/** Whether an administrator set a day or imported a file since `since` (ISO instant). */
async function changedByHandSince(m: EntityManager, since: string): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `SELECT 1 FROM audit_record
      WHERE action IN ('work-calendar.day-set', 'work-calendar.imported') AND actor_id IS NOT NULL AND at > $1
      LIMIT 1`,
    [since],
  );
  return rows.length > 0;
}
