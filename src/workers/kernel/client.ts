// The page's handle on the kernel worker (worker.ts), through comlink.
//
// Calls run one at a time (the worker is single-threaded anyway; queuing here makes the time
// limit count only the call's own run time; loading the generator in a fresh worker has its own,
// longer limit). A call that exceeds the time limit means a runaway kernel: the worker is
// terminated (the only way to stop a wasm loop), a fresh worker is started and initialized again,
// and the call rejects with WorkerTimeoutError. Queued calls then run on the fresh worker. The
// lifecycle is supervisedWorker.ts's. A `measure` asked for while a `refine` runs stops that
// refine after its current sample (a flag in shared memory, where the page has it).
import * as Comlink from 'comlink';
import { KERNEL_TIME_LIMIT_MS } from '../../core/slowProblem.ts';
import { supervisedWorker, type TimeLimit, type WorkerLike } from '../supervisedWorker.ts';
import type { KernelWorkerApi, ProgressCallback, Target } from './protocol.ts';

export { WorkerTimeoutError, type WorkerLike } from '../supervisedWorker.ts';

export interface KernelClientOptions {
  /** Time limit of one `measure` or `peak` call in ms (default 10 000). */
  timeLimitMs?: number;
  /** Time limit of `init` (loading the generator) in ms (default 30 000). */
  initTimeLimitMs?: number;
  /**
   * Time limit of `xnnpack` in ms (default 60 000): the first call loads tfjs and its wasm backend
   * in the worker, and a big problem's matMul is timed like a kernel.
   */
  xnnpackTimeLimitMs?: number;
  /** Creates the worker; default: the module worker of ./worker.ts. Injectable for tests. */
  createWorker?: () => WorkerLike;
}

type WorkerMeasure = KernelWorkerApi['measure'];

/**
 * The worker's API (protocol.ts, where every call is documented), called one at a time under a
 * time limit; `measure` takes the page's own per-call options instead of a progress callback.
 */
export interface KernelClient extends Omit<KernelWorkerApi, 'measure'> {
  measure(
    problemText: string,
    scheduleText: string,
    options?: Parameters<WorkerMeasure>[2],
    call?: MeasureCallOptions,
  ): ReturnType<WorkerMeasure>;
  /** The time limit of one `measure` or `peak` call in ms. */
  readonly timeLimitMs: number;
  /** Stops the worker; later calls start a new one. */
  terminate(): void;
  /** How many times the worker was restarted after a time-out. */
  readonly restarts: number;
}

/** Per-call options of `measure` that are not the worker's. */
export interface MeasureCallOptions {
  /** Time limit of this call in ms (default: the client's `timeLimitMs`); long runs raise it. */
  timeLimitMs?: number;
  /** Progress of the timing, 0..1, posted by the worker while it runs (see api.ts). */
  onProgress?: ProgressCallback;
}

function defaultCreateWorker(): WorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

export function createKernelClient(options: KernelClientOptions = {}): KernelClient {
  const timeLimitMs = options.timeLimitMs ?? KERNEL_TIME_LIMIT_MS;
  const initTimeLimitMs = options.initTimeLimitMs ?? 30_000;
  const xnnpackTimeLimitMs = options.xnnpackTimeLimitMs ?? 60_000;

  const worker = supervisedWorker<KernelWorkerApi, Target>({
    create: options.createWorker ?? defaultCreateWorker,
    name: 'the kernel worker',
    // Loading the generator (also in a fresh worker after a restart) is not the kernel's time.
    init: (api) => api.init(),
    initLimit: {
      ms: initTimeLimitMs,
      message: (limit) => `the kernel worker did not start within ${limit}; it was restarted`,
    },
    respawnAfterTimeout: true,
  });

  const kernelLimit = (ms: number): TimeLimit => ({
    ms,
    message: (limit) => `the kernel ran longer than ${limit}; the worker was restarted`,
  });

  // A new measurement pre-empts a refine call in flight: the worker reads this flag between samples.
  const stop = typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : null;

  const kernelCall = <T>(
    invoke: (api: Comlink.Remote<KernelWorkerApi>) => Promise<T>,
    limit = kernelLimit(timeLimitMs),
  ): Promise<T> => worker.serial(() => worker.call(invoke, limit));

  return {
    init() {
      return worker.serial(() => worker.ready());
    },
    measure(problemText, scheduleText, measureOptions = {}, call = {}) {
      if (stop) Atomics.store(stop, 0, 1);
      const { onProgress } = call;
      return kernelCall(
        (api) =>
          onProgress
            ? api.measure(problemText, scheduleText, measureOptions, Comlink.proxy(onProgress))
            : api.measure(problemText, scheduleText, measureOptions),
        kernelLimit(call.timeLimitMs ?? timeLimitMs),
      );
    },
    refine(problemText, scheduleText, options = {}) {
      return worker.serial(() => {
        if (stop) Atomics.store(stop, 0, 0);
        return worker.call(
          (api) => api.refine(problemText, scheduleText, stop ? { ...options, stop } : options),
          kernelLimit(timeLimitMs),
        );
      });
    },
    peak(threads) {
      return kernelCall((api) => api.peak(threads));
    },
    bandwidth() {
      return kernelCall((api) => api.bandwidth());
    },
    xnnpack(problemText) {
      return kernelCall((api) => api.xnnpack(problemText), {
        ms: xnnpackTimeLimitMs,
        message: (limit) => `XNNPACK ran longer than ${limit}; the worker was restarted`,
      });
    },
    get timeLimitMs() {
      return timeLimitMs;
    },
    terminate() {
      worker.stop();
    },
    get restarts() {
      return worker.timeouts;
    },
  };
}
