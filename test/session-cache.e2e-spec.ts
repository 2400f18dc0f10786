import { jest } from '@jest/globals';
import pg from 'pg';
import { SessionCache } from '../src/auth/session-cache.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';
import { captureStatements } from './helpers/statements.js';
import { waitFor } from './helpers/timers.js';

/** The session check's statement among whatever a request sends. */
const sessionChecks = (names: (string | null)[]) => names.filter((n) => n === 'auth_session_check');

/**
 * Sessions kept in memory (the session check was a statement in every request): revocation stays immediate —
 * in this process before the revoking request answers, in others when the database announces the change, and
 * not at all kept while the announcements cannot be heard.
 */
describe('sessions kept in memory (会话缓存：吊销立即生效)', () => {
  let t: TestApp;
  let cache: SessionCache;
  beforeAll(async () => {
    t = await startTestApp();
    cache = t.app.get(SessionCache);
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = async (username: string, app = t): Promise<string> => {
    const res = await app.http().post('/auth/login').send({ username, password: TEST_DEMO_PASSWORD });
    expect(res.status).toBe(200);
    return res.body.accessToken as string;
  };
  const me = (token: string, app = t) => app.http().get('/auth/me').set('Authorization', `Bearer ${token}`);
  const userId = async (username: string) =>
    (await t.dataSource.query(`SELECT id, version FROM app_user WHERE username = $1`, [username]))[0] as {
      id: string;
      version: number;
    };
  /** While `fn` runs, the database's announcements reach this process but are not acted on. */
  const deaf = async <T>(fn: () => Promise<T>): Promise<T> => {
    const spy = jest
      .spyOn(cache as unknown as { heard(): void }, 'heard')
      .mockImplementation(() => undefined);
    try {
      return await fn();
    } finally {
      spy.mockRestore();
    }
  };

  it('given a session checked once, when its token comes again, then no statement asks about the session', async () => {
    expect(cache.isListening).toBe(true);
    const token = await login('dept-staff');
    expect((await me(token)).status).toBe(200);
    const { result, names } = await captureStatements(() => me(token));
    expect(result.status).toBe(200);
    expect(sessionChecks(names)).toEqual([]);
  });

  describe('revoked in this process: refused by the very next request, the announcement not heard', () => {
    it('given a logout, then its token is refused', async () => {
      const token = await login('dept-head');
      expect((await me(token)).status).toBe(200);
      await deaf(async () => {
        expect((await t.http().post('/auth/logout').set('Authorization', `Bearer ${token}`)).status).toBe(
          204,
        );
        expect((await me(token)).status).toBe(401);
      });
    });

    it('given a password changed, then the other sessions of the user are refused and the changing one works', async () => {
      const other = await login('member-1');
      const mine = await login('member-1');
      expect((await me(other)).status).toBe(200);
      await deaf(async () => {
        const changed = await t
          .http()
          .post('/auth/password')
          .set('Authorization', `Bearer ${mine}`)
          .send({ currentPassword: TEST_DEMO_PASSWORD, newPassword: 'Changed@2026x' });
        expect(changed.status).toBe(204);
        expect((await me(other)).status).toBe(401);
        expect((await me(mine)).status).toBe(200);
      });
    });

    it('given an account locked by wrong passwords (a hand-written UPDATE), then its sessions are refused', async () => {
      const token = await login('member-2');
      expect((await me(token)).status).toBe(200);
      await deaf(async () => {
        for (let i = 0; i < 5; i++)
          await t
            .http()
            .post('/auth/login')
            .send({ username: 'member-2', password: `wrong-${i}` });
        expect((await me(token)).status).toBe(401);
      });
    });

    it.each([
      ['disabled', 'street', { active: false }],
      ['renamed', 'dept-head', { displayName: '改名后的科长' }],
    ])(
      'given an account %s by the system admin, then its session is asked again',
      async (_, username, change) => {
        const token = await login(username);
        expect((await me(token)).status).toBe(200);
        const admin = await login('sysadmin');
        const user = await userId(username);
        await deaf(async () => {
          const res = await t
            .http()
            .patch(`/admin/users/${user.id}`)
            .set('Authorization', `Bearer ${admin}`)
            .send({ ...change, version: user.version });
          expect(res.status).toBe(200);
          const { result, names } = await captureStatements(() => me(token));
          if ('active' in change) expect(result.status).toBe(401);
          else expect(sessionChecks(names)).toHaveLength(1);
        });
      },
    );

    it('given roles set by the security admin, then the session is refused', async () => {
      const token = await login('finance');
      expect((await me(token)).status).toBe(200);
      const admin = await login('secadmin');
      const user = await userId('finance');
      const roles = (await t.dataSource.query(`SELECT roles FROM app_user WHERE id = $1`, [user.id]))[0]
        .roles;
      await deaf(async () => {
        const res = await t
          .http()
          .put(`/admin/users/${user.id}/roles`)
          .set('Authorization', `Bearer ${admin}`)
          .send({ roles, version: user.version });
        expect(res.body).toEqual(expect.objectContaining({ roles }));
        expect((await me(token)).status).toBe(401);
      });
    });

    it('given a password reset by the security admin, then the session is refused', async () => {
      const token = await login('city-office');
      expect((await me(token)).status).toBe(200);
      const sec = await login('secadmin');
      const user = await userId('city-office');
      await deaf(async () => {
        const res = await t
          .http()
          .post(`/admin/users/${user.id}/password`)
          .set('Authorization', `Bearer ${sec}`)
          .send({ password: 'Reset@2026xy' });
        expect(res.status).toBe(204);
        expect((await me(token)).status).toBe(401);
      });
    });

    it('given a transaction that revokes and then rolls back, then the session still works', async () => {
      const token = await login('committee');
      expect((await me(token)).status).toBe(200);
      await t.dataSource
        .transaction(async (m) => {
          await m.query(`UPDATE auth_session SET revoked_at = now() WHERE revoked_at IS NULL`);
          cache.changedIn(m);
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      expect((await me(token)).status).toBe(200);
    });
  });

  it('given a session revoked by another connection in plain SQL, then once the database announces it the token is refused', async () => {
    const token = await login('office');
    expect((await me(token)).status).toBe(200);
    const sid = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid as string;
    const before = cache.changesHeard;
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query(`UPDATE auth_session SET revoked_at = now(), revoked_reason = 'test' WHERE id = $1`, [
        sid,
      ]);
    } finally {
      await other.end();
    }
    await waitFor('the change to be announced', async () => cache.changesHeard > before);
    expect((await me(token)).status).toBe(401);
  });

  it('given a log-in (counters and last log-in written), then nothing is announced and kept sessions stay kept', async () => {
    const token = await login('leader');
    expect((await me(token)).status).toBe(200);
    const before = cache.changesHeard;
    await login('auditor');
    // An announcement would have arrived by the time a later one does: make one and wait for exactly it.
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    await other.query(`NOTIFY auth_changed, 'marker'`);
    await other.end();
    await waitFor('the marker to be heard', async () => cache.changesHeard > before);
    expect(cache.changesHeard).toBe(before + 1);
  });

  it('given the listening connection lost, then every request asks about its session until it listens again', async () => {
    const token = await login('member-3');
    expect((await me(token)).status).toBe(200);
    const before = cache.changesHeard;
    await t.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'community-work-admission:sessions' AND datname = current_database()`,
    );
    await waitFor('the loss to be noticed', async () => cache.changesHeard > before);
    if (!cache.isListening) {
      const { names } = await captureStatements(() => me(token));
      expect(sessionChecks(names)).toHaveLength(1);
      const again = await captureStatements(() => me(token));
      expect(sessionChecks(again.names)).toHaveLength(1);
    }
    await waitFor('listening again', async () => cache.isListening);
    await me(token);
    const { names } = await captureStatements(() => me(token));
    expect(sessionChecks(names)).toEqual([]);
  });

  it('given a logout through another server process, then this process refuses the token once announced', async () => {
    const second = await startTestApp({}, { databaseUrl: t.databaseUrl });
    try {
      const token = await login('dept-staff', t);
      expect((await me(token)).status).toBe(200);
      const before = cache.changesHeard;
      expect((await second.http().post('/auth/logout').set('Authorization', `Bearer ${token}`)).status).toBe(
        204,
      );
      await waitFor('the logout to be announced', async () => cache.changesHeard > before);
      expect((await me(token)).status).toBe(401);
    } finally {
      await second.stop();
    }
  });
});
