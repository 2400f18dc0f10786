import ExcelJS from 'exceljs';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';

/** Findings of the stamp registry's review (odd input that answered 500, and the like), one test each. */
describe('the stamp registry under odd input (review)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    moveClockTo(t, '2027-01-04');
  });
  afterAll(async () => {
    await t?.close();
  });

  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const importCount = async () =>
    Number((await t.dataSource.query('SELECT count(*)::int AS n FROM stamp_import'))[0].n);

  it('given an XLSX whose date cell holds a number no calendar has (date-formatted), then the row is rejected naming the field, not a 500', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('清单');
    ws.addRow(['序号', '名称', '清单类型', '适用范围', '来源文件', '发文机关', '发文日期', '生效日期']);
    ws.addRow([1, '新证明甲', '保留', '3399', '示民发〔2027〕1号', '示范市民政局', '2027-01-01', 1e20]);
    ws.addRow([2, '新证明乙', '保留', '3399', '示民发〔2027〕1号', '同上', '2027-01-01', '2027-02-01']);
    ws.getRow(2).getCell(8).numFmt = 'yyyy-mm-dd';
    const before = await importCount();
    const res = await t
      .http()
      .post('/stamp-imports')
      .set(await auth('city-office'))
      .send({
        fileName: '日期.xlsx',
        contentBase64: Buffer.from(await wb.xlsx.writeBuffer()).toString('base64'),
      });
    expect(res.status).toBe(201);
    expect(res.body.counts).toMatchObject({ total: 2, added: 1, rejected: 1 });
    const rows = await t
      .http()
      .get(`/stamp-imports/${res.body.id}/rows`)
      .query({ outcome: 'rejected' })
      .set(await auth('city-office'));
    expect(rows.status).toBe(200);
    expect(rows.body.items).toHaveLength(1);
    expect(rows.body.items[0]).toMatchObject({ line: 2, name: '新证明甲' });
    expect(rows.body.items[0].problems).toEqual([
      expect.objectContaining({ field: 'effective_from', message: expect.stringContaining('生效日期') }),
    ]);
    expect(await importCount()).toBe(before + 1);
  });
  it('given a stamp demand for a nationally prohibited certificate whose every target community was closed before the checks ran, then the finding fails on the national list, not a pass naming no list', async () => {
    const ids: Record<string, string> = {};
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) ids[r.code] = r.id;
    const h = await auth('dept-staff');
    const d = await t
      .http()
      .post('/applications')
      .set(h)
      .send({
        kind: 'stamp',
        title: '要求社区出具居民养犬证明',
        content: '办事群众办理养犬登记时须提交社区居委会出具的证明。',
        legalBasisDocument: '东民发〔2027〕3号',
        statutoryArea: 'other',
        targetScope: 'list',
        targetCommunityIds: [ids['339901001002']],
        authorizedContent: '出具证明',
        targetPopulation: '养犬居民',
        powers: '出具证明',
        startDate: '2027-06-01',
        endDate: '2027-12-31',
        workloadHoursPerMonth: 2,
        frequency: '按需',
        fundingPerCommunityFen: 0,
        contactName: '张卫',
        contactPhone: '0571-88888888',
        certificateName: '居民养犬证明',
      });
    expect(d.status).toBe(201);
    const s = await t.http().post(`/applications/${d.body.id}/submit`).set(h).send({});
    expect(s.status).toBe(200);
    // 桃园社区 is merged into its neighbour (closed) while the application is with the department head.
    await t.dataSource.query(`UPDATE org_unit SET active = false WHERE code = '339901001002'`);
    expect(
      (await act(t, 'dept-head', s.body.instanceId, 'deptApprove', { decision: 'approve' })).status,
    ).toBe(200);
    expect((await act(t, 'office', s.body.instanceId, 'completeness', { decision: 'approve' })).status).toBe(
      200,
    );
    const res = await t
      .http()
      .get(`/applications/${d.body.id}`)
      .set(await auth('office'));
    expect(res.status).toBe(200);
    const finding = (res.body.findings as { check: string; result: string; message: string }[]).find(
      (f) => f.check === 'stamp-registry',
    );
    expect(finding).toMatchObject({ result: 'fail' });
    expect(finding!.message).toContain('民发〔2020〕20号');
  });
  it('given a name pasted with invisible characters (zero-width space and joiner, word joiner, soft hyphen, a direction mark), then it is matched as typed without them: a prohibited one still answers prohibited', async () => {
    const check = (name: string) =>
      t.http().get('/stamp-items/check').query({ name, community: '339901001001', date: '2027-01-04' });
    const prohibited = await check('居民养犬证明\u200b');
    expect(prohibited.status).toBe(200);
    expect(prohibited.body).toMatchObject({ decision: 'prohibited', item: { name: '居民养犬证明' } });
    for (const name of ['居\u200d住\u2060证明', '居住\u00ad证明', '\u202e居住证明\u202c', '\u200c居住证明']) {
      const res = await check(name);
      expect({ name, status: res.status, decision: res.body.decision }).toEqual({
        name,
        status: 200,
        decision: 'allowed',
      });
    }
  });
  it('given a proposal whose entry name is only invisible characters or punctuation, then 400 naming the field and nothing is proposed', async () => {
    const list = {
      title: '东湖区不应由社区出具的证明事项清单',
      documentNumber: '东民发〔2027〕9号',
      issuedBy: '东湖区民政局',
      issuedOn: '2027-01-02',
      listType: 'prohibited',
      effectiveFrom: '2027-02-01',
    };
    const proposals = async () =>
      Number((await t.dataSource.query('SELECT count(*)::int AS n FROM stamp_proposal'))[0].n);
    const before = await proposals();
    for (const name of ['\u200b\u200b', '！！！', '\u00ad（）']) {
      const res = await t
        .http()
        .post('/stamp-proposals')
        .set(await auth('office'))
        .send({
          scopeCode: '339901',
          summary: '东湖区新增清单',
          changes: [{ kind: 'new-list', list, entries: [{ name, legalBasis: '东民发〔2027〕9号第1项' }] }],
        });
      expect({ name, status: res.status, code: res.body.error?.code }).toEqual({
        name,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(res.body.error.details).toEqual([
        expect.objectContaining({ field: 'changes.0.entries.0.name' }),
      ]);
    }
    expect(await proposals()).toBe(before);
  });
  it('given an XLSX with formula errors (#REF! in a date cell, #N/A as a name) and a CSV saved from it, then those rows are rejected naming the column, not read as an empty date (today, open-ended) or a name', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('清单');
    ws.addRow([
      '序号',
      '名称',
      '清单类型',
      '适用范围',
      '来源文件',
      '发文机关',
      '发文日期',
      '生效日期',
      '失效日期',
    ]);
    ws.addRow([
      1,
      '新证明甲',
      '保留',
      '3399',
      '示民发〔2027〕1号',
      '示范市民政局',
      '2027-01-01',
      '2027-02-01',
      { error: '#REF!' },
    ]);
    ws.addRow([
      2,
      { error: '#N/A' },
      '保留',
      '3399',
      '示民发〔2027〕1号',
      '同上',
      '2027-01-01',
      '2027-02-01',
    ]);
    ws.addRow([3, '新证明丙', '保留', '3399', '示民发〔2027〕1号', '同上', '2027-01-01', '2027-02-01']);
    const csv = [
      'seq,name,list_type,scope,source_document,issued_by,issued,effective_from',
      '1,新证明丁,allowed,3399,示民发〔2027〕2号,示范市民政局,2027-01-01,#VALUE!',
      '2,#DIV/0!,allowed,3399,示民发〔2027〕2号,同上,2027-01-01,2027-02-01',
      '3,新证明戊,allowed,3399,示民发〔2027〕2号,同上,2027-01-01,2027-02-01',
    ].join('\n');
    for (const [fileName, content, bad] of [
      ['公式错误.xlsx', Buffer.from(await wb.xlsx.writeBuffer()), ['effective_to', 'name']],
      ['公式错误.csv', Buffer.from(csv), ['effective_from', 'name']],
    ] as const) {
      const res = await t
        .http()
        .post('/stamp-imports')
        .set(await auth('city-office'))
        .send({ fileName, contentBase64: content.toString('base64') });
      expect(res.status).toBe(201);
      expect(res.body.counts).toMatchObject({ total: 3, added: 1, rejected: 2 });
      const rows = await t
        .http()
        .get(`/stamp-imports/${res.body.id}/rows`)
        .query({ outcome: 'rejected' })
        .set(await auth('city-office'));
      expect(
        rows.body.items.map((r: { line: number; problems: { field: string; message: string }[] }) => ({
          line: r.line,
          fields: r.problems.map((x) => x.field),
          said: r.problems.some((x) => x.message.includes('错误值')),
        })),
      ).toEqual([
        { line: 2, fields: [bad[0]], said: true },
        { line: 3, fields: [bad[1]], said: true },
      ]);
    }
  });
  it('given the stamp-log counts asked for a community by a part of its name, then 404 says a code is needed (the route takes a code or id, not a name)', async () => {
    const res = await t
      .http()
      .get('/stamp-log/counts')
      .query({ from: '2027-01-01', to: '2027-01-31', community: '杏花' })
      .set(await auth('street'));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('COMMUNITY_NOT_FOUND');
    expect(res.body.error.message).toContain('社区代码');
    expect(res.body.error.message).not.toContain('可只输入其中几个字');
  });
});
