/**
 * Matching a certificate's name the way clerks and residents type it (pure: no database). Both the typed text and
 * every entry's name and aliases go through the same steps:
 *
 * 1. `normalize`: full-width to half-width (NFKC), lower case, no spaces, punctuation or symbols, traditional
 *    characters as simplified (親屬關係證明 is 亲属关系证明).
 * 2. `core`: without 证明 and 的 anywhere, and without filler words first or last (开具、出具、开个、开一份、我要、
 *    吗 …), so 证明居民养犬, 开个居民养犬的证明 and 居民养犬证明 are one core: 居民养犬.
 * 3. `distinctive`: the core without words every certificate shares (居民、社区、人员、情况、状况 …): two names
 *    that share only those are different certificates, and a text that is only those matches nothing.
 *
 * A strong match (score ≥ STRONG) is one where the distinctive parts agree: equal, the typed text a part of the
 * name of three characters or more covering half of it (犯罪记录 in 无犯罪记录), the name inside the typed text with
 * only filler around it (人还活着 for 活着), most of the name in order, or the same characters in another order —
 * never with a negation the name lacks (未死亡 is not 死亡), and no other certificate holds the same part. Other
 * words around a name (不在本社区居住, 在校表现, 出生日期, 居住证) or a short part of one (租房) make it only a
 * candidate, never a decision.
 *
 * Over 400 lines because the word lists (fillers, shared words, negations) and the scoring belong together: each
 * rule is tested by name-matching.spec.ts against real typed names, and splitting them would hide which word list a
 * score depends on.
 */

import { Converter } from 'opencc-js/t2cn';

export const STRONG = 0.5;
/** A strong match must lead the next certificate by this much, else the answer names both as candidates. */
export const MARGIN = 0.15;
/** The longest typed text (after normalisation) the registry matches; longer is refused (NFKC can multiply). */
export const MAX_TYPED = 100;

/**
 * Traditional characters to simplified (OpenCC's dictionaries, in the package: nothing is fetched), built once:
 * Hong Kong forms first (衞, 綫, 説, 温 …), then Taiwan forms (裡, 著, 爲 …), each with OpenCC's traditional to
 * simplified characters and phrases. Both, in this order, fold the most variants together (hk then tw leaves fewer
 * apart than t, tw or hk alone, or tw then hk); their phrase options (twp, hkp) are not used: they change words,
 * not characters (資訊 to 信息, but 檔案 to 文件 too). Japanese forms (関, 戸) are not folded. Typed here: the
 * package's own types import './core' without an extension, which NodeNext does not resolve (they would be any).
 */
const fromHongKong: (text: string) => string = Converter({ from: 'hk', to: 'cn' });
const fromTaiwan: (text: string) => string = Converter({ from: 'tw', to: 'cn' });
/** A Chinese character: every word the conversion changes begins with one, so a text without any stays as it is. */
const HAN = /\p{Script=Han}/u;
/**
 * Longer texts are not converted: a text longer than MAX_TYPED once normalised is matched against nothing
 * (prepareText), and one longer than this is so converted or not (the conversion keeps every character and at most
 * halves the length, from a character outside the BMP to one inside), so converting a long pasted text would only
 * cost time (some ten times NFKC's).
 */
const FOLD_AT_MOST = 2 * MAX_TYPED;
/**
 * Texts converted, kept (a registry's names, an import's rows and a dispatch's certificate for each community are
 * normalised again and again, and the conversion costs some ten times the rest of normalize): at most FOLDS_KEPT,
 * then all forgotten at once (dropping the oldest one by one costs more than converting again).
 */
const FOLDS_KEPT = 10_000;
const folds = new Map<string, string>();

function simplified(t: string): string {
  if (t.length > FOLD_AT_MOST || !HAN.test(t)) return t;
  let s = folds.get(t);
  if (s === undefined) {
    s = fromTaiwan(fromHongKong(t));
    if (folds.size >= FOLDS_KEPT) folds.clear();
    folds.set(t, s);
  }
  return s;
}

// The word lists below are compared with normalised text, so they are normalised too (么 is 幺 once folded).
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
].map(normalize);

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
].map(normalize);

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
].map(normalize);

/**
 * Full-width to half-width, lower case, without spaces, punctuation and symbols, and without invisible characters
 * (format and control characters: a zero-width space or joiner, a soft hyphen, a direction mark pasted with a name
 * from a chat or a document must not make a prohibited certificate another one); traditional characters as
 * simplified (a department typing 親屬關係證明 names the prohibited 亲属关系证明). Typed text and every entry's
 * name and aliases go through it alike, so a character folded otherwise than in a dictionary (显著 becomes 显着)
 * still compares equal.
 */
export function normalize(text: string): string {
  return simplified(
    text
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[\s\p{P}\p{S}\p{Cf}\p{Cc}]/gu, ''),
  );
}

/** The name without 证明/的 and without filler words at either end. */
export function core(text: string): string {
  return coreOfNormalized(normalize(text));
}

/** core() of a text already normalised (prepareText normalises once, for its length and its core). */
function coreOfNormalized(normalized: string): string {
  let t = normalized.replaceAll('证明', '').replaceAll('的', '');
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

/** Dice coefficient over character bigrams (0…1). */
export function dice(a: string, b: string): number {
  return diceOfGrams(gramsOf(a), gramsOf(b));
}

/**
 * The text's pairs of adjacent characters (UTF-16 units), each as one number, sorted: two
 * texts' pairs in common are then counted in one pass over both.
 */
function gramsOf(t: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < t.length; i++) out.push(t.charCodeAt(i) * 0x10000 + t.charCodeAt(i + 1));
  return out.sort((a, b) => a - b);
}

/** Dice coefficient of two texts' sorted pairs (gramsOf): each pair counted as often as both hold it. */
function diceOfGrams(x: readonly number[], y: readonly number[]): number {
  if (!x.length || !y.length) return 0;
  let common = 0;
  for (let i = 0, j = 0; i < x.length && j < y.length;) {
    if (x[i] === y[j]) {
      common++;
      i++;
      j++;
    } else if (x[i] < y[j]) i++;
    else j++;
  }
  return (2 * common) / (x.length + y.length);
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

/**
 * A text prepared once: its core and distinctive part (the distinctive part, or the core when that is empty), and
 * what scoring compares of them, worked out once (an entry's forms are scored against every text typed).
 */
export interface PreparedText {
  core: string;
  distinctive: string;
  /** The distinctive part, '' when the text is only words every certificate shares. */
  bare: string;
  /** Longer than MAX_TYPED once normalised: matched against nothing. */
  tooLong: boolean;
  /** The core's and the distinctive part's pairs of adjacent characters (gramsOf). */
  coreGrams: number[];
  distinctiveGrams: number[];
  /** The distinctive part's characters sorted (the same characters in another order compare equal). */
  sortedDistinctive: string;
  /** Which of NEGATIONS the distinctive part holds, one bit each. */
  negations: number;
}

export function prepareText(text: string): PreparedText {
  const normalized = normalize(text);
  if (normalized.length > MAX_TYPED)
    return {
      core: '',
      distinctive: '',
      bare: '',
      tooLong: true,
      coreGrams: [],
      distinctiveGrams: [],
      sortedDistinctive: '',
      negations: 0,
    };
  const c = coreOfNormalized(normalized);
  const d = distinctive(c);
  const dist = d || c;
  return {
    core: c,
    distinctive: dist,
    bare: d,
    tooLong: false,
    coreGrams: gramsOf(c),
    distinctiveGrams: gramsOf(dist),
    sortedDistinctive: sortedCharacters(dist),
    negations: negationsIn(dist),
  };
}

/** An entry prepared once (its forms and keys): entry versions never change, so this can be kept. */
export interface PreparedEntry {
  forms: PreparedText[];
  keys: string[];
}

export function prepareEntry(name: string, aliases: readonly string[]): PreparedEntry {
  const forms = entryForms(name, aliases).map(prepareText);
  const keys = [...new Set(forms.map((f) => f.distinctive).filter((k) => k !== ''))];
  return { forms, keys };
}

/** Whether the distinctive part of the typed text is a part of one of the entry's forms. */
export function typedIsPartOf(typed: string, name: string, aliases: readonly string[]): boolean {
  return typedPartOfPrepared(prepareText(typed), prepareEntry(name, aliases));
}

export function typedPartOfPrepared(t: PreparedText, e: PreparedEntry): boolean {
  const q = t.bare;
  if (q.length < 2) return false;
  return e.forms.some((f) => f.distinctive.includes(q));
}

function sortedCharacters(t: string): string {
  return [...t].sort().join('');
}

/** Words that may stand around a certificate's name without changing what it is (人还活着 is 活着). */
const FILLER = [
  '本人',
  '自己',
  '仍然',
  '依然',
  '目前',
  '现在',
  '我',
  '人',
  '还',
  '仍',
  '是',
  '都',
  '也',
  '的',
].map(normalize);
const NEGATIONS = ['不', '未', '非', '没', '无'].map(normalize);

function negationsIn(t: string): number {
  let bits = 0;
  NEGATIONS.forEach((n, i) => {
    if (t.includes(n)) bits |= 1 << i;
  });
  return bits;
}

function onlyFiller(text: string): boolean {
  let t = text;
  for (let changed = true; changed && t.length > 0;) {
    changed = false;
    for (const w of FILLER) {
      if (t.startsWith(w)) {
        t = t.slice(w.length);
        changed = true;
        break;
      }
    }
  }
  return t === '';
}

/**
 * A negation in the typed text that the name does not hold (不在本社区居住 is not 居住; 未死亡 is not 死亡): of the
 * typed distinctive part against the form's.
 */
function negatesName(t: PreparedText, f: PreparedText): boolean {
  return (t.negations & ~f.negations) !== 0;
}

/** Below STRONG: a candidate, never a decision. */
const CANDIDATE_ONLY = STRONG - 0.05;

/** A score and, for a text that holds the name with other words around it, the score it would have had. */
export interface FormScore {
  score: number;
  /** The name's distinctive part is inside the typed text (with other words): 0.8+, though not decided on. */
  holdsName: boolean;
}

function scorePrepared(t: PreparedText, fp: PreparedText): FormScore {
  const qc = t.core;
  const fc = fp.core;
  const none = { score: 0, holdsName: false };
  if (!qc || !fc) return none;
  const q = t.bare;
  const f = fp.distinctive;
  if (q) {
    const negated = negatesName(t, fp);
    if (q === f) return { score: 1, holdsName: false };
    if (q.length >= 3 && q.length === f.length && t.sortedDistinctive === fp.sortedDistinctive)
      return { score: 0.9, holdsName: false };
    // A part of the name: strong only from three characters on and covering half of it (犯罪记录 in 无犯罪记录);
    // a shorter part, or a small part of a long name (家庭住房 in 公共租赁住房申请家庭住房情况), is a candidate.
    if (q.length >= 2 && f.includes(q)) {
      const cover = q.length / f.length;
      return {
        score: q.length >= 3 && cover >= 0.5 && !negated ? cover : Math.min(CANDIDATE_ONLY, cover),
        holdsName: false,
      };
    }
    // The name inside a longer text: strong only when the rest is filler (人还活着), never with a negation the
    // name lacks (未死亡); other words around it (不在本社区居住, 在校表现, 出生日期) make it a candidate.
    if (f.length >= 2 && q.includes(f)) {
      const rest = q.replace(f, '');
      const strong = onlyFiller(rest) && !negated && f.length >= 2;
      return {
        score: strong ? 0.8 + Math.min(f.length, 10) / 100 : CANDIDATE_ONLY,
        holdsName: !negated,
      };
    }
    // The name with a word left out (户口登记项目变更 for 户口登记项目内容变更): most of it, in order.
    if (q.length >= 4 && q.length / f.length >= 0.6 && isSubsequence(q, f) && !negated)
      return { score: 0.9 * (q.length / f.length), holdsName: false };
  }
  // Looser likeness: candidates only.
  const loose = Math.max(
    diceOfGrams(t.coreGrams, fp.coreGrams),
    q ? diceOfGrams(t.distinctiveGrams, fp.distinctiveGrams) : 0,
  );
  if (loose >= 0.3) return { score: Math.min(STRONG - 0.01, loose * 0.6), holdsName: false };
  if (qc.length >= 2 && (fc.includes(qc) || qc.includes(fc))) return { score: 0.2, holdsName: false };
  return none;
}

/**
 * How well a typed text matches one form of a name, from 0 to 1: ≥ STRONG only when the distinctive parts agree
 * (equal 1; the same characters reordered 0.9; the typed text inside the name, three characters or more covering
 * half of it: the share it covers; the name inside a longer typed text whose other words are only filler 0.8);
 * a looser likeness, other words around the name or a negation the name lacks score below STRONG (a candidate).
 */
export function scoreForm(typed: string, form: string): number {
  return scorePrepared(prepareText(typed), prepareText(form)).score;
}

export function scoreEntryPrepared(t: PreparedText, e: PreparedEntry): FormScore {
  let best: FormScore = { score: 0, holdsName: false };
  for (const f of e.forms) {
    const s = scorePrepared(t, f);
    if (s.score > best.score || (s.score === best.score && s.holdsName)) best = s;
  }
  return best;
}

/** The best score of a typed text over an entry's forms (name, bracketed name, aliases). */
export function scoreEntry(typed: string, name: string, aliases: readonly string[]): number {
  return scoreEntryPrepared(prepareText(typed), prepareEntry(name, aliases)).score;
}

/** The best score of a prepared typed text over a prepared entry. */
export function scorePreparedEntry(t: PreparedText, e: PreparedEntry): number {
  return scoreEntryPrepared(t, e).score;
}

export interface Matchable {
  name: string;
  aliases: readonly string[];
  /** The entry prepared once (prepareEntry); prepared here when absent. */
  prepared?: PreparedEntry;
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
  /** Every certificate the text matched at all, best first (with the match). */
  ranked: (CertificateGroup<T> & { holdsName: boolean })[];
}

/**
 * Which certificate a typed text names among these entries. Entries whose names or aliases share a distinctive
 * key are one certificate (居民养犬证明 nationally and 养犬证明 in a district). A match is decided only when the
 * best certificate matches strongly and leads the next one by MARGIN; otherwise the closest ones are candidates.
 * The typed text is prepared once; entries carry their prepared forms (else they are prepared here).
 */
export function matchCertificate<T extends Matchable>(
  typed: string | PreparedText,
  entries: T[],
  maxCandidates = 5,
): MatchResult<T> {
  const t = typeof typed === 'string' ? prepareText(typed) : typed;
  if (t.tooLong) return { match: null, candidates: [], ranked: [] };
  const prepared = entries.map((e) => e.prepared ?? prepareEntry(e.name, e.aliases));
  const scores = prepared.map((p) => scoreEntryPrepared(t, p));
  // Union entries into certificates by shared keys, over every entry (an entry matched weakly may still be the
  // same certificate under another level's name).
  const parent = entries.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  prepared.forEach((p, i) => {
    for (const k of p.keys) {
      const j = owner.get(k);
      if (j === undefined) owner.set(k, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<
    number,
    { members: { i: number; score: number }[]; score: number; holdsName: boolean }
  >();
  scores.forEach((s, i) => {
    if (s.score <= 0) return;
    const root = find(i);
    const g = groups.get(root) ?? { members: [], score: 0, holdsName: false };
    g.members.push({ i, score: s.score });
    g.score = Math.max(g.score, s.score);
    g.holdsName ||= s.holdsName;
    groups.set(root, g);
  });
  // A matched certificate also holds its other entries that matched not at all (another level's wording).
  scores.forEach((s, i) => {
    if (s.score > 0) return;
    groups.get(find(i))?.members.push({ i, score: 0 });
  });
  const ranked = [...groups.values()]
    .map((g) => ({
      entries: g.members.sort((a, b) => b.score - a.score).map((m) => entries[m.i]),
      score: g.score,
      holdsName: g.holdsName,
    }))
    .sort((a, b) => b.score - a.score);
  const [best, next] = ranked;
  // A part of a name that another certificate's name holds too (遗失 in 证件遗失 and 缴费票据遗失) is unclear.
  const sharedPart =
    best !== undefined &&
    best.score < 1 &&
    next !== undefined &&
    next.entries.some((e) => typedPartOfPrepared(t, e.prepared ?? prepareEntry(e.name, e.aliases)));
  const strip = (g: CertificateGroup<T>): CertificateGroup<T> => ({ entries: g.entries, score: g.score });
  if (best && best.score >= STRONG && !sharedPart && (!next || best.score - next.score >= MARGIN)) {
    return { match: strip(best), candidates: [], ranked };
  }
  return { match: null, candidates: ranked.slice(0, maxCandidates).map(strip), ranked };
}
