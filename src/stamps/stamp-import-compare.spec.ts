import { compareWithRegistry, type RegistryEntry, type RegistryList } from './stamp-import-compare.js';
import { checkRows } from './stamp-import-checks.js';
import type { RowValues } from './stamp-import-rows.js';

const CITY = { allowedScopes: ['', '33', '3399'], scopeByName: new Map<string, string>() };
const TODAY = '2027-01-04';

const row = (line: number, v: RowValues) => ({
  line,
  values: {
    list_type: 'allowed',
    scope: '3399',
    source_document: '示民发〔2021〕15号 《示范市保留清单》',
    issued_by: '示范市民政局',
    issued: '2021-06-15',
    ...v,
  },
});

const entry = (e: Partial<RegistryEntry> & { name: string }): RegistryEntry => ({
  entryKey: `key-${e.name}`,
  version: 1,
  seq: null,
  aliases: [],
  legalBasis: '示民发〔2021〕15号',
  purpose: null,
  conditions: null,
  procedure: null,
  timeLimitKind: null,
  timeLimitWorkingDays: null,
  effectiveFrom: '2021-07-01',
  effectiveTo: null,
  ...e,
});

const CITY_LIST: RegistryList = {
  listKey: 'city-list',
  version: 1,
  title: '示范市保留清单',
  documentNumber: '示民发〔2021〕15号',
  scopeCode: '3399',
  listType: 'allowed',
  effectiveFrom: '2021-07-01',
  effectiveTo: null,
  entries: [
    entry({
      name: '居住证明',
      seq: 1,
      aliases: ['住址证明'],
      timeLimitKind: 'working-days',
      timeLimitWorkingDays: 3,
    }),
    entry({ name: '生活困难证明', seq: 2 }),
    entry({ name: '旧证明', seq: 9, effectiveTo: '2025-12-31' }),
  ],
};

function compare(rows: ReturnType<typeof row>[], registry: RegistryList[] = [CITY_LIST]) {
  const checked = checkRows(rows, CITY);
  return compareWithRegistry(checked.rows, checked.lists, registry, TODAY);
}

describe('comparing an import with the registry (the dry run)', () => {
  it('given rows that say what is in force, then they are unchanged and there is nothing to propose', () => {
    const c = compare([
      row(2, { seq: '1', name: '居住证明', aliases: '住址证明', time_limit: '3个工作日' }),
      row(3, { seq: '2', name: '生活困难证明' }),
    ]);
    expect(c.rows.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(c.changes).toEqual([]);
    expect(c.lists).toEqual([expect.objectContaining({ listKey: 'city-list', rows: 2 })]);
  });

  it('given a changed time limit and a new name, then one row is changed (the field, before and after) and one added', () => {
    const c = compare([
      row(2, { seq: '1', name: '居住证明', time_limit: '当场' }),
      row(3, { seq: '6', name: '独生子女证明', legal_basis: '某条例第一条' }),
    ]);
    expect(c.rows.map((r) => [r.outcome, r.changes])).toEqual([
      ['changed', [{ field: 'timeLimit', before: '3个工作日', after: '当场办结' }]],
      ['added', []],
    ]);
    expect(c.rows[0].effectiveFrom).toBe(TODAY);
    expect(c.changes).toEqual([
      {
        kind: 'add-entries',
        listKey: 'city-list',
        entries: [
          expect.objectContaining({
            seq: 6,
            name: '独生子女证明',
            legalBasis: '某条例第一条',
            effectiveFrom: TODAY,
          }),
        ],
      },
      {
        kind: 'change-entry',
        entryKey: 'key-居住证明',
        change: { effectiveFrom: TODAY, timeLimit: { kind: 'on-the-spot' } },
      },
    ]);
  });

  it('given a name written with full-width spaces and brackets, then it matches the entry by its normalised name', () => {
    const c = compare([row(2, { name: ' 生活困难 证明' })]);
    expect(c.rows[0].outcome).toBe('unchanged');
  });

  it('given a document not in the registry, then a new list with every row, its basis the place in the document', () => {
    const c = compare([
      row(2, {
        seq: '1',
        name: '转学证明',
        list_type: 'prohibited',
        scope: '33',
        source_document: '浙民发〔2022〕1号 附件《省清单》',
        issued: '2022-03',
      }),
      row(3, {
        seq: '2',
        name: '缴费票据遗失证明',
        list_type: 'prohibited',
        scope: '33',
        source_document: '浙民发〔2022〕1号 附件',
        issued: '2022-03',
      }),
    ]);
    expect(c.rows.map((r) => r.outcome)).toEqual(['added', 'added']);
    expect(c.changes).toEqual([
      {
        kind: 'new-list',
        list: expect.objectContaining({
          title: '省清单',
          documentNumber: '浙民发〔2022〕1号',
          scopeCode: '33',
          listType: 'prohibited',
          effectiveFrom: TODAY,
        }),
        entries: [
          expect.objectContaining({ name: '转学证明', legalBasis: '浙民发〔2022〕1号 附件《省清单》第1项' }),
          expect.objectContaining({
            name: '缴费票据遗失证明',
            legalBasis: '浙民发〔2022〕1号 附件《省清单》第2项',
          }),
        ],
      },
    ]);
  });

  it('given a retired entry, a change dated before the version in force, or a broken row, then each is rejected with its reason', () => {
    const c = compare([
      row(2, { name: '旧证明' }),
      row(3, { name: '居住证明', time_limit: '当场', effective_from: '2020-01-01' }),
      row(4, { name: '' }),
    ]);
    expect(c.rows.map((r) => r.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(c.rows[0].problems[0].message).toContain('已于 2025-12-31 废止');
    expect(c.rows[1].problems[0]).toMatchObject({ field: 'effective_from' });
    expect(c.changes).toEqual([]);
  });

  it('given a list retired before today, then its rows are rejected', () => {
    const c = compare(
      [row(2, { name: '居住证明', time_limit: '当场' })],
      [{ ...CITY_LIST, effectiveTo: '2026-06-30' }],
    );
    expect(c.rows[0].outcome).toBe('rejected');
    expect(c.rows[0].problems[0].message).toContain('已于 2026-06-30 废止');
  });
});
