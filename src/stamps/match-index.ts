/**
 * matchCertificate (name-matching.ts) over a set of entries prepared once: the registry keeps one such index per
 * community and day in memory (stamp-registry-memory.ts), so that a check scores only the entries that can match.
 * The answer is the same as matchCertificate's over the same entries, in the same order (match-index.spec.ts
 * compares them): what is saved is the work that does not depend on the typed text.
 *
 * Why only some entries are scored: a positive score (name-matching.ts scorePrepared) needs, between the typed text
 * (its core or distinctive part) and a form of the entry (likewise), one of: a shared pair of adjacent characters
 * (one inside the other from two characters on, a likeness of bigrams); every character of the typed distinctive
 * part in the form (the same characters reordered, a subsequence); or a form of one character. An entry with none
 * of these scores 0 there too.
 */
import {
  MARGIN,
  STRONG,
  scoreEntryPrepared,
  typedPartOfPrepared,
  type CertificateGroup,
  type MatchResult,
  type PreparedEntry,
  type PreparedText,
} from './name-matching.js';

export interface IndexedEntry {
  prepared: PreparedEntry;
}

export interface MatchIndex<T extends IndexedEntry> {
  entries: T[];
  /** The certificate (group of entries sharing a distinctive key) of each entry: its root's position. */
  root: number[];
  /** Each certificate's entries, by position. */
  members: Map<number, number[]>;
  /** Character of a form's core → the entries (positions, ascending) holding it. */
  byCharacter: Map<string, number[]>;
  /** Pair of adjacent characters of a form's core or distinctive part → the entries holding it. */
  byBigram: Map<string, number[]>;
  /** Entries with a form whose core or distinctive part is one character. */
  short: number[];
}

function bigramsOf(text: string, into: Set<string>): void {
  for (let i = 0; i + 1 < text.length; i++) into.add(text.slice(i, i + 2));
}

function post(index: Map<string, number[]>, key: string, i: number): void {
  const list = index.get(key);
  if (list) list.push(i);
  else index.set(key, [i]);
}

/** Prepares the index: the grouping into certificates (as matchCertificate unites them) and the characters. */
export function buildMatchIndex<T extends IndexedEntry>(entries: T[]): MatchIndex<T> {
  const parent = entries.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  entries.forEach((e, i) => {
    for (const k of e.prepared.keys) {
      const j = owner.get(k);
      if (j === undefined) owner.set(k, i);
      else parent[find(i)] = find(j);
    }
  });
  const root = entries.map((_, i) => find(i));
  const members = new Map<number, number[]>();
  root.forEach((r, i) => members.set(r, [...(members.get(r) ?? []), i]));
  const byCharacter = new Map<string, number[]>();
  const byBigram = new Map<string, number[]>();
  const short: number[] = [];
  entries.forEach((e, i) => {
    const chars = new Set<string>();
    const pairs = new Set<string>();
    let isShort = false;
    for (const f of e.prepared.forms) {
      for (const ch of f.core) chars.add(ch);
      bigramsOf(f.core, pairs);
      bigramsOf(f.distinctive, pairs);
      if (f.core.length === 1 || f.distinctive.length === 1) isShort = true;
    }
    for (const ch of chars) post(byCharacter, ch, i);
    for (const p of pairs) post(byBigram, p, i);
    if (isShort) short.push(i);
  });
  return { entries, root, members, byCharacter, byBigram, short };
}

/** The positions of the entries that may score above 0 for the typed text, ascending. */
export function mayMatch<T extends IndexedEntry>(t: PreparedText, index: MatchIndex<T>): number[] {
  if (t.tooLong || !t.core) return [];
  const n = index.entries.length;
  // Marked by position, then read in order: ascending without sorting what was found.
  const found = new Uint8Array(n);
  for (const i of index.short) found[i] = 1;
  const pairs = new Set<string>();
  bigramsOf(t.core, pairs);
  bigramsOf(t.bare, pairs);
  for (const p of pairs) for (const i of index.byBigram.get(p) ?? []) found[i] = 1;
  // Every character of the distinctive part in the entry: the entries on every character's list.
  if (t.bare) {
    const lists: number[][] = [];
    for (const ch of new Set(t.bare)) {
      const has = index.byCharacter.get(ch);
      if (!has) {
        lists.length = 0;
        break;
      }
      lists.push(has);
    }
    if (lists.length === 1) for (const i of lists[0]) found[i] = 1;
    else if (lists.length > 1) {
      // Each list holds an entry once; at most MAX_TYPED distinct characters, so a byte counts them.
      const count = new Uint8Array(n);
      for (const list of lists) for (const i of list) count[i]++;
      for (let i = 0; i < n; i++) if (count[i] === lists.length) found[i] = 1;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (found[i]) out.push(i);
  return out;
}

/** matchCertificate(t, index.entries, maxCandidates), scoring only the entries that may match. */
export function matchIndexed<T extends IndexedEntry>(
  t: PreparedText,
  index: MatchIndex<T>,
  maxCandidates = 5,
): MatchResult<T> {
  if (t.tooLong) return { match: null, candidates: [], ranked: [] };
  const groups = new Map<
    number,
    { members: { i: number; score: number }[]; score: number; holdsName: boolean }
  >();
  const scored = new Set<number>();
  for (const i of mayMatch(t, index)) {
    const s = scoreEntryPrepared(t, index.entries[i].prepared);
    if (s.score <= 0) continue;
    scored.add(i);
    const root = index.root[i];
    const g = groups.get(root) ?? { members: [], score: 0, holdsName: false };
    g.members.push({ i, score: s.score });
    g.score = Math.max(g.score, s.score);
    g.holdsName ||= s.holdsName;
    groups.set(root, g);
  }
  // A matched certificate also holds its other entries that matched not at all (another level's wording).
  for (const [root, g] of groups)
    for (const i of index.members.get(root) ?? []) if (!scored.has(i)) g.members.push({ i, score: 0 });
  const ranked = [...groups.values()]
    .map((g) => ({
      entries: g.members.sort((a, b) => b.score - a.score).map((m) => index.entries[m.i]),
      score: g.score,
      holdsName: g.holdsName,
    }))
    .sort((a, b) => b.score - a.score);
  const [best, next] = ranked;
  const sharedPart =
    best !== undefined &&
    best.score < 1 &&
    next !== undefined &&
    next.entries.some((e) => typedPartOfPrepared(t, e.prepared));
  const strip = (g: CertificateGroup<T>): CertificateGroup<T> => ({ entries: g.entries, score: g.score });
  if (best && best.score >= STRONG && !sharedPart && (!next || best.score - next.score >= MARGIN)) {
    return { match: strip(best), candidates: [], ranked };
  }
  return { match: null, candidates: ranked.slice(0, maxCandidates).map(strip), ranked };
}
