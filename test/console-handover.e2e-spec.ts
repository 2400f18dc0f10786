import type { Page } from 'playwright-core';
import { addDays } from '../src/common/china-time.js';
import { Clock } from '../src/common/clock.js';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act, openTask } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * The task page's other hand-overs in Debian's Chromium (转办 is in console-tasks): 委托 (delegate until a day),
 * 加签 (added signers) and 催办 (urge). Each picker offers only whom the hand-over rule accepts, the hand-over
 * works, the other person finds the task in their inbox, and the 催办 count shows where the holder looks.
 */
describe('the task page: 委托, 加签 and 催办 in the browser (办理)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const user: Record<string, string> = {};
  const XINGHUA = '339901001001';
  let xinghua: string;

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

  async function taskRow(id: string): Promise<Record<string, unknown>> {
    return (
      await t.dataSource.query(
        'SELECT status, assignee_id, delegated_from_id, delegated_until, urged_count FROM workflow_task WHERE id = $1',
        [id],
      )
    )[0];
  }

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    for (const r of await t.dataSource.query('SELECT id, username FROM app_user')) user[r.username] = r.id;
    xinghua = (await t.dataSource.query('SELECT id FROM org_unit WHERE code = $1', [XINGHUA]))[0].id;
    await cloneUser('office', 'office-2', '赵晓东');
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  /** A page for one test: a step reads the task, its whole history, the application and names — slow under load. */
  async function newPage(): Promise<Page> {
    const page = await b.page();
    page.setDefaultTimeout(30_000);
    return page;
  }

  /** Logs in through the login form as a demo user (or a colleague cloned from one). */
  async function logIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}/console/inbox`);
  }

  async function logOut(page: Page): Promise<void> {
    await page.getByTestId('logout').click();
    await page.waitForURL(`${base}/console/login`);
  }

  /** Opens the task titled `title` from the inbox; answers its row's text as the inbox showed it. */
  async function openFromInbox(page: Page, title: string, taskId: string): Promise<string> {
    const row = page.getByRole('row').filter({ hasText: title });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    await row.getByTestId('task-title').click();
    await page.waitForURL(`${base}/console/tasks/${taskId}`);
    return text;
  }

  /** Waits until the element `testId` says `text` (a message replaces the one before it). */
  async function shows(page: Page, testId: string, text: string): Promise<void> {
    await page.getByTestId(testId).filter({ hasText: text }).waitFor();
  }

  /** The names of the decision buttons the task page shows. */
  async function decisionButtons(page: Page): Promise<string[]> {
    await page.getByTestId('decisions').waitFor();
    return (await page.getByTestId('decisions').getByRole('button').allTextContents()).map((x) => x.trim());
  }

  /** Opens the hand-over dialog `button` and answers the people its picker offers. */
  async function openPicker(page: Page, button: string, label: string): Promise<string[]> {
    await page.getByRole('button', { name: button, exact: true }).click();
    const dialog = page.getByTestId('hand-over');
    await dialog.getByLabel(label).waitFor();
    await dialog.locator('.el-select').first().click();
    const options = page.locator('.el-select-dropdown__item:visible');
    await options.first().waitFor();
    return (await options.allTextContents()).map((x) => x.trim());
  }

  it('given the office review, when office delegates it (委托) until a day, then the picker offers its colleague only, the colleague finds it in the inbox and may decide it, and it is to come back on that day', async () => {
    const TITLE = '委托给同事';
    const { taskId } = await atCompleteness(TITLE);
    const until = addDays(t.app.get(Clock).today(), 7);
    const [y, m, d] = until.split('-').map(Number);
    const untilText = `${y}年${m}月${d}日`;
    const page = await newPage();
    await withScreenshot(page, 'handover-delegate', async () => {
      await logIn(page, 'office');
      await openFromInbox(page, TITLE, taskId);
      const offered = await openPicker(page, '委托', '接收人');
      // Only whom the rule accepts: the colleague — not office itself (王民), nor another unit's people.
      expect(offered).toEqual(['赵晓东（东湖区社区建设工作领导小组办公室）']);
      const dialog = page.getByTestId('hand-over');
      // The choice is seen in the field before going on (a fresh-clone run lost this click).
      const chosen = dialog.locator('.el-select__placeholder:not(.is-transparent)', { hasText: '赵晓东' });
      for (let attempt = 1; !(await chosen.isVisible()); attempt++) {
        if (attempt > 3) await chosen.waitFor();
        if (!(await page.locator('.el-select-dropdown__item:visible').count()))
          await dialog.getByLabel('接收人').click();
        await page.locator('.el-select-dropdown__item:visible').first().click();
        await chosen.waitFor({ timeout: 5_000 }).catch(() => undefined);
      }
      // Without a day the API says what is missing, beside the day's field.
      await dialog.getByRole('button', { name: '确认委托' }).click();
      await dialog.getByTestId('field-error').waitFor();
      await dialog.getByLabel('委托至（含当日）').fill(untilText);
      await dialog.getByLabel('委托至（含当日）').press('Enter');
      await dialog.getByLabel('说明（可不填）').fill('休假期间请晓东代办');
      await dialog.getByRole('button', { name: '确认委托' }).click();
      await shows(page, 'done', `已委托给赵晓东，至${untilText}`);
      // The one who delegated still sees the task, held by the colleague now, and decides nothing meanwhile.
      await expect(page.getByTestId('decisions').count()).resolves.toBe(0);
      await expect(page.getByTestId('not-mine').textContent()).resolves.toContain('赵晓东');
      await logOut(page);
      await logIn(page, 'office-2');
      const row = await openFromInbox(page, TITLE, taskId);
      expect(row).toContain('赵晓东');
      await expect(decisionButtons(page)).resolves.toEqual(['同意', '退回补正', '不同意']);
    });
    const row = await taskRow(taskId);
    expect(row).toMatchObject({ assignee_id: user['office-2'], delegated_from_id: user.office });
    // Through the chosen day, China time.
    expect((row.delegated_until as Date).toISOString()).toBe(
      new Date(`${until}T23:59:59+08:00`).toISOString(),
    );
    const timers = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM workflow_timer WHERE task_id = $1 AND kind = 'delegation-end'`,
      [taskId],
    );
    expect(timers[0].n).toBe(1);
  });

  it('given the office review claimed by office, when it asks for an added signature (加签), then the picker offers its colleague only, the step waits for the signature, and the colleague signs it from the inbox', async () => {
    const TITLE = '加签给同事';
    const { taskId } = await atCompleteness(TITLE);
    const page = await newPage();
    await withScreenshot(page, 'handover-signers', async () => {
      await logIn(page, 'office');
      await openFromInbox(page, TITLE, taskId);
      await page.getByRole('button', { name: '认领' }).click();
      await shows(page, 'done', '已认领');
      const offered = await openPicker(page, '加签', '加签人');
      expect(offered).toEqual(['赵晓东（东湖区社区建设工作领导小组办公室）']);
      const dialog = page.getByTestId('hand-over');
      // Picked until the select shows it: a click on the list just opened was now and then lost on this machine.
      const chosen = dialog.locator('.el-select .el-tag').filter({ hasText: '赵晓东' });
      for (let i = 0; i < 3 && !(await chosen.count()); i++) {
        await page.locator('.el-select-dropdown__item:visible').first().click();
        await chosen.waitFor({ timeout: 3000 }).catch(() => undefined);
      }
      await chosen.waitFor();
      // Close the picker's list (it stays open for more choices), then confirm.
      await dialog.locator('.hint').click();
      await dialog.getByRole('button', { name: '确认加签' }).click();
      await shows(page, 'done', '已请赵晓东加签');
      // The step cannot be decided before the signature: the API's Chinese message shows.
      await page.getByTestId('decisions').getByRole('button', { name: '同意', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: '加签人尚未全部签署' }).waitFor();
      await logOut(page);

      await logIn(page, 'office-2');
      const signerTask = (
        await t.dataSource.query(
          `SELECT id FROM workflow_task WHERE parent_task_id = $1 AND kind = 'added-signer'`,
          [taskId],
        )
      )[0].id;
      const row = await openFromInbox(page, TITLE, signerTask);
      expect(row).toContain('赵晓东');
      await expect(decisionButtons(page)).resolves.toEqual(['同意', '不同意']);
      await page.getByLabel('办理意见').fill('同意，已核对');
      await page.getByTestId('decisions').getByRole('button', { name: '同意', exact: true }).click();
      await shows(page, 'done', '已办理：同意');
      await logOut(page);

      // Signed: the holder decides the step now.
      await logIn(page, 'office');
      await openFromInbox(page, TITLE, taskId);
      await page.getByTestId('decisions').getByRole('button', { name: '同意', exact: true }).click();
      await shows(page, 'done', '已办理：同意');
    });
    expect(await taskRow(taskId)).toMatchObject({ status: 'completed', assignee_id: user.office });
  });

  it('given the office review held by office, when its colleague follows the review queue to it and urges it (催办), then the count shows on the task and in the holder’s inbox', async () => {
    const TITLE = '催办同事办理';
    const { taskId } = await atCompleteness(TITLE);
    const token = await t.token('office');
    const claimed = await t
      .http()
      .post(`/tasks/${taskId}/claim`)
      .set('Authorization', `Bearer ${token}`)
      .send({});
    expect(claimed.status).toBe(200);
    const page = await newPage();
    await withScreenshot(page, 'handover-urge', async () => {
      await logIn(page, 'office-2');
      // The colleague holds nothing of it: not in the inbox, but in the office's review queue.
      await expect(page.getByRole('row').filter({ hasText: TITLE }).count()).resolves.toBe(0);
      // The queue asks the API once for its page: no request per row (unit names, cases).
      const asked: string[] = [];
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (!path.startsWith('/console/')) asked.push(`${r.method()} ${path}`);
      });
      await page.goto(`${base}/console/office/queue`);
      const row = page.getByRole('row').filter({ hasText: TITLE });
      await row.waitFor();
      await page.waitForLoadState('networkidle');
      expect(asked).toEqual(['GET /applications']);
      // The office's step shows who holds it.
      await expect(row.getByTestId('step-holder').textContent()).resolves.toContain('办理人：王民');
      await row.getByTestId('task-link').click();
      await page.waitForURL(`${base}/console/tasks/${taskId}`);
      await expect(page.getByTestId('not-mine').textContent()).resolves.toContain('王民');
      await page.getByRole('button', { name: '催办', exact: true }).click();
      await shows(page, 'done', '已催办');
      await expect(page.getByTestId('urged').textContent()).resolves.toContain('已催办 1 次');
      await logOut(page);

      await logIn(page, 'office');
      const inboxRow = page.getByRole('row').filter({ hasText: TITLE });
      await inboxRow.waitFor();
      await expect(inboxRow.getByTestId('urged-count').textContent()).resolves.toBe('1 次');
      // The holder acts on it: no 催办 for themself, on the page or in the inbox.
      await expect(inboxRow.getByRole('button', { name: /催办/ }).count()).resolves.toBe(0);
      await inboxRow.getByTestId('task-title').click();
      await expect(decisionButtons(page)).resolves.toEqual(['同意', '退回补正', '不同意']);
      await expect(page.getByRole('button', { name: '催办', exact: true }).count()).resolves.toBe(0);
      await expect(page.getByTestId('urged').textContent()).resolves.toContain('已催办 1 次');
    });
    expect(await taskRow(taskId)).toMatchObject({ urged_count: 1, assignee_id: user.office });
  });
});
