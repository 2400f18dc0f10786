import { AppError } from '../common/errors.js';
import { WorkerRunner, workerModule } from '../common/worker-thread.js';
import { parseCsv } from './stamp-lists-shipped.js';
import {
  IMPORT_MAX_BYTES,
  IMPORT_MAX_ROWS,
  ImportRefusal,
  MAX_TITLE_ROWS,
  notAllowed,
  OLE,
  startsWith,
  tooWide,
  XLSX_MAX_COLUMNS,
  ZIP,
} from './stamp-import-limits.js';
import type { XlsxJob, XlsxReply } from './xlsx-read.worker.js';

export { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from './stamp-import-limits.js';
export { cellText, INVALID_DATE_TEXT, XLSX_MAX_UNPACKED_BYTES, zipUnpackedSize } from './xlsx-read.js';

/**
 * Reading a stamp-list import file (issue 13 §5) into a header and rows of text cells — no rules yet
 * (stamp-import-rows.ts checks them). CSV in UTF-8 (with or without BOM) or GB18030/GBK (what Chinese Excel saves
 * as "CSV"), or XLSX (its first worksheet; its header is found by locateHeader). The type is told by the file's
 * name and checked against its content: a name that says neither, or content that is not what the name says,
 * answers 415.
 */

export type ImportFormat = 'csv' | 'xlsx';
export type ImportEncoding = 'utf-8' | 'gb18030';

export interface ImportTable {
  format: ImportFormat;
  /** The text encoding found (CSV only). */
  encoding: ImportEncoding | null;
  header: string[];
  /** The header's line in the file (1 unless blank lines come first). */
  headerLine: number;
  /** Data rows, blank ones left out; `line` is the row's number in the file (the header is 1). */
  rows: { line: number; cells: string[] }[];
}

/** The format a file's name says: .csv or .xlsx, case-insensitive; null otherwise. */
export function formatByName(fileName: string): ImportFormat | null {
  const m = /\.(csv|xlsx)$/i.exec(fileName.trim());
  return m ? (m[1].toLowerCase() as ImportFormat) : null;
}

/**
 * The text of a CSV file: UTF-8 when it is valid UTF-8 (a BOM dropped), else GB18030 (a superset of GBK) when it
 * decodes as that; binary content (NUL bytes, a ZIP or an old Office file) or neither encoding answers 415.
 */
export function decodeCsv(fileName: string, content: Buffer): { text: string; encoding: ImportEncoding } {
  if (startsWith(content, ZIP) || startsWith(content, OLE))
    throw notAllowed(fileName, 'an Excel workbook named .csv: name it .xlsx (or save it as CSV)');
  if (content.includes(0)) throw notAllowed(fileName, 'binary content, not CSV text');
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(content);
    return { text, encoding: 'utf-8' };
  } catch {
    // Not UTF-8: Chinese Excel saves CSV in the system code page (GBK); GB18030 reads every GBK file.
  }
  try {
    return { text: new TextDecoder('gb18030', { fatal: true }).decode(content), encoding: 'gb18030' };
  } catch {
    throw notAllowed(fileName, 'text neither in UTF-8 nor in GB18030/GBK');
  }
}

/** How long, and in how much memory, a workbook may be read (a crafted one could otherwise take minutes). */
export interface ReadLimits {
  seconds: number;
  memoryMb: number;
}
export const DEFAULT_READ_LIMITS: ReadLimits = { seconds: 30, memoryMb: 1024 };

/** The thread that reads workbooks (one per process, started at the first). */
const xlsxReader = new WorkerRunner<XlsxJob, XlsxReply>(workerModule(import.meta.url, 'xlsx-read.worker'));

/**
 * A workbook's rows, read in a worker thread within `limits`: past them 413 STAMP_IMPORT_TOO_COMPLEX (the server
 * keeps answering meanwhile); with four other workbooks already waiting, 503 STAMP_IMPORT_BUSY.
 */
async function readXlsx(
  fileName: string,
  content: Buffer,
  limits: ReadLimits,
): Promise<{ line: number; cells: string[] }[]> {
  const outcome = await xlsxReader.run(
    { fileName, content },
    { ms: limits.seconds * 1000, memoryMb: limits.memoryMb },
  );
  if (!outcome.ok) {
    if (outcome.reason === 'busy') throw new AppError('STAMP_IMPORT_BUSY', { retryAfterSeconds: 60 });
    if (outcome.reason === 'time')
      throw new AppError('STAMP_IMPORT_TOO_COMPLEX', { maxSeconds: limits.seconds });
    if (outcome.reason === 'memory')
      throw new AppError('STAMP_IMPORT_TOO_COMPLEX', { maxMemoryMb: limits.memoryMb });
    throw new Error(`the workbook reader stopped: ${outcome.message ?? outcome.reason}`);
  }
  const reply = outcome.value;
  if ('refused' in reply)
    throw new ImportRefusal(reply.refused.code, reply.refused.details, reply.refused.message);
  if ('failed' in reply) throw new Error(`the workbook reader failed: ${reply.failed}`);
  return reply.rows;
}

/** CSV rows with their line numbers (a quoted field spanning lines counts from the line it starts on). */
function csvRows(text: string): { line: number; cells: string[] }[] {
  // parseCsv drops blank lines; number the records by the physical lines they start on.
  const src = text.replace(/^\uFEFF/, '');
  const out: { line: number; cells: string[] }[] = [];
  let line = 1;
  let start = 0;
  let quoted = false;
  let headerPassed = false;
  for (let i = 0; i <= src.length; i++) {
    const ch = src[i];
    if (ch === '"') quoted = !quoted;
    const end = i === src.length || (!quoted && (ch === '\n' || (ch === '\r' && src[i + 1] !== '\n')));
    if (end) {
      const record = src.slice(start, ch === '\n' && src[i - 1] === '\r' ? i - 1 : i);
      const parsed = parseCsv(record)[0];
      if (parsed) {
        const cells = parsed.map((c) => c.trim());
        // As a workbook's: the first 100 columns are read; a header running past them is told so (a header of
        // 400,000 repeated names answered 46 MB of problems), data rows are cut there.
        if (cells.length > XLSX_MAX_COLUMNS) {
          const past = cells.findIndex((c, n) => n >= XLSX_MAX_COLUMNS && c !== '');
          if (!headerPassed && out.length <= MAX_TITLE_ROWS && past >= 0) throw tooWide(line, past + 1);
          cells.length = XLSX_MAX_COLUMNS;
        }
        if (!headerPassed && out.length <= MAX_TITLE_ROWS)
          headerPassed = new Set(cells.filter((c) => c !== '')).size > 2;
        out.push({ line, cells });
      }
      line += (record.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
      start = i + 1;
    }
  }
  return out;
}

/**
 * The file as a table: 413 over the size or row limit, 415 when it is not CSV/XLSX by name and content, 400
 * STAMP_IMPORT_FILE_INVALID when it has no header or no data rows.
 */
export async function readImportFile(
  fileName: string,
  content: Buffer,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
): Promise<ImportTable> {
  try {
    return await readTable(fileName, content, limits);
  } catch (e) {
    if (e instanceof ImportRefusal) throw new AppError(e.code, e.details, e.said);
    throw e;
  }
}

async function readTable(fileName: string, content: Buffer, limits: ReadLimits): Promise<ImportTable> {
  if (content.length > IMPORT_MAX_BYTES)
    throw new AppError('STAMP_IMPORT_TOO_LARGE', { maxBytes: IMPORT_MAX_BYTES, sizeBytes: content.length });
  const format = formatByName(fileName);
  if (!format) throw notAllowed(fileName, 'the name must end in .csv or .xlsx');
  let encoding: ImportEncoding | null = null;
  let all: { line: number; cells: string[] }[];
  if (format === 'csv') {
    const decoded = decodeCsv(fileName, content);
    encoding = decoded.encoding;
    all = csvRows(decoded.text);
  } else {
    all = await readXlsx(fileName, content, limits);
  }
  const nonBlank = all.filter((r) => r.cells.some((c) => c !== ''));
  const [header, ...rows] = nonBlank;
  if (!header)
    throw new AppError('STAMP_IMPORT_FILE_INVALID', [
      { line: 1, problems: ['文件是空的：第 1 行须为表头。The file is empty: line 1 must be the header.'] },
    ]);
  if (!rows.length)
    throw new AppError('STAMP_IMPORT_FILE_INVALID', [
      {
        line: header.line,
        problems: [
          '表头之后没有数据行：请每行填写一个证明事项。There are no rows after the header; write one certificate per row.',
        ],
      },
    ]);
  if (rows.length > IMPORT_MAX_ROWS)
    throw new AppError('STAMP_IMPORT_TOO_LARGE', { maxRows: IMPORT_MAX_ROWS, rows: rows.length });
  // Trailing empty header cells (a spreadsheet's unused columns) are not columns.
  let width = header.cells.length;
  while (width > 0 && header.cells[width - 1] === '') width--;
  return {
    format,
    encoding,
    header: header.cells.slice(0, width),
    headerLine: header.line,
    rows: rows.map((r) => ({ line: r.line, cells: r.cells })),
  };
}
