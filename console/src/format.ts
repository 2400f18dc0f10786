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
