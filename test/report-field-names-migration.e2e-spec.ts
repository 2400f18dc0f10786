import { ReportFieldNames1797300900000 } from '../migrations/1797300900000-ReportFieldNames.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication, makeApplication } from './helpers/admission.js';
import { moveClockTo } from './helpers/clock.js';

/**
 * Report fields stored before their names were read as one name (migration 1797300900000): an application's, its
 * admitted item's and a dispatch's lists (column and details) are rewritten as a request now writes them, repeats
 * kept once; lists already so are not touched.
 */
describe('migration: report field names stored before as one name', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const C1 = '339901001001';
  /** As typed long ago: spaces beside Chinese, full-width letters, a zero-width space, one name twice. */
  const RAW = ['血 压 ', 'ＩＤ', '\u200b血压', null, '联系电话（手机）', 'ID number', '姓\u00a0名', '\u200b'];
  const ONE = ['血压', 'ID', '联系电话（手机）', 'ID number', '姓名'];

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given lists stored with spaces, full-width letters and invisible characters, when the migration runs, then each is one name per field, and a clean list is left as it is', async () => {
    const { applicationId, itemId } = await admitApplication(
      t,
      makeApplication([unit[C1]], {
        fundingPerCommunityFen: 0,
        fundingSource: undefined,
        kind: 'report',
        title: '慢病患者健康指标报表',
        authorizedContent: '填报、统计',
        reportFields: ['血压'],
        startDate: '2027-02-01',
      }),
    );
    const clean = await admitApplication(
      t,
      makeApplication([unit[C1]], {
        fundingPerCommunityFen: 0,
        fundingSource: undefined,
        kind: 'report',
        title: '慢病患者随访台账',
        authorizedContent: '填报、统计',
        reportFields: ['姓名', 'ID number'],
        startDate: '2027-04-01',
      }),
    );
    moveClockTo(t, '2027-03-01');
    const sent = await t
      .http()
      .post('/dispatches')
      .set({ Authorization: `Bearer ${await t.token('dept-staff')}` })
      .send({
        kind: 'report',
        title: '三月指标填报',
        content: '请填报血压。',
        dueDate: '2027-03-31',
        expectedHours: 1,
        targets: [unit[C1]],
        reportFields: ['血压'],
      });
    expect(sent.status).toBe(201);
    await t.dataSource.query(
      `UPDATE admission_application SET report_fields = $2,
              submitted_snapshot = jsonb_set(submitted_snapshot, '{reportFields}', $3::jsonb) WHERE id = $1`,
      // Submitted with another list, changed since (returned, edited): each is cleaned on its own.
      [applicationId, RAW, JSON.stringify(['电 话', '\u200b'])],
    );
    await t.dataSource.query(`UPDATE admitted_item SET report_fields = $2 WHERE id = $1`, [itemId, RAW]);
    await t.dataSource.query(
      `UPDATE dispatch SET report_fields = $2, details = jsonb_set(details, '{reportFields}', $3::jsonb) WHERE id = $1`,
      [sent.body.id, RAW, JSON.stringify(RAW)],
    );
    const cleanBefore = await t.dataSource.query(`SELECT xmin::text AS x FROM admitted_item WHERE id = $1`, [
      clean.itemId,
    ]);

    const runner = t.dataSource.createQueryRunner();
    try {
      await new ReportFieldNames1797300900000().up(runner);
    } finally {
      await runner.release();
    }

    const one = async (sql: string, id: string) => (await t.dataSource.query(sql, [id]))[0];
    expect(
      await one(
        `SELECT report_fields, submitted_snapshot->'reportFields' AS s FROM admission_application WHERE id = $1`,
        applicationId,
      ),
    ).toEqual({ report_fields: ONE, s: ['电话'] });
    expect(
      (await one(`SELECT report_fields FROM admitted_item WHERE id = $1`, itemId)).report_fields,
    ).toEqual(ONE);
    expect(
      await one(
        `SELECT report_fields, details->'reportFields' AS d FROM dispatch WHERE id = $1`,
        sent.body.id,
      ),
    ).toEqual({
      report_fields: ONE,
      d: ONE,
    });
    // A list already one name per field is not written.
    expect(
      await t.dataSource.query(`SELECT xmin::text AS x FROM admitted_item WHERE id = $1`, [clean.itemId]),
    ).toEqual(cleanBefore);
  });
});
