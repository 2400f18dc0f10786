import type { Page } from 'playwright-core';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/** A browser test walks many pages, each waiting for the API: more than Jest's default minute on a busy machine. */
const BROWSER_TEST_MS = 120_000;

/** A tiny but real PDF (the attachment route checks the file's first bytes against its declared type). */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/**
 * The department's application page (准入审批表) in a real browser: 撤回申请 with its confirmation and reason —
 * of a returned application and of one under review, a refusal shown in the dialog — and 删除 of an attachment,
 * asked first, offered only while the application may be changed.
 */
describe('withdrawing an application and removing an attachment in a real browser (职能部门)', () => {
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
  const get = async (id: string) =>
    (
      await t
        .http()
        .get(`/applications/${id}`)
        .set(await auth('dept-staff'))
    ).body;

  async function logIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    // Each lands on its first page: the inbox, or for the auditor its trail.
    await page.waitForURL((url) => url.pathname !== '/console/login');
  }

  it(
    'given a returned application, when dept-staff withdraws it in the browser, then the dialog asks for a reason, and the application shows 已撤回 with it and can no longer be changed',
    async () => {
      const TITLE = '社区居家养老服务需求登记';
      const { applicationId, instanceId } = await submitApplication(
        t,
        makeApplication([unit[XINGHUA]], { title: TITLE }),
      );
      expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(
        200,
      );
      const ret = await act(t, 'office', instanceId, 'completeness', {
        decision: 'return',
        form: { deficiencies: [{ field: 'contactPhone', problem: '联系电话不完整' }] },
      });
      expect(ret.status).toBe(200);
      const page = await b.page();
      await withScreenshot(page, 'department-withdraw-returned', async () => {
        await logIn(page, 'dept-staff');
        await page.goto(`${base}/console/my-applications/${applicationId}`);
        await page.getByTestId('returned').waitFor();

        // Asked first; 取消 changes nothing.
        await page.getByTestId('withdraw').click();
        const dialog = page.getByRole('dialog', { name: '撤回申请' });
        await expect(dialog.textContent()).resolves.toContain('审批流程即行结束');
        await dialog.getByRole('button', { name: '取消' }).click();
        await dialog.waitFor({ state: 'hidden' });
        expect((await get(applicationId)).status).toBe('returned');

        // Without a reason: said beside the field, nothing sent.
        await page.getByTestId('withdraw').click();
        await dialog.getByTestId('confirm-withdraw').click();
        await dialog.getByText('请写明撤回原因').waitFor();
        expect((await get(applicationId)).status).toBe('returned');

        await dialog.getByLabel('撤回原因').fill('区里已统一部署同类工作，本部门不再单独申请');
        await dialog.getByTestId('confirm-withdraw').click();
        await dialog.waitFor({ state: 'hidden' });
        await page.getByTestId('application-status').filter({ hasText: '已撤回' }).waitFor();
        await expect(page.getByTestId('withdrawn').textContent()).resolves.toContain(
          '撤回原因：区里已统一部署同类工作，本部门不再单独申请',
        );
        // Nothing left to do with it.
        await expect(page.getByTestId('submit').count()).resolves.toBe(0);
        await expect(page.getByTestId('withdraw').count()).resolves.toBe(0);
        await expect(page.getByTestId('returned').count()).resolves.toBe(0);
        await expect(page.getByLabel('事项名称').isDisabled()).resolves.toBe(true);
        expect(await get(applicationId)).toMatchObject({
          status: 'withdrawn',
          withdrawalReason: '区里已统一部署同类工作，本部门不再单独申请',
        });

        // The list names its state too.
        await page.getByRole('link', { name: '← 返回本单位申请' }).click();
        const row = page.getByRole('row').filter({ hasText: TITLE });
        await expect(row.getByTestId('application-status').textContent()).resolves.toBe('已撤回');
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given an application under review whose case the office suspended, when dept-staff withdraws it, then the dialog shows the refusal; once resumed, it is withdrawn',
    async () => {
      const TITLE = '社区消防安全网格巡查';
      const { applicationId, instanceId } = await submitApplication(
        t,
        makeApplication([unit[XINGHUA]], { title: TITLE }),
      );
      const office = await auth('office');
      expect(
        (
          await t
            .http()
            .post(`/workflow-instances/${instanceId}/suspend`)
            .set(office)
            .send({ comment: '核实' })
        ).status,
      ).toBe(200);
      const page = await b.page();
      await withScreenshot(page, 'department-withdraw-in-review', async () => {
        await logIn(page, 'dept-staff');
        await page.goto(`${base}/console/my-applications/${applicationId}`);
        await page.getByTestId('application-status').filter({ hasText: '审核中' }).waitFor();
        // Under review: no saving or submitting, but it may be withdrawn.
        await expect(page.getByTestId('submit').count()).resolves.toBe(0);
        await page.getByTestId('withdraw').click();
        const dialog = page.getByRole('dialog', { name: '撤回申请' });
        await dialog.getByLabel('撤回原因').fill('工作已由街道统一承担');
        await dialog.getByTestId('confirm-withdraw').click();
        await dialog.getByRole('alert').filter({ hasText: '该办件已挂起、办结或终止' }).waitFor();
        expect((await get(applicationId)).status).toBe('in_review');

        expect(
          (await t.http().post(`/workflow-instances/${instanceId}/resume`).set(office).send({})).status,
        ).toBe(200);
        await dialog.getByTestId('confirm-withdraw').click();
        await dialog.waitFor({ state: 'hidden' });
        await page.getByTestId('application-status').filter({ hasText: '已撤回' }).waitFor();
        await expect(page.getByTestId('withdrawn').textContent()).resolves.toContain('工作已由街道统一承担');
      });
      const tasks = await t.dataSource.query(
        `SELECT count(*) AS n FROM workflow_task WHERE instance_id = $1 AND status = 'open'`,
        [instanceId],
      );
      expect(Number(tasks[0].n)).toBe(0);
    },
    BROWSER_TEST_MS,
  );

  it(
    'given an application under review that the department head rejects while dept-staff has it open, when dept-staff withdraws it, then the dialog says why not and the page shows it rejected, with nothing left to withdraw',
    async () => {
      const { applicationId, instanceId } = await submitApplication(
        t,
        makeApplication([unit[XINGHUA]], { title: '社区志愿服务积分登记' }),
      );
      const page = await b.page();
      await withScreenshot(page, 'department-withdraw-refused', async () => {
        await logIn(page, 'dept-staff');
        await page.goto(`${base}/console/my-applications/${applicationId}`);
        await page.getByTestId('application-status').filter({ hasText: '审核中' }).waitFor();
        // Decided while the page was open.
        const rejected = await act(t, 'dept-head', instanceId, 'deptApprove', {
          decision: 'reject',
          comment: '本部门另有安排',
        });
        expect(rejected.status).toBe(200);
        await page.getByTestId('withdraw').click();
        const dialog = page.getByRole('dialog', { name: '撤回申请' });
        await dialog.getByLabel('撤回原因').fill('不再申请');
        await dialog.getByTestId('confirm-withdraw').click();
        await dialog.getByRole('alert').filter({ hasText: '该申请当前不能撤回' }).waitFor();
        await page.getByTestId('application-status').filter({ hasText: '不予准入' }).waitFor();
        await dialog.getByRole('button', { name: '取消' }).click();
        await dialog.waitFor({ state: 'hidden' });
        await expect(page.getByTestId('withdraw').count()).resolves.toBe(0);
        expect((await get(applicationId)).status).toBe('rejected');
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given a draft with two files, when dept-staff removes one in the browser, then it is asked first and only the other stays; a removal refused because it was submitted meanwhile shows it under review; once submitted, no file can be removed',
    async () => {
      const h = await auth('dept-staff');
      const draft = await t
        .http()
        .post('/applications')
        .set(h)
        .send(makeApplication([unit[XINGHUA]], { title: '社区儿童之家活动安排' }));
      expect(draft.status).toBe(201);
      const id = draft.body.id as string;
      for (const fileName of ['实施方案.pdf', '旧版方案.pdf']) {
        const up = await t
          .http()
          .post(`/applications/${id}/attachments`)
          .set(h)
          .send({ fileName, contentType: 'application/pdf', contentBase64: PDF.toString('base64') });
        expect(up.status).toBe(201);
      }
      const names = async () =>
        (await t.http().get(`/applications/${id}/attachments`).set(h)).body.items.map(
          (a: { fileName: string }) => a.fileName,
        );
      const page = await b.page();
      await withScreenshot(page, 'department-remove-attachment', async () => {
        await logIn(page, 'dept-staff');
        await page.goto(`${base}/console/my-applications/${id}`);
        const list = page.getByTestId('attachments');
        const old = list.getByRole('row').filter({ hasText: '旧版方案.pdf' });
        await old.waitFor();

        // Asked first: 取消 keeps it.
        await old.getByRole('button', { name: '删除' }).click();
        const ask = page.getByRole('dialog').filter({ hasText: '删除附件' });
        await expect(ask.textContent()).resolves.toContain('旧版方案.pdf');
        await ask.getByRole('button', { name: '取消' }).click();
        await ask.waitFor({ state: 'hidden' });
        expect(await names()).toEqual(['实施方案.pdf', '旧版方案.pdf']);

        await old.getByRole('button', { name: '删除' }).click();
        await ask.getByRole('button', { name: '删除' }).click();
        await old.waitFor({ state: 'detached' });
        await list.getByText('实施方案.pdf').waitFor();
        expect(await names()).toEqual(['实施方案.pdf']);

        // Submitted meanwhile (another tab): a removal is refused, and the page shows it under review.
        const other = await t
          .http()
          .post('/applications')
          .set(h)
          .send(makeApplication([unit[XINGHUA]], { title: '社区儿童之家活动安排（二）' }));
        expect(other.status).toBe(201);
        for (const fileName of ['附件甲.pdf', '附件乙.pdf']) {
          const up = await t
            .http()
            .post(`/applications/${other.body.id}/attachments`)
            .set(h)
            .send({ fileName, contentType: 'application/pdf', contentBase64: PDF.toString('base64') });
          expect(up.status).toBe(201);
        }
        await page.goto(`${base}/console/my-applications/${other.body.id}`);
        const first = list.getByRole('row').filter({ hasText: '附件甲.pdf' });
        await first.waitFor();
        expect((await t.http().post(`/applications/${other.body.id}/submit`).set(h).send({})).status).toBe(
          200,
        );
        await first.getByRole('button', { name: '删除' }).click();
        await ask.getByRole('button', { name: '删除' }).click();
        await page.getByRole('alert').filter({ hasText: '现在不能修改' }).waitFor();
        await page.getByTestId('application-status').filter({ hasText: '审核中' }).waitFor();
        await expect(list.getByRole('button', { name: '删除' }).count()).resolves.toBe(0);
        await expect(list.getByRole('row').filter({ hasText: '附件甲.pdf' }).count()).resolves.toBe(1);
        await page.goto(`${base}/console/my-applications/${id}`);
        await old.waitFor({ state: 'detached' });
        await list.getByText('实施方案.pdf').waitFor();

        // Submitted: the file can be downloaded, not removed.
        await page.getByTestId('submit').click();
        await page.getByTestId('application-status').filter({ hasText: '审核中' }).waitFor();
        await expect(list.getByRole('button', { name: '下载' }).count()).resolves.toBe(1);
        await expect(list.getByRole('button', { name: '删除' }).count()).resolves.toBe(0);
      });
    },
    BROWSER_TEST_MS,
  );

  it(
    'given an application whose file was removed and which was then withdrawn, when the auditor reads its trail, then both are named in Chinese',
    async () => {
      const h = await auth('dept-staff');
      const draft = await t
        .http()
        .post('/applications')
        .set(h)
        .send(makeApplication([unit[XINGHUA]], { title: '社区垃圾分类督导' }));
      expect(draft.status).toBe(201);
      const id = draft.body.id as string;
      const up = await t
        .http()
        .post(`/applications/${id}/attachments`)
        .set(h)
        .send({
          fileName: '督导方案.pdf',
          contentType: 'application/pdf',
          contentBase64: PDF.toString('base64'),
        });
      expect(up.status).toBe(201);
      expect((await t.http().delete(`/applications/${id}/attachments/${up.body.id}`).set(h)).status).toBe(
        200,
      );
      expect((await t.http().post(`/applications/${id}/submit`).set(h).send({})).status).toBe(200);
      const w = await t.http().post(`/applications/${id}/withdraw`).set(h).send({ reason: '街道已统一安排' });
      expect(w.status).toBe(200);
      const page = await b.page();
      await withScreenshot(page, 'department-withdraw-audit', async () => {
        await logIn(page, 'auditor');
        await page.goto(`${base}/console/admin/audit`);
        await page.getByTestId('audit-action').first().waitFor();
        await page.getByLabel('对象编号').fill(id);
        await page.getByRole('button', { name: '查询' }).click();
        await page.waitForFunction(`(() => {
          const actions = [...document.querySelectorAll('[data-testid="audit-action"]')].map((c) => c.textContent);
          return actions.includes('撤回申请') && actions.includes('删除附件');
        })()`);
        const actions = await page.getByTestId('audit-action').allTextContents();
        expect(actions).not.toContain('application.withdrawn');
        expect(actions).not.toContain('application.attachment-removed');
      });
    },
    BROWSER_TEST_MS,
  );
});
