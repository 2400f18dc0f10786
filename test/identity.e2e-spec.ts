import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';
import { waitFor } from './helpers/timers.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function signHs(secret: string, payload: object): string {
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64(payload);
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

/** Sends raw bytes to the listening server and answers the status, headers and parsed body. */
function raw(
  t: TestApp,
  text: string,
): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = all.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      const text = rest.join('\r\n\r\n');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // left as text: the assertion shows it
      }
      resolve({ status, headers, body });
    });
    socket.write(text);
  });
}

function expectEnvelope(body: unknown, code: string) {
  expect(body).toMatchObject({
    error: { code, message: expect.any(String), requestId: expect.any(String) },
  });
}

describe('identity', () => {
  let t: TestApp;
  let second: TestApp | undefined;
  beforeAll(async () => {
    // The test client stands behind a trusted proxy: each test speaks from its own X-Forwarded-For address.
    t = await startTestApp({ TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(async () => {
    await second?.stop();
    await t.close();
  });

  describe('tokens', () => {
    let sub: string;
    let sid: string;
    let token: string;
    beforeAll(async () => {
      const res = await t
        .http()
        .post('/auth/login')
        .send({ username: 'committee', password: TEST_DEMO_PASSWORD });
      token = res.body.accessToken;
      const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      sub = payload.sub;
      sid = payload.sid;
    });
    const full = () => ({
      sub,
      sid,
      iss: 'community-work-admission',
      aud: 'cwa-api',
      iat: Math.floor(Date.now() / 1000) - 10,
      exp: Math.floor(Date.now() / 1000) + 600,
    });

    it('given a token with every claim, then 200 (the forging helper itself is sound)', async () => {
      const res = await t
        .http()
        .get('/auth/me')
        .set('Authorization', `Bearer ${signHs(t.jwtSecret, full())}`);
      expect(res.status).toBe(200);
    });

    it.each(['exp', 'iat', 'iss', 'aud'])(
      'given a well-signed token of a live session without %s, then 401 TOKEN_INVALID',
      async (claim) => {
        const payload: Record<string, unknown> = full();
        delete payload[claim];
        const res = await t
          .http()
          .get('/auth/me')
          .set('Authorization', `Bearer ${signHs(t.jwtSecret, payload)}`);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('TOKEN_INVALID');
      },
    );

    it.each(['sid', 'sub'])(
      'given a well-signed token whose %s is not an id, then 401 TOKEN_INVALID',
      async (claim) => {
        const res = await t
          .http()
          .get('/auth/me')
          .set('Authorization', `Bearer ${signHs(t.jwtSecret, { ...full(), [claim]: 'not-a-uuid' })}`);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('TOKEN_INVALID');
      },
    );

    it('given a well-signed token issued an hour in the future, then 401 TOKEN_INVALID', async () => {
      const now = Math.floor(Date.now() / 1000);
      const res = await t
        .http()
        .get('/auth/me')
        .set(
          'Authorization',
          `Bearer ${signHs(t.jwtSecret, { ...full(), iat: now + 3600, exp: now + 4500 })}`,
        );
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_INVALID');
    });

    it.each([
      ['trailing garbage', (tk: string) => `Bearer ${tk} extra`],
      ['a second token after a comma', (tk: string) => `Bearer ${tk}, Bearer ${tk}`],
      ['a tab for the space', (tk: string) => `Bearer\t${tk}`],
    ])('given an Authorization header with %s, then 401 TOKEN_INVALID', async (_, header) => {
      const res = await t.http().get('/auth/me').set('Authorization', header(token));
      expect(res.status).toBe(401);
    });

    it('given two Authorization headers (a valid one first), then 401 TOKEN_INVALID', async () => {
      for (const [first, second] of [
        [token, 'garbage'],
        ['garbage', token],
        [token, token],
      ]) {
        const res = await raw(
          t,
          `GET /auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${first}\r\nAuthorization: Bearer ${second}\r\nConnection: close\r\n\r\n`,
        );
        expect(res.status).toBe(401);
        expectEnvelope(res.body, 'TOKEN_INVALID');
      }
    });

    it('given one Authorization header over a raw connection, then 200 (the raw helper itself is sound)', async () => {
      const res = await raw(
        t,
        `GET /auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(200);
    });
  });

  describe('login', () => {
    const login = (username: string, password: string, from: string) =>
      t.http().post('/auth/login').set('X-Forwarded-For', from).send({ username, password });
    const withoutRequestId = (body: { error: Record<string, unknown> }) => {
      const { requestId, ...rest } = body.error;
      expect(requestId).toEqual(expect.any(String));
      return rest;
    };

    it('given a locked account and an unknown name, when logging in (the locked one with its right password), then the answers are identical in status, headers and body', async () => {
      for (let i = 0; i < 5; i++)
        expect((await login('member-2', `wrong-${i}`, '10.0.1.1')).status).toBe(401);
      const locked = await login('member-2', TEST_DEMO_PASSWORD, '10.0.1.2');
      const unknown = await login('nobody-by-that-name', TEST_DEMO_PASSWORD, '10.0.1.3');
      expect(locked.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(withoutRequestId(locked.body)).toEqual(withoutRequestId(unknown.body));
      expect(locked.body.error.code).toBe('LOGIN_FAILED');
      expect(locked.headers['retry-after']).toBeUndefined();
      expect(unknown.headers['retry-after']).toBeUndefined();
      const headerNames = (h: Record<string, string>) =>
        Object.keys(h)
          .filter((k) => !['date', 'x-request-id', 'content-length'].includes(k))
          .sort();
      expect(headerNames(locked.headers)).toEqual(headerNames(unknown.headers));
    });

    it('given a locked account whose lock has ended, when its holder logs in, then 200', async () => {
      for (let i = 0; i < 5; i++) await login('member-3', `wrong-${i}`, '10.0.2.1');
      expect((await login('member-3', TEST_DEMO_PASSWORD, '10.0.2.2')).status).toBe(401);
      // LOGIN_LOCK_MINUTES (30) pass.
      t.app.get(Clock).advance(30 * 60_000 + 1000);
      expect((await login('member-3', TEST_DEMO_PASSWORD, '10.0.2.2')).status).toBe(200);
    });

    it('given 40 wrong passwords for one account at the same moment from 40 addresses, then at most LOGIN_MAX_FAILURES are tried and the account is locked', async () => {
      const id = (await t.dataSource.query(`SELECT id FROM app_user WHERE username = 'finance'`))[0].id;
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => login('finance', `wrong-${i}`, `10.0.3.${i + 1}`)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 40 }, () => 401));
      const tried: { n: string }[] = await t.dataSource.query(
        `SELECT count(*) AS n FROM (SELECT action, entity_id FROM audit_pending UNION ALL SELECT action, entity_id FROM audit_record) a
          WHERE entity_id = $1 AND action IN ('auth.login-failed', 'auth.locked')`,
        [id],
      );
      expect(Number(tried[0].n)).toBe(5);
      const user = (await t.dataSource.query(`SELECT locked_until FROM app_user WHERE id = $1`, [id]))[0];
      expect(new Date(user.locked_until).getTime()).toBeGreaterThan(t.app.get(Clock).nowMs());
    });

    it('given an address whose window a concurrent request opened a moment later by its own clock, when it is over the limit, then Retry-After is at most the whole window', async () => {
      // Two requests read the clock before their statements run; the one that read it later may commit first.
      const from = '10.0.5.1';
      await t.dataSource.query(
        `INSERT INTO login_throttle (address, attempts, window_started_at) VALUES ($1, 20, $2)`,
        [from, new Date(t.app.get(Clock).nowMs() + 800)],
      );
      const r = await login('guess', 'wrong', from);
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toBe(String(15 * 60));
      expect(r.body.error.details.retryAfterSeconds).toBe(15 * 60);
    });

    it('given a burst of 50 wrong passwords from one address across two server processes, then all but LOGIN_ADDRESS_MAX_FAILURES answer 429 with Retry-After; other addresses and, once the window has passed, that one log in', async () => {
      // Kept until the end: passport's strategies are process-wide, so the last app started checks every token.
      second = await startTestApp({ TRUST_PROXY: '127.0.0.1' }, { databaseUrl: t.databaseUrl });
      // One time for both processes, as on one machine: the tests above moved the first one's clock.
      const clocks = [t.app.get(Clock), second.app.get(Clock)];
      clocks[1].advance(clocks[0].nowMs() - clocks[1].nowMs());
      const from = '10.0.4.1';
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? second! : t)
            .http()
            .post('/auth/login')
            .set('X-Forwarded-For', from)
            .send({ username: `guess-${i % 7}`, password: `wrong-${i}` }),
        ),
      );
      const refused = answers.filter((a) => a.status === 429);
      expect(answers.filter((a) => a.status === 401)).toHaveLength(20);
      expect(refused).toHaveLength(30);
      for (const r of refused) {
        expect(r.body.error.code).toBe('LOGIN_THROTTLED');
        const seconds = Number(r.headers['retry-after']);
        expect(Number.isInteger(seconds) && seconds > 0 && seconds <= 15 * 60).toBe(true);
        expect(r.body.error.details.retryAfterSeconds).toBe(seconds);
      }
      // Even the right password waits: the address is refused before any password is checked.
      expect((await login('street', TEST_DEMO_PASSWORD, from)).status).toBe(429);
      expect((await login('street', TEST_DEMO_PASSWORD, '10.0.4.2')).status).toBe(200);
      // LOGIN_ADDRESS_MINUTES (15) pass.
      for (const clock of clocks) clock.advance(15 * 60_000);
      expect((await login('street', TEST_DEMO_PASSWORD, from)).status).toBe(200);
    });
  });

  describe('三员分立', () => {
    const auth = async (username: string) => ({ Authorization: `Bearer ${await t.token(username)}` });
    const userId = async (username: string): Promise<string> =>
      (await t.dataSource.query(`SELECT id FROM app_user WHERE username = $1`, [username]))[0].id;

    const versionOf = async (id: string): Promise<number> =>
      (await t.dataSource.query(`SELECT version FROM app_user WHERE id = $1`, [id]))[0].version;

    /** The holder logs in and sets their own password. */
    async function ownPassword(username: string, current: string, next: string) {
      const login = await t.http().post('/auth/login').send({ username, password: current });
      expect(login.status).toBe(200);
      return t
        .http()
        .post('/auth/password')
        .set('Authorization', `Bearer ${login.body.accessToken}`)
        .send({ currentPassword: current, newPassword: next });
    }

    /** An account made by the system admin in the city unit, given `roles` by the security admin. */
    async function makeAccount(username: string, roles: string[]): Promise<string> {
      const city = (await t.dataSource.query(`SELECT id FROM org_unit WHERE kind = 'CITY' LIMIT 1`))[0].id;
      const created = await t
        .http()
        .post('/admin/users')
        .set(await auth('sysadmin'))
        .send({ username, displayName: username, unitId: city, password: 'Start-pass-1' });
      expect(created.status).toBe(201);
      if (roles.length) {
        // The holder sets their own password first: only then may an admin role be granted.
        await ownPassword(username, 'Start-pass-1', `${username}-Own-1`);
        const granted = await t
          .http()
          .put(`/admin/users/${created.body.id}/roles`)
          .set(await auth('secadmin'))
          .send({ roles, version: await versionOf(created.body.id) });
        expect(granted.status).toBe(200);
      }
      return created.body.id;
    }

    const setPassword = async (id: string, password = 'Taken-over-1') =>
      t
        .http()
        .post(`/admin/users/${id}/password`)
        .set(await auth('secadmin'))
        .send({ password });

    it('given the security admin, when setting the password of the system admin, the auditor, another security admin or their own, then 403 ADMIN_ACCOUNT_PROTECTED and the password is unchanged', async () => {
      const peer = await makeAccount('secadmin-peer', ['SECURITY_ADMIN']);
      const targets = [await userId('sysadmin'), await userId('auditor'), peer, await userId('secadmin')];
      const before: { password_hash: string }[] = await t.dataSource.query(
        `SELECT password_hash FROM app_user WHERE id = ANY($1) ORDER BY id`,
        [targets],
      );
      for (const id of targets) {
        const res = await setPassword(id);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('ADMIN_ACCOUNT_PROTECTED');
      }
      expect(
        await t.dataSource.query(`SELECT password_hash FROM app_user WHERE id = ANY($1) ORDER BY id`, [
          targets,
        ]),
      ).toEqual(before);
      const takeover = await t
        .http()
        .post('/auth/login')
        .send({ username: 'sysadmin', password: 'Taken-over-1' });
      expect(takeover.status).toBe(401);
    });

    it('given an ordinary account, when the security admin sets its password, then 204 and it logs in with it', async () => {
      const id = await makeAccount('plain-reset', []);
      expect((await setPassword(id, 'Fresh-pass-2')).status).toBe(204);
      const login = await t
        .http()
        .post('/auth/login')
        .send({ username: 'plain-reset', password: 'Fresh-pass-2' });
      expect(login.status).toBe(200);
    });

    it('given an account whose password the security admin set, when they grant it an admin role, then 403 ADMIN_ACCOUNT_PROTECTED', async () => {
      const id = await makeAccount('future-admin', []);
      expect((await setPassword(id, 'Known-by-sec-3')).status).toBe(204);
      const version = (await t.dataSource.query(`SELECT version FROM app_user WHERE id = $1`, [id]))[0]
        .version;
      for (const role of ['SYSTEM_ADMIN', 'AUDITOR', 'SECURITY_ADMIN']) {
        const res = await t
          .http()
          .put(`/admin/users/${id}/roles`)
          .set(await auth('secadmin'))
          .send({ roles: [role], version });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('ADMIN_ACCOUNT_PROTECTED');
      }
      expect((await t.dataSource.query(`SELECT roles FROM app_user WHERE id = $1`, [id]))[0].roles).toEqual(
        [],
      );
    });

    it('given an account the system admin made with a password of its choosing, when the security admin grants it an admin role, then 403 until its holder has set their own password', async () => {
      const id = await makeAccount('new-auditor', []);
      const grant = async () =>
        t
          .http()
          .put(`/admin/users/${id}/roles`)
          .set(await auth('secadmin'))
          .send({ roles: ['AUDITOR'], version: await versionOf(id) });
      const refused = await grant();
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('ADMIN_ACCOUNT_PROTECTED');
      const wrong = await ownPassword('new-auditor', 'Start-pass-1', 'Mine-only-5');
      expect(wrong.status).toBe(204);
      expect((await grant()).status).toBe(200);
      // The system admin's password no longer opens it.
      const takeover = await t
        .http()
        .post('/auth/login')
        .send({ username: 'new-auditor', password: 'Start-pass-1' });
      expect(takeover.status).toBe(401);
    });

    it("given a wrong current password, when changing one's own password, then 400 PASSWORD_WRONG and nothing changes", async () => {
      await makeAccount('forgetful', []);
      const login = await t
        .http()
        .post('/auth/login')
        .send({ username: 'forgetful', password: 'Start-pass-1' });
      const res = await t
        .http()
        .post('/auth/password')
        .set('Authorization', `Bearer ${login.body.accessToken}`)
        .send({ currentPassword: 'Not-it-1', newPassword: 'Whatever-2' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('PASSWORD_WRONG');
      expect(
        (await t.http().post('/auth/login').send({ username: 'forgetful', password: 'Start-pass-1' })).status,
      ).toBe(200);
    });

    it('given a password reset and an admin-role grant of one account at the same moment, then only one of them succeeds', async () => {
      const id = await makeAccount('race-target', []);
      expect((await ownPassword('race-target', 'Start-pass-1', 'Race-own-9')).status).toBe(204);
      const version = (await t.dataSource.query(`SELECT version FROM app_user WHERE id = $1`, [id]))[0]
        .version;
      const sec = await auth('secadmin');
      // Hold the account's row so that both requests are in flight before either can write.
      const holder = t.dataSource.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      await holder.query(`SELECT 1 FROM app_user WHERE id = $1 FOR UPDATE`, [id]);
      const reset = t
        .http()
        .post(`/admin/users/${id}/password`)
        .set(sec)
        .send({ password: 'Race-pass-4' })
        .then((r) => r);
      const grant = t
        .http()
        .put(`/admin/users/${id}/roles`)
        .set(sec)
        .send({ roles: ['SYSTEM_ADMIN'], version })
        .then((r) => r);
      await waitFor('both requests waiting on the account row', async () => {
        const rows: { n: string }[] = await t.dataSource.query(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return Number(rows[0].n) >= 2;
      });
      await holder.commitTransaction();
      await holder.release();
      const answers = [await reset, await grant];
      const succeeded = answers.filter((a) => a.status < 300);
      expect(succeeded).toHaveLength(1);
      const refused = answers.filter((a) => a.status >= 300);
      expect(refused.map((a) => a.body.error.code)).toEqual(['ADMIN_ACCOUNT_PROTECTED']);
    });

    it.each(['admission', 'exit', 'emergency', 'negativeList'])(
      'given the system admin, when starting the domain flow %s with made-up variables, then 403 PROCESS_NOT_STARTABLE and no case exists',
      async (processId) => {
        const res = await t
          .http()
          .post('/workflow-instances')
          .set(await auth('sysadmin'))
          .send({
            processId,
            businessKey: `forged-${processId}`,
            variables: { applicationId: 'x', approved: true },
          });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('PROCESS_NOT_STARTABLE');
        expect(
          await t.dataSource.query(`SELECT id FROM workflow_instance WHERE business_key = $1`, [
            `forged-${processId}`,
          ]),
        ).toEqual([]);
      },
    );

    it('given a process registered as administratively startable, when the system admin starts it, then 201', async () => {
      const res = await t
        .http()
        .post('/workflow-instances')
        .set(await auth('sysadmin'))
        .send({ processId: 'review', variables: { memberUnits: [] } });
      expect(res.status).toBe(201);
      const missing = await t
        .http()
        .post('/workflow-instances')
        .set(await auth('sysadmin'))
        .send({ processId: 'nope' });
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('PROCESS_NOT_FOUND');
    });
  });

  describe('oversized and malformed requests', () => {
    it('given a header block over the limit, then 431 in the error envelope', async () => {
      const res = await raw(
        t,
        `GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(431);
      expectEnvelope(res.body, 'HEADERS_TOO_LARGE');
    });

    it('given a URL over the limit, then 414 in the error envelope', async () => {
      for (const length of [9_000, 20_000]) {
        const res = await raw(
          t,
          `GET /applications?q=${'a'.repeat(length)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        );
        expect(res.status).toBe(414);
        expectEnvelope(res.body, 'URI_TOO_LONG');
      }
    });

    it('given a route parameter over the router’s limit, then 414 in the error envelope', async () => {
      const res = await t
        .http()
        .get(`/workflow-instances/${'a'.repeat(500)}`)
        .set('Authorization', 'Bearer x');
      expect(res.status).toBe(414);
      expectEnvelope(res.body, 'URI_TOO_LONG');
    });

    it('given malformed percent-encoding in the path, then 400 in the error envelope', async () => {
      const res = await raw(
        t,
        `GET /workflow-instances/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'BAD_URL');
    });

    it('given a query value encoded as GBK, a broken % escape or half a surrogate pair, then 400 BAD_URL naming the parameter (it was read as literal text: 养狗证明 in GBK answered not listed)', async () => {
      for (const query of [
        'name=%D1%F8%B9%B7%D6%A4%C3%F7&community=339901001001',
        'name=%zz&community=339901001001',
        'name=%&community=339901001001',
        'name=%ED%A0%80&community=339901001001',
      ]) {
        const res = await raw(
          t,
          `GET /stamp-items/check?${query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        );
        expect([query, res.status]).toEqual([query, 400]);
        expectEnvelope(res.body, 'BAD_URL');
        expect((res.body as { error: { details: unknown } }).error.details).toEqual([
          { field: 'name', problems: [expect.stringContaining('UTF-8')] },
        ]);
      }
      // UTF-8 as encodeURIComponent writes it, and a plus for a space, are read.
      const fine = await raw(
        t,
        `GET /stamp-items/check?name=${encodeURIComponent('养狗证明')}+&community=339901001001 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(fine.status).toBe(200);
      expect((fine.body as { decision: string }).decision).toBe('prohibited');
    });

    it('given a request line the parser cannot read, then 400 in the error envelope', async () => {
      const res = await raw(
        t,
        `GET /health HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'BAD_REQUEST');
    });
  });
});
