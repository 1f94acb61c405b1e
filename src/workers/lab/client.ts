// The page's handle on the agent lab's worker (worker.ts), through comlink. The worker starts
// on the first call. `cancel` asks the run to stop; a run that has not ended a few seconds later
// (e.g. a kernel that never returns) is stopped by terminating the worker, and its call rejects.
// The lifecycle is the shared supervisedWorker.ts.
import * as Comlink from 'comlink';
import { formatLimit, supervisedWorker, type WorkerLike } from '../supervisedWorker.ts';
import type { LabWorkerApi } from './protocol.ts';

export type LabWorkerLike = WorkerLike;

/** The page's handle on the lab worker: its protocol, and ending the worker. */
export interface LabClient extends LabWorkerApi {
  terminate(): void;
}

export interface LabClientOptions {
  createWorker?: () => LabWorkerLike;
  /** How long a cancelled run may take to stop before the worker is terminated (default 5000 ms). */
  cancelGraceMs?: number;
}

function defaultCreateWorker(): LabWorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

export function createLabClient(options: LabClientOptions = {}): LabClient {
  const grace = options.cancelGraceMs ?? 5000;
  const worker = supervisedWorker<LabWorkerApi>({
    create: options.createWorker ?? defaultCreateWorker,
    name: "the agent lab's worker",
  });

  /** The run in progress, if any. */
  let running: Promise<unknown> | null = null;

  const call = <T>(invoke: (api: Comlink.Remote<LabWorkerApi>) => Promise<T>): Promise<T> => {
    const run = worker.call(invoke);
    const settled = run.then(
      () => {},
      () => {},
    );
    running = settled;
    void settled.then(() => {
      if (running === settled) running = null;
    });
    return run;
  };

  return {
    race(problemText, raceOptions, onEvent) {
      return call((api) =>
        onEvent ? api.race(problemText, raceOptions, Comlink.proxy(onEvent)) : api.race(problemText, raceOptions),
      );
    },
    fineTune(problemText, fineOptions, onEvent) {
      return call((api) =>
        onEvent
          ? api.fineTune(problemText, fineOptions, Comlink.proxy(onEvent))
          : api.fineTune(problemText, fineOptions),
      );
    },
    cancel() {
      const api = worker.api();
      if (!api) return;
      void api.cancel().catch(() => {});
      const run = running;
      if (!run) return;
      const timer = setTimeout(() => {
        if (worker.api() === api && running === run) {
          worker.stop(`the run did not stop within ${formatLimit(grace)} of cancel; its worker was restarted`);
        }
      }, grace);
      void run.then(() => clearTimeout(timer));
    },
    terminate: () => worker.stop('the agent lab was closed'),
  };
}
