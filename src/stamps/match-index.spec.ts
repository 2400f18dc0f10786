import { readFileSync } from 'node:fs';
import { DEMO_CITY_STAMP_LIST } from './demo-stamp-list.js';
import { buildMatchIndex, matchIndexed } from './match-index.js';
import { matchCertificate, prepareEntry, prepareText, type PreparedEntry } from './name-matching.js';
import { national2020List } from './stamp-lists-shipped.js';

interface Row {
  name: string;
  aliases: string[];
  prepared: PreparedEntry;
  n: number;
}

const national = national2020List(
  readFileSync('data/certificates-prohibited-national-2020.csv', 'utf8'),
  readFileSync('data/certificate-aliases.csv', 'utf8'),
);
const named = [
  ...national.entries,
  ...DEMO_CITY_STAMP_LIST.entries,
  // The same certificates under other levels' wording, and ones sharing parts of names.
  { name: '养犬证明', aliases: ['养狗证明'] },
  { name: '居民养犬登记证明', aliases: [] },
  { name: '转学证明', aliases: [] },
  { name: '缴费票据遗失证明', aliases: [] },
  { name: '证件遗失证明', aliases: [] },
  { name: '居住证明', aliases: ['住址证明'] },
  { name: '不在本社区居住证明', aliases: [] },
];
const rows: Row[] = named.map((e, n) => ({
  name: e.name,
  aliases: e.aliases ?? [],
  prepared: prepareEntry(e.name, e.aliases ?? []),
  n,
}));

/** The typed names of name-matching.spec.ts and more: exact, filler, order, parts, aliases, unrelated, empty. */
const TYPED = [
  ...named.flatMap((e) => [e.name, `开个${e.name}`, `${e.name}吗`, e.name.slice(0, 3), e.name.slice(-4)]),
  ...named.flatMap((e) => e.aliases ?? []),
  ...[
    ...readFileSync('src/stamps/name-matching.spec.ts', 'utf8').matchAll(/\['([^']*)', (?:null|'[^']*')\]/g),
  ].map((m) => m[1]),
  '证明',
  '居民',
  '社区居民证明',
  '遗失',
  '居住',
  '租房',
  '人还活着',
  '未死亡证明',
  '不在本社区居住',
  '出生日期',
  'ＡＢＣ',
  '',
  '　',
  '天气预报',
  '养狗',
  '活着证明',
  // Short, reordered, shared words only, a subsequence, digits.
  '犬',
  '证',
  '居',
  '犬养民居',
  '犬养证明',
  '录记罪犯无',
  '居民情况',
  '社区人员状况证明',
  '户口项目变更',
  '户登项更',
  '居住123号证明',
  '婚姻',
  '姻婚状况',
  ...named.flatMap((e) => [[...e.name].reverse().join(''), e.name.slice(1, -1)]),
];

const view = (r: {
  match: { entries: Row[]; score: number } | null;
  candidates: { entries: Row[]; score: number }[];
  ranked: { entries: Row[]; score: number; holdsName: boolean }[];
}) => ({
  match: r.match && { score: r.match.score, entries: r.match.entries.map((e) => e.n) },
  candidates: r.candidates.map((g) => ({ score: g.score, entries: g.entries.map((e) => e.n) })),
  ranked: r.ranked.map((g) => ({
    score: g.score,
    holdsName: g.holdsName,
    entries: g.entries.map((e) => e.n),
  })),
});

describe('the registry’s match index', () => {
  const index = buildMatchIndex(rows);

  it(`given ${TYPED.length} typed names, then the index answers exactly as matchCertificate over every entry (match, candidates, ranking)`, () => {
    expect(TYPED.length).toBeGreaterThan(150);
    for (const typed of TYPED) {
      const t = prepareText(typed);
      expect({ typed, ...view(matchIndexed(t, index)) }).toEqual({
        typed,
        ...view(matchCertificate(t, rows)),
      });
    }
  });

  it('given a typed name, then it scores only entries sharing a character with it, not the whole registry', () => {
    const t = prepareText('居民养犬证明');
    let scored = 0;
    const counting = rows.map((r) => ({
      ...r,
      get prepared() {
        scored++;
        return r.prepared;
      },
    }));
    const counted = buildMatchIndex(counting);
    scored = 0;
    expect(matchIndexed(t, counted).match?.entries[0].name).toBe('居民养犬证明');
    expect(scored).toBeGreaterThan(0);
    expect(scored).toBeLessThan(rows.length);
  });
});
