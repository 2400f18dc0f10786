/* Test-run databases, used by the test runner's global setup (which loads compiled code, not TypeScript). */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { AuditService } from '../audit/audit.service.js';
import { seedDemo } from '../org/demo-seed.js';
import { makeDataSource } from './data-source.js';
import { migrate } from './migrate.js';
import {
  createDatabase,
  dropDatabase,
  findPostgresServer,
  type PostgresServer,
  scratchName,
} from './servers.js';

export const TEST_DEMO_PASSWORD = 'Demo@2026';

export interface TestRun {
  server: PostgresServer;
  adminUrl: string;
  template: string;
  run: string;
}

/**
 * Finds a server (TEST_DATABASE_URL, the local one, or an embedded one) and builds the template that every
 * e2e file clones: migrated and seeded with the demo data.
 */
export async function beginTestRun(): Promise<TestRun> {
  const server = await findPostgresServer('.data/test-pg', 54349);
  const template = scratchName('cwa_tpl');
  const url = await createDatabase(server.adminUrl, template);
  const ds = makeDataSource(url, 3);
  await ds.initialize();
  try {
    await migrate(ds);
    await seedDemo(ds, TEST_DEMO_PASSWORD, new AuditService(ds));
  } finally {
    await ds.destroy();
  }
  return { server, adminUrl: server.adminUrl, template, run: randomBytes(3).toString('hex') };
}

/** Drops the template and every database of this run that a failed file left behind; stops an embedded server. */
export async function endTestRun(
  adminUrl: string,
  template: string,
  run: string,
  server?: PostgresServer,
): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const left = await client.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
    [`cwa_t${run}_`],
  );
  await client.end();
  for (const { datname } of left.rows) await dropDatabase(adminUrl, datname);
  await dropDatabase(adminUrl, template);
  await server?.stop();
}
