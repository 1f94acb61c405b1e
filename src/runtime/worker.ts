// Web Worker entry of the runtime: exposes createWorkerApi() (workerApi.ts) with comlink. The page
// talks to it through workerClient.ts, which also stops runaway kernels by terminating the worker.
import * as Comlink from 'comlink';
import { createWorkerApi } from './workerApi.ts';

export type { RuntimeWorkerApi, WorkerMeasureOptions } from './workerApi.ts';

Comlink.expose(createWorkerApi());
