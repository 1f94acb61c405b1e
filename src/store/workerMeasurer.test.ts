// The worker measurer's mapping onto the store's Measurer: long runs, XNNPACK, the bandwidth after
// the peak, and the debugging time limit from the URL (with a fake KernelClient).
import { describe, expect, it } from 'vitest';
import type { KernelMeasurement as Measurement, XnnpackResult } from '../workers/kernel/protocol.ts';
import type { KernelClient } from '../workers/kernel/client.ts';
import type { CacheClient } from '../workers/cache/client.ts';
import type { CacheSimulationResult } from '../workers/cache/protocol.ts';
import {
  cacheWarmUpFromSearch,
  clientOptionsFromSearch,
  createMachineFacts,
  createWorkerMeasurer,
  QUICK_OPTIONS,
} from './workerMeasurer.ts';

/** Stand-in bytes of a measured kernel module. */
const KERNEL_BYTES = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

function fakeClient(overrides: Partial<KernelClient> = {}) {
  const calls: unknown[][] = [];
  const measurement = {
    gflops: 10,
    gflopsMedian: 9,
    correct: true,
    maxError: 0,
    report: { vectorizedVariable: 'n' },
    kernelBytes: KERNEL_BYTES,
  } as unknown as Measurement;
  const client: KernelClient = {
    init: async () => ({ relaxedSimd: true }),
    measure: async (...args: unknown[]) => {
      calls.push(args);
      return measurement;
    },
    refine: async (...args: unknown[]) => {
      calls.push(['refine', ...args]);
      return { kernelSeconds: [1], referenceSeconds: [1, 1], flops: 2, referenceFlops: 1, threads: 1 };
    },
    peak: async () => 50,
    bandwidth: async () => 4e10,
    xnnpack: async (): Promise<XnnpackResult | null> => ({ gflops: 30, gflopsMedian: 28, correct: true }),
    terminate: () => {},
    restarts: 0,
    timeLimitMs: 10_000,
    ...overrides,
  };
  return { client, calls };
}

describe('createWorkerMeasurer', () => {
  it("runs a whole kernel in a worker of its own, ended after it, not in the page's kernel worker", async () => {
    const main = fakeClient();
    let ended = 0;
    const whole = fakeClient({ terminate: () => ended++ });
    const m = createWorkerMeasurer(main.client, createMachineFacts(), undefined, undefined, () => whole.client);
    expect((await m.measureWhole!('p', 'm:2048 n:2048 k:2048', { threads: 1 })).gflops).toBe(10);
    expect(main.calls).toEqual([]);
    expect(whole.calls).toEqual([['p', 'm:2048 n:2048 k:2048', { ...QUICK_OPTIONS, threads: 1, full: true }]]);
    expect(ended).toBe(1);
  });

  it('hands cache simulations to the cache worker, never to the kernel worker, and ends both', async () => {
    const asked: string[][] = [];
    let ended = 0;
    const cache: CacheClient = {
      simulateCache: async (...args) => {
        asked.push(args.filter((a) => a !== undefined).map(String));
        return { method: 'exact', simulateMs: 1 } as CacheSimulationResult;
      },
      warmUp: async () => {
        asked.push(['warm-up']);
        return { loadMs: 1, simulateMs: 1 };
      },
      terminate: () => ended++,
    };
    const { client, calls } = fakeClient({ terminate: () => ended++ });
    const m = createWorkerMeasurer(client, createMachineFacts(), undefined, cache);
    m.warmCache!();
    expect((await m.simulateCache!('p', 's', 'zen4')).method).toBe('exact');
    expect(asked).toEqual([['warm-up'], ['p', 's', 'zen4']]);
    expect(calls).toEqual([]);
    m.dispose();
    expect(ended).toBe(2);
  });

  it('simulates every access in a cache worker of its own, ended after', async () => {
    const asked: unknown[][] = [];
    let started = 0;
    let ended = 0;
    const exactClient = (): CacheClient => {
      started++;
      return {
        simulateCache: async (...args) => {
          asked.push(args);
          return { method: 'exact', simulateMs: 1 } as CacheSimulationResult;
        },
        warmUp: async () => ({ loadMs: 1, simulateMs: 1 }),
        terminate: () => ended++,
      };
    };
    const main: CacheClient = {
      simulateCache: async () => {
        throw new Error('not for the page’s cache worker');
      },
      warmUp: async () => ({ loadMs: 1, simulateMs: 1 }),
      terminate: () => {},
    };
    const m = createWorkerMeasurer(
      fakeClient().client,
      createMachineFacts(),
      undefined,
      main,
      undefined,
      undefined,
      exactClient,
    );
    expect((await m.simulateExactly!('p', 's', 'zen4')).method).toBe('exact');
    expect(asked).toEqual([['p', 's', 'zen4', { exact: true }]]);
    expect([started, ended]).toEqual([1, 1]);
  });

  it('measures quick figures with the quick options and hands refining to the client', async () => {
    const { client, calls } = fakeClient();
    const m = createWorkerMeasurer(client, createMachineFacts());
    expect(await m.measure('p', 's')).toMatchObject({
      gflops: 10,
      gflopsMedian: 9,
      correct: true,
      report: { vectorizedVariable: 'n' },
      kernelBytes: KERNEL_BYTES,
    });
    expect(calls[0]).toEqual(['p', 's', { ...QUICK_OPTIONS, threads: 1 }]);
    await m.measure('p', 's', { threads: 3 });
    expect(calls[1]).toEqual(['p', 's', { ...QUICK_OPTIONS, threads: 3 }]);
    expect(await m.refine!('p', 's', { threads: 2, pairs: 3 })).toMatchObject({ flops: 2, referenceFlops: 1 });
    expect(calls[2]).toEqual(['refine', 'p', 's', { threads: 2, pairs: 3 }]);
  });

  it('gives XNNPACK GFLOPS, null for other problems, and an error when its result is wrong', async () => {
    const apart = (xnnpack: KernelClient) =>
      createWorkerMeasurer(fakeClient().client, createMachineFacts(), undefined, undefined, undefined, () => xnnpack);
    expect(await apart(fakeClient().client).xnnpack!('p')).toBe(30);
    expect(await apart(fakeClient({ xnnpack: async () => null }).client).xnnpack!('p')).toBeNull();
    const wrong = fakeClient({
      xnnpack: async () => ({ gflops: null, gflopsMedian: null, correct: false, reason: 'C[0,0] is 3, expected 4' }),
    }).client;
    await expect(apart(wrong).xnnpack!('p')).rejects.toThrow(
      'its result did not match the reference: C[0,0] is 3, expected 4',
    );
  });

  it("runs XNNPACK in a worker of its own, started once and ended with the page's", async () => {
    const asked: string[] = [];
    let started = 0;
    let ended = 0;
    const main = fakeClient({
      xnnpack: async () => {
        throw new Error('not in the kernel worker');
      },
    });
    const m = createWorkerMeasurer(main.client, createMachineFacts(), undefined, undefined, undefined, () => {
      started++;
      return fakeClient({
        xnnpack: async (problemText: string) => {
          asked.push(problemText);
          return { gflops: 30, gflopsMedian: 28, correct: true };
        },
        terminate: () => ended++,
      }).client;
    });
    expect(m.xnnpackApart).toBe(true);
    expect(await m.xnnpack!('p')).toBe(30);
    expect(await m.xnnpack!('q')).toBe(30);
    expect([asked, started]).toEqual([['p', 'q'], 1]);
    m.dispose();
    expect(ended).toBe(1);
  });

  it("publishes the bandwidth; its failure becomes the facts' error", async () => {
    let bandwidthCalls = 0;
    const facts = createMachineFacts();
    const seen: string[] = [];
    facts.subscribe(() => seen.push(facts.get().bandwidth.status));
    const m = createWorkerMeasurer(
      fakeClient({
        bandwidth: async () => {
          bandwidthCalls++;
          return 4e10;
        },
      }).client,
      facts,
    );
    expect(await m.bandwidth()).toBe(4e10);
    expect(bandwidthCalls).toBe(1);
    expect(facts.get().bandwidth).toEqual({ status: 'done', bytesPerSecond: 4e10 });
    expect(seen).toEqual(['measuring', 'done']);

    const failing = createMachineFacts();
    const f = createWorkerMeasurer(
      fakeClient({ bandwidth: async () => Promise.reject(new Error('out of memory')) }).client,
      failing,
    );
    await expect(f.bandwidth()).rejects.toThrow('out of memory');
    expect(failing.get().bandwidth).toEqual({ status: 'error', error: 'out of memory' });
  });
});

describe('the cache warm-up switch', () => {
  it('leaves the warm-up on unless the query string says cache-warm-up=off', () => {
    expect(cacheWarmUpFromSearch('')).toBe(true);
    expect(cacheWarmUpFromSearch('?cache-warm-up=on')).toBe(true);
    expect(cacheWarmUpFromSearch('?a=1&cache-warm-up=off')).toBe(false);
  });
});

describe('time limits', () => {
  it('reads a positive kernel-time-limit-ms from the query string, ignores anything else', () => {
    expect(clientOptionsFromSearch('?kernel-time-limit-ms=800')).toEqual({ timeLimitMs: 800 });
    expect(clientOptionsFromSearch('?a=1&kernel-time-limit-ms=12.5')).toEqual({ timeLimitMs: 12.5 });
    for (const bad of [
      '',
      '?kernel-time-limit-ms=',
      '?kernel-time-limit-ms=0',
      '?kernel-time-limit-ms=-5',
      '?kernel-time-limit-ms=1e3',
      '?x=800',
    ]) {
      expect(clientOptionsFromSearch(bad), bad).toEqual({});
    }
  });
});
