import { boundSheetXml, cellAddress } from './xlsx-sheet-bounds.js';

describe('boundSheetXml', () => {
  const window = { columns: 100, rows: 5006 };
  it('reads cell addresses, columns in letters', () => {
    expect(cellAddress('A1')).toEqual({ column: 1, row: 1 });
    expect(cellAddress('$CV$12')).toEqual({ column: 100, row: 12 });
    expect(cellAddress('XFD1048576')).toEqual({ column: 16384, row: 1048576 });
    expect(cellAddress('A0')).toBeNull();
    expect(cellAddress('1A')).toBeNull();
  });

  it('cuts each merge to the window, drops one outside it or of one cell, and counts the cells left', () => {
    const xml =
      '<mergeCells count="4"><mergeCell ref="A3:XFD1500"/><mergeCell ref="CW1:CZ9"/>' +
      '<mergeCell ref="B2:B2"/><mergeCell ref="H2:H3"/></mergeCells>';
    const out = boundSheetXml(xml, window);
    expect(out.xml).toBe(
      '<mergeCells count="4"><mergeCell ref="A3:CV1500"/><mergeCell ref="H2:H3"/></mergeCells>',
    );
    expect(out.mergedCells).toBe(100 * 1498 + 2);
    expect(boundSheetXml('<mergeCell ref="A1:A1048576"/>', window)).toEqual({
      xml: '<mergeCell ref="A1:A5006"/>',
      mergedCells: 5006,
    });
  });

  it('drops data validations, plain and Excel 2010 ones, and keeps the rest', () => {
    const xml =
      '<sheetData/><dataValidations count="1"><dataValidation sqref="A1:XFD1048576"><formula1>"a"</formula1>' +
      '</dataValidation></dataValidations><extLst><ext><x14:dataValidations count="1"><x14:dataValidation>' +
      '<xm:sqref>A1:A9</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>';
    expect(boundSheetXml(xml, window).xml).toBe('<sheetData/><extLst><ext></ext></extLst>');
  });
});
