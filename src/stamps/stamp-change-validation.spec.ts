import { AppError } from '../common/errors.js';
import { isDay, validateChangeSet } from './stamp-change-validation.js';
import type { StampChangeSet } from './stamp-changes.js';

const KEY = '5f0c2a52-7d6f-4a3c-9a53-1f7d1c0b9e11';

function set(changes: unknown[], extra: Partial<Record<keyof StampChangeSet, unknown>> = {}): StampChangeSet {
  return {
    scopeCode: '3399',
    summary: '调整',
    origin: { kind: 'typed' },
    changes,
    ...extra,
  } as StampChangeSet;
}

/** The fields named by the 400 a set answers (none: it passed). */
function problemFields(s: StampChangeSet): string[] {
  try {
    validateChangeSet(s);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('VALIDATION_FAILED');
    return ((e as AppError).details as { field: string }[]).map((d) => d.field);
  }
}

const newList = (
  over: Record<string, unknown> = {},
  entries: unknown[] = [{ name: '居住证明', legalBasis: '某法第九条' }],
) => ({
  kind: 'new-list',
  list: {
    title: '清单',
    documentNumber: '示民发〔2027〕1号',
    issuedBy: '示范市民政局',
    issuedOn: '2027-01',
    listType: 'allowed',
    effectiveFrom: '2027-02-01',
    ...over,
  },
  entries,
});

describe('the shape of a stamp change set (proposals and imports alike)', () => {
  it('given real and unreal days, then only real ones written YYYY-MM-DD pass', () => {
    expect(['2027-02-28', '2028-02-29', '2020-04-01'].map(isDay)).toEqual([true, true, true]);
    expect(['2027-02-29', '2027-13-01', '2027-2-1', '20270201', '', 20270201, null].map(isDay)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('given a well-formed set, then it passes trimmed, the new list taking the set’s scope', () => {
    const out = validateChangeSet(
      set([
        newList({ title: '  清单  ' }, [
          { name: ' 居住证明 ', legalBasis: '某法', aliases: [' 住址证明 ', '住址证明'] },
        ]),
      ]),
    );
    expect(out.changes[0]).toMatchObject({
      kind: 'new-list',
      list: { title: '清单', scopeCode: '3399', link: null, effectiveTo: null },
      entries: [{ name: '居住证明', aliases: ['住址证明'] }],
    });
  });

  it('given a document number written [2020], （2020） or with spaces, then it is kept as published: 〔2020〕, no spaces (one document, one list)', () => {
    for (const written of ['示民发[2027]1号', '示民发（2027） 1号', '示民发〔２０２７〕１号'])
      expect([
        written,
        validateChangeSet(set([newList({ documentNumber: written })])).changes[0],
      ]).toMatchObject([written, { list: { documentNumber: '示民发〔2027〕1号' } }]);
  });

  it('given hidden characters (a direction override in the document number, a line break in the title, a zero-width space for a body), then each is named; a legal basis may have lines but no override', () => {
    expect(
      problemFields(
        set([
          newList({ documentNumber: '东民发〔2026〕9号\u202e', title: '清单\n附件', issuedBy: '\u200b' }, [
            { name: '居住证明', legalBasis: '某法第九条\n第十条' },
            { name: '出生证明', legalBasis: '某法\u202e第九条' },
          ]),
        ]),
      ).sort(),
    ).toEqual([
      'changes.0.entries.1.legalBasis',
      'changes.0.list.documentNumber',
      'changes.0.list.issuedBy',
      'changes.0.list.title',
    ]);
  });

  it('given an empty set, a bad scope or no summary, then each is named', () => {
    expect(problemFields(set([]))).toEqual(['changes']);
    expect(problemFields(set([newList()], { scopeCode: '339' }))).toEqual(['scopeCode']);
    expect(problemFields(set([newList()], { summary: '  ' }))).toEqual(['summary']);
    expect(problemFields(set('x' as unknown as unknown[]))).toEqual(['changes']);
  });

  it('given bad fields in a new list, then every problem is told at once, each naming its field', () => {
    const fields = problemFields(
      set([
        newList({ effectiveFrom: '2027-02-30', listType: 'maybe', issuedOn: '2027/01', link: 'ftp://x' }, [
          { name: '', legalBasis: '某法' },
          { name: '居住证明', legalBasis: '某法', timeLimit: { kind: 'working-days', workingDays: 61 } },
          { name: '居住 证明', legalBasis: '某法' },
        ]),
      ]),
    );
    expect(fields.sort()).toEqual(
      [
        'changes.0.list.effectiveFrom',
        'changes.0.list.listType',
        'changes.0.list.issuedOn',
        'changes.0.list.link',
        'changes.0.entries.0.name',
        'changes.0.entries.1.timeLimit',
        'changes.0.entries.2.name',
      ].sort(),
    );
  });

  it('given an entry name with a line break or a tab, then it is named (a name is one line)', () => {
    expect(
      problemFields(
        set([
          newList({}, [
            { name: '居住\n证明', legalBasis: '某法' },
            { name: '困难\t证明', legalBasis: '某法' },
            { name: '出生证明', legalBasis: '某法\n第二款' },
          ]),
        ]),
      ),
    ).toEqual(['changes.0.entries.0.name', 'changes.0.entries.1.name']);
  });

  it('given changes to entries, then effectiveFrom is required, an empty change refused, and one entry changed once per set', () => {
    expect(problemFields(set([{ kind: 'change-entry', entryKey: KEY, change: { name: '新名' } }]))).toEqual([
      'changes.0.change.effectiveFrom',
    ]);
    expect(
      problemFields(set([{ kind: 'change-entry', entryKey: KEY, change: { effectiveFrom: '2027-03-01' } }])),
    ).toEqual(['changes.0.change']);
    expect(
      problemFields(
        set([
          { kind: 'change-entry', entryKey: KEY, change: { effectiveFrom: '2027-03-01', name: '新名' } },
          { kind: 'retire-entry', entryKey: KEY, lastDay: '2027-06-30' },
        ]),
      ),
    ).toEqual(['changes.1.entryKey']);
    expect(problemFields(set([{ kind: 'retire-list', listKey: KEY, lastDay: '2027-06-31' }]))).toEqual([
      'changes.0.lastDay',
    ]);
    expect(problemFields(set([{ kind: 'drop', listKey: KEY }]))).toEqual(['changes.0.kind']);
    expect(problemFields(set([{ kind: 'add-entries', listKey: KEY, entries: [] }]))).toEqual([
      'changes.0.entries',
    ]);
  });
});
