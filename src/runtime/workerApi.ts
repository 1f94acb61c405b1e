// What the runtime worker does, separate from the comlink wiring in worker.ts so that it can be
// tested in Node: load the code generator, then check and time kernels given as text.
import { detectTarget, loadCodegen, type Codegen, type Target } from '../codegen/index.ts';
import { parseProblemText } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { allocateBuffers, type KernelBuffers } from './buffers.ts';
import { measureSchedule, type Measurement } from './measure.ts';
import { measurePeak } from './peak.ts';

export interface WorkerMeasureOptions {
  /** Seed of the random inputs (default 1). */
  seed?: number;
  /** Timing samples (default 7). */
  samples?: number;
  /** Minimum duration of one sample in ms (default 10). */
  minSampleMs?: number;
  /** Only check correctness, do not time (gflops stay null). */
  checkOnly?: boolean;
  /**
   * Above this many flops only a sample of the output is checked (default 1e9 here, so that the
   * JS reference of a big problem does not eat the call's time limit).
   */
  fullCheckMaxFlops?: number;
  /** Soft time budget of warm-up plus samples in ms; at least 3 samples are taken (default 2500). */
  budgetMs?: number;
}

export const WORKER_FULL_CHECK_MAX_FLOPS = 1e9;
export const WORKER_TIMING_BUDGET_MS = 2500;

export interface RuntimeWorkerApi {
  /** Loads the code generator; returns the detected target. */
  init(): Promise<Target>;
  /**
   * Parses `problemText` (statement, then sizes on the next line) and `scheduleText`, then
   * generates, checks and times the kernel. DSL and schedule errors reject with DslError /
   * ScheduleError (name and message survive the trip through comlink).
   */
  measure(problemText: string, scheduleText: string, options?: WorkerMeasureOptions): Promise<Measurement>;
  /** Peak GFLOPS (best sample) of the machine's SIMD multiply-add. */
  peak(): Promise<number>;
}

export function createWorkerApi(): RuntimeWorkerApi {
  let state: Promise<{ codegen: Codegen; target: Target }> | null = null;
  /** Buffers of the last problem, reused while the same problem is measured again. */
  let cached: { key: string; buffers: KernelBuffers } | null = null;

  const ready = () => {
    state ??= loadCodegen().then((codegen) => ({ codegen, target: detectTarget() }));
    return state;
  };

  return {
    async init() {
      return (await ready()).target;
    },

    async measure(problemText, scheduleText, options = {}) {
      const { codegen, target } = await ready();
      const problem = parseProblemText(problemText);
      const schedule = parseSchedule(problem, scheduleText);
      const seed = options.seed ?? 1;
      const key = `${seed}\n${problem.op}\n${JSON.stringify(problem.sizes)}`;
      if (cached?.key !== key) {
        cached = null; // let the old memory go before allocating the new one
        cached = { key, buffers: allocateBuffers(problem, seed) };
      }
      return measureSchedule(codegen, problem, schedule, target, {
        buffers: cached.buffers,
        checkOnly: options.checkOnly,
        timing: {
          samples: options.samples,
          minSampleMs: options.minSampleMs,
          maxTotalMs: options.budgetMs ?? WORKER_TIMING_BUDGET_MS,
          minSamples: 3,
        },
        check: { fullCheckMaxFlops: options.fullCheckMaxFlops ?? WORKER_FULL_CHECK_MAX_FLOPS },
      });
    },

    async peak() {
      const { codegen, target } = await ready();
      return (await measurePeak(codegen, target)).gflops;
    },
  };
}
