import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import {
  IMPORT_MAX_ROWS,
  ImportRefusal,
  MAX_TITLE_ROWS,
  notAllowed,
  startsWith,
  tooWide,
  unreadableWorkbook,
  XLSX_MAX_COLUMNS,
  ZIP,
} from './stamp-import-limits.js';
import { countMerges, XLSX_MAX_MERGED_CELLS, XLSX_MAX_MERGES, XLSX_MAX_SHEETS } from './xlsx-merges.js';

/**
 * Reading an XLSX workbook of a stamp-list import into rows of text cells (its first worksheet). It runs in a
 * worker thread (xlsx-read.worker.ts), never on the server's event loop: the checks below bound what a crafted
 * workbook can ask of the reader (ExcelJS), and the worker's time and memory limits bound the rest.
 */

/** What a date cell that holds no real date reads as (the row's check refuses it, naming the column). */
export const INVALID_DATE_TEXT = '#无效日期';

/** One cell of a worksheet as text: dates as YYYY-MM-DD, rich text joined, a formula's result, a link's text. */
export function cellText(value: ExcelJS.CellValue): string {
  // Half of a surrogate pair (the reader decodes _xD800_) is no text PostgreSQL stores: shown as �, not a 500.
  return cellValueText(value).replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function cellValueText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // A date-formatted number no calendar has (e.g. 1e20) is read as an invalid Date: it stays a text the row's
    // date check refuses, naming its column (not empty, which would mean "from today").
    if (Number.isNaN(value.getTime())) return INVALID_DATE_TEXT;
    // exceljs reads Excel's date serials as UTC midnights.
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value) {
      const result = (value as ExcelJS.CellFormulaValue).result;
      return result === undefined ? '' : cellText(result as ExcelJS.CellValue);
    }
    if ('hyperlink' in value) {
      const text = (value as ExcelJS.CellHyperlinkValue).text;
      return typeof text === 'string' && text ? text : (value as ExcelJS.CellHyperlinkValue).hyperlink;
    }
    // A formula's error (#REF!, #N/A …) stays as Excel shows it: the row's check refuses it, naming its column.
    if ('error' in value) return String((value as ExcelJS.CellErrorValue).error ?? '#ERROR!');
    return '';
  }
  return String(value);
}

/** What a workbook may unpack to (its parts' declared sizes added up): a 2 MB file of 40 MB of XML is plenty. */
export const XLSX_MAX_UNPACKED_BYTES = 40 * 1024 * 1024;
/** The text a workbook's cells may hold in all (a 2 MB CSV holds at most 2 million characters). */
const XLSX_MAX_CHARACTERS = 8_000_000;

/**
 * The total uncompressed size a ZIP's central directory declares, read before anything is unpacked (a small file
 * that unpacks to gigabytes must not reach the XML parser); null when it has no readable central directory, and
 * Infinity for ZIP64 (sizes that need more than 32 bits are too large here anyway).
 */
export function zipUnpackedSize(zip: Buffer): number | null {
  const i = endOfCentralDirectory(zip);
  if (i === null) return null;
  const entries = zip.readUInt16LE(i + 10);
  let at = zip.readUInt32LE(i + 16);
  if (entries === 0xffff || at === 0xffffffff) return Infinity;
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return null;
    const size = zip.readUInt32LE(at + 24);
    if (size === 0xffffffff) return Infinity;
    total += size;
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return total;
}

/** Where a ZIP's end-of-central-directory record is (22 bytes, then a comment of up to 65,535), or null. */
function endOfCentralDirectory(zip: Buffer): number | null {
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--)
    if (zip.readUInt32LE(i) === 0x06054b50) return i;
  return null;
}

const inflateRaw = promisify(zlib.inflateRaw);

/**
 * Unpacks every part the central directory lists, each stopped at what the limit leaves (never more in memory),
 * and checks that each unpacks to exactly the size it declares: the declarations the ZIP reader trusts are then
 * true. 'too-large' past the limit; 'unreadable' for a part that is not where it says, of another method, or of
 * another size. The parts' bytes are dropped as they are checked (the workbook reader unpacks them again).
 */
async function checkZipParts(zip: Buffer): Promise<'ok' | 'too-large' | 'unreadable'> {
  const end = endOfCentralDirectory(zip);
  if (end === null) return 'unreadable';
  // Only a plain ZIP that every reader reads alike: one disk, no ZIP64, the directory's entry count, offset and
  // size true — it ends where the end record begins, so no entry the count leaves out and no shifted offsets (a
  // reader that trusts the directory's own signatures, as the workbook reader's does, would otherwise unpack parts
  // this check never saw).
  const entries = zip.readUInt16LE(end + 10);
  const dirSize = zip.readUInt32LE(end + 12);
  const dirStart = zip.readUInt32LE(end + 16);
  if (
    zip.readUInt16LE(end + 4) !== 0 ||
    zip.readUInt16LE(end + 6) !== 0 ||
    zip.readUInt16LE(end + 8) !== entries ||
    entries === 0xffff ||
    dirSize === 0xffffffff ||
    dirStart === 0xffffffff ||
    dirStart + dirSize !== end ||
    (end >= 20 && zip.readUInt32LE(end - 20) === 0x07064b50)
  )
    return 'unreadable';
  let at = dirStart;
  let left = XLSX_MAX_UNPACKED_BYTES;
  const names = new Set<string>();
  for (let n = entries; n > 0; n--) {
    if (at + 46 > end || zip.readUInt32LE(at) !== 0x02014b50) return 'unreadable';
    const method = zip.readUInt16LE(at + 10);
    const packed = zip.readUInt32LE(at + 20);
    const declared = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('latin1', at + 46, at + 46 + nameLength);
    if (names.has(name)) return 'unreadable';
    names.add(name);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (local + 30 > dirStart || zip.readUInt32LE(local) !== 0x04034b50) return 'unreadable';
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    if (start + packed > dirStart) return 'unreadable';
    const data = zip.subarray(start, start + packed);
    let size: number;
    if (method === 0) size = packed;
    else if (method === 8 && packed === 0) size = 0;
    else if (method === 8)
      try {
        size = (await inflateRaw(data, { maxOutputLength: Math.max(left, 1) })).length;
      } catch (e) {
        if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return 'too-large';
        return 'unreadable';
      }
    else return 'unreadable';
    if (size > left) return 'too-large';
    if (size !== declared) return 'unreadable';
    left -= size;
  }
  return at === end ? 'ok' : 'unreadable';
}

export async function readXlsx(
  fileName: string,
  content: Buffer,
): Promise<{ line: number; cells: string[] }[]> {
  if (!startsWith(content, ZIP)) throw notAllowed(fileName, 'named .xlsx but not an Excel .xlsx workbook');
  const unpacked = zipUnpackedSize(content);
  if (unpacked === null) throw unreadableWorkbook(fileName);
  if (unpacked > XLSX_MAX_UNPACKED_BYTES)
    throw new ImportRefusal('STAMP_IMPORT_TOO_LARGE', {
      maxUnpackedBytes: XLSX_MAX_UNPACKED_BYTES,
      unpackedBytes: unpacked,
    });
  // What the parts declare may be a lie (a small file of gigabytes declared as kilobytes): unpack to the limit.
  const parts = await checkZipParts(content);
  // The size it declared is not what it is: say so, not that 30 KB is too large.
  if (parts === 'too-large')
    throw new ImportRefusal('STAMP_IMPORT_TOO_LARGE', {
      maxUnpackedBytes: XLSX_MAX_UNPACKED_BYTES,
      declaredUnpackedBytes: unpacked,
      unpacksBeyondLimit: true,
    });
  if (parts === 'unreadable') throw unreadableWorkbook(fileName);
  // Merges counted as the reader will make them, before it does (xlsx-merges.ts); data validations (a drop-down
  // over whole columns is one object per cell to the reader) are not read at all: they change no value.
  let merged: Awaited<ReturnType<typeof countMerges>>;
  try {
    merged = await countMerges(await JSZip.loadAsync(content));
  } catch {
    throw unreadableWorkbook(fileName);
  }
  if (merged.unreadable) throw unreadableWorkbook(fileName);
  if (merged.sheets > XLSX_MAX_SHEETS)
    throw new ImportRefusal('STAMP_IMPORT_FILE_INVALID', [
      {
        line: 1,
        problems: [
          `工作簿中的工作表过多（超过 ${XLSX_MAX_SHEETS} 张）：请只保留要导入的清单所在的工作表（放在第一张），另存为新文件后再导入。The workbook has more than ${XLSX_MAX_SHEETS} sheets; keep the sheet of the list (first), save it anew and import again.`,
        ],
      },
    ]);
  if (merged.over)
    throw new ImportRefusal('STAMP_IMPORT_FILE_INVALID', [
      {
        line: 1,
        problems: [
          `表格超出可读取的范围：合并的单元格过多（最多 ${XLSX_MAX_MERGES} 处、共 ${XLSX_MAX_MERGED_CELLS} 个单元格），或行号、列、名称区域超出 Excel 的表格范围。请取消不必要的合并单元格、删去多余的行列和名称后另存为新文件再导入。The workbook is beyond what can be read (too many merged cells, or rows, columns or named ranges past a sheet's bounds); unmerge, delete what is extra, save it anew and import again.`,
        ],
      },
    ]);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer, { ignoreNodes: ['dataValidations'] });
  } catch {
    throw unreadableWorkbook(fileName);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  // The header and the row limit, before reading a cell.
  if (sheet.actualRowCount > IMPORT_MAX_ROWS + 1)
    throw new ImportRefusal('STAMP_IMPORT_TOO_LARGE', {
      maxRows: IMPORT_MAX_ROWS,
      rows: sheet.actualRowCount - 1,
    });
  // Counted once: the reader walks every row for it (per column of a header row, a sheet with cells at column
  // XFD held the server for minutes).
  const columnCount = sheet.columnCount;
  const width = Math.min(columnCount, XLSX_MAX_COLUMNS);
  const rows: { line: number; cells: string[] }[] = [];
  let headerPassed = false;
  // The sheet's own row numbers are kept, so the report's line is the row Excel shows.
  // The text read, counted: one shared rich text of 10,000 characters in 500,000 cells is 5 GB of copies.
  let characters = 0;
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) {
      const text = cellText(row.getCell(c).value).trim();
      characters += text.length;
      if (characters > XLSX_MAX_CHARACTERS)
        throw new ImportRefusal('STAMP_IMPORT_TOO_LARGE', { maxCharacters: XLSX_MAX_CHARACTERS, line });
      cells.push(text);
    }
    // A header is found in the first rows, under a title (a row of at most two texts): one running past the
    // columns read would be told it misses columns it has. Say what is wrong instead. Rows under the header are
    // data: cells past the columns read are left out, as they always were.
    if (!headerPassed && rows.length <= MAX_TITLE_ROWS) {
      row.eachCell({ includeEmpty: false }, (cell, c) => {
        if (c > width && cellText(cell.value).trim() !== '') throw tooWide(line, c);
      });
      headerPassed = new Set(cells.filter((c) => c !== '')).size > 2;
    }
    rows.push({ line, cells });
  });
  return rows;
}
