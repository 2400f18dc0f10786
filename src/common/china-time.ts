/**
 * Working-day arithmetic for step limits (限时办结): Monday–Friday are working days unless the calendar says
 * otherwise (public holidays off, 调休 weekend days on). Dates are calendar days in China Standard Time.
 */
const CST_OFFSET_MS = 8 * 3600_000;

export type CalendarExceptions = ReadonlyMap<string, boolean>;

export function cstDay(date: Date): string {
  return new Date(date.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

export function isWorkingDay(day: string, exceptions: CalendarExceptions): boolean {
  const explicit = exceptions.get(day);
  if (explicit !== undefined) return explicit;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The deadline `days` working days after `from`: the end (24:00 CST) of the `days`-th working day after the
 * day of `from`. A step received on Friday with a limit of 1 working day is due at the end of Monday.
 */
export function addWorkingDays(from: Date, days: number, exceptions: CalendarExceptions): Date {
  let day = cstDay(from);
  let left = days;
  for (let guard = 0; left > 0 && guard < 3660; guard++) {
    day = nextDay(day);
    if (isWorkingDay(day, exceptions)) left--;
  }
  return dayStartCst(nextDay(day));
}

/** The calendar day `n` days after `day` (before it when `n` is negative); days are YYYY-MM-DD. */
export function addDays(day: string, n: number): string {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + n * 86400_000).toISOString().slice(0, 10);
}

/** The day after `day`. */
export function nextDay(day: string): string {
  return addDays(day, 1);
}

/** The instant a China day begins (00:00 CST). */
export function dayStartCst(day: string): Date {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() - CST_OFFSET_MS);
}

/** Parses a step limit: `5WD` (working days) or an ISO duration in days/hours (`P3D`, `PT12H`). */
export function parseLimit(value: string): { workingDays: number } | { ms: number } | null {
  const wd = /^(\d{1,3})WD$/i.exec(value.trim());
  if (wd) return { workingDays: Number(wd[1]) };
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(value.trim());
  if (iso && (iso[1] || iso[2] || iso[3])) {
    return { ms: ((Number(iso[1] ?? 0) * 24 + Number(iso[2] ?? 0)) * 60 + Number(iso[3] ?? 0)) * 60_000 };
  }
  return null;
}

/** A calendar day (YYYY-MM-DD) or an instant (taken as its day in Asia/Shanghai) as 2026年12月1日. */
export function formatChinaDate(value: string | Date): string {
  const day = value instanceof Date ? cstDay(value) : value.slice(0, 10);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return value instanceof Date ? day : value;
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
}
