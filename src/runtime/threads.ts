// A pool of kernel threads that share one WebAssembly.Memory: each thread instantiates the same
// compiled module, and `run` hands every thread its arguments, wakes them all and waits until
// all have returned (dispatch to join), synchronously, so that the correctness check and the
// timer treat a threaded kernel like any other call.
//
// Threads are spawned through `SpawnThread` (Node: worker_threads, see nodeThreads.ts; a page:
// Web Workers), each running kernelThread.js. Calls never post messages: the threads block in
// Atomics.wait on a shared control block of Int32 words,
//
//   [0] generation   bumped by `run` (and `release`) to wake the threads
//   [1] done         threads that finished the current generation
//   [2] command      0 run the loaded function, 1 return to the message loop (to load another)
//   [3] failed       0, or 1 + the index of the first thread whose call threw (text: errorText)
//   [8 + 8 i ...]    thread i: active flag (0 = sit this call out), then up to 5 i32 arguments;
//                    word 7 is the number of the last load thread i finished
//
// Messages are used only to load a module: {type: 'load', load, module, memory, exportName,
// control, errorText, index} -> {type: 'loaded', load} or {type: 'error', load, message}, where
// `load` numbers the loads so that a reply is counted once, for its own load and thread.
//
// A call that does not finish within `callTimeoutMs` is a runaway: every thread is terminated
// and `run` throws a RunawayKernelError; the pool is unusable afterwards.
//
// `run` blocks its caller in Atomics.wait: call it from Node or from a worker (a page's measuring
// worker), never from a page's main thread, where Atomics.wait is not allowed.

/** One spawned thread, as seen by the pool (a Worker of either kind behind a small adapter). */
export interface ThreadPort {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The thread died (an uncaught error or a failed start). */
  onError(listener: (error: Error) => void): void;
  terminate(): void;
}

/** Starts thread `index` running kernelThread.js. */
export type SpawnThread = (index: number) => ThreadPort;

export interface ThreadPoolOptions {
  threads: number;
  spawn: SpawnThread;
  /** A single call taking longer than this is stopped (default 20 s). */
  callTimeoutMs?: number;
  /** Loading a module on every thread taking longer than this fails (default 20 s). */
  loadTimeoutMs?: number;
}

export class RunawayKernelError extends Error {
  constructor(ms: number, threads: number) {
    super(
      `the kernel did not finish within ${Math.round(ms)} ms on ${threads} thread${threads === 1 ? '' : 's'}, so its threads were stopped`,
    );
    this.name = 'RunawayKernelError';
  }
}

export interface ThreadPool {
  readonly threads: number;
  /** Instantiates `module` on every thread (with `memory` as env.memory when given) and picks `exportName`. */
  load(module: WebAssembly.Module, exportName: string, memory?: WebAssembly.Memory): Promise<void>;
  /**
   * Calls the loaded function once per thread at the same time and returns when all have
   * returned. `argsPerThread[i]` are thread i's arguments (at most 6 integers), or null to leave
   * thread i idle. Throws the first thread's error when a call throws (e.g. a trap).
   */
  run(argsPerThread: readonly (readonly number[] | null)[]): void;
  terminate(): void;
}

const GENERATION = 0;
const DONE = 1;
const COMMAND = 2;
const FAILED = 3;
const SLOTS = 8;
const SLOT_WORDS = 8;
const MAX_ARGS = 6;
const LOADED_WORD = 7;
const COMMAND_RUN = 0;
const COMMAND_RELEASE = 1;
const ERROR_BYTES = 256;
const RENOTIFY_MS = 50;
/** Most threads a pool may have (the control block's size). */
export const MAX_THREADS = 64;

/**
 * Splits `iterations` into `threads` contiguous ranges [begin, end) of sizes differing by at most
 * one; with fewer iterations than threads, the last threads get empty ranges.
 */
export function splitIterations(iterations: number, threads: number): [number, number][] {
  return Array.from({ length: threads }, (_, t): [number, number] => [
    Math.floor((t * iterations) / threads),
    Math.floor(((t + 1) * iterations) / threads),
  ]);
}

export function createThreadPool(options: ThreadPoolOptions): ThreadPool {
  const { threads, spawn } = options;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`a thread pool needs 1 to ${MAX_THREADS} threads, not ${threads}`);
  }
  const callTimeoutMs = options.callTimeoutMs ?? 20_000;
  const loadTimeoutMs = options.loadTimeoutMs ?? 20_000;
  const controlBuffer = new SharedArrayBuffer((SLOTS + MAX_THREADS * SLOT_WORDS) * 4);
  const control = new Int32Array(controlBuffer);
  const errorBuffer = new SharedArrayBuffer(ERROR_BYTES);
  const errorText = new Uint8Array(errorBuffer);
  const ports = Array.from({ length: threads }, (_, i) => spawn(i));
  let loaded = false;
  let loads = 0;
  let serving = false;
  let dead: Error | null = null;
  const waiters = new Set<(message: unknown, from: number) => void>();
  ports.forEach((port, i) => {
    port.onMessage((message) => {
      for (const w of waiters) w(message, i);
    });
    port.onError((error) => {
      dead ??= new Error(`kernel thread ${i} stopped: ${error.message}`);
      for (const w of waiters) w({ type: 'error', message: dead.message }, i);
    });
  });

  const terminate = () => {
    for (const port of ports) port.terminate();
    loaded = false;
    serving = false;
    dead ??= new Error('the thread pool was terminated');
  };

  /** Wakes every thread with `command` and waits until all count themselves done. */
  const dispatch = (command: number, timeoutMs: number): boolean => {
    Atomics.store(control, DONE, 0);
    Atomics.store(control, FAILED, 0);
    Atomics.store(control, COMMAND, command);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done === threads) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      // Wake the generation again now and then: a thread that is slow to get back to its wait
      // (a busy machine) costs a slice, never the whole time limit.
      if (Atomics.wait(control, DONE, done, Math.min(left, RENOTIFY_MS)) === 'timed-out')
        Atomics.notify(control, GENERATION);
    }
  };

  return {
    threads,
    async load(module, exportName, memory) {
      if (dead) throw dead;
      if (serving) {
        // Bring every thread back to its message loop.
        if (!dispatch(COMMAND_RELEASE, loadTimeoutMs)) {
          terminate();
          throw new RunawayKernelError(loadTimeoutMs, threads);
        }
        serving = false;
      }
      loaded = false;
      const load = ++loads;
      await new Promise<void>((resolve, reject) => {
        const ready = new Set<number>();
        const timer = setTimeout(
          () => finish(new Error(`the kernel threads did not load the module within ${loadTimeoutMs} ms`)),
          loadTimeoutMs,
        );
        const finish = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (error) reject(error);
          else resolve();
        };
        const waiter = (message: unknown, from: number) => {
          const m = message as { type?: string; load?: number; message?: string };
          if (m.type === 'loaded' && m.load === load) {
            ready.add(from);
            if (ready.size === threads) finish();
          } else if (m.type === 'error' && (m.load === load || m.load === undefined)) {
            finish(new Error(`kernel thread ${from} could not load the module: ${m.message}`));
          }
        };
        waiters.add(waiter);
        ports.forEach((port, index) => {
          port.postMessage({
            type: 'load',
            load,
            module,
            memory,
            exportName,
            control: controlBuffer,
            errorText: errorBuffer,
            index,
          });
        });
      });
      loaded = true;
      serving = true;
    },
    run(argsPerThread) {
      if (dead) throw dead;
      if (!loaded) throw new Error('no module is loaded on the threads; call load first');
      if (argsPerThread.length !== threads)
        throw new RangeError(`run needs arguments for ${threads} threads, got ${argsPerThread.length}`);
      argsPerThread.forEach((args, i) => {
        const slot = SLOTS + i * SLOT_WORDS;
        if (Atomics.load(control, slot + LOADED_WORD) !== loads)
          throw new Error(`kernel thread ${i} has not loaded the current module`);
        control[slot] = args ? 1 : 0;
        if (args && args.length > MAX_ARGS)
          throw new RangeError(`at most ${MAX_ARGS} arguments per thread, got ${args.length}`);
        for (let a = 0; a < MAX_ARGS; a++) control[slot + 1 + a] = args?.[a] ?? 0;
      });
      if (!dispatch(COMMAND_RUN, callTimeoutMs)) {
        terminate();
        throw new RunawayKernelError(callTimeoutMs, threads);
      }
      const failed = Atomics.load(control, FAILED);
      if (failed !== 0) {
        const end = errorText.indexOf(0);
        throw new Error(new TextDecoder().decode(errorText.slice(0, end < 0 ? ERROR_BYTES : end)));
      }
    },
    terminate,
  };
}
