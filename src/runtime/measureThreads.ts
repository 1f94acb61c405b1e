// Generate, compile, check, then time one schedule on a pool of threads sharing one memory: the
// parallel loop's iterations (the tail included, as the last) are split into balanced contiguous
// ranges, one per thread, and each timed call covers dispatch to join. A schedule without a
// parallel loop runs whole on the first thread. The check always runs first, on the threads.
// When the parallel loop is the outermost and a full run would take over 50 ms, a slice of its
// first iterations is split among the threads instead (see slice.ts).
import { printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import type { Codegen, CompiledKernel, Target } from '../codegen/index.ts';
import { allocateBuffers, type KernelBuffers } from './buffers.ts';
import { checkThenTime, type MeasureOptions, type Measurement } from './measure.ts';
import { splitIterations, type ThreadPool } from './threads.ts';
import { planSlice, type Slice, SLICE_FULL_RUN_MS, SLICE_MIN_FLOPS, SLICE_TARGET_MS, slicedProblem } from './slice.ts';

export interface ThreadedMeasurement extends Measurement {
  threads: number;
  /** Iterations of the parallel loop each thread ran, or null when the schedule has none. */
  ranges: [number, number][] | null;
}

/** Allocates buffers in a shared memory, as the threads need (see allocateBuffers). */
export function allocateSharedBuffers(problem: Problem, seed = 1): KernelBuffers {
  return allocateBuffers(problem, seed, { shared: true });
}

/** A compiled schedule loaded on a pool's threads, ready to run (one call = dispatch to join). */
export interface KernelOnThreads {
  compiled: CompiledKernel;
  run: () => void;
  ranges: [number, number][] | null;
}

/** Compiles `schedule` for shared memory and loads it on every thread of `pool`, on `buffers`. */
export async function loadOnThreads(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  target: Target,
  pool: ThreadPool,
  buffers: KernelBuffers,
): Promise<KernelOnThreads> {
  if (!(buffers.memory.buffer instanceof SharedArrayBuffer)) {
    throw new Error('threads need buffers in a shared memory; allocate them with allocateSharedBuffers');
  }
  const compiled = await codegen.compile(problem, schedule, { ...target, sharedMemory: true });
  const parallel = compiled.report.parallel;
  const { outPtr, in0Ptr, in1Ptr } = buffers;
  const ranges = parallel ? splitIterations(parallel.iterations, pool.threads) : null;
  const args = ranges
    ? ranges.map(([begin, end]) => [outPtr, in0Ptr, in1Ptr, begin, end])
    : Array.from({ length: pool.threads }, (_, i) => (i === 0 ? [outPtr, in0Ptr, in1Ptr] : null));
  await pool.load(compiled.module, parallel ? 'kernel_range' : 'kernel', buffers.memory);
  return { compiled, run: () => pool.run(args), ranges };
}

export async function measureScheduleOnThreads(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  target: Target,
  pool: ThreadPool,
  options: MeasureOptions = {},
): Promise<ThreadedMeasurement> {
  const buffers = options.buffers ?? allocateSharedBuffers(problem, options.seed ?? 1);
  const loaded = await loadOnThreads(codegen, problem, schedule, target, pool, buffers);
  const sliced = options.full ? null : sliceOnThreads(problem, schedule, loaded, pool, buffers);
  if (!sliced) {
    const m = checkThenTime(problem, schedule, loaded.compiled, buffers, loaded.run, options);
    return { ...m, threads: pool.threads, ranges: loaded.ranges };
  }
  const m = checkThenTime(sliced.problem, schedule, loaded.compiled, buffers, sliced.run, options);
  return {
    ...m,
    schedule: printSchedule(problem, schedule),
    flops: problem.flops,
    slice: sliced.slice,
    threads: pool.threads,
    ranges: sliced.ranges,
  };
}

/**
 * A slice of the outermost parallel loop for the threads: one iteration timed on one thread says
 * whether a full run would take over SLICE_FULL_RUN_MS; if so, enough of the first full
 * iterations for about SLICE_TARGET_MS, split among the threads.
 */
function sliceOnThreads(
  problem: Problem,
  schedule: Schedule,
  loaded: KernelOnThreads,
  pool: ThreadPool,
  buffers: KernelBuffers,
): { slice: Slice; problem: Problem; run: () => void; ranges: [number, number][] } | null {
  const parallel = loaded.compiled.report.parallel;
  if (parallel?.loop !== 0 || problem.flops < SLICE_MIN_FLOPS) return null;
  const full = schedule.loops[0].trip;
  if (full < 2) return null;
  const { outPtr, in0Ptr, in1Ptr } = buffers;
  const argsFor = (ranges: [number, number][]) => ranges.map(([b, e]) => [outPtr, in0Ptr, in1Ptr, b, e]);
  buffers.resetOutput();
  const t0 = performance.now();
  pool.run([[outPtr, in0Ptr, in1Ptr, 0, 1], ...Array.from({ length: pool.threads - 1 }, () => null)]);
  const oneMs = performance.now() - t0;
  buffers.resetOutput();
  if ((oneMs * parallel.iterations) / pool.threads <= SLICE_FULL_RUN_MS) return null;
  const iterations = Math.min(
    full,
    Math.max(pool.threads, Math.ceil((SLICE_TARGET_MS * pool.threads) / Math.max(oneMs, 1e-3))),
  );
  const slice = planSlice(problem, schedule, 0, iterations);
  const ranges = splitIterations(iterations, pool.threads);
  const args = argsFor(ranges);
  return { slice, problem: slicedProblem(problem, slice), run: () => pool.run(args), ranges };
}
