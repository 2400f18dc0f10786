import { normalize } from './name-matching.js';
import { entriesInForce, type InForceEntry } from './precedence.js';
import type { ComparedRow } from './stamp-import-compare.js';
import type { RegistryData } from './stamp-registry-memory.js';
import type { RowProblem } from './stamp-import-rows.js';

/**
 * What a good row would meet in the registry (issue 13 §2's precedence): a certificate an imported allowed list
 * keeps that a list in force at the same or a wider scope prohibits stays prohibited there — a prohibition at any
 * level wins. The row is not refused (the office may be importing what its own document says, and the prohibition
 * may be revised), but the report says so beside it, naming the prohibiting list. Names are compared as the check
 * compares them (normalize: spaces, punctuation, traditional characters), by the entry's name and its aliases.
 */
export function prohibitionNotes(
  rows: readonly ComparedRow[],
  data: RegistryData,
  today: string,
): RowProblem[][] {
  // Only lists that ever prohibited take part (every version of them, so that the version in force decides): a
  // file of 5,000 rows each taking effect on its own day asked the whole registry for 5,000 views (55 s).
  const prohibiting = new Set(data.lists.filter((l) => l.listType === 'prohibited').map((l) => l.listKey));
  const lists = data.lists.filter((l) => prohibiting.has(l.listKey));
  const entries = data.entries.filter((e) => prohibiting.has(e.listKey));
  const byView = new Map<string, Map<string, InForceEntry>>();
  const prohibitions = (day: string, scopeCode: string): Map<string, InForceEntry> => {
    const key = `${day}|${scopeCode}`;
    let names = byView.get(key);
    if (!names) {
      names = new Map();
      for (const x of entriesInForce(lists, entries, day, scopeCode === '' ? null : scopeCode)) {
        if (x.list.listType !== 'prohibited') continue;
        for (const n of [x.entry.name, ...x.entry.aliases]) {
          const k = normalize(n);
          if (k && !names.has(k)) names.set(k, x);
        }
      }
      byView.set(key, names);
    }
    return names;
  };
  return rows.map((r) => {
    if ((r.outcome !== 'added' && r.outcome !== 'changed') || r.list?.listType !== 'allowed' || !r.name)
      return [];
    const found = prohibitions(r.effectiveFrom ?? today, r.list.scopeCode).get(normalize(r.name));
    if (!found) return [];
    const scope =
      data.scopeNames([found.list.scopeCode]).get(found.list.scopeCode)?.name ?? found.list.scopeCode;
    return [
      {
        field: 'name',
        message:
          `${scope}的《${found.list.title}》（${found.list.documentNumber}）已将“${found.entry.name}”列为不应出具：` +
          `禁止优先于保留，导入后此证明在该范围内仍不可出具。请核对本行是否应导入。` +
          'A prohibited list in force at this scope or wider names this certificate; a prohibition wins, so it stays prohibited there.',
      },
    ];
  });
}
