import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { DefinitionsService } from '../src/workflow/definitions.service.js';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';
import { fireTimersOf } from './helpers/timers.js';
import { FIXTURE_WORKFLOWS } from './helpers/workflow-fixtures.js';

/** What `look` reads of the page's window. */
interface PageGlobal {
  getComputedStyle(element: unknown): { stroke: string };
}

/** The colours of the diagram's states (Element Plus's success, primary and danger), as the browser computes them. */
const GREEN = 'rgb(103, 194, 58)';
const BLUE = 'rgb(64, 158, 255)';
const RED = 'rgb(245, 108, 108)';

/**
 * The case page (/console/cases/:instanceId): the BPMN of the case's own definition version, laid out in the
 * browser (the files carry no layout) and drawn with bpmn-js, each step coloured by its state, the timeline beside
 * it. Real admission cases: one overdue at the scope review (the clock moved past its limit), one at the
 * completeness review in time, one started on the previous version of the flow.
 */
describe('the case’s live diagram in a real browser (案件流程图)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cwa-diagram-flows-'));
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  let overdueCase: string;
  let activeCase: string;
  let oldCase: string;
  const OVERDUE_TITLE = '社区消防安全巡查台账';

  beforeAll(async () => {
    // The previous admission flow (no return after the scope review) is deployed first; a case starts on it.
    cpSync('workflows', dir, { recursive: true });
    cpSync('test/fixtures/admission-before-returns/admission.bpmn', path.join(dir, 'admission.bpmn'));
    t = await startTestApp({ WORKFLOWS_DIR: `${dir},${FIXTURE_WORKFLOWS}` });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    const community: string = (
      await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901001001'`)
    )[0].id;
    oldCase = (await submitApplication(t, makeApplication([community], { title: '旧版本流程的申请' })))
      .instanceId;
    // Today's flow becomes the newest version while that case runs on its own.
    cpSync('workflows/admission.bpmn', path.join(dir, 'admission.bpmn'));
    await t.app.get(DefinitionsService).deployAll();

    overdueCase = (await submitApplication(t, makeApplication([community], { title: OVERDUE_TITLE })))
      .instanceId;
    activeCase = (await submitApplication(t, makeApplication([community], { title: '社区健康讲座' })))
      .instanceId;
    for (const [user, element, instanceId] of [
      ['dept-head', 'deptApprove', overdueCase],
      ['office', 'completeness', overdueCase],
      ['dept-head', 'deptApprove', activeCase],
    ])
      expect((await act(t, user, instanceId, element, { decision: 'approve' })).status).toBe(200);
    // The scope review's limit (5 working days) passes; the completeness review's (15) does not.
    expect(await fireTimersOf(t, overdueCase, 'task-limit')).toBe(1);
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function get(username: string, url: string) {
    return t
      .http()
      .get(url)
      .set('Authorization', `Bearer ${await t.token(username)}`);
  }

  /** Opens a deep link; the console asks for a login first and then comes back to it. */
  async function openAs(page: Page, username: string, url: string): Promise<void> {
    await page.goto(`${base}${url}`);
    await page.waitForURL(/\/console\/login\?redirect=/);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}${url}`);
  }

  /** Waits until bpmn-js has drawn the case's diagram. */
  async function drawn(page: Page): Promise<void> {
    await page.locator('[data-testid="diagram"][data-drawn="yes"]').waitFor();
  }

  /** The state marker and the stroke colour the browser computes for an element of the drawn diagram. */
  async function look(page: Page, elementId: string): Promise<{ classes: string; stroke: string }> {
    const g = page.locator(`g.djs-element[data-element-id="${elementId}"]`);
    return {
      classes: String(await g.getAttribute('class')),
      // Runs in the page (the tests compile without the DOM's types: the page's global, typed here).
      stroke: await g
        .locator('.djs-visual > :first-child')
        .evaluate((el) => (globalThis as unknown as PageGlobal).getComputedStyle(el).stroke),
    };
  }

  /** Whether an element of the drawn diagram lies wholly inside the diagram's frame. */
  async function inView(page: Page, elementId: string): Promise<boolean> {
    const frame = await page.getByTestId('diagram').boundingBox();
    const el = await page.locator(`g.djs-element[data-element-id="${elementId}"] .djs-visual`).boundingBox();
    if (!frame || !el) return false;
    return (
      el.x >= frame.x &&
      el.y >= frame.y &&
      el.x + el.width <= frame.x + frame.width &&
      el.y + el.height <= frame.y + frame.height
    );
  }

  it('given the diagram route, then it answers the XML of the case’s own version with each step’s state, and a case the user may not see answers like a missing one', async () => {
    const res = await get('office', `/workflow-instances/${overdueCase}/diagram`);
    expect(res.status).toBe(200);
    expect(res.body.activities).toMatchObject({
      submitted: 'completed',
      deptApprove: 'completed',
      completeness: 'completed',
      scopeReview: 'overdue',
    });
    expect(res.body.xml).toContain('id="scopeReturned"');
    const old = await get('office', `/workflow-instances/${oldCase}/diagram`);
    expect(old.status).toBe(200);
    expect(old.body.xml).toContain('<bpmn:process id="admission"');
    expect(old.body.xml).not.toContain('id="scopeReturned"');
    const foreign = await get('committee-d2', `/workflow-instances/${overdueCase}/diagram`);
    const missing = await get(
      'committee-d2',
      '/workflow-instances/00000000-0000-4000-8000-000000000000/diagram',
    );
    // The same answer but for the request's own id.
    const withoutRequestId = (r: { status: number; body: { error: Record<string, unknown> } }) => [
      r.status,
      { ...r.body.error, requestId: undefined },
    ];
    expect(withoutRequestId(foreign)).toEqual(withoutRequestId(missing));
    expect(foreign.body.error.code).toBe('INSTANCE_NOT_FOUND');
  });

  it('given a case overdue at the scope review, when office opens its page, then the steps done are green, the overdue one red with its 超期 badge, the timeline is beside it, and the diagram zooms and pans by button and keyboard', async () => {
    const page = await b.page();
    await withScreenshot(page, 'case-diagram-overdue', async () => {
      await openAs(page, 'office', `/console/cases/${overdueCase}`);
      await drawn(page);
      await expect(page.getByTestId('case-title').textContent()).resolves.toContain(OVERDUE_TITLE);
      await expect(page.getByTestId('case-facts').textContent()).resolves.toContain('社区工作准入审批（第');
      for (const id of ['submitted', 'deptApprove', 'completeness', 'checks'])
        expect([id, await look(page, id)]).toEqual([
          id,
          { classes: expect.stringContaining('case-completed'), stroke: GREEN },
        ]);
      expect(await look(page, 'scopeReview')).toEqual({
        classes: expect.stringContaining('case-overdue'),
        stroke: RED,
      });
      // Not reached yet: drawn as bpmn-js draws it, no state.
      expect((await look(page, 'leaderSign')).classes).not.toMatch(/case-/);
      const badges = page.getByTestId('overdue-badge');
      await expect(badges.count()).resolves.toBe(1);
      await expect(
        page
          .locator('.djs-overlays[data-container-id="scopeReview"]')
          .getByTestId('overdue-badge')
          .textContent(),
      ).resolves.toBe('超期');
      await expect(page.getByTestId('open-steps').textContent()).resolves.toContain(
        '领导小组办公室范围与重复审查',
      );

      const history = page.getByTestId('case-history');
      const entries = history.getByTestId('history-entry');
      await expect(
        // The person as people know them (the demo's 李健), not the login name dept-head.
        entries.filter({ hasText: '部门负责人审核' }).filter({ hasText: '李健' }).count(),
      ).resolves.toBeGreaterThan(0);
      await expect(entries.filter({ hasText: /^超期/ }).count()).resolves.toBe(1);
      await expect(history.textContent()).resolves.toContain('案件启动');

      // The wide flow opens at a readable scale on the overdue step; 适应窗口 shows the whole, to its last end.
      expect(await inView(page, 'scopeReview')).toBe(true);
      expect(await inView(page, 'expiredEnd')).toBe(false);
      // … and says that it shows a part, and how to see the whole.
      await expect(page.getByTestId('diagram-partial').textContent()).resolves.toContain('适应窗口');
      await page.getByRole('button', { name: '适应窗口' }).click();
      expect(await inView(page, 'expiredEnd')).toBe(true);
      await expect(page.getByTestId('diagram-partial').count()).resolves.toBe(0);

      // Zoom by the buttons, pan with Ctrl and the arrow keys once the diagram has the focus.
      const viewport = page.locator('[data-testid="diagram"] .viewport');
      const before = await viewport.getAttribute('transform');
      await page.getByRole('button', { name: '放大' }).click();
      const zoomed = await viewport.getAttribute('transform');
      expect(zoomed).not.toBe(before);
      await page.locator('[data-testid="diagram"] svg').first().focus();
      await page.keyboard.press('Control+ArrowLeft');
      await expect(viewport.getAttribute('transform')).resolves.not.toBe(zoomed);
    });
  });

  it('given a case at the completeness review within its limit, when office opens it, then the department’s step is green and the open step blue, with no badge', async () => {
    const page = await b.page();
    await withScreenshot(page, 'case-diagram-active', async () => {
      await openAs(page, 'office', `/console/cases/${activeCase}`);
      await drawn(page);
      expect(await look(page, 'deptApprove')).toEqual({
        classes: expect.stringContaining('case-completed'),
        stroke: GREEN,
      });
      expect(await look(page, 'completeness')).toEqual({
        classes: expect.stringContaining('case-active'),
        stroke: BLUE,
      });
      expect((await look(page, 'scopeReview')).classes).not.toMatch(/case-/);
      await expect(page.getByTestId('overdue-badge').count()).resolves.toBe(0);
      // The last day to finish, as the inbox shows it: due_at is 00:00 China time of the day AFTER it.
      const [{ due_at: dueAt }] = await t.dataSource.query(
        `SELECT due_at FROM workflow_task WHERE instance_id = $1 AND element_id = 'completeness' AND status = 'open'`,
        [activeCase],
      );
      const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' })
        .format(new Date(new Date(dueAt).getTime() - 1))
        .split('-');
      await expect(page.getByTestId('open-steps').textContent()).resolves.toContain(
        `${y}年${Number(m)}月${Number(d)}日前办结`,
      );
    });
  });

  it('given a case started on the previous version of the flow, when office opens it, then that version is drawn (without the returns added since)', async () => {
    const page = await b.page();
    await withScreenshot(page, 'case-diagram-old-version', async () => {
      await openAs(page, 'office', `/console/cases/${activeCase}`);
      await drawn(page);
      await expect(page.locator('g.djs-element[data-element-id="scopeReturned"]').count()).resolves.toBe(1);
      const current = await page.getByTestId('case-facts').textContent();

      await page.goto(`${base}/console/cases/${oldCase}`);
      await drawn(page);
      await expect(page.getByTestId('case-title').textContent()).resolves.toContain('旧版本流程的申请');
      await expect(page.locator('g.djs-element[data-element-id="scopeReturned"]').count()).resolves.toBe(0);
      await expect(page.locator('g.djs-element[data-element-id="scopeReview"]').count()).resolves.toBe(1);
      expect((await look(page, 'submitted')).stroke).toBe(GREEN);
      const version = (s: string | null) => Number(/第 (\d+) 版/.exec(String(s))?.[1]);
      expect(version(await page.getByTestId('case-facts').textContent())).toBeLessThan(version(current));
    });
  });

  it('given a case of another district, when its committee opens it by URL, then the page says it does not exist, as for a missing case', async () => {
    const page = await b.page();
    await withScreenshot(page, 'case-diagram-foreign', async () => {
      await openAs(page, 'committee-d2', `/console/cases/${overdueCase}`);
      await page.getByText('页面不存在', { exact: true }).waitFor();
      await expect(page.getByTestId('diagram').count()).resolves.toBe(0);
      await expect(page.content()).resolves.not.toContain(OVERDUE_TITLE);
      await page.goto(`${base}/console/cases/00000000-0000-4000-8000-000000000000`);
      await page.getByText('页面不存在', { exact: true }).waitFor();
    });
  });
});
