import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * Issue 13 §7 in the browser: the department names the certificate of its stamp demand on the form (要求出具的证明),
 * and the office sees the stamp registry's finding beside the other findings of the application.
 */
describe('a stamp demand in the console (盖章证明事项：部门填报与办公室审查)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });

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

  it('given a stamp demand drafted without its certificate, when the department names it on the form and submits, then the office sees the failing 盖章证明事项清单 finding citing 民发〔2020〕20号', async () => {
    const draft = await t
      .http()
      .post('/applications')
      .set(await auth('dept-staff'))
      .send({
        kind: 'stamp',
        title: '要求社区出具养犬证明',
        content: '办理养犬登记时须提交社区居委会出具的证明。',
        legalBasisDocument: '东公发〔2027〕2号',
        statutoryArea: 'other',
        targetScope: 'list',
        targetCommunityIds: [unit['339901001001']],
        authorizedContent: '出具证明',
        targetPopulation: '养犬居民',
        powers: '出具证明',
        startDate: '2027-06-01',
        endDate: '2027-12-31',
        workloadHoursPerMonth: 2,
        frequency: '按需',
        fundingPerCommunityFen: 0,
        contactName: '张卫',
        contactPhone: '0571-88888888',
      });
    expect(draft.status).toBe(201);
    const id = draft.body.id as string;

    const dept = await openAs('dept-staff', `/my-applications/${id}`);
    await withScreenshot(dept, 'stamp-demand-department', async () => {
      const field = dept.getByTestId('field-certificateName');
      await expect(field.textContent()).resolves.toContain('要求出具的证明');
      await field.locator('input').fill('开具居民养犬证明');
      await dept.getByTestId('save').click();
      await dept.getByText('已保存').first().waitFor();
      const saved = await t
        .http()
        .get(`/applications/${id}`)
        .set(await auth('dept-staff'));
      expect(saved.body.certificateName).toBe('开具居民养犬证明');
    });

    const submitted = await t
      .http()
      .post(`/applications/${id}/submit`)
      .set(await auth('dept-staff'))
      .send({});
    expect(submitted.status).toBe(200);
    const instanceId = submitted.body.instanceId as string;
    expect((await act(t, 'dept-head', instanceId, 'deptApprove', { decision: 'approve' })).status).toBe(200);
    expect((await act(t, 'office', instanceId, 'completeness', { decision: 'approve' })).status).toBe(200);

    const office = await openAs('office', `/office/applications/${id}`);
    await withScreenshot(office, 'stamp-demand-office', async () => {
      const findings = office.getByTestId('findings');
      await findings.getByText('盖章证明事项清单', { exact: false }).first().waitFor();
      const text = await findings.textContent();
      expect(text).toContain('“开具居民养犬证明”不应由社区出具');
      expect(text).toContain('民发〔2020〕20号');
      expect(text).toContain('不通过');
      // Beside the other findings.
      expect(text).toContain('负面清单');
    });
  });
});
