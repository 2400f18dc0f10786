import { lastDayWithin, periodProblems } from './application-dates.js';

describe('the period of an application', () => {
  it('given a start, then three years end the day before the same date three years on (29 February too)', () => {
    expect(lastDayWithin('2027-06-01', 3)).toBe('2030-05-31');
    expect(lastDayWithin('2027-01-01', 3)).toBe('2029-12-31');
    expect(lastDayWithin('2028-02-29', 3)).toBe('2031-02-28');
    // No day past 9999-12-31: a late start's limit is the last ISO day, not an extended year.
    expect(lastDayWithin('9998-06-15', 3)).toBe('9999-12-31');
    expect(periodProblems('9998-06-15', '9999-12-31', '2027-03-10', 3)).toEqual([]);
  });

  it('given a start before today, an end before the start or a period too long, then each is named', () => {
    const fields = (s: string, e: string) => periodProblems(s, e, '2027-03-10', 3).map((p) => p.field);
    expect(fields('2027-03-10', '2030-03-09')).toEqual([]);
    expect(fields('2027-03-09', '2027-12-31')).toEqual(['startDate']);
    expect(fields('2027-06-01', '2027-05-31')).toEqual(['endDate']);
    expect(fields('2027-03-10', '2030-03-10')).toEqual(['endDate']);
    expect(fields('2027-01-01', '2031-01-01')).toEqual(['startDate', 'endDate']);
  });
});
