// The page's handle on the cache worker (worker.ts), through comlink: started on first use,
// one simulation at a time, and ended (the next call starts a fresh one) when a simulation runs
// over its time limit. The lifecycle is the shared supervisedWorker.ts. `warmUp` starts the worker
// and readies it; it takes its turn like a simulation, so one asked meanwhile runs after it.
import { supervisedWorker, type WorkerLike } from '../supervisedWorker.ts';
import type { CacheWarmUp, CacheWorkerApi } from './protocol.ts';

export interface CacheClient extends Pick<CacheWorkerApi, 'simulateCache'> {
  /** Starts the worker (if none runs) and warms it up (CacheWorkerApi.warmUp); resolves when done. */
  warmUp(): Promise<CacheWarmUp>;
  terminate(): void;
}

export interface CacheClientOptions {
  createWorker?: () => WorkerLike;
  /** Time limit of one simulation (default 20 s: a sampled one takes well under a second). */
  timeLimitMs?: number;
}

function defaultCreateWorker(): WorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

export function createCacheClient(options: CacheClientOptions = {}): CacheClient {
  const ms = options.timeLimitMs ?? 20_000;
  const worker = supervisedWorker<CacheWorkerApi, undefined>({
    create: options.createWorker ?? defaultCreateWorker,
    name: 'the cache worker',
  });
  return {
    simulateCache(problemText, scheduleText, machineId, options) {
      return worker.serial(() =>
        worker.call((api) => api.simulateCache(problemText, scheduleText, machineId, options), {
          ms,
          message: (limit) => `the cache simulation ran longer than ${limit}; the cache worker was restarted`,
        }),
      );
    },
    warmUp() {
      return worker.serial(() =>
        worker.call((api) => api.warmUp(), {
          ms,
          message: (limit) => `the cache worker's warm-up ran longer than ${limit}; the cache worker was restarted`,
        }),
      );
    },
    terminate: () => worker.stop(),
  };
}
