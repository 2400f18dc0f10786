import { readFileSync } from 'node:fs';
import { csvFields, parseCalendarCsv } from './work-calendar-csv.js';

describe('work-calendar CSV', () => {
  it('given the shipped 2026 file, then it reads 39 days without a problem', () => {
    const { days, problems } = parseCalendarCsv(readFileSync('data/work-calendar-cn-2026.csv', 'utf8'));
    expect(problems).toEqual([]);
    expect(days).toHaveLength(39);
    expect(days.filter((d) => d.workingDay).map((d) => d.day)).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
  });

  it('given a byte-order mark, CRLF line ends and a quoted name with a comma and a quote, then they are read', () => {
    const { days, problems } = parseCalendarCsv(
      '\uFEFFdate,kind,name,source\r\n2031-10-01,holiday,"国庆节, 中秋节 ""双节""",通知\r\n',
    );
    expect(problems).toEqual([]);
    expect(days).toEqual([
      { line: 2, day: '2031-10-01', workingDay: false, name: '国庆节, 中秋节 "双节"', source: '通知' },
    ]);
  });

  it('given an open quote, then the line is reported', () => {
    expect(csvFields('2031-10-01,holiday,"国庆节')).toBeNull();
    expect(parseCalendarCsv('date,kind,name\n2031-10-01,holiday,"国庆节\n').problems).toEqual([
      { line: 2, problems: ['引号未闭合。A quote is not closed.'] },
    ]);
  });

  it('given only a header, then it says the file has no days', () => {
    expect(parseCalendarCsv('date,kind,name,source\n').problems[0].problems[0]).toMatch(
      /^文件中没有任何日期/,
    );
  });
});
