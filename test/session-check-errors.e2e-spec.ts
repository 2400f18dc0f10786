import { QueryFailedError } from 'typeorm';
import { startTestApp, type TestApp } from './helpers/app.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * The session check is the one database statement before an oversized upload is refused (for a session this
 * process does not keep in memory yet: each case logs in anew). Whatever
 * node-postgres answers it with when the connection is lost, given up on or no longer followed (as on a
 * machine too busy to read its sockets in time), the client gets 503 DATABASE_UNAVAILABLE with Retry-After,
 * never 500; and the next request is served again.
 */
describe('errors of the session check', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let draftId: string;
  beforeAll(async () => {
    t = await startTestApp();
    auth = { Authorization: `Bearer ${await t.token('dept-staff')}` };
    const res = await t.http().post('/applications').set(auth).send({ title: '附件测试' });
    expect(res.status).toBe(201);
    draftId = res.body.id;
  });
  afterAll(async () => t?.close());

  /** A new session of dept-staff: not kept in memory, so its first request checks it in the database. */
  const freshSession = async (): Promise<Record<string, string>> => {
    const res = await t
      .http()
      .post('/auth/login')
      .send({ username: 'dept-staff', password: TEST_DEMO_PASSWORD });
    expect(res.status).toBe(200);
    return { Authorization: `Bearer ${res.body.accessToken}` };
  };

  /** The session check's next run fails with `driverError`, as TypeORM hands it on. */
  function failNextSessionCheck(driverError: Error): void {
    const ds = t.dataSource;
    const query = ds.query.bind(ds);
    ds.query = (async (sql: unknown, parameters?: unknown[]) => {
      if ((sql as { name?: string }).name === 'auth_session_check') {
        ds.query = query;
        throw new QueryFailedError(String(sql), parameters, driverError);
      }
      return query(sql as string, parameters);
    }) as typeof ds.query;
  }

  const oversized = () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 0);
    Buffer.from('%PDF-1.4\n').copy(big);
    return { fileName: 'big.pdf', contentType: 'application/pdf', contentBase64: big.toString('base64') };
  };

  it.each([
    'Received unexpected parseComplete message from backend.',
    'Received unexpected commandComplete message from backend.',
    'timeout expired',
  ])(
    'given the session check fails with "%s", when an oversized file is uploaded, then 503 DATABASE_UNAVAILABLE, not 500',
    async (message) => {
      const fresh = await freshSession();
      failNextSessionCheck(new Error(message));
      const res = await t.http().post(`/applications/${draftId}/attachments`).set(fresh).send(oversized());
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('DATABASE_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.text).not.toContain(message);

      const again = await t.http().post(`/applications/${draftId}/attachments`).set(fresh).send(oversized());
      expect(again.status).toBe(413);
      expect(again.body.error.code).toBe('ATTACHMENT_TOO_LARGE');
    },
  );

  it('given the session is cut by the idle-session timeout (57P05), then 503, not 500', async () => {
    const fresh = await freshSession();
    failNextSessionCheck(
      Object.assign(new Error('terminating connection due to idle-session timeout'), { code: '57P05' }),
    );
    const res = await t.http().get('/auth/me').set(fresh);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('DATABASE_UNAVAILABLE');
  });
});
