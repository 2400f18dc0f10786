import type { ErrorCode } from '../common/errors.js';

/**
 * The limits of a stamp-list import file and the answers that name them, shared by the CSV reader (in the server)
 * and the workbook reader (in a worker thread: xlsx-read.worker.ts), so that neither loads the other's modules.
 */

/** The largest file taken (bytes, decoded). */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
/** The most data rows one file may have. */
export const IMPORT_MAX_ROWS = 5000;
/** Rows above the header a title may take (附件1, 《…清单》). */
export const MAX_TITLE_ROWS = 5;
/** Columns read from a worksheet or a CSV (the header's and the rows'); cells further right are left out. */
export const XLSX_MAX_COLUMNS = 100;

export const ZIP = [0x50, 0x4b, 0x03, 0x04];
/** Old binary Office files (.xls): OLE compound document. */
export const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
export const startsWith = (b: Buffer, magic: number[]) =>
  b.length >= magic.length && magic.every((x, i) => b[i] === x);

/**
 * The file refused, with the API's code and details: readImportFile answers it as that AppError. Kept apart from
 * the web framework, so that the workbook's worker thread loads none of it (a quarter of a second at each start).
 */
export class ImportRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details?: unknown,
    /** A message of its own, where the code's says less than what is wrong. */
    readonly said?: string,
  ) {
    super(code);
  }
}

/**
 * A file named .xlsx that is a ZIP but no workbook the reader can read (damaged, or saved by a program that writes
 * it otherwise): still 415, but saying so — the code's own message speaks of the file's type, which is right.
 */
export function unreadableWorkbook(fileName: string): ImportRefusal {
  return new ImportRefusal(
    'STAMP_IMPORT_TYPE_NOT_ALLOWED',
    { fileName, why: 'the .xlsx workbook cannot be read' },
    '无法读取该 Excel 工作簿：文件可能已损坏，或不是按 Excel 工作簿格式保存的。请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿（*.xlsx）”后再导入，也可另存为 CSV（UTF-8）后导入。The workbook cannot be read (damaged, or not saved as an Excel workbook); open it in Excel or WPS, save it as an .xlsx workbook (or as CSV) and import again.',
  );
}

export function notAllowed(fileName: string, why: string): ImportRefusal {
  return new ImportRefusal('STAMP_IMPORT_TYPE_NOT_ALLOWED', { fileName, why });
}

/** A header row with cells past the columns read. */
export const tooWide = (line: number, column: number) =>
  new ImportRefusal('STAMP_IMPORT_FILE_INVALID', [
    {
      line,
      problems: [
        `表格第 ${line} 行在第 ${column} 列还有内容，只读取前 ${XLSX_MAX_COLUMNS} 列：请删去多余的列，把要导入的列放在前面后重新导入。Line ${line} has cells past column ${XLSX_MAX_COLUMNS}; only the first ${XLSX_MAX_COLUMNS} columns are read.`,
      ],
    },
  ]);
