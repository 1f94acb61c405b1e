// A word before a problem whose default schedule runs for minutes: estimated from its FLOPs at a
// conservative speed for the default loop order (the README's matmul 512x128x1024 default runs at
// 1.36 GFLOPS; larger problems miss the caches more and run slower still).
import { formatFlops } from './format.ts';

/** GFLOPS assumed for a default schedule (conservative). */
export const DEFAULT_SCHEDULE_GFLOPS = 1;
/** A whole run estimated to take longer than this (s) gets a warning. */
export const SLOW_RUN_SECONDS = 10;
/** The page's kernel worker stops a call that runs longer than this (ms) and restarts. */
export const KERNEL_TIME_LIMIT_MS = 10_000;

/** Estimated seconds of one whole run of the problem's default schedule. */
export function defaultScheduleSeconds(problem: { flops: number }): number {
  return problem.flops / (DEFAULT_SCHEDULE_GFLOPS * 1e9);
}

/** A warning when one whole run of the default schedule is estimated to take over SLOW_RUN_SECONDS; null otherwise. */
export function slowProblemWarning(problem: { flops: number }): string | null {
  const seconds = defaultScheduleSeconds(problem);
  if (seconds <= SLOW_RUN_SECONDS) return null;
  const time = seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} minutes`;
  return `one whole run of its default schedule (${formatFlops(problem.flops)}) takes about ${time} at the ~${DEFAULT_SCHEDULE_GFLOPS} GFLOPS a default schedule gets. The page times large kernels on a slice of their outermost loop, so its figures come sooner; its "run the whole kernel" stops after ${KERNEL_TIME_LIMIT_MS / 1000} s, so time this schedule whole with npm run bench -- --full, or tile it first.`;
}
