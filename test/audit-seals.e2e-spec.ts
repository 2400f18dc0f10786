import { AuditSealer } from '../src/audit/audit-sealer.service.js';
import { AuditVerifier } from '../src/audit/audit-verifier.service.js';
import { recordContent } from '../src/audit/audit.service.js';
import type { AppConfig } from '../src/config/app-config.js';
import { makeDataSource } from '../src/database/data-source.js';
import { migrate } from '../src/database/migrate.js';
import { Clock } from '../src/common/clock.js';
import type { DataSource } from 'typeorm';
import { scratchDatabase } from './helpers/database.js';

describe('daily seals of the audit chain (Asia/Shanghai days)', () => {
  const KEY = 'seal-key-for-this-test-of-32-characters';
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let ds: DataSource;
  let verifier: AuditVerifier;
  const clock = new Clock();
  let sealer: AuditSealer;
  const at = (iso: string) => clock.advance(Date.parse(iso) - clock.now().getTime());

  /** A record stamped `iso` (as a transaction begun then would stamp it), chained when it commits. */
  async function recordStamped(iso: string, action: string): Promise<string> {
    const row = {
      at: new Date(iso),
      actorId: null,
      actorUsername: 'system',
      action,
      entityType: 'test',
      entityId: null,
      data: null,
      requestId: null,
    };
    await ds.query(
      `INSERT INTO audit_pending (at, actor_id, actor_username, action, entity_type, entity_id, data, request_id, content)
       VALUES ($1, NULL, 'system', $2, 'test', NULL, NULL, NULL, $3)`,
      [row.at, action, recordContent(row)],
    );
    return (await ds.query('SELECT seq FROM audit_record ORDER BY seq DESC LIMIT 1'))[0].seq;
  }
  const seals = async () =>
    (await ds.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, up_to_seq AS seq FROM audit_seal ORDER BY day`,
    )) as { day: string; seq: string }[];

  beforeAll(async () => {
    db = await scratchDatabase(false);
    ds = makeDataSource(db.url, 4);
    await ds.initialize();
    await migrate(ds);
    verifier = new AuditVerifier(ds);
    sealer = new AuditSealer(ds, clock, { auditSealKey: KEY } as AppConfig);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('given records over several China days, then each finished day is sealed at its newest record, a day without records at the one before, and today not at all', async () => {
    const a = await recordStamped('2026-11-28T15:59:59.000Z', 'test.day-28'); // 23:59:59 on the 28th in China
    const b = await recordStamped('2026-11-28T16:00:00.000Z', 'test.day-29'); // midnight: the 29th
    const c = await recordStamped('2026-12-01T02:00:00.000Z', 'test.day-1');
    await recordStamped('2026-12-01T17:00:00.000Z', 'test.day-2'); // 01:00 on the 2nd: today
    at('2026-12-01T18:00:00.000Z'); // 02:00 on the 2nd
    expect((await sealer.sealFinishedDays()).map((s) => s.day)).toEqual([
      '2026-11-28',
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
    ]);
    expect(await seals()).toEqual([
      { day: '2026-11-28', seq: a },
      { day: '2026-11-29', seq: b },
      { day: '2026-11-30', seq: b },
      { day: '2026-12-01', seq: c },
    ]);
    expect(await sealer.sealFinishedDays()).toEqual([]);
    expect(await verifier.verify({ key: KEY, now: clock.now() })).toMatchObject({
      intact: true,
      sealing: 'on',
      problems: [],
    });
  });

  it('given a record stamped on a sealed day that commits late, then the next day’s seal covers it; two sealers at once make one seal a day', async () => {
    const late = await recordStamped('2026-12-01T10:00:00.000Z', 'test.late'); // stamped on the 1st, committed on the 2nd
    at('2026-12-02T17:00:00.000Z'); // 01:00 on the 3rd
    const made = await Promise.all([sealer.sealFinishedDays(), sealer.sealFinishedDays()]);
    expect(made.flat().map((s) => s.day)).toEqual(['2026-12-02']);
    const last = (await seals()).pop()!;
    expect(last.seq).toBe(late);
    expect((await verifier.verify({ key: KEY, now: clock.now() })).intact).toBe(true);
  });

  it('given a China day that ended more than an hour ago, then its seal is due: without it, verify names the day', async () => {
    at('2026-12-03T17:30:00.000Z'); // 01:30 on the 4th: the 3rd ended an hour and a half ago
    const v = await verifier.verify({ key: KEY, now: clock.now() });
    expect(v.problems).toEqual([expect.objectContaining({ kind: 'seal-missing', days: ['2026-12-03'] })]);
    expect((await sealer.sealFinishedDays()).map((x) => x.day)).toEqual(['2026-12-03']);
    expect((await verifier.verify({ key: KEY, now: clock.now() })).intact).toBe(true);
  });

  it('given the verifier holds another key, then every seal is reported as made with another key', async () => {
    const v = await verifier.verify({ key: 'another-key-of-at-least-32-characters!!', now: clock.now() });
    expect(v.intact).toBe(false);
    expect(new Set(v.problems.map((p) => p.kind))).toEqual(new Set(['seal-other-key']));
  });
});
