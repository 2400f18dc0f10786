import type { Page } from 'playwright-core';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { chooseOption, startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
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

  describe('in the browser', () => {
    beforeAll(async () => {
      b = await startBrowser();
    });

    /** Logs in through the login form as a demo user (or a colleague cloned from one). */
    async function logIn(page: Page, username: string): Promise<void> {
      await page.goto(`${base}/console/login`);
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(`${base}/console/inbox`);
    }

    /** The names of the decision buttons the task page shows. */
    async function decisionButtons(page: Page): Promise<string[]> {
      await page.getByTestId('decisions').waitFor();
      return (await page.getByTestId('decisions').getByRole('button').allTextContents()).map((x) => x.trim());
    }

    it('given the department head’s step, when its page opens, then its decision buttons are the ones the API answers (a changed answer changes them), reached by keyboard; after 同意 the head withdraws it and may decide again', async () => {
      const TITLE = '键盘办理与撤回';
      const { instanceId } = await submitApplication(t, makeApplication([xinghua], { title: TITLE }));
      const taskId = await openTask(t, 'dept-head', instanceId, 'deptApprove');
      const page = await b.page();
      // A step reads the task, its whole history, the application and names again: slow on a busy CI machine.
      page.setDefaultTimeout(30_000);
      await withScreenshot(page, 'task-decisions-withdraw', async () => {
        await logIn(page, 'dept-head');
        // The console shows whatever decisions the API offers: here one it has never heard of.
        const theTask = (url: URL) => url.pathname === `/tasks/${taskId}`;
        await page.route(theTask, async (route) => {
          const res = await route.fetch();
          const body = await res.json();
          body.decisions = [
            { code: 'approve', label: '准予报送', commentRequired: false, deficienciesRequired: false },
          ];
          await route.fulfill({ response: res, json: body });
        });
        await page.goto(`${base}/console/tasks/${taskId}`);
        await expect(decisionButtons(page)).resolves.toEqual(['准予报送']);
        await page.unroute(theTask);
        await page.reload();
        await expect(decisionButtons(page)).resolves.toEqual(['同意', '不同意']);
        // The link to the case's diagram.
        await expect(page.getByTestId('case-link').getAttribute('href')).resolves.toBe(
          `/console/cases/${instanceId}`,
        );
        // Keyboard only: Tab reaches 同意, Enter decides.
        await page.getByLabel('办理意见').fill('同意报送，键盘办理');
        let reached = false;
        for (let i = 0; i < 40 && !reached; i++) {
          await page.keyboard.press('Tab');
          reached = await page.evaluate(
            `document.activeElement?.tagName === 'BUTTON' && document.activeElement.textContent.trim() === '同意'`,
          );
        }
        expect(reached).toBe(true);
        await page.keyboard.press('Enter');
        await expect(page.getByTestId('done').textContent()).resolves.toContain('已办理：同意');
        await expect(page.getByTestId('task-status').textContent()).resolves.toBe('已办结');
        await expect(page.getByTestId('decisions').count()).resolves.toBe(0);
        // 撤回: the step is the head's again, with its decisions.
        await page.getByRole('button', { name: '撤回' }).click();
        await expect(page.getByTestId('done').textContent()).resolves.toContain('已撤回');
        await expect(decisionButtons(page)).resolves.toEqual(['同意', '不同意']);
        await expect(page.getByTestId('task-status').textContent()).resolves.toBe('办理中');
      });
      const [task] = await t.dataSource.query('SELECT status, assignee_id FROM workflow_task WHERE id = $1', [
        taskId,
      ]);
      expect(task).toEqual({ status: 'open', assignee_id: user['dept-head'] });
      const actions: { action: string }[] = await t.dataSource.query(
        'SELECT action FROM workflow_history WHERE task_id = $1 ORDER BY seq',
        [taskId],
      );
      expect(actions.map((a) => a.action)).toEqual(
        expect.arrayContaining(['task.completed', 'task.withdrawn']),
      );
    });

    it('given the office review, when office transfers it (转办), then the picker offers its colleague and nobody outside the rule, and the task appears in the colleague’s inbox', async () => {
      const TITLE = '转办给同事';
      const { taskId } = await atCompleteness(TITLE);
      const page = await b.page();
      // A step reads the task, its whole history, the application and names again: slow on a busy CI machine.
      page.setDefaultTimeout(30_000);
      await withScreenshot(page, 'task-reassign', async () => {
        await logIn(page, 'office');
        await page.getByRole('row').filter({ hasText: TITLE }).getByTestId('task-title').click();
        await page.waitForURL(`${base}/console/tasks/${taskId}`);
        await page.getByRole('button', { name: '转办' }).click();
        const dialog = page.getByTestId('hand-over');
        await dialog.getByLabel('接收人').waitFor();
        await dialog.locator('.el-select').first().click();
        const options = page.locator('.el-select-dropdown__item:visible');
        await options.first().waitFor();
        const offered = (await options.allTextContents()).map((x) => x.trim());
        // Only whom the rule accepts: the colleague — not office itself (王民), nor another unit's people.
        expect(offered).toEqual(['赵晓东（东湖区社区建设工作领导小组办公室）']);
        await chooseOption(page, dialog.locator('.el-select').first(), offered[0]);
        await dialog.getByLabel('说明（可不填）').fill('请晓东办理');
        await dialog.getByRole('button', { name: '确认转办' }).click();
        await expect(page.getByTestId('done').textContent()).resolves.toContain('已转办给赵晓东');
        await page.getByTestId('logout').click();
        await page.waitForURL(`${base}/console/login`);
        await logIn(page, 'office-2');
        const row = page.getByRole('row').filter({ hasText: TITLE });
        await row.waitFor();
        await expect(row.textContent()).resolves.toContain('赵晓东');
        await row.getByTestId('task-title').click();
        await expect(decisionButtons(page)).resolves.toEqual(['同意', '退回补正', '不同意']);
      });
      const [task] = await t.dataSource.query('SELECT assignee_id FROM workflow_task WHERE id = $1', [
        taskId,
      ]);
      expect(task.assignee_id).toBe(user['office-2']);
    });

    it('given a task of the office, when a committee follows a deep link to it, then the console shows its missing page, as for a task that does not exist', async () => {
      const { taskId } = await atCompleteness('他人不可见');
      const page = await b.page();
      // A step reads the task, its whole history, the application and names again: slow on a busy CI machine.
      page.setDefaultTimeout(30_000);
      await withScreenshot(page, 'task-not-visible', async () => {
        await logIn(page, 'committee');
        for (const id of [taskId, '00000000-0000-4000-8000-000000000000']) {
          await page.goto(`${base}/console/tasks/${id}`);
          await page.getByText('页面不存在', { exact: true }).waitFor();
          await expect(page.content()).resolves.not.toContain('他人不可见');
          expect(new URL(page.url()).pathname).toBe(`/console/tasks/${id}`);
        }
      });
    });
  });
});
