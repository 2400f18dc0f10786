import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { openTask } from './helpers/cases.js';
import { moveClockTo } from './helpers/clock.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

const CITY_LIST = '示范市社区居民委员会出具证明事项保留清单';
const HUBIN = '339902001001'; // 湖滨社区, 西山区 of 示范市
const png = (fill: number) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, fill)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Sample forms (证明式样) on the console, in Debian's Chromium: the city office uploads one in a proposal (and
 * removes a wrong one first), the city leader approves it, and the public check page, its search list and the
 * list's page link it; the link downloads the same file without logging in.
 */
describe('sample forms (证明式样) on the console', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp();
    moveClockTo(t, '2027-01-04');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  async function openAs(username: string, path: string): Promise<Page> {
    const p = await b.page();
    // Two cores shared by many test files: a page may take longer than the helper's 10 s to answer.
    p.setDefaultTimeout(30_000);
    await p.goto(`${base}/console/login?redirect=${encodeURIComponent(path)}`);
    await p.getByLabel('用户名').fill(username);
    await p.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await p.getByRole('button', { name: '登录' }).click();
    await p.waitForURL(`${base}/console${path}`);
    return p;
  }

  /** Element Plus selects are chosen by keyboard (type, arrow, Enter): option clicks get lost. */
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

  const form = png(7);
  let proposalId = '';

  it('given the city office changes 居住证明, when it uploads a sample form (removing a wrong one first), then the proposal names the file in its diff', async () => {
    const page = await openAs('city-office', '/stamps/propose');
    await withScreenshot(page, 'stamp-sample-form-propose', async () => {
      await page.getByText('修改事项', { exact: true }).click();
      await page.getByRole('combobox', { name: '适用范围' }).waitFor();
      await choose(page, '清单', `${CITY_LIST}（示民发〔2021〕15号）`);
      await choose(page, '事项', '居住证明');
      await page.getByLabel('生效日期').fill('2027-03-01');

      const box = page.getByTestId('stamp-change-sample-form-box');
      // A file that is not what it says is refused with the API's message.
      await page.locator('#stamp-change-sample-form').setInputFiles({
        name: '错的.png',
        mimeType: 'image/png',
        buffer: Buffer.from('not an image'),
      });
      await box.getByRole('alert').getByText('只接受 PDF、PNG、JPEG', { exact: false }).waitFor();

      await page.locator('#stamp-change-sample-form').setInputFiles({
        name: '旧式样.png',
        mimeType: 'image/png',
        buffer: png(1),
      });
      await box.getByTestId('sample-form-name').getByText('旧式样.png').waitFor();
      await box.getByRole('button', { name: '移除证明式样' }).click();
      await box.getByTestId('sample-form-name').waitFor({ state: 'detached' });

      await page.locator('#stamp-change-sample-form').setInputFiles({
        name: '居住证明式样.png',
        mimeType: 'image/png',
        buffer: form,
      });
      await box.getByTestId('sample-form-name').getByText('居住证明式样.png').waitFor();

      await page.getByLabel('调整说明').fill('居住证明附上证明式样');
      await page.getByRole('button', { name: '提交主要领导审批' }).click();
      await page.waitForURL(/\/console\/stamps\/proposals\/[0-9a-f-]{36}$/);
      proposalId = page.url().split('/').pop()!;
      await page
        .getByTestId('stamp-change-0')
        .getByRole('row')
        .filter({ hasText: '证明式样' })
        .filter({ hasText: '居住证明式样.png' })
        .waitFor();
    });
  });

  it('given the proposal, when the city leader approves it, then the public check page links the sample form and the link downloads it without logging in', async () => {
    expect(proposalId).not.toBe('');
    const [row] = await t.dataSource.query('SELECT instance_id FROM stamp_proposal WHERE id = $1', [
      proposalId,
    ]);
    const taskId = await openTask(t, 'city-leader', row.instance_id, 'leaderApprove');
    const leader = await openAs('city-leader', `/tasks/${taskId}`);
    await withScreenshot(leader, 'stamp-sample-form-approve', async () => {
      await leader
        .getByTestId('stamp-proposal-diff')
        .getByRole('row')
        .filter({ hasText: '居住证明式样.png' })
        .waitFor();
      await leader.getByLabel('办理意见').fill('同意');
      await leader.getByTestId('decisions').getByRole('button', { name: '同意', exact: true }).click();
      await leader.getByTestId('done').waitFor();
    });

    // A resident's phone, not logged in.
    const page = await b.page({ width: 375, height: 740 });
    page.setDefaultTimeout(30_000);
    await withScreenshot(page, 'stamp-sample-form-public', async () => {
      await page.goto(
        `${base}/console/stamps/check?name=${encodeURIComponent('居住证明')}&community=${HUBIN}&date=2027-03-01`,
      );
      await page.getByTestId('stamp-decision').getByText('可以开具').waitFor();
      const link = page.getByTestId('stamp-sample-form').getByRole('link', { name: '查看证明式样' });
      await page.getByTestId('stamp-sample-form').getByText('居住证明式样.png', { exact: false }).waitFor();
      const href = (await link.getAttribute('href'))!;
      expect(href).toMatch(/^\/stamp-sample-forms\/[0-9a-f-]{36}$/);

      const [tab] = await Promise.all([page.waitForEvent('popup'), link.click()]);
      await tab.waitForLoadState();
      expect(tab.url()).toBe(`${base}${href}`);
      // The same bytes, without a token (the page's context never logged in).
      const file = await page.request.get(`${base}${href}`);
      expect(file.status()).toBe(200);
      expect(file.headers()['content-type']).toBe('image/png');
      const body = await file.body();
      expect(sha(body)).toBe(sha(form));
      expect(file.headers()['x-content-sha256']).toBe(sha(form));

      // The search list under the answer links it too.
      await page
        .getByTestId('stamp-entries')
        .getByRole('link', { name: '查看“居住证明”的证明式样' })
        .waitFor();
    });
  });

  it('given the change published, when anyone opens the city list, then the entry links its sample form and the version history names it', async () => {
    moveClockTo(t, '2027-03-01');
    const page = await openAs('committee', '/stamps/lists');
    await withScreenshot(page, 'stamp-sample-form-list', async () => {
      await page.getByTestId('stamp-lists').getByRole('link', { name: CITY_LIST }).click();
      await page.waitForURL(/\/console\/stamps\/lists\/[0-9a-f-]{36}$/);
      const entry = page.getByTestId('stamp-entry-居住证明');
      const link = entry.getByTestId('stamp-entry-sample-form');
      await link.waitFor();
      expect(await link.textContent()).toBe('查看证明式样');
      expect(await link.getAttribute('href')).toMatch(/^\/stamp-sample-forms\/[0-9a-f-]{36}$/);
      await entry.getByText('证明式样由“无”改为“居住证明式样.png”', { exact: false }).waitFor();
    });
  });
});
