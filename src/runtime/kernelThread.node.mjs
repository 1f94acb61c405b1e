// Node entry of a kernel thread (worker_threads); the program is kernelThread.js.
import { parentPort } from 'node:worker_threads';
import { serveKernelThread } from './kernelThread.js';

serveKernelThread({
  postMessage: (message) => parentPort.postMessage(message),
  onMessage: (listener) => parentPort.on('message', listener),
});
