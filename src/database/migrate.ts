import { type DataSource } from 'typeorm';

/** Arbitrary but fixed key of the advisory lock that serializes migrations across processes. */
const MIGRATION_LOCK_KEY = 7270011;

/** Runs pending migrations under a PostgreSQL advisory lock, so that several starting processes take turns. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/** The SQL that would bring the migrated schema in line with the entities; empty when there is no drift. */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
