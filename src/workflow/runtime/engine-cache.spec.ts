import { FakeStepRepository, fakeLive } from '../../../test/helpers/fake-step-repository.js';
import type { AppConfig } from '../../config/app-config.js';
import type { LiveEngine } from '../bpmn.js';
import type { DeployedDefinition } from '../definitions.service.js';
import { EngineCache } from './engine-cache.js';
import type { InstanceRow } from './step-records.js';

const definition = {} as DeployedDefinition;
const at = (id: string, version: number) => ({ id, version }) as InstanceRow;

describe('the engine cache', () => {
  let recovered: (LiveEngine & { stopped: boolean })[];
  const cache = (size: number) => {
    const engines = new EngineCache(new FakeStepRepository().asRepository, {
      env: { ENGINE_CACHE_SIZE: size },
    } as AppConfig);
    engines.recover = async () => {
      const live = fakeLive();
      recovered.push(live);
      return live;
    };
    return engines;
  };
  beforeEach(() => {
    recovered = [];
  });

  it('given an engine kept at the version the case stands at, then the next step takes it without reading the state', async () => {
    const engines = cache(10);
    const live = fakeLive();
    engines.remember('a', live, 3);
    expect(await engines.take(at('a', 3), definition)).toBe(live);
    expect(recovered).toEqual([]);
  });

  it('given another process advanced the case past the kept engine, then the engine is dropped and recovered from the database', async () => {
    const engines = cache(10);
    const stale = fakeLive();
    engines.remember('a', stale, 3);
    const live = await engines.take(at('a', 4), definition);
    expect(stale.stopped).toBe(true);
    expect(live).toBe(recovered[0]);
  });

  it('given more cases than the cache holds, then the least recently kept engine is stopped; an ended case is never kept', async () => {
    const engines = cache(2);
    const [a, b, c] = [fakeLive(), fakeLive(), fakeLive()];
    engines.remember('a', a, 1);
    engines.remember('b', b, 1);
    engines.remember('c', c, 1);
    expect([a.stopped, b.stopped, c.stopped]).toEqual([true, false, false]);
    expect(engines.cachedVersion('a')).toBeUndefined();
    const ended = fakeLive({ ended: true });
    engines.remember('d', ended, 1);
    expect(ended.stopped).toBe(true);
    expect(engines.cachedVersion('d')).toBeUndefined();
  });

  it('given two steps of one case at once, then the second starts after the first ends, even when the first fails', async () => {
    const engines = cache(10);
    const order: string[] = [];
    let release!: () => void;
    const first = engines.serialize('a', async () => {
      order.push('first starts');
      await new Promise<void>((r) => (release = r));
      order.push('first fails');
      throw new Error('lost');
    });
    const second = engines.serialize('a', async () => {
      order.push('second starts');
    });
    expect(engines.busy('a')).toBe(true);
    await new Promise((r) => setImmediate(r));
    release();
    await expect(first).rejects.toThrow('lost');
    await second;
    expect(order).toEqual(['first starts', 'first fails', 'second starts']);
    await new Promise((r) => setImmediate(r));
    expect(engines.busy('a')).toBe(false);
  });
});
