import type { Page } from 'playwright-core';
import { addDays } from '../src/common/china-time.js';
import { Clock } from '../src/common/clock.js';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { chooseOption, startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { act, openTask, startReviewCase } from './helpers/cases.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/**
 * The leading-group office's pages of the console (领导小组办公室), in Debian's Chromium on the API's own process:
 * the review queue, an application's findings overridden with a reason, the countersign progress, a case suspended
 * and resumed, an incident retried, a negative-list change proposed and the work calendar — and none of it for
 * anyone else, whose deep links answer the console's missing page.
 */
describe('the office’s pages of the console (领导小组办公室)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const unit: Record<string, string> = {};
  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  const XINGHUA = '339901001001';
  const TOO_SOON = '社区消防安全夜间巡查（提前期不足）';
  const COUNTERSIGNING = '社区养老服务需求摸底（会签中）';
  /** The application at the office's scope review whose start is too soon (a failing lead-time finding). */
  let tooSoon: { applicationId: string; instanceId: string };
  /** The application at the members' countersign, signed by member-1 only. */
  let countersigning: { applicationId: string; instanceId: string };

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    for (const r of await t.dataSource.query('SELECT code, id FROM org_unit')) unit[r.code] = r.id;
    const today = t.app.get(Clock).today();
    tooSoon = await submitApplication(
      t,
      makeApplication([unit[XINGHUA]], {
        title: TOO_SOON,
        startDate: addDays(today, 10),
        endDate: addDays(today, 200),
      }),
    );
    for (const [u, el] of [
      ['dept-head', 'deptApprove'],
      ['office', 'completeness'],
    ])
      expect((await act(t, u, tooSoon.instanceId, el, { decision: 'approve' })).status).toBe(200);
    countersigning = await submitApplication(t, makeApplication([unit[XINGHUA]], { title: COUNTERSIGNING }));
    for (const [u, el] of [
      ['dept-head', 'deptApprove'],
      ['office', 'completeness'],
      ['office', 'scopeReview'],
      ['member-1', 'countersign'],
    ])
      expect((await act(t, u, countersigning.instanceId, el, { decision: 'approve' })).status).toBe(200);
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  /** Opens a console path as `username`: the console asks for a login first and comes back to the path. */
  async function openAs(username: string, path: string, page?: Page): Promise<Page> {
    const p = page ?? (await b.page());
    // Two cores shared by many test files: a page may take longer than the helper's 10 s to answer.
    p.setDefaultTimeout(30_000);
    await p.goto(`${base}/console/login?redirect=${encodeURIComponent(path)}`);
    await p.getByLabel('用户名').fill(username);
    await p.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await p.getByRole('button', { name: '登录' }).click();
    await p.waitForURL(`${base}/console${path}`);
    return p;
  }

  /** Picks an option of an Element Plus select found by its label. */
  async function choose(page: Page, label: string, option: string): Promise<void> {
    // Chosen until the select shows it (a click on a list just opened is now and then lost on a busy machine).
    await chooseOption(
      page,
      page.locator('.el-select', { has: page.getByRole('combobox', { name: label }) }),
      option,
    );
  }

  it('given a countersign under way, when the office reads the case through the API, then each countersign task names the member unit it is for', async () => {
    const res = await t
      .http()
      .get(`/workflow-instances/${countersigning.instanceId}`)
      .set(await auth('office'));
    expect(res.status).toBe(200);
    const members: string[] = res.body.variables.memberUnits;
    const tasks = (res.body.tasks as { elementId: string; loopItem: unknown; status: string }[]).filter(
      (x) => x.elementId === 'countersign',
    );
    expect(tasks.map((x) => x.loopItem).sort()).toEqual([...members].sort());
    expect(tasks.filter((x) => x.status === 'completed')).toHaveLength(1);
    // Steps that are not multi-instance carry none.
    expect(
      (res.body.tasks as { elementId: string; loopItem: unknown }[]).find(
        (x) => x.elementId === 'deptApprove',
      )?.loopItem,
    ).toBeNull();
  });

  it('given applications under review, when the office opens its review queue, then each shows its department, state and step, and the office’s own step links to the task page', async () => {
    const page = await openAs('office', '/office/queue');
    await withScreenshot(page, 'office-queue', async () => {
      const row = page.getByRole('row').filter({ hasText: TOO_SOON });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('东湖区卫生健康委员会');
      await expect(row.textContent()).resolves.toContain('审核中');
      await expect(row.textContent()).resolves.toContain('领导小组办公室范围与重复审查');
      const other = page.getByRole('row').filter({ hasText: COUNTERSIGNING });
      await expect(other.textContent()).resolves.toContain('成员单位会签');
      // Not the office's step: nothing to handle there.
      await expect(other.getByTestId('task-link').count()).resolves.toBe(0);
      const taskId = await openTask(t, 'office', tooSoon.instanceId, 'scopeReview');
      await row.getByTestId('task-link').click();
      await page.waitForURL(`${base}/console/tasks/${taskId}`);
      await expect(page.getByTestId('task-subject').textContent()).resolves.toBe(TOO_SOON);
      await page.goBack();
      await page.getByRole('row').filter({ hasText: TOO_SOON }).getByTestId('application-title').click();
      await page.waitForURL(`${base}/console/office/applications/${tooSoon.applicationId}`);
      await expect(page.getByTestId('application-subject').textContent()).resolves.toBe(TOO_SOON);
    });
  });

  it('given a failing lead-time finding, when the office overrides it, then a reason is required first, and once given it shows beside the finding and the API keeps it', async () => {
    const page = await openAs('office', `/office/applications/${tooSoon.applicationId}`);
    await withScreenshot(page, 'office-override', async () => {
      const finding = page.getByTestId('findings').getByRole('row').filter({ hasText: '不通过' });
      // The checks' findings in Chinese only (the API's message carries English after it).
      await expect(page.getByTestId('findings').textContent()).resolves.not.toMatch(/[A-Za-z]{4}/);
      await finding.getByRole('button', { name: '说明理由并放行' }).click();
      const dialog = page.getByRole('dialog', { name: '说明理由并放行' });
      await dialog.getByRole('button', { name: '确认放行' }).click();
      await expect(dialog.getByTestId('field-error').textContent()).resolves.toContain('请填写放行理由');
      const reason = '该巡查系消防专项整治要求，时间紧迫，经研究予以放行。';
      await dialog.getByLabel('放行理由（必填）').fill(reason);
      await dialog.getByRole('button', { name: '确认放行' }).click();
      await page.getByTestId('override').waitFor();
      await expect(page.getByTestId('override').textContent()).resolves.toContain(reason);
      await expect(page.getByTestId('override').textContent()).resolves.toContain(
        '东湖区社区建设工作领导小组办公室',
      );
      const app = await t
        .http()
        .get(`/applications/${tooSoon.applicationId}`)
        .set(await auth('office'));
      const lead = (app.body.findings as { code: string; override?: { reason: string } }[]).find(
        (f) => f.code === 'lead-time',
      );
      expect(lead?.override?.reason).toBe(reason);
    });
  });

  it('given a countersign with one member signed, when the office opens the application, then it shows who has signed and who not', async () => {
    const page = await openAs('office', `/office/applications/${countersigning.applicationId}`);
    await withScreenshot(page, 'office-countersign', async () => {
      const table = page.getByTestId('countersign');
      await table.waitFor();
      await expect(page.getByTestId('countersign-summary').textContent()).resolves.toContain('已会签 1 / 3');
      const signed = table.getByRole('row').filter({ hasText: '已会签：同意' });
      await expect(signed.count()).resolves.toBe(1);
      await expect(signed.textContent()).resolves.toContain('公安分局');
      await expect(table.getByRole('row').filter({ hasText: '待会签' }).count()).resolves.toBe(2);
      await expect(table.textContent()).resolves.toContain('人力资源和社会保障局');
    });
  });

  it('given a case under way, when the office suspends it with a reason and then resumes it, then the page and the case say so, and a reason is asked for first', async () => {
    const page = await openAs('office', `/office/applications/${countersigning.applicationId}`);
    await withScreenshot(page, 'office-suspend-resume', async () => {
      await expect(page.getByTestId('case-status').textContent()).resolves.toBe('办理中');
      await page.getByRole('button', { name: '挂起案件' }).click();
      const dialog = page.getByRole('dialog', { name: '挂起案件' });
      await expect(dialog.textContent()).resolves.toContain('时限暂停计算');
      await dialog.getByRole('button', { name: '确认挂起' }).click();
      await expect(dialog.getByTestId('field-error').textContent()).resolves.toContain('请填写挂起的理由');
      await dialog.getByLabel('挂起理由（必填）').fill('申请单位来函说明需补充材料，暂缓办理。');
      await dialog.getByRole('button', { name: '确认挂起' }).click();
      await page.getByTestId('case-status').filter({ hasText: '已挂起' }).waitFor();
      expect(
        (
          await t.dataSource.query('SELECT status FROM workflow_instance WHERE id = $1', [
            countersigning.instanceId,
          ])
        )[0].status,
      ).toBe('suspended');
      await expect(page.getByTestId('history').textContent()).resolves.toContain(
        '申请单位来函说明需补充材料',
      );

      await page.getByRole('button', { name: '恢复案件' }).click();
      const resume = page.getByRole('dialog', { name: '恢复案件' });
      await resume.getByLabel('恢复理由（必填）').fill('材料已补齐，继续办理。');
      await resume.getByRole('button', { name: '确认恢复' }).click();
      await page.getByTestId('case-status').filter({ hasText: '办理中' }).waitFor();
      expect(
        (
          await t.dataSource.query('SELECT status FROM workflow_instance WHERE id = $1', [
            countersigning.instanceId,
          ])
        )[0].status,
      ).toBe('active');
      await expect(page.getByTestId('history').textContent()).resolves.toContain('案件恢复');
    });
  });

  it('given the application whose finding was overridden, when the office terminates its case with a reason, then the case and the application end and no case action is offered any more', async () => {
    const page = await openAs('office', `/office/applications/${tooSoon.applicationId}`);
    await withScreenshot(page, 'office-terminate', async () => {
      await page.getByRole('button', { name: '终止案件' }).click();
      const dialog = page.getByRole('dialog', { name: '终止案件' });
      await expect(dialog.textContent()).resolves.toContain('不能恢复');
      await dialog.getByLabel('终止理由（必填）').fill('申请单位已书面撤回该项工作安排。');
      await dialog.getByRole('button', { name: '确认终止' }).click();
      await page.getByTestId('case-status').filter({ hasText: '已终止' }).waitFor();
      await expect(page.getByTestId('application-status').textContent()).resolves.toBe('已终止');
      await expect(page.getByRole('button', { name: /案件$/ }).count()).resolves.toBe(0);
      const app = await t
        .http()
        .get(`/applications/${tooSoon.applicationId}`)
        .set(await auth('office'));
      expect(app.body).toMatchObject({
        status: 'terminated',
        decisionReason: '申请单位已书面撤回该项工作安排。',
      });
    });
  });

  it('given a failed service task, when the office retries it on the incidents page, then a retry that fails again says why, and one that works removes the incident and finishes the case', async () => {
    await t.dataSource.query(`INSERT INTO system_setting (key, value) VALUES ('test-register-down', 'yes')`);
    const id = await startReviewCase(t);
    for (const [u, el] of [
      ['dept-head', 'deptApprove'],
      ['office', 'officeReview'],
      ['member-1', 'countersign'],
      ['member-2', 'countersign'],
      ['member-3', 'countersign'],
      ['leader', 'leaderSign'],
    ])
      expect((await act(t, u, id, el, { decision: 'approve' })).status).toBe(200);
    const page = await openAs('office', '/office/incidents');
    await withScreenshot(page, 'office-incidents', async () => {
      const row = page.getByRole('row').filter({ hasText: '系统处理失败，可重试；多次失败请联系运维。' });
      await row.waitFor();
      // The raw exception is for the operators: behind 详情, not in the clerk's reason.
      await expect(row.textContent()).resolves.not.toContain('the register is not reachable');
      await row.getByRole('button', { name: '详情' }).click();
      await expect(row.getByTestId('incident-details').textContent()).resolves.toContain(
        'the register is not reachable',
      );
      await row.getByRole('button', { name: '重试' }).click();
      await expect(row.getByTestId('retry-failed').textContent()).resolves.toContain('重试未成功');
      await t.dataSource.query(`DELETE FROM system_setting WHERE key = 'test-register-down'`);
      await row.getByRole('button', { name: '重试' }).click();
      await page.getByText('重试成功，案件已继续办理').waitFor();
      await page.getByRole('row').filter({ hasText: '系统处理失败，可重试' }).waitFor({ state: 'detached' });
      expect(
        (await t.dataSource.query('SELECT status FROM workflow_instance WHERE id = $1', [id]))[0].status,
      ).toBe('completed');
    });
  });

  it('given the negative list, when the office proposes a new entry, then a code already listed is refused beside its field, and the proposal shows among the changes awaiting approval', async () => {
    const page = await openAs('office', '/office/negative-list');
    await withScreenshot(page, 'office-negative-list', async () => {
      await page
        .getByTestId('negative-list')
        .getByRole('row')
        .filter({ hasText: '招商引资任务指标' })
        .waitFor();
      const form = page.getByTestId('propose-form');
      await form.getByLabel('编码').fill('investment_promotion');
      await form.getByLabel('事项名称').fill('招商引资任务');
      await form.getByLabel('英文名称').fill('investment targets');
      await form.getByLabel('关键词').fill('招商引资，引资指标');
      await form.getByLabel('依据文件').fill('民发〔2015〕136号');
      await form.getByLabel('调整理由').fill('重复测试');
      await form.getByRole('button', { name: '提交调整申请' }).click();
      await expect(form.locator('.el-form-item__error').first().textContent()).resolves.toContain(
        '该编码已在负面清单中',
      );
      await form.getByLabel('编码').fill('fundraising_quota');
      await form.getByLabel('事项名称').fill('摊派募捐任务');
      await form.getByLabel('英文名称').fill('fundraising quotas');
      await form.getByLabel('关键词').fill('募捐指标，捐款任务');
      await form.getByLabel('调整理由').fill('多个社区反映被摊派募捐任务，建议列入负面清单。');
      await form.getByRole('button', { name: '提交调整申请' }).click();
      const change = page.getByTestId('changes').getByRole('row').filter({ hasText: '摊派募捐任务' });
      await change.waitFor();
      await expect(change.textContent()).resolves.toContain('审批中');
      await expect(change.textContent()).resolves.toContain('新增');
      const saved = await t.dataSource.query(
        `SELECT entry, status FROM negative_list_change WHERE code = 'fundraising_quota'`,
      );
      expect(saved).toEqual([
        expect.objectContaining({
          status: 'open',
          entry: expect.objectContaining({ keywords: ['募捐指标', '捐款任务'], appliesTo: 'any kind' }),
        }),
      ]);
    });
  });

  it('given the work calendar, when the office reads it, then it lists the year’s days off and offers no change (administrators change it)', async () => {
    const office = await openAs('office', '/office/calendar');
    await withScreenshot(office, 'office-calendar-read', async () => {
      await office.getByTestId('calendar').waitFor();
      await choose(office, '年份', '2026年');
      await office.getByTestId('calendar').getByRole('row').filter({ hasText: '2026年10月1日' }).waitFor();
      await expect(office.getByTestId('day-form').count()).resolves.toBe(0);
    });
  });

  it('given the work calendar, when the administrator marks a day, then a wrong date is refused beside its field and a right one is listed as a 调休 working day', async () => {
    const admin = await openAs('sysadmin', '/office/calendar');
    await withScreenshot(admin, 'office-calendar-change', async () => {
      const form = admin.getByTestId('day-form');
      await form.getByLabel('日期').fill('2027-02-30');
      await form.getByRole('button', { name: '保存' }).click();
      await expect(form.locator('.el-form-item__error').first().textContent()).resolves.toContain(
        '实际存在的日期',
      );
      await form.getByLabel('日期').fill('2027-10-09');
      await choose(admin, '安排', '上班（调休上班日）');
      await form.getByLabel('说明').fill('国庆调休上班');
      await form.getByRole('button', { name: '保存' }).click();
      const row = admin.getByTestId('calendar').getByRole('row').filter({ hasText: '2027年10月9日' });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('调休上班');
      await expect(row.textContent()).resolves.toContain('星期六');
      expect(
        await t.dataSource.query(`SELECT working_day, note FROM work_calendar_day WHERE day = '2027-10-09'`),
      ).toEqual([{ working_day: true, note: '国庆调休上班' }]);
    });
  });

  it('given a department clerk, when the console opens, then no office menu shows, and a deep link to an office page answers the console’s missing page in Chinese', async () => {
    const page = await openAs('dept-staff', '/inbox');
    await withScreenshot(page, 'office-forbidden', async () => {
      await page.getByTestId('current-user').waitFor();
      const nav = page.getByRole('navigation', { name: '主菜单' });
      await nav.getByText('待办', { exact: true }).waitFor();
      const menu = await nav.textContent();
      for (const label of ['审查队列', '流程异常', '负面清单', '工作日历']) expect(menu).not.toContain(label);
      for (const path of [
        '/office/queue',
        `/office/applications/${tooSoon.applicationId}`,
        '/office/calendar',
      ]) {
        await page.goto(`${base}/console${path}`);
        await page.getByText('页面不存在', { exact: true }).waitFor();
        expect(new URL(page.url()).pathname).toBe(`/console${path}`);
      }
    });
  });

  it('given the office, when the console opens, then its menu offers the office’s pages', async () => {
    const office = await openAs('office', '/inbox');
    await withScreenshot(office, 'office-menu', async () => {
      const menu = office.getByRole('navigation', { name: '主菜单' });
      for (const label of ['审查队列', '流程异常', '负面清单', '工作日历'])
        await menu.getByText(label, { exact: true }).waitFor();
    });
  });
});
