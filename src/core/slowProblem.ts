// A word before a problem's default schedule runs for minutes: estimated from its FLOPs at a
// conservative speed for the default loop order (the README's matmul 512x128x1024 default runs at
// 1.36 GFLOPS; larger problems miss the caches more and run slower still).
import { formatFlops } from './format.ts';

/** GFLOPS assumed for a default schedule (conservative). */
export const DEFAULT_SCHEDULE_GFLOPS = 1;

/** Estimated seconds of one run of the problem's default schedule. */
export function defaultScheduleSeconds(problem: { flops: number }): number {
  return problem.flops / (DEFAULT_SCHEDULE_GFLOPS * 1e9);
}

/**
 * A warning when one run of the default schedule is estimated to take longer than the time a
 * kernel may run (`limitSeconds`, after which its measurement is stopped); null otherwise.
 */
export function slowProblemWarning(problem: { flops: number }, limitSeconds: number): string | null {
  const seconds = defaultScheduleSeconds(problem);
  if (seconds <= limitSeconds) return null;
  const time = seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} minutes`;
  return `its default schedule (${formatFlops(problem.flops)}) may take about ${time} per run at the ~${DEFAULT_SCHEDULE_GFLOPS} GFLOPS a default schedule gets, past the ${limitSeconds} s a kernel may run here: its measurement will be stopped. Tile it first (or let the agent tune it), or make it smaller.`;
}
