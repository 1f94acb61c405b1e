// The cache client over an in-process MessageChannel: answers pass through comlink, and a
// simulation that runs over its time limit ends its worker (the call rejects in words) while the
// next call starts a fresh one.
import { describe, expect, it } from 'vitest';
import { channelWorker } from '../testWorker.ts';
import { createCacheClient } from './client.ts';
import type { CacheSimulationResult, CacheWorkerApi } from './protocol.ts';

function fakeWorkers() {
  const made: { terminated: boolean }[] = [];
  const createWorker = () => {
    const api: CacheWorkerApi = {
      simulateCache: (problemText) =>
        problemText === 'hang'
          ? new Promise<CacheSimulationResult>(() => {})
          : Promise.resolve({ method: 'exact', simulateMs: 1 } as CacheSimulationResult),
      warmUp: () => Promise.resolve({ loadMs: 1, simulateMs: 1 }),
    };
    const record = { terminated: false };
    made.push(record);
    return channelWorker(api, () => (record.terminated = true));
  };
  return { made, createWorker };
}

describe('createCacheClient', () => {
  it('answers, and restarts a worker whose simulation runs over the limit', async () => {
    const f = fakeWorkers();
    const client = createCacheClient({ createWorker: f.createWorker, timeLimitMs: 50 });
    expect((await client.simulateCache('p', 's', 'zen4')).method).toBe('exact');
    await expect(client.simulateCache('hang', 's', 'zen4')).rejects.toThrow(
      /the cache simulation ran longer than 0.05 s; the cache worker was restarted/,
    );
    expect(f.made[0].terminated).toBe(true);
    expect((await client.simulateCache('p', 's', 'zen4')).method).toBe('exact');
    expect(f.made).toHaveLength(2);
    client.terminate();
  });

  it('runs a simulation asked during the warm-up after it, in the same worker', async () => {
    const log: string[] = [];
    let finishWarmUp = () => {};
    const made: number[] = [];
    const createWorker = () => {
      made.push(1);
      const api: CacheWorkerApi = {
        simulateCache: async () => {
          log.push('simulate');
          return { method: 'exact', simulateMs: 1 } as CacheSimulationResult;
        },
        warmUp: () => {
          log.push('warm-up starts');
          return new Promise(
            (resolve) =>
              (finishWarmUp = () => {
                log.push('warm-up ends');
                resolve({ loadMs: 1, simulateMs: 1 });
              }),
          );
        },
      };
      return channelWorker(api);
    };
    const client = createCacheClient({ createWorker });
    const warm = client.warmUp();
    const simulated = client.simulateCache('p', 's', 'zen4');
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(['warm-up starts']);
    finishWarmUp();
    expect((await simulated).method).toBe('exact');
    expect(await warm).toEqual({ loadMs: 1, simulateMs: 1 });
    expect(log).toEqual(['warm-up starts', 'warm-up ends', 'simulate']);
    expect(made).toHaveLength(1);
    client.terminate();
  });
});
