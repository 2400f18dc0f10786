import { isCalendarDay } from '../common/validation.js';

/**
 * The work-calendar file as the State Council's yearly holiday notice is transcribed (data/work-calendar-cn-2026.csv):
 * a header `date,kind,name,source`, then one line per marked day — `holiday` for a day off, `workday` for a weekend
 * day worked in exchange (调休上班). Fields may be quoted ("…") as in any CSV.
 */
export const CALENDAR_CSV_COLUMNS = ['date', 'kind', 'name', 'source'] as const;

/** The most days one file may mark (a year's notice marks about forty). */
export const CALENDAR_CSV_MAX_DAYS = 1000;

export interface CalendarCsvDay {
  /** Line number in the file (the header is line 1). */
  line: number;
  day: string;
  workingDay: boolean;
  name: string;
  source: string | null;
}

export interface CalendarCsvProblem {
  line: number;
  problems: string[];
}

/** Splits one CSV line into fields (RFC 4180 quoting); null when a quote is left open. */
export function csvFields(line: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return null;
  fields.push(field);
  return fields.map((f) => f.trim());
}

const WEEKDAY = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();

/**
 * Reads a work-calendar file, checking every line; answers the days, or every problem at once (一次告知) by line
 * number, saying what is wrong and what to write instead.
 */
export function parseCalendarCsv(text: string): { days: CalendarCsvDay[]; problems: CalendarCsvProblem[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: CalendarCsvProblem[] = [];
  const days: CalendarCsvDay[] = [];
  const header = csvFields(lines[0] ?? '')?.map((h) => h.toLowerCase());
  const headerOk =
    header !== undefined &&
    header !== null &&
    (header.length === 3 || header.length === 4) &&
    header.every((h, i) => h === CALENDAR_CSV_COLUMNS[i]);
  if (!headerOk) {
    problems.push({
      line: 1,
      problems: [
        '第 1 行须为表头 date,kind,name,source（source 可省略）。Line 1 must be the header date,kind,name,source (source may be left out).',
      ],
    });
  }
  const firstLineOf = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i].trim() === '') continue;
    const fields = csvFields(lines[i]);
    const wrong: string[] = [];
    if (!fields) {
      problems.push({ line, problems: ['引号未闭合。A quote is not closed.'] });
      continue;
    }
    if (fields.length < 3 || fields.length > 4) {
      problems.push({
        line,
        problems: [
          `须有 3 或 4 列（date,kind,name,source），实有 ${fields.length} 列；名称中含逗号时请加英文双引号。The line must have 3 or 4 columns (date,kind,name,source), it has ${fields.length}; quote a name that contains a comma.`,
        ],
      });
      continue;
    }
    const [day, kind, name, source] = fields;
    if (!isCalendarDay(day)) {
      wrong.push(
        `日期（date）“${day}”须为实际存在的日期，格式 YYYY-MM-DD。The date "${day}" must be a real date written YYYY-MM-DD.`,
      );
    }
    if (kind !== 'holiday' && kind !== 'workday') {
      wrong.push(
        `类型（kind）“${kind}”须为 holiday（放假）或 workday（调休上班）。The kind "${kind}" must be holiday (a day off) or workday (a weekend day worked).`,
      );
    } else if (kind === 'workday' && isCalendarDay(day) && WEEKDAY(day) !== 0 && WEEKDAY(day) !== 6) {
      wrong.push(
        `${day} 是周一至周五，本来就是工作日：调休上班日（workday）须为周六或周日，请核对日期。${day} is a weekday and a working day anyway: a workday (调休上班) must be a Saturday or a Sunday; check the date.`,
      );
    }
    if (name === '') wrong.push('名称（name）须填写，如“春节”。The name is required, e.g. 春节.');
    else if (name.length > 100)
      wrong.push('名称（name）最多 100 个字符。The name may have at most 100 characters.');
    if ((source ?? '').length > 300)
      wrong.push('来源（source）最多 300 个字符。The source may have at most 300 characters.');
    const earlier = firstLineOf.get(day);
    if (earlier !== undefined && isCalendarDay(day)) {
      wrong.push(
        `日期 ${day} 与第 ${earlier} 行重复，每天只能出现一次。The date ${day} repeats line ${earlier}; each day may appear once.`,
      );
    } else firstLineOf.set(day, line);
    if (wrong.length) problems.push({ line, problems: wrong });
    else days.push({ line, day, workingDay: kind === 'workday', name, source: source || null });
  }
  if (days.length === 0 && problems.length === 0) {
    problems.push({
      line: 1,
      problems: [
        '文件中没有任何日期，请在表头之后每行写一天。The file has no days; write one day per line after the header.',
      ],
    });
  }
  if (days.length > CALENDAR_CSV_MAX_DAYS) {
    problems.push({
      line: days[CALENDAR_CSV_MAX_DAYS].line,
      problems: [
        `一个文件最多 ${CALENDAR_CSV_MAX_DAYS} 天，请按年份拆分。A file may mark at most ${CALENDAR_CSV_MAX_DAYS} days; split it by year.`,
      ],
    });
  }
  return { days, problems };
}
