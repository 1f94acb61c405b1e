// How much work a command-line run may take on: a limit on the FLOPs of one kernel call (the
// memory cap bounds the buffers, not the time), the smaller problem on which naive-js is timed
// when the whole one would take too long, and progress lines on stderr for long runs.
import { UsageError } from './cli.ts';

/** Default limit on one kernel call, in GFLOP (matmul 1024^3 is 2.1; 2048^3 is 17.2). */
export const DEFAULT_MAX_GFLOP = 10;
/** Largest problem naive-js runs in full by default, in GFLOP (about 2 s a call here). */
export const DEFAULT_NAIVE_GFLOP = 0.5;
/** Problems from this many FLOPs on get progress lines: each row then takes about a second or more. */
export const PROGRESS_FLOPS = 1e8;

const gflop = (flops: number) => (flops / 1e9).toFixed(flops < 1e10 ? 2 : 1);

/** Refuses a problem whose kernel call is over `maxGflop`, naming the flag that lifts the limit. */
export function checkWork(flops: number, maxGflop: number, what: string): void {
  if (flops <= maxGflop * 1e9) return;
  throw new UsageError(
    `the problem takes ${gflop(flops)} GFLOP a call, over the limit of ${maxGflop} GFLOP: ${what} would run for minutes; ` +
      `use smaller sizes, or pass --max-gflop ${Math.ceil(flops / 1e9)} to run it anyway`,
  );
}

/**
 * Sizes of a smaller problem of at most `maxFlops` FLOPs for timing naive-js: the outermost
 * variables shrink first (whole rows of the output), each to at least 1. Null when the problem
 * is small enough as it is.
 */
export function naiveSampleSizes(
  variables: readonly string[],
  sizes: Readonly<Record<string, number>>,
  flops: number,
  maxFlops: number,
): Record<string, number> | null {
  if (flops <= maxFlops) return null;
  const out: Record<string, number> = { ...sizes };
  let left = flops;
  for (const v of variables) {
    if (left <= maxFlops) break;
    const keep = Math.max(1, Math.floor((out[v] * maxFlops) / left));
    left = (left / out[v]) * keep;
    out[v] = keep;
  }
  return out;
}

/** Progress lines on stderr (stdout stays clean for --json): `bench: [2/5] default ... 1.4 s`. */
export class Progress {
  private started = 0;

  constructor(
    private readonly name: string,
    private readonly total: number,
    private readonly enabled: boolean,
    private readonly write: (text: string) => void = (text) => void process.stderr.write(text),
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Announces step `index` (1-based). */
  start(index: number, label: string): void {
    this.started = this.now();
    if (this.enabled) this.write(`${this.name}: [${index}/${this.total}] ${label} ...`);
  }

  /** Ends the current step with its wall time. */
  done(): void {
    if (this.enabled) this.write(` ${((this.now() - this.started) / 1000).toFixed(1)} s\n`);
  }
}
