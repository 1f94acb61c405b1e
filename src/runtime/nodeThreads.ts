// Kernel threads in Node: worker_threads running kernelThread.js (for the CLIs and tests; a page
// spawns Web Workers instead).
import { Worker } from 'node:worker_threads';
import { createThreadPool, type SpawnThread, type ThreadPool, type ThreadPoolOptions } from './threads.ts';

const ENTRY = new URL('./kernelThread.node.mjs', import.meta.url);

export const spawnNodeThread: SpawnThread = () => {
  const worker = new Worker(ENTRY);
  // A pool nobody terminated must not keep the process alive.
  worker.unref();
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) => void worker.on('message', listener),
    onError: (listener) => {
      worker.on('error', listener);
      worker.on('exit', (code) => listener(new Error(`the thread exited with code ${code}`)));
    },
    terminate: () => void worker.terminate(),
  };
};

/** A pool of `threads` worker_threads (see threads.ts). */
export function createNodeThreadPool(
  threads: number,
  options: Omit<ThreadPoolOptions, 'threads' | 'spawn'> = {},
): ThreadPool {
  return createThreadPool({ threads, spawn: spawnNodeThread, ...options });
}
