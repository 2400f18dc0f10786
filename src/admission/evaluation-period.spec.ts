import { evaluationPeriodDays } from './evaluation-period.js';

describe('the days of a residents’ evaluation period', () => {
  it.each([
    ['2027', '2027-01-01', '2027-12-31'],
    ['2027Q1', '2027-01-01', '2027-03-31'],
    ['2027Q4', '2027-10-01', '2027-12-31'],
    ['2028-02', '2028-02-01', '2028-02-29'],
    ['2027-02', '2027-02-01', '2027-02-28'],
    ['2027-12', '2027-12-01', '2027-12-31'],
  ])('given %s, then it runs from %s to %s', (period, from, to) => {
    expect(evaluationPeriodDays(period)).toEqual({ from, to });
  });

  it.each(['2027Q5', '2027-13', '27Q1', '2027-1', ''])('given %j, then it is no period', (period) => {
    expect(evaluationPeriodDays(period)).toBeNull();
  });
});
