// Getting a new kernel onto V8's optimized code before it is timed.
//
// V8 runs a new wasm function in its baseline compiler (Liftoff, 3-10x slower on these kernels)
// and compiles the optimized code (TurboFan) in the background once the function has executed
// enough; a call already running stays on the baseline code. A large kernel's first call (one
// iteration of a 2048^3 matmul's outer loop) would run 10-25 ms in Liftoff. The generator's
// `kernel_range` runs warm-up rounds instead when called with begin > end (lower.cpp warm_up):
// register additions that spend the tier-up budget in under a millisecond and that the optimized
// code folds, so the time of a few rounds says which code ran.

/** Rounds of the first call: several times the budget V8 (Node 20, Chromium) tiers up after. */
export const TRIGGER_ROUNDS = 20_000;
/** Rounds of each later call that asks whether the optimized code runs. */
export const POLL_ROUNDS = 4096;
/** Optimized when a poll takes under this share of its baseline time (the code folds 100 additions into one). */
export const OPTIMIZED_SHARE = 1 / 4;
/**
 * Optimized, whatever the first call took, when a round takes under this (ns): V8 shares the
 * compiled code of identical modules, so a kernel measured before starts optimized. The
 * baseline code takes 25-45 ns a round here, the optimized code under 1.
 */
export const OPTIMIZED_NS_PER_ROUND = 4;
/** Give up waiting after this long (ms): the timing's warm-up then takes the kernel's first calls. */
export const TIER_UP_MAX_MS = 20;
/** Sleep between polls (ms), so that on a busy machine the compiling thread gets the core. */
export const POLL_SLEEP_MS = 0.25;

const sleeper = typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : null;

/** Blocks for about `ms` without spinning (Atomics.wait: Node, workers of isolated pages); else returns at once. */
function sleep(ms: number): void {
  if (!sleeper) return;
  try {
    Atomics.wait(sleeper, 0, 0, ms);
  } catch {
    // Atomics.wait is not allowed here (a page's main thread): poll without sleeping.
  }
}

export interface TierUp {
  /** The optimized code was seen running. */
  optimized: boolean;
  ms: number;
  /** The time of the first call of TRIGGER_ROUNDS rounds (ms): on the baseline code unless compiled before. */
  firstCallMs: number;
}

/**
 * Runs `rounds(n)` (a kernel_range call with begin - end = n) until its optimized code runs or
 * `maxMs` have passed. The first call's time gives the baseline speed; the optimized code runs
 * two polls in a row at least 1/OPTIMIZED_SHARE times faster (or under OPTIMIZED_NS_PER_ROUND a round).
 */
export function awaitOptimizedCode(
  rounds: (n: number) => void,
  now: () => number = () => performance.now(),
  maxMs = TIER_UP_MAX_MS,
  pause: (ms: number) => void = sleep,
): TierUp {
  const start = now();
  // V8 compiles a function on its first call: a call of one round, so that the next one times rounds only.
  rounds(1);
  const t = now();
  rounds(TRIGGER_ROUNDS);
  const firstMs = now() - t;
  const fastMsPerRound = OPTIMIZED_NS_PER_ROUND * 1e-6;
  if (firstMs < TRIGGER_ROUNDS * fastMsPerRound) return { optimized: true, ms: now() - start, firstCallMs: firstMs };
  const threshold = Math.max(POLL_ROUNDS * (firstMs / TRIGGER_ROUNDS) * OPTIMIZED_SHARE, POLL_ROUNDS * fastMsPerRound);
  // Two fast polls in a row: a page that is not cross-origin isolated reads a jittered 100-us
  // clock, which can read a baseline poll (about 0.12 ms) as nothing.
  let fast = 0;
  for (;;) {
    const t0 = now();
    rounds(POLL_ROUNDS);
    const t1 = now();
    fast = t1 - t0 < threshold ? fast + 1 : 0;
    if (fast === 2) return { optimized: true, ms: t1 - start, firstCallMs: firstMs };
    if (t1 - start >= maxMs) return { optimized: false, ms: t1 - start, firstCallMs: firstMs };
    if (fast === 0) pause(POLL_SLEEP_MS);
  }
}
