import { jest } from '@jest/globals';
import type { EntryVersion, ListVersion } from './precedence.js';
import type { ComparedRow } from './stamp-import-compare.js';
import { prohibitionNotes } from './stamp-import-notes.js';
import { RegistryData } from './stamp-registry-memory.js';

const list = (over: Partial<ListVersion>): ListVersion => ({
  id: `${over.listKey}-v${over.version ?? 1}`,
  listKey: 'l',
  version: 1,
  title: '清单',
  documentNumber: '民发〔2020〕20号',
  issuedBy: '民政部',
  issuedOn: '2020-04',
  link: null,
  listType: 'prohibited',
  scopeCode: '',
  effectiveFrom: '2020-05-01',
  effectiveTo: null,
  ...over,
});
const entry = (listKey: string, name: string, i: number): EntryVersion =>
  ({
    id: `${listKey}-e${i}`,
    entryKey: `${listKey}-k${i}`,
    version: 1,
    listKey,
    seq: i,
    name,
    aliases: [],
    legalBasis: '依据',
    purpose: null,
    conditions: null,
    procedure: null,
    sampleFormAttachmentId: null,
    timeLimitKind: null,
    timeLimitWorkingDays: null,
    effectiveFrom: '2020-05-01',
    effectiveTo: null,
    removed: false,
  }) as unknown as EntryVersion;

/**
 * The notes a dry run puts beside good rows of an allowed list that a prohibition in force would still override:
 * read from the prohibiting lists only — a file whose 5,000 rows each took effect on a day of its own asked the
 * whole registry for a view per day, and held the server 55 s.
 */
describe('the prohibition notes of an import', () => {
  it('given rows taking effect on many days, then each good row that a prohibition in force names is noted, without a view of the whole registry per day', () => {
    const allowedEntries = Array.from({ length: 500 }, (_, i) => entry('city', `允许证明${i}`, i));
    const data = new RegistryData(
      [
        list({ listKey: 'national' }),
        list({
          listKey: 'city',
          listType: 'allowed',
          scopeCode: '3399',
          documentNumber: '示民发〔2021〕15号',
        }),
        // A list revised from prohibiting to allowing: the version in force decides.
        list({ listKey: 'revised', version: 1, effectiveTo: '2026-12-31' }),
        list({ listKey: 'revised', version: 2, listType: 'allowed', effectiveFrom: '2027-01-01' }),
      ],
      [entry('national', '居民养犬证明', 1), entry('revised', '亲属关系证明', 2), ...allowedEntries],
      [],
    );
    const views = jest.spyOn(data, 'view');
    const row = (line: number, name: string, effectiveFrom: string): ComparedRow => ({
      line,
      outcome: 'added',
      name,
      list: { documentNumber: '东民〔2026〕1号', scopeCode: '339901', listType: 'allowed', listKey: null },
      entryKey: null,
      effectiveFrom,
      changes: [],
      problems: [],
    });
    const day = (i: number) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
    const rows = Array.from({ length: 1000 }, (_, i) =>
      row(i + 2, i % 2 ? '居民养犬证明' : '亲属关系证明', day(i)),
    );
    const notes = prohibitionNotes(rows, data, '2026-06-01');
    expect(views).not.toHaveBeenCalled();
    expect(notes[1][0].message).toContain('已将“居民养犬证明”列为不应出具');
    // 亲属关系证明 is prohibited by the revised list until 2026-12-31, allowed from 2027-01-01 (row 366 on).
    expect(notes[0][0].message).toContain('已将“亲属关系证明”列为不应出具');
    expect(notes[366]).toEqual([]);
    expect(notes.filter((n) => n.length).length).toBe(500 + 183);
  });
});
