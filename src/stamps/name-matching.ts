/**
 * Matching a certificate's name the way clerks and residents type it (pure: no database). Both the typed text and
 * every entry's name and aliases go through the same steps:
 *
 * 1. `normalize`: full-width to half-width (NFKC), lower case, no spaces, punctuation or symbols.
 * 2. `core`: without 证明 and 的 anywhere, and without filler words first or last (开具、出具、开个、开一份、我要、
 *    吗 …), so 证明居民养犬, 开个居民养犬的证明 and 居民养犬证明 are one core: 居民养犬.
 * 3. `distinctive`: the core without words every certificate shares (居民、社区、人员、情况、状况 …): two names
 *    that share only those are different certificates, and a text that is only those matches nothing.
 *
 * A strong match (score ≥ STRONG) is one where the distinctive parts agree: equal, one a part of the other
 * (无犯罪记录 in 无犯罪记录证明; 养犬 in 居民养犬), most of the name in order, or the same characters in another
 * order — and no other certificate holds the same part. Anything looser is only a candidate, never a decision.
 */

export const STRONG = 0.5;
/** A strong match must lead the next certificate by this much, else the answer names both as candidates. */
export const MARGIN = 0.15;

const LEADING = [
  '请问',
  '请',
  '麻烦',
  '你好',
  '您好',
  '我想要',
  '我想',
  '我要',
  '想要',
  '需要',
  '我需',
  '帮我',
  '给我',
  '帮忙',
  '能不能',
  '能否',
  '可不可以',
  '可以',
  '能',
  '要',
  '社区居委会',
  '居委会',
  '社区',
  '开具',
  '出具',
  '开一份',
  '开一张',
  '开一个',
  '开个',
  '开张',
  '开',
  '办理',
  '办个',
  '办一个',
  '一份',
  '一张',
  '一个',
  '个',
  '盖章',
  '盖个章',
];

const TRAILING = [
  '吗',
  '呢',
  '么',
  '吧',
  '啊',
  '一下',
  '一份',
  '一张',
  '怎么开',
  '怎么办',
  '在哪开',
  '哪里开',
  '开具',
  '出具',
  '盖章',
  '材料',
  '书',
];

/** Words every certificate may share: matching on them alone would be a weak match. */
const GENERIC = [
  '居民',
  '村民',
  '社区',
  '人员',
  '情况',
  '状况',
  '个人',
  '本人',
  '相关',
  '有关',
  '信息',
  '事项',
  '申请',
  '办理',
];

/** Full-width to half-width, lower case, without spaces, punctuation and symbols. */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');
}

/** The name without 证明/的 and without filler words at either end. */
export function core(text: string): string {
  let t = normalize(text).replaceAll('证明', '').replaceAll('的', '');
  for (let changed = true; changed && t.length > 0;) {
    changed = false;
    for (const w of LEADING) {
      if (t.startsWith(w) && t.length > w.length) {
        t = t.slice(w.length);
        changed = true;
        break;
      }
    }
    for (const w of TRAILING) {
      if (t.endsWith(w) && t.length > w.length) {
        t = t.slice(0, -w.length);
        changed = true;
        break;
      }
    }
  }
  return t;
}

/** The core without the words every certificate shares; '' when nothing else is left. */
export function distinctive(coreText: string): string {
  let t = coreText;
  for (const w of GENERIC) t = t.replaceAll(w, '');
  return t;
}

/** The forms an entry answers to: its name, a bracketed second name in it (（表现证明）), and its aliases. */
export function entryForms(name: string, aliases: readonly string[]): string[] {
  const forms = [name];
  const bracketed = /[（(]([^）)]+)[）)]/g;
  const outside = name.replace(bracketed, '').trim();
  if (outside && outside !== name) forms.push(outside);
  for (const m of name.matchAll(bracketed)) forms.push(m[1]);
  forms.push(...aliases);
  return forms;
}

/** The key that makes two entries (of different lists) the same certificate: the distinctive part of a form. */
export function certificateKeys(name: string, aliases: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const form of entryForms(name, aliases)) {
    const c = core(form);
    const d = distinctive(c) || c;
    if (d) keys.add(d);
  }
  return [...keys];
}

function bigrams(t: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < t.length; i++) out.push(t.slice(i, i + 2));
  return out;
}

/** Dice coefficient over character bigrams (0…1). */
export function dice(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (!x.length || !y.length) return 0;
  const pool = [...y];
  let common = 0;
  for (const g of x) {
    const i = pool.indexOf(g);
    if (i >= 0) {
      common++;
      pool.splice(i, 1);
    }
  }
  return (2 * common) / (x.length + y.length);
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

/** Whether the distinctive part of the typed text is a part of one of the entry's forms. */
export function typedIsPartOf(typed: string, name: string, aliases: readonly string[]): boolean {
  const q = distinctive(core(typed));
  if (q.length < 2) return false;
  return entryForms(name, aliases).some((form) => {
    const fc = core(form);
    return (distinctive(fc) || fc).includes(q);
  });
}

function sameCharacters(a: string, b: string): boolean {
  return a.length === b.length && [...a].sort().join('') === [...b].sort().join('');
}

/**
 * How well a typed text matches one form of a name, from 0 to 1: ≥ STRONG only when the distinctive parts agree
 * (equal 1; the same characters reordered 0.9; the typed text inside the name: the share of the name it covers,
 * at least STRONG from four characters on;
 * the name inside a longer typed text 0.8); a looser likeness scores below STRONG (a candidate at most).
 */
export function scoreForm(typed: string, form: string): number {
  const qc = core(typed);
  const fc = core(form);
  if (!qc || !fc) return 0;
  const q = distinctive(qc);
  const f = distinctive(fc) || fc;
  if (q) {
    if (q === f) return 1;
    if (q.length >= 3 && sameCharacters(q, f)) return 0.9;
    // A part of the name: strong when it covers half of it, or is four characters or more (犯罪记录).
    if (q.length >= 2 && f.includes(q))
      return q.length >= 4 ? Math.max(STRONG, q.length / f.length) : q.length / f.length;
    if (f.length >= 2 && q.includes(f)) return 0.8 + Math.min(f.length, 10) / 100;
    // The name with a word left out (户口登记项目变更 for 户口登记项目内容变更): most of it, in order.
    if (q.length >= 4 && q.length / f.length >= 0.6 && isSubsequence(q, f))
      return 0.9 * (q.length / f.length);
  }
  // Looser likeness: candidates only.
  const loose = Math.max(dice(qc, fc), q ? dice(q, f) : 0);
  if (loose >= 0.3) return Math.min(STRONG - 0.01, loose * 0.6);
  if (qc.length >= 2 && (fc.includes(qc) || qc.includes(fc))) return 0.2;
  return 0;
}

/** The best score of a typed text over an entry's forms (name, bracketed name, aliases). */
export function scoreEntry(typed: string, name: string, aliases: readonly string[]): number {
  let best = 0;
  for (const form of entryForms(name, aliases)) best = Math.max(best, scoreForm(typed, form));
  return best;
}

export interface Matchable {
  name: string;
  aliases: readonly string[];
}

export interface CertificateGroup<T> {
  /** Entries naming the same certificate (their distinctive keys meet), best match first. */
  entries: T[];
  score: number;
}

export interface MatchResult<T> {
  /** The certificate the text names, when one leads clearly with a strong match; else null. */
  match: CertificateGroup<T> | null;
  /** The closest certificates (best first), when there is no clear match. */
  candidates: CertificateGroup<T>[];
}

/**
 * Which certificate a typed text names among these entries. Entries whose names or aliases share a distinctive
 * key are one certificate (居民养犬证明 nationally and 养犬证明 in a district). A match is decided only when the
 * best certificate matches strongly and leads the next one by MARGIN; otherwise the closest ones are candidates.
 */
export function matchCertificate<T extends Matchable>(
  typed: string,
  entries: T[],
  maxCandidates = 5,
): MatchResult<T> {
  const scored = entries
    .map((e) => ({
      e,
      score: scoreEntry(typed, e.name, e.aliases),
      keys: certificateKeys(e.name, e.aliases),
    }))
    .filter((s) => s.score > 0);
  // Union entries into certificates by shared keys, over every entry (an entry matched weakly may still be the
  // same certificate under another level's name).
  const all = entries.map((e) => ({ e, keys: certificateKeys(e.name, e.aliases) }));
  const parent = all.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  all.forEach((x, i) => {
    for (const k of x.keys) {
      const j = owner.get(k);
      if (j === undefined) owner.set(k, i);
      else parent[find(i)] = find(j);
    }
  });
  const indexOf = new Map<T, number>(all.map((x, i) => [x.e, i]));
  const groups = new Map<number, CertificateGroup<T> & { members: { e: T; score: number }[] }>();
  for (const s of scored) {
    const root = find(indexOf.get(s.e)!);
    const g = groups.get(root) ?? { entries: [], score: 0, members: [] };
    g.members.push({ e: s.e, score: s.score });
    g.score = Math.max(g.score, s.score);
    groups.set(root, g);
  }
  // A matched certificate also holds its other entries that matched not at all (another level's wording).
  for (const [i, x] of all.entries()) {
    const g = groups.get(find(i));
    if (g && !g.members.some((m) => m.e === x.e)) g.members.push({ e: x.e, score: 0 });
  }
  const ranked = [...groups.values()]
    .map((g) => ({
      entries: g.members.sort((a, b) => b.score - a.score).map((m) => m.e),
      score: g.score,
    }))
    .sort((a, b) => b.score - a.score);
  const [best, next] = ranked;
  // A part of a name that another certificate's name holds too (遗失 in 证件遗失 and 缴费票据遗失) is unclear.
  const sharedPart =
    best !== undefined &&
    best.score < 1 &&
    next !== undefined &&
    next.entries.some((e) => typedIsPartOf(typed, e.name, e.aliases));
  if (best && best.score >= STRONG && !sharedPart && (!next || best.score - next.score >= MARGIN)) {
    return { match: best, candidates: [] };
  }
  return { match: null, candidates: ranked.slice(0, maxCandidates) };
}
