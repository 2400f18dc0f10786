import ExcelJS from 'exceljs';
import { startTestApp, type TestApp } from './helpers/app.js';
import { moveClockTo } from './helpers/clock.js';

/** Findings of the stamp registry's review (odd input that answered 500, and the like), one test each. */
describe('the stamp registry under odd input (review)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    moveClockTo(t, '2027-01-04');
  });
  afterAll(async () => {
    await t?.close();
  });

  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const importCount = async () =>
    Number((await t.dataSource.query('SELECT count(*)::int AS n FROM stamp_import'))[0].n);

  it('given an XLSX whose date cell holds a number no calendar has (date-formatted), then the row is rejected naming the field, not a 500', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('清单');
    ws.addRow(['序号', '名称', '清单类型', '适用范围', '来源文件', '发文机关', '发文日期', '生效日期']);
    ws.addRow([1, '新证明甲', '保留', '3399', '示民发〔2027〕1号', '示范市民政局', '2027-01-01', 1e20]);
    ws.addRow([2, '新证明乙', '保留', '3399', '示民发〔2027〕1号', '同上', '2027-01-01', '2027-02-01']);
    ws.getRow(2).getCell(8).numFmt = 'yyyy-mm-dd';
    const before = await importCount();
    const res = await t
      .http()
      .post('/stamp-imports')
      .set(await auth('city-office'))
      .send({
        fileName: '日期.xlsx',
        contentBase64: Buffer.from(await wb.xlsx.writeBuffer()).toString('base64'),
      });
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ total: 2, added: 1, rejected: 1 });
    const rows = await t
      .http()
      .get(`/stamp-imports/${res.body.id}/rows`)
      .query({ outcome: 'rejected' })
      .set(await auth('city-office'));
    expect(rows.status).toBe(200);
    expect(rows.body.items).toHaveLength(1);
    expect(rows.body.items[0]).toMatchObject({ line: 2, name: '新证明甲' });
    expect(rows.body.items[0].problems).toEqual([
      expect.objectContaining({ field: 'effective_from', message: expect.stringContaining('生效日期') }),
    ]);
    expect(await importCount()).toBe(before + 1);
  });
});
