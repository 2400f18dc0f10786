import { FakeStepRepository, FAKE_MANAGER, fakeLive } from '../../../test/helpers/fake-step-repository.js';
import { Clock } from '../../common/clock.js';
import type { ElementApi } from '../bpmn.js';
import type { InstanceStatus } from '../workflow-instance.entity.js';
import type { WorkflowRegistry } from '../workflow.registry.js';
import type { InstanceRow, TaskRowBrief } from './step-records.js';
import { TaskCreation } from './task-creation.js';

const instance: InstanceRow = {
  id: 'case-1',
  definitionId: 'd',
  processId: 'p',
  businessKey: null,
  ownerUnitId: 'unit-1',
  startedBy: null,
  status: 'active',
  version: 3,
};
const wait = (executionId: string, behaviour: Record<string, unknown> = {}): [string, ElementApi] => [
  executionId,
  {
    id: executionId.split('_')[0],
    type: 'bpmn:UserTask',
    executionId,
    content: {},
    owner: { behaviour: { candidateGroups: 'office', ...behaviour }, name: `task ${executionId}` },
    signal: () => undefined,
    environment: { variables: {} },
  },
];
const row = (id: string, executionId: string, status = 'open'): TaskRowBrief => ({
  id,
  execution_id: executionId,
  status,
  element_id: executionId.split('_')[0],
  name: id,
});

describe('task rows follow the engine', () => {
  let repo: FakeStepRepository;
  let clock: Clock;
  let tasks: TaskCreation;
  const resolved: string[] = [];
  beforeEach(() => {
    repo = new FakeStepRepository();
    clock = new Clock();
    resolved.length = 0;
    const registry = {
      resolveCandidates: async (groups: string | null) => {
        resolved.push(groups ?? '');
        return { unitIds: ['office-unit'], roles: ['CLERK'], userIds: [] };
      },
    } as unknown as WorkflowRegistry;
    tasks = new TaskCreation(repo.asRepository, registry, clock);
  });
  const reconcile = (
    waits: [string, ElementApi][],
    rows: TaskRowBrief[],
    over: { status?: InstanceStatus; completed?: string[] } = {},
  ) =>
    tasks.reconcile({
      manager: FAKE_MANAGER,
      live: fakeLive({ waits: new Map(waits) }),
      instance,
      status: over.status ?? 'active',
      now: new Date('2026-12-01T02:00:00Z'),
      rows,
      completedTaskIds: new Set(over.completed ?? []),
    });

  it('given a case that ends, when the step reconciles, then every open task is cancelled except the one it completed, and none is created', async () => {
    const out = await reconcile(
      [wait('review_1')],
      [row('done', 'approve_1'), row('other', 'review_1'), row('stray', 'ghost_1')],
      { status: 'completed', completed: ['done'] },
    );
    expect(repo.writes).toEqual([
      ['cancelTask', 'other'],
      ['cancelTask', 'stray'],
    ]);
    expect([...out.cancelledTaskIds]).toEqual(['other', 'stray']);
    expect(out.newTasks).toEqual([]);
    expect(out.openTasks).toEqual([]);
    expect(out.history.map((h) => h.action)).toEqual(['task.cancelled', 'task.cancelled']);
  });

  it('given a case moving on, then a task whose wait is gone is cancelled, a waiting one stays open and a new wait gets a task', async () => {
    const out = await reconcile(
      [wait('stays_1'), wait('next_1')],
      [row('s', 'stays_1'), row('gone', 'left_1')],
    );
    expect(repo.writes).toEqual([['cancelTask', 'gone']]);
    expect(out.openTasks.map((t) => t.elementId)).toEqual(['stays', 'next']);
    expect(out.newTasks).toHaveLength(1);
    expect(out.newTasks[0]).toMatchObject({
      instance_id: 'case-1',
      execution_id: 'next_1',
      candidate_groups: 'office',
      candidate_unit_ids: ['office-unit'],
      candidate_roles: ['CLERK'],
      due_at: null,
    });
    expect(out.limitTimers).toEqual([]);
    expect(out.history.map((h) => h.action)).toEqual(['task.created', 'task.cancelled']);
  });

  it('given a restored state (撤回), when a wait finds its task completed, then the task is reopened', async () => {
    const out = await reconcile([wait('review_1')], [row('t', 'review_1', 'completed')]);
    expect(repo.writes).toEqual([['reopenTask', 't']]);
    expect(out.history.map((h) => h.action)).toEqual(['task.reopened']);
    expect(out.openTasks.map((t) => t.id)).toEqual(['t']);
  });

  it('given a time limit in working days, then the task is due by the work calendar and its limit timer is scheduled for then', async () => {
    // Tuesday 1 December (China); Wednesday 2 is declared a holiday: 2 working days end with Friday 4.
    repo.calendar = [{ day: '2026-12-02', working_day: false }];
    const out = await reconcile([wait('review_1', { dueDate: '2WD' })], []);
    const due = new Date('2026-12-04T16:00:00Z');
    expect(out.newTasks[0]).toMatchObject({ due_at: due, limit_working_days: 2 });
    expect(out.limitTimers).toEqual([
      expect.objectContaining({ kind: 'task-limit', taskId: out.newTasks[0].id, fireAt: due }),
    ]);
  });

  it('given the work calendar read a moment ago, then it serves for a minute of the clock and is read again after', async () => {
    await reconcile([wait('a_1', { dueDate: '1WD' })], []);
    await reconcile([wait('b_1', { dueDate: '1WD' })], []);
    expect(repo.calendarReads).toBe(1);
    clock.advance(60_000);
    await reconcile([wait('c_1', { dueDate: '1WD' })], []);
    expect(repo.calendarReads).toBe(2);
  });
});
