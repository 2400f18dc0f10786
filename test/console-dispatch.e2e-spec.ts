import type { Page } from 'playwright-core';
import { admitApplication, makeApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { chooseOption, startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { moveClockTo } from './helpers/clock.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';
import { sendUncovered } from './helpers/dispatch.js';

/**
 * The dispatch pages in a real browser (issue 14): the department writes work without an admitted item, sees
 * before sending that every community of the street is uncovered, sends it; the committee finds it flagged in
 * 收到的工作 and refuses it with one click; the department sees the refusal with its reason and rule at once, and
 * contests it (the street office then mediates).
 */
describe('the console for dispatched work (派单、收到的工作、一键拒绝)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const unit: Record<string, string> = {};
  const TITLE = '东华街道招聘信息张贴';

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    // An item of the department (so its form lists one), in force in 杏花 and 桃园 from 2027-02-01.
    await admitApplication(
      t,
      makeApplication([unit['339901001001'], unit['339901001002']], {
        fundingPerCommunityFen: 0,
        fundingSource: undefined,
        startDate: '2027-02-01',
      }),
    );
    moveClockTo(t, '2027-03-01');
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  async function logIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}/console/inbox`);
  }

  it('given work without an admitted item, when the department previews and sends it to a street, the committee refuses it with one click, then the department sees the refusal with its reason and rule and contests it', async () => {
    const dept = await b.page();
    await withScreenshot(dept, 'dispatch-send', async () => {
      await logIn(dept, 'dept-staff');
      await dept.getByRole('menuitem', { name: '我的派单' }).click();
      await dept.waitForURL(/\/console\/dispatches/);
      await dept.getByRole('button', { name: '派单' }).click();
      await dept.waitForURL(/\/console\/dispatches\/new/);
      await dept.getByLabel('标题', { exact: true }).fill(TITLE);
      await dept.getByLabel('工作内容', { exact: true }).fill('请在社区公告栏张贴本月招聘信息。');
      const due = dept.getByLabel('截止日期', { exact: true });
      await due.fill('2027年3月12日');
      await due.press('Enter');
      await chooseOption(
        dept,
        dept.locator('.el-select', { has: dept.getByLabel('派往', { exact: true }) }),
        '东华街道（全部社区）',
      );
      await dept.keyboard.press('Escape');
      // 发送 waits for the preview, and says so.
      await expect(dept.getByTestId('send-hint').textContent()).resolves.toContain('先点“查看准入情况”');
      await dept.getByRole('button', { name: '查看准入情况' }).click();
      await dept.getByTestId('send-hint').waitFor({ state: 'detached' });
      await expect(dept.getByTestId('preview-summary').textContent()).resolves.toContain(
        '共 3 个社区，其中 3 个不在准入范围',
      );
      const row = dept.getByTestId('preview-list').getByRole('row').filter({ hasText: '杏花社区' });
      await expect(row.textContent()).resolves.toContain('未经准入');
      await expect(row.textContent()).resolves.toContain('第4条');
      await dept.getByRole('button', { name: '发送' }).click();
      await dept.waitForURL(/\/console\/dispatches($|\?)/);
      await dept.getByTestId('dispatch-list').getByRole('row').filter({ hasText: TITLE }).waitFor();
    });

    const committee = await b.page();
    await withScreenshot(committee, 'dispatch-refuse', async () => {
      await logIn(committee, 'committee');
      // Its 待办 holds no case task, but says that dispatched work waits, and leads there.
      const waiting = committee.getByTestId('received-waiting');
      await expect(waiting.textContent()).resolves.toMatch(/各部门派来的工作中有 \d+ 项尚未接收/);
      await waiting.getByRole('link', { name: '到“收到的工作”办理' }).click();
      await committee.waitForURL(/\/console\/received-work/);
      const piece = committee.getByTestId('received-list').getByRole('row').filter({ hasText: TITLE });
      await expect(piece.getByTestId('coverage').textContent()).resolves.toContain('不在准入范围');
      await expect(piece.textContent()).resolves.toContain('东湖区卫生健康委员会');
      // Its due date with the working days left, as a task shows them (sent on Monday 1 March, due 12 March).
      await expect(piece.getByTestId('received-days-left').textContent()).resolves.toContain(
        '含今天还有 10 个工作日',
      );
      await piece.getByRole('button', { name: `拒绝${TITLE}` }).click();
      await expect(committee.getByTestId('received-done').textContent()).resolves.toContain('已拒绝');
      // Refused, it leaves the open list.
      await committee.getByText('没有收到的工作').waitFor();
    });

    await withScreenshot(dept, 'dispatch-refusal-seen', async () => {
      await dept.reload();
      const row = dept.getByTestId('dispatch-list').getByRole('row').filter({ hasText: TITLE });
      const refusal = row.getByTestId('refusal');
      await refusal.waitFor();
      await expect(refusal.textContent()).resolves.toContain('杏花社区拒绝');
      await expect(refusal.textContent()).resolves.toContain('未经准入');
      await expect(refusal.textContent()).resolves.toContain('第4条');
      await expect(row.textContent()).resolves.toContain('已拒绝 1');
    });

    await withScreenshot(dept, 'dispatch-contest', async () => {
      const row = dept.getByTestId('dispatch-list').getByRole('row').filter({ hasText: TITLE });
      await row.getByRole('button', { name: '对杏花社区的拒绝提出异议' }).click();
      const dialog = dept.getByRole('dialog');
      await dialog.getByLabel('异议理由', { exact: true }).fill('招聘信息属于劳动就业协助事项');
      await dialog.getByLabel('依据', { exact: true }).fill('中办发〔2010〕27号 劳动就业');
      await dialog.getByRole('button', { name: '提交异议' }).click();
      await expect(row.getByTestId('dispute').textContent()).resolves.toContain('街道办事处协调中');
    });

    // Opened, the row shows each community's coverage and state; the work is withdrawn from one community only.
    await withScreenshot(dept, 'dispatch-pieces', async () => {
      const row = dept.getByTestId('dispatch-list').getByRole('row').filter({ hasText: TITLE }).first();
      await row.locator('.el-table__expand-icon').click();
      const pieces = dept.getByTestId('pieces');
      const refusedPiece = pieces.getByRole('row').filter({ hasText: '杏花社区' });
      await expect(refusedPiece.textContent()).resolves.toMatch(/不在准入范围：未经准入[\s\S]*已拒绝/);
      const waiting = pieces.getByRole('row').filter({ hasText: '待处理' }).first();
      const name = (await waiting.locator('td').first().textContent())!.trim();
      expect(name).toMatch(/社区$/);
      await waiting.getByRole('button', { name: `撤回${name}的${TITLE}` }).click();
      const box = dept.getByRole('dialog', { name: `撤回${name}的工作` });
      await box.getByRole('textbox').fill('该社区本月已开展同类工作');
      await box.getByRole('button', { name: '撤回' }).click();
      await expect(dept.getByTestId('notice').textContent()).resolves.toContain(
        `已撤回“${TITLE}”中${name}的工作`,
      );
      await row.filter({ hasText: '已撤回 1' }).waitFor();
      // The opened row shows it as it is now; the refused community's piece stays as it was.
      await pieces.getByRole('row').filter({ hasText: name }).filter({ hasText: '部门已撤回' }).waitFor();
      await expect(refusedPiece.textContent()).resolves.toContain('已拒绝');
    });

    // Both sides follow the dispute's case: its diagram and timeline.
    await withScreenshot(committee, 'dispatch-dispute-case', async () => {
      await committee.goto(`${base}/console/received-work?state=closed`);
      const piece = committee.getByTestId('received-list').getByRole('row').filter({ hasText: TITLE });
      await piece.getByRole('link', { name: `“${TITLE}”的协调进度` }).click();
      await committee.waitForURL(/\/console\/cases\//);
      await expect(committee.getByTestId('case-title').textContent()).resolves.toContain('拒绝争议');
    });
    await withScreenshot(dept, 'dispatch-dispute-case-dept', async () => {
      const row = dept.getByTestId('dispatch-list').getByRole('row').filter({ hasText: TITLE });
      await row.getByRole('link', { name: '杏花社区拒绝的协调进度' }).click();
      await dept.waitForURL(/\/console\/cases\//);
      await expect(dept.getByTestId('case-title').textContent()).resolves.toContain('拒绝争议');
    });
  });

  it('given more received work than one page holds, then the list shows the pager and its second page shows the rest', async () => {
    const c2 = unit['339901001002'];
    for (let i = 1; i <= 21; i++) await sendUncovered(t, `翻页测试工作${String(i).padStart(2, '0')}`, [c2]);
    const page = await b.page();
    await withScreenshot(page, 'received-work-pager', async () => {
      await logIn(page, 'committee-2');
      await page.goto(`${base}/console/received-work`);
      const rows = page.getByTestId('received-list').locator('tbody tr');
      await page.locator('.el-pagination').waitFor();
      await expect(rows.count()).resolves.toBe(20);
      const total = Number(
        /\d+/.exec((await page.locator('.el-pagination__total').textContent()) ?? '')?.[0],
      );
      expect(total).toBeGreaterThanOrEqual(21);
      expect(total).toBeLessThanOrEqual(40);
      await page.locator('.el-pagination .btn-next').click();
      await page.waitForURL(/page=2/);
      // The address changes at once; the first page's rows stay until the second page's have come.
      await rows.nth(total - 20).waitFor({ state: 'detached' });
      await page.getByTestId('received-list').getByText('翻页测试工作').first().waitFor();
      await expect(rows.count()).resolves.toBe(total - 20);
    });
  });
});
