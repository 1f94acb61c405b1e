// What the page and the cache worker say to each other. The imports are types (erased at build
// time): no generator, no simulator in the page.
import type { CacheFigures } from '../../core/cache/figures.ts';

export type CacheSimulationResult = CacheFigures & { simulateMs: number };

/** What the worker's warm-up took (ms): loading the generator and the simulator, then its small simulation. */
export interface CacheWarmUp {
  loadMs: number;
  simulateMs: number;
}

export interface CacheSimulationOptions {
  /**
   * Simulate every access, however many (up to runtime/cacheSim.ts EXACT_ON_REQUEST_UP_TO; over
   * it, an error that says so): seconds on a large problem.
   */
  exact?: boolean;
}

export interface CacheWorkerApi {
  /**
   * The simulated caches of a machine (core/cache/machines.ts, by id) on the memory accesses of
   * the schedule's kernel, with the loop carrying each tensor's reuse; the same figures on every
   * machine. Kernels too long to simulate access by access are sampled, and the figures say so
   * (`method`, `sampling`), unless `options.exact`.
   */
  simulateCache(
    problemText: string,
    scheduleText: string,
    machineId: string,
    options?: CacheSimulationOptions,
  ): Promise<CacheSimulationResult>;
  /**
   * Loads the generator and the compiled simulator and runs a small simulation with them, so that
   * the first simulation a person asks for runs warm (V8 has compiled the hot code by then). Once
   * per worker: a second call returns the first one's answer; a simulation asked meanwhile waits
   * for it. Its figures are thrown away; it leaves nothing behind that changes later figures.
   */
  warmUp(): Promise<CacheWarmUp>;
}
