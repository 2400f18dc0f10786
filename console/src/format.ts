/** Dates and amounts as Chinese users read them: 2026年12月1日 (China time), 1,234.50 元 (fen exact). */

/** A calendar day `YYYY-MM-DD` as 2026年12月1日. */
export function chineseDay(day: string | null | undefined): string {
  if (!day) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : day;
}

const CHINA_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The China day (Asia/Shanghai) of an instant, as `YYYY-MM-DD`. */
export function chinaDayOf(instant: Date | string): string {
  return CHINA_DAY.format(typeof instant === 'string' ? new Date(instant) : instant);
}

/**
 * The calendar day a date picker's Date stands for (the picker makes local midnight of the day clicked), as
 * `YYYY-MM-DD`: compare it with China days (chinaDayOf), never the Date itself (its instant depends on the zone).
 */
export function pickedDayOf(picked: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${picked.getFullYear()}-${pad(picked.getMonth() + 1)}-${pad(picked.getDate())}`;
}

/** Today in China (Asia/Shanghai), as `YYYY-MM-DD`. */
export function chinaToday(): string {
  return chinaDayOf(new Date());
}

/**
 * The last day to finish a task due at `dueAt` (the API's due instant is 00:00 China time of the day AFTER the
 * last day), as `YYYY-MM-DD`; null when none.
 */
export function lastDayOf(dueAt: string | null | undefined): string | null {
  if (!dueAt) return null;
  return chinaDayOf(new Date(new Date(dueAt).getTime() - 1));
}

/** Whether `day` is a real calendar day `YYYY-MM-DD` (2026-13-45 and 2026-02-30 are not). */
/**
 * The working days a task has left through its last day (the API's workingDaysLeft, which counts today when it is
 * a working day: todayCounted), as a clerk reads it beside its time limit: a 5-working-day task that arrives on a
 * working day has today and five more, 含今天还有 6 个工作日 — never 剩余 6 beside 5 个工作日; on a Saturday,
 * 还有 2 个工作日 (Monday and Tuesday). On its last working day: 今天是最后一个工作日.
 */
export function daysLeftText(t: { workingDaysLeft: number; todayCounted?: boolean | null }): string {
  if (t.todayCounted === false)
    return t.workingDaysLeft > 0 ? `还有 ${t.workingDaysLeft} 个工作日` : '截止前已无工作日，请尽快办理';
  return t.workingDaysLeft <= 1 ? '今天是最后一个工作日' : `含今天还有 ${t.workingDaysLeft} 个工作日`;
}

export function isRealDay(day: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** An instant as its China day and time: 2026年12月1日 09:30. */
export function chineseDateTime(instant: string | null | undefined): string {
  if (!instant) return '—';
  const d = new Date(instant);
  const time = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);
  return `${chineseDay(chinaDayOf(d))} ${time}`;
}

/** An amount in fen as yuan, exact (integer arithmetic): 123456 → 1,234.56 元. */
export function yuan(fen: number | string | null | undefined): string {
  if (fen === null || fen === undefined || fen === '') return '—';
  let n = BigInt(fen);
  const negative = n < 0n;
  if (negative) n = -n;
  const whole = (n / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (n % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${cents} 元`;
}
