import { createHmac } from 'node:crypto';
import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function signHs(secret: string, payload: object, alg = 'HS256'): string {
  const head = b64({ alg, typ: 'JWT' });
  const body = b64(payload);
  const algo = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg]!;
  return `${head}.${body}.${createHmac(algo, secret).update(`${head}.${body}`).digest('base64url')}`;
}
const claims = (sub: string, sid: string, expOffset = 600) => ({
  sub,
  sid,
  iss: 'community-work-admission',
  aud: 'cwa-api',
  iat: Math.floor(Date.now() / 1000) - 10,
  exp: Math.floor(Date.now() / 1000) + expOffset,
});

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    // These tests are about accounts; the throttle per client address (all requests here come from one) is
    // tested in identity.e2e-spec.ts.
    t = await startTestApp({ LOGIN_ADDRESS_MAX_FAILURES: '1000' });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('login', () => {
    it('given a demo user, when logging in with the demo password, then answers a token and the user', async () => {
      const res = await t
        .http()
        .post('/auth/login')
        .send({ username: 'dept-staff', password: TEST_DEMO_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(res.body.user).toMatchObject({
        username: 'dept-staff',
        roles: ['DEPT_STAFF'],
        unit: { kind: 'DEPARTMENT' },
      });
      expect(res.body.user.permissions).toContain('application:draft');
      const me = await t.http().get('/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`);
      expect(me.status).toBe(200);
      expect(me.body.username).toBe('dept-staff');
    });

    it('given a login and a failed one, when the audit trail is read, then the login names its user as the operator and the failure no operator', async () => {
      const ok = await t
        .http()
        .post('/auth/login')
        .send({ username: 'member-2', password: TEST_DEMO_PASSWORD });
      expect(ok.status).toBe(200);
      expect(
        (await t.http().post('/auth/login').send({ username: 'member-2', password: 'Wrong@2026x' })).status,
      ).toBe(401);
      const auditor = (
        await t.http().post('/auth/login').send({ username: 'auditor', password: TEST_DEMO_PASSWORD })
      ).body.accessToken as string;
      const rows: {
        action: string;
        actorId: string | null;
        actorUsername: string | null;
        entityId: string;
      }[] = [];
      for (let after = '0'; ;) {
        const res = await t
          .http()
          .get(`/audit?pageSize=200&afterSeq=${after}`)
          .set('Authorization', `Bearer ${auditor}`);
        expect(res.status).toBe(200);
        const page = res.body.items as typeof rows & { seq: string }[];
        if (!page.length) break;
        rows.push(...page);
        after = page[page.length - 1].seq;
      }
      const userId = ok.body.user.id as string;
      const login = rows.filter((r) => r.action === 'auth.login' && r.entityId === userId).at(-1);
      expect(login).toMatchObject({ actorId: userId, actorUsername: 'member-2' });
      const failed = rows.filter((r) => r.action === 'auth.login-failed' && r.entityId === userId).at(-1);
      expect(failed).toMatchObject({ actorId: null, actorUsername: null });
    });

    it('given the username in other case and with spaces, when logging in, then it is the same user', async () => {
      const res = await t
        .http()
        .post('/auth/login')
        .send({ username: '  Dept-Staff ', password: TEST_DEMO_PASSWORD });
      expect(res.status).toBe(200);
    });

    it('given an unknown user and a wrong password, when logging in, then both get the same answer', async () => {
      const unknown = await t
        .http()
        .post('/auth/login')
        .send({ username: 'nobody-here', password: 'whatever1' });
      const wrong = await t.http().post('/auth/login').send({ username: 'dept-head', password: 'whatever1' });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body.error.code).toBe('LOGIN_FAILED');
      expect(wrong.body.error.code).toBe('LOGIN_FAILED');
      expect(unknown.body.error.message).toBe(wrong.body.error.message);
      expect(Object.keys(unknown.body.error).sort()).toEqual(Object.keys(wrong.body.error).sort());
    });

    it('given five wrong passwords in a row, when the right one follows, then the account is locked and answers like a wrong password', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await t
          .http()
          .post('/auth/login')
          .send({ username: 'member-2', password: `wrong-${i}` });
        expect(r.body.error.code).toBe('LOGIN_FAILED');
      }
      const locked = await t
        .http()
        .post('/auth/login')
        .send({ username: 'member-2', password: TEST_DEMO_PASSWORD });
      expect(locked.status).toBe(401);
      expect(locked.body.error.code).toBe('LOGIN_FAILED');
      const row = (
        await t.dataSource.query(`SELECT locked_until FROM app_user WHERE username = 'member-2'`)
      )[0];
      expect(new Date(row.locked_until).getTime()).toBeGreaterThan(t.app.get(Clock).nowMs() + 29 * 60_000);
    });

    it('given a locked account whose 30 minutes have passed, when logging in, then it works again', async () => {
      for (let i = 0; i < 5; i++)
        await t
          .http()
          .post('/auth/login')
          .send({ username: 'member-3', password: `wrong-${i}` });
      expect(
        (await t.http().post('/auth/login').send({ username: 'member-3', password: TEST_DEMO_PASSWORD }))
          .status,
      ).toBe(401);
      // LOGIN_LOCK_MINUTES (30) pass.
      t.app.get(Clock).advance(30 * 60_000 + 1000);
      expect(
        (await t.http().post('/auth/login').send({ username: 'member-3', password: TEST_DEMO_PASSWORD }))
          .status,
      ).toBe(200);
    });

    it('given four wrong passwords then a right one, when failing again, then the count started over', async () => {
      for (let i = 0; i < 4; i++)
        await t
          .http()
          .post('/auth/login')
          .send({ username: 'street', password: `wrong-${i}` });
      expect(
        (await t.http().post('/auth/login').send({ username: 'street', password: TEST_DEMO_PASSWORD }))
          .status,
      ).toBe(200);
      for (let i = 0; i < 4; i++)
        await t
          .http()
          .post('/auth/login')
          .send({ username: 'street', password: `wrong-${i}` });
      expect(
        (await t.http().post('/auth/login').send({ username: 'street', password: TEST_DEMO_PASSWORD }))
          .status,
      ).toBe(200);
    });

    it('given a locked account, when the security admin unlocks it, then the user can log in', async () => {
      for (let i = 0; i < 5; i++)
        await t
          .http()
          .post('/auth/login')
          .send({ username: 'finance', password: `wrong-${i}` });
      const id = (await t.dataSource.query(`SELECT id FROM app_user WHERE username = 'finance'`))[0].id;
      const sec = await t.token('secadmin');
      const unlocked = await t.http().post(`/admin/users/${id}/unlock`).set('Authorization', `Bearer ${sec}`);
      expect(unlocked.status).toBe(200);
      expect(unlocked.body.lockedUntil).toBeNull();
      expect(
        (await t.http().post('/auth/login').send({ username: 'finance', password: TEST_DEMO_PASSWORD }))
          .status,
      ).toBe(200);
    });

    it('given a disabled account, when logging in with the right password, then ACCOUNT_DISABLED', async () => {
      const admin = await t.token('sysadmin');
      const user = (
        await t.dataSource.query(`SELECT id, version FROM app_user WHERE username = 'city-office'`)
      )[0];
      const off = await t
        .http()
        .patch(`/admin/users/${user.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ active: false, version: user.version });
      expect(off.status).toBe(200);
      const res = await t
        .http()
        .post('/auth/login')
        .send({ username: 'city-office', password: TEST_DEMO_PASSWORD });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('ACCOUNT_DISABLED');
    });

    it('given a login, then it is in the audit trail', async () => {
      const auditor = await t.token('auditor');
      const res = await t
        .http()
        .get('/audit?entityType=user&pageSize=200')
        .set('Authorization', `Bearer ${auditor}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((r: { action: string }) => r.action)).toEqual(
        expect.arrayContaining(['auth.login', 'auth.login-failed', 'auth.locked']),
      );
    });
  });

  describe('tokens', () => {
    let sub: string;
    let sid: string;
    beforeAll(async () => {
      const res = await t
        .http()
        .post('/auth/login')
        .send({ username: 'committee', password: TEST_DEMO_PASSWORD });
      const payload = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString());
      sub = payload.sub;
      sid = payload.sid;
    });
    const me = (token?: string) => {
      const r = t.http().get('/auth/me');
      return token === undefined ? r : r.set('Authorization', `Bearer ${token}`);
    };

    it('given no token, then 401 AUTH_REQUIRED', async () => {
      const res = await me();
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_REQUIRED');
    });

    it('given a token signed with the right key and session, then 200 (the forging helper itself is sound)', async () => {
      expect((await me(signHs(t.jwtSecret, claims(sub, sid)))).status).toBe(200);
    });

    it('given an expired token, then 401 TOKEN_EXPIRED', async () => {
      const res = await me(signHs(t.jwtSecret, claims(sub, sid, -60)));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_EXPIRED');
    });

    it('given alg none, then 401 TOKEN_INVALID', async () => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(sub, sid))}.`;
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_INVALID');
    });

    it('given a tampered payload, then 401 TOKEN_INVALID', async () => {
      const good = signHs(t.jwtSecret, claims(sub, sid)).split('.');
      const forged = `${good[0]}.${b64({ ...claims(sub, sid), sub: '00000000-0000-0000-0000-000000000000' })}.${good[2]}`;
      const res = await me(forged);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_INVALID');
    });

    it('given a token signed with another key, then 401 TOKEN_INVALID', async () => {
      expect(
        (await me(signHs('another-key-another-key-another-key', claims(sub, sid)))).body.error.code,
      ).toBe('TOKEN_INVALID');
    });

    it('given HS512 with the right key (not on the allow-list), then 401 TOKEN_INVALID', async () => {
      expect((await me(signHs(t.jwtSecret, claims(sub, sid), 'HS512'))).body.error.code).toBe(
        'TOKEN_INVALID',
      );
    });

    it('given garbage or a wrong audience, then 401 TOKEN_INVALID', async () => {
      expect((await me('not-a-token')).body.error.code).toBe('TOKEN_INVALID');
      expect((await me(signHs(t.jwtSecret, { ...claims(sub, sid), aud: 'other' }))).body.error.code).toBe(
        'TOKEN_INVALID',
      );
    });

    it('given a logged-out token, then 401 TOKEN_INVALID', async () => {
      const res = await t
        .http()
        .post('/auth/login')
        .send({ username: 'committee-2', password: TEST_DEMO_PASSWORD });
      const token = res.body.accessToken;
      expect((await me(token)).status).toBe(200);
      expect((await t.http().post('/auth/logout').set('Authorization', `Bearer ${token}`)).status).toBe(204);
      const after = await me(token);
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('TOKEN_INVALID');
    });

    it('given a valid signature over a session that does not exist, then 401 TOKEN_INVALID', async () => {
      const res = await me(signHs(t.jwtSecret, claims(sub, '11111111-1111-4111-8111-111111111111')));
      expect(res.body.error.code).toBe('TOKEN_INVALID');
    });
  });
});
