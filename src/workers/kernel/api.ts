// What the kernel worker does, separate from the comlink wiring in worker.ts so that it can be
// tested in Node: load the code generator, then check and time kernels given as text (answering
// with the kernel's bytes and the generator's report too); also the machine's peak, its memory
// bandwidth and the XNNPACK baseline (tfjs loaded on first use). Its contract is protocol.ts.
import { detectTarget, loadCodegen, type Codegen, type Target } from '../../codegen/index.ts';
import { parseProblemText } from '../../core/problem.ts';
import { parallelLoopIndex, parseSchedule } from '../../core/schedule.ts';
import type { Problem } from '../../core/types.ts';
import { measureBandwidth } from '../../runtime/bandwidth.ts';
import { allocateBuffers, type KernelBuffers } from '../../runtime/buffers.ts';
import { createBrowserThreadPool } from '../../runtime/browserThreads.ts';
import { measureSchedule } from '../../runtime/measure.ts';
import { allocateSharedBuffers, measureScheduleOnThreads } from '../../runtime/measureThreads.ts';
import { threadSupportHere, threadsOffReason } from '../../runtime/threadSupport.ts';
import { RunawayKernelError, type ThreadPool } from '../../runtime/threads.ts';
import { measurePeak } from '../../runtime/peak.ts';
import { xnnpackOp } from '../../core/xnnpackOp.ts';
import { measureXnnpackWith, type Tf } from '../../runtime/xnnpackCore.ts';
import type { KernelWorkerApi, ProgressCallback, XnnpackResult } from './protocol.ts';

export interface KernelApiDeps {
  /**
   * Loads tfjs-core on its wasm backend. Default: xnnpackBrowser.ts through a dynamic import, so
   * the worker's start does not pay for tfjs (Node tests pass xnnpack.ts's loader).
   */
  loadTf?: () => Promise<Tf>;
  /** Starts a pool of kernel threads. Default: Web Workers (browserThreads.ts; Node tests pass nodeThreads.ts's). */
  createPool?: (threads: number) => ThreadPool;
  /** Why threads can't run here, or null. Default: from this worker's cross-origin isolation. */
  threadsUnavailable?: () => string | null;
}

/** How often (ms) a long run reports its progress at most. */
export const PROGRESS_EVERY_MS = 100;

/**
 * A clock for the timer that also reports progress: the timer reads it before and after every
 * call and sample, outside the work it times, so a report (a postMessage) costs the figure at
 * most a few microseconds in a sample of >= 10 ms, once per PROGRESS_EVERY_MS.
 */
export function progressClock(
  budgetMs: number,
  onProgress: ProgressCallback,
  now: () => number = () => performance.now(),
): () => number {
  let start: number | null = null;
  let last = -Infinity;
  return () => {
    const t = now();
    start ??= t;
    if (t - last >= PROGRESS_EVERY_MS) {
      last = t;
      onProgress(Math.min(0.99, Math.max(0, (t - start) / budgetMs)));
    }
    return t;
  };
}

export const WORKER_FULL_CHECK_MAX_FLOPS = 1e9;
export const WORKER_TIMING_BUDGET_MS = 2500;
/**
 * Warm-up of a kernel on threads (ms): with the default 20 ms, the quick figure of a parallel
 * kernel in Chromium came out well under its long run's (10 against 17 GFLOPS in one run), as if
 * the threads were still running baseline (Liftoff) code.
 */
export const THREADED_WARMUP_MS = 300;

const loadTfInWorker = (): Promise<Tf> => import('../../runtime/xnnpackBrowser.ts').then((m) => m.loadTfWasmBrowser());

export function createKernelApi(deps: KernelApiDeps = {}): KernelWorkerApi {
  const loadTf = deps.loadTf ?? loadTfInWorker;
  const createPool = deps.createPool ?? ((threads: number) => createBrowserThreadPool(threads));
  const threadsUnavailable = deps.threadsUnavailable ?? (() => threadsOffReason(threadSupportHere()));
  /** The kernel threads, kept while the same number is asked for. */
  let pool: ThreadPool | null = null;
  const poolOf = (threads: number): ThreadPool => {
    if (pool?.threads !== threads) {
      pool?.terminate();
      pool = null;
      pool = createPool(threads);
    }
    return pool;
  };
  let state: Promise<{ codegen: Codegen; target: Target }> | null = null;
  /** Buffers of the last problem, reused while the same problem is measured again. */
  let cached: { key: string; buffers: KernelBuffers } | null = null;

  /** The buffers of `problem` with inputs from `seed`, reused while the problem stays the same. */
  const buffersFor = (problem: Problem, seed: number, shared = false): KernelBuffers => {
    const key = `${seed}\n${problem.op}\n${JSON.stringify(problem.sizes)}\n${shared ? 'shared' : ''}`;
    if (cached?.key !== key) {
      cached = null; // let the old memory go before allocating the new one
      cached = { key, buffers: shared ? allocateSharedBuffers(problem, seed) : allocateBuffers(problem, seed) };
    }
    return cached.buffers;
  };

  const ready = () => {
    state ??= loadCodegen().then((codegen) => ({ codegen, target: detectTarget() }));
    return state;
  };

  return {
    async init() {
      return (await ready()).target;
    },

    async measure(problemText, scheduleText, options = {}, onProgress) {
      const { codegen, target } = await ready();
      const problem = parseProblemText(problemText);
      const schedule = parseSchedule(problem, scheduleText);
      const budgetMs = options.budgetMs ?? WORKER_TIMING_BUDGET_MS;
      onProgress?.(0);
      const threads = Math.max(1, Math.floor(options.threads ?? 1));
      const onThreads = threads > 1 && parallelLoopIndex(schedule) >= 0 && threadsUnavailable() === null;
      const measureOptions = {
        buffers: buffersFor(problem, options.seed ?? 1, onThreads),
        checkOnly: options.checkOnly,
        timing: {
          samples: options.samples,
          minSampleMs: options.minSampleMs,
          maxTotalMs: budgetMs,
          minSamples: options.minSamples ?? 3,
          ...(options.minWarmupCalls !== undefined ? { minWarmupCalls: options.minWarmupCalls } : {}),
          ...(onThreads ? { warmupMs: THREADED_WARMUP_MS } : {}),
          ...(options.warmupMs !== undefined ? { warmupMs: options.warmupMs } : {}),
          ...(onProgress ? { now: progressClock(budgetMs, onProgress) } : {}),
        },
        check: { fullCheckMaxFlops: options.fullCheckMaxFlops ?? WORKER_FULL_CHECK_MAX_FLOPS },
      };
      if (!onThreads) {
        const m = await measureSchedule(codegen, problem, schedule, target, measureOptions);
        onProgress?.(1);
        return { ...m, threads: 1 };
      }
      try {
        const { ranges: _ranges, ...m } = await measureScheduleOnThreads(
          codegen,
          problem,
          schedule,
          target,
          poolOf(threads),
          measureOptions,
        );
        onProgress?.(1);
        return m;
      } catch (error) {
        // A runaway's threads are gone; the next call starts a new pool.
        if (error instanceof RunawayKernelError) pool = null;
        throw error;
      }
    },

    async peak() {
      const { codegen, target } = await ready();
      return (await measurePeak(codegen, target)).gflops;
    },

    async bandwidth() {
      const { codegen, target } = await ready();
      return (await measureBandwidth(codegen, target)).bytesPerSecond;
    },

    async xnnpack(problemText) {
      const problem = parseProblemText(problemText);
      if (!xnnpackOp(problem)) return null;
      const tf = await loadTf();
      const r = measureXnnpackWith(tf, problem, buffersFor(problem, 1), {
        timing: { maxTotalMs: WORKER_TIMING_BUDGET_MS, minSamples: 3 },
        check: { fullCheckMaxFlops: WORKER_FULL_CHECK_MAX_FLOPS },
      });
      if (!r) return null;
      const result: XnnpackResult = { gflops: r.gflops, gflopsMedian: r.gflopsMedian, correct: r.check.correct };
      if (r.check.reason) result.reason = r.check.reason;
      return result;
    },
  };
}
