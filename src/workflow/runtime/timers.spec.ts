import { FakeStepRepository, FAKE_MANAGER, fakeLive } from '../../../test/helpers/fake-step-repository.js';
import { Clock } from '../../common/clock.js';
import type { TimerQueue } from '../timer-queue.js';
import type { WorkflowTimer } from '../workflow-timer.entity.js';
import type { WorkflowRegistry } from '../workflow.registry.js';
import { NothingToDo, type StepContext, type TimerRowBrief } from './step-records.js';
import { planTimers, RuntimeTimers } from './timers.js';

const held = (executionId: string) => ({
  elementId: executionId.split('_')[0],
  executionId,
  expireAt: new Date('2026-12-31T00:00:00Z'),
  fire: () => undefined,
});
const pending = (id: string, over: Partial<TimerRowBrief> = {}): TimerRowBrief => ({
  id,
  execution_id: `${id}_exec`,
  kind: 'bpmn',
  task_id: null,
  task_open: null,
  ...over,
});

describe('which timers a step schedules and cancels', () => {
  it('given a case that ends, then every pending timer is cancelled, BPMN and task timers alike, and none scheduled', () => {
    const plan = planTimers({
      ended: true,
      held: [held('lapse_1')],
      pending: [
        pending('b', { execution_id: 'lapse_1' }),
        pending('limit', { kind: 'task-limit', task_id: 't1', task_open: true }),
        pending('delegation', { kind: 'delegation', task_id: 't2', task_open: true }),
      ],
      closedTaskIds: new Set(),
    });
    expect(plan.schedule).toEqual([]);
    expect(plan.cancel.sort()).toEqual(['b', 'delegation', 'limit']);
  });

  it('given a boundary event that fired (the engine no longer holds its timer), then its timer is cancelled and a newly held one is scheduled', () => {
    const plan = planTimers({
      ended: false,
      held: [held('next_1'), held('kept_1')],
      pending: [pending('gone', { execution_id: 'boundary_1' }), pending('kept', { execution_id: 'kept_1' })],
      closedTaskIds: new Set(),
    });
    expect(plan.cancel).toEqual(['gone']);
    expect(plan.schedule.map((t) => t.executionId)).toEqual(['next_1']);
  });

  it('given tasks the step completed or cancelled and a task no longer open, then their time limits stop and open tasks keep theirs', () => {
    const plan = planTimers({
      ended: false,
      held: [],
      pending: [
        pending('done', { kind: 'task-limit', task_id: 'completed', task_open: true }),
        pending('cancelled', { kind: 'task-limit', task_id: 'cancelled', task_open: true }),
        pending('stale', { kind: 'delegation', task_id: 'closed-before', task_open: false }),
        pending('open', { kind: 'task-limit', task_id: 'open', task_open: true }),
      ],
      closedTaskIds: new Set(['completed', 'cancelled']),
    });
    expect(plan.cancel.sort()).toEqual(['cancelled', 'done', 'stale']);
  });
});

describe('durable timers', () => {
  const timer = (over: Partial<WorkflowTimer> = {}): WorkflowTimer => ({
    id: 'timer-1',
    instanceId: 'case-1',
    kind: 'bpmn',
    elementId: 'lapse',
    executionId: 'lapse_1',
    taskId: null,
    fireAt: new Date('2026-12-31T00:00:00Z'),
    createdAt: new Date(0),
    firedAt: null,
    cancelledAt: null,
    jobId: null,
    ...over,
  });
  let repo: FakeStepRepository;
  let jobs: string[];
  let timers: RuntimeTimers;
  beforeEach(() => {
    repo = new FakeStepRepository();
    jobs = [];
    const queue = {
      schedule: async (_m: unknown, timerId: string) => {
        jobs.push(timerId);
        return `job-of-${timerId}`;
      },
      jobInsert: async (timerId: string) => {
        jobs.push(timerId);
        return { jobId: `job-of-${timerId}`, text: 'INSERT INTO pgboss.job', values: [] };
      },
    } as unknown as TimerQueue;
    timers = new RuntimeTimers(repo.asRepository, queue, {} as WorkflowRegistry, {} as never, new Clock());
  });
  const stepOf = (status: 'active' | 'suspended', fired: string[]) =>
    ({
      manager: FAKE_MANAGER,
      instance: { id: 'case-1', status },
      live: fakeLive({ heldTimers: () => [{ ...held('lapse_1'), fire: () => fired.push('lapse_1') }] }),
      history: [],
    }) as unknown as StepContext;

  it('given a timer another process fired already, when its step runs, then it rolls back quietly and fires nothing', async () => {
    repo.timers.set('timer-1', timer({ firedAt: new Date() }));
    const fired: string[] = [];
    const ctx = stepOf('active', fired);
    await expect(timers.fireInStep(ctx, timer())).rejects.toBeInstanceOf(NothingToDo);
    expect(fired).toEqual([]);
    expect(ctx.history).toEqual([]);
  });

  it('given a suspended case, when its timer comes due, then the step rolls back (the claim with it) and the timer waits', async () => {
    repo.timers.set('timer-1', timer());
    const fired: string[] = [];
    await expect(timers.fireInStep(stepOf('suspended', fired), timer())).rejects.toBeInstanceOf(NothingToDo);
    expect(fired).toEqual([]);
  });

  it('given an active case, when its timer fires, then the engine fires it and the step records timer.fired', async () => {
    repo.timers.set('timer-1', timer());
    const fired: string[] = [];
    const ctx = stepOf('active', fired);
    await timers.fireInStep(ctx, timer());
    expect(fired).toEqual(['lapse_1']);
    expect(ctx.history.map((h) => h.action)).toEqual(['timer.fired']);
  });

  it('given a new timer, when it is scheduled, then its row and its job are written in one statement of the transaction', async () => {
    await timers.schedule(FAKE_MANAGER, {
      instanceId: 'case-1',
      kind: 'task-limit',
      elementId: 'review',
      executionId: 'review_1',
      taskId: 'task-1',
      fireAt: new Date('2026-12-31T00:00:00Z'),
    });
    expect(jobs).toHaveLength(1);
    expect(repo.writes).toEqual([['insertTimerWithJob', 'task-limit', 'review', `job-of-${jobs[0]}`]]);
    expect(repo.timers.get(jobs[0])?.jobId).toBe(`job-of-${jobs[0]}`);
  });

  describe('the sweep', () => {
    const HOUR = 3600_000;
    let clock: Clock;
    let swept: RuntimeTimers;
    let fired: string[];
    /** Fires as the runtime does: only a timer not fired or cancelled yet, claimed by the firing. */
    const fire = async (id: string) => {
      const due = await swept.due(id);
      if (due && (await repo.claimTimer(FAKE_MANAGER, id, clock.now()))) fired.push(id);
    };
    const at = (ms: number, over: Partial<WorkflowTimer> = {}) =>
      timer({ fireAt: new Date(clock.nowMs() + ms), ...over });
    beforeEach(() => {
      clock = new Clock();
      fired = [];
      const queue = {
        schedule: async (_m: unknown, timerId: string, fireAt: Date | null) => {
          jobs.push(`${timerId}@${fireAt === null ? 'once' : fireAt.toISOString()}`);
          return `job-of-${timerId}`;
        },
      } as unknown as TimerQueue;
      swept = new RuntimeTimers(repo.asRepository, queue, {} as WorkflowRegistry, {} as never, clock);
      repo.rows.set('case-1', { id: 'case-1', status: 'active' } as never);
      repo.rows.set('case-2', { id: 'case-2', status: 'suspended' } as never);
    });

    it('given timers not yet due by the clock, then the sweep fires nothing; when the clock passes one, then it fires that one only', async () => {
      repo.timers.set('soon', at(HOUR, { id: 'soon', kind: 'task-limit' }));
      repo.timers.set('later', at(2 * HOUR, { id: 'later' }));
      expect(await swept.sweep(fire)).toEqual({ due: 0, failed: 0, requeued: 0 });
      expect(fired).toEqual([]);
      clock.advance(HOUR);
      expect(await swept.sweep(fire)).toEqual({ due: 1, failed: 0, requeued: 0 });
      expect(fired).toEqual(['soon']);
      clock.advance(HOUR);
      await swept.sweep(fire);
      expect(fired).toEqual(['soon', 'later']);
    });

    it('given due timers fired, cancelled, the office’s as an incident or of a suspended case, then the sweep fires only the others, the earliest first', async () => {
      repo.timers.set('b', at(-HOUR, { id: 'b' }));
      repo.timers.set('a', at(-2 * HOUR, { id: 'a', kind: 'delegation-end' }));
      repo.timers.set('fired', at(-HOUR, { id: 'fired', firedAt: new Date(0) }));
      repo.timers.set('cancelled', at(-HOUR, { id: 'cancelled', cancelledAt: new Date(0) }));
      repo.timers.set('incident', at(-HOUR, { id: 'incident' }));
      repo.incidents.push({
        id: 'i1',
        instanceId: 'case-1',
        elementId: 'lapse',
        topic: 'timer:bpmn',
        timerId: 'incident',
        message: 'boom',
        createdAt: new Date(0),
        attempts: 1,
        resolved: false,
      });
      repo.timers.set('suspended', at(-HOUR, { id: 'suspended', instanceId: 'case-2' }));
      repo.timers.set(
        'limit-of-suspended',
        at(-HOUR, { id: 'limit-of-suspended', instanceId: 'case-2', kind: 'task-limit' }),
      );
      await swept.sweep(fire);
      expect(fired).toEqual(['a', 'b', 'limit-of-suspended']);
    });

    it('given a timer fired by its job meanwhile, or by the sweep of another process, then it fires once', async () => {
      repo.timers.set('t', at(-HOUR, { id: 't' }));
      await Promise.all([swept.sweep(fire), swept.sweep(fire), fire('t')]);
      expect(fired).toEqual(['t']);
    });

    it('given a due timer whose firing fails, then the sweep counts it, fires the others and leaves it to its job', async () => {
      repo.timers.set('bad', at(-2 * HOUR, { id: 'bad' }));
      repo.timers.set('good', at(-HOUR, { id: 'good' }));
      const result = await swept.sweep(async (id) => {
        if (id === 'bad') throw new Error('boom');
        await fire(id);
      });
      expect(result).toEqual({ due: 2, failed: 1, requeued: 0 });
      expect(fired).toEqual(['good']);
      expect(repo.timers.get('bad')!.firedAt).toBeNull();
    });

    it('given another process sweeping, then this one queues nothing; given the lock, then each lost timer gets a new job at once', async () => {
      repo.lost = ['a', 'b'];
      repo.sweepLocked = false;
      expect((await swept.sweep(fire)).requeued).toBe(0);
      expect(jobs).toEqual([]);
      repo.sweepLocked = true;
      expect((await swept.sweep(fire)).requeued).toBe(2);
      expect(jobs).toEqual(['a@once', 'b@once']);
      expect(repo.writes).toEqual([
        ['setTimerJob', 'a', 'job-of-a'],
        ['setTimerJob', 'b', 'job-of-b'],
      ]);
    });
  });

  it('given a timer whose job spent its retries, then an incident opens once and each later failure counts an attempt', async () => {
    repo.timers.set('timer-1', timer());
    await timers.failed('timer-1', new Error('boom'));
    await timers.failed('timer-1', new Error('boom again'));
    expect(repo.writeNames).toEqual(['insertIncident', 'insertHistory', 'incidentAgain']);
    expect(repo.incidents[0]).toMatchObject({ topic: 'timer:bpmn', attempts: 2, message: 'boom again' });
  });

  it('given a timer fired or cancelled meanwhile, when its job is reported failed, then no incident opens', async () => {
    repo.timers.set('timer-1', timer({ cancelledAt: new Date() }));
    await timers.failed('timer-1', new Error('late'));
    expect(repo.writes).toEqual([]);
  });
});
