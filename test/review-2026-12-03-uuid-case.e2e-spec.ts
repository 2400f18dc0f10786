import { startTestApp, type TestApp } from './helpers/app.js';
import { moveClockTo } from './helpers/clock.js';
import { sendUncovered } from './helpers/dispatch.js';

/**
 * Review 2026-12-03 (an attack on dispatched work): an id in capitals is the same id (RFC 4122: case does not
 * matter, and @IsUUID takes it), but where the service compared ids as text it was another — a community named in
 * capitals was "not found", the same community twice was not a duplicate, a retry with the same key was "another
 * dispatch". Ids are read in small letters wherever a request carries them.
 */
describe('review: ids written in capitals', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const XINGHUA = '339901001001';
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const send = async (body: Record<string, unknown>) =>
    t
      .http()
      .post('/dispatches')
      .set(await auth('dept-staff'))
      .send({
        kind: 'task',
        content: '请在社区公告栏张贴。',
        dueDate: '2027-03-31',
        expectedHours: 2,
        ...body,
      });

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a community named in capitals, when work is sent there, then it reaches that community (it answered 404)', async () => {
    const res = await send({ title: '大写编号', targets: [unit[XINGHUA].toUpperCase()] });
    expect(res.status).toBe(201);
    expect(res.body.deliveries.map((d: { communityId: string }) => d.communityId)).toEqual([unit[XINGHUA]]);
  });

  it('given the same community twice, once in capitals, then it is told the duplicate (it answered 404)', async () => {
    const res = await send({ title: '重复编号', targets: [unit[XINGHUA], unit[XINGHUA].toUpperCase()] });
    expect(res.status).toBe(400);
  });

  it('given a dispatch retried with the same key and its ids in capitals, then the same dispatch answers (it answered DISPATCH_IDEMPOTENCY_KEY_REUSED)', async () => {
    const body = { title: '重试', targets: [unit[XINGHUA]], idempotencyKey: 'retry-capitals-1' };
    const first = await send(body);
    expect(first.status).toBe(201);
    const again = await send({ ...body, targets: [unit[XINGHUA].toUpperCase()] });
    expect([again.status, again.body.id]).toEqual([200, first.body.id]);
  });

  it('given an idempotency key that looks like an id in capitals, then it is kept as sent (only the fields that are ids are read in small letters: a password, a key, a reference stay)', async () => {
    const key = 'ABCDEF01-2345-4678-89AB-CDEF01234567';
    const res = await send({ title: '键名大写', targets: [unit[XINGHUA]], idempotencyKey: key });
    expect(res.status).toBe(201);
    const rows = await t.dataSource.query('SELECT idempotency_key FROM dispatch WHERE id = $1', [
      res.body.id,
    ]);
    expect(rows[0].idempotency_key).toBe(key);
  });

  it('given a withdrawal naming the community in capitals, then the piece is withdrawn (it answered DISPATCH_COMMUNITY_NOT_FOUND)', async () => {
    const { dispatchId } = await sendUncovered(t, '撤回大写', [unit[XINGHUA]]);
    const res = await t
      .http()
      .post(`/dispatches/${dispatchId}/withdraw`)
      .set(await auth('dept-staff'))
      .send({ communityIds: [unit[XINGHUA].toUpperCase()] });
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ withdrawn: 1 });
  });
});
