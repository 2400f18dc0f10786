import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { Clock } from '../src/common/clock.js';
import { ERRORS } from '../src/common/errors.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * The administrators' pages and my profile in a real browser: each of the three administrators (三员分立) sees
 * only its own menu and pages (a deep link to another's answers the missing page), does its main work there,
 * and every user reads who they are and changes their own password; the login page says why a session ended.
 */
/** A browser test's bound: on a machine shared by many, a page walk takes longer than Jest's default minute. */
const BROWSER_TEST_MS = 180_000;

describe('the administrators’ console and my profile (三员分立)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const unit: Record<string, string> = {};
  const MENU = ['单位管理', '用户管理', '角色与账号安全', '审计日志'];

  beforeAll(async () => {
    // Every request here comes from one address: the throttle per address is not what these tests are about.
    t = await startTestApp({ LOGIN_ADDRESS_MAX_FAILURES: '1000' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  /** A tab of an office screen; this machine's load can make a page slower than the helper's 10 s. */
  async function newPage(): Promise<Page> {
    const page = await b.page();
    page.setDefaultTimeout(20_000);
    return page;
  }

  async function logIn(page: Page, username: string, password = TEST_DEMO_PASSWORD): Promise<void> {
    await page.goto(`${base}/console/login`, { waitUntil: 'domcontentloaded' });
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((url) => url.pathname !== '/console/login');
  }

  /** The entries of the top menu the user sees, among the administrators'. */
  async function adminMenu(page: Page): Promise<string[]> {
    await page.getByRole('menuitem', { name: '个人信息' }).waitFor();
    const items = (await page.getByRole('menuitem').allTextContents()).map((s) => s.trim());
    return MENU.filter((m) => items.includes(m));
  }

  /** A deep link to a page of another administrator: the missing page, at the same address. */
  async function expectMissing(page: Page, path: string): Promise<void> {
    await page.goto(`${base}/console${path}`, { waitUntil: 'domcontentloaded' });
    await page.getByText('页面不存在', { exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console${path}`);
  }

  async function api(username: string) {
    return { Authorization: `Bearer ${await t.token(username)}` };
  }

  /** Wrong passwords until the account locks (LOGIN_MAX_FAILURES, 5 by default). */
  async function lock(username: string): Promise<void> {
    for (let i = 0; i < 5; i++)
      await t.http().post('/auth/login').send({ username, password: 'wrong-password-1' });
    const row = await t.dataSource.query('SELECT locked_until FROM app_user WHERE username = $1', [username]);
    expect(row[0].locked_until).not.toBeNull();
  }

  it(
    'given sysadmin, when it logs in, then it sees only its menu, adds a community under 东华街道 (a bad code shown at its field), and the auditor’s page is missing for it',
    async () => {
      const page = await newPage();
      await withScreenshot(page, 'admin-sysadmin-unit', async () => {
        await logIn(page, 'sysadmin');
        await expect(adminMenu(page)).resolves.toEqual(['单位管理', '用户管理']);
        // No inbox for an administrator: it lands on its first page, and the inbox's address leads there too.
        expect(new URL(page.url()).pathname).toBe('/console/admin/units');
        await expect(page.getByRole('menuitem', { name: '待办' }).count()).resolves.toBe(0);
        await page.goto(`${base}/console/inbox`, { waitUntil: 'domcontentloaded' });
        await page.waitForURL(`${base}/console/admin/units`);
        await page.getByRole('menuitem', { name: '单位管理' }).click();
        await page.waitForURL(`${base}/console/admin/units`);
        await page
          .getByTestId('unit-node')
          .filter({ hasText: /^\s*东华街道\s/ })
          .click();
        await expect(page.getByTestId('unit-name').textContent()).resolves.toBe('东华街道');
        await page.getByRole('button', { name: '新增下级单位' }).click();
        const dialog = page.getByRole('dialog', { name: '新增下级单位' });
        await expect(dialog.getByLabel('社区', { exact: true }).isChecked()).resolves.toBe(true);
        await dialog.getByLabel('单位编码').fill('梨 花');
        await dialog.getByLabel('单位名称').fill('梨花社区');
        await dialog.getByRole('button', { name: '确认新增' }).click();
        // The API's rule, beside the code; nothing created.
        const codeError = dialog.getByTestId('field-error');
        await codeError.waitFor();
        // Named as the form names it, not by its code.
        await expect(codeError.textContent()).resolves.toContain('单位编码须为 2–32 位字母、数字或连字符');
        await expect(codeError.textContent()).resolves.not.toContain('code');
        await dialog.getByLabel('单位编码').fill('339901001099');
        await dialog.getByRole('button', { name: '确认新增' }).click();
        await expect(page.getByTestId('notice').textContent()).resolves.toContain('梨花社区');
        await page
          .getByTestId('unit-node')
          .filter({ hasText: /^\s*梨花社区\s/ })
          .waitFor();
        await expect(page.getByTestId('unit-name').textContent()).resolves.toBe('梨花社区');
        await expectMissing(page, '/admin/audit');
        await expectMissing(page, '/admin/accounts');
      });
      const rows = await t.dataSource.query('SELECT name, kind, parent_id FROM org_unit WHERE code = $1', [
        '339901001099',
      ]);
      expect(rows).toEqual([{ name: '梨花社区', kind: 'COMMUNITY', parent_id: unit['339901001'] }]);
      expect(await t.dataSource.query("SELECT 1 FROM org_unit WHERE code = '梨 花'")).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  it(
    'given sysadmin, when it creates an account (a weak password shown at its field) and names a member unit of the district’s leading group, then both are saved',
    async () => {
      const page = await newPage();
      await withScreenshot(page, 'admin-sysadmin-users', async () => {
        await logIn(page, 'sysadmin');
        await page.getByRole('menuitem', { name: '用户管理' }).click();
        await page.getByRole('row').filter({ hasText: 'committee-d2' }).waitFor();
        await page.getByRole('button', { name: '新建账号' }).click();
        const dialog = page.getByRole('dialog', { name: '新建账号' });
        await dialog.getByLabel('用户名').fill('xinghua-clerk');
        await dialog.getByLabel('姓名').fill('李晓红');
        await dialog.getByLabel('所属单位').fill('杏花社区');
        // The choice is seen in the field before going on (a fresh-clone run lost this click).
        const chosen = dialog.locator('.el-select__placeholder:not(.is-transparent)', {
          hasText: '杏花社区',
        });
        for (let attempt = 1; !(await chosen.isVisible()); attempt++) {
          if (attempt > 3) await chosen.waitFor();
          await page.locator('.el-select-dropdown__item:visible', { hasText: '杏花社区' }).first().click();
          await chosen.waitFor({ timeout: 5_000 }).catch(() => undefined);
          if (!(await chosen.isVisible())) await dialog.getByLabel('所属单位').click();
        }
        await dialog.getByLabel('初始密码').fill('short');
        await dialog.getByRole('button', { name: '确认新建' }).click();
        await expect(dialog.getByTestId('field-error').textContent()).resolves.toContain('密码至少 8 位');
        await dialog.getByLabel('初始密码').fill('Xinghua2026');
        await dialog.getByRole('button', { name: '确认新建' }).click();
        await expect(page.getByTestId('notice').textContent()).resolves.toContain('xinghua-clerk');
        const row = page.getByRole('row').filter({ hasText: 'xinghua-clerk' });
        await expect(row.textContent()).resolves.toContain('示范市 / 东湖区 / 东华街道 / 杏花社区');
        await expect(row.textContent()).resolves.toContain('未授予角色');

        // The district's leading group: 东湖区民政局 joins its member units.
        await page.getByRole('menuitem', { name: '单位管理' }).click();
        await page
          .getByTestId('unit-node')
          .filter({ hasText: /^\s*东湖区社区建设工作领导小组\s/ })
          .click();
        await page.getByRole('button', { name: '成员单位与主要领导' }).click();
        await page.waitForURL(/\/console\/admin\/leading-groups\//);
        await page.getByTestId('group-name').filter({ hasText: '东湖区社区建设工作领导小组' }).waitFor();
        await expect(page.getByLabel('东湖区公安分局').isChecked()).resolves.toBe(true);
        await page.getByTestId('members').locator('label', { hasText: '东湖区民政局' }).click();
        await expect(page.getByLabel('东湖区民政局').isChecked()).resolves.toBe(true);
        await page.getByRole('button', { name: '保存成员单位与主要领导' }).click();
        await expect(page.getByTestId('notice').textContent()).resolves.toContain('成员单位 4 个');
      });
      const [user] = await t.dataSource.query(
        'SELECT display_name, unit_id, roles FROM app_user WHERE username = $1',
        ['xinghua-clerk'],
      );
      expect(user).toEqual({ display_name: '李晓红', unit_id: unit['339901001001'], roles: [] });
      const members = await t.dataSource.query(
        'SELECT unit_id FROM leading_group_member WHERE group_id = $1 ORDER BY unit_id',
        [unit['339901-LG']],
      );
      expect(members.map((m: { unit_id: string }) => m.unit_id)).toContain(unit['339901-MZ']);
      expect(members).toHaveLength(4);
    },
    BROWSER_TEST_MS,
  );

  it(
    'given a locked account, when secadmin (who sees only its own menu) unlocks it and grants a role to a new account, then the holder logs in again and the role is saved; a misfitting role is shown at the roles',
    async () => {
      await lock('committee-2');
      const created = await t
        .http()
        .post('/admin/users')
        .set(await api('sysadmin'))
        .send({
          username: 'taoyuan-clerk',
          displayName: '赵小兰',
          unitId: unit['339901001002'],
          password: 'Taoyuan2026',
        });
      expect(created.status).toBe(201);
      const page = await newPage();
      await withScreenshot(page, 'admin-secadmin', async () => {
        await logIn(page, 'secadmin');
        await expect(adminMenu(page)).resolves.toEqual(['角色与账号安全']);
        await page.getByRole('menuitem', { name: '角色与账号安全' }).click();
        await page.getByLabel('查找账号').fill('committee-2');
        await page.getByRole('button', { name: '查询' }).click();
        const row = page.getByRole('row').filter({ hasText: 'committee-2' });
        await expect(row.getByTestId('state').textContent()).resolves.toContain('已锁定');
        await row.getByRole('button', { name: '解锁 committee-2' }).click();
        await expect(page.getByTestId('notice').textContent()).resolves.toContain('已解锁账号 committee-2');
        await row.getByTestId('state').filter({ hasText: '正常' }).waitFor();

        await page.getByLabel('查找账号').fill('taoyuan');
        await page.getByRole('button', { name: '查询' }).click();
        const clerk = page.getByRole('row').filter({ hasText: 'taoyuan-clerk' });
        await clerk.getByRole('button', { name: '设置角色 taoyuan-clerk' }).click();
        const dialog = page.getByRole('dialog', { name: '设置角色：taoyuan-clerk' });
        // A leader's role does not fit a community's clerk: the API says so at the roles.
        await dialog.getByText('主要领导', { exact: true }).click();
        await dialog.getByRole('button', { name: '保存角色' }).click();
        await expect(dialog.getByTestId('field-error').textContent()).resolves.toContain('LEADER');
        await dialog.getByText('主要领导', { exact: true }).click();
        await dialog.getByText('社区居委会', { exact: true }).click();
        await dialog.getByRole('button', { name: '保存角色' }).click();
        await expect(page.getByTestId('notice').textContent()).resolves.toContain('社区居委会');
        await clerk.getByTestId('roles').filter({ hasText: '社区居委会' }).waitFor();
        await expectMissing(page, '/admin/units');
        await expectMissing(page, '/admin/users');
        await expectMissing(page, '/admin/audit');
      });
      const login = await t
        .http()
        .post('/auth/login')
        .send({ username: 'committee-2', password: TEST_DEMO_PASSWORD });
      expect(login.status).toBe(200);
      const [clerk] = await t.dataSource.query("SELECT roles FROM app_user WHERE username = 'taoyuan-clerk'");
      expect(clerk.roles).toEqual(['COMMITTEE']);
    },
    BROWSER_TEST_MS,
  );

  it(
    'given the trail, when the auditor (who sees only its own menu) reads what sysadmin did and verifies it, then it is intact; once a record is altered, verifying names that record',
    async () => {
      const created = await t
        .http()
        .post('/admin/units')
        .set(await api('sysadmin'))
        .send({ code: '339902001099', name: '湖心社区', kind: 'COMMUNITY', parentId: unit['339902001'] });
      expect(created.status).toBe(201);
      const page = await newPage();
      await withScreenshot(page, 'admin-auditor', async () => {
        await logIn(page, 'auditor');
        await expect(adminMenu(page)).resolves.toEqual(['审计日志']);
        await page.getByRole('menuitem', { name: '审计日志' }).click();
        await page.getByTestId('audit-action').first().waitFor();
        // What sysadmin did, and only that (waiting for the filtered page: it fails by timing out otherwise).
        await page.getByLabel('操作人用户名').fill('sysadmin');
        await page.getByRole('button', { name: '查询' }).click();
        await page.waitForFunction(`(() => {
        const actors = [...document.querySelectorAll('[data-testid="audit-actor"]')].map((c) => c.textContent.trim());
        const actions = [...document.querySelectorAll('[data-testid="audit-action"]')].map((c) => c.textContent);
        return actors.length > 0 && actors.every((a) => a === 'sysadmin') && actions.includes('新增单位');
      })()`);
        await page.getByRole('button', { name: '校验审计链' }).click();
        await expect(page.getByTestId('verification').textContent()).resolves.toContain('审计链完整');
        await expectMissing(page, '/admin/users');
        await expectMissing(page, '/admin/accounts');
        await expectMissing(page, '/admin/leading-groups/00000000-0000-4000-8000-000000000000');

        const [target] = await t.dataSource.query(
          "SELECT seq FROM audit_record WHERE action = 'auth.login' ORDER BY seq DESC LIMIT 1",
        );
        await t.dataSource.query('ALTER TABLE audit_record DISABLE TRIGGER tg_audit_record_no_update');
        await t.dataSource.query(`UPDATE audit_record SET action = 'test.tampered' WHERE seq = $1`, [
          target.seq,
        ]);
        await t.dataSource.query('ALTER TABLE audit_record ENABLE TRIGGER tg_audit_record_no_update');
        await page.goto(`${base}/console/admin/audit`);
        await page.getByRole('button', { name: '校验审计链' }).click();
        const verification = page.getByTestId('verification');
        await expect(verification.textContent()).resolves.toContain('审计链已被破坏');
        await expect(page.getByTestId('verify-problem').first().textContent()).resolves.toContain(
          `审计记录 ${target.seq} 已被改动`,
        );
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given a user on my profile, when the new password breaks the rule or the current one is wrong, then each is said at its field; once changed, the user logs in with the new password only',
    async () => {
      const page = await newPage();
      await withScreenshot(page, 'profile-password', async () => {
        await logIn(page, 'committee-d2');
        await page.getByRole('menuitem', { name: '个人信息' }).click();
        await page.waitForURL(`${base}/console/profile`);
        const me = page.getByTestId('me');
        await expect(me.textContent()).resolves.toContain('committee-d2');
        await expect(me.textContent()).resolves.toContain('湖滨社区');
        await expect(page.getByTestId('my-roles').textContent()).resolves.toBe('社区居委会');
        await expect(adminMenu(page)).resolves.toEqual([]);

        const form = page.getByTestId('password-form');
        await form.getByLabel('当前密码').fill(TEST_DEMO_PASSWORD);
        await form.getByLabel('新密码', { exact: true }).fill('abcdefgh');
        await form.getByLabel('再次输入新密码').fill('abcdefgh');
        await form.getByRole('button', { name: '修改密码' }).click();
        await expect(form.getByTestId('field-error').textContent()).resolves.toContain(
          '密码至少 8 位，须同时包含字母和数字',
        );
        await form.getByLabel('当前密码').fill('not-the-password-1');
        await form.getByLabel('新密码', { exact: true }).fill('Hubin2027x');
        await form.getByLabel('再次输入新密码').fill('Hubin2027x');
        await form.getByRole('button', { name: '修改密码' }).click();
        await expect(form.getByTestId('field-error').textContent()).resolves.toContain('当前密码不正确');
        await form.getByLabel('当前密码').fill(TEST_DEMO_PASSWORD);
        await form.getByRole('button', { name: '修改密码' }).click();
        await expect(page.getByTestId('notice').textContent()).resolves.toContain('密码已修改');

        await page.getByTestId('logout').click();
        await page.waitForURL(`${base}/console/login`);
        await logIn(page, 'committee-d2', 'Hubin2027x');
        await expect(page.getByTestId('current-user').textContent()).resolves.toContain('湖滨社区');
      });
      const old = await t
        .http()
        .post('/auth/login')
        .send({ username: 'committee-d2', password: TEST_DEMO_PASSWORD });
      expect(old.status).toBe(401);
    },
    BROWSER_TEST_MS,
  );

  it(
    'given a locked account, when its holder logs in with the right password, then the login page says in Chinese that repeated failures lock the account and who unlocks it',
    async () => {
      await lock('committee');
      const page = await newPage();
      await withScreenshot(page, 'login-locked', async () => {
        await page.goto(`${base}/console/login`);
        await page.getByLabel('用户名').fill('committee');
        await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
        await page.getByRole('button', { name: '登录' }).click();
        const error = page.getByTestId('login-error');
        await error.waitFor();
        await expect(error.textContent()).resolves.toContain('临时锁定');
        await expect(error.textContent()).resolves.toContain('安全管理员解锁');
        expect(new URL(page.url()).pathname).toBe('/console/login');
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given an address refused for too many failed logins, when someone logs in, then the login page says in Chinese how many minutes to wait',
    async () => {
      const page = await newPage();
      await withScreenshot(page, 'login-throttled', async () => {
        // The API's own answer for an address over LOGIN_ADDRESS_MAX_FAILURES (this app allows many: answered here).
        const throttled = {
          error: {
            code: 'LOGIN_THROTTLED',
            message: ERRORS.LOGIN_THROTTLED[1],
            details: { retryAfterSeconds: 540 },
          },
        };
        await page.route('**/auth/login', (route) =>
          route.fulfill({ status: 429, contentType: 'application/json', body: JSON.stringify(throttled) }),
        );
        await page.goto(`${base}/console/login`, { waitUntil: 'domcontentloaded' });
        await page.getByLabel('用户名').fill('office');
        await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
        await page.getByRole('button', { name: '登录' }).click();
        const error = page.getByTestId('login-error');
        await expect(error.textContent()).resolves.toContain('登录失败次数过多');
        await expect(error.textContent()).resolves.toContain('请在约 9 分钟后再试');
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given an expired session on my profile, when the page loads, then the login page says the login expired, and logging in comes back to the profile',
    async () => {
      const page = await newPage();
      await withScreenshot(page, 'login-expired', async () => {
        await logIn(page, 'street');
        const token = String(await page.evaluate(`sessionStorage.getItem('cwa.token')`));
        const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
        const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const head = b64({ alg: 'HS256', typ: 'JWT' });
        const body = b64({ ...claims, iat: claims.iat - 3600, exp: Math.floor(Date.now() / 1000) - 60 });
        const sig = createHmac('sha256', t.jwtSecret).update(`${head}.${body}`).digest('base64url');
        await page.evaluate(`sessionStorage.setItem('cwa.token', '${head}.${body}.${sig}')`);
        await page.goto(`${base}/console/profile`);
        await page.waitForURL(/\/console\/login\?redirect=/);
        await expect(page.getByRole('alert').first().textContent()).resolves.toContain('登录已过期');
        await page.getByLabel('用户名').fill('street');
        await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
        await page.getByRole('button', { name: '登录' }).click();
        await page.waitForURL(`${base}/console/profile`);
        await expect(page.getByTestId('me').textContent()).resolves.toContain('东华街道');
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given sysadmin, when it disables an account, then its holder’s login answers in Chinese that the account is disabled',
    async () => {
      const page = await newPage();
      await withScreenshot(page, 'admin-sysadmin-disable', async () => {
        await logIn(page, 'sysadmin');
        await page.getByRole('menuitem', { name: '用户管理' }).click();
        await page.getByLabel('查找账号').fill('dept2-staff');
        await page.getByRole('button', { name: '查询' }).click();
        await page.getByRole('button', { name: '修改账号 dept2-staff' }).click();
        const dialog = page.getByRole('dialog', { name: '修改账号 dept2-staff' });
        await dialog.getByText('账号在用', { exact: false }).click();
        await dialog.getByRole('button', { name: '保存' }).click();
        await expect(page.getByTestId('notice').textContent()).resolves.toContain('dept2-staff');
        await expect(
          page.getByRole('row').filter({ hasText: 'dept2-staff' }).textContent(),
        ).resolves.toContain('已停用');
        await page.getByTestId('logout').click();
        await page.waitForURL(`${base}/console/login`);
        await page.getByLabel('用户名').fill('dept2-staff');
        await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
        await page.getByRole('button', { name: '登录' }).click();
        await expect(page.getByTestId('login-error').textContent()).resolves.toContain('账号已停用');
      });
      const [user] = await t.dataSource.query("SELECT active FROM app_user WHERE username = 'dept2-staff'");
      expect(user.active).toBe(false);
    },
    BROWSER_TEST_MS,
  );

  it(
    'given secadmin, when it resets a member’s forgotten password (a weak one shown at its field), then the member logs in with the new one; an administrator’s password cannot be reset there',
    async () => {
      const page = await newPage();
      await withScreenshot(page, 'admin-secadmin-reset', async () => {
        await logIn(page, 'secadmin');
        await page.getByRole('menuitem', { name: '角色与账号安全' }).click();
        await page.getByLabel('查找账号').fill('admin');
        await page.getByRole('button', { name: '查询' }).click();
        await expect(page.getByRole('button', { name: '重置密码 sysadmin' }).isDisabled()).resolves.toBe(
          true,
        );
        await page.getByLabel('查找账号').fill('member-3');
        await page.getByRole('button', { name: '查询' }).click();
        await page.getByRole('button', { name: '重置密码 member-3' }).click();
        const dialog = page.getByRole('dialog', { name: '重置密码：member-3' });
        await dialog.getByLabel('新密码', { exact: true }).fill('12345678');
        await dialog.getByLabel('再次输入新密码').fill('12345678');
        await dialog.getByRole('button', { name: '确认重置' }).click();
        await expect(dialog.getByTestId('field-error').textContent()).resolves.toContain('密码至少 8 位');
        await dialog.getByLabel('新密码', { exact: true }).fill('Member2027');
        await dialog.getByLabel('再次输入新密码').fill('Member2027');
        await dialog.getByRole('button', { name: '确认重置' }).click();
        await expect(page.getByTestId('notice').textContent()).resolves.toContain('已为 member-3');
      });
      const login = await t.http().post('/auth/login').send({ username: 'member-3', password: 'Member2027' });
      expect(login.status).toBe(200);
    },
    BROWSER_TEST_MS,
  );

  it(
    'given a finished day, when the auditor seals the trail, then the page says which days were sealed',
    async () => {
      const before = Number((await t.dataSource.query('SELECT count(*)::int AS n FROM audit_seal'))[0].n);
      // Today's records belong to a finished day once the clock is past midnight (China time).
      t.app.get(Clock).advance(24 * 3600_000);
      const page = await newPage();
      await withScreenshot(page, 'admin-auditor-seal', async () => {
        await logIn(page, 'auditor');
        await page.getByRole('menuitem', { name: '审计日志' }).click();
        await page.getByRole('button', { name: '封存已结束的日期' }).click();
        const notice = page.getByTestId('seal-notice');
        await notice.waitFor();
        const sealed = /已封存 (\d+) 天：\d{4}年\d{1,2}月\d{1,2}日/.exec(String(await notice.textContent()));
        const after = Number((await t.dataSource.query('SELECT count(*)::int AS n FROM audit_seal'))[0].n);
        expect(Number(sealed?.[1])).toBe(after - before);
        expect(after).toBeGreaterThan(before);
      });
    },
    BROWSER_TEST_MS,
  );
});
