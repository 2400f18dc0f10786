import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { cstDay, dayStartCst } from '../src/common/china-time.js';
import { Clock } from '../src/common/clock.js';
import type { Actor } from '../src/common/actor.js';
import { TaskCreation } from '../src/workflow/runtime/task-creation.js';
import { WorkflowRuntime } from '../src/workflow/runtime.service.js';
import {
  loadShippedCalendars,
  SHIPPED_DATA_DIR,
  shippedCalendarFiles,
} from '../src/workflow/work-calendar-shipped.js';
import { makeApplication, submitApplication } from './helpers/admission.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const SHIPPED = 'work-calendar-cn-2026.csv';
const log = pino({ level: 'silent' });

/** The end (24:00 China time) of a day: when a step limited to working days ending that day is due. */
const endOf = (day: string) => new Date(dayStartCst(day).getTime() + 86_400_000).toISOString();

/** A notice for a year as an administrator transcribes it. */
const NOTICE_2031 = [
  'date,kind,name,source',
  '2031-10-01,holiday,国庆节,国务院办公厅关于2031年部分节假日安排的通知',
  '2031-10-02,holiday,国庆节,国务院办公厅关于2031年部分节假日安排的通知',
  '2031-10-03,holiday,国庆节,国务院办公厅关于2031年部分节假日安排的通知',
  '2031-09-28,workday,国庆节调休上班,国务院办公厅关于2031年部分节假日安排的通知',
  '',
].join('\n');

/**
 * The national holiday calendar is there from the first start (issue 11 item 12): the service ships the State
 * Council's 2026 arrangement and loads it through the same import an administrator uses for the next year's
 * notice; working-day limits skip 春节 and count 调休 Saturdays.
 */
describe('work calendar', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let community: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = { Authorization: `Bearer ${await t.token('sysadmin')}` };
    community = (await t.dataSource.query(`SELECT id FROM org_unit WHERE code = '339901001001'`))[0].id;
  });
  afterAll(async () => {
    await t.close();
  });

  const imports = async (): Promise<number> =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_record WHERE action = 'work-calendar.imported'`,
      )
    )[0].n;
  const markedDays = async (year: number): Promise<number> =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM work_calendar_day WHERE extract(year FROM day) = $1`,
        [year],
      )
    )[0].n;

  describe('given a first start on a database without a calendar', () => {
    it('then the shipped 2026 arrangement is there, recorded as loaded at start-up, with its audit record', async () => {
      expect(shippedCalendarFiles()).toContain(SHIPPED);
      const res = await t.http().get('/work-calendar?year=2026&pageSize=200').set(admin);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(39);
      const byDay = Object.fromEntries(
        res.body.items.map((d: { day: string; workingDay: boolean; note: string }) => [d.day, d]),
      );
      expect(byDay['2026-02-17']).toEqual({ day: '2026-02-17', workingDay: false, note: '春节' });
      expect(byDay['2026-02-14']).toEqual({ day: '2026-02-14', workingDay: true, note: '春节调休上班' });
      expect(byDay['2026-10-10']).toEqual({ day: '2026-10-10', workingDay: true, note: '国庆节调休上班' });
      const setting = await t.dataSource.query(`SELECT value FROM system_setting WHERE key = $1`, [
        `work-calendar-file:${SHIPPED}`,
      ]);
      expect(JSON.parse(setting[0].value)).toMatchObject({ by: 'start-up', days: 39 });
      const audit = await t.dataSource.query(
        `SELECT actor_username, entity_id, data FROM audit_record WHERE action = 'work-calendar.imported' ORDER BY seq`,
      );
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_username: 'system', entity_id: SHIPPED });
      expect(audit[0].data).toMatchObject({ by: 'start-up', days: 39, years: [2026], unchanged: 0 });
      expect(audit[0].data.added).toHaveLength(39);
    });

    it('when the service starts again, then nothing is imported again', async () => {
      const before = await imports();
      expect(await loadShippedCalendars(t.dataSource, log)).toEqual([]);
      expect(await imports()).toBe(before);
    });

    it('when three processes start at the same moment on a database without it, then exactly one imports it', async () => {
      await t.dataSource.query(`DELETE FROM system_setting WHERE key LIKE 'work-calendar-file:%'`);
      await t.dataSource.query(`DELETE FROM work_calendar_day`);
      const before = await imports();
      const results = await Promise.all([1, 2, 3].map(() => loadShippedCalendars(t.dataSource, log)));
      expect(results.filter((r) => r.length === 1)).toEqual([[SHIPPED]]);
      expect(results.filter((r) => r.length === 0)).toHaveLength(2);
      expect(await imports()).toBe(before + 1);
      expect(await markedDays(2026)).toBe(39);
    });

    it('when an administrator changed a shipped day, then a restart keeps their change', async () => {
      const put = await t
        .http()
        .put('/work-calendar/2026-10-08')
        .set(admin)
        .send({ workingDay: true, note: '本市调整' });
      expect(put.status).toBe(200);
      expect(await loadShippedCalendars(t.dataSource, log)).toEqual([]);
      const row = await t.dataSource.query(
        `SELECT working_day, note FROM work_calendar_day WHERE day = '2026-10-08'`,
      );
      expect(row[0]).toEqual({ working_day: true, note: '本市调整' });
      await t.http().put('/work-calendar/2026-10-08').set(admin).send({ workingDay: false, note: '国庆节' });
    });
  });

  describe('given a newer version of a shipped file', () => {
    it('when an administrator changed a day since it was loaded, then the newer version waits for them (a warning), else it is loaded', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'cwa-calendar-'));
      try {
        const file = 'work-calendar-zz-2040.csv';
        const v = (days: string[]) =>
          ['date,kind,name,source', ...days.map((d) => `${d},holiday,测试假日,测试`), ''].join('\n');
        writeFileSync(path.join(dir, file), v(['2040-05-01', '2040-05-02']));
        expect(await loadShippedCalendars(t.dataSource, log, dir)).toEqual([file]);
        // Unchanged by hand: a newer version is loaded.
        writeFileSync(path.join(dir, file), v(['2040-05-01', '2040-05-02', '2040-05-03']));
        expect(await loadShippedCalendars(t.dataSource, log, dir)).toEqual([file]);
        const put = await t
          .http()
          .put('/work-calendar/2040-05-01')
          .set(admin)
          .send({ workingDay: true, note: '本市调整' });
        expect(put.status).toBe(200);
        writeFileSync(path.join(dir, file), v(['2040-05-01', '2040-05-04']));
        expect(await loadShippedCalendars(t.dataSource, log, dir)).toEqual([]);
        const row = await t.dataSource.query(
          `SELECT working_day, note FROM work_calendar_day WHERE day = '2040-05-01'`,
        );
        expect(row[0]).toEqual({ working_day: true, note: '本市调整' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('given the next year’s notice', () => {
    it('when the administrator imports it, then its days are marked and the import is recorded', async () => {
      const before = await imports();
      const res = await t
        .http()
        .post('/work-calendar/imports')
        .set(admin)
        .send({ fileName: 'work-calendar-cn-2031.csv', csv: NOTICE_2031 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        fileName: 'work-calendar-cn-2031.csv',
        days: 4,
        added: 4,
        changed: 0,
        unchanged: 0,
        years: [2031],
      });
      expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
      const list = await t.http().get('/work-calendar?year=2031').set(admin);
      expect(list.body.items.map((d: { day: string }) => d.day)).toEqual([
        '2031-09-28',
        '2031-10-01',
        '2031-10-02',
        '2031-10-03',
      ]);
      expect(await imports()).toBe(before + 1);
      const audit = await t.dataSource.query(
        `SELECT actor_username, data FROM audit_record WHERE action = 'work-calendar.imported' ORDER BY seq DESC LIMIT 1`,
      );
      expect(audit[0].actor_username).toBe('sysadmin');
      expect(audit[0].data).toMatchObject({ by: 'administrator', fileName: 'work-calendar-cn-2031.csv' });
    });

    it('when it is imported again, then nothing changes', async () => {
      const res = await t
        .http()
        .post('/work-calendar/imports')
        .set(admin)
        .send({ fileName: 'work-calendar-cn-2031.csv', csv: NOTICE_2031 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ days: 4, added: 0, changed: 0, unchanged: 4 });
      expect(await markedDays(2031)).toBe(4);
    });

    it('when a corrected notice moves a day, then that day is changed and the change is in the audit record', async () => {
      const corrected = NOTICE_2031.replace('2031-10-03,holiday,国庆节', '2031-10-03,holiday,国庆节（补）');
      const res = await t
        .http()
        .post('/work-calendar/imports')
        .set(admin)
        .send({ fileName: 'work-calendar-cn-2031.csv', csv: corrected });
      expect(res.body).toMatchObject({ added: 0, changed: 1, unchanged: 3 });
      const audit = await t.dataSource.query(
        `SELECT data FROM audit_record WHERE action = 'work-calendar.imported' ORDER BY seq DESC LIMIT 1`,
      );
      expect(audit[0].data.changed).toEqual([
        {
          day: '2031-10-03',
          before: { workingDay: false, note: '国庆节' },
          after: { workingDay: false, note: '国庆节（补）' },
        },
      ]);
    });

    it('when the file has bad lines, then every one is told at once with its line number and nothing is imported', async () => {
      const before = await imports();
      const csv = [
        'date,kind,name,source',
        '2032-01-01,holiday,元旦,通知',
        '2032-02-30,holiday,春节,通知',
        '2032-02-11,vacation,春节,通知',
        '2032-02-12,workday,春节调休上班,通知',
        '2032-01-01,holiday,元旦,通知',
        '2032-05-01,holiday',
        '2032-06-01,holiday,,通知',
      ].join('\r\n');
      const res = await t
        .http()
        .post('/work-calendar/imports')
        .set(admin)
        .send({ fileName: 'work-calendar-cn-2032.csv', csv });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('CALENDAR_CSV_INVALID');
      expect(res.body.error.message).toMatch(/^工作日历文件有误/);
      const details: { line: number; problems: string[] }[] = res.body.error.details;
      expect(details.map((d) => d.line)).toEqual([3, 4, 5, 6, 7, 8]);
      expect(details[0].problems[0]).toMatch(/^日期（date）“2032-02-30”须为实际存在的日期/);
      expect(details[1].problems[0]).toMatch(/^类型（kind）“vacation”须为 holiday/);
      expect(details[2].problems[0]).toMatch(/^2032-02-12 是周一至周五/);
      expect(details[3].problems[0]).toMatch(/与第 2 行重复/);
      expect(details[4].problems[0]).toMatch(/^须有 3 或 4 列/);
      expect(details[5].problems[0]).toMatch(/^名称（name）须填写/);
      expect(await markedDays(2032)).toBe(0);
      expect(await imports()).toBe(before);
    });

    it('when thousands of lines are bad, then the first 200 are told and the last entry says how many more', async () => {
      const csv = ['date,kind,name,source', ...Array.from({ length: 5000 }, () => 'x')].join('\n');
      const res = await t
        .http()
        .post('/work-calendar/imports')
        .set(admin)
        .send({ fileName: 'work-calendar-bad.csv', csv });
      expect([res.status, res.body.error.code]).toEqual([400, 'CALENDAR_CSV_INVALID']);
      const details: { line: number; problems: string[] }[] = res.body.error.details;
      expect(details).toHaveLength(201);
      expect(details[200]).toEqual({ line: 202, problems: [expect.stringMatching(/^此后还有 4800 行有误/)] });
    });

    it('when the header is wrong, then line 1 says what it must be', async () => {
      const res = await t
        .http()
        .post('/work-calendar/imports')
        .set(admin)
        .send({ fileName: 'x.csv', csv: '日期,类型\n2032-01-01,holiday,元旦\n' });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([
        { line: 1, problems: [expect.stringMatching(/^第 1 行须为表头/)] },
      ]);
    });

    it('when the file name is a path, then 400 naming fileName', async () => {
      const res = await t
        .http()
        .post('/work-calendar/imports')
        .set(admin)
        .send({ fileName: '../etc/passwd', csv: NOTICE_2031 });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ field: 'fileName' });
      expect(res.body.error.details[0].problems[0]).toMatch(/^文件名（fileName）只能含/);
    });

    it('when a department clerk imports, then 403', async () => {
      const staff = { Authorization: `Bearer ${await t.token('dept-staff')}` };
      const res = await t
        .http()
        .post('/work-calendar/imports')
        .set(staff)
        .send({ fileName: 'work-calendar-cn-2031.csv', csv: NOTICE_2031 });
      expect(res.status).toBe(403);
    });

    it('when the shipped file is imported by hand, then it is the same CSV shape and changes nothing', async () => {
      const csv = readFileSync(`${SHIPPED_DATA_DIR}/${SHIPPED}`, 'utf8');
      const res = await t.http().post('/work-calendar/imports').set(admin).send({ fileName: SHIPPED, csv });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ days: 39, added: 0, changed: 0, unchanged: 39 });
    });
  });

  describe('given working-day limits', () => {
    const dueOfDeptApprove = async (instanceId: string): Promise<string> =>
      (
        await t.dataSource.query(
          `SELECT due_at FROM workflow_task WHERE instance_id = $1 AND element_id = 'deptApprove'`,
          [instanceId],
        )
      )[0].due_at.toISOString();

    /**
     * Starts an admission case on a day as submitting an application does (the same flow and step limits), by the
     * runtime: a clock moved into the past refuses every access token, which is issued by the machine's time.
     */
    const startAdmissionOn = async (day: string): Promise<string> => {
      const clock = t.app.get(Clock);
      const offset = dayStartCst(day).getTime() + 10 * 3600_000 - clock.nowMs();
      clock.advance(offset);
      try {
        const staff = (
          await t.dataSource.query(`SELECT id, username, unit_id FROM app_user WHERE username = 'dept-staff'`)
        )[0];
        const actor = { principal: { userId: staff.id, username: staff.username } } as Actor;
        const started = await t.app.get(WorkflowRuntime).start(actor, {
          processId: 'admission',
          businessKey: `calendar-${day}-${Math.random()}`,
          ownerUnitId: staff.unit_id,
          variables: {},
        });
        return started.id;
      } finally {
        clock.advance(-offset);
      }
    };

    it('when a limit was counted just before the calendar changes, then the next limit counts with the change at once', async () => {
      // The calendar is cached once read: a day set by an administrator must count from the next step on.
      const first = await submitApplication(t, makeApplication([community], { title: '日历缓存一' }));
      const due = new Date(await dueOfDeptApprove(first.instanceId));
      // The last working day counted: make it a holiday, and the next limit ends a working day later.
      const lastDay = cstDay(new Date(due.getTime() - 1));
      const put = await t
        .http()
        .put(`/work-calendar/${lastDay}`)
        .set(admin)
        .send({ workingDay: false, note: '测试放假' });
      expect(put.status).toBe(200);
      try {
        const second = await submitApplication(t, makeApplication([community], { title: '日历缓存二' }));
        expect(new Date(await dueOfDeptApprove(second.instanceId)).getTime()).toBeGreaterThan(due.getTime());
      } finally {
        await t.dataSource.query(`DELETE FROM work_calendar_day WHERE day = $1`, [lastDay]);
        t.app.get(TaskCreation).forgetCalendar();
      }
    });

    it('when a 5-working-day step starts on the Friday before 春节 2026, then it is due after the holiday, counting the 调休 Saturday', async () => {
      const instanceId = await startAdmissionOn('2026-02-13');
      // Sat 14 (调休上班) is the 1st working day; 15–23 are off; Tue 24 … Fri 27 are the 2nd to the 5th.
      expect(await dueOfDeptApprove(instanceId)).toBe(endOf('2026-02-27'));
    });

    it('when a 5-working-day step starts on the Wednesday before the 调休 Saturday of 28 February 2026, then that Saturday counts', async () => {
      const instanceId = await startAdmissionOn('2026-02-25');
      // Thu 26, Fri 27, Sat 28 (调休上班), Mon 2 March, Tue 3 March.
      expect(await dueOfDeptApprove(instanceId)).toBe(endOf('2026-03-03'));
    });
  });
});
