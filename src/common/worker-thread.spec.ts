import { WorkerRunner } from './worker-thread.js';

/**
 * The runner of work that a crafted input could make long or large (an uploaded workbook is read so): whatever the
 * thread does, the server lives on and the next job is run.
 */
describe('running work in a worker thread', () => {
  const fixture = new URL('../../test/fixtures/worker-thread-fixture.ts', import.meta.url);
  const limits = { ms: 20_000, memoryMb: 256 };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let runner: WorkerRunner<string, string>;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);

  beforeEach(() => {
    runner = new WorkerRunner(fixture);
    process.on('uncaughtException', onUncaught);
  });
  afterEach(() => {
    runner.close();
    process.off('uncaughtException', onUncaught);
  });

  it('given a thread that fails after answering (idle), then nothing is thrown in the server (an error nobody heard ended it) and the next job runs', async () => {
    expect(await runner.run('answer-then-throw', limits)).toMatchObject({ ok: true });
    await sleep(300);
    expect(uncaught).toEqual([]);
    expect(await runner.run('answer', limits)).toMatchObject({ ok: true });
  });

  it('given a thread that ends after answering (idle), then the next job runs on a new thread at once (it waited out its time on the dead one: 413)', async () => {
    expect(await runner.run('answer-then-exit', limits)).toMatchObject({ ok: true });
    await sleep(300);
    const started = Date.now();
    expect(await runner.run('answer', limits)).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('given a job running out of memory about when its time is up, then it answers time or memory and nothing is thrown in the server (an unheard error ended it)', async () => {
    // How long running out of 64 MB takes here, then stops around that moment.
    const started = Date.now();
    const first = await runner.run('allocate', { ms: 60_000, memoryMb: 64 });
    expect(first).toMatchObject({ ok: false, reason: 'memory' });
    const oom = Date.now() - started;
    const reasons = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const outcome = await runner.run('allocate', {
        ms: Math.max(50, oom * (0.85 + i * 0.04)),
        memoryMb: 64,
      });
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) reasons.add(outcome.reason);
    }
    await sleep(300);
    expect([...reasons].every((r) => r === 'time' || r === 'memory')).toBe(true);
    expect(uncaught).toEqual([]);
    expect(await runner.run('answer', limits)).toMatchObject({ ok: true });
  });

  it('given a job after which the thread keeps over a quarter of its heap (a reader’s cache of crafted cell addresses grew until ordinary files ran out), then the thread is not kept; otherwise it is', async () => {
    const a = await runner.run('answer', limits);
    const b = await runner.run('answer', limits);
    expect(a).toEqual(b);
    const c = await runner.run('retain', limits);
    expect(c).toEqual(a);
    const d = await runner.run('answer', limits);
    expect(d).toMatchObject({ ok: true });
    expect(d).not.toEqual(c);
  });

  it('given a job that never answers, then it answers time and the thread is replaced', async () => {
    expect(await runner.run('spin', { ms: 1500, memoryMb: 256 })).toMatchObject({
      ok: false,
      reason: 'time',
    });
    expect(await runner.run('answer', limits)).toMatchObject({ ok: true });
  });
});
