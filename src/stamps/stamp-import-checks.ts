/*
 * The checks of a stamp-list import's rows (issue 13 §5), pure (no database): every row on its own — the columns
 * that say its list (name, type, scope, document, issuing body and date) and those of its entry (number, texts,
 * aliases, time limit, effective days, link) — then the rows of one list together. What is wrong is said per row
 * and column, in Chinese and English. The columns themselves are stamp-import-rows.ts.
 *
 * A little over 400 lines: most of it is the message of each check, in both languages, beside the check.
 */
import { hasControlCharacter, hasDirectionOverride, isCalendarDay } from '../common/validation.js';
import { normalize } from './name-matching.js';
import {
  documentNumberOf,
  IMPORT_COLUMNS,
  isIssued,
  listKeyOf,
  listTypeOf,
  MAX_ALIASES,
  MAX_DOCUMENT_NUMBER,
  MAX_LINK,
  MAX_NAME,
  MAX_TEXT,
  MAX_TITLE,
  normalizeDate,
  parseAliases,
  parseTimeLimit,
  titleOf,
  type CheckedRow,
  type ColumnKey,
  type ListHead,
  type ParsedEntry,
  type RowContext,
  type RowProblem,
  type RowValues,
} from './stamp-import-rows.js';

/** A cell quoted in a message: its first 40 characters (a long cell echoed in 5,000 rows' messages took 84 MB). */
const short = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** The error values Excel shows in a cell whose formula failed. */
const EXCEL_ERROR =
  /^#(?:N\/A|REF!|VALUE!|DIV\/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|FIELD!|BLOCKED!|GETTING_DATA|ERROR!)$/i;

const p = (field: ColumnKey | null, zh: string, en: string): RowProblem => ({
  field,
  message: `${zh}${en}`,
});

/** The columns of a list's head, each one line (the name is checked with its own words). */
const ONE_LINE: ColumnKey[] = ['source_document', 'title', 'issued_by'];

/**
 * Hidden characters in a row's texts: a line break or tab in a one-line column of the list's head, and in any
 * column a direction override or embedding (U+202E published in a document number reordered it on the public page).
 */
function hiddenCharacters(v: RowValues): RowProblem[] {
  const out: RowProblem[] = [];
  for (const [column, value] of Object.entries(v) as [ColumnKey, string | undefined][]) {
    if (!value || column === 'name') continue;
    if (ONE_LINE.includes(column) && hasControlCharacter(value.trim()))
      out.push(
        p(
          column,
          '不能含换行、制表符或改变文字方向的隐藏字符，请写在一行内。',
          'must be one line without control characters.',
        ),
      );
    else if (hasDirectionOverride(value))
      out.push(
        p(
          column,
          '含有改变文字方向的隐藏字符，请删除后重新导入。',
          'holds a hidden direction override; remove it.',
        ),
      );
  }
  return out;
}

/** A scope as a clerk reads it: 全国, the division's name with its code, or the code and its level. */
function scopeLabel(code: string, ctx: RowContext): string {
  if (code === '') return '全国（national）';
  const name = ctx.scopeNames?.get(code);
  if (name) return `${name}（${code}）`;
  return `区划代码 ${code}（${code.length === 2 ? '省级' : code.length === 4 ? '市级' : '县区级'}）`;
}

/**
 * Checks every row: each on its own (name, type, scope and the proposer's scope, dates, time limit, lengths), then
 * the rows of one list together (发文机关 同上 is the row above's; one document has one issuing body, date and
 * title) and repeats (one certificate twice in one list: the later row is rejected). Answers the rows with their
 * problems, and the heads of the lists they name.
 */
/** A group's heading (一、民政类; （二）; 第三类), a total (合计、小计) or a note (注：, 备注：, 填表说明). */
const ASIDE =
  /^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[类部分批]|(?:合|小|总)\s*计|(?:注|备注|说明|填表说明)\s*\d*\s*[:：.、]|注\s*$)/;

/**
 * A row of a list as published that is no certificate: its first filled cell a heading, a total or a note, and
 * no other text than that one (a heading merged across the row repeats in each cell) or a count (合计,12项).
 */
function asideRow(v: RowValues): RowProblem | null {
  const filled = Object.values(v).filter((x): x is string => !!x && x.trim() !== '');
  const first = v.seq?.trim() || v.name?.trim() || filled[0];
  if (!first || !ASIDE.test(first)) return null;
  const others = new Set(filled.filter((x) => x !== first && !/^\d+\s*[项个条]?$/.test(x)));
  // Document values given beside the file fill every row's list columns: they are not the row's own text.
  for (const k of ['list_type', 'scope', 'source_document', 'issued_by', 'issued'] as const)
    if (v[k] && v[k] !== first) others.delete(v[k]!);
  if (others.size > 0) return null;
  return {
    field: null,
    message: `本行“${short(first)}”是分组标题、合计或注释，不是证明事项，不会导入，无需改正。This row is a heading, a total or a note, not a certificate: it is not imported.`,
  };
}

const ENTRY_TEXTS = ['legal_basis', 'purpose', 'conditions', 'procedure'] as const;
const SAME_AS_ABOVE = /^\s*同\s*上\s*[。.]?\s*$/;

export function checkRows(
  rows: { line: number; values: RowValues }[],
  ctx: RowContext,
): { rows: CheckedRow[]; lists: Map<string, ListHead> } {
  const checked: CheckedRow[] = [];
  const heads: RowHead[] = [];
  let previousIssuedBy = '';
  const previousTexts: RowValues = {};
  for (const { line, values: v } of rows) {
    const aside = asideRow(v);
    if (aside) {
      // Not a certificate: one message saying so, not the columns' rules (序号“一、民政类”须为整数 …).
      checked.push({ line, values: v, list: null, entry: null, problems: [aside] });
      heads.push({ source: '', titleColumn: '', issuedBy: '', issuedOn: '', link: null } as RowHead);
      continue;
    }
    const errors = errorCells(v);
    const list = checkListColumns(v, ctx, previousIssuedBy);
    previousIssuedBy = list.previousIssuedBy;
    // 同上 in a text of the certificate (设定依据 …) repeats the row above's, as published lists write it.
    for (const k of ENTRY_TEXTS) {
      if (SAME_AS_ABOVE.test(v[k] ?? '') && previousTexts[k]) v[k] = previousTexts[k];
      previousTexts[k] = v[k];
    }
    const entry = checkEntryColumns(v);
    const problems = [...errors.problems, ...list.problems, ...entry.problems, ...hiddenCharacters(v)];
    checked.push({
      line,
      values: v,
      list: list.ref,
      entry: { ...entry.entry, name: list.name },
      // A column holding a formula's error is told once, as that (not also as a bad date, a bad type …).
      problems: problems.filter((x, i) => !x.field || !errors.cells.has(x.field) || i < errors.cells.size),
    });
    heads.push({ ...list.head, link: entry.link });
  }
  return { rows: checked, lists: groupLists(checked, heads) };
}

/** Cells holding a formula's error (as Excel shows it, or a CSV saved from it): no value of any column. */
function errorCells(v: RowValues): { cells: Set<ColumnKey>; problems: RowProblem[] } {
  const cells = new Set<ColumnKey>();
  const problems: RowProblem[] = [];
  // A cell holding a formula's error (as Excel shows it, or a CSV saved from it) is no value of any column.
  for (const [key, value] of Object.entries(v) as [ColumnKey, string | undefined][]) {
    const shown = (value ?? '').trim();
    if (EXCEL_ERROR.test(shown)) cells.add(key);
  }
  for (const key of cells) {
    const shown = (v[key] ?? '').trim();
    problems.push(
      p(
        key,
        `${IMPORT_COLUMNS.find((c) => c.key === key)?.zh[0] ?? ''}（${key}）一格是 Excel 公式的错误值“${short(shown)}”，请改正公式或填入实际内容后重新导入。`,
        `The cell holds the formula error "${short(shown)}"; correct it and import again.`,
      ),
    );
  }
  return { cells, problems };
}

/**
 * The columns that say the row's certificate and its list: name, type, scope (and whether this office may propose
 * it), document, title, issuing body (同上: the row above's) and date.
 */
function checkListColumns(
  v: RowValues,
  ctx: RowContext,
  previousIssuedBy: string,
): {
  name: string;
  ref: CheckedRow['list'];
  head: Omit<RowHead, 'link'>;
  previousIssuedBy: string;
  problems: RowProblem[];
} {
  const problems: RowProblem[] = [];
  // name
  const name = (v.name ?? '').trim();
  if (!name || !normalize(name))
    problems.push(p('name', '证明名称（name）须填写。', 'The certificate name is required.'));
  else if (hasControlCharacter(name))
    problems.push(
      p(
        'name',
        '证明名称（name）不能含换行、制表符等控制字符，请写在一行内。',
        'The certificate name must be one line without control characters.',
      ),
    );
  else if (name.length > MAX_NAME)
    problems.push(
      p(
        'name',
        `证明名称（name）最多 ${MAX_NAME} 个字，本行 ${name.length} 个字。`,
        `The name may have at most ${MAX_NAME} characters; it has ${name.length}.`,
      ),
    );
  // list type
  const typeText = (v.list_type ?? '').trim();
  const listType = listTypeOf(typeText);
  if (!typeText)
    problems.push(
      p(
        'list_type',
        '清单类型（list_type）须填写：allowed（保留，可出具）或 prohibited（不应出具）。',
        'The list type is required: allowed or prohibited.',
      ),
    );
  else if (!listType)
    problems.push(
      p(
        'list_type',
        `清单类型（list_type）“${short(typeText)}”须为 allowed（保留，可出具）或 prohibited（不应出具）。`,
        `The list type "${short(typeText)}" must be allowed or prohibited.`,
      ),
    );
  // scope
  const scopeText = (v.scope ?? '').trim();
  let scopeCode: string | null = null;
  if (/^(national|全国)$/i.test(scopeText)) scopeCode = '';
  else if (/^(\d{2}|\d{4}|\d{6})$/.test(scopeText)) scopeCode = scopeText;
  else if (ctx.scopeByName.has(scopeText)) scopeCode = ctx.scopeByName.get(scopeText)!;
  if (!scopeText)
    problems.push(
      p(
        'scope',
        '适用范围（scope）须填写：national（全国）或 2/4/6 位行政区划代码（如 33、3399、339901），或本系统中的市、区名称。',
        'The scope is required: national, a 2/4/6-digit division code, or the name of a city or district here.',
      ),
    );
  else if (scopeCode === null)
    problems.push(
      p(
        'scope',
        `适用范围（scope）“${short(scopeText)}”无法识别：须为 national（全国）或 2/4/6 位行政区划代码（如 33、3399、339901），或本系统中的市、区名称。`,
        `Unknown scope "${short(scopeText)}": write national, or a 2/4/6-digit division code, or the name of a city or district here.`,
      ),
    );
  else if (!ctx.allowedScopes.includes(scopeCode))
    problems.push(
      p(
        'scope',
        `适用范围 ${scopeLabel(scopeCode, ctx)} 不在本办公室可提出调整的范围内（本办公室可提出：${ctx.allowedScopes.map((c) => scopeLabel(c, ctx)).join('、') || '无'}）：区办公室只能导入本区的清单，市办公室可导入本市清单及其引用文件的全国、省级清单。`,
        `The scope ${scopeCode || 'national'} is outside what this office may propose (${ctx.allowedScopes.map((s) => s || 'national').join(', ') || 'nothing'}).`,
      ),
    );
  // document
  const source = (v.source_document ?? '').trim();
  const documentNumber = documentNumberOf(source);
  if (!documentNumber)
    problems.push(
      p(
        'source_document',
        '来源文件（source_document）须填写文号，如“民发〔2020〕20号 附件《……》”。',
        'The source document (its number first) is required.',
      ),
    );
  else if (documentNumber.length > MAX_DOCUMENT_NUMBER)
    problems.push(
      p(
        'source_document',
        `文号最多 ${MAX_DOCUMENT_NUMBER} 个字（文号与附件名之间请用空格分开）。`,
        `The document number may have at most ${MAX_DOCUMENT_NUMBER} characters (separate it from the annex's title by a space).`,
      ),
    );
  // The list's title is the one in 《》 (or the title column, or the source itself): held to a title's length.
  const sourceTitle = titleOf(source);
  if (
    (sourceTitle ?? '').length > MAX_TITLE ||
    (!sourceTitle && !(v.title ?? '').trim() && source.length > MAX_TITLE)
  )
    problems.push(
      p(
        'source_document',
        `来源文件中《》内的文件名称最多 ${MAX_TITLE} 个字：请核对书名号是否成对。`,
        `The document's title in 《》 may have at most ${MAX_TITLE} characters; check that the brackets pair.`,
      ),
    );
  const titleColumn = (v.title ?? '').trim();
  if (titleColumn.length > MAX_TITLE)
    problems.push(
      p('title', `清单名称最多 ${MAX_TITLE} 个字。`, `The title may have at most ${MAX_TITLE} characters.`),
    );
  // issued by (同上: the row above's)
  const issuedByText = (v.issued_by ?? '').trim();
  const issuedBy = issuedByText === '同上' ? previousIssuedBy : issuedByText;
  if (!issuedBy)
    problems.push(
      p(
        'issued_by',
        '发文机关（issued_by）须填写（与上一行相同可填“同上”）。',
        'The issuing body is required (同上 repeats the row above).',
      ),
    );
  else if (issuedBy.length > 300)
    problems.push(
      p('issued_by', '发文机关最多 300 个字。', 'The issuing body may have at most 300 characters.'),
    );
  // issued
  const issued = normalizeDate(v.issued ?? '');
  if (!(v.issued ?? '').trim())
    problems.push(
      p(
        'issued',
        '发文日期（issued）须填写：年月（YYYY-MM）或日期（YYYY-MM-DD），如 2021-06-15。',
        'The issue date is required: a month (YYYY-MM) or day (YYYY-MM-DD).',
      ),
    );
  else if (!isIssued(issued))
    problems.push(
      p(
        'issued',
        `发文日期（issued）“${short(v.issued ?? '')}”须为实际存在的年月（YYYY-MM）或日期（YYYY-MM-DD）。`,
        `The issue date "${short(v.issued ?? '')}" must be a real month (YYYY-MM) or day (YYYY-MM-DD).`,
      ),
    );
  const listOk =
    listType && scopeCode !== null && documentNumber && documentNumber.length <= MAX_DOCUMENT_NUMBER;
  return {
    name,
    ref: listOk ? { documentNumber, scopeCode: scopeCode!, listType } : null,
    head: { issuedBy, issuedOn: issued, titleColumn, source },
    previousIssuedBy: issuedByText && issuedByText !== '同上' ? issuedByText : previousIssuedBy,
    problems,
  };
}

/** The columns of the entry itself: number, texts, aliases, time limit, effective days and link. */
function checkEntryColumns(v: RowValues): {
  entry: Omit<ParsedEntry, 'name'>;
  link: string | null;
  problems: RowProblem[];
} {
  const problems: RowProblem[] = [];
  // seq
  const seqText = (v.seq ?? '').trim();
  let seq: number | null = null;
  if (seqText) {
    if (/^\d{1,6}$/.test(seqText) && Number(seqText) >= 1 && Number(seqText) <= 100_000)
      seq = Number(seqText);
    else
      problems.push(
        p(
          'seq',
          `序号（seq）“${short(seqText)}”须为 1 至 100000 的整数，或不填。`,
          `The number "${short(seqText)}" must be a whole number from 1 to 100000, or empty.`,
        ),
      );
  }
  // optional entry fields
  const text = (key: 'legal_basis' | 'purpose' | 'conditions' | 'procedure', zh: string) => {
    const t = (v[key] ?? '').trim();
    if (t.length > MAX_TEXT) {
      problems.push(
        p(key, `${zh}最多 ${MAX_TEXT} 个字。`, `${key} may have at most ${MAX_TEXT} characters.`),
      );
      return null;
    }
    return t || null;
  };
  const legalBasis = text('legal_basis', '设定依据（legal_basis）');
  const purpose = text('purpose', '办理用途（purpose）');
  const conditions = text('conditions', '办理条件（conditions）');
  const procedure = text('procedure', '办理流程（procedure）');
  const aliasText = (v.aliases ?? '').trim();
  const aliases = aliasText ? parseAliases(aliasText) : null;
  if (aliases && aliases.length > MAX_ALIASES)
    problems.push(
      p(
        'aliases',
        `别名最多 ${MAX_ALIASES} 个，本行 ${aliases.length} 个。`,
        `At most ${MAX_ALIASES} aliases; the row has ${aliases.length}.`,
      ),
    );
  if (aliases?.some((a) => a.length > MAX_NAME))
    problems.push(
      p('aliases', `每个别名最多 ${MAX_NAME} 个字。`, `Each alias may have at most ${MAX_NAME} characters.`),
    );
  const limitText = (v.time_limit ?? '').trim();
  let timeLimit: ParsedEntry['timeLimit'] = null;
  if (limitText) {
    const parsed = parseTimeLimit(limitText);
    if (parsed === 'bad')
      problems.push(
        p(
          'time_limit',
          `办理时限（time_limit）“${short(limitText)}”须为“当场”或“N个工作日”（N 为 1 至 60）。`,
          `The time limit "${short(limitText)}" must be 当场 (on the spot) or N个工作日 (N working days, 1–60).`,
        ),
      );
    else timeLimit = parsed;
  }
  const day = (key: 'effective_from' | 'effective_to', zh: string) => {
    const raw = (v[key] ?? '').trim();
    if (!raw) return null;
    const d = normalizeDate(raw);
    if (isCalendarDay(d)) return d;
    problems.push(
      p(
        key,
        `${zh}“${short(raw)}”须为实际存在的日期，格式 YYYY-MM-DD。`,
        `${key} "${short(raw)}" must be a real date written YYYY-MM-DD.`,
      ),
    );
    return null;
  };
  const effectiveFrom = day('effective_from', '生效日期（effective_from）');
  const effectiveTo = day('effective_to', '失效日期（effective_to）');
  if (effectiveFrom && effectiveTo && effectiveTo < effectiveFrom)
    problems.push(
      p(
        'effective_to',
        `失效日期 ${effectiveTo} 早于生效日期 ${effectiveFrom}。`,
        `The last day ${effectiveTo} is before the first day ${effectiveFrom}.`,
      ),
    );
  const link = (v.link ?? '').trim();
  if (link && (!/^https?:\/\/\S+$/i.test(link) || link.length > MAX_LINK))
    problems.push(
      p(
        'link',
        `链接（link）须为 http:// 或 https:// 开头的网址，最多 ${MAX_LINK} 个字符。`,
        `The link must be an http(s) address of at most ${MAX_LINK} characters.`,
      ),
    );
  return {
    entry: {
      seq,
      aliases,
      legalBasis,
      purpose,
      conditions,
      procedure,
      timeLimit,
      effectiveFrom,
      effectiveTo,
    },
    link: link || null,
    problems,
  };
}

/**
 * The rows of one list together: the head from the first of its rows, the others must agree (their problems are
 * added to them); a certificate named twice in one list: the later row is rejected.
 */
function groupLists(checked: CheckedRow[], heads: RowHead[]): Map<string, ListHead> {
  // The rows of one list together: the head from the first of its rows, the others must agree; repeats rejected.
  const lists = new Map<string, ListHead>();
  const firstLine = new Map<string, number>();
  const nameLine = new Map<string, number>();
  checked.forEach((row, i) => {
    const head = heads[i];
    if (!row.list) return;
    const key = listKeyOf(row.list);
    const known = lists.get(key);
    if (row.problems.length === 0) {
      if (!known) {
        lists.set(key, {
          ...row.list,
          title: titleOf(head.source) ?? (head.titleColumn || head.source),
          sourceText: head.source,
          issuedBy: head.issuedBy,
          issuedOn: head.issuedOn,
          link: head.link,
        });
        firstLine.set(key, row.line);
      } else {
        const first = firstLine.get(key)!;
        if (head.issuedBy !== known.issuedBy)
          row.problems.push(
            p(
              'issued_by',
              `同一文件的发文机关须与第 ${first} 行一致（可填“同上”）。`,
              `The issuing body differs from line ${first} for the same document.`,
            ),
          );
        if (head.issuedOn !== known.issuedOn)
          row.problems.push(
            p(
              'issued',
              `同一文件的发文日期须与第 ${first} 行一致。`,
              `The issue date differs from line ${first} for the same document.`,
            ),
          );
        // A later row naming the title in 《》 gives it to a list whose first row did not.
        const t = titleOf(head.source);
        if (t && !titleOf(known.sourceText) && !(head.titleColumn && head.titleColumn !== t)) {
          known.title = t;
          known.sourceText = head.source;
        }
        if (head.link && !known.link) known.link = head.link;
      }
    }
    if (row.entry?.name) {
      const nameKey = `${key}\u0000${normalize(row.entry.name)}`;
      const earlier = nameLine.get(nameKey);
      if (earlier !== undefined)
        row.problems.push(
          p(
            'name',
            `与第 ${earlier} 行重复：同一清单中同一证明事项只能出现一次。`,
            `Repeats line ${earlier}: a certificate may appear once in one list.`,
          ),
        );
      else if (row.problems.length === 0) nameLine.set(nameKey, row.line);
    }
  });
  return lists;
}

/** What a row says of its list (compared across the rows of one list). */
interface RowHead {
  issuedBy: string;
  issuedOn: string;
  titleColumn: string;
  source: string;
  link: string | null;
}
