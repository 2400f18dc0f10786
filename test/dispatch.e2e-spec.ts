import { startTestApp, type TestApp } from './helpers/app.js';
import { admitApplication, makeApplication } from './helpers/admission.js';
import { Clock } from '../src/common/clock.js';
import { moveClockTo } from './helpers/clock.js';
import { captureStatements } from './helpers/statements.js';

/**
 * Dispatched work (派单, issue 14 slice 1): coverage computed per community when sent, the committee's
 * received-work inbox, accept / done / one-action refusal, withdrawal, and what other units see (nothing).
 * Items are admitted through the real flow while the clock is in 2026; then the clock moves to Monday
 * 2027-03-01 and work is sent.
 */
describe('dispatch (派单): coverage, the received-work inbox, refusal and withdrawal', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const [C1, C2, C3, C7] = ['339901001001', '339901001002', '339901001003', '339902001001'];
  const S1 = '339901001';
  const D1 = '339901';
  const items: Record<string, { itemId: string; number: string }> = {};

  /** A task under the chronic-disease item, to C1, due Friday 2027-03-12 (nine working days ahead): covered. */
  const work = (over: Record<string, unknown> = {}) => ({
    kind: 'task',
    title: '三月慢病随访',
    content: '请随访辖区慢病患者并登记随访结果。',
    dueDate: '2027-03-12',
    expectedHours: 4,
    admittedItemId: items.followUp.itemId,
    targets: [unit[C1]],
    ...over,
  });
  const send = async (body: Record<string, unknown>, user = 'dept-staff') =>
    t
      .http()
      .post('/dispatches')
      .set(await auth(user))
      .send(body);
  const sent = async (body: Record<string, unknown>, user = 'dept-staff') => {
    const res = await send(body, user);
    if (res.status !== 201) throw new Error(`dispatch refused: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as {
      id: string;
      counts: Record<string, number>;
      deliveries: { id: string; communityId: string; covered: boolean; reasonCode: string; state: string }[];
    };
  };
  const inbox = async (user: string, query: Record<string, unknown> = {}) => {
    const res = await t
      .http()
      .get('/my-community/received-work')
      .query({ pageSize: 200, ...query })
      .set(await auth(user));
    expect(res.status).toBe(200);
    return res.body as {
      total: number;
      items: {
        id: string;
        dispatchId: string;
        title: string;
        state: string;
        dueDate: string;
        covered: boolean;
        reasonCode: string;
        rule: string;
        departmentName: string;
        refusalReasonCode: string | null;
        workingDaysLeft: number | null;
        todayCounted: boolean | null;
        dueState: string | null;
      }[];
    };
  };
  const pieceOf = async (user: string, dispatchId: string) =>
    (await inbox(user)).items.find((x) => x.dispatchId === dispatchId)!;
  const act = async (user: string, pieceId: string, action: string, body: Record<string, unknown> = {}) =>
    t
      .http()
      .post(`/my-community/received-work/${pieceId}/${action}`)
      .set(await auth(user))
      .send(body);
  const dispatchCount = async () =>
    Number((await t.dataSource.query('SELECT count(*) AS n FROM dispatch'))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    // A department of the other district, and a committee for C3 (the inbox-order test has it to itself).
    await t.dataSource.query(
      `WITH d2 AS (SELECT id, path FROM org_unit WHERE code = '339902'), f AS (SELECT gen_random_uuid() AS id)
       INSERT INTO org_unit (id, code, name, kind, parent_id, path)
       SELECT f.id, '339902-WJ', '西山区卫生健康委员会', 'DEPARTMENT', d2.id, d2.path || f.id || '/' FROM d2, f`,
    );
    await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT 'dept-d2', '西山区卫健委经办人', password_hash, (SELECT id FROM org_unit WHERE code = '339902-WJ'), roles
         FROM app_user WHERE username = 'dept-staff'`,
    );
    await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT 'committee-3', '柳岸社区居委会', password_hash, (SELECT id FROM org_unit WHERE code = $1), roles
         FROM app_user WHERE username = 'committee'`,
      [C3],
    );
    // Items without funding (in force from their start in C1 and C2), admitted through the real flow.
    const noFunding = { fundingPerCommunityFen: 0, fundingSource: undefined };
    items.followUp = await admitApplication(
      t,
      makeApplication([unit[C1], unit[C2]], { ...noFunding, startDate: '2027-02-01' }),
    );
    items.later = await admitApplication(
      t,
      makeApplication([unit[C1], unit[C2]], {
        ...noFunding,
        title: '社区慢病随访（下半年）',
        startDate: '2027-07-01',
      }),
    );
    items.report = await admitApplication(
      t,
      makeApplication([unit[C1], unit[C2]], {
        ...noFunding,
        kind: 'report',
        title: '慢病患者健康指标报表',
        authorizedContent: '填报、统计',
        reportFields: ['血压', '血糖'],
        startDate: '2027-02-01',
      }),
    );
    moveClockTo(t, '2027-03-01');
  });
  afterAll(async () => {
    await t.close();
  });

  it('given work under an item in force for its communities, when sent to a list, then each community’s piece is covered citing the item, and the committee sees it with the rule, due date and department', async () => {
    const d = await sent(work({ targets: [unit[C1], unit[C2]] }));
    expect(d.counts).toMatchObject({ total: 2, covered: 2, uncovered: 0, received: 2 });
    expect(d.deliveries.map((x) => x.reasonCode)).toEqual(['covered', 'covered']);
    const piece = await pieceOf('committee', d.id);
    expect(piece).toMatchObject({
      state: 'received',
      dueDate: '2027-03-12',
      covered: true,
      reasonCode: 'covered',
      departmentName: '东湖区卫生健康委员会',
    });
    expect(piece.rule).toContain(items.followUp.number);
  });

  it('given a street or a district as target, then every community under it within reach gets the piece; without an item each is uncovered (no-admitted-item, seed 002 §4) and still delivered', async () => {
    const street = await sent(work({ admittedItemId: undefined, targets: [unit[S1]] }));
    expect(street.counts).toMatchObject({ total: 3, uncovered: 3 });
    expect(new Set(street.deliveries.map((x) => x.communityId))).toEqual(
      new Set([unit[C1], unit[C2], unit[C3]]),
    );
    expect(street.deliveries.every((x) => x.reasonCode === 'no-admitted-item')).toBe(true);
    const piece = await pieceOf('committee', street.id);
    expect(piece).toMatchObject({ covered: false, reasonCode: 'no-admitted-item' });
    expect(piece.rule).toContain('第4条');
    const district = await sent(work({ admittedItemId: undefined, targets: [unit[D1], unit[C1]] }));
    expect(district.counts.total).toBe(6);
  });

  it('given one target outside the department’s reach (another district), then 404 UNIT_NOT_FOUND and nothing is sent to any target', async () => {
    const before = await dispatchCount();
    const res = await send(work({ targets: [unit[C1], unit[C2], unit[C7]] }));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('UNIT_NOT_FOUND');
    expect(res.body.error.details).toEqual({ targets: [unit[C7]], more: 0 });
    expect(await dispatchCount()).toBe(before);
    const missing = await send(work({ targets: [unit[C1], '00000000-0000-4000-8000-000000000000'] }));
    expect(missing.status).toBe(404);
    expect(await dispatchCount()).toBe(before);
    // Hundreds of unknown targets: the first 20 named and how many more (all 2,000 were echoed back).
    const many = Array.from(
      { length: 300 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const lots = await send(work({ targets: many }));
    expect(lots.status).toBe(404);
    expect(lots.body.error.details.targets).toHaveLength(20);
    expect(lots.body.error.details.more).toBe(280);
  });

  it('given a due date in the past, or a stamp demand naming no certificate, then 400 naming the field', async () => {
    const past = await send(work({ dueDate: '2027-02-26' }));
    expect(past.status).toBe(400);
    expect(past.body.error.details.map((x: { field: string }) => x.field)).toEqual(['dueDate']);
    const stamp = await send(work({ kind: 'stamp', admittedItemId: undefined }));
    expect(stamp.status).toBe(400);
    expect(stamp.body.error.details.map((x: { field: string }) => x.field)).toEqual(['certificateName']);
    // A meeting's time is a real time to come, written as the form shows it.
    for (const meetingTime of ['2027-02-30 09:30', '2027-03-12 25:99', '明天下午', '2027-01-03 09:00']) {
      const meeting = await send(work({ kind: 'meeting', meetingTime, meetingPlace: '区卫健委三楼' }));
      expect([meetingTime, meeting.status]).toEqual([meetingTime, 400]);
      expect(meeting.body.error.details.map((x: { field: string }) => x.field)).toEqual(['meetingTime']);
    }
    // The meeting is the work: it is held by the day the work is due (on the day itself is fine).
    const late = await send(
      work({ kind: 'meeting', meetingTime: '2027-03-13 09:30', meetingPlace: '区卫健委三楼' }),
    );
    expect(late.status).toBe(400);
    expect(late.body.error.details.map((x: { field: string }) => x.field)).toEqual(['meetingTime']);
    expect(late.body.error.details[0].problems[0]).toContain('晚于截止日期（2027-03-12）');
    // Words that show nothing (a zero-width space, a byte-order mark) are no words.
    const invisible = await send(work({ title: '\u200b', content: '\ufeff\u200d' }));
    expect(invisible.status).toBe(400);
    expect(invisible.body.error.details.map((x: { field: string }) => x.field)).toEqual(['title', 'content']);
    // A field of another kind is refused naming it (the kind was chosen wrongly), not kept or dropped.
    const plain = await send(
      work({
        reportFields: ['姓名'],
        certificateName: '居住证明',
        meetingPlace: '三楼',
        scoresOnlineTime: false,
      }),
    );
    expect(plain.status).toBe(400);
    expect(plain.body.error.details.map((x: { field: string }) => x.field)).toEqual([
      'reportFields',
      'meetingPlace',
      'certificateName',
      'scoresOnlineTime',
    ]);
    expect(plain.body.error.details[0].problems[0]).toContain('只用于报表台账、调查统计');
    // A survey lists its fields too.
    const survey = await send(work({ kind: 'survey', reportFields: ['姓名', '年龄'] }));
    expect(survey.status).toBe(201);
    // An optional field sent as null is refused (left out, it is absent), naming it.
    const nulls = await send({ ...work(), targetPopulation: null, idempotencyKey: null });
    expect(nulls.status).toBe(400);
    expect(nulls.body.error.details.map((x: { field: string }) => x.field).sort()).toEqual([
      'idempotencyKey',
      'targetPopulation',
    ]);
  });

  it('given the item’s facts, then the stored coverage names each reason: another department’s item, not started, not targeted, wrong kind, outside content, short notice, a report field already reported', async () => {
    const reasons = async (body: Record<string, unknown>, user = 'dept-staff') => {
      const d = await sent(body, user);
      const detail = await t
        .http()
        .get(`/dispatches/${d.id}`)
        .set(await auth(user));
      return detail.body.deliveries.map((x: { reasons: { code: string; detail?: string }[] }) =>
        x.reasons.map((r) => (r.detail ? `${r.code}:${r.detail}` : r.code)),
      );
    };
    expect(await reasons(work(), 'dept2-staff')).toEqual([['other-department-item']]);
    expect(await reasons(work({ admittedItemId: items.later.itemId, dueDate: '2027-03-19' }))).toEqual([
      ['not-in-force:not-started'],
    ]);
    expect(await reasons(work({ targets: [unit[C3]] }))).toEqual([['not-in-force:not-targeted']]);
    expect(
      await reasons(work({ kind: 'meeting', meetingTime: '2027-03-12 09:30', meetingPlace: '区卫健委三楼' })),
    ).toEqual([['wrong-kind']]);
    expect(await reasons(work({ title: '清扫楼道', content: '请组织志愿者清扫楼道。' }))).toEqual([
      ['outside-content:content'],
    ]);
    // Sent Monday 03-01, due Wednesday 03-03: two working days (上午发下午要).
    expect(await reasons(work({ dueDate: '2027-03-03' }))).toEqual([['short-notice']]);
    // 数据一次采集: 血压 is already reported under the report item in force in C1.
    expect(
      await reasons(
        work({
          kind: 'report',
          title: '慢病随访登记表',
          admittedItemId: undefined,
          reportFields: ['血压', '随访日期'],
        }),
      ),
    ).toEqual([['no-admitted-item', 'duplicate-report-field']]);
    // The same fields written with spaces (half- or full-width) are the same fields: 血压 under the item, and both
    // under the report just sent (a reason for each source).
    expect(
      await reasons(
        work({
          kind: 'report',
          title: '慢病随访登记表（二）',
          admittedItemId: undefined,
          reportFields: [' 血压 ', '随访　日期'],
        }),
      ),
    ).toEqual([['no-admitted-item', 'duplicate-report-field', 'duplicate-report-field']]);
    const twice = await send(
      work({ kind: 'report', admittedItemId: undefined, reportFields: [' 血压', '血压'] }),
    );
    expect(twice.status).toBe(400);
    expect(twice.body.error.details.map((x: { field: string }) => x.field)).toEqual(['reportFields']);
    // Under the report item itself the same fields are what it collects: covered.
    expect(
      await reasons(
        work({
          kind: 'report',
          title: '三月指标填报',
          admittedItemId: items.report.itemId,
          reportFields: ['血糖'],
        }),
      ),
    ).toEqual([['covered']]);
  });

  it('given the shipped negative list, then investment targets (民发〔2015〕136号) and an app scoring online time (国办函〔2026〕12号) are flagged negative-list; a plain app registration is not', async () => {
    const invest = await sent(
      work({ title: '招商引资任务分解', content: '请每个社区完成招商引资线索两条。' }),
    );
    const piece = await pieceOf('committee', invest.id);
    expect(piece.reasonCode).toBe('negative-list');
    expect(piece.rule).toContain('民发〔2015〕136号');
    const app = await sent(
      work({
        kind: 'app-registration',
        title: '注册“健康东湖”App',
        content: '请全体社区工作人员注册。',
        admittedItemId: undefined,
        scoresOnlineTime: true,
      }),
    );
    const appPiece = await pieceOf('committee', app.id);
    expect(appPiece.reasonCode).toBe('negative-list');
    expect(appPiece.rule).toContain('国办函〔2026〕12号');
    const plain = await sent(
      work({
        kind: 'app-registration',
        title: '注册“健康东湖”App',
        content: '请注册。',
        admittedItemId: undefined,
      }),
    );
    expect((await pieceOf('committee', plain.id)).reasonCode).toBe('no-admitted-item');
  });

  it('given the registry on the due date, then a prohibited certificate (民发〔2020〕20号) is stamp-prohibited, an unlisted one stamp-not-listed, and one the city allows is covered without an item', async () => {
    const stamp = (certificateName: string) =>
      work({
        kind: 'stamp',
        title: '请出具证明',
        content: '请为申请人出具证明。',
        admittedItemId: undefined,
        certificateName,
      });
    const prohibited = await pieceOf('committee', (await sent(stamp('亲属关系证明'))).id);
    expect(prohibited.reasonCode).toBe('stamp-prohibited');
    expect(prohibited.rule).toContain('民发〔2020〕20号');
    const unlisted = await sent(stamp('宠物美容资格证明'));
    const detail = await t
      .http()
      .get(`/dispatches/${unlisted.id}`)
      .set(await auth('dept-staff'));
    expect(detail.body.deliveries[0].reasons.map((r: { code: string }) => r.code)).toEqual([
      'no-admitted-item',
      'stamp-not-listed',
    ]);
    const allowed = await pieceOf('committee', (await sent(stamp('居住证明'))).id);
    expect(allowed).toMatchObject({ covered: true, reasonCode: 'covered' });
    expect(allowed.rule).toContain('示民发〔2021〕15号');
  });

  it('given pieces due on different days, then the inbox lists open ones first, nearest due date first, then closed ones newest first', async () => {
    const due = async (dueDate: string, title: string) =>
      (await sent(work({ targets: [unit[C3]], admittedItemId: undefined, dueDate, title }))).id;
    await due('2027-04-30', '四月底的工作');
    await due('2027-03-15', '三月中的工作');
    await due('2027-03-31', '三月底的工作');
    const closedFirst = await due('2027-03-20', '先拒绝的工作');
    const closedLast = await due('2027-03-25', '后拒绝的工作');
    for (const id of [closedFirst, closedLast]) {
      const piece = await pieceOf('committee-3', id);
      expect((await act('committee-3', piece.id, 'refuse')).status).toBe(200);
    }
    const titles = (await inbox('committee-3')).items.map((x) => x.title).filter((x) => x.endsWith('的工作'));
    expect(titles).toEqual(['三月中的工作', '三月底的工作', '四月底的工作', '后拒绝的工作', '先拒绝的工作']);
    const open = await inbox('committee-3', { state: 'open' });
    expect(open.items.every((x) => x.state === 'received')).toBe(true);
    expect(open.items.map((x) => x.title)).toContain('三月中的工作');
    // Each open piece says its working days left as a task does (Monday 1 March to Monday 15 March: 11, today
    // counted); a closed one says none.
    const byTitle = new Map((await inbox('committee-3')).items.map((x) => [x.title, x]));
    expect(byTitle.get('三月中的工作')).toMatchObject({
      workingDaysLeft: 11,
      todayCounted: true,
      dueState: 'onTime',
    });
    expect(byTitle.get('先拒绝的工作')).toMatchObject({
      workingDaysLeft: null,
      todayCounted: null,
      dueState: null,
    });
  });

  it('given a received piece, then accept, done with hours, and each twice answers 409 with its code', async () => {
    const d = await sent(work());
    const piece = await pieceOf('committee', d.id);
    const accepted = await act('committee', piece.id, 'accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body.state).toBe('accepted');
    const again = await act('committee', piece.id, 'accept');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DISPATCH_ALREADY_ACCEPTED');
    const done = await act('committee', piece.id, 'done', { hours: 3.5 });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'done', hoursSpent: 3.5 });
    const doneAgain = await act('committee', piece.id, 'done', { hours: 1 });
    expect(doneAgain.status).toBe(409);
    expect(doneAgain.body.error.code).toBe('DISPATCH_ALREADY_DONE');
    const refuseDone = await act('committee', piece.id, 'refuse', { note: '不属于社区职责' });
    expect(refuseDone.status).toBe(409);
    expect(refuseDone.body.error.code).toBe('DISPATCH_ALREADY_DONE');
    for (const hours of [-1, 1e-320, 1.25]) {
      const badHours = await act('committee', piece.id, 'done', { hours });
      expect(badHours.status).toBe(400);
    }
    const tiny = await send(work({ expectedHours: 1e-320 }));
    expect(tiny.status).toBe(400);
    expect(tiny.body.error.details.map((x: { field: string }) => x.field)).toEqual(['expectedHours']);
  });

  it('given an uncovered piece, when the committee refuses with one action, then the reason is the coverage’s and the department sees the refusal at once; twice answers 409', async () => {
    const d = await sent(work({ admittedItemId: undefined, targets: [unit[C1], unit[C2]] }));
    const piece = await pieceOf('committee', d.id);
    // A reason its coverage did not find is refused, naming the field; outside its duties is a reason for any piece.
    const other = await act('committee', piece.id, 'refuse', { reasonCode: 'stamp-prohibited' });
    expect(other.status).toBe(400);
    expect(other.body.error.details.map((x: { field: string }) => x.field)).toEqual(['reasonCode']);
    const refused = await act('committee', piece.id, 'refuse');
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ state: 'refused', refusalReasonCode: 'no-admitted-item' });
    expect(refused.body.refusalRule).toContain('第4条');
    const twice = await act('committee', piece.id, 'refuse');
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('DISPATCH_ALREADY_REFUSED');
    const list = await t
      .http()
      .get('/dispatches')
      .set(await auth('dept-staff'));
    const mine = list.body.items.find((x: { id: string }) => x.id === d.id);
    expect(mine.counts).toMatchObject({ total: 2, refused: 1, received: 1 });
    expect(mine.deliveries).toEqual([
      expect.objectContaining({
        communityId: unit[C1],
        state: 'refused',
        refusalReasonCode: 'no-admitted-item',
      }),
    ]);
    const ids = async (refused: string) =>
      (
        await t
          .http()
          .get('/dispatches')
          .query({ refused, pageSize: 200 })
          .set(await auth('dept-staff'))
      ).body.items.map((x: { id: string }) => x.id);
    expect(await ids('true')).toContain(d.id);
    expect(await ids('false')).not.toContain(d.id);
  });

  it('given two actions on one piece at the same moment (refuse and done), then exactly one wins and the other answers 409', async () => {
    const d = await sent(work({ admittedItemId: undefined }));
    const piece = await pieceOf('committee', d.id);
    const [a, b] = await Promise.all([
      act('committee', piece.id, 'refuse'),
      act('committee', piece.id, 'done', { hours: 1 }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const state = (await pieceOf('committee', d.id)).state;
    expect(state).toBe(a.status === 200 ? 'refused' : 'done');
  });

  it('given a covered piece, when the committee refuses it without words, then 400 naming note; with words, refused as outside-duties', async () => {
    const d = await sent(work());
    const piece = await pieceOf('committee', d.id);
    const bare = await act('committee', piece.id, 'refuse');
    expect(bare.status).toBe(400);
    expect(bare.body.error.details.map((x: { field: string }) => x.field)).toEqual(['note']);
    expect((await pieceOf('committee', d.id)).state).toBe('received');
    // The reason cited must be the piece's own: a covered piece was admitted, so not "no admitted item".
    const contradicting = await act('committee', piece.id, 'refuse', {
      note: '本月已随访，重复派单',
      reasonCode: 'no-admitted-item',
    });
    expect(contradicting.status).toBe(400);
    expect(contradicting.body.error.details.map((x: { field: string }) => x.field)).toEqual(['reasonCode']);
    expect((await pieceOf('committee', d.id)).state).toBe('received');
    const typed = await act('committee', piece.id, 'refuse', { note: '本月已随访，重复派单' });
    expect(typed.status).toBe(200);
    expect(typed.body).toMatchObject({
      refusalReasonCode: 'outside-duties',
      refusalNote: '本月已随访，重复派单',
    });
  });

  it('given a dispatch, when the department withdraws it from one community and then from the rest, then those pieces are withdrawn, acting on one answers 409, and withdrawing again answers 409', async () => {
    const d = await sent(work({ targets: [unit[C1], unit[C2]] }));
    // A community it was not sent to is told as such (not as a committee's missing piece), nothing withdrawn.
    const elsewhere = await t
      .http()
      .post(`/dispatches/${d.id}/withdraw`)
      .set(await auth('dept-staff'))
      .send({ communityIds: [unit[C1], unit[C3]] });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe('DISPATCH_COMMUNITY_NOT_FOUND');
    expect(elsewhere.body.error.message).toContain('没有派往所选的社区');
    const one = await t
      .http()
      .post(`/dispatches/${d.id}/withdraw`)
      .set(await auth('dept-staff'))
      .send({ communityIds: [unit[C1]], note: '派错社区' });
    expect(one.status).toBe(200);
    expect(one.body.counts).toMatchObject({ withdrawn: 1, received: 1 });
    const piece = await pieceOf('committee', d.id);
    expect(piece.state).toBe('withdrawn');
    const accept = await act('committee', piece.id, 'accept');
    expect(accept.status).toBe(409);
    expect(accept.body.error.code).toBe('DISPATCH_WITHDRAWN');
    const sameAgain = await t
      .http()
      .post(`/dispatches/${d.id}/withdraw`)
      .set(await auth('dept-staff'))
      .send({ communityIds: [unit[C1]] });
    expect(sameAgain.status).toBe(409);
    expect(sameAgain.body.error.code).toBe('DISPATCH_ALREADY_WITHDRAWN');
    const rest = await t
      .http()
      .post(`/dispatches/${d.id}/withdraw`)
      .set(await auth('dept-staff'))
      .send({});
    expect(rest.status).toBe(200);
    expect(rest.body.counts).toMatchObject({ withdrawn: 2 });
    const none = await t
      .http()
      .post(`/dispatches/${d.id}/withdraw`)
      .set(await auth('dept-staff'))
      .send({});
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('DISPATCH_ALREADY_WITHDRAWN');
  });

  it('given work done by one community and withdrawn from the other, when the department withdraws it all, then 409 says nothing is left to withdraw (not that it was withdrawn)', async () => {
    const d = await sent(work({ targets: [unit[C1], unit[C2]] }));
    const piece = await pieceOf('committee', d.id);
    expect((await act('committee', piece.id, 'done', { hours: 1 })).status).toBe(200);
    const headers = await auth('dept-staff');
    const withdraw = (body: Record<string, unknown>) =>
      t.http().post(`/dispatches/${d.id}/withdraw`).set(headers).send(body);
    expect((await withdraw({ communityIds: [unit[C2]] })).status).toBe(200);
    const all = await withdraw({});
    expect(all.status).toBe(409);
    expect(all.body.error).toMatchObject({
      code: 'DISPATCH_NOTHING_TO_WITHDRAW',
      details: { done: 1, withdrawn: 1 },
    });
  });

  it('given a department and a committee of another district (and another department), then they see nothing of it: 404 and empty lists', async () => {
    const d = await sent(work());
    const piece = await pieceOf('committee', d.id);
    for (const user of ['dept-d2', 'dept2-staff']) {
      const get = await t
        .http()
        .get(`/dispatches/${d.id}`)
        .set(await auth(user));
      expect(get.status).toBe(404);
      expect(get.body.error.code).toBe('DISPATCH_NOT_FOUND');
      const withdraw = await t
        .http()
        .post(`/dispatches/${d.id}/withdraw`)
        .set(await auth(user))
        .send({});
      expect(withdraw.status).toBe(404);
      const list = await t
        .http()
        .get('/dispatches')
        .set(await auth(user));
      expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(d.id);
    }
    const reach = await send(work(), 'dept-d2');
    expect(reach.status).toBe(404);
    expect((await inbox('committee-d2')).total).toBe(0);
    for (const action of ['accept', 'refuse']) {
      const res = await act('committee-d2', piece.id, action, action === 'refuse' ? { note: 'x' } : {});
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('RECEIVED_WORK_NOT_FOUND');
    }
    expect((await act('committee-2', piece.id, 'accept')).status).toBe(404);
  });

  it('given the same idempotency key twice, then the second answers 200 with the same dispatch; the key with other work answers 409', async () => {
    const first = await send(work({ idempotencyKey: 'march-follow-up' }));
    expect(first.status).toBe(201);
    const again = await send(work({ idempotencyKey: 'march-follow-up' }));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await send(work({ idempotencyKey: 'march-follow-up', title: '另一项工作' }));
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('DISPATCH_IDEMPOTENCY_KEY_REUSED');
    // A retry that arrives once the due date has passed still answers the dispatch it sent (not 400).
    const meeting = work({
      idempotencyKey: 'march-meeting',
      kind: 'meeting',
      meetingTime: '2027-03-05 09:30',
      meetingPlace: '区卫健委三楼',
    });
    const sentMeeting = await send(meeting);
    expect(sentMeeting.status).toBe(201);
    const clock = t.app.get(Clock);
    const before = clock.nowMs();
    moveClockTo(t, '2027-04-01');
    try {
      const retried = await send(meeting);
      expect([retried.status, retried.body.id]).toEqual([200, sentMeeting.body.id]);
    } finally {
      clock.advance(before - clock.nowMs()); // back to where the other tests of this file are
    }
  });

  it('given a preview, then it answers each community’s coverage as sending would, and writes nothing', async () => {
    const before = await dispatchCount();
    const res = await t
      .http()
      .post('/dispatches/preview')
      .set(await auth('dept-staff'))
      .send(work({ targets: [unit[S1]] }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ covered: 2, uncovered: 1 });
    const c3 = res.body.communities.find((x: { communityId: string }) => x.communityId === unit[C3]);
    expect(c3).toMatchObject({ covered: false, reasonCode: 'not-in-force', communityName: '柳岸社区' });
    expect(await dispatchCount()).toBe(before);
  });

  it('given a warm server, when the coverage of one piece for one community is previewed, then the preview reads its facts in one statement (targets, item, in force, report fields, negative list) and nothing else (the session kept in memory)', async () => {
    const headers = await auth('dept-staff');
    const body = work({
      kind: 'report',
      title: '三月指标填报',
      content: '请填报、统计辖区慢病患者的血糖。',
      admittedItemId: items.report.itemId,
      reportFields: ['血糖'],
    });
    const preview = () => t.http().post('/dispatches/preview').set(headers).send(body);
    expect((await preview()).status).toBe(200);
    const { result, statements } = await captureStatements(preview);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ covered: 1, uncovered: 0 });
    expect(statements.filter((s) => /^WITH req AS/.test(s))).toHaveLength(1);
    expect(statements).toHaveLength(1);
  });

  it('given open pieces near and past their due date, then the inbox says one working day left (dueSoon) and overdue', async () => {
    moveClockTo(t, '2027-04-01'); // a Thursday
    const last = await sent(
      work({
        targets: [unit[C3]],
        admittedItemId: undefined,
        dueDate: '2027-04-01',
        title: '今天截止的工作',
      }),
    );
    const items = (await inbox('committee-3', { state: 'open' })).items;
    expect(items.find((x) => x.dispatchId === last.id)).toMatchObject({
      workingDaysLeft: 1,
      todayCounted: true,
      dueState: 'dueSoon',
    });
    // Due on 15 March and still open.
    expect(items.find((x) => x.title === '三月中的工作')).toMatchObject({
      workingDaysLeft: 0,
      todayCounted: null,
      dueState: 'overdue',
    });
  });
});
