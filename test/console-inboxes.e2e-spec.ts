import type { Page } from 'playwright-core';
import { APPROVALS, makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * 待办 for each role that works cases, in the browser: four applications stand at four steps of the admission flow
 * (department head, office, member units' countersign, principal leader); each user's inbox shows exactly its own,
 * with the step, the applicant unit and the time left; the roles with no step of these cases see the empty inbox
 * in Chinese; administrators have no inbox at all.
 */
describe('the inbox of each role in a real browser (各角色待办)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  /** Each application's title by the step it waits at. */
  const AT: Record<string, string> = {
    deptApprove: '待办测试：部门负责人审核的事项',
    completeness: '待办测试：办公室完整性审查的事项',
    countersign: '待办测试：成员单位会签的事项',
    leaderSign: '待办测试：主要领导签批的事项',
  };
  const STEP: Record<string, string> = {
    deptApprove: '部门负责人审核',
    completeness: '领导小组办公室完整性审查',
    countersign: '成员单位会签',
    leaderSign: '主要领导签批',
  };

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    const [{ id: xinghua }] = await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901001001'`);
    for (const [element, title] of Object.entries(AT)) {
      const { instanceId } = await submitApplication(t, makeApplication([xinghua], { title }));
      // Approve every step before the one this application waits at.
      for (const [user, step] of APPROVALS) {
        if (step === element) break;
        const res = await act(t, user, instanceId, step, { decision: 'approve' });
        if (res.status !== 200) throw new Error(`${user} at ${step}: ${JSON.stringify(res.body)}`);
      }
    }
    b = await startBrowser();
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  async function logIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/console/login`, { waitUntil: 'domcontentloaded' });
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((url) => url.pathname !== '/console/login');
  }

  /** The titles in the user's inbox once it has loaded (its rows, or its empty state). */
  async function inboxTitles(page: Page): Promise<string[]> {
    await page.waitForURL(`${base}/console/inbox`);
    const inbox = page.getByTestId('inbox');
    await inbox.locator('.el-table__row, .el-empty').first().waitFor();
    // Loaded: the loading mask gone (hidden or removed), so the rows are the answer's.
    await inbox.locator('.el-loading-mask').first().waitFor({ state: 'hidden' });
    return (await inbox.getByTestId('task-title').allTextContents()).map((s) => s.trim());
  }

  it.each([
    ['dept-head', ['deptApprove']],
    ['office', ['completeness']],
    ['member-1', ['countersign']],
    ['member-3', ['countersign']],
    ['leader', ['leaderSign']],
  ])(
    'given cases at four steps, when %s opens 待办, then it sees its own step’s case with the step, the applicant unit and the time left, and none of the others',
    async (username, steps) => {
      const page = await b.page();
      await withScreenshot(page, `inbox-${username}`, async () => {
        await logIn(page, username);
        const titles = await inboxTitles(page);
        const mine = steps.map((s) => AT[s]);
        expect(titles.filter((x) => Object.values(AT).includes(x)).sort()).toEqual([...mine].sort());
        for (const step of steps) {
          const row = page.getByRole('row').filter({ hasText: AT[step] });
          const text = (await row.textContent()) ?? '';
          expect(text).toContain(STEP[step]);
          expect(text).toContain('东湖区卫生健康委员会');
          expect(text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日前/);
          await expect(row.getByTestId('time-left').textContent()).resolves.toMatch(/工作日|今日|超期/);
        }
      });
    },
    120_000,
  );

  it.each(['dept-staff', 'finance', 'committee', 'street'])(
    'given no step of these cases is %s’s, when it opens 待办, then the inbox says so in Chinese',
    async (username) => {
      const page = await b.page();
      await withScreenshot(page, `inbox-empty-${username}`, async () => {
        await logIn(page, username);
        await expect(inboxTitles(page)).resolves.toEqual([]);
        await page.getByText('暂无待办事项').waitFor();
        await expect(page.getByRole('menuitem', { name: '待办' }).count()).resolves.toBe(1);
      });
    },
    120_000,
  );

  it('given an administrator, when it logs in, then there is no 待办 in its menu and the inbox’s address leads to its own page', async () => {
    const page = await b.page();
    await withScreenshot(page, 'inbox-auditor', async () => {
      await logIn(page, 'auditor');
      await page.waitForURL(`${base}/console/admin/audit`);
      await expect(page.getByRole('menuitem', { name: '待办' }).count()).resolves.toBe(0);
      await page.goto(`${base}/console/inbox`, { waitUntil: 'domcontentloaded' });
      await page.waitForURL(`${base}/console/admin/audit`);
    });
  }, 120_000);
});
