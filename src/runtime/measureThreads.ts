// Generate, compile, check, then time one schedule on a pool of threads sharing one memory: the
// parallel loop's iterations (the tail included, as the last) are split into balanced contiguous
// ranges, one per thread, and each timed call covers dispatch to join. A schedule without a
// parallel loop runs whole on the first thread. The check always runs first, on the threads.
import type { Problem, Schedule } from '../core/types.ts';
import type { Codegen, CompiledKernel, Target } from '../codegen/index.ts';
import { allocateBuffers, type KernelBuffers } from './buffers.ts';
import { checkThenTime, type MeasureOptions, type Measurement } from './measure.ts';
import { splitIterations, type ThreadPool } from './threads.ts';

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
  const { compiled, run, ranges } = await loadOnThreads(codegen, problem, schedule, target, pool, buffers);
  const m = checkThenTime(problem, schedule, compiled, buffers, run, options);
  return { ...m, threads: pool.threads, ranges };
}
