// Tests only: stand-ins for the browser's worker behind a supervised client: a worker_threads
// Worker (its fixture exposes the worker's API with comlink), or an API in this thread.
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import type { WorkerLike } from './supervisedWorker.ts';

/** A comlink endpoint over a worker_threads Worker that keeps 'message' and 'error' apart (as { data } and { message }). */
export function nodeWorker(script: URL): WorkerLike {
  const worker = new Worker(script);
  const wrapped = new Map<unknown, (x: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => worker.postMessage(message, transfer as never),
    addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const call = (event: unknown) =>
        typeof listener === 'function' ? listener(event as Event) : listener.handleEvent(event as Event);
      const l =
        type === 'error' ? (e: unknown) => call({ message: (e as Error).message }) : (data: unknown) => call({ data });
      wrapped.set(listener, l);
      worker.on(type, l);
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const l = wrapped.get(listener);
      if (l) worker.off(type, l);
    },
    terminate: () => void worker.terminate(),
  };
}

/** An in-process worker: `api` exposed with comlink over a MessageChannel; `terminate` closes both ends, then calls `onTerminate`. */
export function channelWorker(api: object, onTerminate: () => void = () => {}): WorkerLike & MessagePort {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
  return Object.assign(port1, {
    terminate() {
      port1.close();
      port2.close();
      onTerminate();
    },
  });
}
