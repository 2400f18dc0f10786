import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';

/**
 * Work that a crafted input could make take minutes or gigabytes (reading an uploaded workbook) runs in a worker
 * thread: the server's event loop keeps answering everyone else while it runs, and past its time or memory the
 * worker is stopped and the caller told so — the process lives on. One such job runs at a time per process (a few
 * callers may wait their turn; more are told to come back), so that uploads cannot take every core. The thread is
 * kept for the next job while it is wanted (its modules load once), and closed after a while idle.
 */

export interface WorkerLimits {
  /** Wall time the job may take. */
  ms: number;
  /** The worker's own heap (V8's old generation), in MB. */
  memoryMb: number;
}

export type WorkerOutcome<T> =
  { ok: true; value: T } | { ok: false; reason: 'time' | 'memory' | 'crashed' | 'busy'; message?: string };

/** What a worker module receives (`parentPort` messages) and answers, one job at a time. */
export interface WorkerJob<D> {
  id: number;
  data: D;
}
export interface WorkerAnswer<T> {
  id: number;
  value: T;
  /** The thread's heap after the job (v8.getHeapStatistics().used_heap_size): past a quarter of its limit, the
   * thread is not kept (what a library keeps between jobs, e.g. a cache of every cell address it met, goes). */
  heapBytes?: number;
}

/** A worker's answer to a job, with its heap after it (see WorkerAnswer). */
export function answerOf<T>(id: number, value: T): WorkerAnswer<T> {
  return { id, value, heapBytes: getHeapStatistics().used_heap_size };
}

/** Whether this module runs as TypeScript source (the tests): its workers then compile theirs the same way. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The worker module `name` beside `from` (an `import.meta.url`): its `.ts` source or its built `.js`. */
export function workerModule(from: string, name: string): URL {
  return new URL(`./${name}.${FROM_SOURCE ? 'ts' : 'js'}`, from);
}

/** How many callers may wait for the running job before the next is told to come back later. */
const MAX_WAITING = 4;
/** A thread idle this long is closed (its modules and heap given back). */
const IDLE_MS = 60_000;

export class WorkerRunner<D, T> {
  private worker: Worker | null = null;
  private memoryMb = 0;
  private jobs = 0;
  private running = false;
  private readonly waiting: (() => void)[] = [];
  private idle: NodeJS.Timeout | null = null;
  /** The job the thread is on, and how it ends. */
  private current: { id: number; finish: (outcome: WorkerOutcome<T>, keep: boolean) => void } | null = null;

  constructor(private readonly entry: URL) {}

  /**
   * Runs one job on `data` within `limits`. Resolves with the worker's answer, or with why there is none: out of
   * time, out of memory, crashed (the thread is then closed; the next job starts a new one), or busy.
   */
  async run(data: D, limits: WorkerLimits): Promise<WorkerOutcome<T>> {
    if (this.running) {
      if (this.waiting.length >= MAX_WAITING) return { ok: false, reason: 'busy' };
      await new Promise<void>((turn) => this.waiting.push(turn));
    }
    this.running = true;
    if (this.idle) clearTimeout(this.idle);
    try {
      return await this.job(data, limits);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else {
        this.running = false;
        this.idle = setTimeout(() => this.close(), IDLE_MS).unref();
      }
    }
  }

  /** Closes the thread (the next job starts a new one). */
  close(): void {
    const worker = this.worker;
    this.worker = null;
    if (worker) void worker.terminate();
  }

  private threadFor(memoryMb: number): Worker {
    if (this.worker && this.memoryMb === memoryMb) return this.worker;
    this.close();
    this.memoryMb = memoryMb;
    const worker = new Worker(this.entry, {
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
      execArgv: FROM_SOURCE ? ['--import', new URL('./worker-ts-register.js', import.meta.url).href] : [],
    });
    worker.unref();
    // Heard for the thread's whole life, not only during a job: an 'error' nobody listens to ends the server (one
    // that comes as the watchdog stops the thread, out of memory at that moment, or from a thread idle).
    worker.on('message', (answer: WorkerAnswer<T>) => {
      if (this.worker === worker && this.current?.id === answer.id)
        this.current.finish(
          { ok: true, value: answer.value },
          (answer.heapBytes ?? 0) < (this.memoryMb * 1024 * 1024) / 4,
        );
    });
    worker.on('error', (e: Error & { code?: string }) =>
      this.ended(worker, e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crashed', e.message),
    );
    worker.on('exit', (code) => this.ended(worker, 'crashed', `exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** The thread failed or ended: its job (if any) ends so; a thread let go already is no one's concern. */
  private ended(worker: Worker, reason: 'memory' | 'crashed', message: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.current?.finish({ ok: false, reason, message }, false);
  }

  private job(data: D, limits: WorkerLimits): Promise<WorkerOutcome<T>> {
    const worker = this.threadFor(limits.memoryMb);
    const id = ++this.jobs;
    return new Promise((resolve) => {
      const finish = (outcome: WorkerOutcome<T>, keep: boolean) => {
        if (this.current?.id !== id) return;
        this.current = null;
        clearTimeout(watchdog);
        if (!keep && this.worker === worker) this.close();
        resolve(outcome);
      };
      this.current = { id, finish };
      // A watchdog on the job's wall time (not a domain deadline): the thread is stopped mid-work.
      const watchdog = setTimeout(() => finish({ ok: false, reason: 'time' }, false), limits.ms);
      worker.postMessage({ id, data } satisfies WorkerJob<D>);
    });
  }
}
