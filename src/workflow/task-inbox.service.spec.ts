import type { DataSource } from 'typeorm';
import type { Principal } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { TaskInbox } from './task-inbox.service.js';
import { WorkflowRegistry } from './workflow.registry.js';

/** A data source answering the inbox query with the rows given and a count query with `count`. */
function fakeDataSource(rows: Record<string, unknown>[], count: number) {
  const asked: { sql: string; params: unknown[] }[] = [];
  const dataSource = {
    query: async (sql: string, params: unknown[]) => {
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
  return new TaskInbox(dataSource, clock, {} as never, registry, definitions, runtime);
}

const clerk = { userId: 'clerk', unitId: 'office', roles: ['OFFICE'] } as unknown as Principal;

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
