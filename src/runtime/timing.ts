// One timer for everything we measure (generated kernels, naive JS, xnnpack, the peak kernel):
// warm up, calibrate the number of calls per sample, take samples, report best and median.
//
// Warm-up: V8 first compiles wasm with Liftoff and tiers hot functions up to TurboFan in the
// background; a call already running does not switch tiers (no OSR for wasm), so we keep calling
// until at least `minWarmupCalls` calls and `warmupMs` have passed. JS closures (naive-js) need
// the same treatment to reach TurboFan. A call that lasts `longCallMs` or more exhausts the
// tier-up budget by itself, so after two such calls the warm-up ends (a 1 s kernel costs 2 s of
// warm-up, not 3).
//
// Samples: each sample times `callsPerSample` back-to-back calls with one pair of
// `performance.now()` reads, so the 5-100 us timer resolution (coarser without cross-origin
// isolation) stays below 1% of a >= 10 ms sample.

export interface TimingOptions {
  /** Samples to take (default 7). */
  samples?: number;
  /** Minimum duration of one sample in ms (default 10). */
  minSampleMs?: number;
  /** Minimum warm-up duration in ms (default 20). */
  warmupMs?: number;
  /** Minimum warm-up calls (default 3). */
  minWarmupCalls?: number;
  /** A call at least this long (ms) counts as warm: two of them end the warm-up (default 100). */
  longCallMs?: number;
  /**
   * Soft budget in ms for warm-up plus samples. Once spent, no further samples are taken, but
   * at least `minSamples` are. Default: no budget.
   */
  maxTotalMs?: number;
  /** Samples taken even when the budget is spent (default 3, capped at `samples`). */
  minSamples?: number;
  /**
   * Duration (ms) of a call made just before timing, e.g. the correctness check's: it counts as
   * the first warm-up call, so a kernel whose single call is long is not run again only to warm up.
   */
  priorCallMs?: number;
  /**
   * The thunk already runs optimized code (tierUp.ts): the warm-up is one call (for the caches;
   * a prior call is that call) whatever `warmupMs` and `minWarmupCalls` say, and a call of at
   * least `minSampleMs` is a sample.
   */
  optimized?: boolean;
  /** Called before each sample, outside the timed region (e.g. to reset the output). */
  beforeSample?: () => void;
  /** Clock in ms; default `performance.now`. Injectable for tests. */
  now?: () => number;
}

export interface TimingResult {
  /** Seconds per call of every sample, in the order taken. */
  samples: number[];
  /** Fastest sample, seconds per call. */
  bestSeconds: number;
  /** Median sample, seconds per call. */
  medianSeconds: number;
  callsPerSample: number;
  warmupCalls: number;
  /** Wall time spent in warm-up, calibration and samples, ms. */
  totalMs: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** GFLOPS for `flops` floating-point operations done in `seconds`. */
export function gflops(flops: number, seconds: number): number {
  return flops / seconds / 1e9;
}

/** Times a thunk (see the module comment for the procedure). */
export function timeThunk(thunk: () => void, options: TimingOptions = {}): TimingResult {
  const now = options.now ?? (() => performance.now());
  const samples = Math.max(1, Math.floor(options.samples ?? 7));
  const minSampleMs = options.minSampleMs ?? 10;
  const warmupMs = options.warmupMs ?? 20;
  const minWarmupCalls = options.minWarmupCalls ?? 3;
  const longCallMs = options.longCallMs ?? 100;
  const maxTotalMs = options.maxTotalMs ?? Infinity;
  const minSamples = Math.min(samples, Math.max(1, options.minSamples ?? 3));
  const beforeSample = options.beforeSample;

  const start = now();

  // Warm-up (a prior call counts as its first call).
  const prior = options.priorCallMs;
  let warmupCalls = prior === undefined ? 0 : 1;
  let lastCallMs = prior ?? 0;
  const optimized = options.optimized ?? false;
  const warm = () =>
    optimized ||
    (warmupCalls >= minWarmupCalls && now() - start + (prior ?? 0) >= warmupMs) ||
    (warmupCalls >= 2 && lastCallMs >= longCallMs);
  while (warmupCalls === 0 || !warm()) {
    const t0 = now();
    thunk();
    lastCallMs = now() - t0;
    warmupCalls++;
  }

  // Calibrate calls per sample: start from the last warm-up call and grow until a run of calls
  // lasts at least minSampleMs (the calibration runs also serve as extra warm-up).
  let callsPerSample = Math.max(1, Math.ceil(minSampleMs / Math.max(lastCallMs, 1e-3)));
  // One call already lasts a whole sample: nothing to calibrate.
  const calibrated = lastCallMs >= minSampleMs * (optimized ? 1 : 2);
  for (let attempt = 0; attempt < 20 && !calibrated; attempt++) {
    beforeSample?.();
    const t0 = now();
    for (let i = 0; i < callsPerSample; i++) thunk();
    const elapsed = now() - t0;
    if (elapsed >= minSampleMs) break;
    // Aim 20% above the target so the next run qualifies; at least double when the clock read 0.
    const scale = elapsed > 0 ? (minSampleMs / elapsed) * 1.2 : 2;
    callsPerSample = Math.max(callsPerSample + 1, Math.ceil(callsPerSample * Math.min(scale, 1000)));
  }

  const perCall: number[] = [];
  for (let s = 0; s < samples; s++) {
    if (s >= minSamples && now() - start >= maxTotalMs) break;
    beforeSample?.();
    const t0 = now();
    for (let i = 0; i < callsPerSample; i++) thunk();
    const elapsed = now() - t0;
    perCall.push(elapsed / 1000 / callsPerSample);
  }

  return {
    samples: perCall,
    bestSeconds: Math.min(...perCall),
    medianSeconds: median(perCall),
    callsPerSample,
    warmupCalls,
    totalMs: now() - start,
  };
}

export interface Throughput {
  /** GFLOPS of the fastest sample. */
  gflops: number;
  /** GFLOPS of the median sample. */
  gflopsMedian: number;
  timing: TimingResult;
}

/** Times a thunk that performs `flops` floating-point operations per call. */
export function measureThroughput(thunk: () => void, flops: number, options: TimingOptions = {}): Throughput {
  const timing = timeThunk(thunk, options);
  return {
    gflops: gflops(flops, timing.bestSeconds),
    gflopsMedian: gflops(flops, timing.medianSeconds),
    timing,
  };
}

/**
 * `measureThroughput` for a call that completes asynchronously (e.g. onnxruntime-web's
 * `session.run`): the same warm-up, calibration and samples, each call awaited before the next.
 * Supports the options of `timeThunk` except `priorCallMs` and `now`.
 */
export async function measureAsyncThroughput(
  thunk: () => Promise<unknown>,
  flops: number,
  options: TimingOptions = {},
): Promise<Throughput> {
  const samples = Math.max(1, Math.floor(options.samples ?? 7));
  const minSampleMs = options.minSampleMs ?? 10;
  const warmupMs = options.warmupMs ?? 20;
  const minWarmupCalls = options.minWarmupCalls ?? 3;
  const longCallMs = options.longCallMs ?? 100;
  const maxTotalMs = options.maxTotalMs ?? Infinity;
  const minSamples = Math.min(samples, Math.max(1, options.minSamples ?? 3));
  const start = performance.now();
  let warmupCalls = 0;
  let lastCallMs = 0;
  while (
    warmupCalls < minWarmupCalls ||
    (performance.now() - start < warmupMs && !(warmupCalls >= 2 && lastCallMs >= longCallMs))
  ) {
    const t0 = performance.now();
    await thunk();
    lastCallMs = performance.now() - t0;
    warmupCalls++;
  }
  const callsPerSample = Math.max(1, Math.ceil(minSampleMs / Math.max(lastCallMs, 1e-3)));
  const perCall: number[] = [];
  for (let s = 0; s < samples; s++) {
    if (s >= minSamples && performance.now() - start >= maxTotalMs) break;
    options.beforeSample?.();
    const t0 = performance.now();
    for (let i = 0; i < callsPerSample; i++) await thunk();
    perCall.push((performance.now() - t0) / 1000 / callsPerSample);
  }
  const timing: TimingResult = {
    samples: perCall,
    bestSeconds: Math.min(...perCall),
    medianSeconds: median(perCall),
    callsPerSample,
    warmupCalls,
    totalMs: performance.now() - start,
  };
  return { gflops: gflops(flops, timing.bestSeconds), gflopsMedian: gflops(flops, timing.medianSeconds), timing };
}
