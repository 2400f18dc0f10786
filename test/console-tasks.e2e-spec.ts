import type { Page } from 'playwright-core';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act, inboxOf, openTask } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * The task page's decisions and hand-overs (待办 and 办理): the decisions a task offers come from the server's
 * form definitions, the hand-over pickers offer whom the hand-over rule accepts, 撤回 and 催办 — over HTTP, then
 * in Debian's Chromium.
 */
describe('the task page: decisions from the API, 转办 / 委托 / 加签 to whom the rule allows, 撤回 (办理)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const user: Record<string, string> = {};
  const XINGHUA = '339901001001';
  let xinghua: string;

  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const get = async (u: string, path: string) =>
    t
      .http()
      .get(path)
      .set(await auth(u));
  const post = async (u: string, path: string, body: object = {}) =>
    t
      .http()
      .post(path)
      .set(await auth(u))
      .send(body);

  /** A colleague of a demo user (same unit, roles and password) under a new name. */
  async function cloneUser(from: string, username: string, displayName: string): Promise<void> {
    const rows = await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT $2, $3, password_hash, unit_id, roles FROM app_user WHERE username = $1 RETURNING id`,
      [from, username, displayName],
    );
    user[username] = rows[0].id;
  }

  /** A submitted application approved by dept-head: its case waits at the office's completeness review. */
  async function atCompleteness(title: string): Promise<{ instanceId: string; taskId: string }> {
    const { instanceId } = await submitApplication(t, makeApplication([xinghua], { title }));
    expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(200);
    return { instanceId, taskId: await openTask(t, 'office', instanceId, 'completeness') };
  }

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    for (const r of await t.dataSource.query('SELECT id, username FROM app_user')) user[r.username] = r.id;
    xinghua = (await t.dataSource.query('SELECT id FROM org_unit WHERE code = $1', [XINGHUA]))[0].id;
    await cloneUser('office', 'office-2', '赵晓东');
    await cloneUser('dept-head', 'dept-head-2', '钱卫国');
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  describe('over HTTP', () => {
    it('given the department head’s step and the office’s review, when each task is read, then it offers its form’s decisions with Chinese labels and what each needs, and what the reader may do', async () => {
      const { instanceId } = await submitApplication(
        t,
        makeApplication([xinghua], { title: '决定来自接口' }),
      );
      const deptTask = await openTask(t, 'dept-head', instanceId, 'deptApprove');
      const dept = await get('dept-head', `/tasks/${deptTask}`);
      expect(dept.status).toBe(200);
      expect(dept.body.decisions).toEqual([
        { code: 'approve', label: '同意', commentRequired: false, deficienciesRequired: false },
        { code: 'reject', label: '不同意', commentRequired: false, deficienciesRequired: false },
      ]);
      expect(dept.body).toMatchObject({
        claimable: true,
        suspended: false,
        actions: {
          claim: true,
          decide: true,
          withdraw: false,
          reassign: true,
          delegate: true,
          addSigners: true,
        },
      });
      expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(
        200,
      );
      const office = await get('office', `/tasks/${await openTask(t, 'office', instanceId, 'completeness')}`);
      expect(office.body.decisions.map((d: { code: string }) => d.code)).toEqual([
        'approve',
        'return',
        'reject',
      ]);
      expect(office.body.decisions[1]).toEqual({
        code: 'return',
        label: '退回补正',
        commentRequired: false,
        deficienciesRequired: true,
      });
      // The completed step: its completer may withdraw it, and no longer decide.
      const done = await get('dept-head', `/tasks/${deptTask}`);
      expect(done.body.actions).toMatchObject({
        decide: false,
        claim: false,
        withdraw: true,
        reassign: false,
      });
      // The OpenAPI document names the new fields.
      const doc = (await t.http().get('/docs-json')).body;
      expect(Object.keys(doc.components.schemas.TaskDetailDto.properties ?? {})).toEqual(
        expect.arrayContaining(['decisions', 'actions', 'claimable', 'suspended']),
      );
      expect(doc.components.schemas.TaskDecisionDto.required).toEqual(
        expect.arrayContaining(['code', 'label', 'commentRequired', 'deficienciesRequired']),
      );
    });

    it('given the office review claimed by office, when it asks whom it may hand it to, then only its active colleague is offered, each way, and the hand-over accepts exactly them', async () => {
      const { taskId } = await atCompleteness('转办候选人');
      expect((await post('office', `/tasks/${taskId}/claim`)).status).toBe(200);
      for (const how of ['reassign', 'delegate', 'signers']) {
        const res = await get('office', `/tasks/${taskId}/hand-over-candidates?for=${how}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ total: 1, page: 1 });
        expect(res.body.items).toEqual([
          {
            id: user['office-2'],
            username: 'office-2',
            displayName: '赵晓东',
            unitId: expect.any(String),
            unitName: '东湖区社区建设工作领导小组办公室',
          },
        ]);
      }
      // Not offered, not accepted: the holder themself, another unit's people.
      for (const who of ['office', 'dept-head', 'committee', 'member-1']) {
        const res = await post('office', `/tasks/${taskId}/reassign`, { toUserId: user[who] });
        expect([who, res.status, res.body.error.code]).toEqual([who, 400, 'VALIDATION_FAILED']);
      }
      // A disabled colleague is no longer offered.
      await t.dataSource.query('UPDATE app_user SET active = false WHERE id = $1', [user['office-2']]);
      const none = await get('office', `/tasks/${taskId}/hand-over-candidates?for=reassign`);
      expect([none.body.total, none.body.items]).toEqual([0, []]);
      await t.dataSource.query('UPDATE app_user SET active = true WHERE id = $1', [user['office-2']]);
      // Someone who may not see the task: the 404 of a missing one; a way that does not exist: 400.
      const foreign = await get('committee', `/tasks/${taskId}/hand-over-candidates?for=reassign`);
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'TASK_NOT_FOUND']);
      const wrong = await get('office', `/tasks/${taskId}/hand-over-candidates?for=everyone`);
      expect([wrong.status, wrong.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const ok = await post('office', `/tasks/${taskId}/reassign`, { toUserId: user['office-2'] });
      expect([ok.status, ok.body.assigneeId]).toEqual([200, user['office-2']]);
    });

    it('given tasks in the inbox, then each row says whether its reader may urge it (催办): not the department head, who neither started nor oversees the case, and the office for the tasks of its area', async () => {
      const { instanceId } = await submitApplication(t, makeApplication([xinghua], { title: '催办标记' }));
      const row = (await inboxOf(t, 'dept-head')).find((x) => x.instanceId === instanceId);
      // dept-head neither started the case nor oversees it.
      expect(row?.mayUrge).toBe(false);
      const officeRows = await inboxOf(t, 'office');
      // The office oversees the district: the tasks of its area may be urged by it.
      expect(officeRows.length).toBeGreaterThan(0);
      expect(officeRows.every((r) => r.mayUrge === true)).toBe(true);
    });
  });
});
