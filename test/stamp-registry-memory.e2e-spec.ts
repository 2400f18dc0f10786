import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AuditService } from '../src/audit/audit.service.js';
import { Clock } from '../src/common/clock.js';
import { publishStampList, type NewStampList } from '../src/stamps/stamp-lists.js';
import { StampRegistryMemory } from '../src/stamps/stamp-registry-memory.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { moveClockTo } from './helpers/clock.js';
import { captureStatements } from './helpers/statements.js';
import { waitFor, within } from './helpers/timers.js';

/** The registry's read (one statement: the lists, entries and units as JSON), among whatever else runs meanwhile. */
const registryReads = (statements: string[]) => statements.filter((s) => s.includes('json_agg'));

const XINGHUA = '339901001001'; // 杏花社区, 东湖区 (339901) of 示范市 (3399)

/**
 * The registry kept in memory (issue 13 §3 and the benchmark's rule): answers come from memory, and never from a
 * list older than the last published change — whoever publishes it: this process, another server process, or a
 * plain SQL INSERT on another connection.
 */
describe('the stamp registry in memory (盖章证明事项清单：内存中的清单)', () => {
  let t: TestApp;
  let memory: StampRegistryMemory;
  beforeAll(async () => {
    t = await startTestApp();
    moveClockTo(t, '2027-01-04');
    memory = t.app.get(StampRegistryMemory);
  });
  afterAll(async () => {
    await t?.close();
  });

  const check = (app: TestApp, name: string) =>
    app.http().get('/stamp-items/check').query({ name, community: XINGHUA });
  const list = (name: string, listType: 'allowed' | 'prohibited'): NewStampList => ({
    title: `${name}测试清单`,
    documentNumber: `测试〔2026〕${Math.floor(Math.random() * 1e6)}号`,
    issuedBy: '示范市民政局',
    issuedOn: '2026-10-01',
    listType,
    scopeCode: '3399',
    effectiveFrom: '2026-11-01',
    entries: [{ name, legalBasis: '测试依据', timeLimit: { kind: 'on-the-spot' } }],
  });

  it('given an answer once given, when the same question comes again, then it is answered from memory without a statement to PostgreSQL', async () => {
    expect(memory.isListening).toBe(true);
    expect((await check(t, '居住证明')).body.decision).toBe('allowed');
    const { result, statements } = await captureStatements(() => check(t, '居住证明'));
    expect(result.body.decision).toBe('allowed');
    expect(registryReads(statements)).toEqual([]);
  });

  it('given the registry kept, when another connection INSERTs a list and its entry in plain SQL, then once the database announces it the next check answers with it', async () => {
    expect((await check(t, '房屋漏水情况证明')).body.decision).toBe('not-listed');
    const listKey = randomUUID();
    const heard = memory.nextChange();
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO stamp_list (list_key, version, title, document_number, issued_by, issued_on, list_type, scope_code, effective_from)
         VALUES ($1, 1, '示范市补充禁止清单', '示民发〔2026〕99号', '示范市民政局', '2026-10-01', 'prohibited', '3399', '2026-11-01')`,
        [listKey],
      );
      await other.query(
        `INSERT INTO stamp_entry (entry_key, version, list_key, name, legal_basis, effective_from)
         VALUES ($1, 1, $2, '房屋漏水情况证明', '示民发〔2026〕99号第1项', '2026-11-01')`,
        [randomUUID(), listKey],
      );
      // Not committed yet: nothing announced, the kept registry still answers (and rightly: nothing is published).
      expect((await check(t, '房屋漏水情况证明')).body.decision).toBe('not-listed');
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    await within('the announcement of the committed change', heard);
    const res = await check(t, '房屋漏水情况证明');
    expect(res.body).toMatchObject({
      decision: 'prohibited',
      source: { documentNumber: '示民发〔2026〕99号' },
    });
  });

  it('given a rolled-back INSERT on another connection, then nothing is announced and nothing changes', async () => {
    const before = memory.changesHeard;
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO stamp_list (list_key, version, title, document_number, issued_by, issued_on, list_type, scope_code, effective_from)
         VALUES ($1, 1, '未发布的清单', '示民发〔2026〕98号', '示范市民政局', '2026-10-01', 'prohibited', '3399', '2026-11-01')`,
        [randomUUID()],
      );
      await other.query('ROLLBACK');
      // A committed change after it: its announcement is the next one heard (the rolled-back one sent none).
      const heard = memory.nextChange();
      await other.query(`UPDATE org_unit SET name = name WHERE code = $1`, [XINGHUA]);
      await within('the org_unit change', heard);
    } finally {
      await other.end();
    }
    expect(memory.changesHeard).toBe(before + 1);
  });

  it('given a second server process on the same database, when it publishes a list, then the first process’s next check answers with it', async () => {
    const second = await startTestApp({}, { databaseUrl: t.databaseUrl });
    try {
      moveClockTo(second, '2027-01-04');
      // Both processes have answered (and keep their registry).
      expect((await check(t, '宠物走失证明')).body.decision).toBe('not-listed');
      expect((await check(second, '宠物走失证明')).body.decision).toBe('not-listed');
      const heard = memory.nextChange();
      await second.dataSource.transaction((m) =>
        publishStampList(
          m,
          new AuditService(second.dataSource, second.app.get(Clock)),
          {},
          list('宠物走失证明', 'allowed'),
        ),
      );
      // The publishing process sees its own commit at once (no announcement awaited).
      expect((await check(second, '宠物走失证明')).body.decision).toBe('allowed');
      await within('the first process to hear of the change', heard);
      expect((await check(t, '宠物走失证明')).body.decision).toBe('allowed');
    } finally {
      await second.stop();
    }
  });

  it('given a list published through this process’s own data source, then the very next check answers with it (forgotten at the commit, before the announcement)', async () => {
    expect((await check(t, '自行车丢失证明')).body.decision).toBe('not-listed');
    const before = memory.changesHeard;
    await t.dataSource.transaction((m) =>
      publishStampList(
        m,
        new AuditService(t.dataSource, t.app.get(Clock)),
        {},
        list('自行车丢失证明', 'allowed'),
      ),
    );
    expect(memory.changesHeard).toBeGreaterThan(before);
    expect((await check(t, '自行车丢失证明')).body.decision).toBe('allowed');
  });

  it('given the listening connection lost, then every answer reads the database until it listens again, and then answers from memory again', async () => {
    const heard = memory.nextChange();
    await t.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'community-work-admission:stamp-registry' AND datname = current_database()
          AND pid <> pg_backend_pid()`,
    );
    await within('the loss to be noticed', heard);
    // Not listening: a change would go unheard, so nothing is kept.
    if (!memory.isListening) {
      const { result, statements } = await captureStatements(() => check(t, '居住证明'));
      expect(result.body.decision).toBe('allowed');
      expect(registryReads(statements)).toHaveLength(1);
    }
    await waitFor('the registry to listen again', async () => memory.isListening);
    await check(t, '居住证明');
    const { statements } = await captureStatements(() => check(t, '居住证明'));
    expect(registryReads(statements)).toEqual([]);
  });
});
