// Slices: timing a large kernel on a part of its work instead of all of it.
//
// A kernel whose full run would take more than SLICE_FULL_RUN_MS is measured on a slice: the
// first few full iterations of its outermost loop (or of its parallel loop when that is the
// outermost), run in place with the kernel's own code through the generator's `kernel_range`
// export, checked against the reference restricted to the same range, and reported as the
// slice's GFLOPS, labelled as such. Every iteration of the outermost loop runs the same inner
// loops over a different part of the tensors, so its speed is the kernel's speed; the tail
// iteration (if any) is never part of a slice.
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

/** The part of a kernel a sliced measurement ran. */
export interface Slice {
  /** Index of the sliced loop in the schedule (the outermost). */
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

/** The slice of `iterations` full iterations of loop `loop`. */
export function planSlice(problem: Problem, schedule: Schedule, loop: number, iterations: number): Slice {
  const l = schedule.loops[loop];
  const step = loopSteps(problem, schedule)[loop];
  const size = problem.sizes[l.variable];
  const covered = Math.min(size, iterations * step);
  return {
    loop,
    variable: l.variable,
    iterations,
    of: l.trip + (l.tail > 0 ? 1 : 0),
    covered,
    size,
    fraction: covered / size,
  };
}

/**
 * The problem restricted to the slice's range of its variable: what the reference computes to
 * check a slice (elements outside the range expect nothing added). Tensors keep their layout.
 */
export function slicedProblem(problem: Problem, slice: Slice): Problem {
  const sizes = { ...problem.sizes, [slice.variable]: slice.covered };
  const restricted = { ...problem, sizes };
  return { ...restricted, flops: flopCount(restricted) };
}

/** "on 64 of 1024 iterations of m (m < 64 of 1024)". */
export function sliceLabel(slice: Slice): string {
  const range = slice.covered === slice.iterations ? '' : ` (${slice.variable} < ${slice.covered} of ${slice.size})`;
  return `on ${slice.iterations} of ${slice.of} iterations of ${slice.variable}${range}`;
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
