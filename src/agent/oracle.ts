// Where the agent's GFLOPS come from: an oracle answers "how fast is this schedule?". The
// runtime oracle generates, compiles and times the kernel (no correctness check: the generator's
// kernels are verified by the property tests); the caching oracle remembers answers by
// problem + schedule, in memory and optionally in a store (a JSON file in Node, see cacheFile.ts).
import type { Codegen, Target } from '../codegen/index.ts';
import { parseProblem, problemText } from '../core/problem.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { allocateBuffers, type KernelBuffers } from '../runtime/buffers.ts';
import { timeSchedule, type Timing } from '../runtime/measure.ts';
import { allocateSharedBuffers, measureScheduleOnThreads } from '../runtime/measureThreads.ts';
import type { ThreadPool } from '../runtime/threads.ts';
import { measurePeak } from '../runtime/peak.ts';
import type { SliceOptions } from '../runtime/slice.ts';
import { SEARCH_SLICING } from './searchSlicing.ts';
import type { TimingOptions } from '../runtime/timing.ts';

/** What a caller may tell an oracle about one measurement. */
export interface GflopsQuery {
  /**
   * Below this the answer may be a rough one (a runtime oracle stops at its probe's figure, see
   * runtime/measure.ts TimeOptions): a search passes a share of its best so far.
   */
  floorGflops?: number;
}

export interface GflopsOracle {
  /** GFLOPS of the schedule's kernel for this problem (0 when it cannot be generated). */
  gflops(problem: Problem, schedule: Schedule, query?: GflopsQuery): Promise<number>;
  /**
   * Readies the oracle for measuring this problem (its buffers, the runtime's first kernel),
   * so that a search can start its clock after it.
   */
  prepare?(problem: Problem): Promise<void>;
}

/**
 * Short timing for searching and training: the best of 3 samples of >= 2 ms (2 when a call
 * takes over 4 ms: warm-up and samples stop after 12 ms once 2 are taken). A kernel timed
 * through its ranged module (on a slice, or whole when the range is its outermost loop) first
 * waits for V8's optimized code (runtime/tierUp.ts), and then warms up with one call. Otherwise
 * it warms up for at least 5 ms (V8 runs a new wasm function in Liftoff and tiers it up to
 * TurboFan after about 1 ms of execution, compiling in the background: measured on 64^3-256^3
 * matmuls, the first calls run at ~6 GFLOPS and the TurboFan code takes over within 2-16
 * calls); slow kernels (a call of >= 10 ms) get 2 warm-up calls.
 */
export const SEARCH_TIMING: TimingOptions = {
  samples: 3,
  minSampleMs: 2,
  warmupMs: 5,
  minWarmupCalls: 3,
  longCallMs: 10,
  maxTotalMs: 12,
  minSamples: 2,
};

export { SEARCH_SLICING } from './searchSlicing.ts';

/** Careful timing for final results (the CLIs' reported GFLOPS). */
export const FINAL_TIMING: TimingOptions = {
  samples: 7,
  minSampleMs: 10,
  warmupMs: 20,
  maxTotalMs: 3000,
  minSamples: 3,
};

/**
 * Scratch the runtime oracle's buffers carry for packed panels: the agent's largest (a 512 x 2048
 * panel of B, 4 MiB, and A's rows) fit, so measuring packed candidates does not allocate and fill
 * a new buffer set each time; a kernel needing more gets buffers of its own (measure.ts buffersFor).
 */
export const ORACLE_SCRATCH_BYTES = 8 * 2 ** 20;

let runtimeWarm: Promise<void> | undefined;

/**
 * Times one small kernel through the ranged path, once per process (or realm): the process's
 * first kernel paid 25 ms to compile and a 20-ms tier-up wait that timed out (V8 starting its
 * wasm compilers), 50-100 ms in all, inside the first search's second.
 */
export function warmUpRuntime(
  codegen: Codegen,
  target: Target,
  timing: TimingOptions = SEARCH_TIMING,
  slicing: SliceOptions = SEARCH_SLICING,
): Promise<void> {
  runtimeWarm ??= (async () => {
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
    const schedule = parseSchedule(problem, 'm n k m:2 n:16');
    await timeSchedule(codegen, problem, schedule, target, { timing, slicing });
  })().catch(() => {
    runtimeWarm = undefined;
  });
  return runtimeWarm;
}

/** One buffer set per problem, allocated on first use; the `keep` most recently used are kept. */
class BuffersByProblem {
  private sets = new Map<string, KernelBuffers>();

  constructor(
    private keep: number,
    private allocate: (problem: Problem) => KernelBuffers,
  ) {}

  for(problem: Problem): KernelBuffers {
    const key = problemText(problem);
    let b = this.sets.get(key);
    if (b) {
      // Most recently used last.
      this.sets.delete(key);
      this.sets.set(key, b);
      return b;
    }
    b = this.allocate(problem);
    this.sets.set(key, b);
    while (this.sets.size > this.keep) this.sets.delete(this.sets.keys().next().value as string);
    return b;
  }
}

export class RuntimeOracle implements GflopsOracle {
  private buffers: BuffersByProblem;
  /** Kernels timed and the wall time spent generating, compiling and timing them. */
  measured = 0;
  measuredMs = 0;
  /** Called with every kernel timed and the wall time of its measurement (ms). */
  onTimed?: (timing: Timing, ms: number) => void;

  constructor(
    private codegen: Codegen,
    private target: Target,
    private timing: TimingOptions = SEARCH_TIMING,
    keepBuffers = 4,
    private slicing: SliceOptions = SEARCH_SLICING,
  ) {
    this.buffers = new BuffersByProblem(keepBuffers, (problem) =>
      allocateBuffers(problem, 1, problem.inputs.length === 2 ? { scratchBytes: ORACLE_SCRATCH_BYTES } : {}),
    );
  }

  /** Allocates and fills the problem's buffers and, once per process, warms V8's wasm tiers up (warmUpRuntime). */
  async prepare(problem: Problem): Promise<void> {
    this.buffers.for(problem);
    await warmUpRuntime(this.codegen, this.target, this.timing, this.slicing);
  }

  async gflops(problem: Problem, schedule: Schedule, query: GflopsQuery = {}): Promise<number> {
    const t0 = performance.now();
    try {
      const t = await timeSchedule(this.codegen, problem, schedule, this.target, {
        buffers: this.buffers.for(problem),
        timing: this.timing,
        slicing: this.slicing,
        ...(query.floorGflops ? { floorGflops: query.floorGflops } : {}),
      });
      this.onTimed?.(t, performance.now() - t0);
      return t.gflops;
    } catch {
      // The generator refused the schedule (LoopTune scores a failed evaluation as 0 too).
      return 0;
    } finally {
      this.measured++;
      this.measuredMs += performance.now() - t0;
    }
  }
}

/**
 * Measures on a pool of threads (one buffer set in shared memory per problem, the last few
 * kept): a schedule's parallel loop is split among them, so the figure is the GFLOPS on
 * `pool.threads` threads, what the agent maximizes when threads are available. Each kernel is
 * checked before it is timed (measureScheduleOnThreads); a wrong or refused one scores 0.
 */
export class ThreadsOracle implements GflopsOracle {
  private buffers: BuffersByProblem;
  measured = 0;
  measuredMs = 0;

  constructor(
    private codegen: Codegen,
    private target: Target,
    private pool: ThreadPool,
    private timing: TimingOptions = SEARCH_TIMING,
    keepBuffers = 2,
  ) {
    this.buffers = new BuffersByProblem(keepBuffers, (problem) => allocateSharedBuffers(problem, 1));
  }

  get threads(): number {
    return this.pool.threads;
  }

  async gflops(problem: Problem, schedule: Schedule): Promise<number> {
    const t0 = performance.now();
    try {
      const m = await measureScheduleOnThreads(this.codegen, problem, schedule, this.target, this.pool, {
        buffers: this.buffers.for(problem),
        timing: this.timing,
      });
      return m.gflops ?? 0;
    } catch {
      return 0;
    } finally {
      this.measured++;
      this.measuredMs += performance.now() - t0;
    }
  }
}

/** Persistent answers, e.g. a JSON file (cacheFile.ts). */
export interface MeasurementStore {
  get(key: string): number | undefined;
  set(key: string, gflops: number): void;
}

/** The cache key of a measurement: target, problem and canonical schedule text. */
export function measurementKey(problem: Problem, schedule: Schedule, target = ''): string {
  return `${target}|${problem.op}|${Object.entries(problem.sizes)
    .map(([v, n]) => `${v}=${n}`)
    .join(',')}|${printSchedule(problem, schedule)}`;
}

/** Remembers another oracle's answers by problem + schedule (the cursor does not matter). */
export class CachingOracle implements GflopsOracle {
  private memory = new Map<string, number>();
  private pending = new Map<string, Promise<number>>();
  hits = 0;
  misses = 0;

  /** `prefix` separates incompatible measurements in a shared store (e.g. the target). */
  constructor(
    private inner: GflopsOracle,
    private store?: MeasurementStore,
    private prefix = '',
  ) {}

  prepare(problem: Problem): Promise<void> {
    return this.inner.prepare?.(problem) ?? Promise.resolve();
  }

  /** The cached answer, if any, without measuring. */
  peek(problem: Problem, schedule: Schedule): number | undefined {
    const key = measurementKey(problem, schedule, this.prefix);
    return this.memory.get(key) ?? this.store?.get(key);
  }

  async gflops(problem: Problem, schedule: Schedule): Promise<number> {
    const key = measurementKey(problem, schedule, this.prefix);
    const known = this.memory.get(key) ?? this.store?.get(key);
    if (known !== undefined) {
      this.hits++;
      this.memory.set(key, known);
      return known;
    }
    const inFlight = this.pending.get(key);
    if (inFlight) {
      this.hits++;
      return inFlight;
    }
    this.misses++;
    const p = this.inner.gflops(problem, schedule).then(
      (g) => {
        this.memory.set(key, g);
        this.store?.set(key, g);
        this.pending.delete(key);
        return g;
      },
      (e: unknown) => {
        this.pending.delete(key);
        throw e;
      },
    );
    this.pending.set(key, p);
    return p;
  }

  get size(): number {
    return this.memory.size;
  }
}

/** An oracle from a function (tests, fakes, cost models). */
export function functionOracle(f: (problem: Problem, schedule: Schedule) => number): GflopsOracle & { calls: number } {
  const oracle = {
    calls: 0,
    async gflops(problem: Problem, schedule: Schedule) {
      oracle.calls++;
      return f(problem, schedule);
    },
  };
  return oracle;
}

let peak: Promise<number> | undefined;

/** The machine's peak GFLOPS (the runtime's peak kernel), measured once per process (or realm). */
export function peakGflopsOnce(codegen: Codegen, target: Target): Promise<number> {
  peak ??= measurePeak(codegen, target, { samples: 7, minSampleMs: 10, warmupMs: 20 }).then((p) => p.gflops);
  return peak;
}
