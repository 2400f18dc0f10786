import { FakeStepRepository, fakeLive } from '../../test/helpers/fake-step-repository.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import type { ElementApi, LiveEngine } from './bpmn.js';
import type { DefinitionsService } from './definitions.service.js';
import { WorkflowRuntime } from './runtime.service.js';
import type { AfterCommit } from './runtime/after-commit.js';
import type { EngineCache } from './runtime/engine-cache.js';
import { ServiceRunner } from './runtime/service-runner.js';
import type { InstanceRow, StepContext } from './runtime/step-records.js';
import { TaskCreation } from './runtime/task-creation.js';
import { RuntimeTimers } from './runtime/timers.js';
import type { TimerQueue } from './timer-queue.js';
import type { WorkflowTimer } from './workflow-timer.entity.js';
import type { ServiceHandler, WorkflowRegistry } from './workflow.registry.js';

const row = (over: Partial<InstanceRow> = {}): InstanceRow => ({
  id: 'case-1',
  definitionId: 'def-1',
  processId: 'p',
  businessKey: null,
  ownerUnitId: null,
  startedBy: null,
  status: 'active',
  version: 4,
  ...over,
});
const userTask = (executionId: string, dueDate?: string): ElementApi => ({
  id: executionId.split('_')[0],
  type: 'bpmn:UserTask',
  executionId,
  content: {},
  owner: { behaviour: dueDate ? { dueDate } : {}, name: executionId },
  signal: () => undefined,
  environment: { variables: {} },
});

describe('the runtime orchestrating a step', () => {
  let repo: FakeStepRepository;
  let live: LiveEngine & { stopped: boolean };
  let remembered: number[];
  let handlers: Map<string, ServiceHandler>;
  let runtime: WorkflowRuntime;
  beforeEach(() => {
    repo = new FakeStepRepository();
    repo.rows.set('case-1', row());
    live = fakeLive();
    remembered = [];
    handlers = new Map();
    const engines = {
      busy: () => false,
      cachedVersion: () => undefined,
      take: async () => live,
      recover: async () => live,
      remember: (_id: string, _live: LiveEngine, version: number) => remembered.push(version),
      forget: () => undefined,
      serialize: <T>(_id: string, fn: () => Promise<T>) => fn(),
    } as unknown as EngineCache;
    const registry = {
      service: (topic: string) => handlers.get(topic),
      resolveCandidates: async () => ({ unitIds: [], roles: [], userIds: [] }),
    } as unknown as WorkflowRegistry;
    const queue = {
      schedule: async (_m: unknown, id: string) => `job-of-${id}`,
      jobInsert: async (id: string) => ({
        jobId: `job-of-${id}`,
        text: 'INSERT INTO pgboss.job',
        values: [],
      }),
    } as unknown as TimerQueue;
    const clock = new Clock();
    const definitions = { get: async () => ({ id: 'def-1' }) } as unknown as DefinitionsService;
    runtime = new WorkflowRuntime(
      repo.asRepository,
      engines,
      new ServiceRunner(repo.asRepository, registry),
      new TaskCreation(repo.asRepository, registry, clock),
      new RuntimeTimers(repo.asRepository, queue, registry, {} as never, clock),
      definitions,
      clock,
      { defer: () => undefined } as unknown as AfterCommit,
    );
  });
  const moved = () => {
    throw new AppError('CONCURRENT_UPDATE');
  };

  it('given a case row the caller read before the case moved on, when the step loses the race, then it runs again on a fresh row', async () => {
    repo.rows.set('case-1', row({ version: 5 }));
    const seen: number[] = [];
    await runtime.step(
      'case-1',
      {},
      async (ctx) => {
        seen.push(ctx.instance.version);
        if (seen.length === 1) moved();
      },
      { preloaded: row({ version: 4 }) },
    );
    expect(seen).toEqual([4, 5]);
    expect(remembered).toEqual([6]);
  });

  it('given a row read by the step itself, when another step wins the race, then the caller gets the 409 and the step ran once', async () => {
    let runs = 0;
    const step = runtime.step('case-1', {}, async () => {
      runs++;
      moved();
    });
    await expect(step).rejects.toMatchObject({ code: 'CONCURRENT_UPDATE' });
    expect(runs).toBe(1);
    expect(live.stopped).toBe(true);
    expect(remembered).toEqual([]);
  });

  it('given a step whose state write finds the case at another version, then it fails with 409 and writes no rows', async () => {
    repo.written = [{ version: null }];
    await expect(runtime.step('case-1', {}, async () => undefined)).rejects.toMatchObject({
      code: 'CONCURRENT_UPDATE',
    });
    expect(repo.writeNames).toEqual(['writeStep']);
    expect(live.stopped).toBe(true);
  });

  it('given a step that opens a task without a time limit, then it writes the state, then new tasks, history and audit in one statement', async () => {
    live.waits.set('next_1', userTask('next_1'));
    await runtime.step('case-1', {}, async (ctx) => {
      ctx.history.push({ action: 'instance.resumed' });
    });
    expect(repo.writeNames).toEqual(['writeStep', 'insertRows']);
    const [, tasks, history, audit] = repo.writes[1] as [
      string,
      { execution_id: string }[],
      { action: string }[],
      { action: string },
    ];
    expect(tasks.map((t) => t.execution_id)).toEqual(['next_1']);
    expect(history.map((h) => h.action)).toEqual(['instance.resumed', 'task.created']);
    expect(audit.action).toBe('workflow.instance.resumed');
    expect(remembered).toEqual([5]);
  });

  it('given a step that opens a task with a time limit, then the task row, its timer and job, history and audit are one statement', async () => {
    live.waits.set('next_1', userTask('next_1', 'P1D'));
    await runtime.step('case-1', {}, async () => undefined);
    expect(repo.writeNames).toEqual(['writeStep', 'insertRows']);
    const [, tasks, history, audit, timers] = repo.writes[1] as [
      string,
      { id: string; execution_id: string }[],
      { action: string }[],
      { action: string } | null,
      [string, string, string][],
    ];
    expect(tasks.map((t) => t.execution_id)).toEqual(['next_1']);
    expect(timers.map(([kind, element]) => [kind, element])).toEqual([['task-limit', 'next']]);
    // The timer refers to the task written by the same statement.
    expect([...repo.timers.values()].map((t) => t.taskId)).toEqual([tasks[0].id]);
    expect(history.map((h) => h.action)).toContain('task.created');
    expect(audit).not.toBeNull();
  });

  it('given a case that ends, then its open tasks are cancelled (not the one completed) and every pending timer with them', async () => {
    live.ended = true;
    repo.written = [
      {
        tasks: [
          { id: 'done', execution_id: 'last_1', status: 'open', element_id: 'last', name: null },
          { id: 'parallel', execution_id: 'other_1', status: 'open', element_id: 'other', name: null },
        ],
        timers: [
          { id: 'limit-done', execution_id: 'last_1', kind: 'task-limit', task_id: 'done', task_open: true },
          { id: 'boundary', execution_id: 'b_1', kind: 'bpmn', task_id: null, task_open: null },
        ],
      },
    ];
    let ctx: StepContext | undefined;
    await runtime.step('case-1', {}, async (c) => {
      ctx = c;
      c.completedTaskIds.add('done');
    });
    expect(repo.writes.filter((w) => w[0] === 'cancelTask')).toEqual([['cancelTask', 'parallel']]);
    expect(repo.writes.find((w) => w[0] === 'cancelTimers')).toEqual([
      'cancelTimers',
      ['boundary', 'limit-done'],
    ]);
    expect((repo.writes[0][1] as { status: string }).status).toBe('completed');
    expect(ctx!.openTasks).toEqual([]);
  });

  it('given a service task that fails, then the step commits with its incident but the engine is not kept: the next step recovers and retries it', async () => {
    handlers.set('mail', async () => {
      throw new Error('down');
    });
    live.pendingServices.push({
      topic: 'mail',
      elementId: 'send',
      executionId: 'send_1',
      message: { content: {} },
      callback: () => undefined,
    });
    await runtime.step('case-1', {}, async () => undefined);
    expect(repo.writeNames).toContain('insertIncident');
    expect(repo.writeNames).toContain('writeStep');
    expect(remembered).toEqual([]);
    expect(live.stopped).toBe(true);
  });

  it.each([
    [{ openSigners: 1, open: true, candidate: true }, 'TASK_WAITING_FOR_SIGNERS'],
    [{ openSigners: 0, open: false, candidate: true }, 'TASK_NOT_OPEN'],
    [{ openSigners: 0, open: true, candidate: false }, 'TASK_NOT_FOUND'],
    [{ openSigners: 0, open: true, candidate: true }, 'CONCURRENT_UPDATE'],
  ])(
    'given a completion its write could not make (%o), then the step fails with %s',
    async (obstacles, code) => {
      repo.obstacles = obstacles;
      repo.written = [{ completed: 0 }];
      const step = runtime.step('case-1', {}, async (ctx) => {
        ctx.taskCompletion = {
          taskId: 't',
          executionId: 'x_1',
          version: 1,
          userId: 'u',
          decision: 'approve',
          form: {},
          comment: null,
        };
      });
      await expect(step).rejects.toMatchObject({ code });
    },
  );

  it('given a BPMN timer whose step keeps losing to other steps of its case, then it tries 5 times in all and then fails (its job retries)', async () => {
    const timer = {
      id: 'timer-1',
      instanceId: 'case-1',
      kind: 'bpmn',
      executionId: 'lapse_1',
      fireAt: new Date('2026-12-31T00:00:00Z'),
      firedAt: null,
      cancelledAt: null,
    } as WorkflowTimer;
    repo.timers.set('timer-1', timer);
    repo.written = Array.from({ length: 10 }, () => ({ version: null }));
    await expect(runtime.fireTimer('timer-1')).rejects.toMatchObject({ code: 'CONCURRENT_UPDATE' });
    expect(repo.writeNames.filter((w) => w === 'writeStep')).toHaveLength(5);
  });

  it('given a timer fired already, when its job runs again, then nothing happens', async () => {
    repo.timers.set('timer-1', {
      id: 'timer-1',
      kind: 'bpmn',
      firedAt: new Date(),
      cancelledAt: null,
    } as WorkflowTimer);
    await runtime.fireTimer('timer-1');
    expect(repo.writes).toEqual([]);
  });
});
