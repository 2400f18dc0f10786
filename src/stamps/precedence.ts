/**
 * The stamp registry's precedence rule, as pure functions over list and entry versions (no database, no clock):
 *
 * For one community on one date, take every list in force whose scope contains the community (national lists
 * contain every community; a division code contains the communities whose unit code starts with it). Within one
 * scope, the newer document's entry supersedes the older's for the same certificate. Across scopes, a prohibition
 * in force at any level wins over an allowance (a lower level may be stricter, never looser). An allowance stands
 * where nothing prohibits. Otherwise the certificate is not listed (民发〔2020〕20号: a committee issues a
 * certificate only with a legal basis).
 */
import type { ListType, TimeLimitKind } from './stamp-registry.entities.js';

/** The fields of a list version the rule reads (and the answer shows). Dates are YYYY-MM-DD. */
export interface ListVersion {
  id: string;
  listKey: string;
  version: number;
  title: string;
  documentNumber: string;
  issuedBy: string;
  issuedOn: string;
  link: string | null;
  listType: ListType;
  /** '' national, else a 2/4/6-digit division code. */
  scopeCode: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface EntryVersion {
  id: string;
  entryKey: string;
  version: number;
  listKey: string;
  seq: number | null;
  name: string;
  aliases: string[];
  legalBasis: string;
  purpose: string | null;
  conditions: string | null;
  procedure: string | null;
  sampleFormAttachmentId: string | null;
  /** The sample form's file name, where the reader read it with the entry (the registry in memory does). */
  sampleFormFileName?: string | null;
  timeLimitKind: TimeLimitKind | null;
  timeLimitWorkingDays: number | null;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** An entry in force on a date, with the version of its list in force that day. */
export interface InForceEntry {
  entry: EntryVersion;
  list: ListVersion;
}

export type Decision = 'allowed' | 'prohibited' | 'not-listed';

export interface Overridden extends InForceEntry {
  /** superseded: a newer document of the same scope replaced it; prohibited-elsewhere: a prohibition won. */
  reason: 'superseded' | 'prohibited-elsewhere';
}

export interface Ruling {
  decision: Decision;
  /** The entry that decides (null: not listed). */
  deciding: InForceEntry | null;
  overridden: Overridden[];
}

/** The level a scope code names. */
export function scopeLevel(scopeCode: string): 'national' | 'province' | 'city' | 'district' {
  if (scopeCode === '') return 'national';
  if (scopeCode.length === 2) return 'province';
  if (scopeCode.length === 4) return 'city';
  return 'district';
}

/** Every scope (a search across the registry, for no community in particular). */
export const ANY_SCOPE = Symbol('any scope');

/** Whether a list of this scope applies to the community (null community: national lists only). */
export function scopeContains(scopeCode: string, communityCode: string | null | typeof ANY_SCOPE): boolean {
  if (scopeCode === '' || communityCode === ANY_SCOPE) return true;
  return communityCode !== null && communityCode.startsWith(scopeCode);
}

function inForceOn<T extends { effectiveFrom: string; effectiveTo: string | null }>(
  v: T,
  date: string,
): boolean {
  return v.effectiveFrom <= date && (v.effectiveTo === null || v.effectiveTo >= date);
}

/**
 * The version of each key that answers for `date`: the latest version recorded whose own dates have begun by
 * then; the key is out of force on `date` when that version has ended (a retirement) — an earlier version does
 * not come back.
 */
function versionsOn<T extends { version: number; effectiveFrom: string; effectiveTo: string | null }>(
  rows: T[],
  keyOf: (row: T) => string,
  date: string,
): T[] {
  const latest = new Map<string, T>();
  for (const row of rows) {
    if (row.effectiveFrom > date) continue;
    const key = keyOf(row);
    const seen = latest.get(key);
    if (!seen || row.version > seen.version) latest.set(key, row);
  }
  return [...latest.values()].filter((row) => inForceOn(row, date));
}

/**
 * Every entry in force on `date` in a list in force on `date` whose scope contains the community (null: the
 * national lists only). A list or entry that begins after `date` is ignored, as if it did not exist yet.
 */
export function entriesInForce(
  lists: ListVersion[],
  entries: EntryVersion[],
  date: string,
  communityCode: string | null | typeof ANY_SCOPE,
): InForceEntry[] {
  const listsOn = new Map<string, ListVersion>();
  for (const list of versionsOn(lists, (l) => l.listKey, date)) {
    if (scopeContains(list.scopeCode, communityCode)) listsOn.set(list.listKey, list);
  }
  const out: InForceEntry[] = [];
  for (const entry of versionsOn(entries, (e) => e.entryKey, date)) {
    const list = listsOn.get(entry.listKey);
    if (list) out.push({ entry, list });
  }
  return out;
}

/** Newer document first: by its date, then the day it took effect, then the later record. */
export function newerFirst(a: InForceEntry, b: InForceEntry): number {
  return (
    cmp(b.list.issuedOn, a.list.issuedOn) ||
    cmp(b.list.effectiveFrom, a.list.effectiveFrom) ||
    cmp(b.entry.effectiveFrom, a.entry.effectiveFrom) ||
    b.list.version - a.list.version ||
    b.entry.version - a.entry.version ||
    cmp(b.entry.id, a.entry.id)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The ruling for one certificate, given every in-force entry (for one community and date) that names it. Within
 * a scope the newest document's entry stands and supersedes the others; across scopes a standing prohibition
 * beats every allowance — the highest level's prohibition is the one cited; else the most local standing
 * allowance decides; with no entry, not listed.
 */
export function decide(sameCertificate: InForceEntry[]): Ruling {
  const byScope = new Map<string, InForceEntry[]>();
  for (const e of sameCertificate) {
    byScope.set(e.list.scopeCode, [...(byScope.get(e.list.scopeCode) ?? []), e]);
  }
  const standing: InForceEntry[] = [];
  const overridden: Overridden[] = [];
  for (const group of byScope.values()) {
    const [newest, ...older] = [...group].sort(newerFirst);
    standing.push(newest);
    for (const o of older) overridden.push({ ...o, reason: 'superseded' });
  }
  const prohibitions = standing.filter((e) => e.list.listType === 'prohibited');
  const allowances = standing.filter((e) => e.list.listType === 'allowed');
  if (prohibitions.length) {
    const deciding = [...prohibitions].sort(
      (a, b) => a.list.scopeCode.length - b.list.scopeCode.length || newerFirst(a, b),
    )[0];
    for (const a of allowances) overridden.push({ ...a, reason: 'prohibited-elsewhere' });
    return { decision: 'prohibited', deciding, overridden: overridden.sort(overriddenOrder) };
  }
  if (allowances.length) {
    const deciding = [...allowances].sort(
      (a, b) => b.list.scopeCode.length - a.list.scopeCode.length || newerFirst(a, b),
    )[0];
    return { decision: 'allowed', deciding, overridden: overridden.sort(overriddenOrder) };
  }
  return { decision: 'not-listed', deciding: null, overridden: [] };
}

function overriddenOrder(a: Overridden, b: Overridden): number {
  return a.list.scopeCode.length - b.list.scopeCode.length || newerFirst(a, b);
}
