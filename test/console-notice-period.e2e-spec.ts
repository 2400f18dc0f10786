import type { Page } from 'playwright-core';
import { admitApplication, makeApplication, submitApplication } from './helpers/admission.js';
import { inboxOf } from './helpers/cases.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/** A browser test walks several pages, each waiting for the API: more than Jest's default minute on a busy machine. */
const BROWSER_TEST_MS = 120_000;

/**
 * The notice period of an admitted item in the console (派单提前期（工作日）): the department sets it on its
 * application form (a number outside 1–30 is refused beside the field), the office sees it on the review page,
 * and the item's public page and the committee's item page show it (none: 3 working days, the default).
 */
describe('the notice period (派单提前期) in a real browser', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const unit: Record<string, string> = {};
  const XINGHUA = '339901001001';
  const auth = async (username: string) => ({ Authorization: `Bearer ${await t.token(username)}` });

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  async function openAs(username: string, path: string): Promise<Page> {
    const page = await b.page();
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}/console/inbox`);
    await page.goto(`${base}/console${path}`);
    return page;
  }

  it(
    'given a draft, when the department types 40 then 10 working days, then 40 is refused beside the field and 10 is saved and shown again',
    async () => {
      const created = await t
        .http()
        .post('/applications')
        .set(await auth('dept-staff'))
        .send(makeApplication([unit[XINGHUA]], { title: '提前期：浏览器草稿' }));
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const page = await openAs('dept-staff', `/my-applications/${id}`);
      await withScreenshot(page, 'notice-period-form', async () => {
        // The draft read first: typed before it arrives, the 40 was overwritten by the stored value (none), saved
        // without a problem, and the error waited for in vain.
        await page.getByTestId('application-status').waitFor();
        const input = page.getByLabel('派单提前期（工作日）');
        await expect(input.inputValue()).resolves.toBe('');
        await input.fill('40');
        await page.getByTestId('save').click();
        const field = page.getByTestId('field-noticeWorkingDays');
        await field.locator('.el-form-item__error').waitFor();
        await expect(field.locator('.el-form-item__error').textContent()).resolves.toContain(
          '派单提前期（工作日）最多 30 个工作日',
        );
        const stored = async () =>
          (
            await t
              .http()
              .get(`/applications/${id}`)
              .set(await auth('dept-staff'))
          ).body.noticeWorkingDays;
        expect(await stored()).toBeNull();

        await input.fill('10');
        // The save's answer itself (its 已保存 notice fades after a few seconds: on a busy machine it may be gone).
        const saved = page.waitForResponse(
          (r) => r.url().endsWith(`/applications/${id}`) && r.request().method() === 'PATCH',
        );
        await page.getByTestId('save').click();
        expect((await saved).status()).toBe(200);
        await field.locator('.el-form-item__error').waitFor({ state: 'detached' });
        expect(await stored()).toBe(10);
        await page.reload();
        await page.getByTestId('application-status').waitFor();
        await expect(page.getByLabel('派单提前期（工作日）').inputValue()).resolves.toBe('10');
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given an item admitted with 10 working days and one without, then the office’s review page, the public item page and the committee’s item page show 10 working days, and the default for the other',
    async () => {
      const noFunding = { fundingPerCommunityFen: 0, fundingSource: undefined };
      const ten = await admitApplication(
        t,
        makeApplication([unit[XINGHUA]], {
          ...noFunding,
          title: '提前期：十个工作日',
          noticeWorkingDays: 10,
        }),
      );
      const none = await admitApplication(
        t,
        makeApplication([unit[XINGHUA]], { ...noFunding, title: '提前期：默认' }),
      );
      const office = await openAs('office', `/office/applications/${ten.applicationId}`);
      await withScreenshot(office, 'notice-period-office', async () => {
        await expect(office.getByTestId('application-notice').textContent()).resolves.toBe('10 个工作日');
      });
      const pub = await b.page();
      await withScreenshot(pub, 'notice-period-public', async () => {
        await pub.goto(`${base}/console/register/items/${ten.itemId}`);
        await expect(pub.getByTestId('item-notice').textContent()).resolves.toBe('10 个工作日');
        await pub.goto(`${base}/console/register/items/${none.itemId}`);
        await expect(pub.getByTestId('item-notice').textContent()).resolves.toBe('3 个工作日（默认）');
      });
      // The reviewer of an application that leaves it empty reads the default on the task page.
      const pending = await submitApplication(
        t,
        makeApplication([unit[XINGHUA]], { ...noFunding, title: '提前期：待审默认' }),
      );
      const task = (await inboxOf(t, 'dept-head')).find((x) => x.instanceId === pending.instanceId)!;
      const head = await openAs('dept-head', `/tasks/${task.id}`);
      await withScreenshot(head, 'notice-period-task', async () => {
        await expect(head.getByTestId('application').textContent()).resolves.toContain('3 个工作日（默认）');
      });
      const committee = await openAs('committee', `/committee/items/${ten.itemId}`);
      await withScreenshot(committee, 'notice-period-committee', async () => {
        await expect(committee.getByTestId('committee-item-notice').textContent()).resolves.toBe(
          '10 个工作日',
        );
      });
    },
    BROWSER_TEST_MS,
  );
});
