// Web Worker entry of the runtime: exposes createWorkerApi() (workerApi.ts) with comlink. The page
// talks to it through workerClient.ts, which also stops runaway kernels by terminating the worker.
import * as Comlink from 'comlink';
import { createWorkerApi, type ProgressCallback, type RuntimeWorkerApi } from './workerApi.ts';

export type { ProgressCallback, RuntimeWorkerApi, WorkerMeasureOptions, XnnpackResult } from './workerApi.ts';

const api = createWorkerApi();

const exposed: RuntimeWorkerApi = {
  ...api,
  // A progress callback arrives as a comlink proxy (workerClient wraps it with Comlink.proxy):
  // its calls are posted without waiting for an answer, and it is released after the call.
  async measure(problemText, scheduleText, options, onProgress) {
    if (!onProgress) return api.measure(problemText, scheduleText, options);
    const remote = onProgress as unknown as Comlink.Remote<ProgressCallback>;
    try {
      return await api.measure(problemText, scheduleText, options, (fraction) => {
        remote(fraction).catch(() => {});
      });
    } finally {
      remote[Comlink.releaseProxy]();
    }
  },
};

Comlink.expose(exposed);
