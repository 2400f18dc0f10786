import type { ArgumentMetadata } from '@nestjs/common';
import { AppError } from '../common/errors.js';
import { makeValidationPipe } from '../common/validation.js';
import { plainCheckQuery, StampCheckQuery, StampCheckQueryPipe } from './dto/stamp-items.dto.js';
import type { RegistryData } from './stamp-registry-memory.js';
import { AnswerMemory } from './stamp-registry.service.js';

const META: ArgumentMetadata = { type: 'query', metatype: StampCheckQuery, data: undefined };

/** What the global ValidationPipe answers for the query: the validated fields, or the refusal's details. */
async function byValidationPipe(query: Record<string, unknown>) {
  try {
    const q = (await makeValidationPipe().transform(query, META)) as StampCheckQuery;
    return { ok: { name: q.name, community: q.community, date: q.date } };
  } catch (e) {
    return { refused: e instanceof AppError ? [e.code, e.details] : e };
  }
}

async function byCheckPipe(query: Record<string, unknown>) {
  try {
    const q = await new StampCheckQueryPipe().transform(query);
    return { ok: { name: q.name, community: q.community, date: q.date } };
  } catch (e) {
    return { refused: e instanceof AppError ? [e.code, e.details] : e };
  }
}

/** Queries as Fastify parses them: plain ones, and every way the rules of StampCheckQuery can be broken. */
const QUERIES: Record<string, unknown>[] = [
  { name: '居住证明' },
  { name: '  养狗证明 ' },
  { name: '开个居住证明吗', community: '339901001001' },
  { name: '居住证明', community: '6f1c2a9e-8d7b-4c3e-9f00-1a2b3c4d5e6f', date: '2027-01-04' },
  { name: '居住证明', date: '2024-02-29' },
  { name: 'x'.repeat(100) },
  { name: ` ${'x'.repeat(100)} ` },
  { name: '𠀀'.repeat(60) }, // 120 UTF-16 units, 60 characters for class-validator: measured there
  { name: '\uFE0F' },
  { name: '居住\uFE0F证明' },
  { name: 'x'.repeat(101) },
  { name: '' },
  { name: '   ' },
  { name: ['居住证明', '养狗证明'] },
  {},
  { community: '339901001001' },
  { name: '居住证明', community: '' },
  { name: '居住证明', community: 'x'.repeat(64) },
  { name: '居住证明', community: 'x'.repeat(65) },
  { name: '居住证明', community: '杏花社区' },
  { name: '居住证明', community: ['339901001001', '339901001002'] },
  { name: '居住证明', date: '2023-02-29' },
  { name: '居住证明', date: '2027-13-01' },
  { name: '居住证明', date: '2027-1-4' },
  { name: '居住证明', date: '1899-12-31' },
  { name: '居住证明', date: '' },
  { name: '居住证明', date: ['2027-01-04', '2027-01-05'] },
  { name: '居住证明', page: '2' },
  { name: '居住证明', pageSize: '0' },
  { name: '居住证明', foo: '1' },
  { name: '居住证明', community: '339901001001', date: '2027-01-04', extra: '' },
];

describe('the public check’s query and kept answers (盖章证明查询)', () => {
  it.each(QUERIES.map((q) => [JSON.stringify(q).slice(0, 80), q]))(
    'given the query %s, then the check’s pipe answers exactly as the global ValidationPipe does',
    async (_, query) => {
      const q = query as Record<string, unknown>;
      const expected = await byValidationPipe(q);
      expect(await byCheckPipe(q)).toEqual(expected);
      // What the pipe takes without class-validator is only ever what class-validator accepts, as it gives it.
      const plain = plainCheckQuery(q);
      if (plain) expect(expected).toEqual({ ok: plain });
    },
  );

  it('given plain questions, then they are taken without class-validator; refusals never are', () => {
    expect(plainCheckQuery({ name: ' 居住证明 ', community: '339901001001', date: '2027-01-04' })).toEqual({
      name: '居住证明',
      community: '339901001001',
      date: '2027-01-04',
    });
    expect(plainCheckQuery({ name: '' })).toBeNull();
    expect(plainCheckQuery({ name: '居住证明', foo: '1' })).toBeNull();
  });

  it('given more answers than it may hold, then those not asked for longest go first', () => {
    const data = {} as RegistryData;
    const kept = new AnswerMemory(data, 40); // characters of keys and answers together, half of it per generation
    kept.set('a', '123456789'); // 10
    kept.set('b', '123456789'); // 20: the recent generation is full
    kept.set('c', '123456789'); // a and b become the older generation
    expect(kept.get('a')).toBe('123456789'); // a asked again: back with the recent ones (c, a)
    kept.set('d', '123456789'); // recent full again: c and a become the older ones, b (not asked since) goes
    expect(kept.get('b')).toBeUndefined();
    expect(kept.size).toBe(3);
    expect([kept.get('c'), kept.get('a'), kept.get('d')]).toEqual(Array(3).fill('123456789'));
    kept.set('d', '1234'); // the same key again replaces its answer, counted once
    expect(kept.get('d')).toBe('1234');
    expect(kept.size).toBe(3);
    expect(kept.data).toBe(data);
  });
});
