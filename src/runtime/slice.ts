// Slices: timing a large kernel on a part of its work instead of all of it.
//
// A kernel whose full run would take more than SLICE_FULL_RUN_MS is measured on a slice: the
// first few full iterations of its outermost loop (or of its parallel loop when that is the
// outermost), run in place with the kernel's own code through the generator's `kernel_range`
// export, checked against the reference restricted to the same range, and reported as the
// slice's GFLOPS, labelled as such. Every iteration of the outermost loop runs the same inner
// loops over a different part of the tensors, so its speed is the kernel's speed; the tail
// iteration (if any) is never part of a slice.
//
// When one iteration of the outermost loop is itself far longer than a slice should take (a
// blocked 2048^3 matmul: 10-40 ms), the slice goes deeper: the first iteration of the loops
// outside and the first few of a loop inside them (`sliceLoops`). The generator is handed a view
// of the problem (those variables' sizes cut to one iteration, every stride the full problem's),
// so the kernel it emits runs the same inner loops on the same addresses as the full kernel's
// first iterations. A slice inside a loop that packs an input runs at least SLICE_MIN_PACK_SHARE
// of its iteration (the copy is spread over less work than in the full run), and touches at least
// SLICE_MIN_BYTES of data per call (a slice that stays in the L2 between calls would time a cache
// the full run does not get).
import { flopCount } from '../core/reference.ts';
import { loopSteps } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import type { KernelReport } from '../codegen/index.ts';

/** A full run expected to take longer than this (ms) is measured on a slice. */
export const SLICE_FULL_RUN_MS = 50;
/** A slice is sized to take about this long (ms) per call. */
export const SLICE_TARGET_MS = 20;
/** Below this many flops no schedule is slow enough to need a slice (50 ms at 0.2 GFLOPS). */
export const SLICE_MIN_FLOPS = 1e7;
/** A slice inside the outermost loop touches at least this much data per call (twice this machine's L2, above the cost model's 1 MiB). */
export const SLICE_MIN_BYTES = 2 * 2 ** 20;
/**
 * A slice inside a loop that packs an input runs at least this share of one of its iterations:
 * the copy, made once per call, weighs at most 1/share times what it weighs in the full run.
 */
export const SLICE_MIN_PACK_SHARE = 1 / 4;
/** The speed a deeper slice is sized for before it is timed (one thread near this machine's peak). */
export const SLICE_PLAN_GFLOPS = 50;
/**
 * The outermost loop is sliced while its smallest slice takes at most this many times the
 * target: a slice deeper runs a kernel generated with the loops outside it cut to one iteration,
 * which the generator leaves out, and V8 compiles that shallower nest differently (bmm 4 x 512^3,
 * `b:4 n:2 k:4 m:128 n:32 k:128 m:4 n:8`: all of b = 0 ran 26% faster in the kernel without the
 * b loop than in the full one, same addresses in the same order).
 */
export const SLICE_OUTERMOST_FACTOR = 3;

/**
 * When to slice and how long a slice runs, for callers that trade precision for speed (the
 * agent's searches measure many kernels): the defaults are SLICE_FULL_RUN_MS and SLICE_TARGET_MS.
 */
export interface SliceOptions {
  /** A full run expected to take longer than this (ms) is measured on a slice. */
  fullRunMs?: number;
  /** A slice is sized to take about this long (ms) per call (at least one iteration). */
  targetMs?: number;
}

/** A loop outside the sliced one that ran its first iteration only. */
export interface SliceBound {
  loop: number;
  variable: string;
  /** Values 0..covered-1 of the variable were covered, out of `size`. */
  covered: number;
  size: number;
}

/** The part of a kernel a sliced measurement ran. */
export interface Slice {
  /** Index of the sliced loop in the schedule (the outermost, or one inside `within`). */
  loop: number;
  variable: string;
  /** Full iterations of the loop that ran, out of `of` (tail included). */
  iterations: number;
  of: number;
  /** Values 0..covered-1 of the variable were covered, out of `size`. */
  covered: number;
  size: number;
  /** The slice's share of the problem's flops. */
  fraction: number;
  /** The loops outside the sliced one, each run for its first iteration (absent for the outermost loop). */
  within?: SliceBound[];
}

/**
 * The loop a slice may run part of: the outermost loop, when it has at least two full
 * iterations and no other loop is parallel (the generator hands out ranges of one loop only).
 */
export function sliceableLoop(schedule: Schedule): number | null {
  const loops = schedule.loops;
  if (loops.length < 2) return null;
  if (loops.some((loop, i) => i > 0 && loop.parallel)) return null;
  return loops[0].trip >= 2 ? 0 : null;
}

/** The schedule with loop `loop` marked as the one whose iterations the caller hands out. */
export function rangeSchedule(schedule: Schedule, loop: number): Schedule {
  return { loops: schedule.loops.map((l, i) => (i === loop ? { ...l, parallel: true } : l)) };
}

/**
 * Loops a slice may range over, outermost first: the outermost (sliceableLoop) and, with no
 * parallel loop, each loop inside it with two full iterations or more that is not the innermost,
 * while every loop outside it has a full iteration.
 */
export function sliceLoops(schedule: Schedule): number[] {
  const first = sliceableLoop(schedule);
  const loops = schedule.loops;
  if (first === null && (loops.length < 2 || loops[0].trip < 1)) return [];
  const out = first === null ? [] : [0];
  if (loops.some((loop) => loop.parallel)) return out;
  for (let l = 1; l < loops.length - 1; l++) {
    const outside = loops[l - 1];
    if (outside.trip < 1) break;
    if (loops[l].trip >= 2) out.push(l);
  }
  return out;
}

/** Per variable, the values the first iteration of every loop outside `loop` covers. */
function firstIterationSizes(
  problem: Problem,
  schedule: Schedule,
  loop: number,
): Map<string, { loop: number; covered: number }> {
  const steps = loopSteps(problem, schedule);
  const bounds = new Map<string, { loop: number; covered: number }>();
  // Innermost last: its step is the narrowest range of its variable.
  for (let i = 0; i < loop; i++) {
    const v = schedule.loops[i].variable;
    bounds.set(v, { loop: i, covered: Math.min(problem.sizes[v], steps[i]) });
  }
  return bounds;
}

/** The slice of `iterations` full iterations of loop `loop` (within the first iteration of the loops outside it). */
export function planSlice(problem: Problem, schedule: Schedule, loop: number, iterations: number): Slice {
  const l = schedule.loops[loop];
  const step = loopSteps(problem, schedule)[loop];
  const size = problem.sizes[l.variable];
  const bounds = firstIterationSizes(problem, schedule, loop);
  const covered = Math.min(bounds.get(l.variable)?.covered ?? size, iterations * step);
  const within: SliceBound[] = [...bounds]
    .filter(([v]) => v !== l.variable)
    .map(([variable, b]) => ({ loop: b.loop, variable, covered: b.covered, size: problem.sizes[variable] }))
    .sort((a, b) => a.loop - b.loop);
  return {
    loop,
    variable: l.variable,
    iterations,
    of: l.trip + (l.tail > 0 ? 1 : 0),
    covered,
    size,
    fraction: within.reduce((f, b) => (f * b.covered) / b.size, covered / size),
    ...(within.length > 0 ? { within } : {}),
  };
}

/**
 * What the generator is handed for a slice of loop `loop`: the problem cut to the first
 * iteration of the loops outside it (sizes cut, tensors and strides the full problem's) and the
 * schedule with those loops running once and `loop` handing out its iterations.
 */
export function sliceView(
  problem: Problem,
  schedule: Schedule,
  loop: number,
): { problem: Problem; schedule: Schedule } {
  if (loop === 0) return { problem, schedule: rangeSchedule(schedule, 0) };
  const sizes = { ...problem.sizes };
  for (const [v, b] of firstIterationSizes(problem, schedule, loop)) sizes[v] = b.covered;
  const cut = { ...problem, sizes };
  return {
    problem: { ...cut, flops: flopCount(cut) },
    schedule: {
      loops: schedule.loops.map((l, i) =>
        i < loop ? { ...l, trip: 1, tail: 0 } : i === loop ? { ...l, parallel: true } : l,
      ),
    },
  };
}

/** Bytes of the tensors' elements a slice reads or writes (each tensor's box of indices). */
export function sliceBytes(problem: Problem, slice: Slice): number {
  const sizes = slicedProblem(problem, slice).sizes;
  let elements = 0;
  for (const t of [problem.output, ...problem.inputs]) {
    elements += t.indices.reduce(
      (n, index) => n * index.reduce((e, term) => e + term.coef * (sizes[term.variable] - 1), 1),
      1,
    );
  }
  return 4 * elements;
}

/**
 * The fewest iterations of loop `loop` whose slice touches SLICE_MIN_BYTES and runs
 * SLICE_MIN_PACK_SHARE of an iteration of every loop outside it that packs (1 for the outermost
 * loop; the loop's full iterations if even they do not, then the loop is no place to slice).
 */
export function minSliceIterations(problem: Problem, schedule: Schedule, loop: number): number {
  if (loop === 0) return 1;
  const packShares: number[] = [];
  for (let p = 0; p < loop; p++)
    if ((schedule.loops[p].packs ?? []).length > 0)
      packShares.push(SLICE_MIN_PACK_SHARE * planSlice(problem, schedule, p, 1).fraction);
  const enough = (iterations: number) => {
    const slice = planSlice(problem, schedule, loop, iterations);
    return sliceBytes(problem, slice) >= SLICE_MIN_BYTES && packShares.every((f) => slice.fraction >= f);
  };
  let lo = 1;
  let hi = schedule.loops[loop].trip;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (enough(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The loop to slice first (then the ones outside it, should the generator decide differently
 * there): the outermost whose smallest slice (minSliceIterations) takes at most `targetMs` at
 * `planGflops` (before a probe, SLICE_PLAN_GFLOPS; after one, the speed it showed; the
 * outermost loop of the schedule SLICE_OUTERMOST_FACTOR times that), else the one whose
 * smallest slice is the smallest.
 */
export function sliceLoopOrder(
  problem: Problem,
  schedule: Schedule,
  targetMs = SLICE_TARGET_MS,
  planGflops = SLICE_PLAN_GFLOPS,
): number[] {
  const loops = sliceLoops(schedule);
  const targetFlops = targetMs * planGflops * 1e6;
  let pick = 0;
  let least = Infinity;
  for (let i = 0; i < loops.length; i++) {
    const iterations = minSliceIterations(problem, schedule, loops[i]);
    const smallest = planSlice(problem, schedule, loops[i], iterations);
    if (i > 0 && iterations === schedule.loops[loops[i]].trip) continue;
    const flops = smallest.fraction * problem.flops;
    if (flops < least) {
      least = flops;
      pick = i;
    }
    if (flops <= (loops[i] === 0 ? SLICE_OUTERMOST_FACTOR : 1) * targetFlops) break;
  }
  return loops.slice(0, pick + 1).reverse();
}

/**
 * The problem restricted to the slice's range of its variable: what the reference computes to
 * check a slice (elements outside the range expect nothing added). Tensors keep their layout.
 */
export function slicedProblem(problem: Problem, slice: Slice): Problem {
  const sizes = { ...problem.sizes, [slice.variable]: slice.covered };
  for (const b of slice.within ?? []) sizes[b.variable] = b.covered;
  const restricted = { ...problem, sizes };
  return { ...restricted, flops: flopCount(restricted) };
}

/** "on 64 of 1024 iterations of m (m < 64 of 1024)", "..., in the first iteration of n (n < 128 of 2048)". */
export function sliceLabel(slice: Slice): string {
  const range = slice.covered === slice.iterations ? '' : ` (${slice.variable} < ${slice.covered} of ${slice.size})`;
  const within = (slice.within ?? []).map((b) => `${b.variable} < ${b.covered} of ${b.size}`);
  const outside = within.length ? `, within the first iteration of the loops outside (${within.join(', ')})` : '';
  return `on ${slice.iterations} of ${slice.of} iterations of ${slice.variable}${range}${outside}`;
}

/**
 * Whether the kernel generated for the range schedule decided the same as the plain one (tile,
 * vectors, unrolling): then timing its range is timing the kernel's own code.
 */
export function sameDecisions(plain: KernelReport, ranged: KernelReport): boolean {
  const decisions = (r: KernelReport) =>
    JSON.stringify([
      r.vectorizedVariable,
      r.access,
      r.horizontalSum,
      r.tileLoops,
      r.vectorAccumulators,
      r.scalarAccumulators,
      r.heldAcross,
      r.unrolledMultiplyAdds,
      r.innermostUnroll,
      r.tileReduction ?? null,
      r.lanes,
      r.registers,
    ]);
  return decisions(plain) === decisions(ranged);
}

/** How many iterations make a slice of about SLICE_TARGET_MS, given one iteration's time. */
export function sliceIterations(oneIterationMs: number, fullIterations: number, targetMs = SLICE_TARGET_MS): number {
  const n = Math.ceil(targetMs / Math.max(oneIterationMs, 1e-3));
  return Math.max(1, Math.min(fullIterations, n));
}
