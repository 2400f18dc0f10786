import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from './helpers/app.js';
import { moveClockTo } from './helpers/clock.js';

const XINGHUA = '339901001001'; // 杏花社区 (c1), 东华街道, 东湖区
const TAOYUAN = '339901001002'; // 桃园社区 (c2), 东华街道
const HUBIN = '339902001001'; // 湖滨社区 (c7), 西山区 (another district)

/**
 * The committee's stamp log (用印登记, issue 13 §6) over HTTP on a real database: what the registry answers on the
 * day decides (allowed recorded with the list's basis, prohibited refused citing the list, not-listed only with a
 * legal basis), two different members on the community's stamp roster handle and approve (temporary staff are
 * not on it), voids and corrections append, another community's entry is missing, the phone is masked for all but
 * the committee and the auditor, and the street and district count per community and certificate in their area.
 */
describe('the stamp log (用印登记)', () => {
  let t: TestApp;
  const user: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });

  /** A clone of a demo user (same unit, roles and password) under a new name. */
  async function cloneUser(from: string, username: string): Promise<void> {
    const rows: { id: string }[] = await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT $2, $3, password_hash, unit_id, roles FROM app_user WHERE username = $1 RETURNING id`,
      [from, username, `${username} 的姓名`],
    );
    user[username] = rows[0].id;
  }
  const addMember = async (as: string, who: string) =>
    t
      .http()
      .post('/my-community/stamp-log/members')
      .set(await auth(as))
      .send({ userId: user[who] });

  /** A good entry of 杏花社区 by committee (handler) and committee-b (approver), changed by `over`. */
  const entry = (over: Record<string, unknown> = {}) => ({
    stampedAt: '2027-01-04T09:30:00+08:00',
    certificateName: '居住证明',
    purpose: '办理子女入学',
    copies: 1,
    requesterName: '张三',
    requesterPhone: '13812341234',
    handlerId: user.committee,
    approverId: user['committee-b'],
    ...over,
  });
  const record = async (as: string, body: Record<string, unknown>) =>
    t
      .http()
      .post('/my-community/stamp-log')
      .set(await auth(as))
      .send(body);
  const entryCount = async () =>
    Number((await t.dataSource.query('SELECT count(*)::int AS n FROM stamp_log_entry'))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    moveClockTo(t, '2027-01-04');
    for (const r of await t.dataSource.query('SELECT id, username FROM app_user')) user[r.username] = r.id;
    await cloneUser('committee', 'committee-b');
    await cloneUser('committee', 'committee-temp'); // 临时工作人员: an account of the community, not on the roster
    await cloneUser('committee-2', 'committee-2b');
    await cloneUser('committee-d2', 'committee-d2b');
    // The first member starts the roster; then only members change it.
    for (const [as, who] of [
      ['committee', 'committee'],
      ['committee', 'committee-b'],
      ['committee-2', 'committee-2'],
      ['committee-2', 'committee-2b'],
      ['committee-d2', 'committee-d2'],
      ['committee-d2', 'committee-d2b'],
    ])
      expect((await addMember(as, who)).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('the stamp roster (用印人员)', () => {
    it('given a roster with members, when temporary staff put themselves on it, then 403 and the roster is unchanged', async () => {
      const res = await addMember('committee-temp', 'committee-temp');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('STAMP_ROSTER_MEMBERS_ONLY');
      const list = await t
        .http()
        .get('/my-community/stamp-log/members')
        .set(await auth('committee'));
      expect(list.status).toBe(200);
      const byName = Object.fromEntries(
        (list.body.items as { user: { username: string }; authorised: boolean }[]).map((m) => [
          m.user.username,
          m.authorised,
        ]),
      );
      expect(byName).toEqual({
        committee: true,
        'committee-b': true,
        'committee-member': false,
        'committee-temp': false,
      });
      const audit = await t
        .http()
        .get('/audit')
        .query({ entityType: 'user', entityId: user['committee-b'] })
        .set(await auth('auditor'));
      expect(audit.body.items.map((r: { action: string }) => r.action)).toContain('stamp-roster.added');
    });

    it('given another community’s account, when a member puts it on the roster, then 404 as for a missing one', async () => {
      const foreign = await addMember('committee', 'committee-2');
      const missing = await t
        .http()
        .post('/my-community/stamp-log/members')
        .set(await auth('committee'))
        .send({ userId: randomUUID() });
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'STAMP_MEMBER_NOT_FOUND']);
      expect([missing.status, missing.body.error.code]).toEqual([404, 'STAMP_MEMBER_NOT_FOUND']);
    });
  });

  describe('recording', () => {
    it('given an allowed certificate, when the committee records it, then it is stored with the registry’s answer of that day and audited', async () => {
      const res = await record('committee', entry());
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        community: { code: XINGHUA, name: '杏花社区' },
        stampedOn: '2027-01-04',
        certificateName: '居住证明',
        decision: 'allowed',
        listedName: '居住证明',
        legalBasisEntered: false,
        copies: 1,
        requesterPhone: '13812341234',
        phoneMasked: false,
        handler: { username: 'committee' },
        approver: { username: 'committee-b' },
        recordedBy: { username: 'committee' },
        void: null,
      });
      expect(res.body.sourceDocument).toBe(
        '示范市《示范市社区居民委员会出具证明事项保留清单》（示民发〔2021〕15号）',
      );
      expect(res.body.legalBasis).toContain('《居住证暂行条例》');
      expect(res.body.decidingEntryId).toMatch(/^[0-9a-f-]{36}$/);
      const audit = await t
        .http()
        .get('/audit')
        .query({ entityType: 'stamp-log-entry', entityId: res.body.id })
        .set(await auth('auditor'));
      expect(audit.status).toBe(200);
      expect(audit.body.items.map((r: { action: string }) => r.action)).toEqual(['stamp-log.recorded']);
    });

    it('given a prohibited certificate typed as people say it, when the committee records it, then 409 STAMP_PROHIBITED citing the list, and nothing is written', async () => {
      const before = await entryCount();
      const res = await record('committee', entry({ certificateName: '养狗证明' }));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('STAMP_PROHIBITED');
      expect(res.body.error.message).toContain('民发〔2020〕20号');
      expect(res.body.error.message).toContain('不应由基层群众性自治组织出具证明事项清单（第一批）');
      expect(res.body.error.message).toContain('“居民养犬证明”');
      expect(res.body.error.details).toMatchObject({
        item: { name: '居民养犬证明' },
        source: { documentNumber: '民发〔2020〕20号' },
      });
      expect(await entryCount()).toBe(before);
    });

    it('given a not-listed certificate, when recorded without a legal basis, then 400 naming legalBasis; with one, then it is stored as entered', async () => {
      const without = await record('committee', entry({ certificateName: '收入证明' }));
      expect(without.status).toBe(400);
      expect(without.body.error.code).toBe('VALIDATION_FAILED');
      expect(without.body.error.details[0].field).toBe('legalBasis');
      expect(without.body.error.details[0].problems[0]).toContain('民发〔2020〕20号');
      const blank = await record('committee', entry({ certificateName: '收入证明', legalBasis: '   ' }));
      expect(blank.status).toBe(400);
      expect(blank.body.error.details[0].field).toBe('legalBasis');
      // Nor one nobody can see (a zero-width space); nor a name, requester or purpose of such characters.
      const invisible = await record(
        'committee',
        entry({ certificateName: '收入证明', legalBasis: '\u200b' }),
      );
      expect(invisible.status).toBe(400);
      expect(invisible.body.error.details[0].field).toBe('legalBasis');
      const unseen = await record(
        'committee',
        entry({ certificateName: '\u200b', requesterName: '\u3164', purpose: '\u2060 ' }),
      );
      expect(unseen.status).toBe(400);
      expect(unseen.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'certificateName',
        'purpose',
        'requesterName',
      ]);
      // Optional fields sent as null are told to be left out (they were stored as if absent).
      const nulls = await record(
        'committee',
        entry({ certificateName: '收入证明', legalBasis: null, correctionReason: null }),
      );
      expect(nulls.status).toBe(400);
      expect(nulls.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'correctionReason',
        'legalBasis',
      ]);
      expect(nulls.body.error.details[0].problems[0]).toContain('不能为 null');

      const basis = '《社会救助暂行办法》第十一条（低保申请家庭收入核查）';
      const res = await record(
        'committee',
        entry({ certificateName: '收入证明', legalBasis: basis, copies: 2 }),
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        decision: 'not-listed',
        listedName: null,
        sourceDocument: null,
        decidingEntryId: null,
        legalBasis: basis,
        legalBasisEntered: true,
        copies: 2,
      });
    });

    it('given a stamp dated before the city list took effect (2021-07-01), then the registry’s answer of that day decides: 居住证明 was not listed then', async () => {
      const before = await record(
        'committee',
        entry({ stampedAt: '2021-06-30T16:00:00Z' }), // 2021-07-01 00:00 in China: the list's first day
      );
      expect(before.status).toBe(201);
      expect(before.body).toMatchObject({ stampedOn: '2021-07-01', decision: 'allowed' });
      const earlier = await record('committee', entry({ stampedAt: '2021-06-30T15:59:00Z' }));
      expect(earlier.status).toBe(400);
      expect(earlier.body.error.details[0].field).toBe('legalBasis');
    });

    it('given temporary staff (not on the roster), when named as handler or approver, then 400 STAMP_HANDLER_NOT_AUTHORISED naming the field', async () => {
      const before = await entryCount();
      const asHandler = await record('committee', entry({ handlerId: user['committee-temp'] }));
      expect(asHandler.status).toBe(400);
      expect(asHandler.body.error).toMatchObject({
        code: 'STAMP_HANDLER_NOT_AUTHORISED',
        details: { field: 'handlerId' },
      });
      const asApprover = await record('committee', entry({ approverId: user['committee-temp'] }));
      expect(asApprover.body.error).toMatchObject({
        code: 'STAMP_HANDLER_NOT_AUTHORISED',
        details: { field: 'approverId' },
      });
      // Recording it themselves does not help: the two people must be on the roster.
      const byTemp = await record('committee-temp', entry({ handlerId: user['committee-temp'] }));
      expect(byTemp.body.error.code).toBe('STAMP_HANDLER_NOT_AUTHORISED');
      // Another community's member is no member here.
      const foreign = await record('committee', entry({ approverId: user['committee-2'] }));
      expect(foreign.body.error).toMatchObject({
        code: 'STAMP_HANDLER_NOT_AUTHORISED',
        details: { field: 'approverId' },
      });
      expect(await entryCount()).toBe(before);
    });

    it('given a member taken off the roster, then they may no longer approve; put back on, they may again', async () => {
      expect((await addMember('committee', 'committee-temp')).status).toBe(200);
      const on = await record('committee', entry({ approverId: user['committee-temp'] }));
      expect(on.status).toBe(201);
      const off = await t
        .http()
        .post(`/my-community/stamp-log/members/${user['committee-temp']}/remove`)
        .set(await auth('committee'));
      expect(off.status).toBe(200);
      expect(off.body.authorised).toBe(false);
      const refused = await record('committee', entry({ approverId: user['committee-temp'] }));
      expect(refused.body.error.code).toBe('STAMP_HANDLER_NOT_AUTHORISED');
      const again = await t
        .http()
        .post(`/my-community/stamp-log/members/${user['committee-temp']}/remove`)
        .set(await auth('committee'));
      expect([again.status, again.body.error.code]).toEqual([404, 'STAMP_MEMBER_NOT_FOUND']);
    });

    it('given a member moved to another community and back, then they are off the roster (not back with the old date) until put on anew; so when disabled and enabled again', async () => {
      await cloneUser('committee', 'committee-moving');
      expect((await addMember('committee', 'committee-moving')).status).toBe(200);
      const admin = { Authorization: `Bearer ${await t.token('sysadmin')}` };
      const [c1, c2] = (
        await t.dataSource.query(
          `SELECT id FROM org_unit WHERE code IN ('339901001001', '339901001002') ORDER BY code`,
        )
      ).map((r: { id: string }) => r.id);
      for (const unitId of [c2, c1]) {
        const [{ version }] = await t.dataSource.query('SELECT version FROM app_user WHERE id = $1', [
          user['committee-moving'],
        ]);
        const moved = await t
          .http()
          .patch(`/admin/users/${user['committee-moving']}`)
          .set(admin)
          .send({ unitId, version });
        expect(moved.status).toBe(200);
      }
      const roster = await t
        .http()
        .get('/my-community/stamp-log/members?pageSize=100')
        .set(await auth('committee'));
      const row = roster.body.items.find(
        (x: { user: { id: string } }) => x.user.id === user['committee-moving'],
      );
      expect(row).toMatchObject({ authorised: false, addedAt: null });
      const refused = await record('committee', entry({ approverId: user['committee-moving'] }));
      expect(refused.body.error.code).toBe('STAMP_HANDLER_NOT_AUTHORISED');
      // The old row ended at the move, by nobody: it left.
      const rows = await t.dataSource.query(
        'SELECT removed_at IS NOT NULL AS ended, removed_by FROM stamp_log_member WHERE user_id = $1',
        [user['committee-moving']],
      );
      expect(rows).toEqual([{ ended: true, removed_by: null }]);
      expect((await addMember('committee', 'committee-moving')).status).toBe(200);
      // Disabled, it leaves the roster too; enabled again, it is not back on it.
      for (const active of [false, true]) {
        const [{ version }] = await t.dataSource.query('SELECT version FROM app_user WHERE id = $1', [
          user['committee-moving'],
        ]);
        expect(
          (
            await t
              .http()
              .patch(`/admin/users/${user['committee-moving']}`)
              .set(admin)
              .send({ active, version })
          ).status,
        ).toBe(200);
      }
      const after = await t.dataSource.query(
        'SELECT count(*)::int AS n FROM stamp_log_member WHERE user_id = $1 AND removed_at IS NULL',
        [user['committee-moving']],
      );
      expect(after).toEqual([{ n: 0 }]);
    });

    it('given the same member as handler and approver, then 400 naming approverId', async () => {
      const res = await record('committee', entry({ approverId: user.committee }));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details[0].field).toBe('approverId');
    });

    it.each([
      ['an empty name', { certificateName: '' }, 'certificateName'],
      ['a blank name', { certificateName: '   ' }, 'certificateName'],
      ['a name over 100 characters', { certificateName: '证'.repeat(101) }, 'certificateName'],
      ['a time in the future', { stampedAt: '2027-01-04T11:00:00+08:00' }, 'stampedAt'],
      ['a time without its zone', { stampedAt: '2027-01-04T09:00:00' }, 'stampedAt'],
      ['a day that does not exist', { stampedAt: '2027-02-30T09:00:00+08:00' }, 'stampedAt'],
      ['0 copies', { copies: 0 }, 'copies'],
      ['100 copies', { copies: 100 }, 'copies'],
      ['1.5 copies', { copies: 1.5 }, 'copies'],
      ['a phone that is neither mobile nor landline', { requesterPhone: '12345' }, 'requesterPhone'],
      ['an empty requester', { requesterName: '' }, 'requesterName'],
      ['an empty purpose', { purpose: '' }, 'purpose'],
      ['a handler that is no id', { handlerId: 'committee' }, 'handlerId'],
      ['a correction without its reason', { correctsId: randomUUID() }, 'correctionReason'],
    ])('given %s, then 400 naming the field and nothing is written', async (_, over, field) => {
      const before = await entryCount();
      const res = await record('committee', entry(over));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await entryCount()).toBe(before);
    });

    it('given a landline written with spaces and +86, then it is accepted and kept without them', async () => {
      const res = await record('committee', entry({ requesterPhone: '+86 0571-8765 4321' }));
      expect(res.status).toBe(201);
      expect(res.body.requesterPhone).toBe('0571-87654321');
    });

    it('given the log, then the database refuses to change or delete an entry (append-only)', async () => {
      await expect(t.dataSource.query(`UPDATE stamp_log_entry SET copies = 3`)).rejects.toThrow(
        /append-only/,
      );
      await expect(t.dataSource.query(`DELETE FROM stamp_log_entry`)).rejects.toThrow(/append-only/);
    });
  });

  describe('voids and corrections', () => {
    it('given an entry, when voided with a reason, then it stays in the log marked void; a second void is 409', async () => {
      const made = await record('committee', entry({ requesterName: '李四' }));
      const res = await t
        .http()
        .post(`/my-community/stamp-log/${made.body.id}/void`)
        .set(await auth('committee-b'))
        .send({ reason: '申请人撤回，证明未交付' });
      expect(res.status).toBe(200);
      expect(res.body.void).toMatchObject({
        reason: '申请人撤回，证明未交付',
        voidedBy: { username: 'committee-b' },
        correctedBy: null,
      });
      const again = await t
        .http()
        .post(`/my-community/stamp-log/${made.body.id}/void`)
        .set(await auth('committee'))
        .send({ reason: '再次作废' });
      expect([again.status, again.body.error.code]).toEqual([409, 'STAMP_LOG_ALREADY_VOIDED']);
      const audit = await t
        .http()
        .get('/audit')
        .query({ entityType: 'stamp-log-entry', entityId: made.body.id })
        .set(await auth('auditor'));
      expect(audit.body.items.map((r: { action: string }) => r.action)).toEqual([
        'stamp-log.recorded',
        'stamp-log.voided',
      ]);
      const empty = await t
        .http()
        .post(`/my-community/stamp-log/${made.body.id}/void`)
        .set(await auth('committee'))
        .send({ reason: '' });
      expect(empty.status).toBe(400);
    });

    it('given two voids of one entry at the same moment, then one voids it and the other answers 409', async () => {
      const made = await record('committee', entry({ requesterName: '孙八' }));
      const both = await Promise.all(
        ['committee', 'committee-b'].map(async (who) =>
          t
            .http()
            .post(`/my-community/stamp-log/${made.body.id}/void`)
            .set(await auth(who))
            .send({ reason: `${who} 作废` }),
        ),
      );
      expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(both.find((r) => r.status === 409)!.body.error.code).toBe('STAMP_LOG_ALREADY_VOIDED');
      const voids = await t.dataSource.query(
        'SELECT count(*)::int AS n FROM stamp_log_void WHERE entry_id = $1',
        [made.body.id],
      );
      expect(voids[0].n).toBe(1);
    });

    it('given two corrections of one entry at the same moment, then one replaces it and the other answers 409, writing nothing', async () => {
      const made = await record('committee', entry({ requesterName: '周九' }));
      const before = await entryCount();
      const both = await Promise.all(
        [3, 4].map((copies) =>
          record(
            'committee',
            entry({ requesterName: '周九', copies, correctsId: made.body.id, correctionReason: '份数有误' }),
          ),
        ),
      );
      expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await entryCount()).toBe(before + 1);
      // Both voided entries are left out of the counts below: void this correction too.
      const fixed = both.find((r) => r.status === 201)!;
      const voided = await t
        .http()
        .post(`/my-community/stamp-log/${fixed.body.id}/void`)
        .set(await auth('committee'))
        .send({ reason: '测试后作废' });
      expect(voided.status).toBe(200);
    });

    it('given an entry with a wrong number of copies, when corrected, then a new entry replaces it and the old is void naming it', async () => {
      const wrong = await record('committee', entry({ requesterName: '王五', copies: 5 }));
      const fixed = await record(
        'committee',
        entry({
          requesterName: '王五',
          copies: 2,
          correctsId: wrong.body.id,
          correctionReason: '份数登记错误',
        }),
      );
      expect(fixed.status).toBe(201);
      expect(fixed.body.correctsId).toBe(wrong.body.id);
      const old = await t
        .http()
        .get(`/my-community/stamp-log/${wrong.body.id}`)
        .set(await auth('committee'));
      expect(old.body.copies).toBe(5);
      expect(old.body.void).toMatchObject({ reason: '份数登记错误', correctedBy: fixed.body.id });
      // A voided entry cannot be corrected again; nothing is written.
      const before = await entryCount();
      const twice = await record(
        'committee',
        entry({ requesterName: '王五', correctsId: wrong.body.id, correctionReason: '再改一次' }),
      );
      expect([twice.status, twice.body.error.code]).toEqual([409, 'STAMP_LOG_ALREADY_VOIDED']);
      expect(await entryCount()).toBe(before);
    });
  });

  describe('another community, and who sees the phone', () => {
    let mine: string;
    let d2: string;
    beforeAll(async () => {
      mine = (await record('committee', entry({ requesterName: '赵六', requesterPhone: '13912345678' }))).body
        .id;
      const res = await record('committee-d2', {
        ...entry({ requesterName: '钱七', requesterPhone: '13700001111' }),
        handlerId: user['committee-d2'],
        approverId: user['committee-d2b'],
      });
      expect(res.status).toBe(201);
      d2 = res.body.id;
    });

    it('given 杏花社区’s entry, when 桃园社区’s committee reads or voids it, then 404 as for a missing one', async () => {
      const missing = randomUUID();
      for (const id of [mine, missing]) {
        const read = await t
          .http()
          .get(`/my-community/stamp-log/${id}`)
          .set(await auth('committee-2'));
        expect([read.status, read.body.error.code]).toEqual([404, 'STAMP_LOG_NOT_FOUND']);
        const voided = await t
          .http()
          .post(`/my-community/stamp-log/${id}/void`)
          .set(await auth('committee-2'))
          .send({ reason: '不是本社区的' });
        expect([voided.status, voided.body.error.code]).toEqual([404, 'STAMP_LOG_NOT_FOUND']);
        const corrected = await record('committee-2', {
          ...entry({ correctsId: id, correctionReason: '更正' }),
          handlerId: user['committee-2'],
          approverId: user['committee-2b'],
        });
        expect([corrected.status, corrected.body.error.code]).toEqual([404, 'STAMP_LOG_NOT_FOUND']);
      }
      const list = await t
        .http()
        .get('/my-community/stamp-log')
        .set(await auth('committee-2'));
      expect(list.body.total).toBe(0);
    });

    it.each([
      ['committee', '/my-community/stamp-log', '13912345678', false],
      ['street', '/stamp-log', '139****5678', true],
      ['office', '/stamp-log', '139****5678', true],
      ['leader', '/stamp-log', '139****5678', true],
      ['auditor', '/stamp-log', '13912345678', false],
    ])(
      'given %s reading %s, then the requester’s phone reads %s (masked: %s)',
      async (who, path, phone, masked) => {
        const one = await t
          .http()
          .get(`${path}/${mine}`)
          .set(await auth(who as string));
        expect(one.status).toBe(200);
        expect([one.body.requesterPhone, one.body.phoneMasked]).toEqual([phone, masked]);
        const list = await t
          .http()
          .get(path as string)
          .query({ certificate: '居住' })
          .set(await auth(who as string));
        expect(list.status).toBe(200);
        const row = list.body.items.find((x: { id: string }) => x.id === mine);
        expect([row.requesterPhone, row.phoneMasked]).toEqual([phone, masked]);
      },
    );

    it('given the street of district 1, when it reads district 2’s entry, then 404 as for a missing one; the auditor reads it', async () => {
      for (const id of [d2, randomUUID()]) {
        const res = await t
          .http()
          .get(`/stamp-log/${id}`)
          .set(await auth('street'));
        expect([res.status, res.body.error.code]).toEqual([404, 'STAMP_LOG_NOT_FOUND']);
      }
      const list = await t
        .http()
        .get('/stamp-log')
        .set(await auth('street'));
      expect(list.body.items.every((x: { community: { code: string } }) => x.community.code !== HUBIN)).toBe(
        true,
      );
      const auditor = await t
        .http()
        .get(`/stamp-log/${d2}`)
        .set(await auth('auditor'));
      expect(auditor.status).toBe(200);
      expect(auditor.body.community.code).toBe(HUBIN);
    });

    it('given a department or a committee, when it reads the area’s log or counts, then 403', async () => {
      for (const who of ['dept-staff', 'committee', 'finance']) {
        for (const path of [
          '/stamp-log',
          `/stamp-log/${mine}`,
          '/stamp-log/counts?from=2027-01-01&to=2027-01-31',
        ]) {
          const res = await t
            .http()
            .get(path)
            .set(await auth(who));
          expect([who, path, res.status, res.body.error.code]).toEqual([who, path, 403, 'FORBIDDEN']);
        }
      }
      const dept = await t
        .http()
        .get('/my-community/stamp-log')
        .set(await auth('dept-staff'));
      expect(dept.status).toBe(403);
    });
  });

  describe('the OpenAPI document', () => {
    it('given the stamp log routes, then each documents its permission, and what they answer is exactly the documented schema', async () => {
      const doc = (await t.http().get('/docs-json')).body as {
        paths: Record<string, Record<string, { 'x-permissions': string[] }>>;
        components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
      };
      expect(doc.paths['/my-community/stamp-log'].post['x-permissions']).toEqual(['dispatch:respond']);
      expect(doc.paths['/stamp-log/counts'].get['x-permissions']).toEqual([]);
      const keysOf = (name: string) => Object.keys(doc.components.schemas[name].properties).sort();
      const list = await t
        .http()
        .get('/my-community/stamp-log')
        .set(await auth('committee'));
      const voided = list.body.items.find((x: { void: unknown }) => x.void);
      expect(Object.keys(voided).sort()).toEqual(keysOf('StampLogEntryDto'));
      expect(Object.keys(voided.void).sort()).toEqual(keysOf('StampLogVoidDto'));
      expect(Object.keys(voided.handler).sort()).toEqual(keysOf('StampLogPersonDto'));
      const counts = await t
        .http()
        .get('/stamp-log/counts?from=2027-01-01&to=2027-01-31')
        .set(await auth('street'));
      expect(Object.keys(counts.body.items[0]).sort()).toEqual(keysOf('StampLogCountDto'));
      const members = await t
        .http()
        .get('/my-community/stamp-log/members')
        .set(await auth('committee'));
      expect(Object.keys(members.body.items[0]).sort()).toEqual(keysOf('StampMemberDto'));
    });
  });

  describe('counts per community and certificate', () => {
    beforeAll(async () => {
      // 桃园社区: one 居住证明 of 3 copies on 2027-01-02, and one outside the range (2026-12-20).
      const c2 = { handlerId: user['committee-2'], approverId: user['committee-2b'] };
      expect(
        (
          await record('committee-2', {
            ...entry({ stampedAt: '2027-01-02T10:00:00+08:00', copies: 3 }),
            ...c2,
          })
        ).status,
      ).toBe(201);
      expect(
        (await record('committee-2', { ...entry({ stampedAt: '2026-12-20T10:00:00+08:00' }), ...c2 })).status,
      ).toBe(201);
    });

    const counts = async (who: string, query: Record<string, string>) =>
      t
        .http()
        .get('/stamp-log/counts')
        .query(query)
        .set(await auth(who));
    /** community code → certificate → [entries, copies], from every page. */
    async function table(who: string, query: Record<string, string>) {
      const out: Record<string, Record<string, [number, number]>> = {};
      for (let page = 1; ; page++) {
        const res = await counts(who, { ...query, pageSize: '2', page: String(page) });
        expect(res.status).toBe(200);
        for (const r of res.body.items as {
          community: { code: string };
          certificate: string;
          entries: number;
          copies: number;
        }[])
          (out[r.community.code] ??= {})[r.certificate] = [r.entries, r.copies];
        if (page * 2 >= res.body.total) return out;
      }
    }

    it('given the street, then its communities’ stamps per certificate in the range, voided ones left out, another district’s not', async () => {
      // 杏花社区 in force: 居住证明 ×1 (first), 收入证明 ×2 copies (not listed), the one approved by the member later
      // removed, the landline one, 赵六's, and the correction (2 copies); voided: 李四's and 王五's 5 copies.
      const street = await table('street', { from: '2027-01-01', to: '2027-01-31' });
      expect(street).toEqual({
        [XINGHUA]: { 居住证明: [5, 6], 收入证明: [1, 2] },
        [TAOYUAN]: { 居住证明: [1, 3] },
      });
      expect(await table('office', { from: '2027-01-01', to: '2027-01-31' })).toEqual(street);
      const auditor = await table('auditor', { from: '2027-01-01', to: '2027-01-31' });
      expect(auditor).toEqual({ ...street, [HUBIN]: { 居住证明: [1, 1] } });
      expect(await table('street', { from: '2026-12-01', to: '2026-12-31' })).toEqual({
        [TAOYUAN]: { 居住证明: [1, 1] },
      });
      expect(await table('street', { from: '2027-01-01', to: '2027-01-31', community: TAOYUAN })).toEqual({
        [TAOYUAN]: { 居住证明: [1, 3] },
      });
    });

    it('given a community of another district, when the street asks for it, then 404 as for an unknown one', async () => {
      for (const community of [HUBIN, '339999999999']) {
        const res = await counts('street', { from: '2027-01-01', to: '2027-01-31', community });
        expect([res.status, res.body.error.code]).toEqual([404, 'COMMUNITY_NOT_FOUND']);
      }
    });

    it.each([
      ['without from', { to: '2027-01-31' }, 'from'],
      ['with a malformed to', { from: '2027-01-01', to: '2027-1-31' }, 'to'],
      ['with to before from', { from: '2027-01-31', to: '2027-01-01' }, 'to'],
    ])('given counts %s, then 400 naming the field', async (_, query, field) => {
      const res = await counts('street', query as Record<string, string>);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    });
  });
});
