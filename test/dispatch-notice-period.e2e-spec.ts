import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication, makeApplication } from './helpers/admission.js';
import { moveClockTo } from './helpers/clock.js';

/**
 * The notice period of an admitted item (派单提前期, issue 14 §2): work sent under an item whose application named
 * 10 working days is short notice when due in fewer, citing 10, and covered when due later; an item without one
 * keeps the default of 3. Items are admitted while the clock is in 2026; work is sent on Monday 2027-03-01.
 */
describe('dispatch coverage: the item’s notice period', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const C1 = '339901001001';
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const items: Record<string, string> = {};

  /** A task under the item to C1, sent Monday 2027-03-01. */
  const coverage = async (itemId: string, dueDate: string) => {
    const res = await t
      .http()
      .post('/dispatches')
      .set(await auth('dept-staff'))
      .send({
        kind: 'task',
        title: '三月慢病随访',
        content: '请随访辖区慢病患者并登记随访结果。',
        dueDate,
        expectedHours: 4,
        admittedItemId: itemId,
        targets: [unit[C1]],
      });
    expect(res.status).toBe(201);
    const detail = await t
      .http()
      .get(`/dispatches/${res.body.id}`)
      .set(await auth('dept-staff'));
    const d = detail.body.deliveries[0] as {
      covered: boolean;
      reasons: { code: string; rule: string; message: string }[];
    };
    return { covered: d.covered, reasons: d.reasons };
  };

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    const noFunding = { fundingPerCommunityFen: 0, fundingSource: undefined, startDate: '2027-02-01' };
    items.tenDays = (
      await admitApplication(
        t,
        makeApplication([unit[C1]], {
          ...noFunding,
          title: '慢病随访（提前10个工作日）',
          noticeWorkingDays: 10,
        }),
      )
    ).itemId;
    items.default = (
      await admitApplication(
        t,
        makeApplication([unit[C1]], { ...noFunding, title: '慢病随访（默认提前期）' }),
      )
    ).itemId;
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  it('given an item with a notice period of 10 working days, when work is due in 5 working days, then it is short notice citing 10', async () => {
    // Monday 03-01 to Monday 03-08: five working days.
    const c = await coverage(items.tenDays, '2027-03-08');
    expect(c.covered).toBe(false);
    expect(c.reasons.map((r) => r.code)).toEqual(['short-notice']);
    expect(c.reasons[0].rule).toContain('至少提前 10 个工作日');
    expect(c.reasons[0].message).toBe('从派单到截止只有 5 个工作日，少于 10 个工作日。');
  });

  it('given an item with a notice period of 10 working days, when work is due in 12 working days, then it is covered', async () => {
    // Monday 03-01 to Wednesday 03-17: twelve working days.
    const c = await coverage(items.tenDays, '2027-03-17');
    expect([c.covered, c.reasons.map((r) => r.code)]).toEqual([true, ['covered']]);
  });

  it('given an item without a notice period, when work is due in 5 working days, then the default of 3 covers it', async () => {
    const c = await coverage(items.default, '2027-03-08');
    expect([c.covered, c.reasons.map((r) => r.code)]).toEqual([true, ['covered']]);
  });
});
