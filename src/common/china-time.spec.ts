import { addDays, addWorkingDays, cstDay, dayStartCst, nextDay, parseLimit } from './china-time.js';

const cst = (s: string) => new Date(`${s}+08:00`);

describe('working days (限时办结)', () => {
  const none = new Map<string, boolean>();

  it('given a Friday and one working day, then the limit ends with Monday', () => {
    const due = addWorkingDays(cst('2026-11-20T10:00:00'), 1, none);
    expect(due.toISOString()).toBe(cst('2026-11-24T00:00:00').toISOString());
  });

  it('given a holiday week and a 调休 Saturday, then holidays are skipped and the Saturday counts', () => {
    const calendar = new Map([
      ['2026-10-01', false],
      ['2026-10-02', false],
      ['2026-10-05', false],
      ['2026-10-06', false],
      ['2026-10-07', false],
      ['2026-10-08', false],
      ['2026-10-10', true],
    ]);
    // received Wed 30 Sep; working days after it: Fri 9 Oct, Sat 10 Oct (调休), Mon 12 Oct
    const due = addWorkingDays(cst('2026-09-30T16:00:00'), 3, calendar);
    expect(cstDay(new Date(due.getTime() - 1))).toBe('2026-10-12');
  });

  it('given limits in words, then they parse; nonsense does not', () => {
    expect(parseLimit('5WD')).toEqual({ workingDays: 5 });
    expect(parseLimit('P2D')).toEqual({ ms: 2 * 86400_000 });
    expect(parseLimit('PT12H')).toEqual({ ms: 12 * 3600_000 });
    expect(parseLimit('soon')).toBeNull();
  });
});

describe('China days', () => {
  it('given a day, then the day after, days ahead and its first instant are China days', () => {
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(dayStartCst('2027-01-01').toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(cstDay(dayStartCst('2027-01-01'))).toBe('2027-01-01');
    expect(cstDay(new Date(dayStartCst('2027-01-01').getTime() - 1))).toBe('2026-12-31');
  });
});
