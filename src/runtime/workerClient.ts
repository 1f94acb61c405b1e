// The page's handle on the runtime worker (src/runtime/worker.ts), through comlink.
//
// Calls run one at a time (the worker is single-threaded anyway; queuing here makes the time
// limit count only the call's own run time; loading the generator in a fresh worker has its own,
// longer limit). A call that exceeds the time limit means a runaway
// kernel: the worker is terminated (the only way to stop a wasm loop), a fresh worker is started
// and initialized again, and the call rejects with WorkerTimeoutError. Queued calls then run on
// the fresh worker.
import * as Comlink from 'comlink';
import type { Target } from '../codegen/index.ts';
import type { Measurement } from './measure.ts';
import type { ProgressCallback, RuntimeWorkerApi, WorkerMeasureOptions, XnnpackResult } from './workerApi.ts';

export type { ProgressCallback, WorkerMeasureOptions, XnnpackResult } from './workerApi.ts';

/** What the client needs of a worker: a comlink endpoint that can be terminated. */
export type WorkerLike = Comlink.Endpoint & { terminate(): void };

export interface RuntimeClientOptions {
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

export interface RuntimeClient {
  /** Loads the code generator in the worker and returns the detected target. */
  init(): Promise<Target>;
  /** Checks then times a schedule; `problemText` and `scheduleText` as in the DSL (parsed in the worker). */
  measure(
    problemText: string,
    scheduleText: string,
    options?: WorkerMeasureOptions,
    call?: MeasureCallOptions,
  ): Promise<Measurement>;
  /** Peak GFLOPS of the machine (best sample). */
  peak(): Promise<number>;
  /** Memory bandwidth in bytes/s (best sample) of a generated streaming kernel. */
  bandwidth(): Promise<number>;
  /** XNNPACK (tfjs-backend-wasm matMul) on the problem, or null when it is not matmul-shaped. */
  xnnpack(problemText: string): Promise<XnnpackResult | null>;
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
  /** Progress of the timing, 0..1, posted by the worker while it runs (see workerApi.ts). */
  onProgress?: ProgressCallback;
}

export class WorkerTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerTimeoutError';
  }
}

function defaultCreateWorker(): WorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

function seconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(2)));
}

interface Live {
  worker: WorkerLike;
  api: Comlink.Remote<RuntimeWorkerApi>;
  /** Rejects when the worker reports an error outside any call (e.g. its script failed to load). */
  crashed: Promise<never>;
  initialized: Promise<Target> | null;
}

export function createRuntimeClient(options: RuntimeClientOptions = {}): RuntimeClient {
  const timeLimitMs = options.timeLimitMs ?? 10_000;
  const initTimeLimitMs = options.initTimeLimitMs ?? 30_000;
  const xnnpackTimeLimitMs = options.xnnpackTimeLimitMs ?? 60_000;
  const createWorker = options.createWorker ?? defaultCreateWorker;

  let live: Live | null = null;
  let restarts = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const start = (): Live => {
    const worker = createWorker();
    const crashed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (event: Event) => {
        const message = (event as ErrorEvent).message || 'unknown error';
        // A worker that failed is not trusted again: the next call starts a fresh one.
        if (live === entry) stop();
        reject(new Error(`the runtime worker failed: ${message}`));
      });
    });
    crashed.catch(() => {}); // observed by the calls racing against it
    const entry: Live = { worker, api: Comlink.wrap<RuntimeWorkerApi>(worker), crashed, initialized: null };
    return entry;
  };

  const stop = () => {
    if (!live) return;
    live.api[Comlink.releaseProxy]();
    live.worker.terminate();
    live = null;
  };

  /** Races a call against the time limit and a crash of the worker. */
  const withLimit = <T>(current: Live, call: Promise<T>, limitMs: number, message: string): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (live === current) {
          stop();
          restarts++;
          live = start();
        }
        reject(new WorkerTimeoutError(message));
      }, limitMs);
    });
    return Promise.race([call, timeout, current.crashed]).finally(() => clearTimeout(timer));
  };

  const ensureInit = (current: Live): Promise<Target> => {
    current.initialized ??= withLimit(
      current,
      current.api.init(),
      initTimeLimitMs,
      `the runtime worker did not start within ${seconds(initTimeLimitMs)} s; it was restarted`,
    );
    return current.initialized;
  };

  /** Runs `body` after every earlier call has settled. */
  const enqueue = <T>(body: () => Promise<T>): Promise<T> => {
    const result = queue.then(body, body);
    queue = result.catch(() => {});
    return result;
  };

  const kernelMessage = (limitMs: number) => `the kernel ran longer than ${seconds(limitMs)} s; the worker was restarted`;

  const kernelCall = <T>(
    invoke: (api: Comlink.Remote<RuntimeWorkerApi>) => Promise<T>,
    limitMs = timeLimitMs,
    message = kernelMessage(limitMs),
  ): Promise<T> =>
    enqueue(async () => {
      live ??= start();
      const current = live;
      // Loading the generator (also in a fresh worker after a restart) is not the kernel's time.
      await ensureInit(current);
      return withLimit(current, invoke(current.api), limitMs, message);
    });

  return {
    init() {
      return enqueue(async () => {
        live ??= start();
        return ensureInit(live);
      });
    },
    measure(problemText, scheduleText, measureOptions = {}, call = {}) {
      const { onProgress } = call;
      return kernelCall(
        (api) =>
          onProgress
            ? api.measure(problemText, scheduleText, measureOptions, Comlink.proxy(onProgress))
            : api.measure(problemText, scheduleText, measureOptions),
        call.timeLimitMs ?? timeLimitMs,
      );
    },
    peak() {
      return kernelCall((api) => api.peak());
    },
    bandwidth() {
      return kernelCall((api) => api.bandwidth());
    },
    xnnpack(problemText) {
      return kernelCall(
        (api) => api.xnnpack(problemText),
        xnnpackTimeLimitMs,
        `XNNPACK ran longer than ${seconds(xnnpackTimeLimitMs)} s; the worker was restarted`,
      );
    },
    get timeLimitMs() {
      return timeLimitMs;
    },
    terminate() {
      stop();
    },
    get restarts() {
      return restarts;
    },
  };
}
