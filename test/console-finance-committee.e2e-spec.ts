import type { Page } from 'playwright-core';
import { admitApplication, makeApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { chooseOption, startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { moveClockTo } from './helpers/clock.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * The console's finance and committee pages and the public item page, in a real browser: finance confirms a
 * transfer and the item comes into force; a committee sees its community's items, records residents' evaluations
 * and proposes an exit, and finds another community's item missing; anyone opens an item's page on a phone without
 * logging in. And the committee's read routes behind them (GET /my-community/exit-proposals, /evaluations).
 */
describe('the console for finance, committees and the public item page (财政、社区居委会、公开事项)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const unit: Record<string, string> = {};
  const XINGHUA = '339901001001';
  const TAOYUAN = '339901001002';
  const FUNDED = '社区垃圾分类督导';
  const UNFUNDED = '社区老年助餐点巡查登记';
  const FOREIGN = '桃园社区独有的楼道巡查';
  let funded: { itemId: string; number: string };
  let unfunded: { itemId: string; number: string };
  let foreign: { itemId: string };
  let transferId: string;
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    // An item with funding (1,234.56 元 per community, fen exact) whose transfer waits for finance; one without
    // funding (in force from its start); one only in 桃园社区 (another committee's).
    funded = await admitApplication(
      t,
      makeApplication([unit[XINGHUA]], { title: FUNDED, fundingPerCommunityFen: 123456 }),
    );
    unfunded = await admitApplication(
      t,
      makeApplication([unit[XINGHUA]], {
        title: UNFUNDED,
        fundingPerCommunityFen: 0,
        fundingSource: undefined,
      }),
    );
    foreign = await admitApplication(
      t,
      makeApplication([unit[TAOYUAN]], {
        title: FOREIGN,
        fundingPerCommunityFen: 0,
        fundingSource: undefined,
      }),
    );
    const registered = await t
      .http()
      .post(`/admitted-items/${funded.itemId}/transfers`)
      .set(await auth('dept-staff'))
      .send({
        communityId: unit[XINGHUA],
        amountFen: 123456,
        account: '东华街道社区财务专账 6222',
        reference: 'GK-2027-0001',
        idempotencyKey: `fin-${funded.itemId}`,
      });
    expect(registered.status).toBe(200);
    transferId = registered.body.id;
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

  /** Nothing on the page is wider than the screen (no sideways scrolling). */
  async function noSidewaysScroll(page: Page): Promise<void> {
    // Runs in the page (a string: the test's own types know no DOM).
    const [scroll, client] = (await page.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as [number, number];
    expect(scroll).toBeLessThanOrEqual(client);
  }

  const inForceIn = async (community: string, day: string) =>
    (await t.http().get(`/admitted-items?community=${community}&asOf=${day}`)).body.items.map(
      (x: { id: string }) => x.id,
    ) as string[];

  it('given a transfer registered, when finance opens 经费到账确认 and confirms it, then the amount shows in 元 fen exact, the transfer leaves the waiting list and the item comes into force in the community', async () => {
    expect(await inForceIn(XINGHUA, '2027-06-15')).not.toContain(funded.itemId);
    const page = await b.page();
    await withScreenshot(page, 'finance-confirm', async () => {
      await logIn(page, 'finance');
      await page.getByRole('menuitem', { name: '经费到账确认' }).click();
      await page.waitForURL(/\/console\/finance\/transfers/);
      const row = page.getByRole('row').filter({ hasText: FUNDED });
      await row.waitFor();
      await expect(row.getByTestId('amount').textContent()).resolves.toBe('1,234.56 元');
      await expect(row.textContent()).resolves.toContain('东华街道 杏花社区');
      await expect(row.textContent()).resolves.toContain('待确认到账');
      await row.getByRole('button', { name: '确认东华街道 杏花社区的经费到账' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.textContent()).resolves.toContain('1,234.56 元');
      await dialog.getByRole('button', { name: '确认到账' }).click();
      await expect(page.getByTestId('confirm-done').textContent()).resolves.toContain(
        '自开始日期起在该社区实施',
      );
      await page.getByText('没有待确认到账的拨付').waitFor();
      // The confirmed ones are a filter away, with their state.
      await chooseOption(page, page.locator('.el-select', { has: page.getByLabel('状态') }), '已确认到账');
      await page.waitForURL(/state=confirmed/);
      await page.getByRole('row').filter({ hasText: FUNDED }).filter({ hasText: '已确认到账' }).waitFor();
      // 经费应拨情况: the community's funding, confirmed.
      await page.getByRole('menuitem', { name: '经费应拨情况' }).click();
      const due = page.getByRole('row').filter({ hasText: FUNDED });
      await due.waitFor();
      await expect(due.textContent()).resolves.toContain('经费已到账');
    });
    const transfer = (
      await t.dataSource.query('SELECT confirmed_at FROM funding_transfer WHERE id = $1', [transferId])
    )[0];
    expect(transfer.confirmed_at).not.toBeNull();
    expect(await inForceIn(XINGHUA, '2027-06-15')).toContain(funded.itemId);
  });

  it('given its community’s items in force, when the committee opens 本社区准入事项, records an evaluation (a field error first) and proposes an exit, then it sees the evaluation and the proposal 审议中', async () => {
    moveClockTo(t, '2027-07-01');
    const page = await b.page();
    await withScreenshot(page, 'committee-evaluate-exit', async () => {
      await logIn(page, 'committee');
      await expect(page.getByRole('menuitem', { name: '经费到账确认' }).count()).resolves.toBe(0);
      await page.getByRole('menuitem', { name: '本社区准入事项' }).click();
      await page.waitForURL(/\/console\/committee\/items/);
      const list = page.getByTestId('committee-items');
      await list.getByText(UNFUNDED).waitFor();
      await expect(list.textContent()).resolves.toContain(FUNDED);
      await expect(list.textContent()).resolves.not.toContain(FOREIGN);
      await expect(page.getByTestId('committee-summary').textContent()).resolves.toContain('共 2 项');

      await list.getByRole('link', { name: UNFUNDED }).click();
      await page.waitForURL(/\/console\/committee\/items\/[\w-]+$/);
      await expect(page.getByTestId('committee-item-title').textContent()).resolves.toContain(UNFUNDED);
      await expect(page.getByTestId('committee-item-state').textContent()).resolves.toContain(
        '自2027年6月1日起实施',
      );

      // More satisfied than asked: the API's problem beside its field.
      await page.getByLabel('评议期间').fill('2027-06');
      await page.getByLabel('参评人数').fill('50');
      await page.getByLabel('满意人数').fill('60');
      await page.getByRole('button', { name: '录入评议' }).click();
      const satisfiedItem = page.locator('.el-form-item', { has: page.getByLabel('满意人数') });
      await expect(satisfiedItem.locator('.el-form-item__error').textContent()).resolves.toContain(
        '满意人数不能多于参评人数',
      );
      // The problems are beside their fields: the message says so, not the API's generic "see details".
      await expect(page.getByTestId('evaluation-error').textContent()).resolves.toBe(
        '有填写不正确的项目，请按各项旁的提示修改。',
      );

      await page.getByLabel('满意人数').fill('45');
      await page.getByRole('button', { name: '录入评议' }).click();
      await expect(page.getByTestId('evaluation-done').textContent()).resolves.toContain('满意度 90%');
      const evaluations = page.getByTestId('evaluations');
      await evaluations.getByRole('row').filter({ hasText: '2027-06' }).waitFor();
      await expect(evaluations.textContent()).resolves.toContain('90%');

      await page.getByLabel('退出理由').fill('巡查登记与街道网格巡查重复，居民和社工负担重');
      await page.getByRole('button', { name: '提出退出建议' }).click();
      await expect(page.getByTestId('exit-done').textContent()).resolves.toContain('已提出退出建议');
      const proposals = page.getByTestId('exit-proposals');
      await expect(proposals.getByTestId('exit-status').first().textContent()).resolves.toContain('审议中');
      await expect(proposals.textContent()).resolves.toContain('本社区提出');
      await expect(page.getByText('已有审议中的退出建议').count()).resolves.toBe(1);

      // 退出建议: every proposal of the community with its state.
      await page.getByRole('menuitem', { name: '退出建议' }).click();
      await page.waitForURL(/\/console\/committee\/exit-proposals/);
      const all = page.getByTestId('exit-proposal-list');
      await all.getByRole('row').filter({ hasText: UNFUNDED }).filter({ hasText: '审议中' }).waitFor();
    });
    const stored = await t.dataSource.query(
      'SELECT origin, status, community_id FROM exit_proposal WHERE item_id = $1',
      [unfunded.itemId],
    );
    expect(stored).toEqual([{ origin: 'community', status: 'open', community_id: unit[XINGHUA] }]);
  });

  it('given a browser without URLSearchParams.size (Chromium before 113), when the committee asks for its items on a day before they came into force, then the day is sent and none are listed', async () => {
    moveClockTo(t, '2027-07-01'); // today both items are in force: a dropped day would list them
    const page = await b.page();
    // The government browsers (360, 奇安信) are based on older Chromium: no `size` on URLSearchParams.
    await page.addInitScript('delete URLSearchParams.prototype.size;');
    await withScreenshot(page, 'committee-old-browser', async () => {
      await logIn(page, 'committee');
      await page.goto(`${base}/console/committee/items?asOf=2027-05-01`);
      await expect(
        page.waitForFunction(
          'document.querySelector(\'[data-testid="committee-summary"]\')?.textContent.includes("共 0 项")',
        ),
      ).resolves.toBeTruthy();
      await expect(page.getByTestId('committee-summary').textContent()).resolves.toContain('2027年5月1日');
      await expect(page.getByTestId('committee-items').textContent()).resolves.not.toContain(UNFUNDED);
    });
  });

  it('given another community’s item, or no item at all, when the committee opens it by URL, then the missing page answers', async () => {
    const page = await b.page();
    await withScreenshot(page, 'committee-foreign-item', async () => {
      await logIn(page, 'committee');
      for (const id of [foreign.itemId, '00000000-0000-4000-8000-000000000000', 'not-an-id']) {
        await page.goto(`${base}/console/committee/items/${id}`);
        await page.getByText('页面不存在', { exact: true }).waitFor();
        await expect(page.content()).resolves.not.toContain(FOREIGN);
        await expect(page.getByLabel('退出理由').count()).resolves.toBe(0);
      }
      // Its own committee sees it.
      const other = await b.page();
      await logIn(other, 'committee-2');
      await other.goto(`${base}/console/committee/items/${foreign.itemId}`);
      await expect(other.getByTestId('committee-item-title').textContent()).resolves.toContain(FOREIGN);
    });
  });

  it('given a phone without login, when the public register is searched and an item opened, then its page shows what it is and where it is in force on the day, and nothing scrolls sideways', async () => {
    const page = await b.page({ width: 375, height: 667 });
    await withScreenshot(page, 'public-item-phone', async () => {
      await page.goto(`${base}/console/register?communityName=${encodeURIComponent('杏花')}&asOf=2027-06-15`);
      await page.getByTestId('item-title').filter({ hasText: UNFUNDED }).waitFor();
      await noSidewaysScroll(page);
      // Each item's period is on the screen, not in a column scrolled out of it.
      const period = await page.getByText('2027年6月1日 至 2027年12月31日').first().boundingBox();
      expect(period!.x + period!.width).toBeLessThanOrEqual(375);
      await page.getByRole('link', { name: UNFUNDED }).click();
      await page.waitForURL(/\/console\/register\/items\/[\w-]+\?/);
      const item = page.getByTestId('public-item');
      await item.waitFor();
      await expect(item.textContent()).resolves.toContain(unfunded.number);
      await expect(page.getByTestId('item-period').textContent()).resolves.toBe(
        '2027年6月1日 至 2027年12月31日',
      );
      await expect(page.getByTestId('item-funding').textContent()).resolves.toContain('0.00 元');
      const communities = page.getByTestId('item-communities');
      await expect(communities.textContent()).resolves.toContain('东华街道 杏花社区');
      await expect(communities.textContent()).resolves.toContain('当日实施');
      await expect(page.getByTestId('item-in-force-summary').textContent()).resolves.toContain(
        '2027年6月15日，该事项在 1 个社区实施',
      );
      await noSidewaysScroll(page);
      // Before its start it is in force nowhere; the day is in the address.
      await page.goto(page.url().replace('asOf=2027-06-15', 'asOf=2027-05-01'));
      await expect(page.getByTestId('item-in-force-summary').textContent()).resolves.toContain(
        '在 0 个社区实施',
      );
      // Back to the register with the same search.
      await page.getByRole('link', { name: '← 返回公开名录' }).click();
      await page.waitForURL(/\/console\/register\?/);
      await expect(page.getByLabel('社区名称').inputValue()).resolves.toBe('杏花');
      // An item that does not exist.
      await page.goto(`${base}/console/register/items/00000000-0000-4000-8000-000000000000`);
      await page.getByTestId('item-missing').waitFor();
      await noSidewaysScroll(page);
    });
  });

  describe('the committee’s read routes', () => {
    it('given proposals and evaluations, then GET /my-community/exit-proposals and /evaluations answer the committee’s own, paged with a total, and nobody else’s', async () => {
      const mine = await t
        .http()
        .get('/my-community/exit-proposals')
        .set(await auth('committee'));
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({ total: 1, page: 1 });
      expect(mine.body.items[0]).toMatchObject({
        itemId: unfunded.itemId,
        admissionNumber: unfunded.number,
        itemTitle: UNFUNDED,
        communityId: unit[XINGHUA],
        origin: 'community',
        status: 'open',
        decidedAt: null,
      });
      // A whole-item proposal of the department concerns every community of the item.
      const whole = await t
        .http()
        .post(`/admitted-items/${funded.itemId}/exit-proposals`)
        .set(await auth('dept-staff'))
        .send({ reason: '政策调整，整体退出' });
      expect(whole.status).toBe(201);
      const both = await t
        .http()
        .get('/my-community/exit-proposals?status=open&pageSize=1&page=2')
        .set(await auth('committee'));
      expect(both.body).toMatchObject({ total: 2, page: 2, pageSize: 1 });
      expect(both.body.items).toHaveLength(1);
      const ofItem = await t
        .http()
        .get(`/my-community/exit-proposals?itemId=${funded.itemId}`)
        .set(await auth('committee'));
      expect(ofItem.body.items.map((p: { origin: string }) => p.origin)).toEqual(['department']);
      expect(ofItem.body.items[0].communityId).toBeNull();
      // Another committee sees none of them; finance may not ask.
      const other = await t
        .http()
        .get('/my-community/exit-proposals')
        .set(await auth('committee-2'));
      expect(other.body).toMatchObject({ total: 0, items: [] });
      const finance = await t
        .http()
        .get('/my-community/exit-proposals')
        .set(await auth('finance'));
      expect([finance.status, finance.body.error.code]).toEqual([403, 'FORBIDDEN']);

      const evaluations = await t
        .http()
        .get(`/my-community/evaluations?itemId=${unfunded.itemId}`)
        .set(await auth('committee'));
      expect(evaluations.status).toBe(200);
      expect(evaluations.body.total).toBe(1);
      expect(evaluations.body.items[0]).toMatchObject({
        itemTitle: UNFUNDED,
        period: '2027-06',
        respondents: 50,
        satisfied: 45,
        satisfaction: 90,
      });
      expect(
        (
          await t
            .http()
            .get('/my-community/evaluations')
            .set(await auth('committee-2'))
        ).body.total,
      ).toBe(0);
    });

    it('given bad filters, then 400 names the field; the routes are documented', async () => {
      for (const path of [
        '/my-community/exit-proposals?itemId=nope',
        '/my-community/exit-proposals?status=closed',
        '/my-community/evaluations?itemId=nope',
        '/my-community/evaluations?pageSize=0',
      ]) {
        const res = await t
          .http()
          .get(path)
          .set(await auth('committee'));
        expect([path, res.status, res.body.error.code]).toEqual([path, 400, 'VALIDATION_FAILED']);
        expect(res.body.error.details.length).toBeGreaterThan(0);
      }
      const doc = (await t.http().get('/docs-json')).body;
      for (const path of ['/my-community/exit-proposals', '/my-community/evaluations'])
        expect(doc.paths[path].get.responses['200']).toBeDefined();
    });
  });
});
