import pg from 'pg';
import { inForceSql, type InForceQuery } from '../src/admission/in-force.js';
import { scratchDatabase } from './helpers/database.js';

/**
 * The in-force rule (src/admission/in-force.ts) run by PostgreSQL over hand-made rows: only the columns the
 * query reads, so each case states exactly the dates it is about.
 */
describe('the in-force query (在施) on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let client: pg.Client;

  beforeAll(async () => {
    db = await scratchDatabase(false);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`
      CREATE TABLE admitted_item (id uuid PRIMARY KEY, start_date date, end_date date, kind text, statutory_area text);
      CREATE TABLE admitted_item_community (item_id uuid, community_id uuid, funding_status text,
                                            entered_at timestamptz, exited_at timestamptz);
      INSERT INTO admitted_item VALUES
        ('00000000-0000-0000-0000-00000000000a', '2027-04-01', '2027-12-31', 'task', 'public_health');
      INSERT INTO admitted_item_community VALUES
        -- entered before the item started, left on 1 March: never in force there
        ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000c1', 'confirmed',
         '2027-01-10T02:00:00Z', '2027-03-01T02:00:00Z'),
        -- entered on 2 May (China day), left on 1 October (China day: 16:30 UTC on 30 September)
        ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000c2', 'confirmed',
         '2027-05-02T01:00:00Z', '2027-09-30T16:30:00Z'),
        -- still waiting for its funding
        ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000c3', 'awaiting', NULL, NULL);
    `);
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  async function communities(q: InForceQuery): Promise<string[]> {
    const { sql, params } = inForceSql(q);
    const res = await client.query<{ community_id: string }>(sql, params);
    return res.rows.map((r) => r.community_id.slice(-2)).sort();
  }

  it('given a community that left before the item started, then no period finds it in force there', async () => {
    expect(await communities({ on: { from: '2027-02-01', to: '2027-12-31' } })).toEqual(['c2']);
    expect(await communities({ on: '2027-02-15' })).toEqual([]);
  });

  it('given China days, then a community is in force from the day it entered to the day before it left', async () => {
    expect(await communities({ on: '2027-05-01' })).toEqual([]);
    expect(await communities({ on: '2027-05-02' })).toEqual(['c2']);
    expect(await communities({ on: '2027-09-30' })).toEqual(['c2']);
    expect(await communities({ on: '2027-10-01' })).toEqual([]);
    expect(await communities({ on: { from: '2027-10-01', to: '2027-12-31' } })).toEqual([]);
  });

  it('given a community awaiting its funding, then it counts only when asked with orAwaitingFunding, within the period', async () => {
    expect(
      await communities({ on: { from: '2027-06-01', to: '2027-06-30' }, orAwaitingFunding: true }),
    ).toEqual(['c2', 'c3']);
    expect(
      await communities({ on: { from: '2028-01-01', to: '2028-06-30' }, orAwaitingFunding: true }),
    ).toEqual([]);
  });
});
