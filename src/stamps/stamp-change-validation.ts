import { AppError } from '../common/errors.js';
import type { FieldProblem } from '../common/validation.js';
import type { StampChange, StampChangeSet } from './stamp-changes.js';
import type { NewStampEntry } from './stamp-lists.js';
import { hasControlCharacter, hasDirectionOverride, isBlank } from '../common/validation.js';
import { normalize } from './name-matching.js';
import { canonicalDocumentNumber } from './stamp-import-rows.js';

/**
 * The shape of a change set, checked field by field (issue 13 "bad input"): every problem is told at once, each
 * naming its field as `changes.2.entries.0.effectiveFrom`. A set that passes is returned normalized (texts
 * trimmed, empty optional texts null); the registry checks (unknown keys, scope, dates against the versions)
 * come after, in the proposals service. Proposals typed on the console and imports both pass here.
 */

export const MAX_CHANGES = 200;
export const MAX_ENTRIES_PER_CHANGE = 2000;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_OR_DAY = /^\d{4}-\d{2}(-\d{2})?$/;
const SCOPE = /^(\d{2}|\d{4}|\d{6})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A real calendar day written YYYY-MM-DD, between 1949 and 2199. */
export function isDay(v: unknown): v is string {
  if (typeof v !== 'string' || !DAY.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return (
    !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && v >= '1949-01-01' && v < '2200-01-01'
  );
}

export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

const ENTRY_LABELS: Record<string, string> = {
  seq: '序号',
  name: '事项名称',
  aliases: '常用叫法',
  legalBasis: '设定依据',
  purpose: '办理用途',
  conditions: '办理条件和材料',
  procedure: '办理流程',
  timeLimit: '办理时限',
  effectiveFrom: '生效日期',
  effectiveTo: '有效期至',
  lastDay: '最后有效日',
  listKey: '清单',
  entryKey: '事项',
  entries: '事项',
  title: '清单名称',
  documentNumber: '文号',
  issuedBy: '发文机关',
  issuedOn: '成文日期',
  link: '原文链接',
  listType: '清单类型',
  scopeCode: '适用范围',
  summary: '调整说明',
  changes: '调整内容',
  kind: '调整类型',
};

class Problems {
  readonly list: FieldProblem[] = [];
  add(field: string, zh: string, en: string): void {
    const last = field.split('.').pop() ?? field;
    const label = ENTRY_LABELS[last] ?? last;
    this.list.push({ field, problems: [`${label}（${field}）${zh}。${field} ${en}.`] });
  }
}

function text(
  p: Problems,
  field: string,
  v: unknown,
  o: { required: boolean; max: number; oneLine?: boolean },
): string | null | undefined {
  if (v === undefined || v === null) {
    if (o.required) p.add(field, '须填写', 'is required');
    return v as null | undefined;
  }
  if (typeof v !== 'string') {
    p.add(field, '须为文字', 'must be text');
    return undefined;
  }
  const t = v.trim();
  if (isBlank(t)) {
    if (o.required) p.add(field, '不能为空', 'must not be empty');
    return o.required ? undefined : null;
  }
  if (t.length > o.max) p.add(field, `不能超过 ${o.max} 个字`, `must be at most ${o.max} characters`);
  // A list's title, number and issuing body are one line; no text may reorder what the public reads.
  if (o.oneLine && hasControlCharacter(t))
    p.add(field, '不能含换行、制表符等控制字符，请写在一行内', 'must be one line without control characters');
  else if (hasDirectionOverride(t))
    p.add(
      field,
      '含有改变文字方向的隐藏字符，请删除后重新输入',
      'holds a hidden direction override; remove it',
    );
  return t;
}

function day(p: Problems, field: string, v: unknown, required: boolean): string | null | undefined {
  if (v === undefined || v === null) {
    if (required) p.add(field, '须填写，格式为 YYYY-MM-DD', 'is required (YYYY-MM-DD)');
    return v as null | undefined;
  }
  if (!isDay(v)) {
    p.add(field, '须为有效日期，格式为 YYYY-MM-DD，如 2027-01-01', 'must be a real day written YYYY-MM-DD');
    return undefined;
  }
  return v;
}

function key(p: Problems, field: string, v: unknown): string | undefined {
  if (typeof v !== 'string' || !v.trim() || v.length > 64) {
    p.add(field, '须填写', 'is required');
    return undefined;
  }
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One entry's fields; `partial`: a change, where every field but effectiveFrom may be left out. */
function entry(p: Problems, at: string, v: unknown, partial: boolean): Partial<NewStampEntry> | undefined {
  if (!isObject(v)) {
    p.add(at, '须为一个事项', 'must be an object');
    return undefined;
  }
  const out: Partial<NewStampEntry> = {};
  const need = !partial;
  const name = text(p, `${at}.name`, v.name, { required: need, max: 100, oneLine: true });
  // A name of nothing but punctuation or invisible characters can never be matched (name-matching.ts drops them).
  if (typeof name === 'string' && !normalize(name))
    p.add(`${at}.name`, '须含有文字，不能只有标点或不可见字符', 'must hold letters, not only punctuation');
  else if (name !== undefined && !(typeof name === 'string' && hasControlCharacter(name)))
    out.name = name ?? undefined;
  if (partial && v.name === null) p.add(`${at}.name`, '不能为空', 'must not be empty');
  const basis = text(p, `${at}.legalBasis`, v.legalBasis, { required: need, max: 2000 });
  if (basis !== undefined) out.legalBasis = basis ?? undefined;
  if (partial && v.legalBasis === null) p.add(`${at}.legalBasis`, '不能为空', 'must not be empty');
  for (const f of ['purpose', 'conditions', 'procedure'] as const) {
    const t = text(p, `${at}.${f}`, v[f], { required: false, max: 4000 });
    if (t !== undefined || (v[f] === null && partial)) out[f] = t ?? null;
  }
  if (v.seq !== undefined) {
    if (v.seq === null) out.seq = null;
    else if (typeof v.seq !== 'number' || !Number.isInteger(v.seq) || v.seq < 1 || v.seq > 100_000)
      p.add(`${at}.seq`, '须为 1 至 100000 的整数', 'must be a whole number from 1 to 100000');
    else out.seq = v.seq;
  }
  if (v.aliases !== undefined) {
    if (
      !Array.isArray(v.aliases) ||
      v.aliases.length > 20 ||
      v.aliases.some((a) => typeof a !== 'string' || !a.trim() || a.trim().length > 100)
    )
      p.add(
        `${at}.aliases`,
        '须为至多 20 个名称，每个 1 至 100 字',
        'must be at most 20 names of 1 to 100 characters',
      );
    else out.aliases = [...new Set((v.aliases as string[]).map((a) => a.trim()))];
  }
  if (v.sampleFormAttachmentId !== undefined) {
    if (v.sampleFormAttachmentId === null) out.sampleFormAttachmentId = null;
    else if (!isUuid(v.sampleFormAttachmentId)) p.add(`${at}.sampleFormAttachmentId`, '无效', 'is not an id');
    else out.sampleFormAttachmentId = v.sampleFormAttachmentId;
  }
  if (v.timeLimit !== undefined) {
    const t = v.timeLimit;
    if (t === null) out.timeLimit = null;
    else if (isObject(t) && t.kind === 'on-the-spot' && t.workingDays === undefined)
      out.timeLimit = { kind: 'on-the-spot' };
    else if (
      isObject(t) &&
      t.kind === 'working-days' &&
      typeof t.workingDays === 'number' &&
      Number.isInteger(t.workingDays) &&
      t.workingDays >= 1 &&
      t.workingDays <= 60
    )
      out.timeLimit = { kind: 'working-days', workingDays: t.workingDays };
    else
      p.add(
        `${at}.timeLimit`,
        '须为“当场办结”（on-the-spot）或 1 至 60 个工作日（working-days）',
        'must be on-the-spot, or working-days with 1 to 60 days',
      );
  }
  const from = day(p, `${at}.effectiveFrom`, v.effectiveFrom, partial);
  if (from) out.effectiveFrom = from;
  if (!partial && v.effectiveFrom === null) p.add(`${at}.effectiveFrom`, '不能为 null', 'may not be null');
  const to = day(p, `${at}.effectiveTo`, v.effectiveTo, false);
  if (to !== undefined) out.effectiveTo = to;
  if (from && to && to < from)
    p.add(`${at}.effectiveTo`, '不能早于生效日期', 'cannot fall before effectiveFrom');
  return out;
}

function entries(p: Problems, at: string, v: unknown): NewStampEntry[] {
  if (!Array.isArray(v) || v.length === 0) {
    p.add(at, '至少须有一个事项', 'must hold at least one entry');
    return [];
  }
  if (v.length > MAX_ENTRIES_PER_CHANGE) {
    p.add(
      at,
      `一次最多 ${MAX_ENTRIES_PER_CHANGE} 个事项`,
      `may hold at most ${MAX_ENTRIES_PER_CHANGE} entries`,
    );
    return [];
  }
  const out = v.map((e, i) => entry(p, `${at}.${i}`, e, false) as NewStampEntry);
  const seen = new Map<string, number>();
  out.forEach((e, i) => {
    if (!e?.name) return;
    const n = e.name.replace(/\s+/g, '');
    if (seen.has(n))
      p.add(`${at}.${i}.name`, `与第 ${seen.get(n)! + 1} 个事项重名`, 'repeats an entry above');
    else seen.set(n, i);
  });
  return out;
}

const KINDS = ['new-list', 'add-entries', 'change-entry', 'retire-entry', 'retire-list'];
const LIST_TYPES = ['allowed', 'prohibited'];

function change(p: Problems, at: string, v: unknown, scopeCode: string): StampChange | undefined {
  if (!isObject(v) || typeof v.kind !== 'string' || !KINDS.includes(v.kind)) {
    p.add(`${at}.kind`, `须为 ${KINDS.join('、')} 之一`, `must be one of ${KINDS.join(', ')}`);
    return undefined;
  }
  switch (v.kind) {
    case 'new-list': {
      const l = v.list;
      if (!isObject(l)) {
        p.add(`${at}.list`, '须填写清单的文件信息', 'is required');
        return undefined;
      }
      const lat = `${at}.list`;
      const title = text(p, `${lat}.title`, l.title, { required: true, max: 300, oneLine: true });
      const typedNumber = text(p, `${lat}.documentNumber`, l.documentNumber, {
        required: true,
        max: 100,
        oneLine: true,
      });
      // As published: 民发[2020]20号 is 民发〔2020〕20号 (one document, one list).
      const documentNumber = typedNumber && canonicalDocumentNumber(typedNumber);
      const issuedBy = text(p, `${lat}.issuedBy`, l.issuedBy, { required: true, max: 300, oneLine: true });
      const issuedOn = text(p, `${lat}.issuedOn`, l.issuedOn, { required: true, max: 10 });
      if (
        issuedOn &&
        (!MONTH_OR_DAY.test(issuedOn) || !isDay(issuedOn.length === 7 ? `${issuedOn}-01` : issuedOn))
      )
        p.add(`${lat}.issuedOn`, '须为 YYYY-MM-DD 或 YYYY-MM', 'must be written YYYY-MM-DD or YYYY-MM');
      const link = text(p, `${lat}.link`, l.link, { required: false, max: 500 });
      if (link && !/^https?:\/\/\S+$/i.test(link))
        p.add(`${lat}.link`, '须为 http(s) 网址', 'must be an http(s) address');
      if (typeof l.listType !== 'string' || !LIST_TYPES.includes(l.listType))
        p.add(
          `${lat}.listType`,
          '须为 allowed（可以出具）或 prohibited（不应出具）',
          'must be allowed or prohibited',
        );
      if (l.scopeCode !== undefined && l.scopeCode !== scopeCode)
        p.add(`${lat}.scopeCode`, '须与调整的适用范围（scopeCode）一致', 'must be the proposal’s scopeCode');
      const from = day(p, `${lat}.effectiveFrom`, l.effectiveFrom, true);
      const to = day(p, `${lat}.effectiveTo`, l.effectiveTo, false);
      if (from && to && to < from)
        p.add(`${lat}.effectiveTo`, '不能早于生效日期', 'cannot fall before effectiveFrom');
      const es = entries(p, `${at}.entries`, v.entries);
      return {
        kind: 'new-list',
        list: {
          title: title ?? '',
          documentNumber: documentNumber ?? '',
          issuedBy: issuedBy ?? '',
          issuedOn: issuedOn ?? '',
          link: link ?? null,
          listType: l.listType as 'allowed' | 'prohibited',
          scopeCode,
          effectiveFrom: from ?? '',
          effectiveTo: to ?? null,
        },
        entries: es,
      };
    }
    case 'add-entries': {
      const listKey = key(p, `${at}.listKey`, v.listKey);
      const es = entries(p, `${at}.entries`, v.entries);
      return { kind: 'add-entries', listKey: listKey ?? '', entries: es };
    }
    case 'change-entry': {
      const entryKey = key(p, `${at}.entryKey`, v.entryKey);
      const c = entry(p, `${at}.change`, v.change, true);
      if (c && Object.keys(c).every((k) => k === 'effectiveFrom'))
        p.add(`${at}.change`, '没有修改任何内容', 'changes nothing');
      return {
        kind: 'change-entry',
        entryKey: entryKey ?? '',
        change: (c ?? {}) as Partial<NewStampEntry> & { effectiveFrom: string },
      };
    }
    default: {
      const k = v.kind === 'retire-entry' ? 'entryKey' : 'listKey';
      const target = key(p, `${at}.${k}`, v[k]);
      const lastDay = day(p, `${at}.lastDay`, v.lastDay, true);
      return v.kind === 'retire-entry'
        ? { kind: 'retire-entry', entryKey: target ?? '', lastDay: lastDay ?? '' }
        : { kind: 'retire-list', listKey: target ?? '', lastDay: lastDay ?? '' };
    }
  }
}

/** The set's shape, or 400 VALIDATION_FAILED listing every problem (an empty set among them). */
export function validateChangeSet(set: StampChangeSet): StampChangeSet {
  const p = new Problems();
  const raw = set as unknown as Record<string, unknown>;
  const scopeCode = typeof raw.scopeCode === 'string' && SCOPE.test(raw.scopeCode) ? raw.scopeCode : null;
  if (scopeCode === null)
    p.add(
      'scopeCode',
      '须为空（全国）或 2、4、6 位区划代码',
      'must be empty (national) or a 2, 4 or 6-digit division code',
    );
  const summary = text(p, 'summary', raw.summary, { required: true, max: 2000 });
  const changes: StampChange[] = [];
  if (!Array.isArray(raw.changes) || raw.changes.length === 0)
    p.add('changes', '至少须有一项调整', 'must hold at least one change');
  else if (raw.changes.length > MAX_CHANGES)
    p.add('changes', `一次最多 ${MAX_CHANGES} 项调整`, `may hold at most ${MAX_CHANGES} changes`);
  else
    raw.changes.forEach((c, i) => {
      const out = change(p, `changes.${i}`, c, scopeCode ?? '');
      if (out) changes.push(out);
    });
  // One change per entry or list in one proposal: two would race each other's versions.
  const targets = new Map<string, number>();
  changes.forEach((c, i) => {
    const t = c.kind === 'change-entry' || c.kind === 'retire-entry' ? c.entryKey : '';
    if (!t) return;
    if (targets.has(t))
      p.add(
        `changes.${i}.entryKey`,
        `与第 ${targets.get(t)! + 1} 项调整的是同一事项，请合并`,
        'targets the same entry as a change above',
      );
    else targets.set(t, i);
  });
  const retiredLists = new Map<string, number>();
  changes.forEach((c, i) => {
    if (c.kind !== 'retire-list') return;
    if (retiredLists.has(c.listKey))
      p.add(`changes.${i}.listKey`, '重复废止同一清单', 'retires the same list twice');
    else retiredLists.set(c.listKey, i);
  });
  if (p.list.length) throw new AppError('VALIDATION_FAILED', p.list);
  return { scopeCode: scopeCode!, summary: summary!, origin: set.origin, changes };
}
