import { FakeStepRepository, FAKE_MANAGER, fakeLive } from '../../../test/helpers/fake-step-repository.js';
import type { PendingServiceCall } from '../bpmn.js';
import type { ServiceHandler, WorkflowRegistry } from '../workflow.registry.js';
import { ServiceRunner } from './service-runner.js';
import type { InstanceRow } from './step-records.js';

const instance = { id: 'case-1' } as InstanceRow;

describe('service tasks of a step', () => {
  let repo: FakeStepRepository;
  let handlers: Map<string, ServiceHandler>;
  let runner: ServiceRunner;
  beforeEach(() => {
    repo = new FakeStepRepository();
    handlers = new Map();
    runner = new ServiceRunner(repo.asRepository, {
      service: (topic: string) => handlers.get(topic),
    } as unknown as WorkflowRegistry);
  });
  const call = (topic: string, answers: unknown[]): PendingServiceCall => ({
    topic,
    elementId: `${topic}-task`,
    executionId: `${topic}_1`,
    message: { content: {} },
    callback: (err, output) => answers.push(err ?? output),
  });
  const run = (calls: PendingServiceCall[]) =>
    runner.run({
      manager: FAKE_MANAGER,
      live: fakeLive({ pendingServices: calls }),
      instance,
      actor: {},
      now: new Date(),
    });

  it('given a handler that succeeds, then its savepoint is left to the commit, its incident left to the step’s state write to resolve and the engine gets its output', async () => {
    handlers.set('notify', async () => ({ sent: true }));
    const answers: unknown[] = [];
    const out = await run([call('notify', answers)]);
    expect(repo.writeNames).toEqual(['SAVEPOINT']);
    expect(answers).toEqual([{ sent: true }]);
    expect(out).toEqual({
      ran: true,
      failed: false,
      resolved: ['notify-task'],
      history: [{ action: 'service.completed', elementId: 'notify-task', data: { topic: 'notify' } }],
    });
  });

  it('given an element that succeeds and then fails in the same step, then its old incident is resolved before the new one opens, and the write resolves nothing more', async () => {
    repo.incidents.push({
      id: 'incident-old',
      instanceId: instance.id,
      elementId: 'notify-task',
      topic: 'notify',
      message: 'down yesterday',
      createdAt: new Date(0),
      attempts: 3,
      resolved: false,
    });
    let calls = 0;
    handlers.set('notify', async () => {
      if (++calls === 2) throw new Error('down again');
      return {};
    });
    const out = await run([call('notify', []), call('notify', [])]);
    expect(repo.writeNames).toEqual([
      'SAVEPOINT',
      'SAVEPOINT',
      'ROLLBACK TO SAVEPOINT',
      'resolveIncidents',
      'insertIncident',
    ]);
    expect(out.resolved).toEqual([]);
    expect(repo.incidents.map((i) => [i.id, i.resolved, i.attempts])).toEqual([
      ['incident-old', true, 3],
      [expect.stringMatching(/^incident-/), false, 1],
    ]);
  });

  it('given a handler that fails, then its work rolls back to the savepoint, an incident opens and the engine is not to be cached (the next step retries)', async () => {
    handlers.set('notify', async () => {
      throw new Error('mail server down');
    });
    const answers: unknown[] = [];
    const out = await run([call('notify', answers)]);
    expect(repo.writeNames).toEqual(['SAVEPOINT', 'ROLLBACK TO SAVEPOINT', 'insertIncident']);
    expect(answers).toEqual([]);
    expect(out.failed).toBe(true);
    expect(out.history).toEqual([
      {
        action: 'incident.opened',
        elementId: 'notify-task',
        data: { topic: 'notify', message: 'mail server down' },
      },
    ]);
  });

  it('given an open incident, when its retry fails again, then the same incident counts another attempt', async () => {
    handlers.set('notify', async () => {
      throw new Error('still down');
    });
    await run([call('notify', [])]);
    await run([call('notify', [])]);
    expect(repo.incidents).toHaveLength(1);
    expect(repo.incidents[0]).toMatchObject({ attempts: 2, message: 'still down' });
  });

  it('given a topic without a handler, then it is an incident, not a crash of the step', async () => {
    const out = await run([call('unknown', [])]);
    expect(out.failed).toBe(true);
    expect(repo.incidents[0].message).toBe('no handler for topic unknown');
  });
});
