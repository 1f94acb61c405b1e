// Tests only: a worker_threads Worker standing in for the browser's worker behind a supervised
// client (its fixture exposes the worker's API with comlink).
import { Worker } from 'node:worker_threads';
import type { WorkerLike } from './supervisedWorker.ts';

/** A comlink endpoint over a worker_threads Worker that keeps 'message' and 'error' apart (as { data } and { message }). */
export function nodeWorker(script: URL): WorkerLike {
  const worker = new Worker(script);
  const wrapped = new Map<unknown, (x: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => worker.postMessage(message, transfer as never),
    addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const call = (event: unknown) => (typeof listener === 'function' ? listener(event as Event) : listener.handleEvent(event as Event));
      const l = type === 'error' ? (e: unknown) => call({ message: (e as Error).message }) : (data: unknown) => call({ data });
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
