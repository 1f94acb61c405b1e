// Web Worker entry of a kernel thread (the page's kernel worker spawns these); the program is
// kernelThread.js.
import { serveKernelThread } from './kernelThread.js';

serveKernelThread({
  postMessage: (message) => self.postMessage(message),
  onMessage: (listener) => self.addEventListener('message', (event) => listener(event.data)),
});
