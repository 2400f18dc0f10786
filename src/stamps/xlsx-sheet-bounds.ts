/**
 * A worksheet's XML made safe to hand to the workbook reader. The reader makes one object for every cell a merged
 * range or a data validation covers: a 1.6 KB file merging A3:XFD1500 (24 million cells) took the server's memory
 * (the attack of 2026-12-03). Reading a list needs the merges of the cells it reads (a basis merged down several
 * rows gives each row its text) and no data validation (a drop-down changes no value). So, before the reader sees a
 * sheet: data validations are dropped, each merge is cut to the window read (the first columns, the rows a list
 * may have), and what the merges still cover is counted — over the bound the file is refused.
 */

/** The part of a sheet a list is read from: its first columns, and the rows a list may have (title and header too). */
export interface SheetWindow {
  columns: number;
  rows: number;
}

/** A1 → { column 1, row 1 }; null for anything else. */
export function cellAddress(ref: string): { column: number; row: number } | null {
  const m = /^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$/.exec(ref);
  if (!m) return null;
  let column = 0;
  for (const ch of m[1]) column = column * 26 + (ch.charCodeAt(0) - 64);
  return { column, row: Number(m[2]) };
}

const columnName = (n: number): string => {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
};

const MERGE = /<mergeCell\b[^>]*?\bref="([^"]*)"[^>]*?\/>/g;
const VALIDATIONS = /<(x14:)?dataValidations\b[^>]*?(\/>|>[\s\S]*?<\/\1dataValidations>)/g;

/**
 * The sheet without data validations and with its merges cut to `window`; `mergedCells`: the cells the merges
 * left cover (a merge wholly outside the window goes; an unreadable one is left to the reader, which rejects it).
 */
export function boundSheetXml(xml: string, window: SheetWindow): { xml: string; mergedCells: number } {
  let mergedCells = 0;
  const out = xml.replace(VALIDATIONS, '').replace(MERGE, (whole, ref: string) => {
    const [a, b = a] = ref.split(':');
    const from = cellAddress(a);
    const to = cellAddress(b);
    if (!from || !to) return whole;
    const left = Math.min(from.column, to.column);
    const top = Math.min(from.row, to.row);
    const right = Math.min(Math.max(from.column, to.column), window.columns);
    const bottom = Math.min(Math.max(from.row, to.row), window.rows);
    if (left > right || top > bottom || (left === right && top === bottom)) return '';
    mergedCells += (right - left + 1) * (bottom - top + 1);
    return `<mergeCell ref="${columnName(left)}${top}:${columnName(right)}${bottom}"/>`;
  });
  return { xml: out, mergedCells };
}
