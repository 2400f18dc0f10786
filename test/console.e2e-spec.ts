import type { Page } from 'playwright-core';
import { admitApplication, makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { chooseOption, startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act, inboxOf } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * The browser console (console/, built into dist/console by `npm run build`) served by the API's own process,
 * driven in Debian's Chromium: the public register without login, login (and its errors), the inbox, deep links
 * and the way back after an invalid session.
 */
describe('the console in a real browser (浏览器工作台)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const unitIds: Record<string, string> = {};
  const XINGHUA = '339901001001';
  const REGISTERED = '社区老年助餐点巡查登记';
  const IN_REVIEW = '社区儿童之家活动台账';

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    const unit: Record<string, string> = {};
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    Object.assign(unitIds, unit);
    // One item admitted into 杏花社区 (no funding: in force from its start), one application at the office's step.
    await admitApplication(
      t,
      makeApplication([unit[XINGHUA]], {
        title: REGISTERED,
        fundingPerCommunityFen: 0,
        fundingSource: undefined,
      }),
    );
    const { instanceId } = await submitApplication(t, makeApplication([unit[XINGHUA]], { title: IN_REVIEW }));
    const approved = await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' });
    expect(approved.status).toBe(200);
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  /** Logs in through the login form as a demo user. */
  async function logIn(page: Page, username: string, password = TEST_DEMO_PASSWORD): Promise<void> {
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(password);
    await page.getByRole('button', { name: '登录' }).click();
  }

  it('given the server, when / or a path under /console/ is asked for, then the console’s Chinese index answers, while unknown API routes and missing assets keep the JSON 404', async () => {
    const root = await t.http().get('/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/console/');
    const bare = await t.http().get('/console?communityName=%E6%9D%8F%E8%8A%B1');
    expect([bare.status, bare.headers.location]).toEqual([301, '/console/?communityName=%E6%9D%8F%E8%8A%B1']);
    for (const path of ['/console/', '/console/inbox', '/console/anything/deeper?x=1']) {
      const res = await t.http().get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('<html lang="zh-CN">');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    // The built files have hashed names: cached for good.
    const script = /\/console\/assets\/[\w.-]+\.js/.exec((await t.http().get('/console/')).text)?.[0];
    const asset = await t.http().get(String(script));
    expect(asset.status).toBe(200);
    // Whole files only: a Range is ignored, never a 416 outside the error envelope.
    const ranged = await t.http().get('/console/index.html').set('Range', 'bytes=99999-');
    expect([ranged.status, ranged.headers['cache-control']]).toEqual([200, 'no-cache']);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const auth = { Authorization: `Bearer ${await t.token('office')}` };
    for (const path of [
      '/tasks/does-not-exist-route',
      '/tasks/does-not-exist-route/no-such-action',
      '/no-such-api-route',
      '/console/assets/no-such-file.js',
      '/console/Assets/no-such-file.js',
      '/console/%61ssets/no-such-file.js',
      '/console/favicon.ico',
      '/console/missing.js',
    ]) {
      const res = await t.http().get(path).set(auth);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body.error.code).toEqual(expect.any(String));
    }
    expect((await t.http().get('/docs-json')).status).toBe(200);
  });

  it('given an admitted item, when anyone opens the public register without logging in and searches 杏花 on a day, then the item shows with its Chinese dates', async () => {
    const page = await b.page();
    await withScreenshot(page, 'public-register', async () => {
      await page.goto(`${base}/console/register?asOf=2027-06-01`);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      await page.getByLabel('社区名称').fill('杏花');
      await page.getByRole('button', { name: '查询' }).click();
      await page.waitForURL(/communityName=/);
      await expect(page.getByTestId('item-title').filter({ hasText: REGISTERED }).count()).resolves.toBe(1);
      const table = page.getByTestId('register');
      await expect(table.textContent()).resolves.toContain('2027年6月1日 至 2027年12月31日');
      await expect(table.textContent()).resolves.toContain('杏花社区');
      await expect(page.getByTestId('register-summary').textContent()).resolves.toContain('2027年6月1日');
      // The application still under review is not in the register.
      await expect(table.textContent()).resolves.not.toContain(IN_REVIEW);
    });
  });

  it('given a phone, when the public register is opened by a deep link with its query, then the item is there without login', async () => {
    const page = await b.page({ width: 390, height: 844 });
    await withScreenshot(page, 'public-register-phone', async () => {
      await page.goto(`${base}/console/register?communityName=${encodeURIComponent('杏花')}&asOf=2027-06-01`);
      await page.getByTestId('item-title').filter({ hasText: REGISTERED }).waitFor();
      await expect(page.getByLabel('社区名称').inputValue()).resolves.toBe('杏花');
    });
  });

  it('given a wrong password, when office logs in, then the API’s Chinese message is shown and the user stays on the login page', async () => {
    const page = await b.page();
    await withScreenshot(page, 'wrong-password', async () => {
      // A link cannot put words on the login page (the reason of a return to login travels in memory).
      await page.goto(`${base}/console/login?reason=${encodeURIComponent('账号已冻结，请致电')}`);
      await page.getByRole('button', { name: '登录' }).waitFor();
      await expect(page.content()).resolves.not.toContain('账号已冻结');
      await logIn(page, 'office', 'not-the-password');
      await page.getByTestId('login-error').waitFor();
      await expect(page.getByTestId('login-error').textContent()).resolves.toContain('用户名或密码不正确');
      expect(new URL(page.url()).pathname).toBe('/console/login');
    });
  });

  it('given a deep link to the inbox without a session, when office logs in, then the console comes back to the inbox, which lists the application at its step by its Chinese title', async () => {
    const page = await b.page();
    await withScreenshot(page, 'office-inbox', async () => {
      await page.goto(`${base}/console/inbox`);
      await page.waitForURL(/\/console\/login\?redirect=/);
      await logIn(page, 'office');
      await page.waitForURL(`${base}/console/inbox`);
      await expect(page.getByTestId('current-user').textContent()).resolves.toContain('王民');
      const row = page.getByRole('row').filter({ hasText: IN_REVIEW });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('区卫生健康委员会');
      // Its last day as the API says it, in Chinese (2026年12月1日), with the working days left.
      const task = (await inboxOf(t, 'office')).find(
        (x) => x.subject && (x.subject as { title: string }).title === IN_REVIEW,
      );
      const [y, m, d] = String(task?.dueDay).split('-').map(Number);
      await expect(row.textContent()).resolves.toContain(`${y}年${m}月${d}日前`);
      await expect(row.getByTestId('time-left').textContent()).resolves.toBe(
        task?.overdue
          ? '已超期'
          : !task?.todayCounted
            ? task?.workingDaysLeft
              ? `还有 ${task.workingDaysLeft} 个工作日`
              : '截止前已无工作日，请尽快办理'
            : task.workingDaysLeft === 1
              ? '今天是最后一个工作日'
              : `含今天还有 ${task.workingDaysLeft} 个工作日`,
      );
      // Reloading the deep link keeps the session (sessionStorage) and the page.
      await page.reload();
      await page.getByRole('row').filter({ hasText: IN_REVIEW }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/console/inbox');
    });
  });

  it('given a session whose token the API refuses, when the inbox loads, then the console returns to login with the API’s message, and after logging in back to the inbox', async () => {
    const page = await b.page();
    await withScreenshot(page, 'invalid-session', async () => {
      await page.goto(`${base}/console/login`);
      await logIn(page, 'office');
      await page.waitForURL(`${base}/console/inbox`);
      await page.evaluate(`sessionStorage.setItem('cwa.token', 'not-a-token')`);
      await page.reload();
      await page.waitForURL(/\/console\/login\?/);
      await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/登录/);
      await logIn(page, 'office');
      await page.waitForURL(`${base}/console/inbox`);
      await page.getByRole('row').filter({ hasText: IN_REVIEW }).waitFor();
    });
  });

  it('given the connection is lost, when the public register searches, then it says so in Chinese instead of freezing', async () => {
    const page = await b.page();
    await withScreenshot(page, 'connection-lost', async () => {
      await page.goto(`${base}/console/register?asOf=2027-06-01`);
      await page.getByTestId('register-summary').waitFor();
      await page.route('**/admitted-items?**', (route) => route.abort('internetdisconnected'));
      await page.getByLabel('社区名称').fill('桃园');
      await page.getByRole('button', { name: '查询' }).click();
      await expect(page.getByRole('alert').first().textContent()).resolves.toContain('网络连接失败');
    });
  });

  it('given office logged in, when it logs out, then the console shows the login page and the token no longer opens the inbox', async () => {
    const page = await b.page();
    await withScreenshot(page, 'logout', async () => {
      await page.goto(`${base}/console/login`);
      await logIn(page, 'office');
      await page.waitForURL(`${base}/console/inbox`);
      const token = await page.evaluate(`sessionStorage.getItem('cwa.token')`);
      await page.getByTestId('logout').click();
      await page.waitForURL(`${base}/console/login`);
      await expect(page.evaluate(`sessionStorage.getItem('cwa.token')`)).resolves.toBeNull();
      expect(
        (
          await t
            .http()
            .get('/tasks')
            .set('Authorization', `Bearer ${String(token)}`)
        ).status,
      ).toBe(401);
    });
  });

  it('given a submitted application, when dept-head approves it on its task page and office returns it there with a deficiency naming a field, then the application is returned with that deficiency', async () => {
    const TITLE = '社区居家养老服务需求摸底';
    const { applicationId } = await submitApplication(
      t,
      makeApplication([unitIds[XINGHUA]], { title: TITLE }),
    );
    const page = await b.page();
    await withScreenshot(page, 'task-page', async () => {
      await page.goto(`${base}/console/login`);
      await logIn(page, 'dept-head');
      await page.waitForURL(`${base}/console/inbox`);
      await page.getByRole('row').filter({ hasText: TITLE }).getByTestId('task-title').click();
      await page.waitForURL(/\/console\/tasks\//);
      await expect(page.getByTestId('task-subject').textContent()).resolves.toBe(TITLE);
      await expect(page.getByTestId('application').textContent()).resolves.toContain('事项名称');
      await page.getByLabel('办理意见').fill('同意报送');
      await page.getByRole('button', { name: '同意', exact: true }).click();
      await page.getByText('已办理：同意').waitFor();
      await page.getByTestId('logout').click();
      await page.waitForURL(`${base}/console/login`);

      await logIn(page, 'office');
      await page.waitForURL(`${base}/console/inbox`);
      await page.getByRole('row').filter({ hasText: TITLE }).getByTestId('task-title').click();
      await page.getByTestId('task-subject').waitFor();
      // The task's own history shows first, the case's replaces it when it comes: wait for it.
      await page.getByTestId('history').getByText('同意报送').waitFor();
      // The office reaches the application's own review page from its task.
      await expect(page.getByTestId('application-link').getAttribute('href')).resolves.toMatch(
        /^\/console\/office\/applications\/[\w-]+$/,
      );
      await page.getByRole('button', { name: '退回补正' }).click();
      const form = page.getByTestId('return-form');
      // Confirming with a blank problem: the API's words beside the row, nothing moves.
      await form.getByRole('button', { name: '确认退回补正' }).click();
      await page.getByRole('alert').first().waitFor();
      await expect(form.getByTestId('field-error').first().textContent()).resolves.toMatch(/[\u4e00-\u9fff]/);
      await expect(page.getByTestId('history').textContent()).resolves.toContain('办理完成');
      await chooseOption(page, form.locator('.el-select').first(), '法律依据条款');
      await page.getByLabel('问题1', { exact: true }).fill('法律依据条款与事项内容不符，请核对');
      await form.getByRole('button', { name: '确认退回补正' }).click();
      await page.getByText('已办理：退回补正').waitFor();
    });
    const app = await t
      .http()
      .get(`/applications/${applicationId}`)
      .set('Authorization', `Bearer ${await t.token('office')}`);
    expect(app.body).toMatchObject({
      status: 'returned',
      deficiencies: [{ field: 'legalBasisArticle', problem: '法律依据条款与事项内容不符，请核对' }],
      returnedStep: 'completeness',
    });
  });
});
