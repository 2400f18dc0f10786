import { startTestApp, type TestApp } from './helpers/app.js';
import { moveClockTo } from './helpers/clock.js';
import { COMMITTEE_OF, contestRefusal, refusePiece, sendUncovered } from './helpers/dispatch.js';

/**
 * Review 2026-12-03 (an attack on dispatched work): a refusal contested and then withdrawn (or its dispute
 * terminated by the office) fell out of the burden monitor's "contested" count — the number of a past period
 * went down, although the contest stays on record. A piece is contested once its refusal was contested, whatever
 * came of it; the counters kept on write and the count over pieces (a part of a month) agree.
 */
describe('review: a contested refusal stays counted as contested', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const XINGHUA = '339901001001';

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  /** 杏花's row of the office's counts over the period (a whole month: the counters; one day: the pieces). */
  const row = async (from: string, to: string) => {
    const res = await t
      .http()
      .get('/dispatch-counts')
      .query({ from, to })
      .set({ Authorization: `Bearer ${await t.token('office')}` });
    expect(res.status).toBe(200);
    return (
      res.body.items as { unit: { code: string }; contested: number; refused: number; withdrawn: number }[]
    ).find((r) => r.unit.code === XINGHUA)!;
  };

  it('given a refusal contested, when the department withdraws the work, then the piece is still counted as contested, over the month and over one day', async () => {
    const { dispatchId, pieceIn } = await sendUncovered(t, '撤回后仍计异议', [unit[XINGHUA]]);
    expect((await refusePiece(t, COMMITTEE_OF[XINGHUA], pieceIn(unit[XINGHUA]))).status).toBe(200);
    expect((await contestRefusal(t, dispatchId, unit[XINGHUA])).status).toBe(200);
    expect(await row('2027-03-01', '2027-03-31')).toMatchObject({ refused: 1, contested: 1, withdrawn: 0 });
    const withdrawn = await t
      .http()
      .post(`/dispatches/${dispatchId}/withdraw`)
      .set({ Authorization: `Bearer ${await t.token('dept-staff')}` })
      .send({});
    expect(withdrawn.status).toBe(200);
    expect(await row('2027-03-01', '2027-03-31')).toMatchObject({ refused: 1, contested: 1, withdrawn: 1 });
    expect(await row('2027-03-01', '2027-03-01')).toMatchObject({ refused: 1, contested: 1, withdrawn: 1 });
    // Contested again once withdrawn: told it was withdrawn (it was told only refused work can be contested).
    const again = await contestRefusal(t, dispatchId, unit[XINGHUA]);
    expect([again.status, again.body.error?.code]).toEqual([409, 'DISPUTE_WORK_WITHDRAWN']);
    expect(again.body.error.message).toContain('已由本部门撤回');
  });
});
