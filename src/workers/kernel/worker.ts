// Web Worker entry of the kernel worker: exposes createKernelApi() (api.ts) with comlink. The page
// talks to it through client.ts, which also stops runaway kernels by terminating the worker.
import * as Comlink from 'comlink';
import { createKernelApi } from './api.ts';
import type { KernelWorkerApi, ProgressCallback } from './protocol.ts';

const api = createKernelApi();

const exposed: KernelWorkerApi = {
  ...api,
  // A progress callback arrives as a comlink proxy (client.ts wraps it with Comlink.proxy):
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
