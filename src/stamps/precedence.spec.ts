import {
  decide,
  entriesInForce,
  scopeContains,
  type EntryVersion,
  type InForceEntry,
  type ListVersion,
} from './precedence.js';
import type { ListType } from './stamp-registry.entities.js';

let n = 0;
function list(
  scopeCode: string,
  listType: ListType,
  issuedOn: string,
  effectiveFrom: string,
  extra: Partial<ListVersion> = {},
): ListVersion {
  n++;
  return {
    id: `list-${n}`,
    listKey: `lk-${n}`,
    version: 1,
    title: `清单${n}`,
    documentNumber: `文号${n}`,
    issuedBy: '发文机关',
    issuedOn,
    link: null,
    listType,
    scopeCode,
    effectiveFrom,
    effectiveTo: null,
    ...extra,
  };
}
function entry(l: ListVersion, name: string, extra: Partial<EntryVersion> = {}): EntryVersion {
  n++;
  return {
    id: `entry-${n}`,
    entryKey: `ek-${n}`,
    version: 1,
    listKey: l.listKey,
    seq: null,
    name,
    aliases: [],
    legalBasis: `${l.documentNumber} ${name}`,
    purpose: null,
    conditions: null,
    procedure: null,
    sampleFormAttachmentId: null,
    timeLimitKind: null,
    timeLimitWorkingDays: null,
    effectiveFrom: l.effectiveFrom,
    effectiveTo: l.effectiveTo,
    ...extra,
  };
}

/** The ruling for the entries named `name` in force for the community on the date. */
function rule(
  lists: ListVersion[],
  entries: EntryVersion[],
  community: string | null,
  date: string,
  name: string,
) {
  const same = entriesInForce(lists, entries, date, community).filter((x) => x.entry.name === name);
  return decide(same);
}
const docOf = (x: InForceEntry | null) => x?.list.documentNumber ?? null;

const national = list('', 'prohibited', '2020-04', '2020-04-01');
const province = list('33', 'prohibited', '2021-03-01', '2021-04-01');
const city = list('3399', 'allowed', '2021-06-15', '2021-07-01');
const district2016 = list('339901', 'allowed', '2016-05-01', '2016-06-01');
const district2022 = list('339901', 'prohibited', '2022-01-10', '2022-02-01');
const district2023 = list('339901', 'allowed', '2023-03-01', '2023-03-01');
const lists = [national, province, city, district2016, district2022, district2023];
const entries = [
  entry(national, '居民养犬证明'),
  entry(district2016, '居民养犬证明'),
  entry(city, '居住证明'),
  entry(district2022, '居住证明'),
  entry(province, '转学证明'),
  entry(city, '转学证明'),
  entry(district2016, '志愿服务记录证明'),
  entry(district2022, '志愿服务记录证明'),
  entry(district2023, '志愿服务记录证明'),
  entry(city, '生活困难证明', { effectiveTo: '2024-12-31' }),
];
const D1 = '339901001001'; // a community in district 339901 of city 3399 in province 33
const D2 = '339902001001'; // the same city, another district
const OTHER_PROVINCE = '440101001001';

describe('stamp precedence', () => {
  it.each([
    // [case, community, date, certificate, decision, deciding document, overridden documents]
    [
      'a higher-level prohibition beats a lower-level (older) allowance',
      D1,
      '2026-12-01',
      '居民养犬证明',
      'prohibited',
      national.documentNumber,
      [district2016.documentNumber],
    ],
    [
      'before the higher-level prohibition existed, the lower-level allowance stood',
      D1,
      '2019-01-01',
      '居民养犬证明',
      'allowed',
      district2016.documentNumber,
      [],
    ],
    [
      'a lower-level prohibition beats a higher-level allowance',
      D1,
      '2026-12-01',
      '居住证明',
      'prohibited',
      district2022.documentNumber,
      [city.documentNumber],
    ],
    [
      'the same allowance stands in a district without that prohibition',
      D2,
      '2026-12-01',
      '居住证明',
      'allowed',
      city.documentNumber,
      [],
    ],
    [
      'the lower-level prohibition did not apply before it took effect',
      D1,
      '2022-01-31',
      '居住证明',
      'allowed',
      city.documentNumber,
      [],
    ],
    [
      'a provincial prohibition beats the city allowance inside the province',
      D1,
      '2026-12-01',
      '转学证明',
      'prohibited',
      province.documentNumber,
      [city.documentNumber],
    ],
    [
      'a community in another province is outside both lists',
      OTHER_PROVINCE,
      '2026-12-01',
      '转学证明',
      'not-listed',
      null,
      [],
    ],
    [
      'the national list applies in another province too',
      OTHER_PROVINCE,
      '2026-12-01',
      '居民养犬证明',
      'prohibited',
      national.documentNumber,
      [],
    ],
    [
      'within one scope the newer document supersedes the older (allowance after prohibition)',
      D1,
      '2026-12-01',
      '志愿服务记录证明',
      'allowed',
      district2023.documentNumber,
      [district2016.documentNumber, district2022.documentNumber],
    ],
    [
      'within one scope the newer document supersedes the older (prohibition after allowance)',
      D1,
      '2022-06-01',
      '志愿服务记录证明',
      'prohibited',
      district2022.documentNumber,
      [district2016.documentNumber],
    ],
    ['a date before any list existed: not listed', D1, '2015-01-01', '居住证明', 'not-listed', null, []],
    [
      'an entry that ended (retired) no longer answers',
      D1,
      '2025-01-01',
      '生活困难证明',
      'not-listed',
      null,
      [],
    ],
    [
      'the retired entry answered while it was in force',
      D1,
      '2024-12-31',
      '生活困难证明',
      'allowed',
      city.documentNumber,
      [],
    ],
    ['nothing names it: not listed', D1, '2026-12-01', '收入证明', 'not-listed', null, []],
    ['no community: only the national lists apply', null, '2026-12-01', '居住证明', 'not-listed', null, []],
  ])('%s', (_case, community, date, name, decision, deciding, overridden) => {
    const r = rule(lists, entries, community as string | null, date as string, name as string);
    expect(r.decision).toBe(decision);
    expect(docOf(r.deciding)).toBe(deciding);
    expect(r.overridden.map((o) => o.list.documentNumber).sort()).toEqual(
      [...(overridden as string[])].sort(),
    );
  });

  it('given a superseded and a beaten entry, then each overridden entry says why', () => {
    const r = rule(lists, entries, D1, '2026-12-01', '居住证明');
    expect(r.overridden).toEqual([expect.objectContaining({ reason: 'prohibited-elsewhere' })]);
    const v = rule(lists, entries, D1, '2026-12-01', '志愿服务记录证明');
    expect(v.overridden.map((o) => o.reason)).toEqual(['superseded', 'superseded']);
  });

  it('given a new version of an entry from a later day, then each day answers with its own version', () => {
    const l = list('3399', 'allowed', '2024-01-01', '2024-01-01');
    const v1 = entry(l, '居住证明', { legalBasis: '旧依据' });
    const v2 = { ...v1, id: 'v2', version: 2, legalBasis: '新依据', effectiveFrom: '2025-01-01' };
    const on = (d: string) => entriesInForce([l], [v1, v2], d, D1).map((x) => x.entry.legalBasis);
    expect(on('2024-06-01')).toEqual(['旧依据']);
    expect(on('2025-06-01')).toEqual(['新依据']);
    expect(on('2023-12-31')).toEqual([]);
  });

  it('given a retirement recorded as a new version with an end date, then the entry ends that day and no earlier version comes back', () => {
    const l = list('3399', 'allowed', '2024-01-01', '2024-01-01');
    const v1 = entry(l, '居住证明');
    const v2 = { ...v1, id: 'v2', version: 2, effectiveTo: '2025-03-31' };
    const on = (d: string) => entriesInForce([l], [v1, v2], d, D1).length;
    expect(on('2025-03-31')).toBe(1);
    expect(on('2025-04-01')).toBe(0);
  });

  it('given a list that ended, then its entries stop with it', () => {
    const l = list('3399', 'allowed', '2024-01-01', '2024-01-01');
    const l2 = { ...l, id: 'l2', version: 2, effectiveTo: '2024-12-31' };
    const e = entry(l, '居住证明');
    expect(entriesInForce([l, l2], [e], '2024-12-31', D1)).toHaveLength(1);
    expect(entriesInForce([l, l2], [e], '2025-01-01', D1)).toHaveLength(0);
  });

  it('given two prohibitions at different levels, then the highest level is cited and neither is overridden', () => {
    const n2 = list('', 'prohibited', '2020-04', '2020-04-01');
    const d2 = list('339901', 'prohibited', '2023-01-01', '2023-01-01');
    const r = rule([n2, d2], [entry(n2, '死亡证明'), entry(d2, '死亡证明')], D1, '2026-01-01', '死亡证明');
    expect(r.decision).toBe('prohibited');
    expect(docOf(r.deciding)).toBe(n2.documentNumber);
    expect(r.overridden).toEqual([]);
  });

  it('given allowances at two levels, then the most local one decides', () => {
    const c = list('3399', 'allowed', '2021-01-01', '2021-01-01');
    const d = list('339901', 'allowed', '2022-01-01', '2022-01-01');
    const r = rule([c, d], [entry(c, '居住证明'), entry(d, '居住证明')], D1, '2026-01-01', '居住证明');
    expect(docOf(r.deciding)).toBe(d.documentNumber);
  });

  it('given scope codes, then a community is inside every scope whose code prefixes its own', () => {
    expect(scopeContains('', D1)).toBe(true);
    expect(scopeContains('33', D1)).toBe(true);
    expect(scopeContains('3399', D1)).toBe(true);
    expect(scopeContains('339901', D1)).toBe(true);
    expect(scopeContains('339902', D1)).toBe(false);
    expect(scopeContains('44', D1)).toBe(false);
    expect(scopeContains('3399', null)).toBe(false);
  });
});
