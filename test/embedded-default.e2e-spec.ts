import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/** The README's first command on a machine with no database: the built service on its embedded PostgreSQL. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the service on its embedded default database', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cwa-embedded-'));
  let port: number;
  let pgPort: number;
  let child: ChildProcess | undefined;
  let output = '';

  function start(): ChildProcess {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      DATA_DIR: dataDir,
      DEMO_PASSWORD: TEST_DEMO_PASSWORD,
      LOG_LEVEL: 'info',
    };
    const proc = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    return proc;
  }

  /**
   * Waits until this test's service answers /health. Only an answer after the service said it listens counts
   * (another process may have taken the port since it was found free: then the service is started again on
   * another port).
   */
  async function waitHealthy(): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if (child && child.exitCode !== null && /EADDRINUSE/.test(output)) {
        port = await freePort();
        output = '';
        child = start();
      }
      if (output.includes(`listening on http://localhost:${port}`)) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/health`);
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
      }
      await sleep(100);
    }
    throw new Error(`the service did not become healthy:\n${output}`);
  }

  function exited(proc: ChildProcess): Promise<number | null> {
    return proc.exitCode !== null
      ? Promise.resolve(proc.exitCode)
      : new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  const login = (username: string) =>
    fetch(`http://127.0.0.1:${port}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: TEST_DEMO_PASSWORD }),
    });

  beforeAll(async () => {
    port = await freePort();
    do pgPort = await freePort();
    while (pgPort === port);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
      await sleep(1000);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('given no DATABASE_URL, when started, then /health is 200, it says so in its first lines, and demo users log in', async () => {
    child = start();
    await waitHealthy();
    expect(output.split('\n').slice(0, 3).join('\n')).toMatch(/embedded PostgreSQL/);
    const res = await login('dept-staff');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { username: string } }).user.username).toBe('dept-staff');
  });

  it('given it runs, then its own connections come over the server’s Unix socket in the data folder, none over TCP', async () => {
    const client = new pg.Client({
      host: path.join(dataDir, 'pg'),
      port: pgPort,
      user: 'postgres',
      password: readFileSync(path.join(dataDir, 'embedded-db-password'), 'utf8').trim(),
      database: 'postgres',
    });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT count(*) FILTER (WHERE client_addr IS NULL)::int AS socket,
                count(*) FILTER (WHERE client_addr IS NOT NULL)::int AS tcp
           FROM pg_stat_activity WHERE datname = 'admission' AND backend_type = 'client backend'`,
      );
      expect(rows[0].socket).toBeGreaterThan(0);
      expect(rows[0].tcp).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('given SIGTERM, then it stops cleanly and stops its database', async () => {
    child!.kill('SIGTERM');
    expect(await exited(child!)).toBe(0);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('given a second start, then the data are kept and the demo is not seeded twice', async () => {
    output = '';
    child = start();
    await waitHealthy();
    expect(output).not.toMatch(/seeded/);
    expect((await login('committee')).status).toBe(200);
  });

  it('given a SIGKILL that leaves the database running, when started again, then it recovers', async () => {
    child!.kill('SIGKILL');
    await exited(child!);
    const pid = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(() => process.kill(pid, 0)).not.toThrow(); // the orphaned server is still there
    output = '';
    child = start();
    await waitHealthy();
    expect((await login('office')).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  const pidFile = () => path.join(dataDir, 'pg', 'postmaster.pid');
  const postmasterPid = () => Number(readFileSync(pidFile(), 'utf8').split('\n')[0]);

  it('given its PostgreSQL is killed (kill -9) under the running service, then the service starts it again and serves within 10 s, and the token still works', async () => {
    child = start();
    await waitHealthy();
    const token = ((await (await login('office')).json()) as { accessToken: string }).accessToken;
    const me = async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/auth/me`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(5000),
        });
        return res.status;
      } catch {
        return 0; // no answer
      }
    };
    expect(await me()).toBe(200);
    const killed = postmasterPid();
    process.kill(killed, 'SIGKILL');
    const killedAt = Date.now();
    // A request already on its way may still be answered by a backend of the dead server: start asking
    // once the service has seen its database die.
    while (!/embedded database stopped/.test(output) && Date.now() - killedAt < 10_000) await sleep(20);
    const answers: number[] = [];
    while (answers.at(-1) !== 200 && Date.now() - killedAt < 10_000) {
      answers.push(await me());
      if (answers.at(-1) !== 200) await sleep(100);
    }
    expect(answers.at(-1)).toBe(200); // within 10 s, and the user was not logged out
    expect(answers.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(child.exitCode).toBeNull();
    expect(postmasterPid()).not.toBe(killed);
    expect(output).toMatch(/embedded database runs again/);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('given a stale postmaster.pid naming an unrelated live process, when started, then that process is left alone and the service starts', async () => {
    const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      writeFileSync(
        pidFile(),
        [
          bystander.pid,
          path.join(dataDir, 'pg'),
          Math.floor(Date.now() / 1000),
          pgPort,
          '/tmp',
          '127.0.0.1',
          '',
        ]
          .map(String)
          .join('\n'),
      );
      output = '';
      child = start();
      await waitHealthy();
      expect({ exitCode: bystander.exitCode, signal: bystander.signalCode }).toEqual({
        exitCode: null,
        signal: null,
      });
      expect(() => process.kill(bystander.pid!, 0)).not.toThrow();
      expect(output).toMatch(/not a PostgreSQL server of this folder/);
      expect((await login('office')).status).toBe(200);
    } finally {
      bystander.kill();
    }
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });
});
