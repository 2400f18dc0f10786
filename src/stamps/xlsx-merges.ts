import type JSZip from 'jszip';
import { createRequire } from 'node:module';
import { SaxesParser } from 'saxes';

/**
 * The merged ranges of a workbook, counted before the workbook reader (ExcelJS) sees it. The reader makes one
 * object for every cell a merge covers and checks each merge against every earlier one: a 1.6 KB file merging
 * A3:XFD1500 (24 million cells) took the server's memory (the attack of 2026-12-03), and 50,000 small merges would
 * take minutes. So the merges are read first, as the reader reads them — the same worksheet parts (its own rule for
 * their names), the same XML parser (saxes), the same address decoding (its col-cache) — and counted: over
 * XLSX_MAX_MERGES merges or XLSX_MAX_MERGED_CELLS cells, the file is refused before the reader runs. (Reading the
 * merges with regular expressions instead was both slow on crafted input and bypassed by quoting the reader
 * accepts.) Data validations are left out by the reader itself (its ignoreNodes).
 */

/** The most merges a sheet of a list may have (each a group of rows or a title), and the cells they may cover. */
/**
 * A number as the reader reads it: ExcelJS takes row and column numbers with parseInt, so "4294967294e-20" is
 * row 4,294,967,294 to it (0 to Number) and "200000000e-10" column 200,000,000. Not a number: 0 (Number's test
 * answers for it).
 */
const asReaderReads = (v: string): number => parseInt(v, 10) || 0;

/** Elements of xl/styles.xml (Excel allows 64,000 cell formats, each a few elements), and one attribute's length. */
const MAX_STYLE_ELEMENTS = 500_000;
const MAX_STYLE_ATTRIBUTE = 1_000;

export const XLSX_MAX_MERGES = 2000;
/** The most worksheets a workbook may have (parts, and sheets its workbook.xml names): the reader builds each. */
export const XLSX_MAX_SHEETS = 100;
export const XLSX_MAX_MERGED_CELLS = 100_000;

interface Range {
  top?: number;
  left?: number;
  bottom?: number;
  right?: number;
}
const colCache = createRequire(import.meta.url)('exceljs/lib/utils/col-cache.js') as {
  decode(value: string): Range;
  decodeEx(value: string): Range;
  decodeAddress(value: string): { row?: number; col?: number };
};

/** Sheet bounds as Excel has them: a row or column past them is no spreadsheet's (the reader loops up to it). */
const MAX_ROW = 1_048_576;
const MAX_COLUMN = 16_384;
/** Deeper nesting than a worksheet has (the reader builds a frame for each level). */
const MAX_DEPTH = 64;
/** The cells defined names (print areas) may cover: the reader makes one object for each. */
const MAX_NAMED_CELLS = 100_000;

/** A defined name's range as the reader keeps it (its own expression). */
const NAMED_RANGE = /[$](\w+)[$](\d+)(:[$](\w+)[$](\d+))?/;

/** The worksheet parts as the reader picks them from the zip (a leading slash dropped, the name matched anywhere). */
const WORKSHEET = /xl\/worksheets\/sheet(\d+)[.]xml/;

/** Cells of a decoded range; Infinity when its bounds are not numbers (no range a sheet can have). */
function cellsOf(range: Range): number {
  const { top, left, bottom, right } = range;
  if (top === undefined && left === undefined && bottom === undefined && right === undefined) return 1;
  if (![top, left, bottom, right].every((n) => Number.isFinite(n))) return Infinity;
  return (Math.abs(bottom! - top!) + 1) * (Math.abs(right! - left!) + 1);
}

export interface WorkbookShape {
  merges: number;
  cells: number;
  /** Past a bound the reader would spend minutes or gigabytes on: merges, rows, columns, nesting, named cells. */
  over: boolean;
  /** A part that is no XML (the reader, on the same parser, refuses it too). */
  unreadable: boolean;
  /** Worksheets: the most of its worksheet parts and of the sheets its workbook.xml names. */
  sheets: number;
}

/** Parses an XML part in slices (never between the halves of a surrogate pair), stopping when `stop()` says so. */
function parse(text: string, parser: SaxesParser, stop: () => boolean): void {
  for (let at = 0; at < text.length && !stop();) {
    let end = Math.min(text.length, at + (1 << 16));
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1])) end--;
    parser.write(text.slice(at, end));
    at = end;
  }
  if (!stop()) parser.close();
}

/**
 * What the workbook asks the reader to build, read before the reader runs, stopping at the first bound passed:
 * merges (at most XLSX_MAX_MERGES, covering XLSX_MAX_MERGED_CELLS), rows and columns within Excel's own bounds
 * (a row numbered 4,294,967,294 or a column definition up to 200,000,000 made the reader loop or allocate up to
 * it), nesting at most 64 deep, and defined names covering at most 100,000 cells (a print area of a whole sheet
 * is 17 billion cell objects to the reader).
 */
export async function countMerges(zip: JSZip): Promise<WorkbookShape> {
  const shape: WorkbookShape = { merges: 0, cells: 0, over: false, unreadable: false, sheets: 0 };
  // 10,000 worksheet parts, or a workbook.xml naming millions of sheets, held the reader for minutes.
  shape.sheets = Object.values(zip.files).filter(
    (e) => !e.dir && WORKSHEET.test(e.name.replace(/^\//, '')),
  ).length;
  if (shape.sheets > XLSX_MAX_SHEETS) return shape;
  let namedSheets = 0;
  const past = () => shape.merges > XLSX_MAX_MERGES || shape.cells > XLSX_MAX_MERGED_CELLS;
  let named = 0;
  let styleElements = 0;
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    const name = entry.name.replace(/^\//, '');
    const sheet = WORKSHEET.test(name);
    const styles = name === 'xl/styles.xml';
    if (!sheet && !styles && name !== 'xl/workbook.xml') continue;
    const parser = new SaxesParser();
    let depth = 0;
    let stop = false;
    let definedName: string[] | null = null;
    const over = () => {
      shape.over = true;
      stop = true;
    };
    parser.on('error', () => {
      stop = true;
      shape.unreadable = true;
    });
    parser.on('opentag', (tag) => {
      if (stop) return;
      if (++depth > MAX_DEPTH) return over();
      const a = tag.attributes as Record<string, string | undefined>;
      if (styles) {
        // The reader copies a row's style into the row (a 10 MB number format on 200 rows took 3 GB), scans a
        // number format of every numeric cell with a quadratic expression (100,000 "[" held it 11 s a cell) and
        // builds every style: Excel itself keeps a format code to 255 characters and a workbook to 64,000 styles.
        if (++styleElements > MAX_STYLE_ELEMENTS) return over();
        if (Object.values(a).some((v) => typeof v === 'string' && v.length > MAX_STYLE_ATTRIBUTE))
          return over();
        return;
      }
      if (!sheet) {
        if (tag.name === 'definedName') definedName = [];
        if (tag.name === 'sheet' && ++namedSheets > XLSX_MAX_SHEETS) {
          shape.sheets = namedSheets;
          stop = true;
        }
        return;
      }
      if (
        tag.name === 'row' &&
        a.r !== undefined &&
        !(Number(a.r) <= MAX_ROW && asReaderReads(a.r) <= MAX_ROW)
      )
        return over();
      if (tag.name === 'c' && typeof a.r === 'string') {
        let row: number | undefined;
        try {
          row = colCache.decodeAddress(a.r).row;
        } catch {
          return; // the reader refuses it too
        }
        if (row !== undefined && !(row <= MAX_ROW)) return over();
      }
      if (
        tag.name === 'col' &&
        [a.min ?? '1', a.max ?? '1'].some((v) => !(Number(v) <= MAX_COLUMN) || asReaderReads(v) > MAX_COLUMN)
      )
        return over();
      if (tag.name !== 'mergeCell' || typeof a.ref !== 'string') return;
      let range: Range;
      try {
        range = colCache.decode(a.ref);
      } catch {
        return; // the reader refuses it too
      }
      shape.merges++;
      shape.cells += cellsOf(range);
      if (past()) over();
    });
    parser.on('text', (text) => definedName?.push(text));
    parser.on('closetag', (tag) => {
      depth--;
      if (stop || tag.name !== 'definedName' || !definedName) return;
      for (const range of definedName.join('').split(',')) {
        // The reader keeps only ranges written $A$1 or $A$1:$B$2 (print titles such as $1:$2 are not cells).
        if (!NAMED_RANGE.test(range.split('!').pop() ?? '')) continue;
        try {
          const n = cellsOf(colCache.decodeEx(range));
          named += Number.isFinite(n) ? n : 0;
        } catch {
          // not a range the reader reads
        }
      }
      definedName = null;
      if (named > MAX_NAMED_CELLS) over();
    });
    parse(await entry.async('string'), parser, () => stop);
    if (shape.over || shape.unreadable || shape.sheets > XLSX_MAX_SHEETS) return shape;
  }
  return shape;
}
