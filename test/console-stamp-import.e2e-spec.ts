import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';
import { moveClockTo } from './helpers/clock.js';

const CITY_DOC = '示民发〔2021〕15号';
const HEADER = 'seq,name,list_type,scope,source_document,issued_by,issued,note,time_limit';
/** The demo city list with one row as in force, one changed, one new and three broken rows. */
const FILE = [
  HEADER,
  `1,居住证明,allowed,3399,${CITY_DOC},示范市民政局 示范市司法局,2021-06-15,,3个工作日`,
  `2,生活困难证明,allowed,3399,${CITY_DOC},同上,2021-06-15,,当场`,
  `6,老年人优待证明,allowed,3399,${CITY_DOC},同上,2021-06-15,,当场`,
  `7,,allowed,3399,${CITY_DOC},同上,2021-06-15,,`,
  `8,某某证明,allowed,火星,${CITY_DOC},同上,2021-06-15,,`,
  `9,生活困难证明,allowed,3399,${CITY_DOC},同上,2021-06-15,,当场`,
  '',
].join('\n');

/**
 * The import page of the console (导入清单): the city office uploads a CSV with good and broken rows, sees the
 * per-row report (added, changed with the field, unchanged, rejected with the reason), filters it by outcome and
 * submits the good rows for approval; a committee's deep link answers the missing page.
 */
describe('the stamp-list import page of the console (导入清单)', () => {
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

  it('given the city office, when it uploads a CSV with good and broken rows, then it sees each row’s outcome and reason, filters them, and submits the good ones for approval', async () => {
    const page = await openAs('city-office', '/stamps/imports');
    await withScreenshot(page, 'stamp-import-upload', async () => {
      await page.getByRole('menuitem', { name: '导入清单' }).waitFor();
      await page.locator('#stamp-import-file').setInputFiles({
        name: '示范市清单.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(FILE, 'utf8'),
      });
      const report = page.getByTestId('import-report');
      await report.waitFor();
      await expect(page.getByTestId('upload-progress').textContent()).resolves.toContain('示范市清单.csv');
      await expect(page.getByTestId('import-counts').textContent()).resolves.toMatch(
        /新增 1\s*变更 1\s*无变化 1\s*未通过 3/,
      );
      expect(page.url()).toMatch(/\/console\/stamps\/imports\?id=[0-9a-f-]{36}$/);
      const rows = page.getByTestId('import-rows');
      await expect(
        rows.getByRole('row').filter({ hasText: '生活困难证明' }).first().textContent(),
      ).resolves.toContain('办理时限：5个工作日 → 当场办结');
      await expect(
        rows.getByRole('row').filter({ hasText: '老年人优待证明' }).textContent(),
      ).resolves.toContain('新增事项，自 2027年1月4日 起生效');
      await rows.getByText('“火星”无法识别').waitFor();
      await rows.getByText('证明名称须填写').waitFor();
      await rows.getByText('与第 3 行重复').waitFor();

      // Only the rejected rows, and the address says so (a reload shows the same).
      await page.getByRole('radiogroup', { name: '按结果筛选' }).getByText('未通过 3').click();
      await page.waitForURL(/outcome=rejected/);
      // The filtered page has loaded once the added row has left the table.
      await rows.getByText('老年人优待证明').waitFor({ state: 'detached' });
      await expect(rows.locator('tbody tr').count()).resolves.toBe(3);
      await page.reload();
      await page.getByTestId('import-rows').getByText('“火星”无法识别').waitFor();
      await expect(page.getByTestId('import-rows').locator('tbody tr').count()).resolves.toBe(3);

      // The report as a screen reader and keyboard meet it: no serious or critical axe-core finding (colour
      // contrast left out: Element Plus's default theme colours fail it on every page, a console-wide matter).
      await page.addScriptTag({ path: join(process.cwd(), 'node_modules/axe-core/axe.min.js') });
      const violations = await page.evaluate(async () => {
        /** axe-core's one call this test makes (its script sets `axe` on the page's global object). */
        type AxeRun = (
          context: string,
          options: object,
        ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        const axe = (globalThis as unknown as { axe: { run: AxeRun } }).axe;
        const result = await axe.run('[data-testid="import-report"]', {
          rules: { 'color-contrast': { enabled: false } },
        });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect(violations).toEqual([]);

      await page.getByTestId('propose-import').click();
      await page.getByRole('dialog').getByRole('button', { name: '提交审批' }).click();
      await page.getByTestId('import-proposed').waitFor();
      await expect(page.getByTestId('import-proposed').textContent()).resolves.toContain('等待主要领导审批');
      await expect(page.getByTestId('propose-import').count()).resolves.toBe(0);

      // The office's imports: this one, proposed; its link opens the report again.
      await page.getByRole('link', { name: '← 返回导入记录' }).click();
      const history = page.getByTestId('import-history');
      const row = history.getByRole('row').filter({ hasText: '示范市清单.csv' });
      await expect(row.textContent()).resolves.toContain('已提交审批');
      await expect(row.textContent()).resolves.toContain('1 / 1 / 1 / 3');
      await row.getByRole('link', { name: '示范市清单.csv' }).click();
      await page.getByTestId('import-proposed').waitFor();
    });
    const proposals = await t.dataSource.query(`SELECT state, origin FROM stamp_proposal`);
    expect(proposals).toEqual([{ state: 'proposed', origin: expect.objectContaining({ kind: 'import' }) }]);
  });

  it('given a district office and a list as published (a title, then only 序号 and 证明事项名称), when it fills in what the list says once and uploads the file, then both rows are read as new entries of its district’s list', async () => {
    const page = await openAs('office', '/stamps/imports');
    await withScreenshot(page, 'stamp-import-document', async () => {
      await page.getByTestId('import-document').locator('summary').click();
      await page.getByRole('radio', { name: '保留（可出具）' }).check({ force: true });
      await page.getByLabel('适用范围').fill('339901');
      await page.getByLabel('来源文件').fill('东民发〔2026〕3号 附件《东湖区保留的证明事项清单》');
      await page.getByLabel('发文机关').fill('东湖区民政局');
      await page.getByLabel('发文日期').fill('2026-11');
      await page.locator('#stamp-import-file').setInputFiles({
        name: '东湖区清单.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          '附件 东湖区保留的证明事项清单\n序号,证明事项名称\n1,养犬登记居住证明\n2,临时救助困难情况证明\n',
          'utf8',
        ),
      });
      await page.getByTestId('import-report').waitFor();
      await expect(page.getByTestId('import-counts').textContent()).resolves.toMatch(
        /新增 2\s*变更 0\s*无变化 0\s*未通过 0/,
      );
      await page.getByTestId('import-report').getByText('东湖区保留的证明事项清单').first().waitFor();
      // The report says what was filled in beside the file, and where the table's header was.
      await expect(page.getByTestId('import-document-given').textContent()).resolves.toContain(
        '清单类型：保留（可出具）；适用范围：339901；来源文件：东民发〔2026〕3号 附件《东湖区保留的证明事项清单》；发文机关：东湖区民政局；发文日期：2026-11',
      );
      await expect(page.getByTestId('import-report').textContent()).resolves.toContain('表头在第 2 行');
      // The scope by its name, not its code.
      await expect(page.getByTestId('import-lists').textContent()).resolves.toContain('东湖区');
    });
  });

  it('given a district office, when it uploads the national list, then the report says once why all 20 rows are rejected and what it may import', async () => {
    const page = await openAs('office', '/stamps/imports');
    await withScreenshot(page, 'stamp-import-common-problems', async () => {
      await page.locator('#stamp-import-file').setInputFiles({
        name: 'certificates-prohibited-national-2020.csv',
        mimeType: 'text/csv',
        buffer: readFileSync(join(process.cwd(), 'data/certificates-prohibited-national-2020.csv')),
      });
      await page.getByTestId('import-report').waitFor();
      const common = page.getByTestId('import-common-problems');
      await common.waitFor();
      const text = (await common.textContent()) ?? '';
      expect(text).toContain('全部 20 行的适用范围：适用范围 全国 不在本办公室可提出调整的范围内');
      expect(text).toMatch(/本办公室可提出：\S*东湖区/);
      expect(text).not.toContain('national');
      await expect(common.locator('li').count()).resolves.toBe(1);
    });
  });

  it('given the city office, when its list keeps a certificate the national list prohibits, then the report warns above and beside the row that the prohibition wins', async () => {
    const page = await openAs('city-office', '/stamps/imports');
    await withScreenshot(page, 'stamp-import-still-prohibited', async () => {
      await page.locator('#stamp-import-file').setInputFiles({
        name: '保留清单.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          [HEADER, `1,亲属关系证明,allowed,3399,${CITY_DOC},示范市民政局 示范市司法局,2021-06-15,,`, ''].join(
            '\n',
          ),
        ),
      });
      await page.getByTestId('import-report').waitFor();
      const warning = page.getByTestId('import-still-prohibited');
      await warning.waitFor();
      await expect(warning.textContent()).resolves.toContain(
        '其中 1 行的证明已被同级或更高层级的清单列为不应出具',
      );
      const note = page.getByTestId('import-row-notes');
      await note.waitFor();
      const text = (await note.textContent()) ?? '';
      expect(text).toContain('全国的《');
      expect(text).toContain('已将“亲属关系证明”列为不应出具');
      expect(text).not.toMatch(/[A-Za-z]{3}/);
    });
  });

  it('given a file that is not CSV or XLSX, when it is uploaded, then the page says so in Chinese and shows no report', async () => {
    const page = await openAs('city-office', '/stamps/imports');
    await withScreenshot(page, 'stamp-import-refused', async () => {
      await page.locator('#stamp-import-file').setInputFiles({
        name: '清单.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from(FILE, 'utf8'),
      });
      await page.getByTestId('import-error').getByText('只能导入 CSV').waitFor();
      await expect(page.getByTestId('import-report').count()).resolves.toBe(0);
    });
  });

  it('given a committee, then the menu has no 导入清单 and the deep link answers the missing page', async () => {
    const page = await b.page();
    page.setDefaultTimeout(30_000);
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill('committee');
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/login'));
    await withScreenshot(page, 'stamp-import-committee', async () => {
      await page.getByRole('menuitem', { name: '个人信息' }).waitFor();
      await expect(page.getByRole('menuitem', { name: '导入清单' }).count()).resolves.toBe(0);
      await page.goto(`${base}/console/stamps/imports`);
      await page.getByText('页面不存在').first().waitFor();
    });
  });
});
