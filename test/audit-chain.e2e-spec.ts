import { AuditChainAtCommit1795491941520 as AuditChainAtCommit } from '../migrations/1795491941520-AuditChainAtCommit.js';
import type { AuditRecord } from '../src/audit/audit-record.entity.js';
import { AuditVerifier } from '../src/audit/audit-verifier.service.js';
import { AuditService, GENESIS_HASH, recordHash } from '../src/audit/audit.service.js';
import type { DataSource } from 'typeorm';
import { rowsOf } from '../src/common/sql.js';
import { makeDataSource } from '../src/database/data-source.js';
import { scratchDatabase } from './helpers/database.js';

describe('audit chain (records chained at commit onto one head row)', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let ds: DataSource;
  let audit: AuditService;
  let verifier: AuditVerifier;

  beforeAll(async () => {
    db = await scratchDatabase();
    ds = makeDataSource(db.url, 10);
    await ds.initialize();
    audit = new AuditService(ds);
    verifier = new AuditVerifier(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const records = () =>
    ds.query(
      `SELECT seq, at, actor_id AS "actorId", actor_username AS "actorUsername", action, entity_type AS "entityType",
              entity_id AS "entityId", data, request_id AS "requestId", prev_hash AS "prevHash", hash
         FROM audit_record ORDER BY seq`,
    ) as Promise<AuditRecord[]>;

  it('given a record with Chinese text and nested data, then the hash computed in the database is the one the service verifies', async () => {
    await ds.transaction((m) =>
      audit.record(
        m,
        { principal: { userId: null, username: '区委社会工作部' } as never, requestId: 'req-1' },
        {
          action: 'test.chinese',
          entityType: '事项',
          entityId: '〔2026〕第1号',
          data: { z: 1, a: { 名称: '社区减负', list: [3, { y: null, b: '盖章' }] } },
        },
      ),
    );
    const all = await records();
    const last = all[all.length - 1];
    const prev = all.length > 1 ? all[all.length - 2].hash : GENESIS_HASH;
    expect(last.prevHash).toBe(prev);
    expect(recordHash(prev, last)).toBe(last.hash);
    expect(await verifier.verify()).toEqual({
      intact: true,
      checked: all.length,
      firstBrokenSeq: null,
      sealing: 'off',
      problems: [],
    });
  });

  it('given 12 transactions appending at once, some rolling back, then the chain stays intact in seq order and the rolled-back records are absent', async () => {
    const before = (await records()).length;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        ds
          .transaction(async (m) => {
            for (let k = 0; k < 5; k++) {
              await audit.record(
                m,
                {},
                { action: 'test.concurrent', entityType: 'test', entityId: `${i}-${k}` },
              );
              await new Promise((r) => setTimeout(r, Math.random() * 3));
            }
            if (i % 4 === 3) throw new Error('roll back');
          })
          .catch((e: Error) => {
            if (e.message !== 'roll back') throw e;
          }),
      ),
    );
    const all = await records();
    expect(all.length - before).toBe(9 * 5);
    expect(all.filter((r) => r.entityId?.startsWith('3-'))).toEqual([]);
    for (let i = 1; i < all.length; i++) expect(all[i].prevHash).toBe(all[i - 1].hash);
    expect((await verifier.verify()).intact).toBe(true);
    const head = await ds.query('SELECT hash FROM audit_head');
    expect(head[0].hash).toBe(all[all.length - 1].hash);
    // Committed records left the pending table; rolled-back ones never reached it for others to see.
    expect(await ds.query('SELECT count(*)::int AS n FROM audit_pending')).toEqual([{ n: 0 }]);
    // A transaction's own records are chained in the order it wrote them, one after the other.
    for (let i = 0; i < 12; i++) {
      if (i % 4 === 3) continue;
      const first = all.findIndex((r) => r.entityId === `${i}-0`);
      expect(all.slice(first, first + 5).map((r) => r.entityId)).toEqual(
        [0, 1, 2, 3, 4].map((k) => `${i}-${k}`),
      );
    }
  });

  it('given records written before the head row existed, when the migration runs, then the head starts at the newest record and the chain goes on from it', async () => {
    const qr = ds.createQueryRunner();
    try {
      const migration = new AuditChainAtCommit();
      await migration.down(qr);
      await migration.up(qr);
    } finally {
      await qr.release();
    }
    const before = await records();
    await ds.transaction((m) => audit.record(m, {}, { action: 'test.after-migration', entityType: 'test' }));
    const after = await records();
    expect(after[after.length - 1].prevHash).toBe(before[before.length - 1].hash);
    expect((await verifier.verify()).intact).toBe(true);
  });

  it('given a record written straight into audit_record (as a server older than the chain at commit would), then it is refused and the chain stays whole', async () => {
    const last = (await records()).pop()!;
    await expect(
      ds.query(
        `INSERT INTO audit_record (at, action, entity_type, prev_hash, hash) VALUES (now(), 'test.direct', 'test', $1, $1)`,
        [last.hash],
      ),
    ).rejects.toThrow(/update it/);
    expect((await verifier.verify()).intact).toBe(true);
  });

  it('given the head row gone, then verify does not call the chain intact', async () => {
    const head: { prev_hash: string; hash: string }[] = await ds.query(
      'SELECT prev_hash, hash FROM audit_head',
    );
    await ds.query('DELETE FROM audit_head');
    try {
      expect((await verifier.verify()).intact).toBe(false);
    } finally {
      await ds.query('INSERT INTO audit_head (id, prev_hash, hash) VALUES (1, $1, $2)', [
        head[0].prev_hash,
        head[0].hash,
      ]);
    }
  });

  it('given a record added behind the head row (the refusal switched off), then verify names it', async () => {
    await ds.transaction((m) => audit.record(m, {}, { action: 'test.before-fork', entityType: 'test' }));
    const last = (await records()).pop()!;
    const forged = {
      at: new Date(),
      actorId: null,
      actorUsername: null,
      action: 'test.forged',
      entityType: 'test',
      entityId: null,
      data: null,
      requestId: null,
    };
    await ds.query('ALTER TABLE audit_record DISABLE TRIGGER tg_audit_record_only_from_chain');
    const inserted: { seq: string }[] = await ds.query(
      `INSERT INTO audit_record (at, action, entity_type, prev_hash, hash) VALUES ($1, $2, $3, $4, $5) RETURNING seq`,
      [forged.at, forged.action, forged.entityType, last.hash, recordHash(last.hash, forged)],
    );
    await ds.query('ALTER TABLE audit_record ENABLE TRIGGER tg_audit_record_only_from_chain');
    expect(await verifier.verify()).toMatchObject({
      intact: false,
      firstBrokenSeq: inserted[0].seq,
      problems: [{ kind: 'record-added', seq: inserted[0].seq }],
    });
    // The chain goes on from its head: the next record follows the one before the forged record.
    await ds.transaction((m) => audit.record(m, {}, { action: 'test.after-fork', entityType: 'test' }));
    expect(await verifier.verify()).toMatchObject({
      intact: false,
      firstBrokenSeq: inserted[0].seq,
      problems: [{ kind: 'record-added', seq: inserted[0].seq }],
    });
    await ds.query('ALTER TABLE audit_record DISABLE TRIGGER tg_audit_record_no_update');
    await ds.query('DELETE FROM audit_record WHERE seq = $1', [inserted[0].seq]);
    await ds.query('ALTER TABLE audit_record ENABLE TRIGGER tg_audit_record_no_update');
    expect((await verifier.verify()).intact).toBe(true);
  });

  /**
   * Deletes records as a database administrator would, behind the triggers' back, runs `check`, and puts them
   * back.
   */
  async function withRecordsDeleted(seqs: string[], check: () => Promise<void>) {
    const triggers = async (on: boolean) => {
      for (const tg of ['tg_audit_record_no_update', 'tg_audit_record_only_from_chain'])
        await ds.query(`ALTER TABLE audit_record ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${tg}`);
    };
    await triggers(false);
    const saved = rowsOf(
      await ds.query('DELETE FROM audit_record WHERE seq = ANY($1::bigint[]) RETURNING *', [seqs]),
    );
    await triggers(true);
    try {
      await check();
    } finally {
      await triggers(false);
      await ds.query(
        'INSERT INTO audit_record SELECT * FROM jsonb_populate_recordset(NULL::audit_record, $1::jsonb)',
        [JSON.stringify(saved)],
      );
      await triggers(true);
    }
    expect((await verifier.verify()).intact).toBe(true);
  }

  it('given the newest record deleted, then verify names it, not the record before it', async () => {
    for (let i = 0; i < 3; i++)
      await ds.transaction((m) => audit.record(m, {}, { action: 'test.to-delete', entityType: 'test' }));
    const newest = (await records()).pop()!;
    await withRecordsDeleted([newest.seq], async () => {
      expect(await verifier.verify()).toMatchObject({
        intact: false,
        firstBrokenSeq: newest.seq,
        problems: [{ kind: 'record-deleted', seq: newest.seq }],
      });
    });
  });

  it('given records deleted in the middle, then verify names the first deleted one (and the run), not its neighbour', async () => {
    const all = await records();
    const [a, b] = all.slice(3, 5);
    await withRecordsDeleted([a.seq, b.seq], async () => {
      const v = await verifier.verify();
      expect(v).toMatchObject({
        intact: false,
        firstBrokenSeq: a.seq,
        problems: [{ kind: 'record-deleted', seq: a.seq, toSeq: b.seq }],
      });
      expect(v.problems[0].message).toContain(`${a.seq} to ${b.seq}`);
    });
  });

  it('given a tampered record, then verify names it', async () => {
    const all = await records();
    const target = all[Math.floor(all.length / 2)];
    await ds.query('ALTER TABLE audit_record DISABLE TRIGGER tg_audit_record_no_update');
    await ds.query(`UPDATE audit_record SET action = 'test.tampered' WHERE seq = $1`, [target.seq]);
    await ds.query('ALTER TABLE audit_record ENABLE TRIGGER tg_audit_record_no_update');
    expect(await verifier.verify()).toMatchObject({
      intact: false,
      firstBrokenSeq: target.seq,
      problems: [{ kind: 'record-altered', seq: target.seq }],
    });
  });
});
