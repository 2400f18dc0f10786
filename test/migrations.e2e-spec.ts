import { MIGRATIONS } from '../migrations/index.js';
import { makeDataSource } from '../src/database/data-source.js';
import { migrate, schemaDrift } from '../src/database/migrate.js';
import { scratchDatabase } from './helpers/database.js';

async function tables(url: string): Promise<string[]> {
  const ds = makeDataSource(url, 1);
  await ds.initialize();
  try {
    const rows: { table_name: string }[] = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migration'
       UNION ALL SELECT 'pgboss.' || table_name FROM information_schema.tables WHERE table_schema = 'pgboss' AND table_name = 'job'
       ORDER BY 1`,
    );
    return rows.map((r) => r.table_name);
  } finally {
    await ds.destroy();
  }
}

describe('migrations', () => {
  it('given an empty database, when migrating, then every table exists and the entities match (no drift)', async () => {
    const db = await scratchDatabase(false);
    const ds = makeDataSource(db.url, 3);
    await ds.initialize();
    try {
      expect(await migrate(ds)).toHaveLength(MIGRATIONS.length);
      expect(await schemaDrift(ds)).toEqual([]);
      expect(await migrate(ds)).toEqual([]);
    } finally {
      await ds.destroy();
    }
    // Every entity's table, and the job queue's.
    const entityTables = ds.entityMetadatas.map((e) => e.tableName);
    expect(await tables(db.url)).toEqual([...entityTables, 'pgboss.job'].sort());
    await db.drop();
  });

  it('given two processes starting at once, when both migrate, then each migration runs exactly once', async () => {
    const db = await scratchDatabase(false);
    const a = makeDataSource(db.url, 3);
    const b = makeDataSource(db.url, 3);
    await Promise.all([a.initialize(), b.initialize()]);
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      expect([...ra, ...rb].sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
      const runs = await a.query('SELECT count(*)::int AS n FROM schema_migration');
      expect(runs[0].n).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
    await db.drop();
  });

  it('given a migrated database, when every migration is undone, then the schema is empty again', async () => {
    const db = await scratchDatabase(false);
    const ds = makeDataSource(db.url, 3);
    await ds.initialize();
    try {
      await migrate(ds);
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    } finally {
      await ds.destroy();
    }
    expect(await tables(db.url)).toEqual([]);
    await db.drop();
  });
});
