// The page's handle on the agent lab's worker (labWorker.ts), through comlink. The worker starts
// on the first call. `cancel` asks the run to stop; a run that has not ended a few seconds later
// (e.g. a kernel that never returns) is stopped by terminating the worker, and its call rejects.
import * as Comlink from 'comlink';
import type { FineTuneEvent, LabFineTuneOptions, LabFineTuneResult, LabWorkerApi, RaceEvent, RaceOptions, RaceResult } from './labWorkerApi.ts';

export type { FineTuneEvent, LabFineTuneOptions, LabFineTuneResult, RaceEvent, RaceOptions, RaceResult } from './labWorkerApi.ts';

export type LabWorkerLike = Comlink.Endpoint & { terminate(): void };

export interface LabClient {
  race(problemText: string, options: RaceOptions, onEvent?: (e: RaceEvent) => void): Promise<RaceResult>;
  fineTune(problemText: string, options: LabFineTuneOptions, onEvent?: (e: FineTuneEvent) => void): Promise<LabFineTuneResult>;
  cancel(): void;
  terminate(): void;
}

export interface LabClientOptions {
  createWorker?: () => LabWorkerLike;
  /** How long a cancelled run may take to stop before the worker is terminated (default 5000 ms). */
  cancelGraceMs?: number;
}

function defaultCreateWorker(): LabWorkerLike {
  return new Worker(new URL('./labWorker.ts', import.meta.url), { type: 'module' });
}

export function createLabClient(options: LabClientOptions = {}): LabClient {
  const createWorker = options.createWorker ?? defaultCreateWorker;
  const grace = options.cancelGraceMs ?? 5000;
  let live: { worker: LabWorkerLike; api: Comlink.Remote<LabWorkerApi>; crashed: Promise<never>; kill: (why: Error) => void } | null = null;

  const start = () => {
    const worker = createWorker();
    let kill: (why: Error) => void = () => {};
    const crashed = new Promise<never>((_, reject) => {
      kill = reject;
      worker.addEventListener('error', (event: Event) => {
        reject(new Error(`the agent lab's worker failed: ${(event as ErrorEvent).message || 'unknown error'}`));
        if (live?.worker === worker) stop();
      });
    });
    crashed.catch(() => {});
    live = { worker, api: Comlink.wrap<LabWorkerApi>(worker), crashed, kill };
    return live;
  };

  const stop = (why = 'the agent lab was closed') => {
    if (!live) return;
    const current = live;
    live = null;
    current.kill(new Error(why));
    current.api[Comlink.releaseProxy]();
    current.worker.terminate();
  };

  /** The run in progress, if any. */
  let running: Promise<unknown> | null = null;

  const call = <T>(invoke: (api: Comlink.Remote<LabWorkerApi>) => Promise<T>): Promise<T> => {
    const current = live ?? start();
    const run = Promise.race([invoke(current.api), current.crashed]);
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
      return call((api) => (onEvent ? api.race(problemText, raceOptions, Comlink.proxy(onEvent)) : api.race(problemText, raceOptions)));
    },
    fineTune(problemText, fineOptions, onEvent) {
      return call((api) => (onEvent ? api.fineTune(problemText, fineOptions, Comlink.proxy(onEvent)) : api.fineTune(problemText, fineOptions)));
    },
    cancel() {
      const current = live;
      if (!current) return;
      void current.api.cancel().catch(() => {});
      const run = running;
      if (!run) return;
      const timer = setTimeout(() => {
        if (live === current && running === run) stop(`the run did not stop within ${grace / 1000} s of cancel; its worker was restarted`);
      }, grace);
      void run.then(() => clearTimeout(timer));
    },
    terminate: () => stop(),
  };
}
