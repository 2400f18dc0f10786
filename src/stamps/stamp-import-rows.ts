import { isCalendarDay } from '../common/validation.js';
import type { ListType } from './stamp-registry.entities.js';
import type { ImportTable } from './stamp-import-file.js';
import { MAX_TITLE_ROWS } from './stamp-import-limits.js';

/**
 * The columns of a stamp-list import (issue 13 §5; README "Importing stamp lists"): the header read, the rows as
 * records of the columns, and how a cell's text is read (document number, title, time limit, aliases). Pure (no
 * database). The checks of each row are stamp-import-checks.ts; comparing with the registry is
 * stamp-import-compare.ts.
 */

export const IMPORT_COLUMNS = [
  { key: 'seq', required: false, zh: ['序号'] },
  { key: 'name', required: true, zh: ['名称', '证明名称', '事项名称', '证明事项名称', '证明事项'] },
  { key: 'list_type', required: true, zh: ['清单类型', '类型'] },
  { key: 'scope', required: true, zh: ['范围', '适用范围'] },
  { key: 'source_document', required: true, zh: ['文件', '来源文件', '发文文号'] },
  { key: 'issued_by', required: true, zh: ['发文机关'] },
  { key: 'issued', required: true, zh: ['发文日期', '成文日期'] },
  { key: 'note', required: false, zh: ['备注'] },
  { key: 'title', required: false, zh: ['清单名称'] },
  { key: 'aliases', required: false, zh: ['别名', '俗称'] },
  { key: 'legal_basis', required: false, zh: ['设定依据', '法律依据'] },
  { key: 'purpose', required: false, zh: ['办理用途'] },
  { key: 'conditions', required: false, zh: ['办理条件', '办理条件和材料'] },
  { key: 'procedure', required: false, zh: ['办理流程', '具体流程'] },
  { key: 'time_limit', required: false, zh: ['办理时限'] },
  { key: 'effective_from', required: false, zh: ['生效日期'] },
  { key: 'effective_to', required: false, zh: ['失效日期', '截止日期'] },
  { key: 'link', required: false, zh: ['链接', '网址'] },
] as const;

export type ColumnKey = (typeof IMPORT_COLUMNS)[number]['key'];
export type RowValues = Partial<Record<ColumnKey, string>>;

export interface RowProblem {
  /** The column at fault; null for the row as a whole. */
  field: ColumnKey | null;
  message: string;
}

export interface ParsedEntry {
  seq: number | null;
  name: string;
  /** Given in the file (a column present and the cell filled); an empty cell changes nothing. */
  aliases: string[] | null;
  legalBasis: string | null;
  purpose: string | null;
  conditions: string | null;
  procedure: string | null;
  timeLimit: { kind: 'on-the-spot' } | { kind: 'working-days'; workingDays: number } | null;
  effectiveFrom: string | null;
  effectiveTo: string | null;
}

/** The list a row belongs to: its document, scope and type (the key a row is matched to a list in force by). */
export interface ListRef {
  documentNumber: string;
  /** '' national, else a 2/4/6-digit division code. */
  scopeCode: string;
  listType: ListType;
}

export interface ListHead extends ListRef {
  title: string;
  /** The fullest source_document the group's rows give (the one naming the title): a new entry's default basis. */
  sourceText: string;
  issuedBy: string;
  issuedOn: string;
  link: string | null;
}

export interface CheckedRow {
  line: number;
  values: RowValues;
  /** The row's list; absent when the row does not say it well enough. */
  list: ListRef | null;
  entry: ParsedEntry | null;
  problems: RowProblem[];
}

/** Everything the checks need from outside: which scopes the proposer may import, names of divisions. */
export interface RowContext {
  /** Scope codes the proposing office may propose lists for ('' national). */
  allowedScopes: readonly string[];
  /** Division names the scope column may give instead of a code (示范市 → 3399). */
  scopeByName: ReadonlyMap<string, string>;
  /** The names of division codes, for messages (3399 → 示范市); a code without one is told by its level. */
  scopeNames?: ReadonlyMap<string, string>;
}

export const MAX_NAME = 100;
export const MAX_ALIASES = 20;
export const MAX_TEXT = 2000;
export const MAX_DOCUMENT_NUMBER = 100;
export const MAX_TITLE = 300;
export const MAX_LINK = 500;

export interface HeaderResult {
  columns: (ColumnKey | null)[];
  ignored: string[];
  problems: string[];
}

/** The columns a whole file may be given once, beside it, instead of on every row (a published list's own facts). */
export const DOCUMENT_COLUMNS = ['list_type', 'scope', 'source_document', 'issued_by', 'issued'] as const;
export type DocumentValues = Partial<Record<(typeof DOCUMENT_COLUMNS)[number], string>>;

/** The same facts as the request names them (`document` of POST /stamp-imports), as an import keeps them. */
export interface ImportDocument {
  listType?: string;
  scope?: string;
  sourceDocument?: string;
  issuedBy?: string;
  issued?: string;
}

const DOCUMENT_NAMES: Record<(typeof DOCUMENT_COLUMNS)[number], keyof ImportDocument> = {
  list_type: 'listType',
  scope: 'scope',
  source_document: 'sourceDocument',
  issued_by: 'issuedBy',
  issued: 'issued',
};

/** The document values given (not blank), trimmed, by their request names: what an import keeps of them. */
export function keptDocument(document: DocumentValues = {}): ImportDocument {
  const kept: ImportDocument = {};
  for (const key of DOCUMENT_COLUMNS) {
    const value = document[key]?.trim();
    if (value) kept[DOCUMENT_NAMES[key]] = value;
  }
  return kept;
}

/**
 * Maps header cells to columns (English keys or their Chinese names, any case, spaces ignored). A required column
 * the file's document values give (`given`) may be left out of the header.
 */
export function readHeader(header: string[], given: ReadonlySet<ColumnKey> = new Set()): HeaderResult {
  const byLabel = new Map<string, ColumnKey>();
  for (const c of IMPORT_COLUMNS) {
    byLabel.set(c.key, c.key);
    byLabel.set(c.key.replace('_', ''), c.key);
    for (const zh of c.zh) byLabel.set(zh, c.key);
  }
  const seen = new Map<ColumnKey, number>();
  const problems: string[] = [];
  const ignored: string[] = [];
  const columns = header.map((h, i) => {
    const label = h
      .normalize('NFKC')
      .replace(/^\uFEFF/, '')
      .replace(/[\s*＊]/g, '')
      .toLowerCase()
      .replace(/-/g, '_');
    const key = byLabel.get(label) ?? null;
    if (!key) {
      // Kept to show which columns were set aside: a name, not a whole cell (85,000 characters each were kept).
      if (h.trim()) ignored.push(h.trim().length > 50 ? `${h.trim().slice(0, 50)}…` : h.trim());
      return null;
    }
    if (seen.has(key)) {
      problems.push(
        `第 ${i + 1} 列“${h}”与第 ${seen.get(key)! + 1} 列重复（都是 ${key}）。Column ${i + 1} (${h}) repeats column ${seen.get(key)! + 1} (both ${key}).`,
      );
      return null;
    }
    seen.set(key, i);
    return key;
  });
  const missing = IMPORT_COLUMNS.filter((c) => c.required && !seen.has(c.key) && !given.has(c.key));
  if (missing.length)
    problems.push(
      `表头缺少必填列：${missing.map((c) => `${c.key}（${c.zh[0]}）`).join('、')}。表头须含 seq,name,list_type,scope,source_document,issued_by,issued 等列，见使用说明；整份清单相同的清单类型、适用范围、来源文件、发文机关、发文日期也可在导入时一次填写，不必每行都填。The header lacks the required columns ${missing.map((c) => c.key).join(', ')} (the list's type, scope, document, issuing body and date may be given once with the file instead).`,
    );
  return { columns, ignored, problems };
}

/**
 * Rows a header may stand below: a title or a note above the table (at most two different texts: a title merged
 * across the columns repeats in each of them), at most five.
 */
export { MAX_TITLE_ROWS };
const titleLike = (cells: string[]) => new Set(cells.map((c) => c.trim()).filter((c) => c !== '')).size <= 2;

/**
 * The header of an import: the file's first row, or — when that is a title as published lists have (附件1 /
 * 《…清单》 above the table) — the first of the next rows that names every required column and more columns than the
 * title does, with the rows above it set aside. The rows keep their line numbers. When no row will do, the
 * problems told are those of the first row under the title that names any column (a header with a column
 * missing), else the first row's; `line` says which.
 */
export function locateHeader(
  table: ImportTable,
  given: ReadonlySet<ColumnKey> = new Set(),
): { header: HeaderResult; table: ImportTable; line: number } {
  const first = readHeader(table.header, given);
  const atFirst = { header: first, table, line: table.headerLine };
  if (!titleLike(table.header)) return atFirst;
  const named = (h: HeaderResult) => h.columns.filter((c) => c !== null).length;
  let below: { header: HeaderResult; line: number } | null = null;
  for (let i = 0; i < Math.min(MAX_TITLE_ROWS, table.rows.length); i++) {
    const { cells, line } = table.rows[i];
    let width = cells.length;
    while (width > 0 && cells[width - 1] === '') width--;
    const found = readHeader(cells.slice(0, width), given);
    if (!found.problems.length && named(found) > named(first)) {
      const rows = table.rows.slice(i + 1);
      if (!rows.length) {
        const problem = `第 ${line} 行的表头之后没有数据行：请每行填写一个证明事项。There are no rows after the header on line ${line}.`;
        return { header: { ...found, problems: [problem] }, table, line };
      }
      return {
        header: found,
        table: { ...table, header: cells.slice(0, width), headerLine: line, rows },
        line,
      };
    }
    if (!below && named(found) > 0) below = { header: found, line };
    if (!titleLike(cells)) break;
  }
  if (!first.problems.length || !below) return atFirst;
  return { ...below, table };
}

/**
 * The rows as records of the columns the header names; a cell the file leaves empty (or a column it does not have)
 * takes the file's document value, when one is given.
 */
export function rowValues(
  table: ImportTable,
  columns: (ColumnKey | null)[],
  document: DocumentValues = {},
): { line: number; values: RowValues }[] {
  const given = [...givenColumns(document)].map((key) => [
    key,
    document[key as keyof DocumentValues]!.trim(),
  ]);
  return table.rows.map((r) => {
    const values: RowValues = {};
    columns.forEach((key, i) => {
      if (key) values[key] = asPublished(key, (r.cells[i] ?? '').trim());
    });
    for (const [key, value] of given)
      if (!values[key as ColumnKey]) values[key as ColumnKey] = asPublished(key as ColumnKey, value);
    return { line: r.line, values };
  });
}

const CJK = '[\\u3400-\\u9fff\\uf900-\\ufaff（）《》〔〕、，]';
/** White space, a full-width space too, between two Chinese characters: a clerk's alignment, not a word gap. */
const GAP_IN_CHINESE = new RegExp(`(?<=${CJK})[\\s\\u3000]+(?=${CJK})`, 'gu');
const LINE_BREAK = /[ \t\u3000]*(?:\r\n|\r|\n)[ \t\u3000]*/g;

/**
 * A cell as the list means it, whatever the spreadsheet did to it: a name wrapped onto two lines in its cell
 * (Alt+Enter) is one name, “居民 养犬证明” (a full-width space) is 居民养犬证明; several issuing bodies on lines are one line; numbers, days
 * and codes typed in full-width digits (１０, ２０２６年４月１日) are those numbers.
 */
function asPublished(key: ColumnKey, text: string): string {
  switch (key) {
    case 'name':
    case 'aliases':
    case 'title':
      return text.replace(LINE_BREAK, ' ').replace(GAP_IN_CHINESE, '');
    case 'issued_by':
    case 'source_document':
      return text.replace(LINE_BREAK, ' ');
    case 'seq':
    case 'scope':
    case 'issued':
    case 'effective_from':
    case 'effective_to':
      return text.normalize('NFKC');
    default:
      return text;
  }
}

/** The columns the document values fill (those given, not blank). */
export function givenColumns(document: DocumentValues = {}): Set<ColumnKey> {
  return new Set(
    (Object.entries(document) as [ColumnKey, string | undefined][])
      .filter(([, v]) => v !== undefined && v.trim() !== '')
      .map(([k]) => k),
  );
}

const LIST_TYPE_WORDS: Record<string, ListType> = {
  allowed: 'allowed',
  允许: 'allowed',
  保留: 'allowed',
  可出具: 'allowed',
  prohibited: 'prohibited',
  禁止: 'prohibited',
  不应出具: 'prohibited',
  取消: 'prohibited',
};

/** The list type a cell names (allowed, 保留, prohibited, 取消 …; any case), if any. */
export function listTypeOf(text: string): ListType | undefined {
  const word = text.toLowerCase();
  // Own words only: constructor, toString and __proto__ are on every object, and are no list type.
  return Object.hasOwn(LIST_TYPE_WORDS, word) ? LIST_TYPE_WORDS[word] : undefined;
}

/** YYYY-MM or YYYY-MM-DD of a real month or day. */
export function isIssued(text: string): boolean {
  return /^\d{4}-\d{2}$/.test(text) ? isCalendarDay(`${text}-01`) : isCalendarDay(text);
}

/** 2026/1/5 and 2026.1.5 as 2026-01-05; anything else as it is. */
export function normalizeDate(text: string): string {
  const m = /^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?$/.exec(text.trim());
  if (!m) return text.trim();
  const mm = m[2].padStart(2, '0');
  return m[3] === undefined ? `${m[1]}-${mm}` : `${m[1]}-${mm}-${m[3].padStart(2, '0')}`;
}

/** A year in brackets as documents are written by hand or by other programs: [2020] ［2020］ 【2020】 （2020） (2020) 〔 2020 〕. */
const BRACKETED_YEAR = /\s*[[［【（(〔﹝]\s*(\d{4})\s*[\]］】）)〕﹞]\s*(?:第\s*)?(\d+)\s*号/;

/**
 * A document number as published (GB/T 9704: the year in 六角括号〔〕, no spaces): 民发[2020]20号, 民发（2020）20号,
 * 民发〔2020〕 20号 and 民发〔２０２０〕２０号 are all 民发〔2020〕20号 — one document, one list, not a copy of it.
 */
export function canonicalDocumentNumber(text: string): string {
  const digits = text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  return digits.replace(BRACKETED_YEAR, '〔$1〕$2号');
}

/** The document number: the first word of source_document (民发〔2020〕20号 附件《…》 → 民发〔2020〕20号), as published. */
export function documentNumberOf(source: string): string {
  return (
    canonicalDocumentNumber(source.trim().replace(/\u3000/g, ' '))
      .trim()
      .split(/\s+/)[0] ?? ''
  );
}

/** The title a source_document names in 《》, if any. */
export function titleOf(source: string): string | null {
  // The first 《…》 with something inside, found in one pass (the expression /《([^》]+)》/ took quadratic time
  // on a text of many 《 without 》: 600,000 of them held the server 400 s).
  for (let open = source.indexOf('《'); open >= 0; open = source.indexOf('《', open + 1)) {
    const close = source.indexOf('》', open + 1);
    if (close < 0) return null;
    if (close > open + 1) return source.slice(open + 1, close);
  }
  return null;
}

/**
 * 当场 / 当场办结 → on the spot; 3 / 3个工作日 / 3个工作日内 / 3个工作日内办结 / 七个工作日 / 十五个工作日内办结 → that many
 * working days (1–60; lists as published write the number in Chinese as often as in digits).
 */
export function parseTimeLimit(text: string): ParsedEntry['timeLimit'] | 'bad' {
  // Traditional forms as Hong Kong and Taiwan lists write them (七個工作日內辦結).
  const t = text
    .normalize('NFKC')
    .replace(/\s/g, '')
    .replace(/[個兩內辦結當場時]/g, (c) => TRADITIONAL[c])
    // A note in brackets after the limit (5个工作日（不含公示时间）): the limit is what comes before it.
    .replace(/(?<=.)[(（][^()（）]*[)）]$/, '');
  // No time limit stated: a dash, a slash or 无 in its cell (as published tables fill it).
  if (/^(无|\/|\\|-|—|——|－|–)$/.test(t)) return null;
  if (/^(当场|当场办结|当场出具|即时|即时办结|即办|即办件|立即办结)$/.test(t)) return { kind: 'on-the-spot' };
  const m = /^(\d{1,2}|[一二两三四五六七八九十]{1,3})((个)?工作日((以|之)?内)?(办结|办理完毕|完成)?)?$/.exec(
    t,
  );
  if (!m) return 'bad';
  const n = /^\d/.test(m[1]) ? Number(m[1]) : chineseCount(m[1]);
  // A bare Chinese numeral (七) is not a time limit: only with 工作日.
  if (n === null || (!/^\d/.test(m[1]) && !m[2])) return 'bad';
  return n >= 1 && n <= 60 ? { kind: 'working-days', workingDays: n } : 'bad';
}

const TRADITIONAL: Record<string, string> = {
  個: '个',
  兩: '两',
  內: '内',
  辦: '办',
  結: '结',
  當: '当',
  場: '场',
  時: '时',
};

const DIGITS: Record<string, number> = {
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 一…九十九 as written in documents (七, 十, 十五, 二十, 二十五); null for anything else (十十, 五五). */
export function chineseCount(text: string): number | null {
  const m = /^(?:([一二两三四五六七八九])?(十))?([一二两三四五六七八九])?$/.exec(text);
  if (!m || text === '') return null;
  const [, tens, ten, units] = m;
  if (!ten) return units ? DIGITS[units] : null;
  // 两 counts alone or as tens' multiplier in speech, never after 十 (十二, not 十两), nor as 两十 in writing.
  if (tens === '两' || units === '两') return null;
  return (tens ? DIGITS[tens] : 1) * 10 + (units ? DIGITS[units] : 0);
}

/** Aliases separated by 、 ; ； (blank ones dropped, repeats kept once). */
export function parseAliases(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[、;；]/)
        .map((a) => a.trim())
        .filter((a) => a !== ''),
    ),
  ];
}

/** The key rows are grouped by: type, scope and document number. */
export function listKeyOf(l: ListRef): string {
  return `${l.listType}\u0000${l.scopeCode}\u0000${l.documentNumber}`;
}
