// Web Worker entry of the agent lab (the race of the agent against the searches, fine-tuning):
// exposes createLabApi() (api.ts) with comlink, with tfjs on its wasm backend and the
// shipped policy fetched over HTTP. The page talks to it through client.ts. Event callbacks
// arrive as comlink proxies: their calls are posted without waiting, and released after the run.
import * as Comlink from 'comlink';
import { loadTfWasmBrowser } from '../../runtime/xnnpackBrowser.ts';
import { createLabApi } from './api.ts';
import type { FineTuneEvent, LabWorkerApi, RaceEvent } from './protocol.ts';
import { fetchShippedPolicy } from '../../agent/shippedPolicy.ts';

const api = createLabApi({ loadTf: loadTfWasmBrowser, fetchShipped: () => fetchShippedPolicy() });

/** Calls a proxied callback without waiting for the page; releases it when `run` ends. */
async function withRemote<E, T>(
  callback: ((e: E) => void) | undefined,
  run: (emit?: (e: E) => void) => Promise<T>,
): Promise<T> {
  if (!callback) return run();
  const remote = callback as unknown as Comlink.Remote<(e: unknown) => void>;
  try {
    return await run((e) => {
      (remote as unknown as (e: E) => Promise<void>)(e).catch(() => {});
    });
  } finally {
    remote[Comlink.releaseProxy]();
  }
}

const exposed: LabWorkerApi = {
  race: (problemText, options, onEvent) =>
    withRemote<RaceEvent, Awaited<ReturnType<LabWorkerApi['race']>>>(onEvent, (emit) =>
      api.race(problemText, options, emit),
    ),
  fineTune: (problemText, options, onEvent) =>
    withRemote<FineTuneEvent, Awaited<ReturnType<LabWorkerApi['fineTune']>>>(onEvent, (emit) =>
      api.fineTune(problemText, options, emit),
    ),
  cancel: () => api.cancel(),
};

Comlink.expose(exposed);
