import pg from 'pg';
import { StampChangeProposals } from '../src/stamps/stamp-changes.js';
import { StampProposalsService } from '../src/stamps/stamp-proposals.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, openTask } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import { waitFor } from './helpers/timers.js';

const XINGHUA = '339901001001'; // 杏花社区, 东湖区 (339901) of 示范市 (3399)
const HUBIN = '339902001001'; // 湖滨社区, 西山区 (339902) of 示范市
const CITY_DOC = '示民发〔2021〕15号';

describe('stamp-list changes as an approval flow (workflows/stamp-list.bpmn)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    moveClockTo(t, '2027-01-04');
  });
  afterAll(async () => {
    await t?.close();
  });

  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const propose = async (u: string, body: Record<string, unknown>) =>
    t
      .http()
      .post('/stamp-proposals')
      .set(await auth(u))
      .send(body);
  const proposal = async (u: string, id: string) =>
    t
      .http()
      .get(`/stamp-proposals/${id}`)
      .set(await auth(u));
  const check = (name: string, community: string, date: string) =>
    t.http().get('/stamp-items/check').query({ name, community, date });
  const proposalCount = async () =>
    Number((await t.dataSource.query('SELECT count(*)::int AS n FROM stamp_proposal'))[0].n);
  const registryRows = async () =>
    Number(
      (
        await t.dataSource.query(
          'SELECT (SELECT count(*) FROM stamp_list) + (SELECT count(*) FROM stamp_entry) AS n',
        )
      )[0].n,
    );

  /** The demo city list (示范市, 3399) and its entries by name, read over the public routes. */
  async function cityList(): Promise<{ listKey: string; entries: Record<string, string> }> {
    const lists = await t.http().get('/stamp-lists').query({ scope: '3399', type: 'allowed' });
    expect(lists.status).toBe(200);
    const row = lists.body.items.find((l: { documentNumber: string }) => l.documentNumber === CITY_DOC);
    const detail = await t.http().get(`/stamp-lists/${row.listKey}`);
    expect(detail.status).toBe(200);
    return {
      listKey: row.listKey,
      entries: Object.fromEntries(
        detail.body.entryHistory.map((e: { name: string; entryKey: string }) => [e.name, e.entryKey]),
      ),
    };
  }

  const districtProhibition = (documentNumber: string, effectiveFrom: string) => ({
    scopeCode: '339901',
    summary: '东湖区不再由社区出具居住证明，改由派出所核查',
    changes: [
      {
        kind: 'new-list',
        list: {
          title: '东湖区不应由社区出具的证明事项清单',
          documentNumber,
          issuedBy: '东湖区民政局',
          issuedOn: '2027-01-02',
          listType: 'prohibited',
          effectiveFrom,
        },
        entries: [
          {
            seq: 1,
            name: '居住证明',
            aliases: ['住址证明'],
            legalBasis: `${documentNumber} 第1项`,
          },
        ],
      },
    ],
  });

  it('given one set naming the same new list twice, then 409 STAMP_LIST_EXISTS and nothing is proposed', async () => {
    const once = districtProhibition('东民发〔2027〕77号', '2027-02-01');
    const twice = { ...once, changes: [once.changes[0], once.changes[0]] };
    const res = await propose('office', twice);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('STAMP_LIST_EXISTS');
    expect(res.body.error.details).toMatchObject({ field: 'changes.1.list.documentNumber' });
  });

  it('given the district office proposes a new prohibited list, when the leader approves, then it is published and the check answers prohibited from its effective date, as before on the day before', async () => {
    const before = await check('居住证明', XINGHUA, '2027-02-01');
    expect(before.body.decision).toBe('allowed');

    const res = await propose('office', districtProhibition('东民发〔2027〕1号', '2027-02-01'));
    expect(res.status).toBe(201);
    const { proposalId, instanceId } = res.body;

    const open = await proposal('office', proposalId);
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({
      state: 'proposed',
      stateName: '待审批',
      instanceId,
      scope: { code: '339901', level: 'district', name: '东湖区' },
      origin: 'typed',
      changesText: '新增清单1项',
      proposerUnitName: '东湖区社区建设工作领导小组办公室',
    });
    const [diff] = open.body.diff;
    expect(diff).toMatchObject({
      kind: 'new-list',
      kindName: '新增清单',
      effectiveDate: '2027-02-01',
      list: {
        listKey: null,
        documentNumber: '东民发〔2027〕1号',
        listType: 'prohibited',
        scopeCode: '339901',
      },
      entry: null,
      retired: [],
    });
    expect(diff.fields).toContainEqual({
      field: 'listType',
      label: '清单类型',
      before: null,
      after: '不应出具',
    });
    expect(diff.added).toHaveLength(1);
    expect(diff.added[0].name).toBe('居住证明');
    expect(diff.added[0].fields).toContainEqual({
      field: 'aliases',
      label: '常用叫法',
      before: null,
      after: '住址证明',
    });
    // Proposed is not published: the answers stand.
    expect((await check('居住证明', XINGHUA, '2027-02-01')).body.decision).toBe('allowed');

    // The leader sees the diff on the task, then approves.
    expect((await proposal('leader', proposalId)).body.diff).toEqual(open.body.diff);
    const approved = await act(t, 'leader', instanceId, 'leaderApprove', {
      decision: 'approve',
      comment: '同意，自2月1日起执行',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('completed');
    // The approval published the set: it cannot be taken back (撤回) any more.
    const [leaderTask] = await t.dataSource.query(
      `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'leaderApprove'`,
      [instanceId],
    );
    const withdraw = await t
      .http()
      .post(`/tasks/${leaderTask.id}/withdraw`)
      .set(await auth('leader'))
      .send({});
    expect([withdraw.status, withdraw.body.error.code]).toEqual([409, 'WITHDRAW_NOT_POSSIBLE']);
    // Nor is it offered (the case is over).
    const leaderView = await t
      .http()
      .get(`/tasks/${leaderTask.id}`)
      .set(await auth('leader'));
    expect(leaderView.body.actions.withdraw).toBe(false);

    const done = await proposal('office', proposalId);
    expect(done.body).toMatchObject({
      state: 'published',
      stateName: '已发布',
      decisionComment: '同意，自2月1日起执行',
      deciderName: '孙正（区领导小组组长）',
    });
    expect(done.body.publishedAt).toBeTruthy();
    // The diff stays the one the leader approved (against what was in force before).
    expect(done.body.diff).toEqual(open.body.diff);

    const after = await check('居住证明', XINGHUA, '2027-02-01');
    expect(after.body).toMatchObject({
      decision: 'prohibited',
      source: { documentNumber: '东民发〔2027〕1号', scope: { code: '339901' } },
    });
    expect(
      after.body.overridden.map((o: { source: { documentNumber: string } }) => o.source.documentNumber),
    ).toContain(CITY_DOC);
    expect((await check('居住证明', XINGHUA, '2027-01-31')).body.decision).toBe('allowed');
    // Another district of the city is not in the scope.
    expect((await check('居住证明', HUBIN, '2027-02-01')).body.decision).toBe('allowed');

    const actions: { action: string }[] = await t.dataSource.query(
      `SELECT action FROM audit_record WHERE entity_id = $1 ORDER BY seq`,
      [proposalId],
    );
    expect(actions.map((a) => a.action)).toEqual([
      'stamp-proposal.proposed',
      'stamp-proposal.approved',
      'stamp-proposal.published',
    ]);
    const lists = await t.http().get('/stamp-lists').query({ scope: '339901' });
    expect(lists.body.items).toEqual([
      expect.objectContaining({
        documentNumber: '东民发〔2027〕1号',
        listType: 'prohibited',
        status: 'not-yet',
        scope: { code: '339901', level: 'district', name: '东湖区' },
        versions: 1,
        entries: 1,
      }),
    ]);
  });

  it('given the city office changes one entry, retires another and adds a third, when the city leader approves, then each shows from its own date and the list shows the version history', async () => {
    const city = await cityList();
    const res = await propose('city-office', {
      scopeCode: '3399',
      summary: '居住证明一个工作日办结；生活困难证明改由街道核查；增加公益性岗位在岗证明',
      changes: [
        {
          kind: 'change-entry',
          entryKey: city.entries['居住证明'],
          change: {
            effectiveFrom: '2027-03-01',
            timeLimit: { kind: 'working-days', workingDays: 1 },
            aliases: ['居住情况证明', '住址证明', '居住地证明'],
          },
        },
        { kind: 'retire-entry', entryKey: city.entries['生活困难证明'], lastDay: '2027-02-28' },
        {
          kind: 'add-entries',
          listKey: city.listKey,
          entries: [
            {
              name: '公益性岗位在岗证明',
              legalBasis: '示民发〔2027〕3号第1项',
              timeLimit: { kind: 'on-the-spot' },
              effectiveFrom: '2027-03-01',
            },
          ],
        },
      ],
    });
    expect(res.status).toBe(201);
    const open = await proposal('city-office', res.body.proposalId);
    const [change, retire, add] = open.body.diff;
    expect(change).toMatchObject({
      kind: 'change-entry',
      effectiveDate: '2027-03-01',
      entry: { entryKey: city.entries['居住证明'], name: '居住证明' },
      list: { listKey: city.listKey, documentNumber: CITY_DOC },
    });
    expect(change.fields).toEqual([
      {
        field: 'aliases',
        label: '常用叫法',
        before: '居住情况证明、住址证明',
        after: '居住情况证明、住址证明、居住地证明',
      },
      { field: 'timeLimit', label: '办理时限', before: '3个工作日内办结', after: '1个工作日内办结' },
      { field: 'effectiveFrom', label: '生效日期', before: '2021-07-01', after: '2027-03-01' },
    ]);
    expect(retire).toMatchObject({
      kind: 'retire-entry',
      effectiveDate: '2027-03-01',
      fields: [{ field: 'effectiveTo', before: '长期有效', after: '2027-02-28' }],
      retired: [{ entryKey: city.entries['生活困难证明'], name: '生活困难证明' }],
    });
    expect(add).toMatchObject({ kind: 'add-entries', effectiveDate: '2027-03-01' });
    expect(add.added.map((e: { name: string }) => e.name)).toEqual(['公益性岗位在岗证明']);
    expect(open.body.changesText).toBe('修改事项1项、废止事项1项、增加事项1项');

    // The district leader is not the city's: the task is the city leader's.
    await expect(openTask(t, 'leader', res.body.instanceId, 'leaderApprove')).rejects.toThrow();
    expect(
      (await act(t, 'city-leader', res.body.instanceId, 'leaderApprove', { decision: 'approve' })).status,
    ).toBe(200);

    const feb = await check('居住证明', HUBIN, '2027-02-28');
    expect(feb.body.item.timeLimit.text).toBe('3个工作日内办结');
    const mar = await check('居住证明', HUBIN, '2027-03-01');
    expect(mar.body).toMatchObject({ decision: 'allowed', item: { version: 2 } });
    expect(mar.body.item.timeLimit.text).toBe('1个工作日内办结');
    expect((await check('生活困难证明', HUBIN, '2027-02-28')).body.decision).toBe('allowed');
    expect((await check('生活困难证明', HUBIN, '2027-03-01')).body.decision).toBe('not-listed');
    expect((await check('公益性岗位在岗证明', HUBIN, '2027-02-28')).body.decision).toBe('not-listed');
    expect((await check('公益性岗位在岗证明', HUBIN, '2027-03-01')).body.decision).toBe('allowed');

    const detail = await t.http().get(`/stamp-lists/${city.listKey}`);
    const history = detail.body.entryHistory.find((e: { name: string }) => e.name === '居住证明');
    expect(history.versions).toHaveLength(2);
    // Today (2027-01-04) the first version still answers: the list shows it as the one in force.
    expect(history).toMatchObject({ status: 'in-force', currentVersion: 1 });
    expect(history.versions[1].changes).toContainEqual({
      field: 'timeLimit',
      label: '办理时限',
      before: '3个工作日内办结',
      after: '1个工作日内办结',
    });
    const retired = detail.body.entryHistory.find((e: { name: string }) => e.name === '生活困难证明');
    expect(retired.versions.map((v: { effectiveTo: string | null }) => v.effectiveTo)).toEqual([
      null,
      '2027-02-28',
    ]);
    // The published proposal keeps the diff the leader approved, not the (now empty) live one.
    expect((await proposal('city-office', res.body.proposalId)).body.diff[0].fields).toEqual(change.fields);
  });

  it('given the leader rejects, then a comment is required, the proposal ends rejected with it and nothing is published', async () => {
    const rows = await registryRows();
    const res = await propose('office', districtProhibition('东民发〔2027〕9号', '2027-04-01'));
    expect(res.status).toBe(201);
    const bare = await act(t, 'leader', res.body.instanceId, 'leaderApprove', { decision: 'reject' });
    expect(bare.status).toBe(400);
    const rejected = await act(t, 'leader', res.body.instanceId, 'leaderApprove', {
      decision: 'reject',
      comment: '与市级清单冲突，请先与市办沟通',
    });
    expect(rejected.status).toBe(200);
    expect((await proposal('office', res.body.proposalId)).body).toMatchObject({
      state: 'rejected',
      stateName: '不予调整',
      decisionComment: '与市级清单冲突，请先与市办沟通',
      publishedAt: null,
    });
    expect(await registryRows()).toBe(rows);
    const mine = await t
      .http()
      .get('/stamp-proposals')
      .query({ state: 'rejected' })
      .set(await auth('office'));
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((p: { id: string }) => p.id)).toContain(res.body.proposalId);
    expect(mine.body.items.every((p: { state: string }) => p.state === 'rejected')).toBe(true);
  });

  it('given the office terminates a proposal’s case, then the proposal ends not adopted with the reason, and nothing is published', async () => {
    const rows = await registryRows();
    const res = await propose('office', districtProhibition('东民发〔2027〕10号', '2027-04-01'));
    expect(res.status).toBe(201);
    const ended = await t
      .http()
      .post(`/workflow-instances/${res.body.instanceId}/terminate`)
      .set(await auth('office'))
      .send({ comment: '文件尚未印发，撤回' });
    expect(ended.status).toBe(200);
    expect((await proposal('office', res.body.proposalId)).body).toMatchObject({
      state: 'rejected',
      decisionComment: '案件终止：文件尚未印发，撤回',
    });
    expect(await registryRows()).toBe(rows);
  });

  it('given a proposal outside the proposer’s scope, then 403 with a code; the city office may enter national and provincial lists', async () => {
    const city = await cityList();
    const n = await proposalCount();
    const body = districtProhibition('测试〔2027〕1号', '2027-05-01');
    for (const [user, scopeCode] of [
      ['office', '3399'],
      ['office', ''],
      ['office', '339902'],
      ['city-office', '339901'],
      ['city-office', '44'],
    ] as const) {
      const res = await propose(user, { ...body, scopeCode });
      expect([user, scopeCode, res.status, res.body.error?.code]).toEqual([
        user,
        scopeCode,
        403,
        'STAMP_PROPOSAL_OUT_OF_SCOPE',
      ]);
    }
    // A district office cannot change the city's list by naming its own scope.
    const foreign = await propose('office', {
      scopeCode: '339901',
      summary: '改市级清单',
      changes: [{ kind: 'retire-entry', entryKey: city.entries['志愿服务记录证明'], lastDay: '2027-06-30' }],
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('STAMP_PROPOSAL_OUT_OF_SCOPE');
    for (const user of ['committee', 'leader', 'dept-staff']) {
      const res = await propose(user, { ...body, scopeCode: '339901' });
      expect([user, res.status]).toEqual([user, 403]);
    }
    expect(await proposalCount()).toBe(n);

    const national = await propose('city-office', {
      ...body,
      scopeCode: '',
      summary: '录入国家文件',
    });
    expect(national.status).toBe(201);
    const province = await propose('city-office', { ...body, scopeCode: '33', summary: '录入省级文件' });
    expect(province.status).toBe(201);

    // Reading: the city office sees its districts' proposals; a district office not the city's.
    expect((await proposal('office', national.body.proposalId)).status).toBe(404);
    expect((await proposal('committee', national.body.proposalId)).status).toBe(403);
    const cityReads = await t
      .http()
      .get('/stamp-proposals')
      .query({ pageSize: 200 })
      .set(await auth('city-office'));
    const districtReads = await t
      .http()
      .get('/stamp-proposals')
      .query({ pageSize: 200 })
      .set(await auth('office'));
    const cityIds = cityReads.body.items.map((p: { id: string }) => p.id);
    const districtIds = districtReads.body.items.map((p: { id: string }) => p.id);
    expect(cityIds).toEqual(expect.arrayContaining([national.body.proposalId, ...districtIds]));
    expect(districtIds).not.toContain(national.body.proposalId);
  });

  it('given bad input, then 400 naming the field or 404 for unknown keys, and nothing is written', async () => {
    const city = await cityList();
    const n = await proposalCount();
    const rows = await registryRows();
    const empty = await propose('city-office', { scopeCode: '3399', summary: '空', changes: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.map((d: { field: string }) => d.field)).toContain('changes');

    const badDate = districtProhibition('东民发〔2027〕5号', '2027-02-30');
    const bd = await propose('office', badDate);
    expect(bd.status).toBe(400);
    expect(bd.body.error.details.map((d: { field: string }) => d.field)).toEqual([
      'changes.0.list.effectiveFrom',
    ]);

    const noName = districtProhibition('东民发〔2027〕6号', '2027-02-01');
    (noName.changes[0].entries as Record<string, unknown>[])[0].name = '  ';
    (noName.changes[0].list as Record<string, unknown>).listType = 'maybe';
    const nn = await propose('office', noName);
    expect(nn.status).toBe(400);
    expect(nn.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'changes.0.entries.0.name',
      'changes.0.list.listType',
    ]);

    const unknownList = await propose('city-office', {
      scopeCode: '3399',
      summary: '加事项',
      changes: [
        {
          kind: 'add-entries',
          listKey: '00000000-0000-4000-8000-000000000000',
          entries: [{ name: '某证明', legalBasis: '某文件' }],
        },
      ],
    });
    expect([unknownList.status, unknownList.body.error.code]).toEqual([404, 'STAMP_LIST_NOT_FOUND']);
    const unknownEntry = await propose('city-office', {
      scopeCode: '3399',
      summary: '废止',
      changes: [{ kind: 'retire-entry', entryKey: 'not-a-key', lastDay: '2027-06-30' }],
    });
    expect([unknownEntry.status, unknownEntry.body.error.code]).toEqual([404, 'STAMP_ENTRY_NOT_FOUND']);

    const early = await propose('city-office', {
      scopeCode: '3399',
      summary: '废止',
      changes: [{ kind: 'retire-entry', entryKey: city.entries['志愿服务记录证明'], lastDay: '2021-06-30' }],
    });
    expect([early.status, early.body.error.code]).toEqual([400, 'STAMP_RETIREMENT_BEFORE_START']);
    const earlyList = await propose('city-office', {
      scopeCode: '3399',
      summary: '废止清单',
      changes: [{ kind: 'retire-list', listKey: city.listKey, lastDay: '2020-12-31' }],
    });
    expect([earlyList.status, earlyList.body.error.code]).toEqual([400, 'STAMP_RETIREMENT_BEFORE_START']);

    const same = await propose('city-office', {
      scopeCode: '3399',
      summary: '不变',
      changes: [
        {
          kind: 'change-entry',
          entryKey: city.entries['志愿服务记录证明'],
          change: { effectiveFrom: '2027-06-01', name: '志愿服务记录证明' },
        },
      ],
    });
    expect(same.status).toBe(400);
    expect(same.body.error.details[0].field).toBe('changes.0.change');

    const wrongKind = await propose('city-office', {
      scopeCode: '3399',
      summary: 'x',
      changes: [{ kind: 'drop' }],
    });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.error.details[0].field).toBe('changes.0.kind');

    expect(await proposalCount()).toBe(n);
    expect(await registryRows()).toBe(rows);

    const missing = await proposal('office', '00000000-0000-4000-8000-000000000000');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'STAMP_PROPOSAL_NOT_FOUND']);
    expect((await t.http().get('/stamp-lists/nope')).status).toBe(404);
    expect((await t.http().get('/stamp-lists').query({ scope: 'abc' })).status).toBe(400);
  });

  it('given a whole list retired, then its entries leave the answers after the last day and the list keeps both versions', async () => {
    const created = await propose('office', districtProhibition('东民发〔2027〕12号', '2027-06-01'));
    await act(t, 'leader', created.body.instanceId, 'leaderApprove', { decision: 'approve' });
    const list = (
      await t.http().get('/stamp-lists').query({ scope: '339901', pageSize: 200 })
    ).body.items.find((l: { documentNumber: string }) => l.documentNumber === '东民发〔2027〕12号');
    const retire = await propose('office', {
      scopeCode: '339901',
      summary: '清单到期废止',
      changes: [{ kind: 'retire-list', listKey: list.listKey, lastDay: '2027-06-30' }],
    });
    expect(retire.status).toBe(201);
    const diff = (await proposal('office', retire.body.proposalId)).body.diff[0];
    expect(diff).toMatchObject({ kind: 'retire-list', effectiveDate: '2027-07-01' });
    expect(diff.retired.map((e: { name: string }) => e.name)).toEqual(['居住证明']);
    await act(t, 'leader', retire.body.instanceId, 'leaderApprove', { decision: 'approve' });
    const detail = await t.http().get(`/stamp-lists/${list.listKey}`);
    expect(detail.body.listVersions.map((v: { effectiveTo: string | null }) => v.effectiveTo)).toEqual([
      null,
      '2027-06-30',
    ]);
    // The first district prohibition (东民发〔2027〕1号) still holds; this one no longer names the deciding entry.
    const july = await check('居住证明', XINGHUA, '2027-07-01');
    expect(july.body.source.documentNumber).toBe('东民发〔2027〕1号');
    const again = await propose('office', {
      scopeCode: '339901',
      summary: '再废止',
      changes: [{ kind: 'retire-list', listKey: list.listKey, lastDay: '2027-08-31' }],
    });
    expect([again.status, again.body.error.code]).toEqual([409, 'STAMP_ALREADY_RETIRED']);
  });

  it('given another approved change made a proposal backdated, when the leader approves it, then 409 and the task stays open, nothing written', async () => {
    const city = await cityList();
    const entryKey = city.entries['社区矫正对象公益活动参加情况证明'];
    const change = async (summary: string, effectiveFrom: string) =>
      (
        await propose('city-office', {
          scopeCode: '3399',
          summary,
          changes: [{ kind: 'change-entry', entryKey, change: { effectiveFrom, purpose: summary } }],
        })
      ).body as { proposalId: string; instanceId: string };
    const later = await change('十月起的用途', '2027-10-01');
    const earlier = await change('九月起的用途', '2027-09-15');
    expect(
      (await act(t, 'city-leader', later.instanceId, 'leaderApprove', { decision: 'approve' })).status,
    ).toBe(200);
    const rows = await registryRows();
    const refused = await act(t, 'city-leader', earlier.instanceId, 'leaderApprove', { decision: 'approve' });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'STAMP_ENTRY_BACKDATED']);
    expect(await registryRows()).toBe(rows);
    expect((await proposal('city-office', earlier.proposalId)).body.state).toBe('proposed');
    // The task is still there to reject.
    expect(
      (
        await act(t, 'city-leader', earlier.instanceId, 'leaderApprove', {
          decision: 'reject',
          comment: '已有十月起的新版本，请重新提出',
        })
      ).status,
    ).toBe(200);
  });

  it('given the leader completes the approval twice at the same moment, then one succeeds and the set is published once', async () => {
    const city = await cityList();
    const res = await propose('city-office', {
      scopeCode: '3399',
      summary: '志愿服务记录证明两个工作日办结',
      changes: [
        {
          kind: 'change-entry',
          entryKey: city.entries['志愿服务记录证明'],
          change: { effectiveFrom: '2027-08-01', timeLimit: { kind: 'working-days', workingDays: 2 } },
        },
      ],
    });
    const taskId = await openTask(t, 'city-leader', res.body.instanceId, 'leaderApprove');
    const post = async () =>
      t
        .http()
        .post(`/tasks/${taskId}/complete`)
        .set(await auth('city-leader'))
        .send({ decision: 'approve' });
    const answers = await Promise.all([post(), post()]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const versions = await t.dataSource.query('SELECT version FROM stamp_entry WHERE entry_key = $1', [
      city.entries['志愿服务记录证明'],
    ]);
    expect(versions).toHaveLength(2);
    expect((await proposal('city-office', res.body.proposalId)).body.state).toBe('published');
  });

  it('given two proposals change the same entry and are approved at the same moment, then both publish, one after the other, with distinct versions', async () => {
    const city = await cityList();
    const entryKey = city.entries['公共租赁住房申请家庭住房情况证明'];
    const one = async (summary: string, purpose: string) =>
      (
        await propose('city-office', {
          scopeCode: '3399',
          summary,
          changes: [{ kind: 'change-entry', entryKey, change: { effectiveFrom: '2027-09-01', purpose } }],
        })
      ).body as { instanceId: string };
    const a = await one('用途一', '申请公共租赁住房');
    const b = await one('用途二', '申请公共租赁住房或租赁补贴');
    const ta = await openTask(t, 'city-leader', a.instanceId, 'leaderApprove');
    const tb = await openTask(t, 'city-leader', b.instanceId, 'leaderApprove');
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      // Hold the entry's lock: both approvals reach it and wait, then go one at a time.
      await holder.query(`SELECT pg_advisory_lock(hashtextextended('stamp_entry:' || $1, 0))`, [entryKey]);
      const token = await t.token('city-leader');
      const approve = (id: string) =>
        t
          .http()
          .post(`/tasks/${id}/complete`)
          .set('Authorization', `Bearer ${token}`)
          .send({ decision: 'approve' });
      const both = Promise.all([approve(ta), approve(tb)]);
      await waitFor(
        'both approvals waiting for the entry',
        async () =>
          (
            await holder.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
            )
          ).rows[0].n >= 2,
        25_000,
      );
      await holder.query(`SELECT pg_advisory_unlock(hashtextextended('stamp_entry:' || $1, 0))`, [entryKey]);
      const answers = await both;
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
    } finally {
      await holder.end();
    }
    const versions: { version: number }[] = await t.dataSource.query(
      'SELECT version FROM stamp_entry WHERE entry_key = $1 ORDER BY version',
      [entryKey],
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
    const states: { state: string }[] = await t.dataSource.query(
      `SELECT state FROM stamp_proposal WHERE summary IN ('用途一', '用途二')`,
    );
    expect(states.map((s) => s.state)).toEqual(['published', 'published']);
  });

  it('given the imports use the shared contract, then StampChangeProposals is the proposals service', () => {
    expect(t.app.get(StampChangeProposals)).toBe(t.app.get(StampProposalsService));
  });
});
