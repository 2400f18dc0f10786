import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditService } from '../src/audit/audit.service.js';
import { Clock } from '../src/common/clock.js';
import { recordEntryVersion } from '../src/stamps/stamp-lists.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';

const XINGHUA = '339901001001'; // 杏花社区, 东湖区 (339901) of 示范市 (3399)
const CITY_DOC = '示民发〔2021〕15号';
const HEADER = 'seq,name,list_type,scope,source_document,issued_by,issued,note,time_limit,effective_from';
const city = (seq: string, name: string, more = ',,', type = 'allowed', scope = '3399') =>
  `${seq},${name},${type},${scope},${CITY_DOC},同上,2021-06-15,${more}`;

/** The demo city's list as a file: one row as in force, one changed, one new, and eight broken rows. */
const MIXED = [
  HEADER,
  `1,居住证明,allowed,3399,${CITY_DOC} 《示范市社区居民委员会出具证明事项保留清单》,示范市民政局 示范市司法局,2021-06-15,,3个工作日,`,
  city('2', '生活困难证明', ',当场,'),
  city('6', '老年人优待证明', ',当场,'),
  city('7', '', ',,'),
  city('8', '健康证明', ',,2027-02-30'),
  city('9', '某某证明', ',,', 'allowed', '火星'),
  city('10', '生活困难 证明', ',当场,'),
  city('11', '长'.repeat(101), ',,'),
  city('12', '某某证明', ',,', 'maybe'),
  city('13', '租房证明', ',一周,'),
  city('14', '房屋证明', ',,', 'allowed', '339901'),
  '',
].join('\n');

describe('stamp-list imports: a dry run per row, then the good rows as a proposal (issue 13 §5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    moveClockTo(t, '2027-01-04');
  });
  afterAll(async () => {
    await t?.close();
  });

  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  /** Uploads a file as `u`; `document`, when given, is what is said once beside it. */
  const upload = async (u: string, fileName: string, content: Buffer | string, document?: unknown) =>
    t
      .http()
      .post('/stamp-imports')
      .set(await auth(u))
      .send({
        fileName,
        contentBase64: Buffer.from(content).toString('base64'),
        ...(document === undefined ? {} : { document }),
      });
  const rows = async (u: string, id: string, query: Record<string, string | number> = {}) =>
    t
      .http()
      .get(`/stamp-imports/${id}/rows`)
      .query(query)
      .set(await auth(u));
  const proposeImport = async (u: string, id: string) =>
    t
      .http()
      .post(`/stamp-imports/${id}/proposal`)
      .set(await auth(u));
  const registryRows = async () =>
    Number(
      (
        await t.dataSource.query(
          'SELECT (SELECT count(*) FROM stamp_list) + (SELECT count(*) FROM stamp_entry) AS n',
        )
      )[0].n,
    );
  const check = (name: string) =>
    t.http().get('/stamp-items/check').query({ name, community: XINGHUA, date: '2027-01-10' });

  let mixedId: string;

  it('given a CSV with good and broken rows, when the city office uploads it, then each row is told added, changed, unchanged or rejected with its reason, and the registry does not change', async () => {
    const before = await registryRows();
    const res = await upload('city-office', '示范市清单.csv', MIXED);
    expect(res.status).toBe(201);
    mixedId = res.body.id;
    expect(res.body).toMatchObject({
      fileName: '示范市清单.csv',
      format: 'csv',
      encoding: 'utf-8',
      headerLine: 1,
      document: {},
      counts: { total: 11, added: 1, changed: 1, unchanged: 1, rejected: 8 },
      comparedOn: '2027-01-04',
      proposal: null,
      canPropose: true,
      lists: [{ documentNumber: CITY_DOC, scopeCode: '3399', listType: 'allowed', rows: 3, proposable: 2 }],
    });
    expect(res.body.lists[0].listKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(await registryRows()).toBe(before);

    const all = await rows('city-office', mixedId, { pageSize: 200 });
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(11);
    const byLine = Object.fromEntries(all.body.items.map((r: { line: number }) => [r.line, r])) as Record<
      number,
      { outcome: string; changes: unknown[]; problems: { field: string | null; message: string }[] }
    >;
    expect(byLine[2].outcome).toBe('unchanged');
    expect(byLine[3]).toMatchObject({
      outcome: 'changed',
      changes: [{ field: 'timeLimit', before: '5个工作日', after: '当场办结' }],
      effectiveFrom: '2027-01-04',
    });
    expect(byLine[4]).toMatchObject({
      outcome: 'added',
      name: '老年人优待证明',
      effectiveFrom: '2027-01-04',
    });
    const reasons = (line: number) => byLine[line].problems.map((p) => p.message).join(' ');
    expect(byLine[5].problems[0].field).toBe('name');
    expect(reasons(5)).toContain('证明名称（name）须填写');
    expect(reasons(6)).toContain('须为实际存在的日期');
    expect(reasons(7)).toContain('“火星”无法识别');
    expect(reasons(8)).toContain('与第 3 行重复');
    expect(reasons(9)).toContain('最多 100 个字');
    expect(reasons(10)).toContain('须为 allowed');
    expect(reasons(11)).toContain('办理时限');
    expect(reasons(12)).toContain('不在本办公室可提出调整的范围内');
    for (const line of [5, 6, 7, 8, 9, 10, 11, 12]) expect(byLine[line].outcome).toBe('rejected');

    const rejected = await rows('city-office', mixedId, { outcome: 'rejected', page: 2, pageSize: 5 });
    expect(rejected.body).toMatchObject({ total: 8, page: 2, pageSize: 5 });
    expect(rejected.body.items.map((r: { line: number }) => r.line)).toEqual([10, 11, 12]);
    const bad = await rows('city-office', mixedId, { outcome: 'maybe' });
    expect(bad.status).toBe(400);
  });

  it('given the dry run, when another office or a committee asks for it, then it answers like a missing one (404) or forbidden (403)', async () => {
    for (const path of [`/stamp-imports/${mixedId}`, `/stamp-imports/${mixedId}/rows`]) {
      const res = await t
        .http()
        .get(path)
        .set(await auth('office'));
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('STAMP_IMPORT_NOT_FOUND');
    }
    expect((await proposeImport('office', mixedId)).status).toBe(404);
    const listOf = async (u: string) =>
      (
        await t
          .http()
          .get('/stamp-imports')
          .set(await auth(u))
      ).body.items.map((i: { id: string }) => i.id);
    expect(await listOf('city-office')).toContain(mixedId);
    expect(await listOf('office')).not.toContain(mixedId);
    const committee = await t
      .http()
      .get(`/stamp-imports/${mixedId}`)
      .set(await auth('committee'));
    expect(committee.status).toBe(403);
    expect((await upload('committee', 'a.csv', MIXED)).status).toBe(403);
    expect(
      (await t.http().post('/stamp-imports').send({ fileName: 'a.csv', contentBase64: '' })).status,
    ).toBe(401);
  });

  it('given a district office, when it uploads the city list, then the city rows are rejected as outside its scope; only its own district’s row stands', async () => {
    const res = await upload('office', '示范市清单.csv', MIXED);
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ total: 11, rejected: 10, added: 1, changed: 0, unchanged: 0 });
    expect(res.body.lists).toEqual([
      expect.objectContaining({ scopeCode: '339901', listKey: null, proposable: 1 }),
    ]);
    const items = (await rows('office', res.body.id)).body.items;
    expect(items[0].problems[0].message).toContain('不在本办公室可提出调整的范围内');
    expect(items.find((r: { line: number }) => r.line === 12).outcome).toBe('added');
  });

  it('given the dry run, when the city office proposes it and the city leader approves, then the check answers from then on, a second proposal is refused and the same file again is all unchanged', async () => {
    expect((await check('老年人优待证明')).body.decision).toBe('not-listed');
    const res = await proposeImport('city-office', mixedId);
    expect(res.status).toBe(200);
    expect(res.body.proposal).toMatchObject({
      proposalId: expect.any(String),
      instanceId: expect.any(String),
    });
    expect(res.body.canPropose).toBe(false);
    const again = await proposeImport('city-office', mixedId);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('STAMP_IMPORT_ALREADY_PROPOSED');

    const proposal = await t
      .http()
      .get(`/stamp-proposals/${res.body.proposal.proposalId}`)
      .set(await auth('city-office'));
    expect(proposal.status).toBe(200);
    expect(proposal.body).toMatchObject({ state: 'proposed', scope: { code: '3399' } });
    expect(proposal.body.diff.map((d: { kind: string }) => d.kind).sort()).toEqual([
      'add-entries',
      'change-entry',
    ]);

    const approved = await act(t, 'city-leader', res.body.proposal.instanceId, 'leaderApprove', {
      decision: 'approve',
    });
    expect(approved.status).toBe(200);
    expect((await check('老年人优待证明')).body).toMatchObject({
      decision: 'allowed',
      item: { name: '老年人优待证明', timeLimit: { kind: 'on-the-spot' } },
    });
    expect((await check('生活困难证明')).body.item.timeLimit.kind).toBe('on-the-spot');

    const before = await registryRows();
    const second = await upload('city-office', '示范市清单.csv', MIXED);
    expect(second.status).toBe(201);
    expect(second.body.counts).toEqual({
      total: 11,
      added: 0,
      changed: 0,
      unchanged: 3,
      rejected: 8,
      stillProhibited: 0,
    });
    expect(second.body.canPropose).toBe(false);
    const nothing = await proposeImport('city-office', second.body.id);
    expect(nothing.status).toBe(400);
    expect(nothing.body.error.code).toBe('STAMP_IMPORT_NOTHING_TO_PROPOSE');
    expect(await registryRows()).toBe(before);
  });

  it('given the national list shipped with the service, when the city office imports that file, then all 20 rows are unchanged', async () => {
    const file = readFileSync(join(process.cwd(), 'data/certificates-prohibited-national-2020.csv'));
    const res = await upload('city-office', 'certificates-prohibited-national-2020.csv', file);
    expect(res.status).toBe(201);
    expect(res.body.counts).toEqual({
      total: 20,
      added: 0,
      changed: 0,
      unchanged: 20,
      rejected: 0,
      stillProhibited: 0,
    });
    expect(res.body.lists).toEqual([
      expect.objectContaining({ documentNumber: '民发〔2020〕20号', scopeCode: '', listType: 'prohibited' }),
    ]);
    expect(res.body.commonProblems).toEqual([]);
    expect(res.body.scopes).toEqual([{ code: '', name: '全国' }]);
    // Its number written as other programs and hands write it is the same document: still all unchanged (each
    // was a new copy of the list, one cut to 民发〔2020〕 by a space).
    for (const written of [
      '民发[2020]20号',
      '民发（2020）20号',
      '民发〔2020〕 20号',
      '民发〔２０２０〕２０号',
    ]) {
      const again = await upload(
        'city-office',
        'certificates-prohibited-national-2020.csv',
        Buffer.from(file.toString('utf8').replaceAll('民发〔2020〕20号', written)),
      );
      expect([written, again.body.counts?.unchanged]).toEqual([written, 20]);
      expect(again.body.lists.map((l: { documentNumber: string }) => l.documentNumber)).toEqual([
        '民发〔2020〕20号',
      ]);
    }
  });

  it('given an allowed list keeping a certificate the national list prohibits (written in traditional characters too), then its row is good but says the prohibition wins, naming that list (by its name or an alias)', async () => {
    const file = [
      HEADER,
      `1,親屬關係證明,allowed,3399,${CITY_DOC},示范市民政局 示范市司法局,2021-06-15,,,`,
      city('2', '居民身份信息 证明', ',,'),
      city('3', '养犬证明', ',,'),
      city('4', '低保边缘家庭证明', ',,'),
      '',
    ].join('\n');
    const res = await upload('city-office', '保留清单.csv', file);
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ total: 4, added: 4, rejected: 0, stillProhibited: 3 });
    const listed = (await rows('city-office', res.body.id)).body.items as {
      line: number;
      outcome: string;
      notes: { field: string; message: string }[];
    }[];
    expect(listed.map((r) => [r.line, r.outcome, r.notes.length])).toEqual([
      [2, 'added', 1],
      [3, 'added', 1],
      [4, 'added', 1],
      [5, 'added', 0],
    ]);
    expect(listed[0].notes[0]).toEqual({
      field: 'name',
      message: expect.stringMatching(
        /^全国的《.+》（民发〔2020〕20号）已将“亲属关系证明”列为不应出具：禁止优先/,
      ),
    });
    expect(listed[1].notes[0].message).toContain('“居民身份信息证明”');
    // By an alias the national entry has (养犬证明 for 居民养犬证明).
    expect(listed[2].notes[0].message).toContain('“居民养犬证明”');
  });

  it('given one new list imported and proposed twice, when the leader approves both, then it is published once and the second approval answers 409 STAMP_LIST_EXISTS', async () => {
    const file = [
      HEADER,
      '1,顺序证明,allowed,3399,示民发〔2026〕88号 附件《顺序清单》,示范市民政局,2026-11-01,,,',
      '',
    ].join('\n');
    const proposals = [];
    for (const name of ['第一份.csv', '第二份.csv']) {
      const dry = await upload('city-office', name, file);
      expect(dry.body.lists).toEqual([expect.objectContaining({ listKey: null })]);
      const proposed = await proposeImport('city-office', dry.body.id);
      expect(proposed.status).toBe(200);
      proposals.push(proposed.body.proposal.instanceId as string);
    }
    expect((await act(t, 'city-leader', proposals[0], 'leaderApprove', { decision: 'approve' })).status).toBe(
      200,
    );
    const second = await act(t, 'city-leader', proposals[1], 'leaderApprove', { decision: 'approve' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('STAMP_LIST_EXISTS');
    const [{ n }] = await t.dataSource.query(
      `SELECT count(DISTINCT list_key)::int AS n FROM stamp_list WHERE document_number = '示民发〔2026〕88号'`,
    );
    expect(n).toBe(1);
    // The leader rejects it instead.
    expect(
      (
        await act(t, 'city-leader', proposals[1], 'leaderApprove', {
          decision: 'reject',
          comment: '已由另一份调整发布',
        })
      ).status,
    ).toBe(200);
  });

  it('given the national list, when a district office imports it, then the report says once why its 20 rows are rejected, naming the scopes', async () => {
    const file = readFileSync(join(process.cwd(), 'data/certificates-prohibited-national-2020.csv'));
    const res = await upload('office', 'certificates-prohibited-national-2020.csv', file);
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ total: 20, rejected: 20 });
    expect(res.body.commonProblems).toEqual([
      {
        field: 'scope',
        message: expect.stringContaining('适用范围 全国（national） 不在本办公室可提出调整的范围内'),
        rows: 20,
        firstLine: 2,
        lastLine: 21,
      },
    ]);
    expect(res.body.commonProblems[0].message).toMatch(/本办公室可提出：[^（]+区（339901）/);
    expect(res.body.scopes).toEqual([{ code: '', name: '全国' }]);
    const again = await t
      .http()
      .get(`/stamp-imports/${res.body.id}`)
      .set(await auth('office'));
    expect(again.body.commonProblems).toEqual(res.body.commonProblems);
  });

  it('given an XLSX with a province list, when the city office imports and proposes it, then a new list is proposed in the province scope', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('省清单');
    ws.addRow(['序号', '名称', '清单类型', '适用范围', '来源文件', '发文机关', '发文日期', '生效日期']);
    ws.addRow([
      1,
      '转学证明',
      '禁止',
      '33',
      '省民发〔2026〕9号 附件《省不应由社区出具证明事项》',
      '省民政厅',
      '2026-12',
      new Date(Date.UTC(2027, 1, 1)),
    ]);
    ws.addRow([2, '缴费票据遗失证明', '禁止', '33', '省民发〔2026〕9号 附件', '同上', '2026-12']);
    const res = await upload('city-office', '省清单.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      format: 'xlsx',
      encoding: null,
      counts: { total: 2, added: 2, rejected: 0 },
      lists: [
        { documentNumber: '省民发〔2026〕9号', scopeCode: '33', listType: 'prohibited', listKey: null },
      ],
    });
    const proposed = await proposeImport('city-office', res.body.id);
    expect(proposed.status).toBe(200);
    const p = await t
      .http()
      .get(`/stamp-proposals/${proposed.body.proposal.proposalId}`)
      .set(await auth('city-office'));
    expect(p.body).toMatchObject({ scope: { code: '33' }, origin: 'import' });
    expect(p.body.diff[0]).toMatchObject({ kind: 'new-list', effectiveDate: '2027-02-01' });
  });

  it('given a published list as it is published (a title row, then only 序号, 证明事项名称, 设定依据) and its type, scope, document, issuing body and date given once beside it, then every row is read with them and a new list is proposed; without them the header answers 400 naming the missing columns', async () => {
    const published = [
      '附件 示范市东湖区保留的证明事项清单（2026年）,,',
      '序号,证明事项名称,设定依据',
      '1,养犬登记居住证明,《示范市养犬管理条例》第十二条',
      '2,临时救助困难情况证明,《社会救助暂行办法》第四十九条',
      '',
    ].join('\n');
    const document = {
      listType: '保留',
      scope: '339901',
      sourceDocument: '东民发〔2026〕3号 附件《东湖区保留的证明事项清单》',
      issuedBy: '东湖区民政局',
      issued: '2026-11',
    };
    const res = await upload('office', '东湖区清单.csv', published, document);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      // What was said beside the file is kept with the import, as given (trimmed), and where its header was.
      headerLine: 2,
      document,
      counts: { total: 2, added: 2, rejected: 0 },
      lists: [
        {
          documentNumber: '东民发〔2026〕3号',
          scopeCode: '339901',
          listType: 'allowed',
          title: '东湖区保留的证明事项清单',
          listKey: null,
        },
      ],
    });
    const items = (await rows('office', res.body.id)).body.items;
    expect(items.map((r: { line: number; outcome: string }) => [r.line, r.outcome])).toEqual([
      [3, 'added'],
      [4, 'added'],
    ]);
    expect((await proposeImport('office', res.body.id)).status).toBe(200);

    // A value given beside the file is checked as a cell: a list type that is none rejects every row, naming it.
    const badType = await upload('office', '东湖区清单.csv', published, { ...document, listType: 'maybe' });
    expect(badType.status).toBe(201);
    expect(badType.body.counts).toMatchObject({ total: 2, rejected: 2 });
    const bad = (await rows('office', badType.body.id)).body.items;
    expect(bad[0].problems.map((p: { field: string }) => p.field)).toEqual(['list_type']);

    // What is no document: a list of values, 同上 (there is no row above it).
    for (const [bad, field] of [
      [[document], 'document'],
      [{ ...document, issuedBy: '同上' }, 'document.issuedBy'],
      [{ ...document, issuedBy: ' 同上 ' }, 'document.issuedBy'],
    ] as const) {
      const refused = await upload('office', '东湖区清单.csv', published, bad);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }

    const without = await upload('office', '东湖区清单.csv', published);
    expect(without.status).toBe(400);
    expect(without.body.error.code).toBe('STAMP_IMPORT_FILE_INVALID');
    expect(JSON.stringify(without.body.error.details)).toMatch(
      /list_type.*scope.*source_document.*issued_by.*issued/,
    );
  });

  it('given rows of two scopes, then the dry run stands but the proposal asks to split the file', async () => {
    const file = [
      HEADER,
      `1,邻里纠纷调解证明,allowed,3399,${CITY_DOC},示范市民政局 示范市司法局,2021-06-15,,,`,
      '1,独生子女证明,prohibited,33,省民发〔2026〕10号,省民政厅,2026-12,,,',
    ].join('\n');
    const res = await upload('city-office', 'two.csv', file);
    expect(res.body.counts).toMatchObject({ added: 2 });
    expect(res.body.canPropose).toBe(false);
    const proposed = await proposeImport('city-office', res.body.id);
    expect(proposed.status).toBe(400);
    expect(proposed.body.error).toMatchObject({
      code: 'STAMP_IMPORT_SEVERAL_SCOPES',
      details: { scopeCodes: ['3399', '33'] },
    });
    expect(
      (
        await t
          .http()
          .get(`/stamp-imports/${res.body.id}`)
          .set(await auth('city-office'))
      ).body.proposal,
    ).toBe(null);
  });

  it('given a dry run, when it is proposed twice at the same moment, then one proposal is made and the other answers 409', async () => {
    const file = [
      HEADER,
      `4,公共租赁住房申请家庭住房情况证明,allowed,3399,${CITY_DOC},示范市民政局 示范市司法局,2021-06-15,,10个工作日,`,
    ].join('\n');
    const res = await upload('city-office', 'race.csv', file);
    expect(res.body.counts.changed).toBe(1);
    const count = async () =>
      Number((await t.dataSource.query('SELECT count(*) AS n FROM stamp_proposal'))[0].n);
    const before = await count();
    const answers = await Promise.all([
      proposeImport('city-office', res.body.id),
      proposeImport('city-office', res.body.id),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('STAMP_IMPORT_ALREADY_PROPOSED');
    expect(await count()).toBe(before + 1);
  });

  it('given a dry run, when the registry changes the entry before it is proposed, then the proposal answers 409 stale and nothing is proposed', async () => {
    const file = [
      HEADER,
      `3,志愿服务记录证明,allowed,3399,${CITY_DOC},示范市民政局 示范市司法局,2021-06-15,,2个工作日,`,
    ].join('\n');
    const res = await upload('city-office', 'stale.csv', file);
    expect(res.body.counts.changed).toBe(1);
    const [row] = (await rows('city-office', res.body.id)).body.items;
    await t.dataSource.transaction((m) =>
      recordEntryVersion(m, new AuditService(t.dataSource, t.app.get(Clock)), {}, row.entryKey, {
        timeLimit: { kind: 'working-days', workingDays: 2 },
        effectiveFrom: '2027-01-04',
      }),
    );
    const proposals = Number((await t.dataSource.query('SELECT count(*) AS n FROM stamp_proposal'))[0].n);
    const proposed = await proposeImport('city-office', res.body.id);
    expect(proposed.status).toBe(409);
    expect(proposed.body.error.code).toBe('STAMP_IMPORT_STALE');
    expect(Number((await t.dataSource.query('SELECT count(*) AS n FROM stamp_proposal'))[0].n)).toBe(
      proposals,
    );
  });

  it('given a file over 2 MB, a name that is not .csv/.xlsx, a workbook named .csv or a header without its columns, then 413, 415, 415 and 400', async () => {
    const big = await upload('city-office', 'big.csv', `${HEADER}\n${'x'.repeat(2 * 1024 * 1024)}`);
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('STAMP_IMPORT_TOO_LARGE');
    const txt = await upload('city-office', 'list.txt', MIXED);
    expect(txt.status).toBe(415);
    expect(txt.body.error.code).toBe('STAMP_IMPORT_TYPE_NOT_ALLOWED');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('a').addRow(['x']);
    const disguised = await upload('city-office', 'list.csv', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(disguised.status).toBe(415);
    const header = await upload('city-office', 'list.csv', 'name,scope\n居住证明,3399\n');
    expect(header.status).toBe(400);
    expect(header.body.error.code).toBe('STAMP_IMPORT_FILE_INVALID');
    expect(JSON.stringify(header.body.error.details)).toContain('list_type');
    const count = Number(
      (
        await t.dataSource.query(
          `SELECT count(*) AS n FROM stamp_import WHERE file_name IN ('big.csv', 'list.txt', 'list.csv')`,
        )
      )[0].n,
    );
    expect(count).toBe(0);
    const missing = await t
      .http()
      .get('/stamp-imports/00000000-0000-4000-8000-000000000000')
      .set(await auth('city-office'));
    expect(missing.status).toBe(404);
    expect(
      (
        await t
          .http()
          .get('/stamp-imports/nope')
          .set(await auth('city-office'))
      ).status,
    ).toBe(404);
  });
});
