import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, inboxOf, openTask, type InboxRow } from './helpers/cases.js';
import { admitApplication, makeApplication, submitApplication } from './helpers/admission.js';
import { captureStatements } from './helpers/statements.js';

/** Keys of the engine's own state: none of them may appear anywhere in an answer of a workflow route. */
const ENGINE_KEYS = [
  'exchange',
  'routingKey',
  'consumerTag',
  'messageId',
  'executionId',
  'environment',
  'definitions',
  'fields',
  'content',
  'properties',
  'state',
  'serializedSource',
];

/** Every key path of a JSON value, for finding a key at any depth. */
function keyPaths(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${path}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [`${path}.${k}`, ...keyPaths(v, `${path}.${k}`)]);
  return [];
}
const engineKeysIn = (body: unknown) =>
  keyPaths(body).filter((p) => ENGINE_KEYS.includes(p.slice(p.lastIndexOf('.') + 1)));

/** What the admission domain declares public for its cases (src/admission/workflow-subjects.ts). */
const ADMISSION_PUBLIC = [
  'applicationId',
  'memberUnits',
  'decisions',
  'countersign',
  'deficiencies',
  'itemId',
  'expiresAt',
  'lapsedCommunities',
];

describe('workflow answers: the inbox says what each task is about; a case shows no engine internals', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const get = async (user: string, url: string) =>
    t
      .http()
      .get(url)
      .set(await auth(user));

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('given a submitted application, then the department head’s inbox item carries its title, department, kind, step, holder and time left; one task says the same', async () => {
    const title = '家庭医生签约入户宣传（收件箱）';
    const { instanceId } = await submitApplication(
      t,
      makeApplication([unit['339901001001']], { title, kind: 'meeting' }),
    );
    const item = (await inboxOf(t, 'dept-head')).find((x) => x.instanceId === instanceId) as InboxRow;
    expect(item).toMatchObject({
      processId: 'admission',
      processName: '社区工作准入审批',
      elementId: 'deptApprove',
      name: '部门负责人审核',
      subject: {
        title,
        number: null,
        unitName: '东湖区卫生健康委员会',
        kind: 'meeting',
        kindName: '会议',
      },
      assigneeId: null,
      assigneeName: null,
      claimable: true,
      candidates: '东湖区卫生健康委员会（部门负责人）',
      holder: '待认领：东湖区卫生健康委员会（部门负责人）',
      overdue: false,
      dueState: 'onTime',
    });
    // 5 working days from today: the last day is a date, and at least 5 working days (today too) are left.
    expect(item.dueDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(item.workingDaysLeft).toBeGreaterThanOrEqual(5);
    expect(item.workingDaysLeft).toBeLessThanOrEqual(6);

    const claimed = await t
      .http()
      .post(`/tasks/${item.id}/claim`)
      .set(await auth('dept-head'));
    expect(claimed.status).toBe(200);
    const again = (await inboxOf(t, 'dept-head')).find((x) => x.id === item.id);
    expect(again).toMatchObject({ assigneeName: '李健（区卫健委负责人）', holder: '李健（区卫健委负责人）' });

    const one = await get('dept-head', `/tasks/${item.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      processName: '社区工作准入审批',
      businessKey: item.businessKey,
      subject: { title, unitName: '东湖区卫生健康委员会', kindName: '会议' },
      holder: '李健（区卫健委负责人）',
      dueState: 'onTime',
      dueDay: item.dueDay,
    });
    expect(engineKeysIn(one.body)).toEqual([]);

    // Once completed in time, it says so, with nothing left to count.
    const done = await t
      .http()
      .post(`/tasks/${item.id}/complete`)
      .set(await auth('dept-head'))
      .send({ decision: 'approve' });
    expect(done.status).toBe(200);
    expect((await get('dept-head', `/tasks/${item.id}`)).body).toMatchObject({
      status: 'completed',
      dueState: 'onTime',
      workingDaysLeft: null,
      overdue: false,
    });
  });

  it('given a countersign, then each member’s item names its own unit as candidate, and an exit of an admitted item carries the item’s title and number', async () => {
    const title = '社区慢病随访（退出）';
    const { instanceId: admissionCase } = await submitApplication(
      t,
      makeApplication([unit['339901001001']], { title: '会签中的事项' }),
    );
    for (const [u, e] of [
      ['dept-head', 'deptApprove'],
      ['office', 'completeness'],
      ['office', 'scopeReview'],
    ])
      expect((await act(t, u, admissionCase, e, { decision: 'approve' })).status).toBe(200);
    const member = (await inboxOf(t, 'member-1')).find((x) => x.instanceId === admissionCase);
    expect(member).toMatchObject({
      name: '成员单位会签',
      subject: { title: '会签中的事项', unitName: '东湖区卫生健康委员会' },
      holder: '待认领：东湖区公安分局（成员单位代表）',
    });

    const { itemId, number } = await admitApplication(
      t,
      makeApplication([unit['339901001001']], { title, fundingPerCommunityFen: 0 }),
    );
    const proposal = await t
      .http()
      .post(`/admitted-items/${itemId}/exit-proposals`)
      .set(await auth('office'))
      .send({ reason: '工作已由信息系统自动完成' });
    expect(proposal.status).toBe(201);
    const exit = (await inboxOf(t, 'dept-head')).find((x) => x.instanceId === proposal.body.instanceId);
    expect(exit).toMatchObject({
      processId: 'exit',
      processName: '准入事项退出',
      name: '部门共同认定',
      subject: {
        title,
        number,
        unitName: '东湖区卫生健康委员会',
        kindName: '工作任务',
        summary: '退出范围：全部社区；理由：工作已由信息系统自动完成',
      },
    });
  });

  it('given a negative-list change, then the leader’s item says which entry it changes', async () => {
    const change = await t
      .http()
      .post('/admission/negative-list/changes')
      .set(await auth('office'))
      .send({
        action: 'add',
        code: 'inbox_quota',
        nameZh: '下达社区招商引资指标',
        nameEn: 'investment quotas for communities',
        appliesTo: 'any kind',
        keywords: ['招商引资'],
        source: '民发〔2015〕136号',
        reason: '招商引资不属于社区职责',
      });
    expect(change.status).toBe(201);
    const item = (await inboxOf(t, 'leader')).find((x) => x.instanceId === change.body.instanceId);
    expect(item).toMatchObject({
      processName: '负面清单调整',
      name: '主要领导审批',
      subject: {
        title: '新增负面清单事项：下达社区招商引资指标（inbox_quota）',
        unitName: '东湖区社区建设工作领导小组办公室',
        summary: '理由：招商引资不属于社区职责',
      },
      holder: '待认领：孙正（区领导小组组长）',
    });
  });

  it('given a page of many tasks, then the inbox reads it in as many statements as a page of one (subjects in one query per process)', async () => {
    const statementsOfInbox = async () => {
      const headers = await auth('dept-head');
      const { result, statements } = await captureStatements(() =>
        t.http().get('/tasks').query({ pageSize: 200 }).set(headers),
      );
      expect(result.status).toBe(200);
      return { count: result.body.items.length as number, statements };
    };
    await submitApplication(t, makeApplication([unit['339901001002']], { title: '批量事项' }));
    await statementsOfInbox(); // the calendar and the definitions read once, then kept
    const before = await statementsOfInbox();
    for (let n = 0; n < 3; n++)
      await submitApplication(t, makeApplication([unit['339901001002']], { title: `批量事项 ${n}` }));
    const after = await statementsOfInbox();
    expect(after.count).toBeGreaterThanOrEqual(before.count + 3);
    expect(after.statements).toEqual(before.statements);
    expect(after.statements.length).toBeLessThanOrEqual(6);
  });

  it('given a case at the countersign, then its answer carries its declared variables and tasks, and no engine state anywhere in any workflow route', async () => {
    const { instanceId, applicationId } = await submitApplication(
      t,
      makeApplication([unit['339901001001']], { title: '案件变量' }),
    );
    for (const [u, e] of [
      ['dept-head', 'deptApprove'],
      ['office', 'completeness'],
      ['office', 'scopeReview'],
      ['member-1', 'countersign'],
    ])
      expect((await act(t, u, instanceId, e, { decision: 'approve', comment: '同意' })).status).toBe(200);
    // Before the fix the variables carried the engine's message fields (exchange, routingKey) and content.
    const raw = (
      await t.dataSource.query('SELECT variables FROM workflow_instance WHERE id = $1', [instanceId])
    )[0].variables as Record<string, unknown>;
    expect(Object.keys(raw)).toEqual(expect.arrayContaining(['fields', 'content', 'decision']));

    const res = await get('office', `/workflow-instances/${instanceId}`);
    expect(res.status).toBe(200);
    expect(engineKeysIn(res.body)).toEqual([]);
    expect(Object.keys(res.body.variables).every((k) => ADMISSION_PUBLIC.includes(k))).toBe(true);
    expect(res.body).toMatchObject({
      processName: '社区工作准入审批',
      subject: { title: '案件变量', unitName: '东湖区卫生健康委员会' },
      variables: {
        applicationId,
        decisions: { deptApprove: 'approve', completeness: 'approve', scopeReview: 'approve' },
        countersign: { countersign: { total: 3, approve: 1, decided: false } },
      },
    });
    expect(res.body.variables).not.toHaveProperty('decision');
    expect(res.body.variables).not.toHaveProperty('comment');
    const signed = res.body.tasks.find((x: { decision: string | null }) => x.decision === 'approve');
    expect(signed.assigneeName).toBe('李健（区卫健委负责人）');

    // The department sees the same case the same way.
    const dept = await get('dept-staff', `/workflow-instances/${instanceId}`);
    expect(dept.status).toBe(200);
    expect(dept.body.variables).toEqual(res.body.variables);

    // Every other workflow answer about it: its timeline, diagram, one task, the inbox, suspend and resume.
    const taskId = await openTask(t, 'member-2', instanceId, 'countersign');
    const answers: [string, { status: number; body: unknown }][] = [
      ['history', await get('office', `/workflow-instances/${instanceId}/history?pageSize=200`)],
      ['diagram', await get('office', `/workflow-instances/${instanceId}/diagram`)],
      ['one task', await get('member-2', `/tasks/${taskId}`)],
      ['inbox', await get('member-2', '/tasks?pageSize=200')],
      ['incidents', await get('office', '/workflow-incidents')],
      [
        'suspend',
        await t
          .http()
          .post(`/workflow-instances/${instanceId}/suspend`)
          .set(await auth('office'))
          .send({ comment: '暂停核实' }),
      ],
      [
        'resume',
        await t
          .http()
          .post(`/workflow-instances/${instanceId}/resume`)
          .set(await auth('office'))
          .send({}),
      ],
    ];
    for (const [what, a] of answers) {
      expect([what, a.status]).toEqual([what, 200]);
      expect([what, engineKeysIn(a.body)]).toEqual([what, []]);
    }
    expect((answers[6][1].body as { variables: unknown }).variables).toEqual(res.body.variables);
  });

  it('given an emergency admission, then its case says which item it is and shows only the item, its end and its funding deadline', async () => {
    const res = await t
      .http()
      .post('/emergency-items')
      .set(await auth('office'))
      .send({
        departmentId: unit['339901-WJ'],
        kind: 'task',
        title: '突发汛情转移安置登记',
        reason: '强降雨，需立即登记转移群众',
        statutoryArea: 'public_health',
        targetCommunityIds: [unit['339901001001']],
        authorizedContent: '转移安置登记',
        targetPopulation: '低洼地区居民',
        powers: '登记、报告',
        days: 7,
        fundingPerCommunityFen: 50000,
        fundingSource: '区级应急资金',
      });
    expect(res.status).toBe(201);
    const instanceId = (
      await t.dataSource.query(
        `SELECT id FROM workflow_instance WHERE process_id = 'emergency' AND business_key = $1`,
        [res.body.id],
      )
    )[0].id as string;
    const c = await get('office', `/workflow-instances/${instanceId}`);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({
      processName: '突发事件应急准入',
      subject: {
        title: '突发汛情转移安置登记',
        number: res.body.admissionNumber,
        unitName: '东湖区卫生健康委员会',
        summary: '应急事由：强降雨，需立即登记转移群众',
      },
    });
    expect(Object.keys(c.body.variables).sort()).toEqual([
      'expiresAt',
      'fundingDeadline',
      'fundingDue',
      'itemId',
    ]);
    expect(engineKeysIn(c.body)).toEqual([]);
  });

  it('given a process that declares no variables, then its case answers none of those it was started with', async () => {
    const started = await t
      .http()
      .post('/workflow-instances')
      .set(await auth('sysadmin'))
      .send({ processId: 'review', variables: { memberUnits: [], secretNote: '内部' } });
    expect(started.status).toBe(201);
    expect(started.body.variables).toEqual({});
    expect(started.body.subject).toBeNull();
    const res = await get('sysadmin', `/workflow-instances/${started.body.id}`);
    expect(res.status).toBe(200);
    expect(res.body.variables).toEqual({});
    expect(engineKeysIn(res.body)).toEqual([]);
  });

  it('given the clock past a step’s time limit, then its inbox item is overdue with no working day left', async () => {
    const { instanceId } = await submitApplication(
      t,
      makeApplication([unit['339901001001']], { title: '逾期的事项' }),
    );
    const item = (await inboxOf(t, 'dept-head')).find((x) => x.instanceId === instanceId) as InboxRow;
    expect(item).toMatchObject({ overdue: false, dueState: 'onTime' });
    const clock = t.app.get(Clock);
    clock.advance(new Date(String(item.dueAt)).getTime() + 60_000 - clock.nowMs());
    const late = (await inboxOf(t, 'dept-head')).find((x) => x.id === item.id);
    expect(late).toMatchObject({
      overdue: true,
      dueState: 'overdue',
      workingDaysLeft: 0,
      dueDay: item.dueDay,
      subject: { title: '逾期的事项' },
    });
    expect(late!.timeLeftMs as number).toBeLessThan(0);
  });
});
