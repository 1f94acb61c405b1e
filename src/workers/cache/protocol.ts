// What the page and the cache worker say to each other. The imports are types (erased at build
// time): no generator, no simulator in the page.
import type { CacheFigures } from '../../core/cache/figures.ts';

export type CacheSimulationResult = CacheFigures & { simulateMs: number };

export interface CacheWorkerApi {
  /**
   * The simulated caches of a machine (core/cache/machines.ts, by id) on the memory accesses of
   * the schedule's kernel, with the loop carrying each tensor's reuse; the same figures on every
   * machine. Kernels too long to simulate access by access are sampled, and the figures say so
   * (`method`, `sampling`).
   */
  simulateCache(problemText: string, scheduleText: string, machineId: string): Promise<CacheSimulationResult>;
}
