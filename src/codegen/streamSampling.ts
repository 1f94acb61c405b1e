// Sampling a long access stream by the periodicity of its loops. A loop whose iterations would
// make more accesses than the budget runs its first iterations, reading the consumer's counters
// after each, until the change one iteration makes (its misses) settles. The iterations left are
// not run: the consumer's counters get the settled change once per skipped iteration. So that
// what follows the loop (its tail, the next iteration of the loop around it) meets caches holding
// about what they would hold:
// - the last skipped iterations run in full as warm-up, enough to refill the first level;
// - the iterations before them replay, at the outer levels only, what the first level passed on
//   in the last counted iteration (its misses and write-backs), moved by the loop's pointer steps:
//   enough iterations to refill the outer levels twice, at a small part of the cost;
// - a level that the iterations not run nor replayed would have refilled forgets what it held
//   before (they would have evicted it).
// What warm-up and replay count is dropped. Inside a sampled loop each iteration gets a smaller
// budget, so loops nested in it are sampled the same way.

import type { Recording } from '../core/cache/simulator.ts';

/** What the stream needs of the consumer (e.g. a cache simulator) to sample. */
export interface StreamSampler {
  /** Accesses one run may make before its loops are sampled, about. */
  budget: number;
  /**
   * A copy of the consumer's counters, all that can change (the stream hands over its pending
   * accesses first).
   */
  read(): Float64Array;
  /** Replaces the counters `read` gives. */
  write(values: Float64Array): void;
  /** Indices of the counters whose change per iteration must settle (e.g. misses per level and tensor). */
  watch: readonly number[];
  /** Per cache level, the lines it holds. */
  levelLines: readonly number[];
  /** Per level, the bytes one way spans (sets x line): addresses this far apart share a set. */
  levelSpans: readonly number[];
  /** Bytes of a cache line. */
  lineBytes: number;
  /** Per level, the lines an iteration that changed the counters by `delta` brought there (its misses). */
  fillsOf(delta: Float64Array): number[];
  /**
   * Starts recording what the first cache level passes on (its misses); recordings nest (one
   * started while others are under way is part of theirs too).
   */
  record(): void;
  /** Ends the innermost recording and returns it, kept by the consumer until `release`. */
  recorded(): Recording;
  /** Frees a recording. */
  release(recording: Recording): void;
  /**
   * Plays a recording `count` times into the levels after the first, the r-th with each tensor's
   * lines moved by `delta` times (firstStep + r) (see CacheSimulator.replayRun); returns the mark
   * at the start of each replay, as many numbers each as `mark` gives.
   */
  replayRun(
    recording: Recording,
    delta: readonly number[],
    firstStep: number,
    count: number,
    fixedFrom: readonly number[],
  ): Float64Array;
  /** The present moment, to forget what is older. */
  mark(): number[];
  /**
   * Drops from the levels flagged the lines not referenced since `mark`, of the tensors that move
   * (`moving`), below `fixedFrom` (bytes) for each.
   */
  forgetOlder(
    mark: number[],
    levels: boolean[],
    moving?: { tensors: boolean[]; fixedFrom: number[] },
    inFillSets?: boolean,
  ): void;
  /**
   * forgetOlder at one level with a horizon per set, from the last markFillSets there: a set that
   * its lines reach in b iterations forgets what is older than `since[b]` (the mark b iterations
   * back, -Infinity for nothing); `steps`, the iterations its moving lines stand for.
   */
  forgetOlderBySet(
    level: number,
    since: readonly number[],
    moving?: { tensors: boolean[]; fixedFrom: number[] },
    steps?: number,
  ): void;
  /**
   * Marks the sets of `level` that a recording's lines fall in, moved by `delta` times r for r in
   * [firstStep, firstStep + steps) (lines at or past `fixedFrom` stay), for forgetOlder's
   * `inFillSets`; returns how many sets that is. With `countLines`, also counts per set the distinct
   * lines that stay and that move, for forgetOlderBySet.
   */
  markFillSets(
    level: number,
    recording: Recording,
    delta: readonly number[],
    firstStep: number,
    steps: number,
    fixedFrom: readonly number[],
    countLines?: boolean,
  ): number;
  /** Writes the first level's dirty lines back now (they stay, clean). */
  writeBackFirst(): void;
}

/** How a run was sampled: the loops (indices in the plan) that skipped iterations, and the accesses run. */
export interface SampleReport {
  loops: number[];
  /** Accesses made (and simulated), warm-ups included. */
  accesses: number;
  /** Accesses the whole kernel makes. */
  of: number;
}

/**
 * Accesses an iteration must make for its loop to be sampled (unless the loop makes more than 16
 * times its budget): shorter iterations run in full (their loop is sampled through a loop around
 * it), which keeps the bookkeeping per iteration cheap and the caches' state close to what it would be.
 */
export const MIN_SAMPLED_ITERATION = 1024;
/**
 * What counting an iteration of a sampled loop costs beyond its accesses (reading and comparing the
 * counters, marking it), in accesses, about: a loop of short iterations is sampled only when it
 * makes more than 16 times as many as a unit plus this.
 */
export const COUNTING_COST = 512;
/** Iterations of a sampled loop that are always counted, and at most. */
export const MIN_COUNTED = 3;
export const MAX_COUNTED = 6;
/** An iteration bringing this many times a level's lines needs no warm-up nor replay for it. */
export const SELF_REFILL = 4;
/** Groups of counted iterations spread over the rest of a sampled loop after the first ones settled. */
export const SPREAD = 3;
/** A sampled loop's replays, all together, get this share of its budget. */
export const REPLAY_SHARE = 1 / 4;
/**
 * When the iteration recorded ran in full (no loop in it sampled), its record is the whole of what
 * it passed on, and replaying every iteration not run is cheap (a line per first-level miss) and
 * leaves the outer levels as they would be: its replays may take this much of the budget.
 */
export const WHOLE_REPLAY_SHARE = 4;
/** Counted groups spanning a set period (setPeriod) may take, all together, this much of the budget. */
export const GROUP_SHARE = 2;

/** About how many iterations of a sampled loop run in full: each gets this share of its budget (or 1/count). */
export const SIMULATED_ITERATIONS = 8;
/** How much two iterations' watched changes may differ, relative to their size, to be settled. */
export const SETTLED = 0.01;

export function difference(after: Float64Array, before: Float64Array): Float64Array {
  const d = new Float64Array(after.length);
  for (let i = 0; i < d.length; i++) d[i] = after[i] - before[i];
  return d;
}

/** True when the last two changes agree on the watched counters (within SETTLED of their size). */
export function settled(deltas: readonly Float64Array[], watch: readonly number[]): boolean {
  const n = deltas.length;
  if (n < MIN_COUNTED) return false;
  const a = deltas[n - 1];
  const b = deltas[n - 2];
  let gap = 0;
  let size = 0;
  for (const i of watch) {
    gap += Math.abs(a[i] - b[i]);
    size += Math.abs(a[i]) + Math.abs(b[i]);
  }
  return gap <= (SETTLED * size) / 2;
}

/** The change one skipped iteration is taken to make: the mean of the last two counted (a period of 2 averages out). */
export function settledChange(deltas: readonly Float64Array[]): Float64Array {
  const last = deltas.slice(-2);
  const mean = new Float64Array(last[0].length);
  for (const d of last) for (let i = 0; i < mean.length; i++) mean[i] += d[i] / last.length;
  return mean;
}

/**
 * Iterations to run in full as warm-up before a counted one: enough to refill the first level at
 * `fill` lines per iteration (at least one, which also touches again what every iteration
 * touches), at most `skipped` and what half the budget buys, or one when it costs at most
 * WARMUP_ONE of the budget; none when one iteration costs more.
 */
export function warmupIterations(
  fill: number,
  lines: number,
  skipped: number,
  perIteration: number,
  budget: number,
): number {
  const per = Math.max(1, perIteration);
  const affordable = Math.floor(budget / 2 / per) || (per <= WARMUP_ONE * budget ? 1 : 0);
  const wanted = fill > 0 ? Math.ceil(lines / fill) : 1;
  return Math.min(skipped, wanted, affordable);
}

/**
 * A group's warm-up may be one iteration costing up to this many times its budget (a group's budget
 * is a third of the loop's, so up to the loop's whole budget; more than the half that buys
 * several): the counted iteration after it then finds in the first level what the one before it
 * left (conv 64x64x56x56 `co oh ci kh kw ow co:4`: consecutive iterations of oh share 2 of their 3
 * rows of I, an iteration costs 49 k accesses against 83 k per group, and without it the first of
 * each group missed the rows the one before would have left: I's L1 misses 4.3% over; conv 128 x
 * 128 x 28 x 28 `ci:4 co:32 oh:28 ow:28 ci:32 kh:3 kw:3 co:4`, an iteration of oh 11 k accesses
 * against 5 k per group: 70% over, 1.7% with it).
 */
export const WARMUP_ONE = 3;

/**
 * Iterations to replay at the outer levels (only the first level's misses, recorded once): enough
 * to refill each of them twice, at most `notRun`, and what the budget buys (a replayed line costs
 * about what an access does).
 */
export function replayIterations(
  fills: readonly number[],
  levelLines: readonly number[],
  notRun: number,
  recorded: number,
  budget: number,
): number {
  let wanted = 0;
  for (let level = 1; level < fills.length; level++)
    if (fills[level] > 0 && fills[level] < SELF_REFILL * levelLines[level])
      wanted = Math.max(wanted, Math.ceil((2 * levelLines[level]) / fills[level]));
  const affordable = Math.floor(budget / Math.max(1, recorded));
  return Math.max(0, Math.min(notRun, wanted, affordable));
}

/**
 * Whether every one of `notRun` iterations replays, whatever the budget: when together they pass
 * the second level at most twice its lines (what replayIterations aims at), `recorded` lines each.
 */
export function replaysAll(notRun: number, recorded: number, levelLines: readonly number[]): boolean {
  return levelLines.length > 1 && notRun * recorded <= 2 * levelLines[1];
}

/**
 * Iterations after which every tensor a loop moves is at the same place in its lines again (1 when
 * every pointer step is a whole number of lines). A loop moving a tensor by part of a line misses
 * it in some iterations only: matmul `k:256 m:4 n:8` steps A by 4 bytes, a new line every 16th
 * iteration of k; a tile 48 bytes wide brings C's lines 1, 1, 1, 0 in 4 iterations. Counted
 * iterations taken one at a time see some of these phases (the first three, here) and weigh them
 * wrongly (matmul 2048^3 `n:10 r128 k:16 pack(B) m:170 r8 n:16 m:4 k:128 m:3 n:12`: C's L2 misses
 * 17% over), so a loop is sampled by units of this many iterations (sampledUnit).
 */
export function linePeriod(steps: readonly number[], lineBytes: number): number {
  let period = 1;
  for (const step of steps) {
    if (step === 0 || Math.abs(step) >= lineBytes || !Number.isInteger(step) || !Number.isInteger(lineBytes)) continue;
    const p = lineBytes / gcd(Math.abs(step), lineBytes);
    period = (period * p) / gcd(period, p);
    if (period > MAX_PERIOD) return MAX_PERIOD;
  }
  return period;
}

/**
 * Iterations a sampled loop takes at a time: its line period when that is over 2 (counted groups
 * are pairs, which average a period of 2 out), else 1.
 */
export function sampledUnit(steps: readonly number[], lineBytes: number): number {
  const period = linePeriod(steps, lineBytes);
  return period > 2 ? period : 1;
}

/** Recorded lines times positions that marking the sets a loop's skipped iterations fill may look at. */
export const FILL_SET_WORK = 200_000;

/** Most iterations back a horizon per set looks (forgetOlderBySet's marks). */
export const MAX_HORIZON = 4096;

/** Iterations whose lines are counted per set for a horizon per set, at most (a set period, else these). */
export const BY_SET_STEPS = 16;

/** Longest set period (setPeriod) looked at. */
export const MAX_PERIOD = 64;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Iterations after which a loop's moving lines fall in the same sets of every level again (its
 * pointer steps against each level's way span), at least 2 (a pair), or MAX_PERIOD + 1 when longer.
 * Within such a period an iteration's misses can depend on its phase: a working set about a level's
 * size hits in some sets and misses in others (e.g. matmul 512^3 `k:32 m:128 n:64 k:16 m:4 n:8`:
 * 8 iterations of m whose rows of C all miss the L2, then 8 that hit, a period of 16).
 */
export function setPeriod(steps: readonly number[], spans: readonly number[]): number {
  let period = 2;
  for (const span of spans)
    for (const step of steps) {
      if (step === 0 || !Number.isInteger(span) || !Number.isInteger(step)) continue;
      const p = span / gcd(Math.abs(step), span);
      period = (period * p) / gcd(period, p);
      if (period > MAX_PERIOD) return MAX_PERIOD + 1;
    }
  return period;
}

/** A loop of at most this many iterations whose iterations differ by their sets runs every one (stratified). */
export const STRATIFY_UP_TO = 8;

/**
 * Whether a loop of `count` iterations runs all of them, each with its share of the budget, instead
 * of being sampled: when there are few, and it moves a tensor by what a loop around it (`outer`, their
 * pointer steps) moves another, in the same sets of some level: the iteration at the same index as
 * the loop around it has the two tensors' blocks in the same sets, the others not. Its iterations
 * are then strata, not samples of one behaviour: e.g. matmul 1024^3 `n:8 k:8 m:8 n:16 ...`, where
 * k:8 moves A's block by 512 bytes and n:8 moves B's and C's by 512 bytes, so the three share the
 * L2's sets when k0 = n0 (the diagonal, 1 in 8), and a sampled k:8 weighs the diagonal by the
 * iterations it happened to run.
 */
export function stratified(
  count: number,
  steps: readonly number[],
  outer: readonly (readonly number[])[],
  spans: readonly number[],
  lineBytes: number,
): boolean {
  if (count > STRATIFY_UP_TO) return false;
  return outer.some((around) =>
    steps.some((step, t) =>
      around.some(
        (other, u) =>
          u !== t &&
          Math.abs(step) >= lineBytes &&
          spans.some((span) => step % span !== 0 && (step - other) % span === 0),
      ),
    ),
  );
}

/**
 * Where each iteration a sampled loop simulated or replayed began, in the order run (positions
 * rising): its position in the loop and the consumer's mark then. Kept as runs of consecutive
 * positions with their marks side by side, so a replay run of many iterations is one entry.
 */
export class MarkHistory {
  private readonly starts: number[] = [];
  private readonly counts: number[] = [];
  /** Per run, its marks, `width` numbers per position. */
  private readonly marks: Float64Array[] = [];
  private width = 0;

  add(position: number, mark: readonly number[]): void {
    this.addRun(position, 1, Float64Array.from(mark));
  }

  /** `count` consecutive positions from `position`, their marks one after another. */
  addRun(position: number, count: number, marks: Float64Array): void {
    if (count <= 0) return;
    const last = this.starts.length - 1;
    if (last >= 0 && position < this.starts[last] + this.counts[last])
      throw new RangeError(`iteration ${position} begins before the last one recorded`);
    this.width = marks.length / count;
    this.starts.push(position);
    this.counts.push(count);
    this.marks.push(marks);
  }

  /** The first position recorded (Infinity when none). */
  firstPosition(): number {
    return this.starts.length > 0 ? this.starts[0] : Number.POSITIVE_INFINITY;
  }

  /** The last position recorded (-Infinity when none). */
  lastPosition(): number {
    const last = this.starts.length - 1;
    return last >= 0 ? this.starts[last] + this.counts[last] - 1 : Number.NEGATIVE_INFINITY;
  }

  first(): number[] {
    return this.markAt(0, 0);
  }

  last(): number[] {
    const run = this.starts.length - 1;
    return this.markAt(run, this.counts[run] - 1);
  }

  /** The mark of the first iteration begun at a position after `position`, or null when none. */
  after(position: number): number[] | null {
    // The first run whose last position lies after `position` (runs rise).
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] + this.counts[mid] - 1 > position) hi = mid;
      else lo = mid + 1;
    }
    if (lo === this.starts.length) return null;
    const start = this.starts[lo];
    return this.markAt(lo, start > position ? 0 : Math.floor(position) + 1 - start);
  }

  private markAt(run: number, index: number): number[] {
    return Array.from(this.marks[run].subarray(index * this.width, (index + 1) * this.width));
  }
}
