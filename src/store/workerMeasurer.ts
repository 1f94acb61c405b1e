// The page's Measurer: the kernel worker's client (src/workers/kernel/client.ts) behind the
// store's Measurer interface, and the cache worker's (src/workers/cache/client.ts) for cache
// simulations, so that a simulation never delays a measurement. A timed-out kernel rejects with the client's WorkerTimeoutError
// ("the kernel ran longer than 10 s; the worker was restarted"); the store turns it into a notice.
//
// Quick figures come from `measure`, refined ones from rounds of `refine` (the store runs them). XNNPACK runs in a worker of its own (tfjs loads there on first use), so a large problem's XNNPACK run holds up no figure; so does each whole-kernel run. After the peak, the memory
// bandwidth (asked for once by the store) is published in `machineFacts` for the roofline's memory line.
//
// Debugging: `?kernel-time-limit-ms=800` in the page's URL lowers the kernel time limit, to see
// what a runaway kernel does to the page (e.g. with #preset=matmul-1024); `?cache-warm-up=off`
// leaves the cache worker cold until its first simulation (to measure what the warm-up saves).
import { kernelFigure, type KernelMeasureOptions } from '../workers/kernel/protocol.ts';
import { threadSupportHere, type ThreadSupport } from '../runtime/threadSupport.ts';
import { createKernelClient, type KernelClient, type KernelClientOptions } from '../workers/kernel/client.ts';
import { type CacheClient, createCacheClient } from '../workers/cache/client.ts';
import type { Measurer } from './types.ts';
import { CACHE_WARM_UP_ENTRY, CACHE_WARM_UP_PARAM, recordTiming } from '../core/cache/timings.ts';
import { errorMessage } from '../core/errors.ts';

/**
 * Options of the measurement after every step: a quick, provisional figure, so that it is on
 * screen soon after the action (the refined figure follows, see measureSlice.ts). The kernel's
 * check call is its first warm-up call (V8 starts tiering it up then), 5 ms of calls finish the
 * warm-up, then one sample of >= 5 ms is taken. A 30 ms kernel thus costs 2 calls.
 */
export const QUICK_OPTIONS: KernelMeasureOptions = {
  samples: 1,
  minSampleMs: 5,
  budgetMs: 5,
  minSamples: 1,
  minWarmupCalls: 1,
  warmupMs: 5,
};

/** The URL parameter that lowers the kernel time limit (debugging and the runaway-kernel e2e test). */
/**
 * Time limit of a simulation of every access (Measurer.simulateExactly): its worker is stopped
 * after this (the largest the page offers, cacheSim.ts EXACT_ON_REQUEST_UP_TO, takes about a minute).
 */
export const EXACT_SIMULATION_LIMIT_MS = 180_000;

export const TIME_LIMIT_PARAM = 'kernel-time-limit-ms';

/** Whether the page's query string leaves the cache worker's warm-up on (the default). */
export function cacheWarmUpFromSearch(search: string): boolean {
  return new URLSearchParams(search).get(CACHE_WARM_UP_PARAM)?.trim() !== 'off';
}

/** Client options from the page's query string: only `kernel-time-limit-ms` (a positive number). */
export function clientOptionsFromSearch(search: string): KernelClientOptions {
  const value = new URLSearchParams(search).get(TIME_LIMIT_PARAM);
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return {};
  const ms = Number(value);
  return ms > 0 ? { timeLimitMs: ms } : {};
}

// ------------------------------------------------------------------ machine facts

/** What the page knows about the machine beyond the store's peak. */
export interface MachineFacts {
  /** Memory bandwidth of a generated streaming kernel, bytes/s (see src/runtime/bandwidth.ts). */
  bandwidth: { status: 'queued' | 'measuring' | 'done' | 'error'; bytesPerSecond?: number; error?: string };
}

export interface MachineFactsStore {
  get(): MachineFacts;
  set(facts: MachineFacts): void;
  subscribe(listener: () => void): () => void;
}

export function createMachineFacts(): MachineFactsStore {
  let facts: MachineFacts = { bandwidth: { status: 'queued' } };
  const listeners = new Set<() => void>();
  return {
    get: () => facts,
    set(next) {
      facts = next;
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The page's machine facts (one machine per page), written by the page's WorkerMeasurer. */
export const machineFacts: MachineFactsStore = createMachineFacts();

// ------------------------------------------------------------------ the measurer

export interface WorkerMeasurer extends Measurer {
  readonly client: KernelClient;
  /** The cache worker's client: simulations run there, never in the kernel worker nor on the page's thread. */
  readonly cache: CacheClient;
  /** Memory bandwidth in bytes/s (also published in the measurer's `facts`). */
  bandwidth(): Promise<number>;
  readonly facts: MachineFactsStore;
  /** Stops the worker. */
  dispose(): void;
}

function pageSearch(): string {
  return typeof location !== 'undefined' && typeof location.search === 'string' ? location.search : '';
}

export function createWorkerMeasurer(
  client: KernelClient = createKernelClient(clientOptionsFromSearch(pageSearch())),
  facts: MachineFactsStore = machineFacts,
  threadSupport: ThreadSupport = threadSupportHere(),
  cache: CacheClient = createCacheClient(),
  wholeClient: () => KernelClient = () => createKernelClient(clientOptionsFromSearch(pageSearch())),
  xnnpackClient: () => KernelClient = wholeClient,
  exactCacheClient: () => CacheClient = () => createCacheClient({ timeLimitMs: EXACT_SIMULATION_LIMIT_MS }),
): WorkerMeasurer {
  // XNNPACK in a worker of its own, started on first use and kept (tfjs loads once): on a large
  // problem it takes seconds, which the page's kernel worker does not wait for.
  let xnnpackWorker: KernelClient | null = null;
  const bandwidth = async () => {
    facts.set({ ...facts.get(), bandwidth: { status: 'measuring' } });
    try {
      const bytesPerSecond = await client.bandwidth();
      facts.set({ ...facts.get(), bandwidth: { status: 'done', bytesPerSecond } });
      return bytesPerSecond;
    } catch (error) {
      facts.set({ ...facts.get(), bandwidth: { status: 'error', error: errorMessage(error) } });
      throw error;
    }
  };

  return {
    client,
    cache,
    facts,
    threadSupport,
    async measure(problemText, scheduleText, options = {}) {
      return kernelFigure(
        await client.measure(problemText, scheduleText, {
          ...QUICK_OPTIONS,
          threads: options.threads ?? 1,
          ...(options.full ? { full: true } : {}),
        }),
      );
    },
    // A worker of its own for each whole run, ended after it: the page's worker goes on measuring
    // the schedules a person moves on to (the two share the processor meanwhile).
    async measureWhole(problemText, scheduleText, options = {}) {
      const whole = wholeClient();
      try {
        return kernelFigure(
          await whole.measure(problemText, scheduleText, {
            ...QUICK_OPTIONS,
            threads: options.threads ?? 1,
            full: true,
          }),
        );
      } finally {
        whole.terminate();
      }
    },
    refine: (problemText, scheduleText, options) => client.refine(problemText, scheduleText, options),
    peak: (threads) => client.peak(threads),
    bandwidth,
    xnnpackApart: true,
    async xnnpack(problemText) {
      xnnpackWorker ??= xnnpackClient();
      const r = await xnnpackWorker.xnnpack(problemText);
      if (!r) return null;
      if (!r.correct) throw new Error(`its result did not match the reference${r.reason ? `: ${r.reason}` : ''}`);
      return r.gflops;
    },
    simulateCache(problemText, scheduleText, machineId) {
      return cache.simulateCache(problemText, scheduleText, machineId);
    },
    async simulateExactly(problemText, scheduleText, machineId) {
      const exact = exactCacheClient();
      try {
        return await exact.simulateCache(problemText, scheduleText, machineId, { exact: true });
      } finally {
        exact.terminate();
      }
    },
    warmCache() {
      if (!cacheWarmUpFromSearch(pageSearch())) return;
      const asked = performance.now();
      cache.warmUp().then(
        (report) => recordTiming(CACHE_WARM_UP_ENTRY, asked, report),
        // A failed warm-up costs nothing but time: the next simulation loads anew and says why it fails.
        () => {},
      );
    },
    dispose() {
      client.terminate();
      xnnpackWorker?.terminate();
      cache.terminate();
    },
  };
}
