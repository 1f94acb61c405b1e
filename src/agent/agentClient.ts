// The page's handle on the agent worker (agentWorker.ts), through comlink. The worker starts on
// the first call, so neither the page's first load nor its start pays for tfjs.
//
// Calls run one at a time. A call over its time limit (a runaway kernel, or a hung load) ends
// the worker (the only way to stop a wasm loop) and rejects with AgentTimeoutError; the next call
// starts a fresh worker, which first loads the policy the client was last given.
import * as Comlink from 'comlink';
import type { AgentPolicyInfo, AgentStart, AgentStepView, AgentTuneResult, AgentWorkerApi } from './agentWorkerApi.ts';
import type { ModelFiles } from './policy.ts';

export type { AgentActionValue, AgentPolicyInfo, AgentStart, AgentStepView, AgentTuneResult } from './agentWorkerApi.ts';

/** What the client needs of a worker: a comlink endpoint that can be terminated. */
export type AgentWorkerLike = Comlink.Endpoint & { terminate(): void };

export interface AgentClientOptions {
  /** Time limit of one rollout in ms (default 60 000: the largest presets' slow kernels). */
  tuneTimeLimitMs?: number;
  /** Time limit of loading a policy (tfjs, fetching the files) in ms (default 60 000). */
  loadTimeLimitMs?: number;
  /** Creates the worker; default: the module worker of ./agentWorker.ts. Injectable for tests. */
  createWorker?: () => AgentWorkerLike;
}

export interface AgentClient {
  /** Loads a policy (null: the shipped one) for the next rollouts; when it fails, they keep the previous one. */
  loadPolicy(files: ModelFiles | null): Promise<AgentPolicyInfo>;
  /** Rolls the policy out on the problem from `start` (null: the default schedule), streaming steps to `onStep`. */
  tune(problemText: string, start: AgentStart | null, onStep?: (step: AgentStepView) => void): Promise<AgentTuneResult>;
  /** Stops the worker; later calls start a new one. */
  terminate(): void;
  /** How many times the worker was ended after a time-out or a failure. */
  readonly restarts: number;
}

export class AgentTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentTimeoutError';
  }
}

function defaultCreateWorker(): AgentWorkerLike {
  return new Worker(new URL('./agentWorker.ts', import.meta.url), { type: 'module' });
}

const seconds = (ms: number) => String(Number((ms / 1000).toFixed(2)));

interface Live {
  worker: AgentWorkerLike;
  api: Comlink.Remote<AgentWorkerApi>;
  crashed: Promise<never>;
  /** The policy load this worker has done (or is doing). */
  loaded: Promise<AgentPolicyInfo> | null;
}

export function createAgentClient(options: AgentClientOptions = {}): AgentClient {
  const tuneLimit = options.tuneTimeLimitMs ?? 60_000;
  const loadLimit = options.loadTimeLimitMs ?? 60_000;
  const createWorker = options.createWorker ?? defaultCreateWorker;
  let live: Live | null = null;
  let restarts = 0;
  let queue: Promise<unknown> = Promise.resolve();
  /** The policy the rollouts use (null: the shipped one); a fresh worker loads it first. */
  let files: ModelFiles | null = null;

  const stop = () => {
    if (!live) return;
    live.api[Comlink.releaseProxy]();
    live.worker.terminate();
    live = null;
  };

  const start = (): Live => {
    const worker = createWorker();
    const entry: Live = {
      worker,
      api: Comlink.wrap<AgentWorkerApi>(worker),
      loaded: null,
      crashed: new Promise<never>((_, reject) => {
        worker.addEventListener('error', (event: Event) => {
          if (live === entry) {
            stop();
            restarts++;
          }
          reject(new Error(`the agent's worker failed: ${(event as ErrorEvent).message || 'unknown error'}`));
        });
      }),
    };
    entry.crashed.catch(() => {});
    return entry;
  };

  const withLimit = <T>(current: Live, call: Promise<T>, limitMs: number, message: string): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (live === current) {
          stop();
          restarts++;
        }
        reject(new AgentTimeoutError(message));
      }, limitMs);
    });
    return Promise.race([call, timeout, current.crashed]).finally(() => clearTimeout(timer));
  };

  const enqueue = <T>(body: () => Promise<T>): Promise<T> => {
    const result = queue.then(body, body);
    queue = result.catch(() => {});
    return result;
  };

  const ensureLoaded = (current: Live): Promise<AgentPolicyInfo> => {
    current.loaded ??= withLimit(current, current.api.loadPolicy(files), loadLimit, `the agent's policy did not load within ${seconds(loadLimit)} s`);
    // A failed load is not kept: the next call tries again.
    current.loaded.catch(() => {
      if (live === current) current.loaded = null;
    });
    return current.loaded;
  };

  return {
    loadPolicy(next) {
      return enqueue(async () => {
        const previous = files;
        files = next;
        live ??= start();
        live.loaded = null;
        try {
          return await ensureLoaded(live);
        } catch (error) {
          // The rollouts keep the policy they had.
          files = previous;
          throw error;
        }
      });
    },
    tune(problemText, startAt, onStep) {
      return enqueue(async () => {
        live ??= start();
        const current = live;
        await ensureLoaded(current);
        const call = onStep ? current.api.tune(problemText, startAt, Comlink.proxy(onStep)) : current.api.tune(problemText, startAt);
        return withLimit(current, call, tuneLimit, `the agent ran longer than ${seconds(tuneLimit)} s; its worker was stopped`);
      });
    },
    terminate: stop,
    get restarts() {
      return restarts;
    },
  };
}
