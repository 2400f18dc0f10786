import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { LiveEngine } from '../bpmn.js';
import type { DeployedDefinition } from '../definitions.service.js';
import type { InstanceRow } from './step-records.js';
import { StepRepository } from './step.repository.js';

/**
 * Live engines of this process by case, with the version each stands at (LRU by insertion order, at most
 * `ENGINE_CACHE_SIZE`), and the queue that runs the steps of one case in this process one after the other.
 * A cached engine is used only if nobody advanced the case since; otherwise it is recovered from the state
 * in the database, so any process can continue any case.
 */
@Injectable()
export class EngineCache implements OnModuleDestroy {
  private readonly cache = new Map<string, { live: LiveEngine; version: number }>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private recovered = 0;

  constructor(
    private readonly repository: StepRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleDestroy(): void {
    for (const { live } of this.cache.values()) live.stop();
    this.cache.clear();
  }

  /** The version of the case this process's engine stands at, if it keeps one. */
  cachedVersion(instanceId: string): number | undefined {
    return this.cache.get(instanceId)?.version;
  }

  /** Whether a step of the case is running or waiting in this process. */
  busy(instanceId: string): boolean {
    return this.queues.has(instanceId);
  }

  /** Takes the case's engine out of the cache if it stands at the row's version, else recovers it. */
  async take(instance: InstanceRow, definition: DeployedDefinition): Promise<LiveEngine> {
    const cached = this.cache.get(instance.id);
    this.cache.delete(instance.id);
    if (cached && cached.version === instance.version) return cached.live;
    cached?.live.stop();
    return this.recover(definition, await this.repository.loadState(instance.id));
  }

  /** How many engines this process recovered from stored state (a case's engine it did not keep). */
  get recoveries(): number {
    return this.recovered;
  }

  /** An engine of the definition recovered from a stored state. */
  async recover(definition: DeployedDefinition, state: object): Promise<LiveEngine> {
    this.recovered++;
    const live = new LiveEngine(definition.serializedSource, null, definition.topics);
    await live.recover(state);
    return live;
  }

  /** Keeps the engine of a case at the version its step wrote (not an ended case's). */
  remember(instanceId: string, live: LiveEngine, version: number): void {
    if (live.ended || this.config.env.ENGINE_CACHE_SIZE === 0) {
      live.stop();
      return;
    }
    this.cache.set(instanceId, { live, version });
    while (this.cache.size > this.config.env.ENGINE_CACHE_SIZE) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.get(oldest)?.live.stop();
      this.cache.delete(oldest);
    }
  }

  /**
   * Keeps the engine of a case whose start just committed, unless a step of the case has begun in this process
   * meanwhile or an engine of it is kept already (theirs is at least as new).
   */
  offer(instanceId: string, live: LiveEngine, version: number): void {
    if (this.busy(instanceId) || this.cache.has(instanceId)) live.stop();
    else this.remember(instanceId, live, version);
  }

  /** Drops a cached engine, so the next step recovers from the database. */
  forget(instanceId: string): void {
    this.cache.get(instanceId)?.live.stop();
    this.cache.delete(instanceId);
  }

  /** Runs `fn` after every step of the case queued before it in this process. */
  serialize<T>(instanceId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(instanceId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(instanceId, tail);
    void tail.then(() => {
      if (this.queues.get(instanceId) === tail) this.queues.delete(instanceId);
    });
    return run;
  }
}
