import { startTestApp, type TestApp } from './helpers/app.js';
import { moveClockTo } from './helpers/clock.js';
import { COMMITTEE_OF, refusePiece, sendUncovered } from './helpers/dispatch.js';

/**
 * Review 2026-12-03 (an attack on dispatched work): texts of several lines — a contest's argument and legal basis,
 * a refusal's note, a dispatch's content — took terminal escapes and direction overrides (U+202E shows what
 * follows backwards), which the stamp lists already refuse. Any text a request body carries is refused with
 * them, naming the field; a line break or a tab in such a text stays allowed. (A query may still carry them:
 * a name pasted into the public stamp check is matched without them.)
 */
describe('review: invisible control characters in texts of several lines', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const XINGHUA = '339901001001';
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  const expectCleanError = (
    res: { status: number; body: unknown; text: string },
    status: number,
    code: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(res.text).not.toMatch(/at .+\.(ts|js):\d+|stack|node_modules/);
  };
  const fields = (res: { body: { error: { details: { field: string }[] } } }) =>
    res.body.error.details.map((d) => d.field).sort();

  it('given a dispatch whose content holds a direction override or a terminal escape, then 400 naming content; with line breaks and tabs it is sent', async () => {
    const body = {
      kind: 'task',
      title: '张贴通知',
      dueDate: '2027-03-31',
      expectedHours: 1,
      targets: [unit[XINGHUA]],
    };
    for (const content of ['请张贴\u202e知通', '请张贴\u001b[31m通知', '请张贴\u0085通知']) {
      const res = await t
        .http()
        .post('/dispatches')
        .set(await auth('dept-staff'))
        .send({ ...body, content });
      expectCleanError(res, 400, 'VALIDATION_FAILED');
      expect(fields(res)).toEqual(['content']);
      expect(res.body.error.details[0].problems[0]).toContain('控制字符');
    }
    const ok = await t
      .http()
      .post('/dispatches')
      .set(await auth('dept-staff'))
      .send({ ...body, content: '一、张贴通知；\n二、\t拍照上传。\r\n' });
    expect(ok.status).toBe(201);
  });

  it('given a contest whose argument and basis hold them, then 400 naming both and nothing is contested', async () => {
    const { dispatchId, pieceIn } = await sendUncovered(t, '异议含控制字符', [unit[XINGHUA]]);
    expect((await refusePiece(t, COMMITTEE_OF[XINGHUA], pieceIn(unit[XINGHUA]))).status).toBe(200);
    const res = await t
      .http()
      .post(`/dispatches/${dispatchId}/contest`)
      .set(await auth('dept-staff'))
      .send({ communityId: unit[XINGHUA], argument: '属于\u202e项事助协', basis: '《规范》\u001b[2J第三条' });
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toEqual(['argument', 'basis']);
  });

  it('given a refusal note holding one, then 400 naming note and the piece stays received', async () => {
    const { pieceIn } = await sendUncovered(t, '拒绝说明含控制字符', [unit[XINGHUA]]);
    const res = await refusePiece(
      t,
      COMMITTEE_OF[XINGHUA],
      pieceIn(unit[XINGHUA]),
      '不属于\u2066社区\u2069职责',
    );
    expectCleanError(res, 400, 'VALIDATION_FAILED');
    expect(fields(res)).toEqual(['note']);
  });
});
