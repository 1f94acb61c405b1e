// The page's handle on the agent worker (worker.ts), through comlink. The worker starts on the
// first call, so neither the page's first load nor its start pays for tfjs.
//
// Calls run one at a time. A call over its time limit (a runaway kernel, or a hung load) ends
// the worker (the only way to stop a wasm loop) and rejects with AgentTimeoutError; the next call
// starts a fresh worker, which first loads the policy the client was last given. The lifecycle is
// shared supervisedWorker.ts.
import * as Comlink from 'comlink';
import type { ModelFiles } from '../../agent/policy.ts';
import { supervisedWorker, WorkerTimeoutError, type WorkerLike } from '../supervisedWorker.ts';
import type {
  AgentPolicyInfo,
  AgentSearchResult,
  AgentStart,
  AgentStepView,
  AgentTuneResult,
  AgentWorkerApi,
} from './protocol.ts';

/** What the client needs of a worker: a comlink endpoint that can be terminated. */
export type AgentWorkerLike = WorkerLike;

export interface AgentClientOptions {
  /** Time limit of one rollout in ms (default 60 000: the largest presets' slow kernels). */
  tuneTimeLimitMs?: number;
  /** Time limit of loading a policy (tfjs, fetching the files) in ms (default 60 000). */
  loadTimeLimitMs?: number;
  /** Creates the worker; default: the module worker of ./worker.ts. Injectable for tests. */
  createWorker?: () => AgentWorkerLike;
}

export interface AgentClient {
  /** Loads a policy (null: the shipped one) for the next rollouts; when it fails, they keep the previous one. */
  loadPolicy(files: ModelFiles | null): Promise<AgentPolicyInfo>;
  /** Rolls the policy out on the problem from `start` (null: the default schedule), streaming steps to `onStep`. */
  tune(problemText: string, start: AgentStart | null, onStep?: (step: AgentStepView) => void): Promise<AgentTuneResult>;
  /** The agent's search (cost model + beam search) from `start` (null: the default schedule). */
  search(problemText: string, start: AgentStart | null): Promise<AgentSearchResult>;
  /** Loads the agent's cost model and warms the search up. */
  loadCostModel(): Promise<void>;
  /** Stops the worker; later calls start a new one. */
  terminate(): void;
  /** How many times the worker was ended after a time-out or a failure. */
  readonly restarts: number;
}

/** A rollout or a policy load that ran over its time limit; the agent's worker was stopped. */
export class AgentTimeoutError extends WorkerTimeoutError {
  constructor(message: string) {
    super(message);
    this.name = 'AgentTimeoutError';
  }
}

function defaultCreateWorker(): AgentWorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

export function createAgentClient(options: AgentClientOptions = {}): AgentClient {
  const tuneLimit = options.tuneTimeLimitMs ?? 60_000;
  const loadLimit = options.loadTimeLimitMs ?? 60_000;
  /** The policy the rollouts use (null: the shipped one); a fresh worker loads it first. */
  let files: ModelFiles | null = null;

  const worker = supervisedWorker<AgentWorkerApi, AgentPolicyInfo>({
    create: options.createWorker ?? defaultCreateWorker,
    name: "the agent's worker",
    init: (api) => api.loadPolicy(files),
    initLimit: { ms: loadLimit, message: (limit) => `the agent's policy did not load within ${limit}` },
    timeoutError: (message) => new AgentTimeoutError(message),
  });

  return {
    loadPolicy(next) {
      return worker.serial(async () => {
        const previous = files;
        files = next;
        try {
          return await worker.ready(true);
        } catch (error) {
          // The rollouts keep the policy they had.
          files = previous;
          throw error;
        }
      });
    },
    tune(problemText, startAt, onStep) {
      return worker.serial(() =>
        worker.call(
          (api) => (onStep ? api.tune(problemText, startAt, Comlink.proxy(onStep)) : api.tune(problemText, startAt)),
          {
            ms: tuneLimit,
            message: (limit) => `the agent ran longer than ${limit}; its worker was stopped`,
          },
        ),
      );
    },
    search(problemText, startAt) {
      return worker.serial(() =>
        worker.call((api) => api.search(problemText, startAt), {
          ms: tuneLimit,
          message: (limit) => `the agent's search ran longer than ${limit}; its worker was stopped`,
        }),
      );
    },
    loadCostModel() {
      return worker.serial(() =>
        worker.call((api) => api.loadCostModel(), {
          ms: loadLimit,
          message: (limit) => `the agent's cost model did not load within ${limit}; its worker was stopped`,
        }),
      );
    },
    terminate: () => worker.stop(),
    get restarts() {
      return worker.timeouts + worker.crashes;
    },
  };
}
