import pg from 'pg';
import { AuditService } from '../src/audit/audit.service.js';
import { Clock } from '../src/common/clock.js';
import { publishStampList } from '../src/stamps/stamp-lists.js';
import { StampRegistryMemory } from '../src/stamps/stamp-registry-memory.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { moveClockTo } from './helpers/clock.js';
import { within } from './helpers/timers.js';
import { captureStatements } from './helpers/statements.js';

const XINGHUA = '339901001001'; // 杏花社区, 东湖区 (339901) of 示范市 (3399)

/**
 * The public check keeps each answer it gave (its JSON, per name, community and day) with the registry as read:
 * asked again, the same question is answered from it; a change to the registry — announced by the database, or
 * committed by this process — forgets it with the rest, and a new day is a new question.
 */
describe('the public check’s kept answers (盖章证明查询：已答复的问题)', () => {
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

  const check = (query: Record<string, string>) => t.http().get('/stamp-items/check').query(query);

  it('given a question answered once, when it is asked again (the name spaced otherwise), then the same answer comes without reading the database', async () => {
    const first = await check({ name: '居住证明', community: XINGHUA });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.body).toMatchObject({ decision: 'allowed', date: '2027-01-04', name: '居住证明' });
    const { result, statements } = await captureStatements(() =>
      check({ name: '  居住证明 ', community: XINGHUA }),
    );
    expect(statements.filter((s) => s.includes('json_agg'))).toEqual([]);
    expect(result.text).toBe(first.text);
  });

  it('given a name answered for a community, when it is asked without one or for another day, then each has its own answer', async () => {
    const here = await check({ name: '居住证明', community: XINGHUA });
    const national = await check({ name: '居住证明' });
    const before = await check({ name: '居住证明', community: XINGHUA, date: '2019-01-01' });
    expect(here.body).toMatchObject({ decision: 'allowed', community: { code: XINGHUA } });
    expect(national.body).toMatchObject({ decision: 'not-listed', community: null });
    expect(before.body).toMatchObject({ decision: 'not-listed', date: '2019-01-01' });
  });

  it('given an answer kept, when another connection renames the community in plain SQL, then once announced the answer names it anew', async () => {
    const kept = await check({ name: '居住证明', community: XINGHUA });
    expect(kept.body.community.name).toBe('杏花社区');
    expect(kept.body.message).toContain('杏花社区');
    const heard = memory.nextChange();
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query(`UPDATE org_unit SET name = '杏花村社区' WHERE code = $1`, [XINGHUA]);
      await within('the rename to be announced', heard);
      const renamed = await check({ name: '居住证明', community: XINGHUA });
      expect(renamed.body.community.name).toBe('杏花村社区');
      expect(renamed.body.message).toContain('杏花村社区的社区居委会可以出具');
    } finally {
      const back = memory.nextChange();
      await other.query(`UPDATE org_unit SET name = '杏花社区' WHERE code = $1`, [XINGHUA]);
      await other.end();
      await within('the name back to be announced', back);
    }
  });

  it('given an answer kept, when this process publishes a prohibition of it, then the very next answer is the prohibition', async () => {
    const kept = await check({ name: '居住证明', community: XINGHUA });
    expect(kept.body.decision).toBe('allowed');
    await t.dataSource.transaction((m) =>
      publishStampList(
        m,
        new AuditService(t.dataSource, t.app.get(Clock)),
        {},
        {
          title: '东湖区不应由社区出具的证明事项清单',
          documentNumber: '东民发〔2026〕7号',
          issuedBy: '东湖区民政局',
          issuedOn: '2026-12-01',
          listType: 'prohibited',
          scopeCode: '339901',
          effectiveFrom: '2026-12-15',
          entries: [{ name: '居住证明', legalBasis: '东民发〔2026〕7号第1项' }],
        },
      ),
    );
    const now = await check({ name: '居住证明', community: XINGHUA });
    expect(now.body).toMatchObject({
      decision: 'prohibited',
      source: { documentNumber: '东民发〔2026〕7号' },
    });
    // Before the prohibition took effect the city's allowance still stands: a day of its own.
    const earlier = await check({ name: '居住证明', community: XINGHUA, date: '2026-12-14' });
    expect(earlier.body.decision).toBe('allowed');
  });

  it('given a question without a date answered today, when the clock passes midnight, then it is answered for the new day', async () => {
    const today = await check({ name: '养狗证明', community: XINGHUA });
    expect(today.body.date).toBe('2027-01-04');
    moveClockTo(t, '2027-01-05');
    const tomorrow = await check({ name: '养狗证明', community: XINGHUA });
    expect(tomorrow.body.date).toBe('2027-01-05');
    expect(tomorrow.body.decision).toBe(today.body.decision);
  });
});
