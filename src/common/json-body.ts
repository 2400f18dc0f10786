import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isUtf8 } from 'node:buffer';
import { AppError } from './errors.js';

/** The most keys one object of a request may hold (no request's object has more than some dozens). */
export const MAX_KEYS_PER_OBJECT = 1000;
/** The most keys a whole request may hold (the largest, 200 stamp-list changes, has some thousands). */
export const MAX_KEYS_PER_BODY = 20_000;

/**
 * What is wrong with a JSON text's shape, found in one linear pass without parsing (brackets and colons inside
 * strings do not count), stopping at the first: nested deeper than `limit`, or an object with more than
 * MAX_KEYS_PER_OBJECT keys or a body with more than MAX_KEYS_PER_BODY — validating an object costs time in the
 * square of its keys (60,000 keys held the event loop 5.7 s) and every key of every object some microseconds (900
 * objects of 999 keys, 2 s), so it is refused before anything reads it.
 */
export function jsonShapeProblem(text: string, limit: number): 'too-deep' | 'too-many-keys' | null {
  // One entry per open bracket: the keys counted so far in an object, -1 for an array.
  const open: number[] = [];
  let keys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      open.push(c === 0x7b ? 0 : -1);
      if (open.length > limit) return 'too-deep';
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) open.pop();
    else if (c === 0x3a /* : */ && open.length && open[open.length - 1] >= 0) {
      if (++open[open.length - 1] > MAX_KEYS_PER_OBJECT || ++keys > MAX_KEYS_PER_BODY) return 'too-many-keys';
    }
  }
  return null;
}

/**
 * Fastify's JSON body parser behind a check that refuses bodies nested deeper than `maxDepth` (400 JSON_TOO_DEEP):
 * deeply nested JSON would otherwise exhaust the stack of every step that walks it (validation, transformation,
 * storage). Everything else is Fastify's own parser (prototype poisoning refused: 400 JSON_KEY_NOT_ALLOWED). Register it with
 * `app.useBodyParser('application/json', …)`.
 */
export function boundedJsonParser(fastify: FastifyInstance, maxDepth: number) {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
    // JSON is UTF-8 (RFC 8259): another charset declared, or bytes that are no UTF-8 (a GBK body), would be stored
    // as replacement characters — a title of ���� sent to communities. Refused, saying to send UTF-8.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(
      String(request.headers['content-type'] ?? ''),
    )?.[1];
    if ((charset && !/^utf-?8$/i.test(charset)) || !isUtf8(body)) {
      done(new AppError('BODY_NOT_UTF8'));
      return;
    }
    const text = body.toString('utf8');
    // An empty body sent as JSON (many clients send the header with no body) is no body, as without the header.
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    const problem = jsonShapeProblem(text, maxDepth);
    if (problem === 'too-deep') {
      done(
        new AppError('JSON_TOO_DEEP', [
          { field: 'body', problems: [`最多嵌套 ${maxDepth} 层。At most ${maxDepth} levels of nesting.`] },
        ]),
      );
      return;
    }
    if (problem === 'too-many-keys') {
      done(
        new AppError('JSON_TOO_MANY_KEYS', [
          {
            field: 'body',
            problems: [
              `一个对象最多 ${MAX_KEYS_PER_OBJECT} 个字段，整个请求最多 ${MAX_KEYS_PER_BODY} 个。` +
                `An object may have at most ${MAX_KEYS_PER_OBJECT} keys, the whole body ${MAX_KEYS_PER_BODY}.`,
            ],
          },
        ]),
      );
      return;
    }
    void parse(request, text, (err, parsed) => {
      // Fastify's parser refuses a key that would poison prototypes as it refuses broken JSON; JSON that parses
      // plainly was refused for that key: say so, not that the text is no JSON.
      if (err && parsesPlainly(text))
        done(
          new AppError('JSON_KEY_NOT_ALLOWED', [
            {
              field: 'body',
              problems: [
                '键名 __proto__ 和 constructor.prototype 不能使用，请删去后重新提交。The keys __proto__ and constructor.prototype are not allowed.',
              ],
            },
          ]),
        );
      else done(err, parsed);
    });
  };
}

/** Whether the text is JSON to a plain parser (which keeps __proto__ as an own key: nothing is poisoned). */
function parsesPlainly(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
