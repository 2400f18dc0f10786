import { addDays } from '../common/china-time.js';

/** The China days a residents' evaluation period covers: a year (YYYY), a quarter (YYYYQn) or a month (YYYY-MM). */
export interface EvaluationPeriodDays {
  from: string;
  to: string;
}

/** The first and last day of an evaluation period as EvaluationDto accepts it; null for any other text. */
export function evaluationPeriodDays(period: string): EvaluationPeriodDays | null {
  const m = /^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$/.exec(period);
  if (!m) return null;
  const year = Number(m[1]);
  const [firstMonth, months] = m[2] ? [(Number(m[2]) - 1) * 3 + 1, 3] : m[3] ? [Number(m[3]), 1] : [1, 12];
  const from = `${m[1]}-${String(firstMonth).padStart(2, '0')}-01`;
  const afterMonth = firstMonth + months;
  const next = afterMonth > 12 ? `${year + 1}-01-01` : `${m[1]}-${String(afterMonth).padStart(2, '0')}-01`;
  return { from, to: addDays(next, -1) };
}
