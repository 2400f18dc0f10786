import type { ArgumentMetadata } from '@nestjs/common';
import { AppError } from '../src/common/errors.js';
import { makeValidationPipe } from '../src/common/validation.js';
import { StampCheckQuery, StampCheckQueryPipe } from '../src/stamps/dto/stamp-items.dto.js';

/**
 * Review of the public check's fast path (StampCheckQueryPipe): the queries the review asked about answer exactly
 * as the global ValidationPipe does — taken with the same fields, or refused with the same code and details.
 */
const META: ArgumentMetadata = { type: 'query', metatype: StampCheckQuery, data: undefined };

async function outcome(
  run: () => Promise<StampCheckQuery | { name: string; community?: string; date?: string }>,
) {
  try {
    const q = await run();
    return { ok: { name: q.name, community: q.community, date: q.date } };
  } catch (e) {
    return { refused: e instanceof AppError ? [e.code, e.details] : String(e) };
  }
}

const QUERIES: Record<string, unknown>[] = [
  { name: '\u3000居住证明\u3000' },
  { name: '\u3000\u3000' },
  { name: '\t\n ' },
  { name: `\u3000${'证'.repeat(100)}\u3000` },
  { name: '证'.repeat(101) },
  { name: '\u200B' },
  { name: '居住证明', date: '2027-02-30' },
  { name: '居住证明', date: '2028-02-29' },
  { name: '居住证明', date: '0000-01-01' },
  { name: '居住证明', date: '9999-12-31' },
  { name: '居住证明', date: ' 2027-01-04' },
  { name: ['a', 'b'] },
  { name: '居住证明', community: ' 339901001001' },
  { name: '居住证明', community: '339901001001', unknown: 'x' },
  { name: '居住证明', community: undefined, date: undefined, x: undefined },
];

describe('the public check’s fast path and the ValidationPipe agree (review)', () => {
  it.each(QUERIES.map((q) => [JSON.stringify(q).slice(0, 60), q]))(
    'given %s, then the fast path answers as the ValidationPipe',
    async (_, query) => {
      const q = query as Record<string, unknown>;
      const expected = await outcome(
        async () => (await makeValidationPipe().transform({ ...q }, META)) as StampCheckQuery,
      );
      expect(await outcome(() => new StampCheckQueryPipe().transform({ ...q }))).toEqual(expected);
    },
  );
});
