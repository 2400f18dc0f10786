import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { moveClockTo } from './helpers/clock.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * The dispute pages in a real browser (拒绝争议, issue 14 §6): a department's uncovered work is refused by the
 * committee and contested by the department (through the API); the street office finds it in 拒绝争议, opens its
 * task, reads the refusal, the department's argument and basis, and refers it to the district office; the
 * district office rules the refusal unfounded with its basis; the list shows the ruling and the case its diagram.
 */
describe('the console’s dispute pages (拒绝争议: 街道协调、区领导小组办公室裁定)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const unit: Record<string, string> = {};
  const TITLE = '社区健康档案补录';
  const ARGUMENT = '健康档案补录属于基本公共卫生服务的社区协助事项';
  const BASIS = '《国家基本公共卫生服务规范（第三版）》居民健康档案管理';
  const RULING = '依据《国家基本公共卫生服务规范》，健康档案补录属社区协助的公共卫生工作';
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    moveClockTo(t, '2027-03-01');
    // The department sends work without an admitted item to 杏花社区; the committee refuses; the department contests.
    const d = await t
      .http()
      .post('/dispatches')
      .set(await auth('dept-staff'))
      .send({
        kind: 'task',
        title: TITLE,
        content: '请对辖区居民健康档案逐户补录。',
        dueDate: '2027-03-31',
        expectedHours: 8,
        targets: [unit['339901001001']],
      });
    expect(d.status).toBe(201);
    const refused = await t
      .http()
      .post(`/my-community/received-work/${d.body.deliveries[0].id}/refuse`)
      .set(await auth('committee'))
      .send({});
    expect(refused.status).toBe(200);
    const contested = await t
      .http()
      .post(`/dispatches/${d.body.id}/contest`)
      .set(await auth('dept-staff'))
      .send({ communityId: unit['339901001001'], argument: ARGUMENT, basis: BASIS });
    expect(contested.status).toBe(200);
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

  /** Opens 拒绝争议 from the menu and answers the row of the dispute. */
  async function disputeRow(page: Page) {
    await page.getByRole('menuitem', { name: '拒绝争议' }).click();
    await page.waitForURL(/\/console\/disputes/);
    const row = page.getByTestId('dispute-list').getByRole('row').filter({ hasText: TITLE });
    await row.waitFor();
    return row;
  }

  /** Chooses an option of a select by keyboard (option clicks get lost in Playwright here). */
  async function choose(page: Page, label: string, option: string): Promise<void> {
    const box = page.getByRole('combobox', { name: label });
    await box.click({ force: true });
    await box.fill(option);
    await box.press('ArrowDown');
    await box.press('Enter');
    await expect(box.evaluate((el) => el.closest('.el-select')?.textContent ?? '')).resolves.toContain(
      option,
    );
  }

  it('given a contested refusal, when the street office refers it and the district office rules it unfounded with its basis, then the list shows the ruling and the case its diagram', async () => {
    const street = await b.page();
    await withScreenshot(street, 'disputes-street', async () => {
      await logIn(street, 'street');
      const row = await disputeRow(street);
      const text = await row.textContent();
      expect(text).toContain('东湖区卫生健康委员会');
      expect(text).toContain('杏花社区');
      expect(text).toContain('未经准入');
      expect(text).toContain('待协调');
      // Five working days from Monday 1 March.
      expect(text).toContain('2027年3月8日前');
      await row.getByRole('link', { name: `办理“${TITLE}”的拒绝争议` }).click();
      await street.waitForURL(/\/console\/tasks\//);
      const brief = street.getByTestId('dispute-brief');
      await expect(brief.getByTestId('dispute-work').textContent()).resolves.toContain(
        '请对辖区居民健康档案逐户补录。',
      );
      const refusal = await brief.getByTestId('dispute-refusal').textContent();
      expect(refusal).toContain('未经准入');
      expect(refusal).toContain('第4条');
      const contest = await brief.getByTestId('dispute-contest').textContent();
      expect(contest).toContain(ARGUMENT);
      expect(contest).toContain(BASIS);
      await street.getByRole('button', { name: '协调不成，提交区领导小组办公室' }).click();
      await expect(street.getByTestId('done').textContent()).resolves.toContain('协调不成');
    });

    const office = await b.page();
    await withScreenshot(office, 'disputes-office', async () => {
      await logIn(office, 'office');
      const row = await disputeRow(office);
      await expect(row.getByTestId('dispute-state').textContent()).resolves.toContain('待裁定');
      await row.getByRole('link', { name: `办理“${TITLE}”的拒绝争议` }).click();
      await office.waitForURL(/\/console\/tasks\//);
      await expect(office.getByTestId('dispute-contest').textContent()).resolves.toContain(BASIS);
      await office.locator('#task-comment').fill(RULING);
      await office.getByRole('button', { name: '拒绝不成立（写明法律依据）' }).click();
      await expect(office.getByTestId('done').textContent()).resolves.toContain('拒绝不成立');
    });

    await withScreenshot(office, 'disputes-ruled', async () => {
      await office.getByRole('menuitem', { name: '拒绝争议' }).click();
      await office.waitForURL(/\/console\/disputes/);
      // Ruled, it leaves the open list.
      await office.getByText('没有拒绝争议').waitFor();
      await choose(office, '显示', '已裁定');
      await office.waitForURL(/state=ruled/);
      const row = office.getByTestId('dispute-list').getByRole('row').filter({ hasText: TITLE });
      const state = row.getByTestId('dispute-state');
      await state.waitFor();
      const text = await state.textContent();
      expect(text).toContain('已裁定');
      expect(text).toContain('拒绝不成立');
      expect(text).toContain(RULING);
      // Nothing left to do: no 办理, only the case with its diagram.
      await expect(row.getByRole('link', { name: `办理“${TITLE}”的拒绝争议` }).count()).resolves.toBe(0);
      await row.getByRole('link', { name: `“${TITLE}”的流程图` }).click();
      await office.waitForURL(/\/console\/cases\//);
      await expect(office.getByTestId('case-title').textContent()).resolves.toContain('拒绝争议');
      await office.locator('[data-testid="diagram"][data-drawn="yes"]').waitFor();
      await expect(office.getByTestId('case-status').textContent()).resolves.toContain('已办结');
      // A dispute's case names the department that sent the work, and has no admission number; ended, it has
      // no step to show.
      const facts = (await office.getByTestId('case-facts').textContent()) ?? '';
      expect(facts).toContain('派单部门');
      expect(facts).not.toContain('准入编号');
      await expect(office.getByRole('button', { name: '当前环节' }).count()).resolves.toBe(0);
      // Its history names people as they are known (name and unit), not by their login names.
      const [street] = await t.dataSource.query(
        `SELECT u.display_name || '（' || o.name || '）' AS name FROM app_user u JOIN org_unit o ON o.id = u.unit_id WHERE u.username = 'street'`,
      );
      const history = office.getByTestId('case-history');
      await history.getByText(street.name).first().waitFor();
      await expect(history.textContent()).resolves.not.toMatch(/· (street|office)\b/);
      // Each step says what was decided, in its form's words.
      await history.getByText('办理完成：协调不成，提交区领导小组办公室').waitFor();
      await history.getByText('办理完成：拒绝不成立').waitFor();
    });

    // The refusal overturned, the committee's piece is open again: it must be done, and cannot be refused again.
    const committee = await b.page();
    await withScreenshot(committee, 'disputes-overturned-committee', async () => {
      await logIn(committee, 'committee');
      await committee.getByRole('menuitem', { name: '收到的工作' }).click();
      await committee.waitForURL(/\/console\/received-work/);
      const piece = committee.getByTestId('received-list').getByRole('row').filter({ hasText: TITLE });
      // The district office ruled (the street's mediation did not settle it); nobody accepted it, it must be done.
      await expect(piece.getByTestId('must-do').textContent()).resolves.toContain(
        '区领导小组办公室已裁定拒绝不成立，这项工作须办理',
      );
      await expect(piece.textContent()).resolves.toContain('须办理');
      await expect(piece.textContent()).resolves.not.toContain('已接收');
      await expect(piece.getByRole('button', { name: `拒绝${TITLE}` }).count()).resolves.toBe(0);
      await piece.getByRole('button', { name: `办结${TITLE}` }).waitFor();
    });
  });
});
