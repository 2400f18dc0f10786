import type { EntityManager } from 'typeorm';
import { nextDay } from '../common/china-time.js';
import { entriesInForce, ANY_SCOPE, type EntryVersion, type ListVersion } from './precedence.js';
import type { StampChange } from './stamp-changes.js';
import { latestEntryVersion, latestListVersion, type NewStampEntry } from './stamp-lists.js';
import type { StampEntry, StampList } from './stamp-registry.entities.js';
import { timeLimitText } from './stamp-registry.service.js';

/**
 * What a proposal changes against what is in force (issue 13 §4 "every proposal shows its diff"): per change, the
 * list it concerns, each field before and after, the entries it adds and the entries it retires, compared on the
 * day the change takes effect. Values are the texts a clerk reads (时限 as 3个工作日内办结, aliases joined by 、).
 */
export interface FieldDiff {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
}

export interface DiffList {
  listKey: string | null;
  title: string;
  documentNumber: string;
  listType: 'allowed' | 'prohibited';
  scopeCode: string;
}

export interface DiffEntry {
  entryKey: string | null;
  name: string;
  fields: FieldDiff[];
}

export interface ChangeDiff {
  kind: StampChange['kind'];
  kindName: string;
  /** The first day the change shows in the answers (a retirement: the day after the last day). */
  effectiveDate: string;
  list: DiffList;
  /** The list's own fields (a new list, a retired list) or the entry's (a changed or retired entry). */
  fields: FieldDiff[];
  /** The entry a change-entry or retire-entry concerns. */
  entry: { entryKey: string; name: string } | null;
  added: DiffEntry[];
  retired: { entryKey: string; name: string }[];
  notes: string[];
}

export const CHANGE_KIND_NAMES: Record<StampChange['kind'], string> = {
  'new-list': '新增清单',
  'add-entries': '增加事项',
  'change-entry': '修改事项',
  'retire-entry': '废止事项',
  'retire-list': '废止清单',
};

const LIST_TYPE_NAMES = { allowed: '可以出具', prohibited: '不应出具' };

const ENTRY_FIELDS: [keyof EntryTexts, string][] = [
  ['name', '事项名称'],
  ['aliases', '常用叫法'],
  ['legalBasis', '设定依据'],
  ['purpose', '办理用途'],
  ['conditions', '办理条件和材料'],
  ['procedure', '办理流程'],
  ['timeLimit', '办理时限'],
  ['sampleForm', '证明式样'],
  ['seq', '序号'],
  ['effectiveFrom', '生效日期'],
  ['effectiveTo', '有效期至'],
];

interface EntryTexts {
  name: string;
  aliases: string | null;
  legalBasis: string;
  purpose: string | null;
  conditions: string | null;
  procedure: string | null;
  timeLimit: string | null;
  /** The sample form's id while compared; its file name in the diff (sampleFormNames). */
  sampleForm: string | null;
  seq: string | null;
  effectiveFrom: string | null;
  effectiveTo: string | null;
}

function storedTexts(e: StampEntry | EntryVersion): EntryTexts {
  return {
    name: e.name,
    aliases: e.aliases.length ? e.aliases.join('、') : null,
    legalBasis: e.legalBasis,
    purpose: e.purpose,
    conditions: e.conditions,
    procedure: e.procedure,
    timeLimit: timeLimitText(e.timeLimitKind, e.timeLimitWorkingDays),
    sampleForm: e.sampleFormAttachmentId,
    seq: e.seq === null ? null : String(e.seq),
    effectiveFrom: String(e.effectiveFrom),
    effectiveTo: e.effectiveTo === null ? null : String(e.effectiveTo),
  };
}

function newTexts(e: NewStampEntry, listFrom: string): EntryTexts {
  return {
    name: e.name,
    aliases: e.aliases?.length ? e.aliases.join('、') : null,
    legalBasis: e.legalBasis,
    purpose: e.purpose ?? null,
    conditions: e.conditions ?? null,
    procedure: e.procedure ?? null,
    timeLimit: e.timeLimit
      ? timeLimitText(e.timeLimit.kind, e.timeLimit.kind === 'working-days' ? e.timeLimit.workingDays : null)
      : null,
    sampleForm: e.sampleFormAttachmentId ?? null,
    seq: e.seq == null ? null : String(e.seq),
    effectiveFrom: e.effectiveFrom ?? listFrom,
    effectiveTo: e.effectiveTo ?? null,
  };
}

/** The texts after a change: the stored version with the change's fields laid over it. */
function changedTexts(last: StampEntry, c: Partial<NewStampEntry> & { effectiveFrom: string }): EntryTexts {
  const before = storedTexts(last);
  const after = { ...before, effectiveFrom: c.effectiveFrom };
  if (c.name !== undefined) after.name = c.name;
  if (c.aliases !== undefined) after.aliases = c.aliases.length ? c.aliases.join('、') : null;
  if (c.legalBasis !== undefined) after.legalBasis = c.legalBasis;
  for (const f of ['purpose', 'conditions', 'procedure'] as const)
    if (c[f] !== undefined) after[f] = c[f] ?? null;
  if (c.timeLimit !== undefined)
    after.timeLimit = c.timeLimit
      ? timeLimitText(c.timeLimit.kind, c.timeLimit.kind === 'working-days' ? c.timeLimit.workingDays : null)
      : null;
  if (c.sampleFormAttachmentId !== undefined) after.sampleForm = c.sampleFormAttachmentId ?? null;
  if (c.seq !== undefined) after.seq = c.seq === null ? null : String(c.seq);
  if (c.effectiveTo !== undefined) after.effectiveTo = c.effectiveTo ?? null;
  return after;
}

function allFields(t: EntryTexts, before: EntryTexts | null): FieldDiff[] {
  return ENTRY_FIELDS.filter(([f]) => t[f] !== null || (before && before[f] !== null)).map(([f, label]) => ({
    field: f,
    label,
    before: before ? before[f] : null,
    after: t[f],
  }));
}

function changedFields(before: EntryTexts, after: EntryTexts): FieldDiff[] {
  return allFields(after, before).filter((d) => d.before !== d.after);
}

function diffList(
  l:
    | StampList
    | { title: string; documentNumber: string; listType: 'allowed' | 'prohibited'; scopeCode: string },
  listKey: string | null,
): DiffList {
  return {
    listKey,
    title: l.title,
    documentNumber: l.documentNumber,
    listType: l.listType,
    scopeCode: l.scopeCode,
  };
}

/** The entries of one list in force on a day (any scope). */
async function listEntriesOn(m: EntityManager, list: StampList, day: string): Promise<EntryVersion[]> {
  const lists: ListVersion[] = await m.query(
    `SELECT id, list_key AS "listKey", version, title, document_number AS "documentNumber", issued_by AS "issuedBy",
            issued_on AS "issuedOn", link, list_type AS "listType", scope_code AS "scopeCode",
            to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", to_char(effective_to, 'YYYY-MM-DD') AS "effectiveTo"
       FROM stamp_list WHERE list_key = $1`,
    [list.listKey],
  );
  const entries: EntryVersion[] = await m.query(
    `SELECT id, entry_key AS "entryKey", version, list_key AS "listKey", seq, name, aliases, legal_basis AS "legalBasis",
            purpose, conditions, procedure, sample_form_attachment_id AS "sampleFormAttachmentId",
            time_limit_kind AS "timeLimitKind", time_limit_working_days AS "timeLimitWorkingDays",
            to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", to_char(effective_to, 'YYYY-MM-DD') AS "effectiveTo"
       FROM stamp_entry WHERE list_key = $1`,
    [list.listKey],
  );
  return entriesInForce(lists, entries, day, ANY_SCOPE)
    .map((x) => x.entry)
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || a.name.localeCompare(b.name));
}

const LIST_TO = (to: string | null) => to ?? '长期有效';

/** The sample forms of a diff shown by their file names (compared by id). */
async function sampleFormNames(m: EntityManager, diffs: ChangeDiff[]): Promise<void> {
  const fields = diffs
    .flatMap((d) => [...d.fields, ...d.added.flatMap((a) => a.fields)])
    .filter((f) => f.field === 'sampleForm');
  const ids = [...new Set(fields.flatMap((f) => [f.before, f.after]).filter((v) => v !== null))];
  if (!ids.length) return;
  const rows: { id: string; fileName: string }[] = await m.query(
    `SELECT id::text, file_name AS "fileName" FROM stamp_sample_form WHERE id::text = ANY($1::text[])`,
    [ids],
  );
  const names = new Map(rows.map((r) => [r.id, r.fileName]));
  const name = (id: string | null) => (id === null ? null : (names.get(id) ?? '证明式样'));
  for (const f of fields) {
    f.before = name(f.before);
    f.after = name(f.after);
  }
}

/**
 * The diff of each change against the registry as it stands (read in `m`). The set has passed the registry
 * checks (its keys exist), so a missing key here is a bug.
 */
export async function diffChanges(m: EntityManager, changes: StampChange[]): Promise<ChangeDiff[]> {
  const out: ChangeDiff[] = [];
  for (const c of changes) {
    const base = {
      kind: c.kind,
      kindName: CHANGE_KIND_NAMES[c.kind],
      entry: null,
      added: [],
      retired: [],
      notes: [],
    };
    if (c.kind === 'new-list') {
      const l = c.list;
      const same: { n: string }[] = await m.query(
        `SELECT count(DISTINCT list_key)::text AS n FROM stamp_list WHERE document_number = $1 AND scope_code = $2`,
        [l.documentNumber, l.scopeCode],
      );
      out.push({
        ...base,
        effectiveDate: l.effectiveFrom,
        list: diffList(l, null),
        fields: [
          { field: 'title', label: '清单名称', before: null, after: l.title },
          { field: 'documentNumber', label: '文号', before: null, after: l.documentNumber },
          { field: 'issuedBy', label: '发文机关', before: null, after: l.issuedBy },
          { field: 'issuedOn', label: '成文日期', before: null, after: l.issuedOn },
          { field: 'listType', label: '清单类型', before: null, after: LIST_TYPE_NAMES[l.listType] },
          { field: 'link', label: '原文链接', before: null, after: l.link ?? null },
          { field: 'effectiveFrom', label: '生效日期', before: null, after: l.effectiveFrom },
          { field: 'effectiveTo', label: '有效期至', before: null, after: LIST_TO(l.effectiveTo ?? null) },
        ].filter((f) => f.after !== null),
        added: c.entries.map((e) => {
          const t = newTexts(e, l.effectiveFrom);
          return { entryKey: null, name: e.name, fields: allFields(t, null) };
        }),
        notes:
          Number(same[0]?.n ?? 0) > 0
            ? [`本范围已有文号为“${l.documentNumber}”的清单，请确认不是重复录入。`]
            : [],
      });
    } else if (c.kind === 'add-entries') {
      const list = (await latestListVersion(m, c.listKey))!;
      const from = c.entries.map((e) => e.effectiveFrom ?? String(list.effectiveFrom)).sort()[0];
      const present = await listEntriesOn(m, list, from);
      const names = new Set(present.map((e) => e.name.replace(/\s+/g, '')));
      const dup = c.entries.filter((e) => names.has(e.name.replace(/\s+/g, ''))).map((e) => `“${e.name}”`);
      out.push({
        ...base,
        effectiveDate: from,
        list: diffList(list, list.listKey),
        fields: [],
        added: c.entries.map((e) => {
          const t = newTexts(e, String(list.effectiveFrom));
          return { entryKey: null, name: e.name, fields: allFields(t, null) };
        }),
        notes: dup.length ? [`清单中已有同名事项 ${dup.join('、')}，将并存为两个事项。`] : [],
      });
    } else if (c.kind === 'change-entry') {
      const last = (await latestEntryVersion(m, c.entryKey))!;
      const list = (await latestListVersion(m, last.listKey))!;
      const before = storedTexts(last);
      const after = changedTexts(last, c.change);
      const notes: string[] = [];
      if (last.effectiveTo !== null && String(last.effectiveTo) < c.change.effectiveFrom)
        notes.push(`该事项已于 ${String(last.effectiveTo)} 废止，此修改将使其重新生效。`);
      out.push({
        ...base,
        effectiveDate: c.change.effectiveFrom,
        list: diffList(list, list.listKey),
        entry: { entryKey: last.entryKey, name: last.name },
        fields: changedFields(before, after),
        notes,
      });
    } else if (c.kind === 'retire-entry') {
      const last = (await latestEntryVersion(m, c.entryKey))!;
      const list = (await latestListVersion(m, last.listKey))!;
      out.push({
        ...base,
        effectiveDate: nextDay(c.lastDay),
        list: diffList(list, list.listKey),
        entry: { entryKey: last.entryKey, name: last.name },
        fields: [
          {
            field: 'effectiveTo',
            label: '有效期至',
            before: LIST_TO(last.effectiveTo === null ? null : String(last.effectiveTo)),
            after: c.lastDay,
          },
        ],
        retired: [{ entryKey: last.entryKey, name: last.name }],
      });
    } else {
      const list = (await latestListVersion(m, c.listKey))!;
      const inForce = await listEntriesOn(m, list, c.lastDay);
      out.push({
        ...base,
        effectiveDate: nextDay(c.lastDay),
        list: diffList(list, list.listKey),
        fields: [
          {
            field: 'effectiveTo',
            label: '有效期至',
            before: LIST_TO(list.effectiveTo === null ? null : String(list.effectiveTo)),
            after: c.lastDay,
          },
        ],
        retired: inForce.map((e) => ({ entryKey: e.entryKey, name: e.name })),
      });
    }
  }
  await sampleFormNames(m, out);
  return out;
}
