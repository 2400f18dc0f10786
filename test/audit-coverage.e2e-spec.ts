import type { AuditProblem } from '../src/audit/audit-verifier.service.js';
import { decisionHash, recordHash } from '../src/audit/audit.service.js';
import type { AuditRecord } from '../src/audit/audit-record.entity.js';
import { AuditSealer } from '../src/audit/audit-sealer.service.js';
import { Clock } from '../src/common/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { APPROVALS, admitApplication, makeApplication, submitApplication } from './helpers/admission.js';
import { act, instanceStatus, openTask, startReviewCase } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';
import { moveClockTo } from './helpers/clock.js';
import { fireTimersOf } from './helpers/timers.js';

describe('the audit chain covers what was decided: step decisions, domain events, stored decisions, daily seals', () => {
  let t: TestApp;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const C1 = '339901001001';
  const C2 = '339901001002';

  const application = (over: Record<string, unknown> = {}) => makeApplication([unit[C1], unit[C2]], over);

  /** Every audit record, oldest first, through GET /audit (paged). */
  async function trail(): Promise<AuditRecord[]> {
    const all: AuditRecord[] = [];
    for (let after = '0'; ;) {
      const res = await t
        .http()
        .get(`/audit?pageSize=200&afterSeq=${after}`)
        .set(await auth('auditor'));
      expect(res.status).toBe(200);
      const page = res.body.items as AuditRecord[];
      if (!page.length) return all;
      all.push(...page);
      after = page[page.length - 1].seq;
    }
  }
  const verify = async () => {
    const res = await t
      .http()
      .get('/audit/verify')
      .set(await auth('auditor'));
    expect(res.status).toBe(200);
    return res.body as {
      intact: boolean;
      sealing: string;
      firstBrokenSeq: string | null;
      problems: AuditProblem[];
    };
  };
  /** The audit record of the step that decided `taskId`. */
  const stepRecord = async (taskId: string) =>
    (await trail()).filter((r) => (r.data as { taskId?: string } | null)?.taskId === taskId).pop()!;

  beforeAll(async () => {
    t = await startTestApp();
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('each step’s audit record', () => {
    it('given a department head’s approval with a comment and the office’s return listing deficiencies, then each step’s record names the task, the element, the decision, the deficiencies and the hash of the form data and comment', async () => {
      const { instanceId } = await submitApplication(t, application({ title: '审计：退回补正' }));
      expect(
        (await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve', comment: '同意上报' }))
          .status,
      ).toBe(200);
      const deficiencies = ['缺少法律依据条款', '经费来源未写明'];
      expect(
        (
          await act(
            t,
            'office',
            instanceId,
            'completeness',
            { deficiencies, comment: '请一次补正' },
            'return',
          )
        ).status,
      ).toBe(200);
      const tasks: {
        id: string;
        element_id: string;
        decision: string;
        form_data: unknown;
        comment: string;
      }[] = await t.dataSource.query(
        `SELECT id, element_id, decision, form_data, comment FROM workflow_task
            WHERE instance_id = $1 AND status = 'completed' ORDER BY completed_at`,
        [instanceId],
      );
      expect(tasks.map((x) => `${x.element_id}:${x.decision}`)).toEqual([
        'deptApprove:approve',
        'completeness:return',
      ]);
      const [head, office] = tasks;
      expect((await stepRecord(head.id)).data).toMatchObject({
        taskId: head.id,
        elementId: 'deptApprove',
        decision: 'approve',
        formHash: decisionHash(head.form_data, '同意上报'),
      });
      const returned = await stepRecord(office.id);
      expect(returned.action).toBe('workflow.task.returned');
      expect(returned.entityId).toBe(instanceId);
      expect(returned.data).toEqual({
        version: expect.any(Number),
        status: 'active',
        taskId: office.id,
        elementId: 'completeness',
        decision: 'return',
        deficiencies,
        formHash: decisionHash(office.form_data, '请一次补正'),
      });
      expect(decisionHash(office.form_data, '另一意见')).not.toBe(returned.data!.formHash);
    });

    it('given a countersign (会签) iteration, completed ahead of its step, then its record carries the decision too', async () => {
      const { instanceId } = await admitApplication(t, application({ title: '审计：会签' }));
      const member: { id: string; form_data: unknown; comment: string | null }[] = await t.dataSource.query(
        `SELECT id, form_data, comment FROM workflow_task WHERE instance_id = $1 AND element_id = 'countersign' ORDER BY completed_at LIMIT 1`,
        [instanceId],
      );
      expect((await stepRecord(member[0].id)).data).toMatchObject({
        elementId: 'countersign',
        decision: 'approve',
        formHash: decisionHash(member[0].form_data, member[0].comment),
      });
      expect((await verify()).intact).toBe(true);
    });
  });

  describe('GET /audit/verify against the decisions stored in tasks and history', () => {
    let taskId: string;
    let recordSeq: string;

    beforeAll(async () => {
      const { instanceId } = await submitApplication(t, application({ title: '审计：领导否决' }));
      for (const [user, element] of APPROVALS.slice(0, -1)) {
        const res = await act(t, user, instanceId, element, { decision: 'approve' });
        expect(res.status).toBe(200);
      }
      const res = await act(t, 'leader', instanceId, 'leaderSign', {
        decision: 'reject',
        comment: '不予准入',
      });
      expect(res.status).toBe(200);
      taskId = (
        await t.dataSource.query(
          `SELECT id FROM workflow_task WHERE instance_id = $1 AND element_id = 'leaderSign'`,
          [instanceId],
        )
      )[0].id;
      recordSeq = (await stepRecord(taskId)).seq;
      expect(await verify()).toMatchObject({ intact: true, problems: [] });
    });

    it('given a database administrator who flips the leader’s reject to approve in the task row, then verify names the task and its record', async () => {
      await t.dataSource.query(`UPDATE workflow_task SET decision = 'approve' WHERE id = $1`, [taskId]);
      try {
        const v = await verify();
        expect(v.intact).toBe(false);
        expect(v.problems).toEqual([
          expect.objectContaining({
            kind: 'task-decision-mismatch',
            taskId,
            seq: recordSeq,
            stored: 'approve',
            recorded: 'reject',
          }),
        ]);
        expect(v.problems[0].message).toContain(taskId);
      } finally {
        await t.dataSource.query(`UPDATE workflow_task SET decision = 'reject' WHERE id = $1`, [taskId]);
      }
    });

    it('given the decision flipped in the case history, then verify names the history row', async () => {
      const row = (
        await t.dataSource.query(
          `SELECT seq FROM workflow_history WHERE task_id = $1 AND action = 'task.completed'`,
          [taskId],
        )
      )[0];
      const set = (d: string) =>
        t.dataSource.query(
          `UPDATE workflow_history SET data = jsonb_set(data, '{decision}', to_jsonb($2::text)) WHERE seq = $1`,
          [row.seq, d],
        );
      await set('approve');
      try {
        expect((await verify()).problems).toEqual([
          expect.objectContaining({
            kind: 'history-decision-mismatch',
            taskId,
            historySeq: row.seq,
            seq: recordSeq,
            stored: 'approve',
            recorded: 'reject',
          }),
        ]);
      } finally {
        await set('reject');
      }
    });

    it('given the comment rewritten in the task row, then verify names the task (the hash of form and comment differs)', async () => {
      await t.dataSource.query(`UPDATE workflow_task SET comment = '同意' WHERE id = $1`, [taskId]);
      try {
        expect((await verify()).problems).toEqual([
          expect.objectContaining({ kind: 'task-form-mismatch', taskId, seq: recordSeq }),
        ]);
      } finally {
        await t.dataSource.query(`UPDATE workflow_task SET comment = '不予准入' WHERE id = $1`, [taskId]);
      }
      expect(await verify()).toMatchObject({ intact: true, problems: [] });
    });
  });

  it('given a step withdrawn (撤回) and decided again, then task, history and records still agree; a completed task without a record is named', async () => {
    const id = await startReviewCase(t);
    const task = await openTask(t, 'dept-head', id, 'deptApprove');
    const post = async (path: string, body: Record<string, unknown>) =>
      t
        .http()
        .post(path)
        .set(await auth('dept-head'))
        .send(body);
    expect((await post(`/tasks/${task}/complete`, { decision: 'approve', comment: '同意' })).status).toBe(
      200,
    );
    expect((await post(`/tasks/${task}/withdraw`, { comment: '意见写错了' })).status).toBe(200);
    expect(
      (await post(`/tasks/${task}/complete`, { decision: 'approve', comment: '同意，请办公室审查' })).status,
    ).toBe(200);
    expect(await verify()).toMatchObject({ intact: true, problems: [] });
    expect((await stepRecord(task)).data).toMatchObject({
      decision: 'approve',
      formHash: decisionHash({}, '同意，请办公室审查'),
    });

    // A completed decision written straight into the table, with no step behind it.
    const forged = await openTask(t, 'office', id, 'officeReview');
    await t.dataSource.query(
      `UPDATE workflow_task SET status = 'completed', decision = 'approve', completed_at = now() WHERE id = $1`,
      [forged],
    );
    try {
      expect((await verify()).problems).toEqual([
        expect.objectContaining({ kind: 'decision-unrecorded', taskId: forged, seq: null }),
      ]);
    } finally {
      await t.dataSource.query(
        `UPDATE workflow_task SET status = 'open', decision = NULL, completed_at = NULL WHERE id = $1`,
        [forged],
      );
    }
  });

  it('given the flows walked (admission with and without funding, lapse, expiry, exit, negative list, calendar, accounts), then every domain event appears in GET /audit', async () => {
    const before = (await trail()).length;
    // Funded in C1 and C2: registered and confirmed in C1 (entered), lapsed in C2.
    const funded = await admitApplication(t, application({ title: '审计：经费' }));
    const transfer = await t
      .http()
      .post(`/admitted-items/${funded.itemId}/transfers`)
      .set(await auth('dept-staff'))
      .send({
        communityId: unit[C1],
        amountFen: 300000,
        account: '东华街道社区财务专账 6222',
        reference: 'GK-audit-1',
        idempotencyKey: `${funded.itemId}-audit`,
      });
    expect(transfer.status).toBe(200);
    expect(
      (
        await t
          .http()
          .post(`/funding-transfers/${transfer.body.id}/confirm`)
          .set(await auth('finance'))
      ).status,
    ).toBe(200);
    expect(await fireTimersOf(t, funded.instanceId)).toBe(1); // the funding window closes
    expect(
      await t.dataSource.query(
        `SELECT 1 FROM admitted_item_community WHERE item_id = $1 AND funding_status = 'lapsed'`,
        [funded.itemId],
      ),
    ).toHaveLength(1);

    // No funding due: entered at sign-off, expires at its end date; a residents' evaluation makes it exit C1.
    const free = await admitApplication(t, application({ title: '审计：免经费', fundingPerCommunityFen: 0 }));
    expect(await fireTimersOf(t, free.instanceId)).toBe(1); // the funding window
    expect(
      await t.dataSource.query(
        `SELECT 1 FROM workflow_timer WHERE instance_id = $1 AND element_id = 'expiry' AND fired_at IS NULL`,
        [free.instanceId],
      ),
    ).toHaveLength(1); // the expiry timer is set
    // Residents evaluate it while it runs (from 2027-06-01); the sealer (every 10 minutes) seals the days passed.
    moveClockTo(t, '2027-07-01');
    await t.app.get(AuditSealer).sealFinishedDays();
    const poor = await t
      .http()
      .post(`/admitted-items/${free.itemId}/evaluations`)
      .set(await auth('committee'))
      .send({ period: '2027Q3', respondents: 50, satisfied: 20 });
    expect(poor.status).toBe(201);
    const exitCase = poor.body.exitProposal.instanceId as string;
    await act(t, 'dept-head', exitCase, 'deptDetermine', { decision: 'approve' });
    await act(t, 'committee', exitCase, 'communityDetermine', { decision: 'approve' });
    await act(t, 'leader', exitCase, 'leaderApprove', { decision: 'approve' });
    await act(t, 'office', exitCase, 'officeRecord', { decision: 'record' });
    expect(await instanceStatus(t, exitCase)).toBe('completed');
    expect(await fireTimersOf(t, free.instanceId)).toBe(1); // its end date comes
    expect(await instanceStatus(t, free.instanceId)).toBe('completed');
    await t.app.get(AuditSealer).sealFinishedDays(); // the sealer sealed the days passed meanwhile

    // Negative list: one change applied, one declined.
    const proposal = {
      action: 'add',
      appliesTo: 'any kind',
      nameZh: '摊派拉票任务',
      nameEn: 'assigned vote canvassing',
      keywords: ['拉票'],
      source: '某区社区减负实施意见（示例）',
      reason: '多个部门向社区摊派拉票任务',
    };
    for (const [code, decision] of [
      ['audit_applied', 'approve'],
      ['audit_declined', 'reject'],
    ]) {
      const change = await t
        .http()
        .post('/admission/negative-list/changes')
        .set(await auth('office'))
        .send({ ...proposal, code });
      expect(change.status).toBe(201);
      expect((await act(t, 'leader', change.body.instanceId, 'leaderApprove', { decision })).status).toBe(
        200,
      );
    }

    // The work calendar and the accounts.
    expect(
      (
        await t
          .http()
          .put('/work-calendar/2027-10-09')
          .set(await auth('sysadmin'))
          .send({ workingDay: true, note: '国庆调休' })
      ).status,
    ).toBe(200);
    const user = (
      await t.dataSource.query(`SELECT id, version FROM app_user WHERE username = 'dept2-staff'`)
    )[0];
    for (let i = 0; i < 5; i++) {
      await t.http().post('/auth/login').send({ username: 'dept2-staff', password: 'Wrong@2026x' });
    }
    const sec = await auth('secadmin');
    expect((await t.http().post(`/admin/users/${user.id}/unlock`).set(sec)).status).toBe(200);
    expect(
      (
        await t
          .http()
          .post(`/admin/users/${user.id}/password`)
          .set(sec)
          .send({ password: TEST_DEMO_PASSWORD })
      ).status,
    ).toBe(204);
    const current = (await t.dataSource.query(`SELECT version FROM app_user WHERE id = $1`, [user.id]))[0];
    expect(
      (
        await t
          .http()
          .put(`/admin/users/${user.id}/roles`)
          .set(sec)
          .send({ roles: ['DEPT_STAFF', 'DEPT_HEAD'], version: current.version })
      ).status,
    ).toBe(200);

    const seen = new Set((await trail()).slice(before).map((r) => r.action));
    expect(
      [
        'item.admitted',
        'item.entered-community',
        'funding.registered',
        'funding.confirmed',
        'item.lapsed',
        'item.expired',
        'item.exited',
        'negative-list.applied',
        'negative-list.declined',
        'work-calendar.day-set',
        'auth.locked',
        'user.unlocked',
        'user.password-reset',
        'user.roles-set',
      ].filter((a) => !seen.has(a)),
    ).toEqual([]);
    // Each names its object.
    const records = (await trail()).slice(before);
    // The clock passed the funding window of the unfunded items of the earlier tests too: they lapse as well.
    const lapsedOf = (id: string) => records.filter((r) => r.action === 'item.lapsed' && r.entityId === id);
    expect(lapsedOf(funded.itemId)).toEqual([
      expect.objectContaining({ entityId: funded.itemId, data: { communityIds: [unit[C2]] } }),
    ]);
    expect(lapsedOf(free.itemId)).toEqual([]);
    expect(records.filter((r) => r.action === 'item.entered-community').map((r) => r.data)).toEqual([
      { communityIds: [unit[C1]] },
      { communityIds: [unit[C1], unit[C2]] },
    ]);
    expect(records.find((r) => r.action === 'work-calendar.day-set')).toMatchObject({
      entityId: '2027-10-09',
      data: { before: null, after: { workingDay: true, note: '国庆调休' } },
    });
    expect((await verify()).intact).toBe(true);
  });

  describe('daily seals (AUDIT_SEAL_KEY)', () => {
    /** Rewrites records from `seq` on as a database administrator would, recomputing every hash after it. */
    async function rewriteFrom(seq: string, change: (r: AuditRecord) => AuditRecord) {
      await t.dataSource.transaction(async (m) => {
        await m.query('ALTER TABLE audit_record DISABLE TRIGGER tg_audit_record_no_update');
        const rows: AuditRecord[] = await m.query(
          `SELECT seq, at, actor_id AS "actorId", actor_username AS "actorUsername", action, entity_type AS "entityType",
                  entity_id AS "entityId", data, request_id AS "requestId", prev_hash AS "prevHash", hash
             FROM audit_record WHERE seq >= $1 ORDER BY seq`,
          [seq],
        );
        let prev = rows[0].prevHash;
        for (const [i, r] of rows.entries()) {
          const next = i === 0 ? change(r) : r;
          const hash = recordHash(prev, next);
          await m.query(
            `UPDATE audit_record SET actor_username = $2, data = $3, prev_hash = $4, hash = $5 WHERE seq = $1`,
            [r.seq, next.actorUsername, next.data === null ? null : JSON.stringify(next.data), prev, hash],
          );
          prev = hash;
        }
        await m.query('UPDATE audit_head SET hash = $1', [prev]);
        await m.query('ALTER TABLE audit_record ENABLE TRIGGER tg_audit_record_no_update');
      });
    }

    it('given finished days sealed, when a database administrator rewrites a record and recomputes every hash after it, then the chain looks whole but the seal no longer matches; a forged or deleted seal is found too', async () => {
      // Two days pass: today and tomorrow are finished days now.
      t.app.get(Clock).advance(2 * 86_400_000);
      const sealed = await t
        .http()
        .post('/audit/seals')
        .set(await auth('auditor'));
      expect(sealed.status).toBe(200);
      expect(sealed.body.length).toBeGreaterThanOrEqual(2);
      expect(
        (
          await t
            .http()
            .post('/audit/seals')
            .set(await auth('auditor'))
        ).body,
      ).toEqual([]);
      expect(
        (
          await t
            .http()
            .post('/audit/seals')
            .set(await auth('office'))
        ).status,
      ).toBe(403);
      expect(await verify()).toMatchObject({ intact: true, sealing: 'on', problems: [] });

      const seals: { day: string; up_to_seq: string; hash: string; mac: string }[] = await t.dataSource.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, up_to_seq, hash, mac FROM audit_seal ORDER BY day`,
      );
      const last = seals[seals.length - 1];
      const target = (await trail()).filter((r) => BigInt(r.seq) <= BigInt(last.up_to_seq)).pop()!;
      // A forged seal: another hash under the old HMAC.
      await t.dataSource.query(`UPDATE audit_seal SET hash = $2 WHERE day = $1`, [last.day, '1'.repeat(64)]);
      expect((await verify()).problems).toEqual([
        expect.objectContaining({ kind: 'seal-forged', day: last.day }),
      ]);
      await t.dataSource.query(`UPDATE audit_seal SET hash = $2 WHERE day = $1`, [last.day, last.hash]);

      // A rewrite with every hash recomputed: the chain is consistent, the seal is not.
      await rewriteFrom(target.seq, (r) => ({ ...r, actorUsername: 'someone-else' }));
      const v = await verify();
      expect(v.firstBrokenSeq).toBeNull();
      expect(v.intact).toBe(false);
      expect(v.problems).toEqual(
        seals
          .filter((s) => BigInt(s.up_to_seq) >= BigInt(target.seq))
          .map((s) => expect.objectContaining({ kind: 'seal-mismatch', day: s.day, seq: s.up_to_seq })),
      );
      expect(v.problems[0].message).toContain(last.up_to_seq);

      // Seals deleted to hide it: the finished days without a seal are named.
      await t.dataSource.query('DELETE FROM audit_seal');
      t.app.get(Clock).advance(86_400_000);
      const gone = await verify();
      expect(gone.problems).toEqual([
        expect.objectContaining({ kind: 'seal-missing', days: expect.arrayContaining([seals[0].day]) }),
      ]);
    });
  });
});
