// The page's Measurer: the runtime worker client (src/runtime/workerClient.ts) behind the
// store's Measurer interface. A timed-out kernel rejects with the client's WorkerTimeoutError
// ("the kernel ran longer than 10 s; the worker was restarted"); the store turns it into a notice.
import type { WorkerMeasureOptions } from '../runtime/workerApi.ts';
import { createRuntimeClient, type RuntimeClient } from '../runtime/workerClient.ts';
import type { Measurer } from './types.ts';

/** Options of a long run: more samples and a longer time budget, for a stable figure. */
export const LONG_RUN_OPTIONS: WorkerMeasureOptions = { samples: 21, budgetMs: 6000 };

export interface WorkerMeasurer extends Measurer {
  readonly client: RuntimeClient;
  /** Stops the worker. */
  dispose(): void;
}

export function createWorkerMeasurer(client: RuntimeClient = createRuntimeClient()): WorkerMeasurer {
  return {
    client,
    async measure(problemText, scheduleText, options = {}) {
      const m = await client.measure(problemText, scheduleText, options.long ? LONG_RUN_OPTIONS : {});
      return {
        gflops: m.gflops,
        gflopsMedian: m.gflopsMedian,
        correct: m.correct,
        maxError: m.maxError,
        report: m.report,
        generateMs: m.generateMs,
        compileMs: m.compileMs,
        reason: m.reason,
      };
    },
    peak() {
      return client.peak();
    },
    dispose() {
      client.terminate();
    },
  };
}
