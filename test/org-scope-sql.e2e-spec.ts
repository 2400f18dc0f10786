import { sqlInArea } from '../src/auth/org-scope.js';
import { makeDataSource } from '../src/database/data-source.js';
import type { DataSource } from 'typeorm';
import { scratchDatabase } from './helpers/database.js';

/** A text as an SQL literal (EXECUTE takes no bind parameters). */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * OrgScope's one SQL test of "this unit lies in that area" (sqlInArea), on a real PostgreSQL: it answers what
 * starts_with answers for every pair of paths, and it reads an area's units through the paths' byte-order index —
 * also in a prepared statement's generic plan — instead of every unit.
 */
describe('sqlInArea on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let ds: DataSource;
  const A = 'aaaaaaaa-0000-4000-8000-000000000001';
  const B = 'bbbbbbbb-0000-4000-8000-000000000002';

  beforeAll(async () => {
    db = await scratchDatabase();
    ds = makeDataSource(db.url, 2);
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('given paths that share a prefix, the area itself, an empty area and NULL, then it answers as starts_with', async () => {
    const paths = [
      `/${A}/`,
      `/${A}/${B}/`,
      `/${A}/${B}/x/`,
      `/${A}x/`,
      `/${A}`,
      `/${B}/`,
      '/',
      '',
      '/中文/社区/',
      `/${A}/${B}/\u{10FFFE}/`,
    ];
    const areas = [...paths, null];
    const rows: { path: string; area: string | null; inArea: boolean | null; startsWith: boolean | null }[] =
      await ds.query(
        `SELECT p AS path, a AS area, ${sqlInArea('p', 'a')} AS "inArea", starts_with(p, a) AS "startsWith"
           FROM unnest($1::text[]) p CROSS JOIN unnest($2::text[]) a`,
        [paths, areas],
      );
    expect(rows).toHaveLength(paths.length * areas.length);
    const differ = rows.filter((r) => (r.inArea ?? false) !== (r.startsWith ?? false));
    expect(differ).toEqual([]);
    // Some pairs are in, some out: the comparison above is not vacuous.
    expect(rows.filter((r) => r.inArea).length).toBeGreaterThan(paths.length);
    expect(rows.filter((r) => r.inArea === false).length).toBeGreaterThan(paths.length);
  });

  it('given many units, when the units of an area are asked in a prepared statement (its generic plan too), then the paths index finds them', async () => {
    await ds.query(`ANALYZE org_unit`);
    const [{ path, n }]: { path: string; n: string }[] = await ds.query(
      `SELECT d.path, (SELECT count(*) FROM org_unit u WHERE starts_with(u.path, d.path)) AS n
         FROM org_unit d WHERE d.kind = 'DISTRICT' ORDER BY d.code LIMIT 1`,
    );
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      // Forced generic: the plan a prepared statement keeps after its first runs, with the area unknown.
      await runner.query(`SET plan_cache_mode = force_generic_plan`);
      // Few units in the demo data: the planner would rightly read them all; without other ways, it must not.
      await runner.query(`SET enable_seqscan = off`);
      await runner.query(
        `PREPARE units_of(text) AS SELECT id FROM org_unit u WHERE ${sqlInArea('u.path', '$1')}`,
      );
      const plan = (await runner.query(`EXPLAIN EXECUTE units_of(${literal(path)})`))
        .map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toContain('ix_org_unit_path_prefix');
      expect(plan).not.toContain('Filter: starts_with');
      const found = await runner.query(`EXECUTE units_of(${literal(path)})`);
      expect(found.length).toBe(Number(n));
      expect(found.length).toBeGreaterThan(1);
    } finally {
      await runner.query(`DEALLOCATE ALL`).catch(() => undefined);
      await runner.release();
    }
  });
});
