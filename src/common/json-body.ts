import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

/**
 * The deepest nesting of arrays and objects in a JSON text, found in one linear pass without parsing;
 * stops counting as soon as `limit` is exceeded. Brackets inside strings do not count.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
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
    const text = body.toString('utf8');
    if (jsonDepthExceeds(text, maxDepth)) {
      done(
        new AppError('JSON_TOO_DEEP', [
          { field: 'body', problems: [`最多嵌套 ${maxDepth} 层。At most ${maxDepth} levels of nesting.`] },
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
