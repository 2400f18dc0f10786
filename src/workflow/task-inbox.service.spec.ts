import type { DataSource } from 'typeorm';
import type { Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { candidatesText, dueInfo, holderText } from './task-about.js';
import { TaskInbox } from './task-inbox.service.js';
import { WorkflowRegistry } from './workflow.registry.js';

/** A data source answering the inbox query with the rows given and a count query with `count`. */
function fakeDataSource(rows: Record<string, unknown>[], count: number) {
  const asked: { sql: string; params: unknown[] }[] = [];
  const dataSource = {
    // A statement may come prepared (an object with its text, see common/sql.ts `prepared`).
    query: async (statement: string, params: unknown[]) => {
      const sql = String(statement);
      asked.push({ sql, params });
      return sql.trimStart().startsWith('SELECT count(*)') ? [{ n: String(count) }] : rows;
    },
  } as unknown as DataSource;
  return { dataSource, asked };
}

/** An inbox over the fake data source: no subjects registered, an empty calendar, one process version. */
function inboxOver(dataSource: DataSource, clock = new Clock()) {
  const registry = new WorkflowRegistry();
  const definitions = { get: async (id: string) => ({ id, name: '审查流程' }) } as never;
  const runtime = { workCalendar: async () => new Map<string, boolean>() } as never;
  return new TaskInbox(dataSource, clock, {} as never, registry, definitions, runtime, {} as never);
}

const clerk = {
  userId: 'clerk',
  unitId: 'office',
  roles: ['OFFICE'],
  permissions: new Set(),
} as unknown as Principal;

function row(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    instance_id: 'case-1',
    process_id: 'review',
    business_key: null,
    element_id: 'officeReview',
    name: '审查',
    form_key: null,
    kind: 'step',
    assignee_id: null,
    candidate_unit_ids: ['office'],
    candidate_roles: ['OFFICE'],
    candidate_user_ids: [],
    escalated_to_unit_ids: [],
    created_at: new Date(new Clock().nowMs() - 3_600_000),
    due_at: new Date(new Clock().nowMs() + 86_400_000),
    overdue_at: null,
    urged_count: 0,
    loop_item: null,
    definition_id: 'def-1',
    assignee_name: null,
    candidate_unit_names: ['区领导小组办公室'],
    candidate_user_names: null,
    instance_status: 'active',
    total_rows: '7',
    ...over,
  };
}

describe('the task inbox, a page at a time', () => {
  it('given a page with rows, then the total comes with them and the page asked for is read at its offset', async () => {
    const { dataSource, asked } = fakeDataSource([row('t3'), row('t4')], 99);
    const inbox = inboxOver(dataSource);
    const page = await inbox.inbox(clerk, { page: 2, pageSize: 2 });
    expect(page).toMatchObject({ total: 7, page: 2, pageSize: 2 });
    expect(page.items.map((i) => i.id)).toEqual(['t3', 't4']);
    expect(page.items[0]).toMatchObject({ claimable: true, overdue: false, suspended: false });
    expect(asked).toHaveLength(1);
    expect(asked[0].params.slice(-2)).toEqual([2, 2]);
  });

  it('given a page past the end, then it is empty and the total is counted on its own', async () => {
    const { dataSource, asked } = fakeDataSource([], 5);
    const page = await inboxOver(dataSource).inbox(clerk, { page: 9 });
    expect(page).toEqual({ items: [], total: 5, page: 9, pageSize: 50 });
    expect(asked).toHaveLength(2);
  });

  it('given an empty inbox, then the first page says so without counting again', async () => {
    const { dataSource, asked } = fakeDataSource([], 5);
    expect(await inboxOver(dataSource).inbox(clerk)).toEqual({
      items: [],
      total: 0,
      page: 1,
      pageSize: 50,
    });
    expect(asked).toHaveLength(1);
  });

  it('given a task past its time limit held by a colleague, then it is overdue, not claimable, with negative time left', async () => {
    const clock = new Clock();
    const { dataSource } = fakeDataSource(
      [row('t1', { assignee_id: 'colleague', due_at: new Date(clock.nowMs() - 60_000) })],
      1,
    );
    const [item] = (await inboxOver(dataSource, clock).inbox(clerk)).items;
    expect(item).toMatchObject({ claimable: false, overdue: true, assigneeId: 'colleague' });
    expect(item.timeLeftMs).toBeLessThan(0);
  });
});

describe('what an inbox item is about', () => {
  it('given a page of tasks of two processes, then each describer is asked once with all its keys', async () => {
    const asked: string[][] = [];
    const registry = new WorkflowRegistry();
    registry.registerSubject('review', async (_m, keys) => {
      asked.push([...keys].sort());
      return new Map(
        keys.map((k) => [
          k,
          {
            title: `事项 ${k}`,
            number: null,
            unitName: '区卫健委',
            kind: null,
            kindName: null,
            summary: null,
          },
        ]),
      );
    });
    const rows = [
      row('t1', { business_key: 'a' }),
      row('t2', { business_key: 'b' }),
      row('t3', { business_key: 'a' }),
      row('t4', { process_id: 'other', business_key: 'c' }),
      row('t5', { business_key: null }),
    ];
    const { dataSource } = fakeDataSource(rows, 5);
    const definitions = { get: async (id: string) => ({ id, name: '审查流程' }) } as never;
    const runtime = { workCalendar: async () => new Map<string, boolean>() } as never;
    const inbox = new TaskInbox(
      dataSource,
      new Clock(),
      {} as never,
      registry,
      definitions,
      runtime,
      {} as never,
    );
    const items = (await inbox.inbox(clerk)).items;
    expect(asked).toEqual([['a', 'b']]);
    expect(items.map((i) => i.subject?.title ?? null)).toEqual(['事项 a', '事项 b', '事项 a', null, null]);
    expect(items[0]).toMatchObject({
      processName: '审查流程',
      holder: '待认领：区领导小组办公室（领导小组办公室）',
      overdue: false,
    });
  });

  it('given candidates and a holder, then they are said in words', () => {
    expect(candidatesText(['东湖区公安分局'], ['MEMBER'], null)).toBe('东湖区公安分局（成员单位代表）');
    expect(candidatesText(null, [], ['孙正（区领导小组组长）'])).toBe('孙正（区领导小组组长）');
    expect(candidatesText(['甲', '乙'], [], ['丙'])).toBe('甲、乙；丙');
    expect(candidatesText(null, [], null)).toBe('无人可办（请领导小组办公室处理）');
    expect(holderText(null, '甲')).toBe('待认领：甲');
    expect(holderText('李健', '甲')).toBe('李健');
  });

  it('given a page of tasks ending on the same day, then the working days to it are counted once for the page and answered alike', () => {
    const now = new Date('2026-09-25T02:00:00Z').getTime();
    let asked = 0;
    const calendar = new (class extends Map<string, boolean> {
      override get(day: string) {
        asked++;
        return super.get(day);
      }
    })([['2026-09-28', false]]);
    const counted = new Map<string, number>();
    const first = dueInfo(new Date('2026-09-29T16:00:00Z'), null, now, calendar, counted);
    const askedForOne = asked;
    const second = dueInfo(new Date('2026-09-29T10:00:00Z'), null, now, calendar, counted);
    expect(askedForOne).toBeGreaterThan(0);
    expect(asked).toBe(askedForOne);
    expect(second).toEqual(first);
    expect(first).toEqual(dueInfo(new Date('2026-09-29T16:00:00Z'), null, now, calendar));
    expect(first.workingDaysLeft).toBe(2); // Friday, Tuesday (Monday off)
  });

  it('given a time limit, then its last day and the working days to it count holidays and 调休 days', () => {
    // Friday 2026-09-25, 10:00 CST; the limit ends with Tuesday 2026-09-29 (24:00 CST).
    const now = new Date('2026-09-25T02:00:00Z').getTime();
    const due = new Date('2026-09-29T16:00:00Z');
    expect(dueInfo(due, null, now, new Map())).toEqual({
      dueDay: '2026-09-29',
      workingDaysLeft: 3, // Friday, Monday, Tuesday
      todayCounted: true,
      dueState: 'onTime',
      overdue: false,
    });
    // Monday off, Sunday a 调休 working day: still three.
    const calendar = new Map([
      ['2026-09-27', true],
      ['2026-09-28', false],
    ]);
    expect(dueInfo(due, null, now, calendar).workingDaysLeft).toBe(3);
    // On a Saturday today is not one of them: Monday and Tuesday.
    const saturday = new Date('2026-09-26T02:00:00Z').getTime();
    expect(dueInfo(due, null, saturday, new Map())).toMatchObject({
      workingDaysLeft: 2,
      todayCounted: false,
    });
    // Its last working day only: due soon.
    expect(dueInfo(new Date('2026-09-25T16:00:00Z'), null, now, new Map())).toMatchObject({
      dueDay: '2026-09-25',
      workingDaysLeft: 1,
      dueState: 'dueSoon',
    });
    // Past it, or flagged overdue: overdue with nothing left; no limit: none.
    expect(dueInfo(new Date(now - 1), null, now, new Map())).toMatchObject({
      dueState: 'overdue',
      workingDaysLeft: 0,
      overdue: true,
    });
    expect(dueInfo(due, new Date(now), now, new Map())).toMatchObject({ dueState: 'overdue', overdue: true });
    expect(dueInfo(null, null, now, new Map())).toEqual({
      dueDay: null,
      workingDaysLeft: null,
      todayCounted: null,
      dueState: 'none',
      overdue: false,
    });
  });
});
