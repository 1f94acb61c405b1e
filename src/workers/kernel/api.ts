// What the kernel worker does, separate from the comlink wiring in worker.ts so that it can be
// tested in Node: load the code generator, then check and time kernels given as text (answering
// with the kernel's bytes and the generator's report too); also the machine's peak, its memory
// bandwidth and the XNNPACK baseline (tfjs loaded on first use). Its contract is protocol.ts.
import { detectTarget, loadCodegen, type Codegen, type Target } from '../../codegen/index.ts';
import { parseProblemText } from '../../core/problem.ts';
import { parallelLoopIndex, parseSchedule, printSchedule } from '../../core/schedule.ts';
import type { Problem } from '../../core/types.ts';
import { measureBandwidth } from '../../runtime/bandwidth.ts';
import { allocateBuffers, type KernelBuffers } from '../../runtime/buffers.ts';
import { createBrowserThreadPool } from '../../runtime/browserThreads.ts';
import { checkThenTime, instantiateKernel, prepareSlice } from '../../runtime/measure.ts';
import { allocateSharedBuffers, loadOnThreads, sliceOnThreads } from '../../runtime/measureThreads.ts';
import type { Slice } from '../../runtime/slice.ts';
import { interleavedSamples } from '../../runtime/interleave.ts';
import { threadSupportHere, threadsOffReason } from '../../runtime/threadSupport.ts';
import { RunawayKernelError, type ThreadPool } from '../../runtime/threads.ts';
import { measurePeak, measurePeakOnThreads, PEAK_FLOPS_PER_CALL } from '../../runtime/peak.ts';
import { xnnpackOp } from '../../core/xnnpackOp.ts';
import { measureXnnpackWith, type Tf } from '../../runtime/xnnpackCore.ts';
import type { KernelWorkerApi, ProgressCallback, XnnpackResult } from './protocol.ts';
import type { Schedule } from '../../core/types.ts';

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

/**
 * A sample of a kernel on threads lasts at least this long (ms), several calls for a small kernel:
 * waking the threads (they sleep through the reference samples and between rounds) and joining
 * them then cost a small share of it, and a busy moment of the page (it redraws after every
 * round, on one of the cores the threads need) a smaller one.
 */
export const THREADED_SAMPLE_MS = 20;

/** Kernel calls per sample: enough calls of `callMs` for `minSampleMs`, on threads for THREADED_SAMPLE_MS. */
export function callsPerSample(callMs: number, minSampleMs: number, onThreads: boolean): number {
  const ms = onThreads ? Math.max(minSampleMs, THREADED_SAMPLE_MS) : minSampleMs;
  return Math.max(1, Math.ceil(ms / Math.max(callMs, 1e-3)));
}

/** Warm-up of a kernel refined without a preceding `measure` in this worker (ms, at least 2 calls). */
const REFINE_WARMUP_MS = 20;
/** Kernels kept ready to refine (instantiated, warm), newest last. */
const READY_KERNELS = 8;

/** A checked kernel, instantiated on the cached buffers and warm, ready for more samples. */
interface ReadyKernel {
  run: () => void;
  /** Floating-point operations of one call (of the slice it runs, when sliced). */
  flops: number;
  /** Duration of one call (ms), from its last timing. */
  callMs: number;
  /** It runs on the pool's threads (and needs the pool to hold its module). */
  onThreads: boolean;
}

/** Ready kernels by schedule text, threads, and whole or sliced. */
function readyKey(scheduleText: string, threads: number, full: boolean): string {
  return `${scheduleText}\n${threads}${full ? '\nfull' : ''}`;
}

/** Calls `run` until `ms` and at least two calls have passed (V8 tiers the code up meanwhile); returns one call's ms. */
function warmUp(run: () => void, ms: number): number {
  const start = performance.now();
  let calls = 0;
  let last = 0;
  while (calls < 2 || performance.now() - start < ms) {
    const t0 = performance.now();
    run();
    last = performance.now() - t0;
    calls++;
  }
  return last;
}

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
  /** Checked kernels on the cached buffers, by schedule text and threads (cleared with the buffers). */
  const readyKernels = new Map<string, ReadyKernel>();
  /** The ready kernel whose module the pool holds now. */
  let onPool: string | null = null;
  /** The reference of `refine`: the peak kernel, instantiated once and warm. */
  let reference: { run: () => void; flops: number; callMs: number } | null = null;

  const remember = (key: string, kernel: ReadyKernel) => {
    readyKernels.delete(key);
    readyKernels.set(key, kernel);
    while (readyKernels.size > READY_KERNELS) readyKernels.delete(readyKernels.keys().next().value as string);
    if (kernel.onThreads) onPool = key;
  };

  /** The buffers of `problem` with inputs from `seed`, reused while the problem stays the same. */
  const buffersFor = (problem: Problem, seed: number, shared = false, scratchBytes = 0): KernelBuffers => {
    const key = `${seed}\n${problem.op}\n${JSON.stringify(problem.sizes)}\n${shared ? 'shared' : ''}`;
    if (cached?.key !== key || cached.buffers.scratchBytes < scratchBytes) {
      cached = null; // let the old memory go before allocating the new one
      readyKernels.clear();
      onPool = null;
      cached = {
        key,
        buffers: shared ? allocateSharedBuffers(problem, seed) : allocateBuffers(problem, seed, { scratchBytes }),
      };
    }
    return cached.buffers;
  };

  /**
   * Compiles and loads `schedule` (on the pool's threads when `threads` > 1) on the buffers of
   * `problem` and `seed` (with the scratch its packed inputs need). Unless `full`, a kernel whose
   * full run would take over 50 ms runs a slice of its outermost loop (runtime/slice.ts): `problem`
   * of the answer is then what the slice computes, and `slice` says which part it is.
   */
  const load = async (
    codegen: Codegen,
    target: Target,
    problem: Problem,
    schedule: Schedule,
    seed: number,
    threads: number,
    full: boolean,
  ): Promise<{
    compiled: Awaited<ReturnType<Codegen['compile']>>;
    run: () => void;
    ranges: [number, number][] | null;
    threads: number;
    buffers: KernelBuffers;
    problem: Problem;
    slice?: Slice;
  }> => {
    if (threads > 1) {
      const pool = poolOf(threads);
      const r = await loadOnThreads(codegen, problem, schedule, target, pool, buffersFor(problem, seed, true));
      // Packed inputs may have needed more scratch than the cached buffers hold: keep the new ones.
      if (cached && r.buffers !== cached.buffers) {
        cached = { ...cached, buffers: r.buffers };
        readyKernels.clear();
      }
      const { buffers } = r;
      const sliced = full ? null : sliceOnThreads(problem, schedule, r, pool, buffers);
      if (sliced) return { ...r, ...sliced, threads, buffers };
      return { ...r, threads, buffers, problem };
    }
    const compiled = await codegen.compile(problem, schedule, target);
    const buffers = buffersFor(problem, seed, false, compiled.report.scratchBytes);
    const sliced = full ? null : await prepareSlice(codegen, problem, schedule, target, compiled.report, buffers);
    if (sliced)
      return {
        compiled,
        run: sliced.run,
        ranges: null,
        threads: 1,
        buffers,
        problem: sliced.problem,
        slice: sliced.slice,
      };
    return {
      compiled,
      run: await instantiateKernel(compiled.module, buffers),
      ranges: null,
      threads: 1,
      buffers,
      problem,
    };
  };

  const onThreadsHere = (threads: number, schedule: Schedule) =>
    threads > 1 && parallelLoopIndex(schedule) >= 0 && threadsUnavailable() === null;

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
      const onThreads = onThreadsHere(threads, schedule);
      const measureOptions = {
        checkOnly: options.checkOnly,
        timing: {
          samples: options.samples,
          minSampleMs: onThreads
            ? Math.max(options.minSampleMs ?? THREADED_SAMPLE_MS, THREADED_SAMPLE_MS)
            : options.minSampleMs,
          maxTotalMs: budgetMs,
          minSamples: options.minSamples ?? 3,
          ...(options.minWarmupCalls !== undefined ? { minWarmupCalls: options.minWarmupCalls } : {}),
          ...(onThreads ? { warmupMs: THREADED_WARMUP_MS } : {}),
          ...(options.warmupMs !== undefined ? { warmupMs: options.warmupMs } : {}),
          ...(onProgress ? { now: progressClock(budgetMs, onProgress) } : {}),
        },
        check: { fullCheckMaxFlops: options.fullCheckMaxFlops ?? WORKER_FULL_CHECK_MAX_FLOPS },
      };
      const full = options.full === true;
      try {
        const loaded = await load(codegen, target, problem, schedule, options.seed ?? 1, onThreads ? threads : 1, full);
        const { buffers } = loaded;
        const m = checkThenTime(loaded.problem, schedule, loaded.compiled, buffers, loaded.run, measureOptions);
        onProgress?.(1);
        if (m.correct && m.samples && m.callsPerSample) {
          remember(readyKey(scheduleText, loaded.threads, full), {
            run: loaded.run,
            flops: loaded.problem.flops,
            callMs: Math.min(...m.samples) * 1000,
            onThreads: loaded.threads > 1,
          });
        }
        const slice = loaded.slice ? { slice: loaded.slice } : {};
        return {
          ...m,
          schedule: printSchedule(problem, schedule),
          flops: problem.flops,
          ...slice,
          threads: loaded.threads,
        };
      } catch (error) {
        // A runaway's threads are gone; the next call starts a new pool.
        if (error instanceof RunawayKernelError) {
          pool = null;
          onPool = null;
        }
        throw error;
      }
    },

    async refine(problemText, scheduleText, options = {}) {
      const { codegen, target } = await ready();
      const problem = parseProblemText(problemText);
      const schedule = parseSchedule(problem, scheduleText);
      const asked = Math.max(1, Math.floor(options.threads ?? 1));
      const threads = onThreadsHere(asked, schedule) ? asked : 1;
      const full = options.full === true;
      const key = readyKey(scheduleText, threads, full);
      // The buffers of this problem (a change of problem drops the ready kernels of the last one).
      buffersFor(problem, options.seed ?? 1, threads > 1);
      try {
        let kernel = readyKernels.get(key);
        if (!kernel || (kernel.onThreads && (onPool !== key || pool?.threads !== threads))) {
          // Not measured in this worker (e.g. after a restart), or another kernel took the threads:
          // load it again; the page refines only kernels whose check passed.
          const loaded = await load(codegen, target, problem, schedule, options.seed ?? 1, threads, full);
          const warmupMs = threads > 1 ? THREADED_WARMUP_MS : REFINE_WARMUP_MS;
          kernel = {
            run: loaded.run,
            flops: loaded.problem.flops,
            callMs: warmUp(loaded.run, warmupMs),
            onThreads: threads > 1,
          };
          loaded.buffers.resetOutput();
        }
        const buffers = cached?.buffers as KernelBuffers;
        remember(key, kernel);
        if (!reference) {
          const peak = codegen.peak(target);
          const { instance } = await WebAssembly.instantiate(peak.bytes as Uint8Array<ArrayBuffer>, {});
          const fn = instance.exports.peak as (iterations: number) => number;
          const iterations = Math.max(1, Math.round(PEAK_FLOPS_PER_CALL / peak.flopsPerIteration));
          const run = () => void fn(iterations);
          reference = { run, flops: iterations * peak.flopsPerIteration, callMs: warmUp(run, REFINE_WARMUP_MS) };
        }
        const minSampleMs = options.minSampleMs ?? 10;
        const referenceSampleMs = options.referenceSampleMs ?? 5;
        const samples = interleavedSamples(kernel.run, reference.run, {
          pairs: Math.max(1, Math.floor(options.pairs ?? 2)),
          callsPerSample: callsPerSample(kernel.callMs, minSampleMs, threads > 1),
          referenceCallsPerSample: Math.ceil(referenceSampleMs / Math.max(reference.callMs, 1e-3)),
          beforeSample: () => buffers.resetOutput(),
          ...(options.stop ? { stop: () => Atomics.load(options.stop as Int32Array, 0) !== 0 } : {}),
        });
        buffers.resetOutput();
        if (samples.kernelSeconds.length > 0) kernel.callMs = Math.min(...samples.kernelSeconds) * 1000;
        reference.callMs = Math.min(...samples.referenceSeconds) * 1000;
        return { ...samples, flops: kernel.flops, referenceFlops: reference.flops, threads };
      } catch (error) {
        if (error instanceof RunawayKernelError) {
          pool = null;
          onPool = null;
        }
        throw error;
      }
    },

    async peak(threads = 1) {
      const { codegen, target } = await ready();
      const n = Math.max(1, Math.floor(threads));
      if (n === 1 || threadsUnavailable() !== null) return (await measurePeak(codegen, target)).gflops;
      // The pool now holds the peak module: the next kernel on threads loads its own again.
      onPool = null;
      try {
        return (await measurePeakOnThreads(codegen, target, poolOf(n))).gflops;
      } catch (error) {
        if (error instanceof RunawayKernelError) pool = null;
        throw error;
      }
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
