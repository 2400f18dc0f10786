import pg from 'pg';
import type { Actor } from '../src/common/actor.js';
import { WorkflowRuntime } from '../src/workflow/runtime.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { act, historyActions, inboxOf, openTask, startReviewCase } from './helpers/cases.js';
import { captureStatements } from './helpers/statements.js';
import { waitFor } from './helpers/timers.js';

/**
 * Task authority follows the organization as it is now: who may hold, be handed, sign or urge a task is decided
 * by the task's group at the moment of the operation, not by a list resolved when the task was created.
 */
describe('task authority (委托、转办、加签、催办 and the organization as it is now)', () => {
  let t: TestApp;
  const user: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const post = async (u: string, path: string, body: object = {}) =>
    t
      .http()
      .post(path)
      .set(await auth(u))
      .send(body);
  const admin = async (u: string, method: 'put' | 'patch', path: string, body: object) =>
    t
      .http()
      [method](path)
      .set(await auth(u))
      .send(body);
  const taskRow = async (id: string) =>
    (await t.dataSource.query('SELECT * FROM workflow_task WHERE id = $1', [id]))[0];
  const userVersion = async (username: string): Promise<number> =>
    (await t.dataSource.query('SELECT version FROM app_user WHERE username = $1', [username]))[0].version;

  async function atOfficeReview(): Promise<{ id: string; taskId: string }> {
    const id = await startReviewCase(t);
    await act(t, 'dept-head', id, 'deptApprove', { decision: 'approve' });
    return { id, taskId: await openTask(t, 'office', id, 'officeReview') };
  }

  async function atCountersign(): Promise<{ id: string }> {
    const { id, taskId } = await atOfficeReview();
    expect((await post('office', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(200);
    return { id };
  }

  async function atLeaderSign(): Promise<{ id: string; taskId: string }> {
    const { id } = await atCountersign();
    for (const m of ['member-1', 'member-2', 'member-3'])
      expect((await act(t, m, id, 'countersign', { decision: 'approve' })).status).toBe(200);
    return { id, taskId: await openTask(t, 'leader', id, 'leaderSign') };
  }

  /** A clone of a demo user (same unit, roles and password) under a new name. */
  async function cloneUser(from: string, username: string): Promise<string> {
    const rows = await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT $2, $2, password_hash, unit_id, roles FROM app_user WHERE username = $1 RETURNING id`,
      [from, username],
    );
    user[username] = rows[0].id;
    return rows[0].id;
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT id, username FROM app_user')) user[r.username] = r.id;
    await cloneUser('office', 'office-2');
    await cloneUser('member-1', 'member-1b');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('委托, 转办 and 加签 follow one rule: only someone who could hold the task', () => {
    it('given the office review, when the office delegates it to a committee of another district, the applicant’s staff or the auditor, then each is refused naming the field, and nothing changes', async () => {
      const { id, taskId } = await atOfficeReview();
      await post('office', `/tasks/${taskId}/claim`);
      const until = new Date(Date.now() + 3600_000).toISOString();
      for (const outsider of ['committee-d2', 'dept-staff', 'auditor', 'member-1']) {
        const res = await post('office', `/tasks/${taskId}/delegate`, { toUserId: user[outsider], until });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details[0].field).toBe('toUserId');
      }
      const row = await taskRow(taskId);
      expect(row.assignee_id).toBe(user['office']);
      expect(row.delegated_from_id).toBeNull();
      // The district-2 committee still cannot read the case.
      expect(
        (
          await t
            .http()
            .get(`/workflow-instances/${id}`)
            .set(await auth('committee-d2'))
        ).status,
      ).toBe(404);
      // A colleague of the office may be the delegate.
      expect(
        (await post('office', `/tasks/${taskId}/delegate`, { toUserId: user['office-2'], until })).status,
      ).toBe(200);
    });

    it('given a member unit’s countersign, when it delegates or hands it to the applicant’s staff, then it is refused; a colleague of the member unit is accepted', async () => {
      const { id } = await atCountersign();
      const taskId = await openTask(t, 'member-1', id, 'countersign');
      await post('member-1', `/tasks/${taskId}/claim`);
      const until = new Date(Date.now() + 3600_000).toISOString();
      expect(
        (await post('member-1', `/tasks/${taskId}/delegate`, { toUserId: user['dept-staff'], until })).status,
      ).toBe(400);
      expect(
        (await post('member-1', `/tasks/${taskId}/reassign`, { toUserId: user['dept-head'] })).status,
      ).toBe(400);
      expect(
        (await post('member-1', `/tasks/${taskId}/signers`, { userIds: [user['member-2']] })).status,
      ).toBe(400);
      expect(
        (await post('member-1', `/tasks/${taskId}/reassign`, { toUserId: user['member-1b'] })).status,
      ).toBe(200);
    });

    it('given 加签 on the office review, when the office adds a member unit or the auditor, then it is refused; an office colleague is accepted', async () => {
      const { taskId } = await atOfficeReview();
      await post('office', `/tasks/${taskId}/claim`);
      for (const outsider of ['member-1', 'auditor', 'committee']) {
        const res = await post('office', `/tasks/${taskId}/signers`, { userIds: [user[outsider]] });
        expect(res.status).toBe(400);
        expect(res.body.error.details[0].field).toBe('userIds');
      }
      expect(
        await t.dataSource.query(`SELECT 1 FROM workflow_task WHERE parent_task_id = $1`, [taskId]),
      ).toEqual([]);
      const ok = await post('office', `/tasks/${taskId}/signers`, { userIds: [user['office-2']] });
      expect(ok.status).toBe(201);
    });

    it('given office-2 already asked to sign (加签), when the office asks them again, then it is refused naming the field and they are not offered; once signed, they may be asked again', async () => {
      const { taskId } = await atOfficeReview();
      await post('office', `/tasks/${taskId}/claim`);
      const signersOffered = async () =>
        (
          await t
            .http()
            .get(`/tasks/${taskId}/hand-over-candidates?for=signers`)
            .set(await auth('office'))
        ).body.items.map((x: { id: string }) => x.id);
      expect(await signersOffered()).toContain(user['office-2']);
      const first = await post('office', `/tasks/${taskId}/signers`, { userIds: [user['office-2']] });
      expect(first.status).toBe(201);
      expect(await signersOffered()).not.toContain(user['office-2']);
      const again = await post('office', `/tasks/${taskId}/signers`, { userIds: [user['office-2']] });
      expect([again.status, again.body.error.code, again.body.error.details[0].field]).toEqual([
        400,
        'VALIDATION_FAILED',
        'userIds',
      ]);
      expect(again.body.error.details[0].problems[0]).toMatch(/在加签中、尚未签署/);
      const open = await t.dataSource.query(
        `SELECT id FROM workflow_task WHERE parent_task_id = $1 AND status = 'open'`,
        [taskId],
      );
      expect(open).toHaveLength(1);
      expect(
        (await post('office-2', `/tasks/${first.body[0].id}/complete`, { decision: 'approve' })).status,
      ).toBe(200);
      expect(await signersOffered()).toContain(user['office-2']);
    });
  });

  describe('every operation checks the actor as the organization is now', () => {
    it('given the principal leader is replaced, then the old leader can no longer sign, the new one sees and signs the task, and the hand-over is recorded', async () => {
      const { id, taskId } = await atLeaderSign();
      await post('leader', `/tasks/${taskId}/claim`);
      await cloneUser('leader', 'leader-new');
      const group = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901-LG'`))[0].id;
      const members = (
        await t.dataSource.query(
          'SELECT unit_id FROM leading_group_member WHERE group_id = $1 ORDER BY position',
          [group],
        )
      ).map((r: { unit_id: string }) => r.unit_id);
      const set = await admin('sysadmin', 'put', `/admin/leading-groups/${group}`, {
        principalLeaderId: user['leader-new'],
        memberUnitIds: members,
      });
      expect(set.status).toBe(200);
      const old = await post('leader', `/tasks/${taskId}/complete`, { decision: 'approve' });
      expect(old.status).toBe(404);
      expect(old.body.error.code).toBe('TASK_NOT_FOUND');
      expect(await openTask(t, 'leader-new', id, 'leaderSign')).toBe(taskId);
      expect((await post('leader-new', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(
        200,
      );
      expect(await historyActions(t, id)).toContain('task.returned-to-group:leaderSign');
      // Put the demo leader back for the other tests.
      await admin('sysadmin', 'put', `/admin/leading-groups/${group}`, {
        principalLeaderId: user['leader'],
        memberUnitIds: members,
      });
    });

    it('given a clerk holding a task is disabled, then the task returns to the office and a colleague can take it', async () => {
      const { id, taskId } = await atOfficeReview();
      await cloneUser('office', 'office-leaving');
      expect((await post('office-leaving', `/tasks/${taskId}/claim`)).status).toBe(200);
      const res = await admin('sysadmin', 'patch', `/admin/users/${user['office-leaving']}`, {
        active: false,
        version: await userVersion('office-leaving'),
      });
      expect(res.status).toBe(200);
      const row = await taskRow(taskId);
      expect(row.assignee_id).toBeNull();
      expect((await post('office', `/tasks/${taskId}/claim`)).status).toBe(200);
      expect(await historyActions(t, id)).toContain('task.returned-to-group:officeReview');
      const audit = await t.dataSource.query(
        `SELECT data FROM audit_record WHERE action = 'workflow.task.returned-to-group' AND entity_id = $1`,
        [taskId],
      );
      expect(audit[0].data).toMatchObject({ from: user['office-leaving'], reason: 'user-disabled' });
    });

    it('given a clerk holding a task loses the office role, then the task returns and the clerk can no longer act on it', async () => {
      const { taskId } = await atOfficeReview();
      await cloneUser('office', 'office-moved');
      expect((await post('office-moved', `/tasks/${taskId}/claim`)).status).toBe(200);
      const before = await t.token('office-moved');
      const res = await admin('secadmin', 'put', `/admin/users/${user['office-moved']}/roles`, {
        roles: [],
        version: await userVersion('office-moved'),
      });
      expect(res.status).toBe(200);
      expect((await taskRow(taskId)).assignee_id).toBeNull();
      // The old session ended; a new one (no office role) does not see the task.
      expect(
        (
          await t
            .http()
            .get(`/tasks/${taskId}`)
            .set({ Authorization: `Bearer ${before}` })
        ).status,
      ).toBe(401);
    });

    it('given the principal leader loses the LEADER role, then the sign-off leaves them and waits for the next principal leader', async () => {
      const group = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901-LG'`))[0].id;
      const members = (
        await t.dataSource.query(
          'SELECT unit_id FROM leading_group_member WHERE group_id = $1 ORDER BY position',
          [group],
        )
      ).map((r: { unit_id: string }) => r.unit_id);
      await cloneUser('leader', 'leader-x');
      const setLeader = (leaderId: string) =>
        admin('sysadmin', 'put', `/admin/leading-groups/${group}`, {
          principalLeaderId: leaderId,
          memberUnitIds: members,
        });
      expect((await setLeader(user['leader-x'])).status).toBe(200);
      try {
        const { id } = await atCountersign();
        for (const m of ['member-1', 'member-2', 'member-3'])
          expect((await act(t, m, id, 'countersign', { decision: 'approve' })).status).toBe(200);
        const taskId = await openTask(t, 'leader-x', id, 'leaderSign');
        expect((await post('leader-x', `/tasks/${taskId}/claim`)).status).toBe(200);
        const lost = await admin('secadmin', 'put', `/admin/users/${user['leader-x']}/roles`, {
          roles: [],
          version: await userVersion('leader-x'),
        });
        expect(lost.status).toBe(200);
        const row = await taskRow(taskId);
        expect(row.assignee_id).toBeNull();
        expect(row.candidate_user_ids).not.toContain(user['leader-x']);
        const again = await t
          .http()
          .post('/auth/login')
          .send({ username: 'leader-x', password: 'Demo@2026' });
        const res = await t
          .http()
          .post(`/tasks/${taskId}/complete`)
          .set({ Authorization: `Bearer ${again.body.accessToken}` })
          .send({ decision: 'approve' });
        expect(res.status).toBe(404);
        // Given the role back, the principal leader finds the task again (it is never left with nobody).
        const back = await admin('secadmin', 'put', `/admin/users/${user['leader-x']}/roles`, {
          roles: ['LEADER'],
          version: await userVersion('leader-x'),
        });
        expect(back.status).toBe(200);
        expect((await taskRow(taskId)).candidate_user_ids).toEqual([user['leader-x']]);
        // Disabled and enabled again: the same.
        await admin('sysadmin', 'patch', `/admin/users/${user['leader-x']}`, {
          active: false,
          version: await userVersion('leader-x'),
        });
        expect((await taskRow(taskId)).candidate_user_ids).toEqual([]);
        await admin('sysadmin', 'patch', `/admin/users/${user['leader-x']}`, {
          active: true,
          version: await userVersion('leader-x'),
        });
        expect((await taskRow(taskId)).candidate_user_ids).toEqual([user['leader-x']]);
        // The next principal leader finds it in their inbox.
        expect((await setLeader(user['leader'])).status).toBe(200);
        expect(await openTask(t, 'leader', id, 'leaderSign')).toBe(taskId);
      } finally {
        await setLeader(user['leader']);
      }
    });

    it('given a member unit’s countersign is open, when the member unit is removed from the leading group, then it is refused until the countersign is done', async () => {
      const group = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901-LG'`))[0].id;
      const members: string[] = (
        await t.dataSource.query(
          'SELECT unit_id FROM leading_group_member WHERE group_id = $1 ORDER BY position',
          [group],
        )
      ).map((r: { unit_id: string }) => r.unit_id);
      // Only this case has open countersigns for this test: earlier cases are finished or cancelled.
      await t.dataSource.query(
        `UPDATE workflow_task SET status = 'cancelled' WHERE status = 'open' AND element_id = 'countersign'`,
      );
      const { id } = await atCountersign();
      const member3 = (
        await t.dataSource.query(`SELECT unit_id FROM app_user WHERE username = 'member-3'`)
      )[0].unit_id;
      const without = members.filter((u) => u !== member3);
      const refused = await admin('sysadmin', 'put', `/admin/leading-groups/${group}`, {
        principalLeaderId: user['leader'],
        memberUnitIds: without,
      });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('MEMBER_COUNTERSIGN_OPEN');
      expect(refused.body.error.details).toEqual({ unitIds: [member3] });
      expect((await act(t, 'member-3', id, 'countersign', { decision: 'approve' })).status).toBe(200);
      const ok = await admin('sysadmin', 'put', `/admin/leading-groups/${group}`, {
        principalLeaderId: user['leader'],
        memberUnitIds: without,
      });
      expect(ok.status).toBe(200);
      await admin('sysadmin', 'put', `/admin/leading-groups/${group}`, {
        principalLeaderId: user['leader'],
        memberUnitIds: members,
      });
    });

    it('given an added signer who loses the office role, then the signature is no longer awaited and the step can be completed', async () => {
      const { id, taskId } = await atOfficeReview();
      await cloneUser('office', 'office-signer');
      await post('office', `/tasks/${taskId}/claim`);
      const added = await post('office', `/tasks/${taskId}/signers`, { userIds: [user['office-signer']] });
      expect(added.status).toBe(201);
      await admin('secadmin', 'put', `/admin/users/${user['office-signer']}/roles`, {
        roles: [],
        version: await userVersion('office-signer'),
      });
      expect((await taskRow(added.body[0].id)).status).toBe('cancelled');
      expect(await historyActions(t, id)).toContain('task.signer-removed:officeReview');
      // Nor does the former signer read the case any more.
      const again = await t
        .http()
        .post('/auth/login')
        .send({ username: 'office-signer', password: 'Demo@2026' });
      expect(
        (
          await t
            .http()
            .get(`/workflow-instances/${id}`)
            .set({ Authorization: `Bearer ${again.body.accessToken}` })
        ).status,
      ).toBe(404);
      expect((await post('office', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(200);
    });

    it('given an added signer who is away, then the office of the level releases the signature and the step goes on', async () => {
      const { taskId } = await atOfficeReview();
      await post('office', `/tasks/${taskId}/claim`);
      const added = await post('office', `/tasks/${taskId}/signers`, { userIds: [user['office-2']] });
      expect(added.status).toBe(201);
      expect((await post('office', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(409);
      const released = await post('office', `/tasks/${added.body[0].id}/release`, { comment: '加签人出差' });
      expect(released.status).toBe(200);
      expect(released.body.status).toBe('cancelled');
      expect((await post('office', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(200);
    });

    it('given a clerk disabled while their completion is on its way, then the change committed first wins: the completion fails and the task stays open', async () => {
      const { taskId } = await atOfficeReview();
      await cloneUser('office', 'office-inflight');
      await t.token('office-inflight');
      const holder = new pg.Client({ connectionString: t.databaseUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('UPDATE app_user SET active = false WHERE id = $1', [user['office-inflight']]);
        let settled = false;
        const completing = post('office-inflight', `/tasks/${taskId}/complete`, {
          decision: 'approve',
        }).finally(() => {
          settled = true;
        });
        await waitForLockWaiters(holder, 1, () => settled);
        await holder.query('COMMIT');
        const res = await completing;
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('TASK_NOT_FOUND');
      } finally {
        await holder.end();
      }
      expect((await taskRow(taskId)).status).toBe('open');
    });

    it('given a clerk disabled while asking whom to hand a task to, then the change committed first wins: the candidates are refused as the hand-over would be', async () => {
      const { taskId } = await atOfficeReview();
      await cloneUser('office', 'office-asking');
      expect((await post('office-asking', `/tasks/${taskId}/claim`)).status).toBe(200);
      const token = await t.token('office-asking');
      const holder = new pg.Client({ connectionString: t.databaseUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('UPDATE app_user SET active = false WHERE id = $1', [user['office-asking']]);
        let settled = false;
        const asking = t
          .http()
          .get(`/tasks/${taskId}/hand-over-candidates?for=reassign`)
          .set({ Authorization: `Bearer ${token}` })
          .then((r) => r)
          .finally(() => {
            settled = true;
          });
        await waitForLockWaiters(holder, 1, () => settled);
        await holder.query('COMMIT');
        const res = await asking;
        expect([res.status, res.body.error?.code]).toEqual([404, 'TASK_NOT_FOUND']);
      } finally {
        await holder.end();
      }
    });

    it('given a department head who completed a step and then lost the role, then they can no longer withdraw it', async () => {
      const id = await startReviewCase(t);
      await cloneUser('dept-head', 'dept-head-old');
      const taskId = await openTask(t, 'dept-head-old', id, 'deptApprove');
      expect((await post('dept-head-old', `/tasks/${taskId}/complete`, { decision: 'approve' })).status).toBe(
        200,
      );
      await admin('secadmin', 'put', `/admin/users/${user['dept-head-old']}/roles`, {
        roles: [],
        version: await userVersion('dept-head-old'),
      });
      const login = await t
        .http()
        .post('/auth/login')
        .send({ username: 'dept-head-old', password: 'Demo@2026' });
      expect(login.status).toBe(200);
      const res = await t
        .http()
        .post(`/tasks/${taskId}/withdraw`)
        .set({ Authorization: `Bearer ${login.body.accessToken}` })
        .send({});
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('WITHDRAW_NOT_POSSIBLE');
    });

    it('given a delegate who is moved to another unit, then the task returns to the group, not stuck with them', async () => {
      const { taskId } = await atOfficeReview();
      await cloneUser('office', 'office-delegate');
      await post('office', `/tasks/${taskId}/claim`);
      const until = new Date(Date.now() + 3600_000).toISOString();
      expect(
        (await post('office', `/tasks/${taskId}/delegate`, { toUserId: user['office-delegate'], until }))
          .status,
      ).toBe(200);
      const civil = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901-MZ'`))[0].id;
      // Roles must fit the new unit: the office role goes first, then the account moves.
      await admin('secadmin', 'put', `/admin/users/${user['office-delegate']}/roles`, {
        roles: [],
        version: await userVersion('office-delegate'),
      });
      const moved = await admin('sysadmin', 'patch', `/admin/users/${user['office-delegate']}`, {
        unitId: civil,
        version: await userVersion('office-delegate'),
      });
      expect(moved.status).toBe(200);
      const row = await taskRow(taskId);
      // Back to the one who delegated it (still an office clerk), or to the group: never the moved user.
      expect(row.assignee_id).not.toBe(user['office-delegate']);
      expect([user['office'], null]).toContain(row.assignee_id);
    });

    it('given a task held by a clerk who is away, then the office of its level can release it or hand it over; an office of another level cannot', async () => {
      const { taskId } = await atOfficeReview();
      await cloneUser('office', 'office-away');
      expect((await post('office-away', `/tasks/${taskId}/claim`)).status).toBe(200);
      // The city office does not oversee a district's steps: like a missing task.
      const foreign = await post('city-office', `/tasks/${taskId}/release`, { comment: '人员休假' });
      expect(foreign.status).toBe(404);
      expect((await post('committee', `/tasks/${taskId}/release`)).status).toBe(404);
      const released = await post('office', `/tasks/${taskId}/release`, { comment: '人员休假，退回待领' });
      expect(released.status).toBe(200);
      expect(released.body.assigneeId).toBeNull();
      expect((await post('office-away', `/tasks/${taskId}/claim`)).status).toBe(200);
      const handed = await post('office', `/tasks/${taskId}/reassign`, { toUserId: user['office-2'] });
      expect(handed.status).toBe(200);
      expect(handed.body.assigneeId).toBe(user['office-2']);
      const history = await t.dataSource.query(
        `SELECT action FROM workflow_history WHERE task_id = $1 ORDER BY seq`,
        [taskId],
      );
      expect(history.map((h: { action: string }) => h.action)).toEqual(
        expect.arrayContaining(['task.released', 'task.reassigned']),
      );
    });
  });

  describe('加签, claims and completion serialize on the task', () => {
    it('given 加签 and a completion at the same moment, then never both: no orphan signer on a completed step', async () => {
      const { taskId } = await atOfficeReview();
      await post('office', `/tasks/${taskId}/claim`);
      // Hold the audit chain's head: both transactions run up to their commit and wait there together.
      const holder = new pg.Client({ connectionString: t.databaseUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT * FROM audit_head FOR UPDATE');
        const adding = post('office', `/tasks/${taskId}/signers`, { userIds: [user['office-2']] });
        await waitForLockWaiters(holder, 1);
        let settled = false;
        const completing = post('office', `/tasks/${taskId}/complete`, { decision: 'approve' }).finally(
          () => {
            settled = true;
          },
        );
        // The completion waits behind 加签's uncommitted change of the step (fixed), or at its own commit.
        await waitForLockWaiters(holder, 2, () => settled);
        await holder.query('COMMIT');
        const [a, c] = await Promise.all([adding, completing]);
        expect([a.status, c.status].filter((s) => s < 300).length).toBe(1);
      } finally {
        await holder.end();
      }
      const orphans = await t.dataSource.query(
        `SELECT s.id FROM workflow_task s JOIN workflow_task p ON p.id = s.parent_task_id
          WHERE s.status = 'open' AND p.status <> 'open'`,
      );
      expect(orphans).toEqual([]);
    });

    it('given the holder claims the task several times at once, then each answers 200', async () => {
      const { taskId } = await atOfficeReview();
      const res = await Promise.all(
        Array.from({ length: 6 }, () => post('office', `/tasks/${taskId}/claim`)),
      );
      expect(res.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect((await taskRow(taskId)).assignee_id).toBe(user['office']);
    });
  });

  describe('催办 only within the overseer’s area', () => {
    async function cityTask(): Promise<string> {
      const cityDept = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '3399-MZ'`))[0].id;
      const actor = { principal: { userId: user['city-office'], username: 'city-office' } } as Actor;
      const started = await t.app.get(WorkflowRuntime).start(actor, {
        processId: 'review',
        businessKey: `city-${Date.now()}`,
        ownerUnitId: cityDept,
        variables: { memberUnits: [] },
      });
      const rows = await t.dataSource.query(
        `SELECT id FROM workflow_task WHERE instance_id = $1 AND status = 'open'`,
        [started.id],
      );
      return rows[0].id;
    }

    it('given a task of the city, when the district office urges it, then it answers like a missing task', async () => {
      const taskId = await cityTask();
      const res = await post('office', `/tasks/${taskId}/urge`, { comment: '请尽快' });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('TASK_NOT_FOUND');
      expect((await taskRow(taskId)).urged_count).toBe(0);
      // The city office oversees it.
      expect((await post('city-office', `/tasks/${taskId}/urge`)).status).toBe(200);
    });

    it('given an inbox with tasks of the overseer’s area and of another, then each row says whether it may be urged, read with the page (not one query per case’s unit)', async () => {
      const { id } = await atOfficeReview();
      const cityTaskId = await cityTask();
      // The city task is offered to the district office by name: it may act on it, but the case is not of its area.
      await t.dataSource.query('UPDATE workflow_task SET candidate_user_ids = $2 WHERE id = $1', [
        cityTaskId,
        [user['office']],
      ]);
      await t.token('office');
      const { result: rows, statements } = await captureStatements(() => inboxOf(t, 'office'));
      const ours = rows.find((x) => x.instanceId === id);
      const city = rows.find((x) => x.id === cityTaskId);
      expect([ours?.mayUrge, city?.mayUrge]).toEqual([true, false]);
      // No look-up of a case's unit on its own (as the urge itself does: SELECT 1 FROM org_unit ...).
      expect(statements.filter((x) => x === 'SELECT 1 FROM')).toEqual([]);
      expect((await post('office', `/tasks/${cityTaskId}/urge`)).status).toBe(404);
    });

    it('given a completed task of another area, then urging it answers 404, not 409', async () => {
      const taskId = await cityTask();
      await t.dataSource.query(`UPDATE workflow_task SET status = 'completed' WHERE id = $1`, [taskId]);
      const res = await post('office', `/tasks/${taskId}/urge`);
      expect(res.status).toBe(404);
    });

    it('given an urge within the area, then the answer carries no form data or comment of the task', async () => {
      const { id } = await atCountersign();
      const taskId = await openTask(t, 'member-1', id, 'countersign');
      const res = await post('dept-staff', `/tasks/${taskId}/urge`, { comment: '请尽快' });
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('formData');
      expect(res.body).not.toHaveProperty('comment');
      expect(res.body.urgedCount).toBe(1);
    });
  });

  // The transactions waiting on the audit head (or on rows they hold) while the head is held.
  async function waitForLockWaiters(c: pg.Client, n: number, done = () => false): Promise<void> {
    try {
      await waitFor(
        `${n} transaction(s) waiting`,
        async () => {
          const rows = await c.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
          );
          return rows.rows[0].n >= n || done();
        },
        25_000,
      );
    } catch (e) {
      const activity = await c.query(
        `SELECT state, wait_event_type, wait_event, left(query, 120) AS query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      const pool = (
        t.dataSource.driver as unknown as {
          master: { totalCount: number; idleCount: number; waitingCount: number };
        }
      ).master;
      throw new Error(
        `${(e as Error).message}: ${JSON.stringify(activity.rows)}; pool total ${pool.totalCount} idle ${pool.idleCount} waiting ${pool.waitingCount}`,
        { cause: e },
      );
    }
  }
});
