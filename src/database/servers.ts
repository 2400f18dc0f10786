import { randomBytes } from 'node:crypto';
import { EmbeddedDatabase, quoteIdent } from './embedded-database.js';
import { GuardedClient } from './pg-options.js';

export interface PostgresServer {
  /** URL of the server's `postgres` database; swap the path for another database. */
  adminUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A PostgreSQL server for tools and tests: TEST_DATABASE_URL or DATABASE_URL when set, else the local
 * server on 127.0.0.1:5432 when one answers, else an embedded one (a real PostgreSQL too).
 */
export async function findPostgresServer(embeddedDir: string, embeddedPort: number): Promise<PostgresServer> {
  const configured = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (configured)
    return { adminUrl: withDatabase(configured, 'postgres'), embedded: false, stop: async () => {} };
  if (await answers(LOCAL_SERVER)) return { adminUrl: LOCAL_SERVER, embedded: false, stop: async () => {} };
  const db = new EmbeddedDatabase({ dataDir: embeddedDir, port: embeddedPort, database: 'postgres' });
  const url = await db.start();
  return { adminUrl: url, embedded: true, stop: () => db.stop() };
}

async function answers(url: string): Promise<boolean> {
  const client = new GuardedClient({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

export function scratchName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Runs SQL on the server's maintenance database (CREATE/DROP DATABASE cannot run inside a transaction). */
export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new GuardedClient({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  await adminQuery(
    adminUrl,
    `CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`,
  );
  return withDatabase(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}
