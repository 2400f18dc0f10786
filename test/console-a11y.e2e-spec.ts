import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { admitApplication, makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act, openTask } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/** axe-core's browser build, injected into each page as it is checked. */
const AXE = join(process.cwd(), 'node_modules/axe-core/axe.min.js');

/** A violation axe-core found, as the spec reports it. */
interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Besides every serious or critical violation: the page's structure (a level-one heading, headings in order, one
 * main landmark at the top, all content in landmarks), which axe-core rates moderate.
 */
const STRUCTURE = [
  'page-has-heading-one',
  'heading-order',
  'landmark-one-main',
  'landmark-no-duplicate-main',
  'landmark-main-is-top-level',
  'region',
];

/**
 * The console's accessibility at the common office screen (1366×768), in Debian's Chromium: every page of each
 * demo role and the public pages have no serious or critical axe-core violation (labels on every input, colour
 * contrast, landmarks and headings), and the main actions are reached by keyboard.
 */
describe('the console is accessible: axe-core on every page of every role, and by keyboard (无障碍)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const XINGHUA = '339901001001';
  /** Pages that need an object: the URL (under /console/) by the user who may open it. */
  const detail: Record<string, string[]> = {};
  const publicPages: string[] = ['/login', '/register', '/no-such-page'];
  let taskId: string;
  let officeApplication: string;
  const TITLE = '无障碍检查中的申请';
  const ADMITTED = '无障碍检查已准入事项';

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    const xinghua = (await t.dataSource.query('SELECT id FROM org_unit WHERE code = $1', [XINGHUA]))[0].id;
    // One item admitted into 杏花社区, one application at the office's completeness review.
    const admitted = await admitApplication(
      t,
      makeApplication([xinghua], {
        title: '无障碍检查已准入事项',
        fundingPerCommunityFen: 0,
        fundingSource: undefined,
      }),
    );
    const { applicationId, instanceId } = await submitApplication(
      t,
      makeApplication([xinghua], { title: TITLE }),
    );
    expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(200);
    taskId = await openTask(t, 'office', instanceId, 'completeness');
    officeApplication = applicationId;
    // A colleague of office, whom the hand-over dialog offers.
    await t.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, unit_id, roles)
       SELECT 'office-2', '赵晓东', password_hash, unit_id, roles FROM app_user WHERE username = 'office'`,
    );
    const group = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901-LG'`))[0].id;
    publicPages.push(`/register/items/${admitted.itemId}`);
    detail['dept-staff'] = [
      '/my-applications/new',
      `/my-applications/${applicationId}`,
      `/cases/${instanceId}`,
    ];
    detail.office = [
      `/tasks/${taskId}`,
      `/office/applications/${applicationId}`,
      `/cases/${instanceId}`,
      // A task one may not see: the missing page inside the layout.
      '/tasks/00000000-0000-4000-8000-000000000000',
    ];
    detail.committee = [`/committee/items/${admitted.itemId}`];
    detail.sysadmin = [`/admin/leading-groups/${group}`];
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  /** The requests each page has in flight, how many it has started, and who waits for none to be in flight. */
  const traffic = new WeakMap<Page, { requests: Set<Request>; started: number; idle: (() => void)[] }>();

  async function newPage(): Promise<Page> {
    const page = await b.page({ width: 1366, height: 768 });
    page.setDefaultTimeout(30_000);
    const state = { requests: new Set<Request>(), started: 0, idle: [] as (() => void)[] };
    const done = (r: Request) => {
      state.requests.delete(r);
      if (!state.requests.size) for (const resolve of state.idle.splice(0)) resolve();
    };
    page.on('request', (r) => {
      state.requests.add(r);
      state.started++;
    });
    page.on('requestfinished', done);
    page.on('requestfailed', done);
    traffic.set(page, state);
    return page;
  }

  /**
   * Waits until the page shows what it loaded after an in-app navigation: no request in flight, and none started
   * meanwhile by what the answers rendered (nothing new over two animation frames), and no loading mask. A request
   * still open after 20 s fails the test, naming it.
   */
  async function settle(page: Page, path: string): Promise<void> {
    const state = traffic.get(page)!;
    const deadline = AbortSignal.timeout(20_000);
    const expired = new Promise<never>((_, reject) =>
      deadline.addEventListener('abort', () =>
        reject(
          new Error(
            `${path}: requests still open after 20 s: ${[...state.requests].map((r) => r.url()).join(' ')}`,
          ),
        ),
      ),
    );
    expired.catch(() => undefined);
    for (;;) {
      if (state.requests.size)
        await Promise.race([new Promise<void>((resolve) => state.idle.push(resolve)), expired]);
      const before = state.started;
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      if (!state.requests.size && state.started === before) break;
    }
    await page
      .locator('.el-loading-mask:visible')
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
  }

  async function logIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((url) => url.pathname !== '/console/login');
  }

  /** Opens a console page and waits until it has loaded what it shows. */
  async function visit(page: Page, path: string): Promise<void> {
    await page.goto(`${base}/console${path}`, { waitUntil: 'networkidle' });
    await page
      .locator('.el-loading-mask:visible')
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
  }

  /** The serious and critical violations (and the structure ones) axe-core finds on the page as it is, readably. */
  async function violations(page: Page, path: string): Promise<string[]> {
    // Once per document: an in-app navigation keeps it. Colours are checked as they stand, not halfway through a
    // transition (a button fading in was once measured mid-way), nor under the pointer the last click left there.
    if (!(await page.evaluate(`typeof window.axe !== 'undefined'`))) {
      await page.addScriptTag({ path: AXE });
      await page.addStyleTag({
        content: '*, *::before, *::after { transition: none !important; animation: none !important; }',
      });
    }
    await page.mouse.move(0, 0);
    // Run in the page (a script: this file is compiled without the DOM's types).
    const found = (await page.evaluate(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`,
    )) as Violation[];
    return found
      .filter((v) => v.impact === 'serious' || v.impact === 'critical' || STRUCTURE.includes(v.id))
      .map(
        (v) =>
          `${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
            .slice(0, 5)
            .map((n) => n.target.join(' '))
            .join(' | ')}${v.nodes.length > 5 ? ` …共 ${v.nodes.length} 处` : ''}`,
      );
  }

  /**
   * Each page of the logged-in user's menu, as the menu leads to it (in the same document, as a user goes), checked
   * once it has loaded; answers their addresses and what was found (公开名录 leaves the layout for the public
   * register, which the public pages' test checks).
   */
  async function checkMenuPages(page: Page, found: string[]): Promise<string[]> {
    const menu = page.locator('nav[aria-label="主菜单"] .el-menu > .el-menu-item');
    const labels = (await menu.allTextContents()).map((x) => x.trim()).filter((x) => x !== '公开名录');
    const paths: string[] = [];
    for (const label of labels) {
      await menu.filter({ hasText: label }).click();
      // The menu marks the entry of the page it shows: the address is that page's by then.
      await page
        .locator('nav[aria-label="主菜单"] .el-menu > .el-menu-item.is-active')
        .filter({ hasText: label })
        .waitFor();
      const path = new URL(page.url()).pathname.replace(/^\/console/, '');
      paths.push(path);
      await settle(page, path);
      found.push(...(await violations(page, path)));
    }
    return paths;
  }

  it('given the public pages, when checked without login, then axe-core finds no serious or critical violation, nor one of the page’s structure', async () => {
    const page = await newPage();
    const found: string[] = [];
    await withScreenshot(page, 'a11y-public', async () => {
      for (const path of publicPages) {
        await visit(page, path);
        found.push(...(await violations(page, path)));
      }
    });
    expect(found).toEqual([]);
  });

  const ROLES = [
    'dept-staff',
    'dept-head',
    'office',
    'member-1',
    'leader',
    'finance',
    'street',
    'committee',
    'sysadmin',
    'secadmin',
    'auditor',
  ];
  it.each(ROLES)(
    'given %s logged in, when each page of its menu and its detail pages are checked, then axe-core finds no serious or critical violation, nor one of the page’s structure',
    async (username) => {
      const page = await newPage();
      const found: string[] = [];
      await withScreenshot(page, `a11y-${username}`, async () => {
        await logIn(page, username);
        const menuPaths = await checkMenuPages(page, found);
        // The pages the menu does not lead to, each loaded on its own.
        for (const path of ['/profile', ...(detail[username] ?? [])].filter((p) => !menuPaths.includes(p))) {
          await visit(page, path);
          found.push(...(await violations(page, path)));
        }
      });
      await page.context().close();
      expect(found).toEqual([]);
    },
  );

  /** Opens `path` as `username`, presses the button `button` (the first one named so), checks what opened. */
  it.each([
    { username: 'office', path: () => `/tasks/${taskId}`, button: '退回补正', testId: 'return-form' },
    {
      username: 'office',
      path: () => `/office/applications/${officeApplication}`,
      button: '挂起案件',
      testId: '',
    },
    { username: 'sysadmin', path: () => '/admin/users', button: '新建账号', testId: '' },
    { username: 'secadmin', path: () => '/admin/accounts', button: '设置角色 dept-staff', testId: '' },
    { username: 'secadmin', path: () => '/admin/accounts', button: '重置密码 dept-staff', testId: '' },
  ])(
    'given $username’s page with what 「$button」 opens open, then axe-core finds no serious or critical violation in it',
    async ({ username, path: pathOf, button, testId }) => {
      const path = pathOf();
      const page = await newPage();
      const found: string[] = [];
      await withScreenshot(page, `a11y-open-${username}`, async () => {
        await logIn(page, username);
        await visit(page, path);
        await page.getByRole('button', { name: button, exact: true }).first().click();
        if (testId) await page.getByTestId(testId).waitFor();
        else await page.getByRole('dialog').waitFor();
        // Element Plus animates a dialog in: checked once it stands still.
        await page.locator('.dialog-fade-enter-active, .el-overlay-dialog[style*="opacity"]').waitFor({
          state: 'detached',
        });
        found.push(...(await violations(page, `${path}（${button}）`)));
      });
      await page.context().close();
      expect(found).toEqual([]);
    },
  );

  /** Presses Tab until `test` (a script run in the page) holds; answers whether it did within `max` presses. */
  async function tabUntil(page: Page, test: string, max = 60): Promise<boolean> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(test)) return true;
    }
    return false;
  }

  it('given a clerk with only a keyboard, when Tab is pressed from the top, then the login form is filled and sent with Enter, the inbox’s first task opens with Enter, and the task page’s 委托 opens its dialog, itself accessible', async () => {
    const page = await newPage();
    await withScreenshot(page, 'a11y-keyboard', async () => {
      await page.goto(`${base}/console/login`, { waitUntil: 'networkidle' });
      await expect(tabUntil(page, `document.activeElement?.id === 'login-username'`)).resolves.toBe(true);
      await page.keyboard.type('office');
      await page.keyboard.press('Tab');
      await expect(page.evaluate(`document.activeElement?.id`)).resolves.toBe('login-password');
      await page.keyboard.type(TEST_DEMO_PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/console/inbox`);
      await page.getByTestId('task-title').first().waitFor();
      const first = await page.getByTestId('task-title').first().getAttribute('href');
      await expect(
        tabUntil(page, `document.activeElement === document.querySelector('[data-testid=task-title]')`),
      ).resolves.toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}${first}`);
      await page.getByTestId('decisions').waitFor();
      await expect(
        tabUntil(
          page,
          `document.activeElement?.tagName === 'BUTTON' && document.activeElement.textContent.trim() === '委托'`,
        ),
      ).resolves.toBe(true);
      await page.keyboard.press('Enter');
      const dialog = page.getByTestId('hand-over');
      await dialog.getByLabel('接收人').waitFor();
      await expect(violations(page, `${first}（委托对话框）`)).resolves.toEqual([]);
      // The dialog holds the focus, and Escape closes it.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    });
  });

  it('given a resident with only a keyboard, when Tab is pressed from the top of the public register, then the community name is typed and the search sent with Enter', async () => {
    const page = await newPage();
    await withScreenshot(page, 'a11y-keyboard-register', async () => {
      // On a day the item is in force (the fixture's items start on 2027-06-01).
      await page.goto(`${base}/console/register?asOf=2027-06-01`, { waitUntil: 'networkidle' });
      await expect(tabUntil(page, `document.activeElement?.id === 'register-community'`)).resolves.toBe(true);
      await page.keyboard.type('杏花');
      await page.keyboard.press('Enter');
      await page.getByTestId('register-summary').filter({ hasText: '名称含“杏花”' }).waitFor();
      await page.getByTestId('item-title').filter({ hasText: ADMITTED }).waitFor();
    });
  });
});
