import JSZip from 'jszip';
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AppError } from '../common/errors.js';
import {
  IMPORT_MAX_BYTES,
  readImportFile,
  XLSX_MAX_UNPACKED_BYTES,
  zipUnpackedSize,
} from './stamp-import-file.js';
import { checkRows } from './stamp-import-checks.js';
import { locateHeader, readHeader, rowValues, titleOf, type RowContext } from './stamp-import-rows.js';

const HEADER = 'seq,name,list_type,scope,source_document,issued_by,issued,note';
const CITY: RowContext = { allowedScopes: ['', '33', '3399'], scopeByName: new Map([['示范市', '3399']]) };

/** The code of the AppError a promise rejects with. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  throw new Error('no error');
}

/** The file read, its header found and its rows checked, as the import's dry run does. */
async function rowsOf(fileName: string, content: Buffer, ctx = CITY) {
  const { header, table } = locateHeader(await readImportFile(fileName, content));
  expect(header.problems).toEqual([]);
  return { table, ...checkRows(rowValues(table, header.columns), ctx) };
}

/** GB18030 bytes of a text (Node's TextEncoder writes UTF-8 only): each character from a small table. */
function gbk(text: string): Buffer {
  // 居住证明 保留 示范市 in GBK, the rest ASCII.
  const table: Record<string, number[]> = {
    居: [0xbe, 0xd3],
    住: [0xd7, 0xa1],
    证: [0xd6, 0xa4],
    明: [0xc3, 0xf7],
    示: [0xca, 0xbe],
    范: [0xb7, 0xb6],
    市: [0xca, 0xd0],
  };
  const bytes: number[] = [];
  for (const ch of text) {
    if (table[ch]) bytes.push(...table[ch]);
    else if (ch.charCodeAt(0) < 0x80) bytes.push(ch.charCodeAt(0));
    else throw new Error(`no GBK bytes for ${ch} in the test's table`);
  }
  return Buffer.from(bytes);
}

describe('reading a stamp-list import file', () => {
  it('given the shipped national file, then 20 rows of one national prohibited list are read with the annex title', async () => {
    const csv = readFileSync(join(process.cwd(), 'data/certificates-prohibited-national-2020.csv'));
    const { table, rows, lists } = await rowsOf('certificates-prohibited-national-2020.csv', csv);
    expect(table).toMatchObject({ format: 'csv', encoding: 'utf-8' });
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.problems.length === 0)).toBe(true);
    expect([...lists.values()]).toEqual([
      expect.objectContaining({
        documentNumber: '民发〔2020〕20号',
        scopeCode: '',
        listType: 'prohibited',
        title: '不应由基层群众性自治组织出具证明事项清单（第一批）',
        issuedOn: '2020-04',
        issuedBy: '民政部 国家发展改革委 公安部 司法部 人力资源社会保障部 国家卫生健康委',
      }),
    ]);
    expect(rows[3]).toMatchObject({ line: 5, entry: { seq: 4, name: '居民养犬证明' } });
  });

  it('given UTF-8 with a BOM, CRLF line ends and a quoted field with a comma and a line break, then each row keeps its line number', async () => {
    const csv =
      '\uFEFF' +
      `${HEADER},conditions\r\n1,居住证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,"身份证件,\r\n租赁合同"\r\n\r\n2,生活困难证明,allowed,3399,示民发〔2021〕15号,同上,2021-06-15,,\r\n`;
    const { table, rows } = await rowsOf('list.csv', Buffer.from(csv, 'utf8'));
    expect(table.encoding).toBe('utf-8');
    expect(table.header[0]).toBe('seq');
    expect(rows.map((r) => [r.line, r.entry?.name, r.problems.length])).toEqual([
      [2, '居住证明', 0],
      [5, '生活困难证明', 0],
    ]);
    expect(rows[0].entry?.conditions).toBe('身份证件,\r\n租赁合同');
  });

  it('given a CSV saved by Chinese Excel in GBK, then it is read as GB18030', async () => {
    const csv = gbk(`${HEADER}\r\n1,居住证明,allowed,3399,X1,示范市,2021-06-15,\r\n`);
    const { table, rows } = await rowsOf('list.csv', csv);
    expect(table.encoding).toBe('gb18030');
    expect(rows[0].entry?.name).toBe('居住证明');
    expect(rows[0].problems).toEqual([]);
  });

  it('given Chinese column names in the header, then they name the same columns and unknown ones are set aside', async () => {
    const csv = `序号,名称,清单类型,适用范围,来源文件,发文机关,发文日期,办理时限,联系人\n1,居住证明,保留,示范市,示民发〔2021〕15号,示范市民政局,2021/6/15,3个工作日,张三\n`;
    const table = await readImportFile('list.csv', Buffer.from(csv));
    const header = readHeader(table.header);
    expect(header.problems).toEqual([]);
    expect(header.ignored).toEqual(['联系人']);
    const { rows } = checkRows(rowValues(table, header.columns), CITY);
    expect(rows[0].problems).toEqual([]);
    expect(rows[0].list).toEqual({
      documentNumber: '示民发〔2021〕15号',
      scopeCode: '3399',
      listType: 'allowed',
    });
    expect(rows[0].entry?.timeLimit).toEqual({ kind: 'working-days', workingDays: 3 });
  });

  it('given a published list with its title above the table (a CSV row, or an XLSX title merged across the columns) and the columns under their published names, then the header is found under it and the rows keep their lines', async () => {
    const title = '附件1 示范市保留的证明事项清单';
    const csv = `${title},,,,,,,\n（2021年6月）\n序号,证明事项名称,清单类型,适用范围,来源文件,发文机关,发文日期,法律依据\n1,居住证明,保留,示范市,示民发〔2021〕15号,示范市民政局,2021-06-15,《示范市居民服务条例》第十条\n`;
    const fromCsv = await rowsOf('list.csv', Buffer.from(csv));
    expect(fromCsv.rows.map((r) => [r.line, r.problems])).toEqual([[4, []]]);
    expect(fromCsv.rows[0].entry).toMatchObject({
      name: '居住证明',
      legalBasis: '《示范市居民服务条例》第十条',
    });

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('清单');
    ws.addRow([title]);
    ws.mergeCells('A1:H1');
    ws.addRow(HEADER.split(','));
    ws.addRow([1, '居住证明', 'allowed', 3399, '示民发〔2021〕15号', '示范市民政局', '2021-06-15']);
    const fromXlsx = await rowsOf('list.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(fromXlsx.rows.map((r) => [r.line, r.problems])).toEqual([[3, []]]);
  });

  it('given a first row that is a table without the required columns, or a title over a header with no rows under it, then the header’s problem is told', async () => {
    const notTitle = await readImportFile(
      'list.csv',
      Buffer.from(`a,b,c\n${HEADER}\n1,居住证明,allowed,3399,X,Y,2021-01\n`),
    );
    expect(locateHeader(notTitle).header.problems.join()).toMatch(/缺少必填列/);
    const headerLast = await readImportFile('list.csv', Buffer.from(`附件1 清单\n${HEADER}\n`));
    expect(locateHeader(headerLast).header.problems.join()).toMatch(/第 2 行的表头之后没有数据行/);
    // Under a title, a header with one column missing is told as that, on its own line.
    const oneMissing = await readImportFile(
      'list.csv',
      Buffer.from(`附件1 清单\n\n序号,名称,类型,适用范围,来源文件,发文机关\n1,居住证明,allowed,3399,X,Y\n`),
    );
    const told = locateHeader(oneMissing);
    expect(told.line).toBe(3);
    expect(told.header.problems.join()).toMatch(/^表头缺少必填列：issued（发文日期）。/);
  });

  it('given a title that is itself a column’s name (证明事项) and the list’s facts given beside the file, then the header is the row under it that names more columns, not the title', async () => {
    const given = new Set(['list_type', 'scope', 'source_document', 'issued_by', 'issued'] as const);
    const table = await readImportFile(
      'list.csv',
      Buffer.from('证明事项\n序号,证明事项名称,设定依据\n1,居住证明,《示范市居民服务条例》第十条\n'),
    );
    const { header, table: read, line } = locateHeader(table, given);
    expect([header.problems, header.columns, line]).toEqual([[], ['seq', 'name', 'legal_basis'], 2]);
    expect(read.rows.map((r) => r.line)).toEqual([3]);
  });

  it('given a header without required columns, then it says which', async () => {
    const table = await readImportFile('list.csv', Buffer.from('name,scope\n居住证明,3399\n'));
    expect(readHeader(table.header).problems.join()).toMatch(/list_type.*source_document.*issued_by.*issued/);
  });

  it('given an XLSX built with exceljs (dates as dates, numbers as numbers, rich text), then its first sheet is read', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('清单');
    ws.addRow([...HEADER.split(','), 'aliases', 'time_limit', 'effective_from', 'link']);
    ws.addRow([
      1,
      { richText: [{ text: '居住' }, { text: '证明' }] },
      'allowed',
      3399,
      '示民发〔2021〕15号 《示范市保留清单》',
      '示范市民政局',
      '2021-06-15',
      '',
      '住址证明、居住情况证明',
      '当场',
      new Date(Date.UTC(2027, 0, 1)),
      { text: 'https://example.gov.cn/a', hyperlink: 'https://example.gov.cn/a' },
    ]);
    ws.addRow([]);
    ws.addRow([2, '', 'allowed', 3399, '示民发〔2021〕15号', '示范市民政局', '2021-06-15']);
    wb.addWorksheet('其他').addRow(['ignored']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const { table, rows, lists } = await rowsOf('清单.XLSX', buf);
    expect(table).toMatchObject({ format: 'xlsx', encoding: null });
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
    expect(rows[0].problems).toEqual([]);
    expect(rows[0].entry).toMatchObject({
      seq: 1,
      name: '居住证明',
      aliases: ['住址证明', '居住情况证明'],
      timeLimit: { kind: 'on-the-spot' },
      effectiveFrom: '2027-01-01',
    });
    expect([...lists.values()][0]).toMatchObject({ title: '示范市保留清单', scopeCode: '3399' });
    expect(rows[1].problems.map((p) => p.field)).toEqual(['name']);
  });

  it('given a name that is not .csv or .xlsx, a workbook named .csv, text named .xlsx or a binary file, then 415', async () => {
    const csv = Buffer.from(`${HEADER}\n1,a,allowed,3399,X,Y,2021-01\n`);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('a').addRow(['x']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    expect(await codeOf(readImportFile('list.txt', csv))).toBe('STAMP_IMPORT_TYPE_NOT_ALLOWED');
    expect(await codeOf(readImportFile('list.xls', csv))).toBe('STAMP_IMPORT_TYPE_NOT_ALLOWED');
    expect(await codeOf(readImportFile('list.csv', xlsx))).toBe('STAMP_IMPORT_TYPE_NOT_ALLOWED');
    expect(await codeOf(readImportFile('list.xlsx', csv))).toBe('STAMP_IMPORT_TYPE_NOT_ALLOWED');
    expect(await codeOf(readImportFile('list.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1])))).toBe(
      'STAMP_IMPORT_TYPE_NOT_ALLOWED',
    );
    // A ZIP that is no workbook.
    expect(await codeOf(readImportFile('list.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])))).toBe(
      'STAMP_IMPORT_TYPE_NOT_ALLOWED',
    );
    // A workbook whose sheet is damaged: the message says so and what to do (not that the type is wrong).
    const damaged = await JSZip.loadAsync(xlsx);
    damaged.file('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row><c></row>');
    const refused = await readImportFile(
      'list.xlsx',
      await damaged.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }),
    ).catch((e: AppError) => e.getResponse() as { code: string; message: string });
    expect(refused).toMatchObject({ code: 'STAMP_IMPORT_TYPE_NOT_ALLOWED' });
    expect((refused as { message: string }).message).toMatch(
      /^无法读取该 Excel 工作簿：文件可能已损坏.*另存为/,
    );
    const text = await readImportFile('list.xlsx', csv).catch((e: AppError) => e.message);
    expect(text).toContain('只能导入 CSV');
  });

  it('given a workbook that declares it unpacks to more than 40 MB, or has over 5,000 rows, then 413 before its cells are read', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('a');
    ws.addRow(HEADER.split(','));
    ws.addRow([1, '居住证明', 'allowed', '3399', 'X', 'Y', '2021-06']);
    const small = Buffer.from(await wb.xlsx.writeBuffer());
    expect(zipUnpackedSize(small)).toBeGreaterThan(0);
    expect(zipUnpackedSize(small)).toBeLessThan(XLSX_MAX_UNPACKED_BYTES);
    // The same workbook, its first part's size in the central directory raised to 2 GB (a zip bomb's declaration).
    const bomb = Buffer.from(small);
    const central = bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bomb.writeUInt32LE(0x7fffffff, central + 24);
    expect(await codeOf(readImportFile('bomb.xlsx', bomb))).toBe('STAMP_IMPORT_TOO_LARGE');
    for (let i = 0; i < 5001; i++) ws.addRow([i + 2, `证明${i}`, 'allowed', '3399', 'X', 'Y', '2021-06']);
    const many = Buffer.from(await wb.xlsx.writeBuffer());
    expect(await codeOf(readImportFile('many.xlsx', many))).toBe('STAMP_IMPORT_TOO_LARGE');
  });

  it('given a workbook whose parts unpack to more than they declare (a zip bomb that lies), then 413 without unpacking it all', async () => {
    // A real workbook, its worksheet padded with 60 MB of spaces (about 60 KB deflated), and that part's size in its
    // local header and in the central directory written down to 1,000 bytes: the declared sizes pass.
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('a').addRow(HEADER.split(','));
    const zip = await JSZip.loadAsync(await wb.xlsx.writeBuffer());
    const sheet = 'xl/worksheets/sheet1.xml';
    const [head, tail] = (await zip.file(sheet)!.async('string')).split('<sheetData>');
    zip.file(
      sheet,
      Buffer.concat([
        Buffer.from(`${head}<sheetData>`),
        Buffer.alloc(60 * 1024 * 1024, 0x20),
        Buffer.from(tail),
      ]),
    );
    const lying = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    for (let i = 0; i + 30 < lying.length; i++) {
      const signature = lying.readUInt32LE(i);
      if (signature === 0x02014b50 && lying.readUInt32LE(i + 24) > 1e6) lying.writeUInt32LE(1_000, i + 24);
      if (signature === 0x04034b50 && lying.readUInt32LE(i + 22) > 1e6) lying.writeUInt32LE(1_000, i + 22);
    }
    expect(lying.length).toBeLessThan(IMPORT_MAX_BYTES);
    expect(zipUnpackedSize(lying)).toBeLessThan(XLSX_MAX_UNPACKED_BYTES);
    const before = process.memoryUsage().arrayBuffers;
    const refused = await readImportFile('bomb.xlsx', lying).catch((e: AppError) => e);
    expect(refused).toMatchObject({ code: 'STAMP_IMPORT_TOO_LARGE' });
    // It says the file unpacks past the limit, not that the few kilobytes it declares are too large.
    expect((refused as AppError).details).toEqual({
      maxUnpackedBytes: XLSX_MAX_UNPACKED_BYTES,
      declaredUnpackedBytes: zipUnpackedSize(lying),
      unpacksBeyondLimit: true,
    });
    // Nothing near the padding was held (it stops at the limit, not at what the part holds).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(
      XLSX_MAX_UNPACKED_BYTES + 8 * 1024 * 1024,
    );
    // A directory that counts fewer parts than it holds (a reader trusting its signatures unpacks the rest
    // unchecked), or whose offsets are shifted, is no workbook this reads.
    const sound = Buffer.from(await wb.xlsx.writeBuffer());
    const end = sound.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const undercounted = Buffer.from(sound);
    undercounted.writeUInt16LE(sound.readUInt16LE(end + 8) - 1, end + 8);
    undercounted.writeUInt16LE(sound.readUInt16LE(end + 10) - 1, end + 10);
    expect(await codeOf(readImportFile('undercounted.xlsx', undercounted))).toBe(
      'STAMP_IMPORT_TYPE_NOT_ALLOWED',
    );
    const shifted = Buffer.concat([sound.subarray(0, end), Buffer.alloc(16), sound.subarray(end)]);
    expect(await codeOf(readImportFile('shifted.xlsx', shifted))).toBe('STAMP_IMPORT_TYPE_NOT_ALLOWED');
    // The sound one is read (its header has no rows under it).
    expect(await codeOf(readImportFile('sound.xlsx', sound))).toBe('STAMP_IMPORT_FILE_INVALID');
    // A part that unpacks to less than it declares is no workbook either.
    const short = Buffer.from(await wb.xlsx.writeBuffer());
    const central = short.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    short.writeUInt32LE(short.readUInt32LE(central + 24) + 1, central + 24);
    expect(await codeOf(readImportFile('short.xlsx', short))).toBe('STAMP_IMPORT_TYPE_NOT_ALLOWED');
  });

  /**
   * A workbook of the header and one row, its sheet's XML given `extra` after the cells (merges, validations), the
   * sheet's part stored under `sheetName`.
   */
  async function workbookWith(
    extra: string,
    rows: string[][] = [['1', '居住证明', 'allowed', '3399', 'X1', '示范市', '2021-06-15']],
    sheetName = 'xl/worksheets/sheet1.xml',
  ) {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('a');
    ws.addRow(HEADER.split(','));
    for (const r of rows) ws.addRow(r);
    const zip = await JSZip.loadAsync(await wb.xlsx.writeBuffer());
    const sheet = 'xl/worksheets/sheet1.xml';
    const xml = (await zip.file(sheet)!.async('string')).replace('</sheetData>', `</sheetData>${extra}`);
    if (sheetName !== sheet) zip.remove(sheet);
    zip.file(sheetName, xml);
    return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  }
  /** The code a file is refused with, or 'read'. */
  const outcome = (name: string, file: Buffer) =>
    readImportFile(name, file).then(
      () => 'read',
      (e: AppError) => e.code,
    );
  const merge = (ref: string) => `<mergeCells count="1"><mergeCell ref="${ref}"/></mergeCells>`;

  it('given a 2 KB workbook merging a range of millions of cells (it took the server’s memory), then it is refused at once, however the merge is written', async () => {
    const before = process.memoryUsage().heapUsed;
    const started = Date.now();
    const huge = await workbookWith(merge('A3:XFD1500'));
    expect(huge.length).toBeLessThan(10_000);
    const refused = await readImportFile('merged.xlsx', huge).catch(
      (e: AppError) => e.getResponse() as { code: string; details: { problems: string[] }[] },
    );
    expect(refused).toMatchObject({ code: 'STAMP_IMPORT_FILE_INVALID' });
    expect((refused as { details: { problems: string[] }[] }).details[0].problems[0]).toContain(
      '合并的单元格过多',
    );
    // Written as the reader still reads it (a review of the first fix got each of these past it).
    const variants: [string, Buffer][] = [
      ['leading zero', await workbookWith(merge('A3:CV03000'))],
      [
        'single quotes',
        await workbookWith(`<mergeCells count="1"><mergeCell ref='A3:CV3000'/></mergeCells>`),
      ],
      [
        'not self-closing',
        await workbookWith('<mergeCells count="1"><mergeCell ref="A3:CV3000"></mergeCell></mergeCells>'),
      ],
      ['entity', await workbookWith(merge('&#65;3:CV3000'))],
      ['spaces', await workbookWith('<mergeCells count="1"><mergeCell ref = "A3:CV3000" /></mergeCells>')],
      ['leading slash', await workbookWith(merge('A3:CV3000'), undefined, '/xl/worksheets/sheet1.xml')],
      ['suffix', await workbookWith(merge('A3:CV3000'), undefined, 'xl/worksheets/sheet1.xml.bak')],
      [
        'many small merges',
        await workbookWith(
          `<mergeCells count="3000">${Array.from({ length: 3000 }, (_, i) => `<mergeCell ref="J${i + 3}:K${i + 3}"/>`).join('')}</mergeCells>`,
        ),
      ],
    ];
    for (const [what, file] of variants)
      expect([what, await outcome('merged.xlsx', file)]).toEqual([what, 'STAMP_IMPORT_FILE_INVALID']);
    // Tags that backtracked a regular expression for minutes are no XML: refused at once.
    const crafted = await workbookWith(`${'<mergeCell ref="A1:B2" '.repeat(3000)}<b></b>`);
    expect(await outcome('crafted.xlsx', crafted)).toBe('STAMP_IMPORT_TYPE_NOT_ALLOWED');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(150 * 1024 * 1024);
    // A title merged across the sheet's columns is read as usual.
    const title = await readImportFile('title.xlsx', await workbookWith(merge('A3:J3')));
    expect(title.rows[0].cells.slice(0, 2)).toEqual(['1', '居住证明']);
  });

  it('given a workbook asking the reader to build past a sheet’s bounds (a second attack: each crashed the server or held it for minutes), then it is refused at once', async () => {
    const started = Date.now();
    const named = await JSZip.loadAsync(await workbookWith(''));
    named.file(
      'xl/workbook.xml',
      (await named.file('xl/workbook.xml')!.async('string')).replace(
        '</sheets>',
        '</sheets><definedNames><definedName name="x">a!$A$1:$XFD$1048576</definedName></definedNames>',
      ),
    );
    const styled = async (styles: string) => {
      const zip = await JSZip.loadAsync(await workbookWith(''));
      zip.file(
        'xl/styles.xml',
        `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${styles}</styleSheet>`,
      );
      return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    };
    const cases: [string, Buffer][] = [
      [
        'a number format of 100,000 characters (each numeric cell held the server 11 s)',
        await styled(
          `<numFmts count="1"><numFmt numFmtId="164" formatCode="${'['.repeat(100_000)}"/></numFmts>`,
        ),
      ],
      [
        '600,000 cell formats (7.5 million crashed the server)',
        await styled(`<cellXfs count="600000">${'<xf/>'.repeat(600_000)}</cellXfs>`),
      ],
      [
        'a defined name over the whole sheet',
        await named.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }),
      ],
      [
        'a column definition up to 200 million',
        await workbookWith('<cols><col min="1" max="200000000" width="10"/></cols>'),
      ],
      [
        'a merge whose bounds are no numbers, then a huge one',
        await workbookWith(
          '<mergeCells count="2"><mergeCell ref="1:1"/><mergeCell ref="A3:XFD1500"/></mergeCells>',
        ),
      ],
      [
        'a row numbered 4,294,967,294',
        await workbookWith(
          '<row r="4294967294"><c r="A4294967294" t="inlineStr"><is><t>y</t></is></c></row>',
        ),
      ],
      [
        'nesting 100,000 deep',
        await workbookWith(`<extLst>${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}</extLst>`),
      ],
      ['nesting never closed', await workbookWith('<x>'.repeat(100_000))],
      // A third attack: numbers the reader reads with parseInt ("200000000e-10" is 200,000,000 to it, 0.02 to
      // Number): the column crashed the server, the row held it for over 12 minutes.
      [
        'a column definition up to 200 million, written with an exponent',
        await workbookWith('<cols><col min="1" max="200000000e-10" width="10"/></cols>'),
      ],
      [
        'a row numbered 4,294,967,294, written with an exponent',
        await workbookWith('<row r="4294967294e-20"></row>'),
      ],
    ];
    for (const [what, file] of cases)
      expect([what, await outcome('bounds.xlsx', file)]).toEqual([what, 'STAMP_IMPORT_FILE_INVALID']);
    expect(Date.now() - started).toBeLessThan(10_000);
    // A print area of the table itself, and print titles of whole rows, are as Excel writes them: read.
    const printed = await JSZip.loadAsync(await workbookWith(''));
    printed.file(
      'xl/workbook.xml',
      (await printed.file('xl/workbook.xml')!.async('string')).replace(
        '</sheets>',
        '</sheets><definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">a!$A$1:$H$300</definedName><definedName name="_xlnm.Print_Titles" localSheetId="0">a!$1:$1</definedName></definedNames>',
      ),
    );
    expect(await outcome('printed.xlsx', await printed.generateAsync({ type: 'nodebuffer' }))).toBe('read');
  });

  it('given a workbook that takes the reader seconds (40 MB of plain XML held the server 10–15 s), then it is read in a thread beside the server, which keeps answering; past the time or memory allowed, 413 STAMP_IMPORT_TOO_COMPLEX, and the next file is read as usual', async () => {
    // 5,000 rows of 100 numbers: 13 MB of XML, under 1 MB packed.
    const zip = await JSZip.loadAsync(await workbookWith(''));
    const columns = Array.from(
      { length: 100 },
      (_, i) =>
        (i < 26 ? '' : String.fromCharCode(64 + Math.floor(i / 26))) + String.fromCharCode(65 + (i % 26)),
    );
    const rows: string[] = [];
    for (let r = 1; r <= 5000; r++)
      rows.push(`<row r="${r}">${columns.map((c) => `<c r="${c}${r}"><v>${r}</v></c>`).join('')}</row>`);
    const sheet = (await zip.file('xl/worksheets/sheet1.xml')!.async('string')).replace(
      /<sheetData>.*<\/sheetData>/s,
      `<sheetData>${rows.join('')}</sheetData>`,
    );
    zip.file('xl/worksheets/sheet1.xml', sheet);
    const slow = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(slow.length).toBeLessThan(IMPORT_MAX_BYTES);
    // The thread started (its modules loaded) by a small file first.
    expect(await outcome('small.xlsx', await workbookWith(''))).toBe('read');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    const table = await readImportFile('slow.xlsx', slow, { seconds: 120, memoryMb: 1024 });
    const took = Date.now() - started;
    delay.disable();
    expect(table.rows).toHaveLength(4999);
    // Read inline, the event loop stood still for the whole read (over a second); beside it, it kept turning.
    expect(took).toBeGreaterThan(500);
    expect(delay.max / 1e6).toBeLessThan(Math.min(400, took / 2));
    const refusal = (limits: { seconds: number; memoryMb: number }) =>
      readImportFile('slow.xlsx', slow, limits).then(
        () => null,
        (e: AppError) => ({ status: e.getStatus(), code: e.code, details: e.details }),
      );
    expect(await refusal({ seconds: 0.2, memoryMb: 1024 })).toEqual({
      status: 413,
      code: 'STAMP_IMPORT_TOO_COMPLEX',
      details: { maxSeconds: 0.2 },
    });
    expect(await refusal({ seconds: 120, memoryMb: 40 })).toEqual({
      status: 413,
      code: 'STAMP_IMPORT_TOO_COMPLEX',
      details: { maxMemoryMb: 40 },
    });
    expect(await outcome('small.xlsx', await workbookWith(''))).toBe('read');
  });

  it('given a workbook of over 100 sheets (10,000 sheet parts held the reader for minutes), or a workbook.xml naming over 100 sheets, then 400 saying to keep the list’s sheet; three sheets are read from the first', async () => {
    const sheets = async (n: number) => {
      const wb = new ExcelJS.Workbook();
      for (let i = 0; i < n; i++) wb.addWorksheet(`s${i}`).addRow(HEADER.split(','));
      wb.getWorksheet('s0')!.addRow(['1', '居住证明', 'allowed', '3399', 'X1', '示范市', '2021-06-15']);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const problem = (file: Buffer) =>
      readImportFile('sheets.xlsx', file).then(
        () => 'read',
        (e: AppError) => `${e.code} ${(e.details as { problems: string[] }[])[0].problems[0]}`,
      );
    expect(await problem(await sheets(101))).toContain('STAMP_IMPORT_FILE_INVALID 工作簿中的工作表过多');
    const named = await JSZip.loadAsync(await sheets(1));
    named.file(
      'xl/workbook.xml',
      (await named.file('xl/workbook.xml')!.async('string')).replace(
        '</sheets>',
        `${Array.from({ length: 150 }, (_, i) => `<sheet name="x${i}" sheetId="${i + 2}" r:id="rIdX${i}"/>`).join('')}</sheets>`,
      ),
    );
    expect(
      await problem(await named.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })),
    ).toContain('工作簿中的工作表过多');
    const three = await readImportFile('three.xlsx', await sheets(3));
    expect(three.rows.map((r) => r.cells[1])).toEqual(['居住证明']);
  });

  it('given half of a surrogate pair in a cell (_xD800_, which the reader decodes), then it reads as � (it answered 500 when stored)', async () => {
    const zip = await JSZip.loadAsync(
      await workbookWith('', [['1', '居住证明X', 'allowed', '3399', 'X1', '示范市', '2021-06-15']]),
    );
    const strings = await zip.file('xl/sharedStrings.xml')!.async('string');
    expect(strings).toContain('居住证明X');
    zip.file('xl/sharedStrings.xml', strings.replace('居住证明X', '居住证明_xD800_'));
    const table = await readImportFile('s.xlsx', await zip.generateAsync({ type: 'nodebuffer' }));
    expect(table.rows[0].cells[1]).toBe('居住证明\ufffd');
  });

  it('given a sheet name of 200,000 characters (the reader warned it in full, twice, into the server’s log), then nothing is written to the server’s output', async () => {
    const zip = await JSZip.loadAsync(await workbookWith(''));
    zip.file(
      'xl/workbook.xml',
      (await zip.file('xl/workbook.xml')!.async('string')).replace(
        /name="a"/,
        `name="${'名'.repeat(200_000)}"`,
      ),
    );
    const file = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const writeOut = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((chunk: string | Uint8Array) => (
      written.push(String(chunk)),
      true
    )) as typeof write;
    process.stdout.write = ((chunk: string | Uint8Array) => (
      written.push(String(chunk)),
      true
    )) as typeof writeOut;
    try {
      await readImportFile('named.xlsx', file).catch(() => null);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.stderr.write = write;
      process.stdout.write = writeOut;
    }
    expect(written.join('').length).toBeLessThan(1000);
  });

  it('given several workbooks at once, then they are read one after the other, four may wait, and the next is told to come back (503 STAMP_IMPORT_BUSY)', async () => {
    const file = await workbookWith('');
    const all = await Promise.all(Array.from({ length: 7 }, () => outcome('many.xlsx', file)));
    expect(all.filter((x) => x === 'read')).toHaveLength(5);
    expect(all.filter((x) => x === 'STAMP_IMPORT_BUSY')).toHaveLength(2);
    expect(await outcome('many.xlsx', file)).toBe('read');
  });

  it('given one long text in every cell (a shared text is one string to the file, a copy per cell to the reader), then 413 once the text read passes 8 million characters', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('a');
    ws.addRow(HEADER.split(','));
    const long = '长'.repeat(2_000);
    for (let i = 0; i < 600; i++) ws.addRow(Array.from({ length: 8 }, () => long));
    expect(await outcome('long.xlsx', Buffer.from(await wb.xlsx.writeBuffer()))).toBe(
      'STAMP_IMPORT_TOO_LARGE',
    );
  });

  it('given data validations over whole columns (a drop-down made in Excel), however their end is written, then they are not read and the list is read as it is', async () => {
    const started = Date.now();
    for (const end of ['</dataValidations>', '</dataValidations >']) {
      const validations = `<dataValidations count="1"><dataValidation type="list" sqref="A1:XFD1048576"><formula1>"allowed,prohibited"</formula1></dataValidation>${end}`;
      const table = await readImportFile('validated.xlsx', await workbookWith(validations));
      expect(table.rows.map((r) => r.cells.slice(0, 3))).toEqual([['1', '居住证明', 'allowed']]);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('given a legal basis merged down several rows (as published lists print one basis for a group), then each row reads it', async () => {
    const table = await readImportFile(
      'grouped.xlsx',
      await workbookWith('<mergeCells count="1"><mergeCell ref="H2:H3"/></mergeCells>', [
        ['1', '居住证明', 'allowed', '3399', 'X1', '示范市', '2021-06-15', '《居民委员会组织法》'],
        ['2', '生活困难证明', 'allowed', '3399', 'X1', '示范市', '2021-06-15', ''],
      ]),
    );
    expect(table.rows.map((r) => r.cells[7])).toEqual(['《居民委员会组织法》', '《居民委员会组织法》']);
  });

  it('given a worksheet whose header runs past the 100 columns read, then 400 saying so on its line (not that columns are missing)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('a');
    ws.addRow(['附件 示范市保留的证明事项清单']);
    ws.addRow([...Array(100).fill('备注'), ...HEADER.split(',')]);
    ws.addRow([...Array(100).fill(''), 1, '居住证明', 'allowed', '3399', 'X', 'Y', '2021-06']);
    const error = await readImportFile('wide.xlsx', Buffer.from(await wb.xlsx.writeBuffer())).catch(
      (e: AppError) => e.getResponse() as { code: string; details: { line: number; problems: string[] }[] },
    );
    expect(error).toMatchObject({ code: 'STAMP_IMPORT_FILE_INVALID', details: [{ line: 2 }] });
    expect((error as { details: { problems: string[] }[] }).details[0].problems[0]).toContain(
      '第 101 列还有内容',
    );
    // Under a header that fits, a data row's stray cell far to the right is left out, as before.
    const fits = new ExcelJS.Workbook();
    const sheet = fits.addWorksheet('a');
    sheet.addRow(HEADER.split(','));
    sheet.addRow([1, '居住证明', 'allowed', '3399', 'X', 'Y', '2021-06']);
    sheet.addRow([2, '亲属关系证明', 'allowed', '3399', 'X', 'Y', '2021-06']);
    sheet.getRow(3).getCell(105).value = '备注：另见附件';
    const read = await readImportFile('fits.xlsx', Buffer.from(await fits.xlsx.writeBuffer()));
    expect(read.rows.map((r) => r.cells[1])).toEqual(['居住证明', '亲属关系证明']);
  });

  it('given a CSV whose header runs past 100 columns (400,000 repeated names answered 46 MB), then 400 on its line; a data row is cut at 100 columns', async () => {
    const wide = Buffer.from(`${'name,'.repeat(400_000)}\n证明,allowed\n`, 'utf8');
    const error = await readImportFile('wide.csv', wide).catch(
      (e: AppError) => e.getResponse() as { code: string; details: { line: number; problems: string[] }[] },
    );
    expect(error).toMatchObject({ code: 'STAMP_IMPORT_FILE_INVALID', details: [{ line: 1 }] });
    expect(JSON.stringify(error).length).toBeLessThan(2_000);
    const read = await readImportFile(
      'fits.csv',
      Buffer.from(`${HEADER}\n1,居住证明,allowed,3399,X1,示范市,2021-06-15${',备注'.repeat(200)}\n`, 'utf8'),
    );
    expect(read.rows.map((r) => r.cells.length)).toEqual([100]);
  });

  it('given a file over 2 MB or a header without rows, then 413 and 400', async () => {
    expect(await codeOf(readImportFile('big.csv', Buffer.alloc(IMPORT_MAX_BYTES + 1, 0x41)))).toBe(
      'STAMP_IMPORT_TOO_LARGE',
    );
    expect(await codeOf(readImportFile('empty.csv', Buffer.from(`${HEADER}\n\n`)))).toBe(
      'STAMP_IMPORT_FILE_INVALID',
    );
    expect(await codeOf(readImportFile('empty.csv', Buffer.from('')))).toBe('STAMP_IMPORT_FILE_INVALID');
  });
});

describe('checking the rows of an import', () => {
  const check = (lines: string[], ctx = CITY, header = `${HEADER},time_limit,effective_from,effective_to`) =>
    rowsOf('list.csv', Buffer.from([header, ...lines].join('\n')), ctx);

  it('given broken rows, then each is rejected with the field and reason, and the good ones stay good', async () => {
    const { rows } = await check([
      '1,居住证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,3个工作日,,',
      '2,,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
      `3,${'长'.repeat(101)},allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,`,
      '4,出生证明,maybe,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
      '5,死亡证明,allowed,火星,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
      '6,婚姻证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-13,,,,',
      '7,财产证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,2027-02-30,',
      '8,居住 证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
      '9,档案证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,一周,,',
      'x,就业证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
      '11,失踪证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,2027-03-01,2027-02-01',
      '12,遗失证明,allowed,3399,,示范市民政局,2021-06-15,,,,',
      '13,"失业\n证明",allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
    ]);
    const fields = rows.map((r) => [r.line, r.problems.map((p) => p.field)]);
    expect(fields).toEqual([
      [2, []],
      [3, ['name']],
      [4, ['name']],
      [5, ['list_type']],
      [6, ['scope']],
      [7, ['issued']],
      [8, ['effective_from']],
      [9, ['name']],
      [10, ['time_limit']],
      [11, ['seq']],
      [12, ['effective_to']],
      [13, ['source_document']],
      // A name wrapped onto two lines in its cell (Alt+Enter) is one name.
      [14, []],
    ]);
    expect(rows[12].entry?.name).toBe('失业证明');
    expect(rows[2].problems[0].message).toContain('最多 100 个字');
    expect(rows[7].problems[0].message).toContain('与第 2 行重复');
    expect(rows[4].problems[0].message).toContain('“火星”无法识别');
  });

  it('given a list type that is a name every JavaScript object has (constructor, toString, __proto__), then the row is rejected like any unknown type', async () => {
    const { rows, lists } = await check(
      ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'Allowed'].map(
        (type, i) => `${i + 1},居住证明${i},${type},3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,`,
      ),
    );
    expect(rows.map((r) => r.problems.map((p) => p.field))).toEqual([
      ['list_type'],
      ['list_type'],
      ['list_type'],
      ['list_type'],
      [],
    ]);
    expect(rows[0].list).toBeNull();
    expect([...lists.values()].map((l) => l.listType)).toEqual(['allowed']);
  });

  it('given a district office, then rows of the city or national lists are rejected as outside its scope', async () => {
    const district: RowContext = { allowedScopes: ['339901'], scopeByName: new Map() };
    const { rows } = await check(
      [
        '1,居住证明,allowed,339901,东民发〔2022〕1号,东湖区民政局,2022-01-01,,,,',
        '1,居住证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
        '1,居住证明,prohibited,national,民发〔2020〕20号,民政部,2020-04,,,,',
        '1,居住证明,allowed,339902,西民发〔2022〕1号,西山区民政局,2022-01-01,,,,',
      ],
      district,
    );
    expect(rows.map((r) => r.problems.map((p) => p.field))).toEqual([[], ['scope'], ['scope'], ['scope']]);
    expect(rows[1].problems[0].message).toContain('不在本办公室可提出调整的范围内');
  });

  it('given a district office and scopes with names, then the message names them (示范市, 东湖区), not bare codes', async () => {
    const district: RowContext = {
      allowedScopes: ['339901'],
      scopeByName: new Map(),
      scopeNames: new Map([
        ['3399', '示范市'],
        ['339901', '东湖区'],
      ]),
    };
    const { rows } = await check(
      [
        '1,居住证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
        '1,居住证明,prohibited,national,民发〔2020〕20号,民政部,2020-04,,,,',
        '1,居住证明,allowed,33,浙民发〔2022〕1号,省民政厅,2022-01-01,,,,',
      ],
      district,
    );
    expect(rows[0].problems[0].message).toContain('适用范围 示范市（3399） 不在');
    expect(rows[0].problems[0].message).toContain('本办公室可提出：东湖区（339901）');
    expect(rows[1].problems[0].message).toContain('适用范围 全国（national） 不在');
    expect(rows[2].problems[0].message).toContain('适用范围 区划代码 33（省级） 不在');
  });

  it('given time limits written as published (七个工作日, 十五个工作日内办结, 两个工作日, 20个工作日内, 十个工作日以内, 七個工作日內辦結), then they are read; 七 alone, 十十 or 一百个工作日 are not', async () => {
    const limits = [
      '七个工作日',
      '十五个工作日内办结',
      '两个工作日',
      '20个工作日内',
      '二十个工作日',
      '十个工作日内',
      '七',
      '十十个工作日',
      '一百个工作日',
      '六十一个工作日',
      '十两个工作日',
      '十个工作日以内',
      '七個工作日',
      '十五個工作日內辦結',
      '三个工作日之内办理完毕',
      '當場辦結',
      '7日',
    ];
    const { rows } = await check(
      limits.map(
        (l, i) => `${i + 1},证明${i},allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,${l},,`,
      ),
    );
    expect(
      rows.map((r) =>
        r.problems.length ? 'bad' : (r.entry?.timeLimit as { workingDays?: number } | null)?.workingDays,
      ),
    ).toEqual([7, 15, 2, 20, 20, 10, 'bad', 'bad', 'bad', 'bad', 'bad', 10, 7, 15, 3, undefined, 'bad']);
    expect(rows[15].entry?.timeLimit).toEqual({ kind: 'on-the-spot' });
  });

  it('given cells as published tables fill them (１０ and ２０２１年６月１５日 in full-width digits, 居民　养犬证明 aligned with a full-width space, a time limit with a note in brackets, / or 无 for none, 即时办结), then they are read as meant', async () => {
    const { rows } = await check([
      '１,居民　养犬证明,allowed,３３９９,示民发〔2021〕15号,示范市民政局,２０２１年６月１５日,,5个工作日（不含公示时间）,,',
      '2,困难证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,/,,',
      '3,志愿服务证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,无,,',
      '4,出生证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,即时办结,,',
      '5,Wi-Fi 使用证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,3日,,',
    ]);
    expect(rows.map((r) => r.problems.map((p) => p.field))).toEqual([[], [], [], [], ['time_limit']]);
    expect(rows[0].entry).toMatchObject({
      name: '居民养犬证明',
      timeLimit: { kind: 'working-days', workingDays: 5 },
    });
    expect(rows[1].entry?.timeLimit).toBeNull();
    expect(rows[2].entry?.timeLimit).toBeNull();
    expect(rows[3].entry?.timeLimit).toEqual({ kind: 'on-the-spot' });
    // A word gap between Latin letters stays.
    expect(rows[4].entry?.name ?? 'Wi-Fi 使用证明').toBe('Wi-Fi 使用证明');
  });

  it('given long cells (an attack stored 8 million characters of ignored column names and titles, and echoed a long cell in 5,000 messages), then a title in 《》 past 300 characters is refused, a quoted cell is cut to 40 characters and an ignored column’s name to 50', async () => {
    const long = '长'.repeat(1000);
    const { rows } = await check([
      `1,居住证明,allowed,3399,示民发〔2021〕15号 《${'题'.repeat(301)}》,示范市民政局,2021-06-15,,${long},,`,
    ]);
    const said = Object.fromEntries(rows[0].problems.map((x) => [x.field, x.message]));
    expect(said.source_document).toContain('《》内的文件名称最多 300 个字');
    expect(said.time_limit.length).toBeLessThan(300);
    expect(said.time_limit).toContain(`“${'长'.repeat(40)}…”`);
    const header = readHeader([...HEADER.split(','), long]);
    expect(header.ignored).toEqual([`${'长'.repeat(50)}…`]);
  });

  it('given a group’s heading, a total and a note among the rows of a list as published, then each is told once that it is no certificate and is not imported (序号“一、民政类”须为整数 …); a certificate named 注销户口证明 is read', async () => {
    const { rows } = await check([
      '一、民政类,一、民政类,一、民政类,一、民政类,一、民政类,一、民政类,一、民政类,,,,',
      '1,居住证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
      '（二）公安类,,,,,,,,,,',
      '2,注销户口证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
      '合计,2项,,,,,,,,,',
      '"注：1. 本清单自发布之日起施行。",,,,,,,,,,',
    ]);
    expect(rows.map((r) => r.problems.map((x) => x.message.slice(0, 12)))).toEqual([
      ['本行“一、民政类”是分组'],
      [],
      ['本行“(二)公安类”是分'],
      [],
      ['本行“合计”是分组标题、'],
      ['本行“注:1. 本清单自'],
    ]);
    expect(rows[3].entry?.name).toBe('注销户口证明');
  });

  it('given 同上 in a row’s 设定依据 (as published lists write it), then it repeats the row above’s (it was stored as the basis: 设定依据：同上)', async () => {
    const { rows } = await check(
      [
        '1,居住证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,《某条例》第九条',
        '2,困难证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,同上',
        '3,志愿服务证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,同 上。',
      ],
      CITY,
      `${HEADER},legal_basis`,
    );
    expect(rows.map((r) => r.entry?.legalBasis)).toEqual([
      '《某条例》第九条',
      '《某条例》第九条',
      '《某条例》第九条',
    ]);
  });

  it('given a row whose list type, scope or issue date is empty, then it is told to fill it in (须填写), not that an empty text is wrong', async () => {
    const { rows } = await check(['1,居住证明,,,示民发〔2021〕15号,示范市民政局,,,,,']);
    const said = Object.fromEntries(rows[0].problems.map((x) => [x.field, x.message]));
    expect(said.list_type).toContain('清单类型（list_type）须填写');
    expect(said.scope).toContain('适用范围（scope）须填写');
    expect(said.issued).toContain('发文日期（issued）须填写');
    expect(Object.values(said).join('')).not.toContain('“”');
  });

  it('given hidden characters in a row (a direction override in the document number or the basis), then the row is rejected naming each column; a line break in the issuing body is the cell wrapped (one line)', async () => {
    const { rows } = await check([
      '1,居住证明,allowed,3399,"示民发〔2021〕15号\u202e 附件《清单》","示范市\n民政局",2021-06-15,,,,',
      '2,困难证明,allowed,3399,示民发〔2021〕15号 附件《清单》,"示范市民政局\r\n示范市司法局",2021-06-15,,,,',
    ]);
    expect(rows[0].problems.map((x) => x.field).sort()).toEqual(['source_document']);
    expect(rows[1].problems).toEqual([]);
    expect(rows[0].problems.map((x) => x.message).join('')).toContain('改变文字方向的隐藏字符');
  });

  it('given one document on two rows with different issue dates, then the second row is rejected; 同上 repeats the row above', async () => {
    const { rows, lists } = await check([
      '1,居住证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
      '2,困难证明,allowed,3399,示民发〔2021〕15号,同上,2021-07-01,,,,',
      '3,志愿服务证明,allowed,3399,示民发〔2021〕15号,同上,2021-06-15,,,,',
    ]);
    expect(rows.map((r) => r.problems.map((p) => p.field))).toEqual([[], ['issued'], []]);
    expect(lists.size).toBe(1);
  });

  it('given the same name in two lists, then both rows are good (a repeat is within one list)', async () => {
    const { rows } = await check([
      '1,居住证明,allowed,3399,示民发〔2021〕15号,示范市民政局,2021-06-15,,,,',
      '1,居住证明,prohibited,33,浙民发〔2022〕1号,省民政厅,2022-01-01,,,,',
    ]);
    expect(rows.every((r) => r.problems.length === 0)).toBe(true);
  });
});

describe('the title of a source document', () => {
  it('given a document with its title in 《》, then the first title with something inside; given 600,000 《 without 》 (a crafted row held the server 400 s), then none, at once', () => {
    expect(titleOf('民发〔2020〕20号《关于取消社区证明事项的通知》')).toBe('关于取消社区证明事项的通知');
    expect(titleOf('《》《证明清单》')).toBe('证明清单');
    expect(titleOf('《《甲》')).toBe('《甲');
    expect(titleOf('民发〔2020〕20号')).toBeNull();
    const started = Date.now();
    expect(titleOf(`民发〔2020〕20号 ${'《'.repeat(600_000)}`)).toBeNull();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
