// One web worker behind comlink, kept alive on the page's behalf: started on first use, calls
// raced against a time limit and against the worker failing, and ended (the only way to stop a
// wasm loop) when a call runs over its limit. A fresh worker is readied by the `init` hook (load
// the generator, the agent's policy) before its first call. The kernel, agent and lab clients
// are built on it.
import * as Comlink from 'comlink';

/** What a supervised worker needs: a comlink endpoint that can be terminated. */
export type WorkerLike = Comlink.Endpoint & { terminate(): void };

/** A call that ran over its time limit; its worker was ended. */
export class WorkerTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerTimeoutError';
  }
}

/** A limit in seconds as messages state it: "0.3 s", "60 s". */
export function formatLimit(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

/** A time limit and what to tell the person when a call runs over it (given the limit in words). */
export interface TimeLimit {
  ms: number;
  message: (limit: string) => string;
}

export interface SupervisedWorkerOptions<Api, Ready> {
  create: () => WorkerLike;
  /** The worker in messages, e.g. "the kernel worker" ("the kernel worker failed: …"). */
  name: string;
  /** Readies a fresh worker before its first call, within `initLimit`; a failure is retried on the next call. */
  init?: (api: Comlink.Remote<Api>) => Promise<Ready>;
  initLimit?: TimeLimit;
  /** Start the next worker as soon as one is ended for a time-out (default: on the next call). */
  respawnAfterTimeout?: boolean;
  /** The error a time-out rejects with (default WorkerTimeoutError). */
  timeoutError?: (message: string) => Error;
}

export interface SupervisedWorker<Api, Ready> {
  /** Runs `body` after every earlier `serial` body has settled (one call at a time). */
  serial<T>(body: () => Promise<T>): Promise<T>;
  /** Starts the worker if none runs and readies it; `again` runs the init hook anew (no hook: undefined). */
  ready(again?: boolean): Promise<Ready>;
  /**
   * Readies the worker, then races `invoke` against `limit` (none: no limit) and the worker
   * failing. The worker is started synchronously, so `api()` sees it at once.
   */
  call<T>(invoke: (api: Comlink.Remote<Api>) => Promise<T>, limit?: TimeLimit): Promise<T>;
  /** The running worker's api, or null (does not start one). */
  api(): Comlink.Remote<Api> | null;
  /** Ends the worker; with a reason, its call in flight rejects with it. The next call starts a new one. */
  stop(reason?: string): void;
  /** How many workers were ended for a time-out. */
  readonly timeouts: number;
  /** How many workers failed by themselves (an error event). */
  readonly crashes: number;
}

interface Live<Api, Ready> {
  worker: WorkerLike;
  api: Comlink.Remote<Api>;
  /** Rejects when the worker fails, or when it is stopped with a reason. */
  crashed: Promise<never>;
  kill: (why: Error) => void;
  ready: Promise<Ready> | null;
}

export function supervisedWorker<Api, Ready = void>(
  options: SupervisedWorkerOptions<Api, Ready>,
): SupervisedWorker<Api, Ready> {
  const timeoutError = options.timeoutError ?? ((message: string) => new WorkerTimeoutError(message));
  let live: Live<Api, Ready> | null = null;
  let timeouts = 0;
  let crashes = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const stop = (reason?: string) => {
    if (!live) return;
    const current = live;
    live = null;
    if (reason !== undefined) current.kill(new Error(reason));
    current.api[Comlink.releaseProxy]();
    current.worker.terminate();
  };

  const start = (): Live<Api, Ready> => {
    const worker = options.create();
    let kill: (why: Error) => void = () => {};
    const crashed = new Promise<never>((_, reject) => {
      kill = reject;
      worker.addEventListener('error', (event: Event) => {
        // A worker that failed is not trusted again: the next call starts a fresh one.
        if (live === entry) {
          stop();
          crashes++;
        }
        reject(new Error(`${options.name} failed: ${(event as ErrorEvent).message || 'unknown error'}`));
      });
    });
    crashed.catch(() => {}); // observed by the calls racing against it
    const entry: Live<Api, Ready> = { worker, api: Comlink.wrap<Api>(worker), crashed, kill, ready: null };
    return entry;
  };

  const current = () => (live ??= start());

  const limited = <T>(entry: Live<Api, Ready>, call: Promise<T>, limit: TimeLimit | undefined): Promise<T> => {
    if (!limit) return Promise.race([call, entry.crashed]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (live === entry) {
          stop();
          timeouts++;
          if (options.respawnAfterTimeout) live = start();
        }
        reject(timeoutError(limit.message(formatLimit(limit.ms))));
      }, limit.ms);
    });
    return Promise.race([call, timeout, entry.crashed]).finally(() => clearTimeout(timer));
  };

  const readied = (entry: Live<Api, Ready>, again = false): Promise<Ready> => {
    const init = options.init;
    if (!init) return Promise.resolve(undefined as Ready);
    if (again) entry.ready = null;
    if (!entry.ready) {
      const ready = limited(entry, init(entry.api), options.initLimit);
      entry.ready = ready;
      ready.catch(() => {
        if (entry.ready === ready) entry.ready = null;
      });
    }
    return entry.ready;
  };

  return {
    serial(body) {
      const result = queue.then(body, body);
      queue = result.catch(() => {});
      return result;
    },
    ready: (again) => readied(current(), again),
    call(invoke, limit) {
      const entry = current();
      // Readying a fresh worker (loading the generator, a policy) is not the call's time.
      if (!options.init) return limited(entry, invoke(entry.api), limit);
      return readied(entry).then(() => limited(entry, invoke(entry.api), limit));
    },
    api: () => live?.api ?? null,
    stop,
    get timeouts() {
      return timeouts;
    },
    get crashes() {
      return crashes;
    },
  };
}
