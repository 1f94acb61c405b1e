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

/**
 * Allocates buffers in a shared memory, as the threads need (see allocateBuffers), with
 * `scratchBytes` of scratch for packed panels (each thread packs into its own part of it).
 */
export function allocateSharedBuffers(problem: Problem, seed = 1, scratchBytes = 0): KernelBuffers {
  return allocateBuffers(problem, seed, { shared: true, scratchBytes });
}

/** Scratch one thread's packed panels take, rounded up to whole cache lines (64 bytes). */
function scratchPerThread(compiled: CompiledKernel): number {
  return Math.ceil((compiled.report.scratchBytes ?? 0) / 64) * 64;
}

/** Buffers for the threads: `given` when its scratch holds every thread's panels, else new ones (same seed). */
function sharedBuffersFor(problem: Problem, given: KernelBuffers, scratchBytes: number): KernelBuffers {
  return given.scratchBytes >= scratchBytes ? given : allocateSharedBuffers(problem, given.seed, scratchBytes);
}

/** A compiled schedule loaded on a pool's threads, ready to run (one call = dispatch to join). */
export interface KernelOnThreads {
  compiled: CompiledKernel;
  run: () => void;
  ranges: [number, number][] | null;
  /** The buffers it runs on (new ones when the given ones had too little scratch for its packs). */
  buffers: KernelBuffers;
  /** The threads' arguments for these ranges of the parallel loop (each thread with its own scratch). */
  argsFor(ranges: [number, number][]): number[][];
}

/** Compiles `schedule` for shared memory and loads it on every thread of `pool`, on `buffers`. */
export async function loadOnThreads(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  target: Target,
  pool: ThreadPool,
  given: KernelBuffers,
): Promise<KernelOnThreads> {
  if (!(given.memory.buffer instanceof SharedArrayBuffer)) {
    throw new Error('threads need buffers in a shared memory; allocate them with allocateSharedBuffers');
  }
  const compiled = await codegen.compile(problem, schedule, { ...target, sharedMemory: true });
  const perThread = scratchPerThread(compiled);
  const buffers = sharedBuffersFor(problem, given, perThread * pool.threads);
  const parallel = compiled.report.parallel;
  const { outPtr, in0Ptr, in1Ptr, scratchPtr } = buffers;
  const scratch = (i: number) => (perThread > 0 ? [scratchPtr + i * perThread] : []);
  const argsFor = (ranges: [number, number][]) =>
    ranges.map(([begin, end], i) => [outPtr, in0Ptr, in1Ptr, begin, end, ...scratch(i)]);
  const ranges = parallel ? splitIterations(parallel.iterations, pool.threads) : null;
  const args = ranges
    ? argsFor(ranges)
    : Array.from({ length: pool.threads }, (_, i) => (i === 0 ? [outPtr, in0Ptr, in1Ptr, ...scratch(0)] : null));
  await pool.load(compiled.module, parallel ? 'kernel_range' : 'kernel', buffers.memory);
  return { compiled, run: () => pool.run(args), ranges, buffers, argsFor };
}

export async function measureScheduleOnThreads(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  target: Target,
  pool: ThreadPool,
  options: MeasureOptions = {},
): Promise<ThreadedMeasurement> {
  const loaded = await loadOnThreads(
    codegen,
    problem,
    schedule,
    target,
    pool,
    options.buffers ?? allocateSharedBuffers(problem, options.seed ?? 1),
  );
  const { buffers } = loaded;
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
export function sliceOnThreads(
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
  const { argsFor } = loaded;
  buffers.resetOutput();
  const t0 = performance.now();
  pool.run([argsFor([[0, 1]])[0], ...Array.from({ length: pool.threads - 1 }, () => null)]);
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
