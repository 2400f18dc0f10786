import type { Page } from 'playwright-core';
import { admitApplication, makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { chooseOption, startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/** A browser test walks many pages, each waiting for the API: more than Jest's default minute on a busy machine. */
const BROWSER_TEST_MS = 120_000;

/** A tiny but real PDF (the attachment route checks the file's first bytes against its declared type). */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/**
 * The department's pages of the console (职能部门): my applications with their state, the application form
 * (准入审批表) from draft to submission with every problem beside its field, attachments, the returned
 * application with its deficiencies and what the correction changed, the printable form, and the funding
 * transfers to register — driven in Debian's Chromium by the demo users.
 */
describe('the department’s pages in a real browser (职能部门)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const unit: Record<string, string> = {};
  const XINGHUA = '339901001001';

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

  const auth = async (username: string) => ({ Authorization: `Bearer ${await t.token(username)}` });

  async function logIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}/console/inbox`);
  }

  /** Types a day into an Element Plus date picker the way a clerk would (2027年6月1日) and leaves it. */
  async function typeDay(page: Page, label: string, day: string): Promise<void> {
    const [y, m, d] = day.split('-').map(Number);
    const input = page.getByLabel(label, { exact: true });
    await input.fill(`${y}年${m}月${d}日`);
    await input.press('Enter');
  }

  it('given a returned application, when the department changes a field, then the application answers what the correction changed against what was submitted, until it is resubmitted', async () => {
    const h = await auth('dept-staff');
    const { applicationId, instanceId } = await submitApplication(t, makeApplication([unit[XINGHUA]]));
    expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(200);
    const get = async () => (await t.http().get(`/applications/${applicationId}`).set(h)).body;
    expect((await get()).pendingChanges).toBeNull();
    const returned = await act(t, 'office', instanceId, 'completeness', {
      decision: 'return',
      form: { deficiencies: [{ field: 'contactPhone', problem: '联系电话不完整' }] },
    });
    expect(returned.status).toBe(200);
    expect((await get()).pendingChanges).toEqual({});
    const before = await get();
    const patched = await t
      .http()
      .patch(`/applications/${applicationId}`)
      .set(h)
      .send({ version: before.version, contactPhone: '0571-88886666', supportOffered: '培训一次' });
    expect(patched.status).toBe(200);
    const changes = {
      contactPhone: { before: '0571-88888888', after: '0571-88886666' },
      supportOffered: { before: null, after: '培训一次' },
    };
    expect(patched.body.pendingChanges).toEqual(changes);
    // The list reads the same rows another way: the same answer.
    const list = await t.http().get('/applications').query({ pageSize: 200 }).set(h);
    const listed = list.body.items.find((x: { id: string }) => x.id === applicationId);
    expect(listed.pendingChanges).toEqual(changes);
    // Its days as the single read gives them (YYYY-MM-DD), not as instants.
    expect([listed.startDate, listed.endDate]).toEqual(['2027-06-01', '2027-12-31']);
    // An emptied field counts too.
    const emptied = await t
      .http()
      .patch(`/applications/${applicationId}`)
      .set(h)
      .send({ version: patched.body.version, supportOffered: null });
    expect(emptied.body.pendingChanges).toEqual({ contactPhone: changes.contactPhone });
    const resubmitted = await t.http().post(`/applications/${applicationId}/submit`).set(h).send({});
    expect(resubmitted.status).toBe(200);
    expect(resubmitted.body.pendingChanges).toBeNull();
    expect(resubmitted.body.changesSinceSubmission).toEqual({ contactPhone: changes.contactPhone });
  });

  it(
    'given dept-staff, when it drafts an application in the browser, submits it with a field missing, fixes it, attaches a file and submits; the office returns it; then it sees the deficiencies, corrects and resubmits in the browser',
    async () => {
      const TITLE = '社区健康档案入户核查';
      const area = (
        await t.dataSource.query(`SELECT name_zh FROM statutory_area WHERE code = 'public_health'`)
      )[0].name_zh as string;
      const page = await b.page();
      await withScreenshot(page, 'department-application', async () => {
        await logIn(page, 'dept-staff');
        await page.getByRole('menuitem', { name: '本单位申请' }).click();
        await page.waitForURL(`${base}/console/my-applications`);
        await page.getByTestId('new-application').click();
        await page.waitForURL(`${base}/console/my-applications/new`);

        // A draft may be incomplete: a title is enough to save it.
        await page.getByLabel('事项名称').fill(TITLE);
        await page.getByTestId('save').click();
        await page.waitForURL(/\/console\/my-applications\/[0-9a-f-]{36}$/);
        const applicationId = page.url().split('/').pop()!;
        await expect(page.getByTestId('application-status').textContent()).resolves.toContain('草稿');

        await chooseOption(page, page.getByTestId('field-kind').locator('.el-select'), '工作任务');
        await page.getByLabel('事项内容').fill('对辖区慢病患者健康档案入户核查。');
        await chooseOption(page, page.getByTestId('field-statutoryArea').locator('.el-select'), area);
        await page.getByLabel('法律依据文件').fill('国卫基层发〔2025〕1号');
        await page.getByLabel('法律依据条款').fill('第三条');
        await page.getByTestId('field-targetScope').getByText('指定社区').click();
        await page.getByTestId('field-targetCommunityIds').locator('.el-select').click();
        await page.keyboard.type('杏花');
        await chooseOption(
          page,
          page.getByTestId('field-targetCommunityIds').locator('.el-select'),
          '杏花社区',
        );
        await page.keyboard.press('Escape');
        await page.getByLabel('授权内容').fill('入户核查、登记');
        await page.getByLabel('工作对象').fill('慢病患者');
        await page.getByLabel('授予的权限').fill('登记');
        await typeDay(page, '开始日期', '2027-06-01');
        await typeDay(page, '结束日期', '2027-12-31');
        await page.getByLabel('每月工作量（小时）').fill('4');
        await page.getByLabel('工作频次').fill('每月一次');
        // An amount as clerks type it: full-width digits and point (a Chinese input method) are digits; commas
        // only as thousands separators; no sign.
        const funding = page.getByLabel('每个社区经费（元）');
        const preview = page.getByTestId('funding-preview');
        for (const [typed, shown] of [
          ['３０００．０５', '3,000.05 元'],
          ['1，234，567', '1,234,567.00 元'],
          ['30,00', null],
          ['3,0000', null],
          ['-150', null],
          ['3000.005', null],
          ['3,000.05', '3,000.05 元'],
          ['3000.05', '3,000.05 元'],
        ] as const) {
          await funding.fill(typed);
          if (shown) await expect(preview.textContent()).resolves.toBe(shown);
          else await expect(preview.count()).resolves.toBe(0);
        }
        await page.getByLabel('经费来源').fill('区财政专项');
        await page.getByLabel('联系人').fill('张卫');
        // 联系电话 left empty: the submission lists it beside its field.
        await page.getByTestId('submit').click();
        // The save's own 已保存 notice may still be showing: wait for the submission's answer itself.
        await page.getByRole('alert').filter({ hasText: '申请表尚不完整' }).first().waitFor();
        await page.getByTestId('field-contactPhone').getByText('请填写联系电话').waitFor();
        await expect(page.getByTestId('field-title').locator('.el-form-item__error').count()).resolves.toBe(
          0,
        );
        // What was typed is saved (the submission saves first), the amount fen exact.
        const saved = (
          await t
            .http()
            .get(`/applications/${applicationId}`)
            .set(await auth('dept-staff'))
        ).body;
        expect(saved).toMatchObject({
          status: 'draft',
          fundingPerCommunityFen: '300005',
          startDate: '2027-06-01',
          endDate: '2027-12-31',
          targetCommunityIds: [unit[XINGHUA]],
        });

        await page.getByLabel('联系电话').fill('0571-88888888');
        await page.locator('#attachment-file').setInputFiles({
          name: '政策依据.pdf',
          mimeType: 'application/pdf',
          buffer: PDF,
        });
        await page.getByTestId('attachments').getByText('政策依据.pdf').waitFor();
        await expect(page.getByTestId('upload-progress').textContent()).resolves.toContain('政策依据.pdf');
        await expect(
          page.getByTestId('upload-progress').getByRole('progressbar').getAttribute('aria-valuenow'),
        ).resolves.toBe('100');
        // The file comes back as it went.
        const download = page.waitForEvent('download');
        await page.getByTestId('attachments').getByRole('button', { name: '下载' }).click();
        const file = await download;
        expect(file.suggestedFilename()).toBe('政策依据.pdf');

        await page.getByTestId('submit').click();
        await page.getByTestId('application-status').filter({ hasText: '审核中' }).waitFor();
        // The message fades out (Element Plus's leave transition) once the submission clears it: it goes.
        await page
          .getByTestId('field-contactPhone')
          .locator('.el-form-item__error')
          .waitFor({ state: 'detached', timeout: 5_000 });

        // The list shows it with its state.
        await page.getByRole('link', { name: '← 返回本单位申请' }).click();
        const row = page.getByRole('row').filter({ hasText: TITLE });
        await expect(row.getByTestId('application-status').textContent()).resolves.toBe('审核中');
        // … and where it stands: the department head's step, not yet taken, with a link to its progress.
        const steps = row.getByTestId('application-steps');
        await expect(steps.textContent()).resolves.toMatch(/当前环节：\S+（待认领）/);
        await steps.getByRole('link', { name: '办理进度' }).waitFor();

        // The department head approves and the office returns it (their pages are tested elsewhere).
        const instanceId = (
          await t
            .http()
            .get(`/applications/${applicationId}`)
            .set(await auth('dept-staff'))
        ).body.instanceId;
        expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(
          200,
        );
        const ret = await act(t, 'office', instanceId, 'completeness', {
          decision: 'return',
          comment: '请一次补正',
          form: {
            deficiencies: [
              { field: 'legalBasisArticle', problem: '法律依据条款与事项内容不符，请核对' },
              { problem: '请补充实施方案' },
            ],
          },
        });
        expect(ret.status).toBe(200);

        await page.reload();
        await expect(row.getByTestId('application-status').textContent()).resolves.toBe('退回补正');
        await row.getByTestId('application-title').click();
        await page.getByTestId('returned').waitFor();
        await expect(page.getByTestId('returned').textContent()).resolves.toContain('完整性审查');
        const deficiencies = page.getByTestId('deficiencies');
        await expect(deficiencies.textContent()).resolves.toContain(
          '法律依据条款：法律依据条款与事项内容不符，请核对',
        );
        await expect(deficiencies.textContent()).resolves.toContain('请补充实施方案');
        // Beside its field too.
        await expect(page.getByTestId('field-legalBasisArticle').textContent()).resolves.toContain(
          '退回问题：法律依据条款与事项内容不符',
        );

        await page.getByLabel('法律依据条款').fill('第五条');
        await page.getByTestId('save').click();
        const changes = page.getByTestId('changes');
        await changes.waitFor();
        await expect(changes.textContent()).resolves.toContain('法律依据条款');
        await expect(changes.textContent()).resolves.toContain('第三条');
        await expect(changes.textContent()).resolves.toContain('第五条');

        await page.getByLabel('提交说明（可不填）').fill('已按退回意见补正法律依据条款');
        await page.getByTestId('submit').click();
        await page.getByTestId('application-status').filter({ hasText: '审核中' }).waitFor();
        await expect(page.getByTestId('returned').count()).resolves.toBe(0);
        const after = (
          await t
            .http()
            .get(`/applications/${applicationId}`)
            .set(await auth('office'))
        ).body;
        expect(after).toMatchObject({ status: 'in_review', deficiencies: [], legalBasisArticle: '第五条' });
        expect(after.changesSinceSubmission).toEqual({
          legalBasisArticle: { before: '第三条', after: '第五条' },
        });
      });
    },
    2 * BROWSER_TEST_MS,
  );

  it(
    'given a new draft, when dept-staff saves it, clears a picker, uploads a file that fails and one that is slow, then each save works, the buttons wait for the upload and leaving with unsaved changes asks first',
    async () => {
      const TITLE = '社区老年人助餐需求摸底';
      const page = await b.page();
      await withScreenshot(page, 'department-draft-edits', async () => {
        await logIn(page, 'dept-staff');
        await page.goto(`${base}/console/my-applications/new`);
        await page.getByLabel('事项名称').fill(TITLE);
        await chooseOption(page, page.getByTestId('field-kind').locator('.el-select'), '工作任务');
        await typeDay(page, '开始日期', '2027-06-01');
        await page.getByTestId('save').click();
        await page.waitForURL(/\/console\/my-applications\/[0-9a-f-]{36}$/);
        const applicationId = page.url().split('/').pop()!;
        const get = async () =>
          (
            await t
              .http()
              .get(`/applications/${applicationId}`)
              .set(await auth('dept-staff'))
          ).body;
        await expect(get()).resolves.toMatchObject({ title: TITLE, kind: 'task', startDate: '2027-06-01' });

        // A cleared select is undefined, a cleared date null: the draft still saves, with both emptied.
        await page.getByTestId('field-kind').locator('.el-select').hover();
        await page.getByTestId('field-kind').locator('.el-select__clear').click();
        const start = page.getByLabel('开始日期', { exact: true });
        await start.fill('');
        await start.press('Enter');
        const unsaved = page.getByText('有未保存的修改');
        await unsaved.waitFor();
        await page.getByTestId('save').click();
        await unsaved.waitFor({ state: 'hidden' });
        await expect(get()).resolves.toMatchObject({ title: TITLE, kind: null, startDate: null });

        // Unsaved changes after the address moved from new to the id: leaving still asks, and so does the tab.
        await page.getByLabel('事项名称').fill(`${TITLE}（修改）`);
        await expect(
          page.evaluate(() => {
            const ev = new Event('beforeunload', { cancelable: true });
            (globalThis as unknown as EventTarget).dispatchEvent(ev); // the page's window
            return ev.defaultPrevented;
          }),
        ).resolves.toBe(true);
        await page.getByRole('link', { name: '← 返回本单位申请' }).click();
        const ask = page.getByRole('dialog').filter({ hasText: '未保存的修改' });
        await ask.getByRole('button', { name: '留在此页' }).click();
        await ask.waitFor({ state: 'hidden' });
        expect(page.url()).toBe(`${base}/console/my-applications/${applicationId}`);

        // An upload the network drops: said so, the bar stops, the buttons come back.
        const attachmentsRoute = `**/applications/${applicationId}/attachments`;
        await page.route(attachmentsRoute, (route) =>
          route.request().method() === 'POST' ? route.abort('connectionreset') : route.continue(),
        );
        const file = { name: '实施方案.pdf', mimeType: 'application/pdf', buffer: PDF };
        await page.locator('#attachment-file').setInputFiles(file);
        await page.getByRole('alert').filter({ hasText: '网络连接失败' }).waitFor();
        await page.getByTestId('upload-progress').locator('.el-progress.is-exception').waitFor();
        await expect(page.getByTestId('save').isEnabled()).resolves.toBe(true);
        await page.unroute(attachmentsRoute);

        // A slow upload: saving and submitting wait for it.
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let arrived!: () => void;
        const posted = new Promise<void>((resolve) => (arrived = resolve));
        await page.route(attachmentsRoute, async (route) => {
          if (route.request().method() !== 'POST') return route.continue();
          arrived();
          await held;
          await route.continue();
        });
        await page.locator('#attachment-file').setInputFiles(file);
        await posted;
        await expect(page.getByTestId('save').isDisabled()).resolves.toBe(true);
        await expect(page.getByTestId('submit').isDisabled()).resolves.toBe(true);
        release();
        await page.getByTestId('attachments').getByText('实施方案.pdf').waitFor();
        await expect(page.getByTestId('save').isEnabled()).resolves.toBe(true);
        await page.unroute(attachmentsRoute);
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given another unit’s application, when dept-staff opens it by its address, then the page is the same as for a missing one',
    async () => {
      const other = await t
        .http()
        .post('/applications')
        .set(await auth('dept2-staff'))
        .send({ title: '住建委的草稿' });
      expect(other.status).toBe(201);
      const page = await b.page();
      await withScreenshot(page, 'department-foreign-application', async () => {
        await logIn(page, 'dept-staff');
        await page.goto(`${base}/console/my-applications/${other.body.id}`);
        await page.getByTestId('not-found').waitFor();
        const foreign = await page.locator('main').innerText();
        await page.goto(`${base}/console/my-applications/00000000-0000-4000-8000-000000000000`);
        await page.getByTestId('not-found').waitFor();
        expect(await page.locator('main').innerText()).toBe(foreign);
        expect(foreign).not.toContain('住建委的草稿');
        await page.goto(`${base}/console/my-applications/not-a-uuid`);
        await page.getByTestId('not-found').waitFor();
        expect(await page.locator('main').innerText()).toBe(foreign);
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given a submitted application, when dept-staff asks for the printable form, then it opens in a new tab with the application on it',
    async () => {
      const TITLE = '社区疫苗接种情况摸排';
      const { applicationId } = await submitApplication(
        t,
        makeApplication([unit[XINGHUA]], { title: TITLE }),
      );
      const page = await b.page();
      await withScreenshot(page, 'department-printable-form', async () => {
        await logIn(page, 'dept-staff');
        await page.goto(`${base}/console/my-applications/${applicationId}`);
        await page.getByTestId('application-heading').filter({ hasText: TITLE }).waitFor();
        // Not editable once submitted.
        await expect(page.getByTestId('submit').count()).resolves.toBe(0);
        await expect(page.getByLabel('事项名称').isDisabled()).resolves.toBe(true);
        const popup = page.waitForEvent('popup');
        await page.getByTestId('print').click();
        const form = await popup;
        await form.waitForLoadState();
        await expect(form.content()).resolves.toContain(TITLE);
        await expect(form.content()).resolves.toContain('社区工作准入审批表');
        // Shown from a blob: address on the console's origin, it keeps the server's policy (no script runs).
        await expect(
          form.locator('head meta[http-equiv="Content-Security-Policy"]').getAttribute('content'),
        ).resolves.toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
        const printUrl = form.url();
        expect(printUrl).toMatch(/^blob:/);
        // Leaving the page lets go of the blob (not only when the tab closes).
        await page.getByRole('link', { name: '← 返回本单位申请' }).click();
        await page.waitForURL(`${base}/console/my-applications`);
        await expect(
          page.evaluate(async (url) => {
            try {
              await fetch(url);
              return 'kept';
            } catch {
              return 'revoked';
            }
          }, printUrl),
        ).resolves.toBe('revoked');
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given a signed item with funding, when dept-staff registers the transfer for its community, then it waits for finance’s confirmation',
    async () => {
      const TITLE = '社区心理健康服务站建设';
      const { itemId } = await admitApplication(
        t,
        makeApplication([unit[XINGHUA]], { title: TITLE, fundingPerCommunityFen: 123456 }),
      );
      const page = await b.page();
      await withScreenshot(page, 'department-funding', async () => {
        await logIn(page, 'dept-staff');
        await page.getByRole('menuitem', { name: '经费划转' }).click();
        await page.waitForURL(`${base}/console/my-funding`);
        const row = page.getByTestId('funding-dues').getByRole('row').filter({ hasText: TITLE });
        await expect(row.textContent()).resolves.toContain('1,234.56 元');
        await expect(row.textContent()).resolves.toContain('待部门登记拨付');
        // The deadline is an instant: its day and time (China time), not only a day.
        await expect(row.textContent()).resolves.toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
        await row.getByRole('button', { name: '登记划转' }).click();
        const dialog = page.getByRole('dialog');
        await expect(dialog.getByLabel('划转金额（元）').inputValue()).resolves.toBe('1234.56');
        // Missing account: the API's words beside the field.
        await dialog.getByLabel('划转凭证号').fill('GK-2027-001');
        await dialog.getByRole('button', { name: '确认登记' }).click();
        await dialog.getByRole('alert').first().waitFor();
        await dialog
          .locator('.el-form-item', { hasText: '社区专账账户' })
          .locator('.el-form-item__error')
          .waitFor();
        await dialog.getByLabel('社区专账账户').fill('杏花社区财务专账 001');
        await dialog.getByRole('button', { name: '确认登记' }).click();
        await page.getByText('已登记，待财政确认').waitFor();
        await expect(
          page
            .getByTestId('funding-transfers')
            .getByRole('row')
            .filter({ hasText: 'GK-2027-001' })
            .textContent(),
        ).resolves.toContain('待确认到账');
      });
      const transfers = (
        await t
          .http()
          .get('/funding-transfers')
          .set(await auth('finance'))
      ).body.items;
      expect(transfers.find((x: { itemId: string }) => x.itemId === itemId)).toMatchObject({
        amountFen: 123456,
        account: '杏花社区财务专账 001',
        reference: 'GK-2027-001',
        state: 'awaiting',
      });
    },
    BROWSER_TEST_MS,
  );
});
