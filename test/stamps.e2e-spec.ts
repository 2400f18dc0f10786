import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AuditService } from '../src/audit/audit.service.js';
import { Clock } from '../src/common/clock.js';
import {
  ALIASES_FILE,
  loadShippedStampLists,
  NATIONAL_2020_FILE,
} from '../src/stamps/stamp-lists-shipped.js';
import { publishStampList, recordEntryVersion, type NewStampList } from '../src/stamps/stamp-lists.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { moveClockTo } from './helpers/clock.js';

const XINGHUA = '339901001001'; // 杏花社区, 东湖区 (339901) of 示范市 (3399)
const HUBIN = '339902001001'; // 湖滨社区, 西山区 (339902) of 示范市

describe('the stamp registry: public search and check (盖章证明事项清单)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    moveClockTo(t, '2027-01-04');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** GET /stamp-items/check, without any token. */
  const check = (params: Record<string, string>) => t.http().get('/stamp-items/check').query(params);
  const publish = (list: NewStampList) =>
    t.dataSource.transaction((m) =>
      publishStampList(m, new AuditService(t.dataSource, t.app.get(Clock)), {}, list),
    );

  it('given the demo data and no token, then a city allowance answers allowed, with its legal basis, source and time limit', async () => {
    const res = await check({ name: '居住证明', community: XINGHUA, date: '2026-12-01' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      decision: 'allowed',
      name: '居住证明',
      community: { code: XINGHUA, name: '杏花社区' },
      date: '2026-12-01',
      item: {
        name: '居住证明',
        listType: 'allowed',
        timeLimit: { kind: 'working-days', workingDays: 3, text: '3个工作日内办结' },
      },
      source: {
        documentNumber: '示民发〔2021〕15号',
        title: '示范市社区居民委员会出具证明事项保留清单',
        scope: { code: '3399', level: 'city', name: '示范市' },
        listType: 'allowed',
      },
      overridden: [],
      candidates: [],
    });
    expect(res.body.legalBasis).toContain('《居住证暂行条例》');
    expect(res.body.message).toContain('杏花社区的社区居委会可以出具“居住证明”');
  });

  it('given the demo data, then a national prohibition answers prohibited, citing 民发〔2020〕20号 and its annex', async () => {
    const res = await check({ name: '居民养犬证明', community: XINGHUA });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      decision: 'prohibited',
      date: '2027-01-04',
      item: { name: '居民养犬证明', seq: 4, listType: 'prohibited' },
      source: {
        documentNumber: '民发〔2020〕20号',
        title: '不应由基层群众性自治组织出具证明事项清单（第一批）',
        issuedOn: '2020-04',
        scope: { code: '', level: 'national', name: '全国' },
      },
    });
    expect(res.body.legalBasis).toBe(
      '民发〔2020〕20号 附件《不应由基层群众性自治组织出具证明事项清单（第一批）》第4项',
    );
    expect(res.body.message).toMatch(/^社区居委会不应出具“居民养犬证明”/);
  });

  it('given a certificate no list names, then it answers not-listed with the rule of 民发〔2020〕20号', async () => {
    const res = await check({ name: '收入证明', community: XINGHUA });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      decision: 'not-listed',
      item: null,
      legalBasis: null,
      source: null,
      overridden: [],
      candidates: [],
    });
    expect(res.body.message).toContain('“收入证明”不在杏花社区适用的盖章证明事项清单中');
    expect(res.body.message).toContain('民发〔2020〕20号');
  });

  it('given no community, then only the national lists answer: the city allowance does not apply', async () => {
    const allowedInCity = await check({ name: '居住证明' });
    expect(allowedInCity.body).toMatchObject({ decision: 'not-listed', community: null, date: '2027-01-04' });
    const prohibited = await check({ name: '居民养犬证明' });
    expect(prohibited.body.decision).toBe('prohibited');
  });

  it.each([
    ['证明居民养犬', 'prohibited', '居民养犬证明'],
    ['开个养狗证明', 'prohibited', '居民养犬证明'],
    ['养狗的证明', 'prohibited', '居民养犬证明'],
    ['活着证明', 'prohibited', '健在证明'],
    ['  无 犯罪 记录 ', 'prohibited', '无犯罪记录证明'],
    ['（婚姻状况证明）', 'prohibited', '婚姻状况证明'],
    ['居住证明　', 'allowed', '居住证明'],
    ['开具住址证明', 'allowed', '居住证明'],
    ['证明志愿服务', 'allowed', '志愿服务记录证明'],
  ])('given "%s" typed, then the answer is %s for %s', async (typed, decision, name) => {
    const res = await check({ name: typed, community: XINGHUA });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe(decision);
    expect(res.body.item.name).toBe(name);
  });

  it('given a weak or unclear name, then nothing is decided: not-listed, with candidates when some are close', async () => {
    const weak = await check({ name: '居民证明', community: XINGHUA });
    expect(weak.body.decision).toBe('not-listed');
    expect(weak.body.item).toBeNull();
    const unclear = await check({ name: '户口变更证明', community: XINGHUA });
    expect(unclear.body.decision).toBe('not-listed');
    expect(unclear.body.candidates.map((c: { name: string }) => c.name)).toContain(
      '户口登记项目内容变更申请证明',
    );
    expect(unclear.body.message).toContain('您要找的是否是');
  });

  it('given a date before a list existed, then that list is ignored', async () => {
    expect((await check({ name: '居住证明', community: XINGHUA, date: '2021-06-30' })).body.decision).toBe(
      'not-listed',
    );
    expect((await check({ name: '居住证明', community: XINGHUA, date: '2021-07-01' })).body.decision).toBe(
      'allowed',
    );
    expect((await check({ name: '养狗证明', community: XINGHUA, date: '2019-12-31' })).body.decision).toBe(
      'not-listed',
    );
  });

  it('given the community by its unit id, then the answer is the same as by its code', async () => {
    const [{ id }] = await t.dataSource.query('SELECT id FROM org_unit WHERE code = $1', [XINGHUA]);
    const res = await check({ name: '居住证明', community: id });
    expect(res.body).toMatchObject({ decision: 'allowed', community: { id, code: XINGHUA } });
  });

  it('given no date, then the answer is for today by the service clock', async () => {
    moveClockTo(t, '2027-01-05');
    expect((await check({ name: '居住证明', community: XINGHUA })).body.date).toBe('2027-01-05');
  });

  it('given the search, then it pages the entries in force with a total, best match first, without a token', async () => {
    const all = await t.http().get('/stamp-items').query({ community: XINGHUA, pageSize: '5' });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 25, page: 1, pageSize: 5 });
    expect(all.body.items).toHaveLength(5);
    expect(all.body.items[0].source.scope.level).toBe('national');
    const dog = await t.http().get('/stamp-items').query({ q: '养狗' });
    expect(dog.status).toBe(200);
    expect(dog.body.items[0].item.name).toBe('居民养犬证明');
    expect(dog.body.total).toBeGreaterThanOrEqual(1);
    // Without a community every list is searched, the city's too.
    const live = await t.http().get('/stamp-items').query({ q: '居住' });
    expect(live.body.items[0]).toMatchObject({
      item: { name: '居住证明' },
      source: { scope: { code: '3399' } },
    });
    const before = await t.http().get('/stamp-items').query({ community: XINGHUA, date: '2020-01-01' });
    expect(before.body.total).toBe(0);
  });

  it('given bad input, then 400 naming the field, or 404 for an unknown community — never 500', async () => {
    const fields = (res: { body: { error: { details: { field: string }[] } } }) =>
      res.body.error.details.map((d) => d.field);
    const missing = await t.http().get('/stamp-items/check');
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    expect(fields(missing)).toEqual(['name']);
    const empty = await check({ name: '   ' });
    expect(empty.status).toBe(400);
    expect(fields(empty)).toEqual(['name']);
    expect(JSON.stringify(empty.body.error.details)).toContain('证明名称');
    const long = await check({ name: '证'.repeat(101) });
    expect(long.status).toBe(400);
    expect(fields(long)).toEqual(['name']);
    for (const date of ['2026-13-01', '2026/12/01', '2026-02-30', '2026-12-01T00:00:00Z', 'today']) {
      const bad = await check({ name: '居住证明', date });
      expect(bad.status).toBe(400);
      expect(fields(bad)).toEqual(['date']);
    }
    const q = await t
      .http()
      .get('/stamp-items')
      .query({ q: '证'.repeat(101), page: '0' });
    expect(q.status).toBe(400);
    expect(fields(q).sort()).toEqual(['page', 'q']);
    for (const community of [
      '339901009009',
      '339901001',
      '3399',
      'not-a-code',
      '00000000-0000-4000-8000-000000000000',
    ]) {
      const unknown = await check({ name: '居住证明', community });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('COMMUNITY_NOT_FOUND');
      expect(unknown.body.error.message).toMatch(/^找不到该社区/);
    }
    const search404 = await t.http().get('/stamp-items').query({ community: '339901009009' });
    expect(search404.status).toBe(404);
    // Odd but storable text is a name like any other: an answer, never a 500.
    for (const name of ['%', '_', "'", '\\', '😀证明', '证明'.repeat(50), '（）【】', 'ＡＢＣ']) {
      const odd = await check({ name, community: XINGHUA });
      expect(odd.status).toBe(200);
      expect(odd.body.decision).toBe('not-listed');
      const found = await t.http().get('/stamp-items').query({ q: name });
      expect(found.status).toBe(200);
    }
    const injected = await check({ name: '居住证明', community: "3399' OR '1'='1" });
    expect(injected.status).toBe(404);
  });

  it('given a name that normalisation multiplies past 100 characters, then 400 naming the field, quickly', async () => {
    const fields = (res: { body: { error: { details: { field: string }[] } } }) =>
      res.body.error.details.map((d) => d.field);
    const started = performance.now();
    const name = await check({ name: '\uFDFA'.repeat(100), community: XINGHUA });
    expect(name.status).toBe(400);
    expect(name.body.error.code).toBe('VALIDATION_FAILED');
    expect(fields(name)).toEqual(['name']);
    expect(JSON.stringify(name.body.error.details)).toContain('证明名称');
    const q = await t
      .http()
      .get('/stamp-items')
      .query({ q: '\uFDFA'.repeat(100) });
    expect(q.status).toBe(400);
    expect(fields(q)).toEqual(['q']);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['不在本社区居住证明', '居住证明'],
    ['居住证', '居住证明'],
    ['学生家庭经济困难证明', '生活困难证明'],
    ['家庭住房情况证明', '公共租赁住房申请家庭住房情况证明'],
    ['在校表现证明', '社区戒毒社区康复人员情况证明（表现证明）'],
    ['未死亡证明', '死亡证明'],
  ])('given "%s", then it is not answered as %s: not-listed, with candidates', async (name, wrong) => {
    const res = await check({ name, community: HUBIN, date: '2026-12-01' });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('not-listed');
    expect(res.body.item).toBeNull();
    expect(res.body.candidates.length).toBeGreaterThan(0);
    expect(res.body.message).toContain('您要找的是否是');
    expect(wrong).not.toBe(res.body.item?.name);
  });

  it('given the shipped national list, then it was recorded once and a later start records nothing again', async () => {
    const log = pino({ level: 'silent' });
    expect(await loadShippedStampLists(t.dataSource, log)).toBe(false);
    const lists = await t.dataSource.query(
      `SELECT l.document_number, count(e.*)::int AS entries FROM stamp_list l JOIN stamp_entry e ON e.list_key = l.list_key
        WHERE l.recorded_from = 'data/certificates-prohibited-national-2020.csv' GROUP BY l.document_number`,
    );
    expect(lists).toEqual([{ document_number: '民发〔2020〕20号', entries: 20 }]);
  });

  it('given a later release of the shipped list with a new alias, then an upgraded deployment gets it from today', async () => {
    const log = pino({ level: 'silent' });
    const dir = mkdtempSync(join(tmpdir(), 'stamp-lists-'));
    try {
      copyFileSync(join('data', NATIONAL_2020_FILE), join(dir, NATIONAL_2020_FILE));
      writeFileSync(
        join(dir, ALIASES_FILE),
        `${readFileSync(join('data', ALIASES_FILE), 'utf8').trimEnd()}\n居民养犬证明,遛狗登记证明\n`,
      );
      const clock = t.app.get(Clock);
      const today = clock.today();
      expect((await check({ name: '遛狗登记证明' })).body.decision).toBe('not-listed');
      expect(await loadShippedStampLists(t.dataSource, log, dir, clock)).toBe(true);
      const res = await check({ name: '遛狗登记证明' });
      expect(res.body).toMatchObject({ decision: 'prohibited', item: { name: '居民养犬证明' } });
      const versions = await t.dataSource.query(
        `SELECT version, to_char(effective_from, 'YYYY-MM-DD') AS "from" FROM stamp_entry WHERE name = '居民养犬证明'
            AND list_key IN (SELECT list_key FROM stamp_list WHERE recorded_from IS NOT NULL AND scope_code = '')
          ORDER BY version`,
      );
      expect(versions).toEqual([
        { version: 1, from: '2020-04-01' },
        { version: 2, from: today },
      ]);
      // The days before keep their answer; a second start records nothing.
      expect((await check({ name: '遛狗登记证明', date: '2026-01-05' })).body.decision).toBe('not-listed');
      expect(await loadShippedStampLists(t.dataSource, log, dir, clock)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('given a recorded entry, then it cannot be changed or deleted: a change is a new version', async () => {
    await expect(t.dataSource.query(`UPDATE stamp_entry SET name = '改名' WHERE true`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.dataSource.query(`DELETE FROM stamp_list`)).rejects.toThrow(/append-only/);
  });

  it('given the OpenAPI document, then both routes are public, state the precedence rule and name their answers', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    for (const path of ['/stamp-items', '/stamp-items/check']) {
      const op = doc.paths[path].get;
      expect(op.summary).toBeTruthy();
      expect(op.description).toContain('Public: no login needed.');
      expect(op.description).toContain('a prohibition in force at any level wins over an allowance');
      expect(op['x-permissions']).toEqual([]);
      expect(op.responses['200']).toBeDefined();
      expect(JSON.stringify(op.responses['404'])).toContain('COMMUNITY_NOT_FOUND');
    }
    expect(Object.keys(doc.components.schemas.StampCheckDto.properties)).toEqual(
      expect.arrayContaining([
        'decision',
        'item',
        'legalBasis',
        'source',
        'overridden',
        'candidates',
        'message',
      ]),
    );
  });

  it('given an entry retired by a new version with an end date, then it answers until that day and not after', async () => {
    const [{ entry_key: key }] = await t.dataSource.query(
      `SELECT entry_key FROM stamp_entry WHERE name = '志愿服务记录证明'`,
    );
    await t.dataSource.transaction((m) =>
      recordEntryVersion(m, new AuditService(t.dataSource, t.app.get(Clock)), {}, key, {
        effectiveFrom: '2021-07-01',
        effectiveTo: '2026-12-31',
      }),
    );
    const on = async (date: string) =>
      (await check({ name: '志愿服务证明', community: HUBIN, date })).body.decision;
    expect(await on('2026-12-31')).toBe('allowed');
    expect(await on('2027-01-01')).toBe('not-listed');
    const versions = await t.dataSource.query(
      `SELECT version, to_char(effective_to, 'YYYY-MM-DD') AS "to" FROM stamp_entry WHERE entry_key = $1 ORDER BY version`,
      [key],
    );
    expect(versions).toEqual([
      { version: 1, to: null },
      { version: 2, to: '2026-12-31' },
    ]);
  });

  describe('entry versions', () => {
    const audit = () => new AuditService(t.dataSource, t.app.get(Clock));
    const newEntry = async (name: string) => {
      const { entries } = await publish({
        title: `${name}清单`,
        documentNumber: `测民〔2026〕${name.length}号`,
        issuedBy: '测试区民政局',
        issuedOn: '2026-01-01',
        listType: 'allowed',
        scopeCode: '339902',
        effectiveFrom: '2026-01-01',
        entries: [{ name, legalBasis: '第1项', timeLimit: { kind: 'on-the-spot' } }],
      });
      return entries[0].entryKey;
    };

    it('given a new version dated before the previous one, then 409 STAMP_ENTRY_BACKDATED and nothing recorded', async () => {
      const key = await newEntry('老年人优待证明');
      await t.dataSource.transaction((m) =>
        recordEntryVersion(m, audit(), {}, key, { effectiveFrom: '2026-06-01', legalBasis: '第2项' }),
      );
      await expect(
        t.dataSource.transaction((m) =>
          recordEntryVersion(m, audit(), {}, key, { effectiveFrom: '2026-03-01', legalBasis: '第3项' }),
        ),
      ).rejects.toMatchObject({ code: 'STAMP_ENTRY_BACKDATED', status: 409 });
      const versions = await t.dataSource.query(
        `SELECT version FROM stamp_entry WHERE entry_key = $1 ORDER BY version`,
        [key],
      );
      expect(versions).toEqual([{ version: 1 }, { version: 2 }]);
    });

    it('given two versions recorded at once, then they are numbered one after the other', async () => {
      const key = await newEntry('优抚对象证明');
      const first = t.dataSource.createQueryRunner();
      await first.connect();
      await first.startTransaction();
      try {
        await recordEntryVersion(first.manager, audit(), {}, key, { effectiveFrom: '2026-02-01' });
        const second = t.dataSource.transaction((m) =>
          recordEntryVersion(m, audit(), {}, key, { effectiveFrom: '2026-03-01' }),
        );
        // The second waits for the first (a lock or the unique index): wait until it does, then commit the first.
        for (;;) {
          const [{ waiting }] = await t.dataSource.query(
            `SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()`,
          );
          if (waiting > 0) break;
          await new Promise((r) => setImmediate(r));
        }
        await first.commitTransaction();
        await second;
      } finally {
        await first.release();
      }
      const versions = await t.dataSource.query(
        `SELECT version, to_char(effective_from, 'YYYY-MM-DD') AS "from" FROM stamp_entry WHERE entry_key = $1 ORDER BY version`,
        [key],
      );
      expect(versions).toEqual([
        { version: 1, from: '2026-01-01' },
        { version: 2, from: '2026-02-01' },
        { version: 3, from: '2026-03-01' },
      ]);
    });

    it('given a later list version in another scope, then the version is chosen before the scope', async () => {
      const { list } = await publish({
        title: '西山区临时证明事项清单',
        documentNumber: '西民〔2026〕9号',
        issuedBy: '西山区民政局',
        issuedOn: '2026-01-01',
        listType: 'allowed',
        scopeCode: '339902',
        effectiveFrom: '2026-01-01',
        entries: [
          { name: '独生子女证明', legalBasis: '西民〔2026〕9号第1项', timeLimit: { kind: 'on-the-spot' } },
        ],
      });
      // Version 2 of the list moves it to 东湖区 from 2026-07-01.
      await t.dataSource.query(
        `INSERT INTO stamp_list (id, list_key, version, title, document_number, issued_by, issued_on, list_type, scope_code, effective_from)
         VALUES (gen_random_uuid(), $1, 2, $2, $3, $4, $5, 'allowed', '339901', '2026-07-01')`,
        [list.listKey, list.title, list.documentNumber, list.issuedBy, list.issuedOn],
      );
      const on = async (community: string, date: string) =>
        (await check({ name: '独生子女证明', community, date })).body.decision;
      expect(await on(HUBIN, '2026-06-30')).toBe('allowed');
      expect(await on(HUBIN, '2026-12-01')).toBe('not-listed');
      expect(await on(XINGHUA, '2026-12-01')).toBe('allowed');
    });
  });

  describe('lists at several levels', () => {
    beforeAll(async () => {
      // An older district allowance, overtaken by the 2020 national prohibition.
      await publish({
        title: '东湖区社区出具证明事项清单',
        documentNumber: '东民〔2016〕7号',
        issuedBy: '东湖区民政局',
        issuedOn: '2016-05-10',
        listType: 'allowed',
        scopeCode: '339901',
        effectiveFrom: '2016-06-01',
        entries: [
          { name: '居民养犬证明', legalBasis: '东民〔2016〕7号第3项', timeLimit: { kind: 'on-the-spot' } },
        ],
      });
      // A district stricter than its city: 居住证明 no longer from the committees of 东湖区.
      await publish({
        title: '东湖区不再由社区出具的证明事项',
        documentNumber: '东民〔2026〕3号',
        issuedBy: '东湖区民政局 东湖区司法局',
        issuedOn: '2026-02-20',
        listType: 'prohibited',
        scopeCode: '339901',
        effectiveFrom: '2026-03-01',
        entries: [{ name: '居住证明', legalBasis: '东民〔2026〕3号第1项' }],
      });
      // A province adds two prohibitions.
      await publish({
        title: '省级不应由社区出具的证明事项（补充）',
        documentNumber: '某民发〔2021〕9号',
        issuedBy: '省民政厅',
        issuedOn: '2021-03-01',
        listType: 'prohibited',
        scopeCode: '33',
        effectiveFrom: '2021-04-01',
        entries: [
          { name: '转学证明', legalBasis: '某民发〔2021〕9号第1项' },
          { name: '缴费票据遗失证明', legalBasis: '某民发〔2021〕9号第2项' },
        ],
      });
    });

    it('given a higher-level prohibition and an older lower-level allowance, then the prohibition wins and names the allowance it overrode', async () => {
      const res = await check({ name: '养犬证明', community: XINGHUA, date: '2026-12-01' });
      expect(res.body).toMatchObject({
        decision: 'prohibited',
        source: { documentNumber: '民发〔2020〕20号' },
        overridden: [
          {
            reason: 'prohibited-elsewhere',
            item: { name: '居民养犬证明', listType: 'allowed' },
            source: {
              documentNumber: '东民〔2016〕7号',
              scope: { code: '339901', level: 'district', name: '东湖区' },
            },
          },
        ],
      });
      // Before the national list, the district allowance stood.
      const before = await check({ name: '养犬证明', community: XINGHUA, date: '2019-05-01' });
      expect(before.body).toMatchObject({
        decision: 'allowed',
        source: { documentNumber: '东民〔2016〕7号' },
      });
      expect(before.body.item.timeLimit.text).toBe('当场办结');
    });

    it('given a district prohibition under a city allowance, then its communities may not, the other district’s still may', async () => {
      const xinghua = await check({ name: '居住证明', community: XINGHUA, date: '2026-12-01' });
      expect(xinghua.body).toMatchObject({
        decision: 'prohibited',
        source: { documentNumber: '东民〔2026〕3号', scope: { level: 'district' } },
        overridden: [{ reason: 'prohibited-elsewhere', source: { documentNumber: '示民发〔2021〕15号' } }],
      });
      const hubin = await check({ name: '居住证明', community: HUBIN, date: '2026-12-01' });
      expect(hubin.body).toMatchObject({
        decision: 'allowed',
        source: { documentNumber: '示民发〔2021〕15号' },
      });
      const beforeDistrict = await check({ name: '居住证明', community: XINGHUA, date: '2026-02-28' });
      expect(beforeDistrict.body.decision).toBe('allowed');
    });

    it('given a lower-level allowance worded otherwise, then a national prohibition the text names still wins', async () => {
      await publish({
        title: '西山区社区出具证明事项清单',
        documentNumber: '西民〔2026〕5号',
        issuedBy: '西山区民政局',
        issuedOn: '2026-04-01',
        listType: 'allowed',
        scopeCode: '339902',
        effectiveFrom: '2026-04-01',
        entries: [
          {
            name: '居民养犬登记证明',
            legalBasis: '西民〔2026〕5号第1项',
            timeLimit: { kind: 'on-the-spot' },
          },
        ],
      });
      const res = await check({ name: '养犬登记证明', community: HUBIN, date: '2026-12-01' });
      expect(res.body).toMatchObject({
        decision: 'prohibited',
        item: { name: '居民养犬证明' },
        source: { documentNumber: '民发〔2020〕20号' },
        overridden: [
          {
            reason: 'prohibited-elsewhere',
            item: { name: '居民养犬登记证明', listType: 'allowed' },
            source: { documentNumber: '西民〔2026〕5号' },
          },
        ],
      });
    });

    it('given a provincial prohibition, then it applies in every community of the province and its names stay apart', async () => {
      const res = await check({ name: '开具转学证明', community: HUBIN });
      expect(res.body).toMatchObject({
        decision: 'prohibited',
        source: { documentNumber: '某民发〔2021〕9号', scope: { code: '33', level: 'province' } },
      });
      expect(res.body.source.scope.name).toContain('33');
      const national = await check({ name: '转学证明' });
      expect(national.body.decision).toBe('not-listed');
      const lost = await check({ name: '遗失证明', community: HUBIN });
      expect(lost.body.decision).toBe('not-listed');
      expect(lost.body.candidates.map((c: { name: string }) => c.name).sort()).toEqual(
        ['缴费票据遗失证明', '证件遗失证明'].sort(),
      );
    });

    it('given a prohibition of a narrower certificate (入学居住证明（义务教育入学）), then the allowed certificate asked by its very name stays allowed (it became not listed); the narrower one is prohibited', async () => {
      await publish({
        title: '示范市取消的证明事项清单',
        documentNumber: '示民发〔2026〕8号',
        issuedBy: '示范市民政局',
        issuedOn: '2026-05-01',
        listType: 'prohibited',
        scopeCode: '3399',
        effectiveFrom: '2026-05-01',
        entries: [{ name: '入学居住证明（义务教育入学）', legalBasis: '示民发〔2026〕8号第1项' }],
      });
      const plain = await check({ name: '居住证明', community: HUBIN, date: '2026-12-01' });
      expect(plain.body).toMatchObject({
        decision: 'allowed',
        source: { documentNumber: '示民发〔2021〕15号' },
      });
      const narrower = await check({ name: '入学居住证明', community: HUBIN, date: '2026-12-01' });
      expect(narrower.body).toMatchObject({
        decision: 'prohibited',
        source: { documentNumber: '示民发〔2026〕8号' },
      });
    });
  });
});
