// Kernel threads in a page: Web Workers running kernelThread.js, spawned by the kernel worker
// (nested workers), sharing its WebAssembly.Memory. Terminating the kernel worker ends them too.
import { createThreadPool, type SpawnThread, type ThreadPool, type ThreadPoolOptions } from './threads.ts';

export const spawnBrowserThread: SpawnThread = (index) => {
  const worker = new Worker(new URL('./kernelThread.browser.js', import.meta.url), {
    type: 'module',
    name: `kernel thread ${index}`,
  });
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data)),
    onError: (listener) =>
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        listener(new Error(`kernel thread ${index} failed: ${event.message || 'it could not start'}`));
      }),
    terminate: () => worker.terminate(),
  };
};

/** A pool of `threads` Web Workers (see threads.ts). */
export function createBrowserThreadPool(
  threads: number,
  options: Omit<ThreadPoolOptions, 'threads' | 'spawn'> = {},
): ThreadPool {
  return createThreadPool({ threads, spawn: spawnBrowserThread, ...options });
}
