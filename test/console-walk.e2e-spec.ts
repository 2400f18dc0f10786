import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from './helpers/app.js';
import { chooseOption, startBrowser, withScreenshot, type TestBrowser } from './helpers/browser.js';
import { TEST_DEMO_PASSWORD } from './helpers/database.js';

/** Each phase walks several pages, each waiting for the API: far more than Jest's default on a loaded machine. */
const PHASE_MS = 240_000;

/**
 * The whole walk of one application (issue 12, item 6), entirely through the console by the demo users, each step
 * as workflows/admission.bpmn has it: dept-staff drafts and submits, dept-head approves, the office reviews
 * completeness, then returns it at the scope review with deficiencies; the department sees them, corrects and
 * resubmits; the office reviews again, the three member units countersign, the principal leader signs, the
 * department registers the funding transfer, finance confirms it, and the public register — without logging in —
 * shows the item for the community on its start date. No step goes through the API; the API and the database are
 * only read, to check.
 *
 * The phases run in order and build on each other (one application walks them all): a phase that fails leaves its
 * screenshot, and the later ones fail at their first look for the application.
 */
describe('the whole walk from draft to the public register in a real browser (准入全流程)', () => {
  let t: TestApp;
  let b: TestBrowser;
  let base: string;
  const XINGHUA = '339901001001';
  const TITLE = '社区独居老人定期探访登记';
  const START = '2027-06-01';
  /** The Chinese name of the statutory area the application names (public_health), read in beforeAll. */
  let AREA: string;
  let xinghua: string;
  let applicationId: string;
  /** The last phase that passed: a phase starts only from the one before it (else it fails at once, saying so). */
  let reached = 0;
  const from = (phase: number) => expect(`phase ${reached} passed`).toBe(`phase ${phase} passed`);

  beforeAll(async () => {
    t = await startTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    xinghua = (await t.dataSource.query('SELECT id FROM org_unit WHERE code = $1', [XINGHUA]))[0].id;
    AREA = (await t.dataSource.query(`SELECT name_zh FROM statutory_area WHERE code = 'public_health'`))[0]
      .name_zh;
    b = await startBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  const auth = async (u: string) => ({ Authorization: `Bearer ${await t.token(u)}` });
  /** The application as the API answers it to the office (read only, to check what the pages did). */
  const application = async () =>
    (
      await t
        .http()
        .get(`/applications/${applicationId}`)
        .set(await auth('office'))
    ).body;
  /** The open steps of the case (read only). */
  const openSteps = async (): Promise<string[]> =>
    (
      await t.dataSource.query(
        `SELECT k.element_id FROM workflow_task k JOIN admission_application a ON a.instance_id = k.instance_id
          WHERE a.id = $1 AND k.status = 'open' ORDER BY k.element_id`,
        [applicationId],
      )
    ).map((r: { element_id: string }) => r.element_id);

  /** A fresh tab (its own session) logged in through the login form as a demo user. */
  async function logIn(username: string): Promise<Page> {
    const page = await b.page();
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(TEST_DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}/console/inbox`);
    return page;
  }

  /** From the inbox, opens the application's task at the step named `step` (the task page's 办理环节). */
  async function openTaskFromInbox(page: Page, step: string): Promise<void> {
    const row = page.getByTestId('inbox').getByRole('row').filter({ hasText: TITLE });
    await row.getByTestId('task-title').click();
    await page.waitForURL(/\/console\/tasks\/[\w-]+$/);
    await expect(page.getByTestId('task-subject').textContent()).resolves.toBe(TITLE);
    await page.getByText(step, { exact: true }).waitFor();
    // The application in words a reviewer reads: the area's name, the scope, the communities — no codes or ids.
    const shown = page.getByTestId('application');
    await shown.getByText(AREA, { exact: true }).waitFor();
    await shown.getByText('指定社区', { exact: true }).waitFor();
    const text = String(await shown.textContent());
    expect(text).not.toContain('public_health');
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  }

  /** Decides the open task with the decision button `decision` and an opinion; waits for the page to say so. */
  async function decide(page: Page, decision: string, opinion: string): Promise<void> {
    await page.getByLabel('办理意见').fill(opinion);
    await page.getByTestId('decisions').getByRole('button', { name: decision, exact: true }).click();
    await page
      .getByTestId('done')
      .filter({ hasText: `已办理：${decision}` })
      .waitFor();
  }

  /** One reviewer's whole step: log in, open the task from the inbox, decide, log out. */
  async function approveAs(username: string, step: string, opinion: string): Promise<void> {
    const page = await logIn(username);
    await withScreenshot(page, `walk-${username}-${step}`, async () => {
      await openTaskFromInbox(page, step);
      await decide(page, '同意', opinion);
      await page.getByTestId('logout').click();
      await page.waitForURL(`${base}/console/login`);
    });
  }

  /** Types a day into an Element Plus date picker the way a clerk would (2027年6月1日) and leaves it. */
  async function typeDay(page: Page, label: string, day: string): Promise<void> {
    const [y, m, d] = day.split('-').map(Number);
    const input = page.getByLabel(label, { exact: true });
    await input.fill(`${y}年${m}月${d}日`);
    await input.press('Enter');
  }

  it(
    'given dept-staff, when it drafts the 准入审批表 in the browser and submits it, then the application is under review at the department head’s step',
    async () => {
      const page = await logIn('dept-staff');
      await withScreenshot(page, 'walk-1-draft-submit', async () => {
        await page.getByRole('menuitem', { name: '本单位申请' }).click();
        await page.waitForURL(`${base}/console/my-applications`);
        await page.getByTestId('new-application').click();
        await page.waitForURL(`${base}/console/my-applications/new`);
        await page.getByLabel('事项名称').fill(TITLE);
        await chooseOption(page, page.getByTestId('field-kind').locator('.el-select'), '工作任务');
        await page.getByLabel('事项内容').fill('对辖区独居老人每月上门探访一次并登记健康状况。');
        await chooseOption(page, page.getByTestId('field-statutoryArea').locator('.el-select'), AREA);
        await page.getByLabel('法律依据文件').fill('国卫老龄发〔2025〕3号');
        await page.getByLabel('法律依据条款').fill('第四条');
        await page.getByTestId('field-targetScope').getByText('指定社区').click();
        await page.getByTestId('field-targetCommunityIds').locator('.el-select').click();
        await page.keyboard.type('杏花');
        await chooseOption(
          page,
          page.getByTestId('field-targetCommunityIds').locator('.el-select'),
          '杏花社区',
        );
        await page.keyboard.press('Escape');
        await page.getByLabel('授权内容').fill('上门探访、登记');
        await page.getByLabel('工作对象').fill('独居老人');
        await page.getByLabel('授予的权限').fill('登记');
        await typeDay(page, '开始日期', START);
        await typeDay(page, '结束日期', '2027-12-31');
        await page.getByLabel('每月工作量（小时）').fill('6');
        await page.getByLabel('工作频次').fill('每周一次');
        await page.getByLabel('每个社区经费（元）').fill('2468.10');
        await expect(page.getByTestId('funding-preview').textContent()).resolves.toBe('2,468.10 元');
        await page.getByLabel('经费来源').fill('区财政专项');
        await page.getByLabel('联系人').fill('李敏');
        await page.getByLabel('联系电话').fill('0571-87654321');
        await page.getByTestId('save').click();
        await page.waitForURL(/\/console\/my-applications\/[0-9a-f-]{36}$/);
        applicationId = page.url().split('/').pop()!;
        await page.getByTestId('application-status').filter({ hasText: '草稿' }).waitFor();
        await page.getByTestId('submit').click();
        await page.getByTestId('application-status').filter({ hasText: '审核中' }).waitFor();
      });
      expect(await application()).toMatchObject({
        status: 'in_review',
        title: TITLE,
        fundingPerCommunityFen: '246810',
        startDate: START,
        targetCommunityIds: [xinghua],
      });
      expect(await openSteps()).toEqual(['deptApprove']);
      reached = 1;
    },
    PHASE_MS,
  );

  it(
    'given the submitted application, when dept-head approves it and the office passes its completeness review, each on its task page, then it waits at the office’s scope review',
    async () => {
      from(1);
      await approveAs('dept-head', '部门负责人审核', '同意报送领导小组办公室');
      expect(await openSteps()).toEqual(['completeness']);
      await approveAs('office', '领导小组办公室完整性审查', '材料齐全');
      expect(await openSteps()).toEqual(['scopeReview']);
      reached = 2;
    },
    PHASE_MS,
  );

  it(
    'given the scope review, when the office returns it with two deficiencies (one naming a field), then the application is returned with them',
    async () => {
      from(2);
      const page = await logIn('office');
      await withScreenshot(page, 'walk-3-office-return', async () => {
        await openTaskFromInbox(page, '领导小组办公室范围与重复审查');
        await page.getByLabel('办理意见').fill('请一次补正以下问题');
        await page.getByTestId('decisions').getByRole('button', { name: '退回补正', exact: true }).click();
        const form = page.getByTestId('return-form');
        await chooseOption(page, form.locator('.el-select').first(), '工作频次');
        await page.getByLabel('问题1', { exact: true }).fill('每周一次与每月工作量不符，请核对');
        await form.getByRole('button', { name: '增加一项' }).click();
        await page.getByLabel('问题2', { exact: true }).fill('请补充探访记录表样式');
        await form.getByRole('button', { name: '确认退回补正' }).click();
        await page.getByTestId('done').filter({ hasText: '已办理：退回补正' }).waitFor();
      });
      expect(await application()).toMatchObject({
        status: 'returned',
        returnedStep: 'scopeReview',
        deficiencies: [
          { field: 'frequency', problem: '每周一次与每月工作量不符，请核对' },
          { problem: '请补充探访记录表样式' },
        ],
      });
      expect(await openSteps()).toEqual(['correct']);
      reached = 3;
    },
    PHASE_MS,
  );

  it(
    'given the returned application, when dept-staff opens it from 本单位申请, then it sees the step and every deficiency, corrects the field and resubmits it in the browser',
    async () => {
      from(3);
      const page = await logIn('dept-staff');
      await withScreenshot(page, 'walk-4-correct-resubmit', async () => {
        await page.getByRole('menuitem', { name: '本单位申请' }).click();
        await page.waitForURL(`${base}/console/my-applications`);
        const row = page.getByRole('row').filter({ hasText: TITLE });
        await expect(row.getByTestId('application-status').textContent()).resolves.toBe('退回补正');
        await row.getByTestId('application-title').click();
        await page.waitForURL(`${base}/console/my-applications/${applicationId}`);
        await page.getByTestId('returned').waitFor();
        await expect(page.getByTestId('returned').textContent()).resolves.toContain('范围审查');
        const deficiencies = page.getByTestId('deficiencies');
        await expect(deficiencies.textContent()).resolves.toContain('频次：每周一次与每月工作量不符，请核对');
        await expect(deficiencies.textContent()).resolves.toContain('请补充探访记录表样式');
        await expect(page.getByTestId('field-frequency').textContent()).resolves.toContain(
          '退回问题：每周一次与每月工作量不符',
        );

        await page.getByLabel('工作频次').fill('每月一次');
        await page.getByTestId('save').click();
        const changes = page.getByTestId('changes');
        await changes.waitFor();
        await expect(changes.textContent()).resolves.toContain('每周一次');
        await expect(changes.textContent()).resolves.toContain('每月一次');
        await page.getByLabel('提交说明（可不填）').fill('已改为每月一次；探访记录表样式另行报送');
        await page.getByTestId('submit').click();
        await page.getByTestId('application-status').filter({ hasText: '审核中' }).waitFor();
        await expect(page.getByTestId('returned').count()).resolves.toBe(0);
      });
      expect(await application()).toMatchObject({
        status: 'in_review',
        frequency: '每月一次',
        deficiencies: [],
        changesSinceSubmission: { frequency: { before: '每周一次', after: '每月一次' } },
      });
      // The resubmission goes back to the office's completeness review.
      expect(await openSteps()).toEqual(['completeness']);
      reached = 4;
    },
    PHASE_MS,
  );

  it(
    'given the resubmitted application, when the office reviews it again, the three member units countersign and the principal leader signs, each on its task page, then it is admitted with a number',
    async () => {
      from(4);
      await approveAs('office', '领导小组办公室完整性审查', '补正后材料齐全');
      await approveAs('office', '领导小组办公室范围与重复审查', '属法定范围，无重复');
      expect(await openSteps()).toEqual(['countersign', 'countersign', 'countersign']);
      await approveAs('member-1', '成员单位会签', '公安分局同意');
      await approveAs('member-2', '成员单位会签', '人社局同意');
      await approveAs('member-3', '成员单位会签', '财政局同意');
      expect(await openSteps()).toEqual(['leaderSign']);
      await approveAs('leader', '主要领导签批', '同意准入');
      expect(await openSteps()).toEqual([]);
      expect((await application()).status).toBe('admitted');
      const [item] = await t.dataSource.query(
        'SELECT admission_number FROM admitted_item WHERE application_id = $1',
        [applicationId],
      );
      expect(item.admission_number).toEqual(expect.any(String));
      // Signed but not yet funded: not in force in the community on its start date.
      const register = await t.http().get(`/admitted-items?community=${XINGHUA}&asOf=${START}`);
      expect(register.body.items.map((x: { title: string }) => x.title)).not.toContain(TITLE);
      reached = 5;
    },
    2 * PHASE_MS,
  );

  it(
    'given the admitted item, when dept-staff registers the transfer for 杏花社区 and finance confirms it, each in the browser, then the funding is confirmed',
    async () => {
      from(5);
      const staff = await logIn('dept-staff');
      await withScreenshot(staff, 'walk-6-register-transfer', async () => {
        await staff.getByRole('menuitem', { name: '经费划转' }).click();
        await staff.waitForURL(`${base}/console/my-funding`);
        const row = staff.getByTestId('funding-dues').getByRole('row').filter({ hasText: TITLE });
        await expect(row.textContent()).resolves.toContain('2,468.10 元');
        await row.getByRole('button', { name: '登记划转' }).click();
        const dialog = staff.getByRole('dialog');
        await expect(dialog.getByLabel('划转金额（元）').inputValue()).resolves.toBe('2468.10');
        await dialog.getByLabel('社区专账账户').fill('杏花社区财务专账 002');
        await dialog.getByLabel('划转凭证号').fill('GK-2027-0601');
        await dialog.getByRole('button', { name: '确认登记' }).click();
        await staff.getByText('已登记，待财政确认').waitFor();
      });
      const finance = await logIn('finance');
      await withScreenshot(finance, 'walk-7-finance-confirm', async () => {
        await finance.getByRole('menuitem', { name: '经费到账确认' }).click();
        await finance.waitForURL(/\/console\/finance\/transfers/);
        const row = finance.getByRole('row').filter({ hasText: TITLE });
        await expect(row.getByTestId('amount').textContent()).resolves.toBe('2,468.10 元');
        await row.getByRole('button', { name: '确认东华街道 杏花社区的经费到账' }).click();
        await finance.getByRole('dialog').getByRole('button', { name: '确认到账' }).click();
        await expect(finance.getByTestId('confirm-done').textContent()).resolves.toContain(
          '自开始日期起在该社区实施',
        );
      });
      const [transfer] = await t.dataSource.query(
        `SELECT f.amount_fen, f.confirmed_at FROM funding_transfer f
           JOIN admitted_item i ON i.id = f.item_id WHERE i.application_id = $1`,
        [applicationId],
      );
      expect(String(transfer.amount_fen)).toBe('246810');
      expect(transfer.confirmed_at).not.toBeNull();
      reached = 6;
    },
    PHASE_MS,
  );

  it(
    'given the funded item, when anyone opens the public register without logging in and searches 杏花 on its start date, then the item is there in force from 2027年6月1日, and not the day before',
    async () => {
      from(6);
      const page = await b.page();
      await withScreenshot(page, 'walk-8-public-register', async () => {
        await page.goto(`${base}/console/register?asOf=${START}`);
        await page.getByLabel('社区名称').fill('杏花');
        await page.getByRole('button', { name: '查询' }).click();
        await page.waitForURL(/communityName=/);
        await page.getByTestId('item-title').filter({ hasText: TITLE }).waitFor();
        const table = page.getByTestId('register');
        await expect(table.textContent()).resolves.toContain('2027年6月1日 至 2027年12月31日');
        await expect(table.textContent()).resolves.toContain('杏花社区');
        await expect(page.getByTestId('register-summary').textContent()).resolves.toContain('2027年6月1日');
        expect(await page.evaluate(`sessionStorage.getItem('cwa.token')`)).toBeNull();

        // The day before its start it is not yet in force.
        await page.goto(
          `${base}/console/register?communityName=${encodeURIComponent('杏花')}&asOf=2027-05-31`,
        );
        await page.getByTestId('register-summary').filter({ hasText: '2027年5月31日' }).waitFor();
        await expect(page.getByTestId('item-title').filter({ hasText: TITLE }).count()).resolves.toBe(0);
      });
      reached = 7;
    },
    PHASE_MS,
  );
});
