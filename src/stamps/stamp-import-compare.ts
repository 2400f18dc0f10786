import { normalize } from './name-matching.js';
import type { NewStampEntry } from './stamp-lists.js';
import type { StampChange } from './stamp-changes.js';
import type { ListType, TimeLimitKind } from './stamp-registry.entities.js';
import {
  listKeyOf,
  type CheckedRow,
  type ListHead,
  type ParsedEntry,
  type RowProblem,
} from './stamp-import-rows.js';

/**
 * A dry run's comparison (issue 13 §5), pure: each checked row against the registry as it stands (the latest
 * version of each list and entry) — added, changed (which fields, before and after), unchanged or rejected — and
 * the change set the good rows make. A row is matched to a list by document number + scope + type, and to an entry
 * of that list by its normalised name. An empty cell, and a column the file does not have, change nothing (an
 * import adds and changes; it never erases or retires).
 */

export interface RegistryEntry {
  entryKey: string;
  version: number;
  seq: number | null;
  name: string;
  aliases: string[];
  legalBasis: string;
  purpose: string | null;
  conditions: string | null;
  procedure: string | null;
  timeLimitKind: TimeLimitKind | null;
  timeLimitWorkingDays: number | null;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface RegistryList {
  listKey: string;
  version: number;
  title: string;
  documentNumber: string;
  scopeCode: string;
  listType: ListType;
  effectiveFrom: string;
  effectiveTo: string | null;
  /** The latest version of each of its entries. */
  entries: RegistryEntry[];
}

export type RowOutcome = 'added' | 'changed' | 'unchanged' | 'rejected';
export const ROW_OUTCOMES: RowOutcome[] = ['added', 'changed', 'unchanged', 'rejected'];

export type ChangedField =
  'seq' | 'aliases' | 'legalBasis' | 'purpose' | 'conditions' | 'procedure' | 'timeLimit' | 'effectiveTo';

export interface FieldChange {
  field: ChangedField;
  before: string | null;
  after: string | null;
}

export interface ComparedRow {
  line: number;
  outcome: RowOutcome;
  name: string | null;
  list: { documentNumber: string; scopeCode: string; listType: ListType; listKey: string | null } | null;
  entryKey: string | null;
  /** The day the row's change takes effect (added and changed rows). */
  effectiveFrom: string | null;
  changes: FieldChange[];
  problems: RowProblem[];
}

export interface ComparedList {
  documentNumber: string;
  scopeCode: string;
  listType: ListType;
  title: string;
  /** The list in force it adds to; null: a new list. */
  listKey: string | null;
  /** Rows naming it that passed the checks. */
  rows: number;
  /** Of those, the rows that add or change a certificate. */
  proposable: number;
}

export interface Comparison {
  rows: ComparedRow[];
  lists: ComparedList[];
  changes: StampChange[];
}

const limitText = (kind: TimeLimitKind | null, days: number | null): string | null =>
  kind === 'on-the-spot' ? '当场办结' : kind === 'working-days' ? `${days}个工作日` : null;

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** The fields a row changes in an entry in force (only those the row gives). */
export function fieldChanges(e: ParsedEntry, was: RegistryEntry): FieldChange[] {
  const out: FieldChange[] = [];
  const text = (field: ChangedField, after: string | null, before: string | null) => {
    if (after !== null && after !== before) out.push({ field, before, after });
  };
  if (e.seq !== null && e.seq !== was.seq)
    out.push({ field: 'seq', before: was.seq === null ? null : String(was.seq), after: String(e.seq) });
  // The name matched by its normalised form: spacing, width and punctuation are no change.
  if (e.aliases !== null && !sameSet(e.aliases, was.aliases))
    out.push({ field: 'aliases', before: was.aliases.join('、') || null, after: e.aliases.join('、') });
  text('legalBasis', e.legalBasis, was.legalBasis);
  text('purpose', e.purpose, was.purpose);
  text('conditions', e.conditions, was.conditions);
  text('procedure', e.procedure, was.procedure);
  if (e.timeLimit !== null) {
    const after = limitText(
      e.timeLimit.kind,
      e.timeLimit.kind === 'working-days' ? e.timeLimit.workingDays : null,
    );
    const before = limitText(was.timeLimitKind, was.timeLimitWorkingDays);
    if (after !== before) out.push({ field: 'timeLimit', before, after });
  }
  text('effectiveTo', e.effectiveTo, was.effectiveTo);
  return out;
}

/** The later of two days. */
const later = (a: string, b: string) => (a > b ? a : b);

/** The first day of an issue date (2020-04 → 2020-04-01). */
const issuedDay = (issued: string) => (/^\d{4}-\d{2}$/.test(issued) ? `${issued}-01` : issued);

function newEntry(e: ParsedEntry, head: ListHead, effectiveFrom: string | undefined): NewStampEntry {
  return {
    seq: e.seq,
    name: e.name,
    aliases: e.aliases ?? [],
    // Without a basis of its own, the entry's basis is its place in the document (as the national list's is).
    legalBasis: e.legalBasis ?? (e.seq !== null ? `${head.sourceText}第${e.seq}项` : head.sourceText),
    purpose: e.purpose,
    conditions: e.conditions,
    procedure: e.procedure,
    timeLimit: e.timeLimit,
    ...(effectiveFrom ? { effectiveFrom } : {}),
    ...(e.effectiveTo ? { effectiveTo: e.effectiveTo } : {}),
  };
}

type EntryChange = Partial<NewStampEntry> & { effectiveFrom: string };

function changeOf(e: ParsedEntry, changes: FieldChange[], effectiveFrom: string): EntryChange {
  const c: EntryChange = { effectiveFrom };
  for (const f of changes) {
    if (f.field === 'seq') c.seq = e.seq;
    if (f.field === 'aliases') c.aliases = e.aliases ?? [];
    if (f.field === 'legalBasis') c.legalBasis = e.legalBasis!;
    if (f.field === 'purpose') c.purpose = e.purpose;
    if (f.field === 'conditions') c.conditions = e.conditions;
    if (f.field === 'procedure') c.procedure = e.procedure;
    if (f.field === 'timeLimit') c.timeLimit = e.timeLimit;
    if (f.field === 'effectiveTo') c.effectiveTo = e.effectiveTo;
  }
  return c;
}

const reject = (zh: string, en: string): RowProblem => ({ field: null, message: `${zh}${en}` });

/**
 * Compares the checked rows with the registry on `today` (the default day a change takes effect). Rows already
 * rejected stay so; a row of a retired list or entry, or whose change would take effect before the entry's
 * current version did (past answers must not change), is rejected with the reason.
 */
export function compareWithRegistry(
  rows: CheckedRow[],
  heads: Map<string, ListHead>,
  registry: RegistryList[],
  today: string,
): Comparison {
  const inForce = new Map<string, RegistryList>();
  for (const l of registry) {
    const key = listKeyOf(l);
    const known = inForce.get(key);
    // Two lists for one document, scope and type should not happen; the one begun last answers.
    if (!known || l.effectiveFrom > known.effectiveFrom) inForce.set(key, l);
  }
  const out: ComparedRow[] = [];
  const newLists = new Map<string, NewStampEntry[]>();
  const added = new Map<string, NewStampEntry[]>();
  const changes: StampChange[] = [];
  const listRows = new Map<string, number>();
  for (const row of rows) {
    const base = {
      line: row.line,
      name: row.entry?.name || null,
      list: row.list ? { ...row.list, listKey: null as string | null } : null,
      entryKey: null as string | null,
      effectiveFrom: null as string | null,
      changes: [] as FieldChange[],
      problems: [...row.problems],
    };
    if (row.problems.length || !row.list || !row.entry) {
      out.push({ ...base, outcome: 'rejected' });
      continue;
    }
    const key = listKeyOf(row.list);
    const head = heads.get(key)!;
    const e = row.entry;
    listRows.set(key, (listRows.get(key) ?? 0) + 1);
    const list = inForce.get(key);
    if (!list) {
      // A new list: from its issue date, or the first effective date its rows give, and not before today.
      const entries = newLists.get(key) ?? [];
      entries.push(newEntry(e, head, e.effectiveFrom ?? undefined));
      newLists.set(key, entries);
      out.push({
        ...base,
        outcome: 'added',
        effectiveFrom: e.effectiveFrom ?? later(issuedDay(head.issuedOn), today),
      });
      continue;
    }
    base.list!.listKey = list.listKey;
    if (list.effectiveTo !== null && list.effectiveTo < today) {
      base.problems.push(
        reject(
          `该清单（${list.documentNumber}）已于 ${list.effectiveTo} 废止，不能再通过导入增改事项。`,
          `The list ${list.documentNumber} was retired on ${list.effectiveTo}; an import does not change a retired list.`,
        ),
      );
      out.push({ ...base, outcome: 'rejected' });
      continue;
    }
    const effectiveFrom = e.effectiveFrom ?? later(today, list.effectiveFrom);
    const was = entriesByName(list).get(normalize(e.name));
    if (!was) {
      const entries = added.get(list.listKey) ?? [];
      entries.push(newEntry(e, head, effectiveFrom));
      added.set(list.listKey, entries);
      out.push({ ...base, outcome: 'added', effectiveFrom });
      continue;
    }
    base.entryKey = was.entryKey;
    if (was.effectiveTo !== null && was.effectiveTo < today) {
      base.problems.push(
        reject(
          `“${was.name}”已于 ${was.effectiveTo} 废止，导入不能恢复已废止的事项。`,
          `"${was.name}" was retired on ${was.effectiveTo}; an import does not bring back a retired entry.`,
        ),
      );
      out.push({ ...base, outcome: 'rejected' });
      continue;
    }
    const fields = fieldChanges(e, was);
    if (!fields.length) {
      out.push({ ...base, outcome: 'unchanged' });
      continue;
    }
    if (effectiveFrom < was.effectiveFrom) {
      base.problems.push({
        field: 'effective_from',
        message: `生效日期 ${effectiveFrom} 早于“${was.name}”现行版本的生效日期 ${was.effectiveFrom}（已作出的答复不能改变），请改为该日或之后。The change would take effect on ${effectiveFrom}, before the entry's current version did (${was.effectiveFrom}); past answers must not change.`,
      });
      out.push({ ...base, outcome: 'rejected' });
      continue;
    }
    changes.push({
      kind: 'change-entry',
      entryKey: was.entryKey,
      change: changeOf(e, fields, effectiveFrom),
    });
    out.push({ ...base, outcome: 'changed', effectiveFrom, changes: fields });
  }
  for (const [key, entries] of newLists) {
    const h = heads.get(key)!;
    const given = entries.map((x) => x.effectiveFrom).filter((d): d is string => !!d);
    const effectiveFrom = given.length ? given.sort()[0] : later(issuedDay(h.issuedOn), today);
    changes.unshift({
      kind: 'new-list',
      list: {
        title: h.title,
        documentNumber: h.documentNumber,
        issuedBy: h.issuedBy,
        issuedOn: h.issuedOn,
        link: h.link,
        listType: h.listType,
        scopeCode: h.scopeCode,
        effectiveFrom,
      },
      entries,
    });
  }
  for (const [listKey, entries] of added) changes.unshift({ kind: 'add-entries', listKey, entries });
  // Each list's rows that add or change a certificate, counted in one pass (per list over every row was
  // lists × rows: 5,000 one-row lists held the server 54 s).
  const proposableOf = new Map<string, number>();
  for (const r of out)
    if ((r.outcome === 'added' || r.outcome === 'changed') && r.list) {
      const key = listKeyOf(r.list);
      proposableOf.set(key, (proposableOf.get(key) ?? 0) + 1);
    }
  const lists: ComparedList[] = [...heads.entries()]
    .filter(([key]) => listRows.has(key))
    .map(([key, h]) => ({
      documentNumber: h.documentNumber,
      scopeCode: h.scopeCode,
      listType: h.listType,
      title: inForce.get(key)?.title ?? h.title,
      listKey: inForce.get(key)?.listKey ?? null,
      rows: listRows.get(key)!,
      proposable: proposableOf.get(key) ?? 0,
    }));
  return { rows: out, lists, changes };
}

/** Each registry list's entries by their normalised name, worked out once per list (not once per row and entry). */
const byName = new WeakMap<RegistryList, Map<string, RegistryEntry>>();
function entriesByName(list: RegistryList): Map<string, RegistryEntry> {
  let m = byName.get(list);
  if (!m) {
    m = new Map();
    // The first entry of a name wins, as find() did.
    for (const x of list.entries) {
      const key = normalize(x.name);
      if (!m.has(key)) m.set(key, x);
    }
    byName.set(list, m);
  }
  return m;
}
