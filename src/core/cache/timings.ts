// What the page's cache simulations took, as User Timing entries (performance.measure) that a
// measurement (scripts/measure-page.ts --cache) or a person in the browser's devtools can read:
// each simulation from the page's request to its figures, and the cache worker's warm-up. The quick
// GFLOPS measurements are recorded the same way, so the two can be put on one timeline.
export const CACHE_SIMULATION_ENTRY = 'looplab:cache-simulation';
export const CACHE_WARM_UP_ENTRY = 'looplab:cache-warm-up';
/** Each quick GFLOPS measurement, from the page's request to its figure in the store. */
export const MEASUREMENT_ENTRY = 'looplab:measurement';
/** Recorded in the cache worker itself around each simulation: in a trace it names the worker's thread. */
export const CACHE_WORKER_ENTRY = 'looplab:cache-worker-simulation';

/** The URL parameter that turns the cache worker's warm-up off (`?cache-warm-up=off`: measuring what it saves). */
export const CACHE_WARM_UP_PARAM = 'cache-warm-up';

/** The detail of a CACHE_SIMULATION_ENTRY: what was simulated, and the simulation's own time in the worker. */
export interface CacheSimulationTiming {
  schedule: string;
  machine: string;
  method: string;
  simulateMs: number;
}

/** Records a span that began at `startMs` (performance.now()) and ends now; nothing where User Timing is missing. */
export function recordTiming(name: string, startMs: number, detail: object): void {
  if (typeof performance === 'undefined' || typeof performance.measure !== 'function') return;
  try {
    performance.measure(name, { start: startMs, detail });
  } catch {
    // An environment without measure(name, options): the timing is only for reading, never needed.
  }
}
