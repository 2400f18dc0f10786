import { clerkDetails, clerkText, detailProblems } from '../console/src/messages.js';
import { ERRORS } from '../src/common/errors.js';

/** The console's reading of the API's messages (console/src/messages.ts), on the API's own texts. */
describe('the console reads the API’s messages as a clerk does', () => {
  it('given a field’s message, then the Chinese alone is left, without the field’s code or the API’s documents', () => {
    expect(clerkText('标题（title）至少 1 个字符。title must have at least 1 characters.')).toBe(
      '标题至少 1 个字符。',
    );
    expect(
      clerkText(
        '截止日期（dueDate）格式不正确，请按接口文档中的格式填写。dueDate is not in the required format (see the API docs).；截止日期（dueDate）须为 ISO 8601 格式（YYYY-MM-DD）。dueDate must be YYYY-MM-DD.',
      ),
    ).toBe('截止日期格式不正确。；截止日期须为 ISO 8601 格式（YYYY-MM-DD）。');
    expect(
      clerkText(
        '整份清单的发文机关（document.issuedBy）须写出机关名称，不能填“同上”。document.issuedBy must name it.',
      ),
    ).toBe('整份清单的发文机关须写出机关名称，不能填“同上”。');
    // Dates and numbers in brackets stay: they are not codes.
    expect(clerkText('截止日期不能早于今天（2026-12-03）。The due date is in the past.')).toBe(
      '截止日期不能早于今天（2026-12-03）。',
    );
    // Chinese after a first sentence is kept; an English text alone is left as it is.
    expect(clerkText('第一句。第二句。Both in English.')).toBe('第一句。第二句。');
    // A quoted value keeps its own brackets (a file name), while the field code beside it goes.
    expect(
      clerkText(
        '文件名（fileName）“清单（v2）.csv”须以 .csv 或 .xlsx 结尾。The file name must end in .csv or .xlsx.',
      ),
    ).toBe('文件名“清单（v2）.csv”须以 .csv 或 .xlsx 结尾。');
    expect(clerkText('The service could not answer.')).toBe('The service could not answer.');
  });

  it('given every message of the API’s error table, then none points to “details” or ends in English', () => {
    for (const [code, [, message]] of Object.entries(ERRORS) as [string, readonly [number, string]][]) {
      const text = clerkText(message);
      expect({ code, text }).toEqual({ code, text: expect.stringMatching(/^[^]*[。！？）]$/) });
      expect({ code, text }).not.toEqual({ code, text: expect.stringContaining('details') });
      // What is left of Latin letters are names a clerk sees on the screen (JSON, CSV, Excel, PDF …), no sentence.
      expect({ code, text }).not.toEqual({ code, text: expect.stringMatching(/[A-Za-z]+ [a-z]+ [a-z]+/) });
    }
    expect(clerkText(ERRORS.VALIDATION_FAILED[1])).toBe('提交的内容有误，请逐项修改后重新提交。');
  });

  it('given an answer’s details, then their texts are read the same way and the problems listed in order', () => {
    const details = [
      { field: 'argument', problems: ['异议理由（argument）须填写。argument is required.'] },
      { field: 'basis', problems: ['依据（basis）须填写。basis is required.'] },
      { line: 3, message: '证明名称（name）须填写。name is required.' },
      { retryAfterSeconds: 30 },
    ];
    const read = clerkDetails(details);
    expect(read).toEqual([
      { field: 'argument', problems: ['异议理由须填写。'] },
      { field: 'basis', problems: ['依据须填写。'] },
      { line: 3, message: '证明名称须填写。' },
      { retryAfterSeconds: 30 },
    ]);
    expect(detailProblems(read)).toEqual(['异议理由须填写。', '依据须填写。', '证明名称须填写。']);
    expect(detailProblems({ maxBytes: 1 })).toEqual([]);
  });
});
