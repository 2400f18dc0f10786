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
export const XLSX_MAX_MERGES = 2000;
export const XLSX_MAX_MERGED_CELLS = 100_000;

interface Range {
  top?: number;
  left?: number;
  bottom?: number;
  right?: number;
}
const colCache = createRequire(import.meta.url)('exceljs/lib/utils/col-cache.js') as {
  decode(value: string): Range;
};

/** The worksheet parts as the reader picks them from the zip (a leading slash dropped, the name matched anywhere). */
const WORKSHEET = /xl\/worksheets\/sheet(\d+)[.]xml/;

/**
 * How many merges the workbook's worksheets have and how many cells they cover, stopping once past either bound
 * (then `over` is true); `unreadable` when a part is no XML (the reader, on the same parser, refuses it too).
 */
export async function countMerges(
  zip: JSZip,
): Promise<{ merges: number; cells: number; over: boolean; unreadable: boolean }> {
  let merges = 0;
  let cells = 0;
  let unreadable = false;
  const over = () => merges > XLSX_MAX_MERGES || cells > XLSX_MAX_MERGED_CELLS;
  for (const entry of Object.values(zip.files)) {
    if (entry.dir || !WORKSHEET.test(entry.name.replace(/^\//, ''))) continue;
    const parser = new SaxesParser();
    let stop = false;
    parser.on('error', () => {
      stop = true;
      unreadable = true;
    });
    parser.on('opentag', (tag) => {
      if (stop || tag.name !== 'mergeCell') return;
      const ref = tag.attributes.ref;
      if (typeof ref !== 'string') return;
      let range: Range;
      try {
        range = colCache.decode(ref);
      } catch {
        return; // the reader refuses it too
      }
      merges++;
      if (
        range.top !== undefined &&
        range.bottom !== undefined &&
        range.left !== undefined &&
        range.right !== undefined
      )
        cells += (Math.abs(range.bottom - range.top) + 1) * (Math.abs(range.right - range.left) + 1);
      if (over()) stop = true;
    });
    const text = await entry.async('string');
    // Fed in slices (never between the halves of a surrogate pair), so that a sheet past the bounds is not read to
    // its end.
    for (let at = 0; at < text.length && !stop;) {
      let end = Math.min(text.length, at + (1 << 16));
      if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1])) end--;
      parser.write(text.slice(at, end));
      at = end;
    }
    if (!stop) parser.close();
    if (over()) return { merges, cells, over: true, unreadable };
    if (unreadable) return { merges, cells, over: false, unreadable };
  }
  return { merges, cells, over: false, unreadable };
}
