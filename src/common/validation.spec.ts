import validator from 'validator';
import {
  fieldName,
  hasLoneSurrogate,
  isBase64Text,
  isBlank,
  RejectUnstorableTextPipe,
} from './validation.js';

/**
 * Under heavy load V8 threw "Maximum call stack size exceeded" from a regular expression run over an upload's
 * 7 MB of base64 (class-validator's IsBase64): the upload answered 500 instead of 413. Here any regular
 * expression run over a subject of more than a megabyte throws the same, as V8 did then.
 */
function whileLongRegExpsOverflow(run: () => void): void {
  const { test, exec } = RegExp.prototype;
  const overflowing = (subject: unknown) => {
    if (String(subject).length > 1024 * 1024) throw new RangeError('Maximum call stack size exceeded');
  };
  RegExp.prototype.test = function (this: RegExp, s: string) {
    overflowing(s);
    return test.call(this, s);
  };
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    overflowing(s);
    return exec.call(this, s);
  };
  try {
    run();
  } finally {
    RegExp.prototype.test = test;
    RegExp.prototype.exec = exec;
  }
}

const upload = Buffer.alloc(5 * 1024 * 1024 + 1, 7).toString('base64');

describe('large text in a request', () => {
  it('given 7 MB of base64 while regular expressions over long text overflow, then it is checked as base64 all the same', () => {
    whileLongRegExpsOverflow(() => {
      expect(isBase64Text(upload)).toBe(true);
      expect(isBase64Text(`${upload.slice(0, -4)}AB!=`)).toBe(false);
    });
  });

  it('given 7 MB in a body while regular expressions over long text overflow, then the unstorable-text check passes it', () => {
    const pipe = new RejectUnstorableTextPipe();
    whileLongRegExpsOverflow(() => {
      const body = { fileName: 'big.pdf', contentBase64: upload };
      expect(pipe.transform(body, { type: 'body' })).toBe(body);
      expect(() => pipe.transform({ contentBase64: `${upload}\ud800` }, { type: 'body' })).toThrow();
    });
  });

  it.each([
    '',
    'QQ==',
    'QUI=',
    'QUJD',
    'Q===',
    '====',
    '==',
    'QQ=',
    'QQ==QQ==',
    'a+/9',
    'a-_9',
    'QUJD\n',
    ' QUJD',
    '中文==',
  ])('given %j, then it is base64 exactly when class-validator says so', (text) => {
    expect(isBase64Text(text)).toBe(validator.isBase64(text));
  });

  it.each(['', 'abc', '政策', '😀', '\ud83d', '\ude00', 'a\ud83dz', '\ude00\ud83d', '😀\ud83d', 'x\udfff😀'])(
    'given %j, then a lone surrogate is found exactly where /\\p{Cs}/u finds one',
    (text) => {
      expect(hasLoneSurrogate(text)).toBe(/\p{Cs}/u.test(text));
    },
  );
});

describe('words that show nothing, and one name for a field', () => {
  it('given white space of any width and invisible format characters, then the text is blank; a visible character is not', () => {
    for (const blank of [
      undefined,
      null,
      '',
      ' ',
      '\u3000',
      '\u200b',
      ' \u200b\ufeff\u2060 ',
      '\u202e\u200d',
    ])
      expect(isBlank(blank)).toBe(true);
    for (const words of ['a', ' 社区 ', '\u200b不\u200b', '0']) expect(isBlank(words)).toBe(false);
  });

  it('given a field’s name with spaces (half- or full-width), full-width letters or invisible characters, then it is one name', () => {
    expect(['姓名', ' 姓名', '姓名 ', '姓　名', '姓\u200b名', ' 姓 名 '].map(fieldName)).toEqual(
      Array(6).fill('姓名'),
    );
    expect(fieldName('ＩＤ  number')).toBe('ID number');
    expect(fieldName('身份证 ID')).toBe('身份证ID');
    // Punctuation and symbols stay as typed: a name stored before still compares equal.
    expect(['联系电话（手机）', '面积（㎡）', '①户数', '身份证号：'].map(fieldName)).toEqual([
      '联系电话（手机）',
      '面积（㎡）',
      '①户数',
      '身份证号：',
    ]);
  });
});
