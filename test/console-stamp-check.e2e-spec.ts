import type { Page } from 'playwright-core';
import { AuditService } from '../src/audit/audit.service.js';
import { Clock } from '../src/common/clock.js';
import { publishStampList } from '../src/stamps/stamp-lists.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { moveClockTo } from './helpers/clock.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * The public stamp check page (盖章证明事项查询, issue 13 §3 and §8) in a real browser, on a phone (375 px) and
 * without logging in: allowed with its service guide, prohibited citing the list and the allowance it overrides,
 * not listed with the legal-basis message and the closest certificates as suggestions one taps to ask again; and
 * the search list of entries.
 */
describe('the public stamp check page (盖章证明事项查询)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp();
    moveClockTo(t, '2027-01-04');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    // 东湖区 (339901) once allowed dog-keeping certificates; the national prohibition (2020) overrides it.
    await t.dataSource.transaction((m) =>
      publishStampList(
        m,
        new AuditService(t.dataSource, t.app.get(Clock)),
        {},
        {
          title: '东湖区社区证明事项清单（2016年版）',
          documentNumber: '东民〔2016〕8号',
          issuedBy: '东湖区民政局',
          issuedOn: '2016-05-01',
          listType: 'allowed',
          scopeCode: '339901',
          effectiveFrom: '2016-06-01',
          entries: [
            { name: '居民养犬证明', legalBasis: '东民〔2016〕8号第3项', timeLimit: { kind: 'on-the-spot' } },
          ],
        },
      ),
    );
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  /** Nothing on the page is wider than the screen (no sideways scrolling). */
  async function noSidewaysScroll(page: Page): Promise<void> {
    const [scroll, client] = (await page.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as [number, number];
    expect(scroll).toBeLessThanOrEqual(client);
  }

  const decision = (page: Page) => page.getByTestId('stamp-decision').textContent();

  it('given a phone without login, when a resident asks from the login page’s link for a certificate in her community, then the page answers 可以开具 with the legal basis, purpose, procedure and time limit', async () => {
    const page = await b.page({ width: 375, height: 667 });
    await withScreenshot(page, 'stamp-check-allowed', async () => {
      await page.goto(`${base}/console/login`);
      await page.getByRole('link', { name: '社区能否盖章出具证明' }).click();
      await page.waitForURL(`${base}/console/stamps/check`);
      // The search list shows the lists' entries before anything is typed.
      await page.getByTestId('stamp-entries').getByText('居民养犬证明', { exact: true }).first().waitFor();
      await page.getByLabel('证明名称').fill('开个居住证明');
      await page.getByLabel('所在社区（可不选）').click();
      await page.getByLabel('所在社区（可不选）').fill('杏花');
      // The list first shown is replaced by the search's answer: the option is clicked once only 杏花 is listed,
      // and the choice is seen in the field before asking.
      await page
        .locator('.el-select-dropdown__item:visible')
        .filter({ hasNotText: '杏花' })
        .first()
        .waitFor({ state: 'detached' });
      await page.getByRole('option', { name: /杏花社区/ }).click();
      await page.locator('.el-select__placeholder:not(.is-transparent)', { hasText: '杏花社区' }).waitFor();
      await page.getByRole('button', { name: '查询' }).click();
      await page.waitForURL(/name=.*community=339901001001/);
      await expect(decision(page)).resolves.toBe('可以开具');
      const answer = page.getByTestId('stamp-answer');
      await expect(answer.textContent()).resolves.toContain('杏花社区');
      await expect(page.getByTestId('stamp-legal-basis').textContent()).resolves.toContain(
        '《居住证暂行条例》',
      );
      await expect(page.getByTestId('stamp-source').textContent()).resolves.toContain(
        '示范市《示范市社区居民委员会出具证明事项保留清单》（示民发〔2021〕15号）',
      );
      await expect(page.getByTestId('stamp-purpose').textContent()).resolves.toContain('申领居住证');
      await expect(page.getByTestId('stamp-procedure').textContent()).resolves.toContain('出具证明并登记');
      await expect(page.getByTestId('stamp-time-limit').textContent()).resolves.toBe('3个工作日内办结');
      await noSidewaysScroll(page);
    });
  });

  it('given the colloquial name of a nationally prohibited certificate that the district once allowed, then the page answers 不应开具, citing 民发〔2020〕20号 and the overridden district entry', async () => {
    const page = await b.page({ width: 375, height: 667 });
    await withScreenshot(page, 'stamp-check-prohibited', async () => {
      await page.goto(`${base}/console/stamps/check?community=339901001001`);
      await page.getByLabel('证明名称').fill('养狗证明');
      await page.getByRole('button', { name: '查询' }).click();
      await expect(decision(page)).resolves.toBe('不应开具');
      await expect(page.getByTestId('stamp-item-name').textContent()).resolves.toBe('居民养犬证明');
      await expect(page.getByTestId('stamp-source').textContent()).resolves.toContain('（民发〔2020〕20号）');
      await expect(page.getByTestId('stamp-message').textContent()).resolves.toMatch(
        /^社区居委会不应出具“居民养犬证明”/,
      );
      const overridden = await page.getByTestId('stamp-overridden').textContent();
      expect(overridden).toContain('东湖区社区证明事项清单（2016年版）');
      expect(overridden).toContain('被禁止开具的规定覆盖');
      // The search list under the answer holds the prohibited entry, marked so.
      await expect(page.getByTestId('stamp-entries').textContent()).resolves.toContain('不应开具');
      await noSidewaysScroll(page);
    });
  });

  it('given a committee logged in, then the check asks about its own community (杏花社区) unless it clears the choice', async () => {
    const page = await b.page();
    await withScreenshot(page, 'stamp-check-own-community', async () => {
      await page.goto(`${base}/console/login?redirect=${encodeURIComponent('/committee/stamp-log')}`);
      await page.getByLabel('用户名').fill('committee');
      await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
      await page.getByRole('button', { name: '登录' }).click();
      // From its stamp log, where a committee is when a resident asks for a certificate.
      await page.getByTestId('stamp-check-link').click();
      await page.waitForURL(`${base}/console/stamps/check`);
      await expect(page.locator('#stamp-community').inputValue()).resolves.toBe('');
      await page
        .locator('.el-select', { has: page.locator('#stamp-community') })
        .getByText('杏花社区')
        .waitFor();
      await page.getByLabel('证明名称').fill('养狗证明');
      await page.getByRole('button', { name: '查询' }).click();
      await page.waitForURL((u) => u.searchParams.get('community') === '339901001001');
      await expect(page.getByTestId('stamp-answer').locator('.where').textContent()).resolves.toContain(
        '杏花社区',
      );
      // Cleared: the national lists answer, and the address keeps it cleared.
      const select = page.locator('.el-select', { has: page.locator('#stamp-community') });
      await select.hover();
      await select.locator('.el-select__clear').click();
      await page.getByRole('button', { name: '查询' }).click();
      await page.waitForURL((u) => u.searchParams.get('community') === '');
      // The new answer comes after the address changes: wait for it (read at once, the old one was still shown).
      const where = page.getByTestId('stamp-answer').locator('.where');
      await where.filter({ hasText: '全国清单（未选社区）' }).waitFor();
      await expect(where.textContent()).resolves.toContain('全国清单（未选社区）');
    });
  });

  it('given a name no list holds clearly, then the page answers 未列入清单 with the legal-basis rule and the closest certificates; tapping one asks for it', async () => {
    const page = await b.page({ width: 375, height: 667 });
    await withScreenshot(page, 'stamp-check-not-listed', async () => {
      await page.goto(`${base}/console/stamps/check`);
      await page.getByLabel('证明名称').fill('户口变更证明');
      await page.getByRole('button', { name: '查询' }).click();
      await expect(decision(page)).resolves.toBe('未列入清单');
      const message = await page.getByTestId('stamp-message').textContent();
      expect(message).toContain('民发〔2020〕20号');
      expect(message).toContain('没有明确法律依据');
      await expect(page.getByTestId('stamp-answer').textContent()).resolves.toContain('全国清单（未选社区）');
      await noSidewaysScroll(page);
      await page.getByTestId('stamp-candidate').filter({ hasText: '户口登记项目内容变更申请证明' }).click();
      await page.waitForURL(/name=%E6%88%B7%E5%8F%A3%E7%99%BB%E8%AE%B0/);
      await expect(page.getByLabel('证明名称').inputValue()).resolves.toBe('户口登记项目内容变更申请证明');
      await page.getByTestId('stamp-item-name').filter({ hasText: '户口登记项目内容变更申请证明' }).waitFor();
      await expect(decision(page)).resolves.toBe('不应开具');
    });
  });

  it('given no token, then GET /stamp-items/communities finds communities by a part of their name, paged with a total, with street and district; a name over 50 characters answers 400', async () => {
    const res = await t.http().get('/stamp-items/communities').query({ name: '杏花' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 1, page: 1 });
    expect(res.body.items).toEqual([
      expect.objectContaining({
        code: '339901001001',
        name: '杏花社区',
        street: '东华街道',
        district: '东湖区',
      }),
    ]);
    const all = await t.http().get('/stamp-items/communities').query({ pageSize: 1 });
    expect(all.body.total).toBeGreaterThan(1);
    expect(all.body.items).toHaveLength(1);
    const long = await t
      .http()
      .get('/stamp-items/communities')
      .query({ name: '社'.repeat(51) });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('VALIDATION_FAILED');
  });
});
