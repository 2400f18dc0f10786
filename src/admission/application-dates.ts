import { addDays } from '../common/china-time.js';
import type { FieldProblem } from '../common/validation.js';

const need = (zh: string, en: string) => `${zh}。${en}`;

/** The last day a period starting on `start` (YYYY-MM-DD) may end to last at most `years` years. */
export function lastDayWithin(start: string, years: number): string {
  const [y, m, d] = start.split('-').map(Number);
  // The same day `years` later (29 February on a common year: 1 March), less one day.
  const same = new Date(Date.UTC(y + years, m - 1, d));
  // No calendar day after 9999-12-31 (an ISO date has four digits of year).
  if (same.getUTCFullYear() > 9999) return '9999-12-31';
  return addDays(same.toISOString().slice(0, 10), -1);
}

/**
 * The period an application asks for, as submitted (seed 001: 一次告知 — every problem at once): it may not
 * start before today (China time), end before it starts, or last longer than the configured maximum.
 */
export function periodProblems(
  startDate: string | null | undefined,
  endDate: string | null | undefined,
  today: string,
  maxYears: number,
): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (startDate && startDate < today)
    out.push({
      field: 'startDate',
      problems: [
        need(
          `开始日期不能早于今天（${today}），请改为今天或以后的日期`,
          `The start date is before today (${today}); choose today or a later day`,
        ),
      ],
    });
  if (startDate && endDate && endDate < startDate)
    out.push({
      field: 'endDate',
      problems: [need('结束日期不能早于开始日期', 'The end date is before the start date')],
    });
  else if (startDate && endDate && endDate > lastDayWithin(startDate, maxYears))
    out.push({
      field: 'endDate',
      problems: [
        need(
          `实施期限最长 ${maxYears} 年，结束日期最晚为 ${lastDayWithin(startDate, maxYears)}；更长的工作请到期后重新申请`,
          `The period may last at most ${maxYears} year(s): end on ${lastDayWithin(startDate, maxYears)} at the latest, and apply again for more`,
        ),
      ],
    });
  return out;
}
