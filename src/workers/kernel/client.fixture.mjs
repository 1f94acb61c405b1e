// Test fixture for client.test.ts: a worker_threads stand-in for worker.ts with the same
// API, whose `measure` can hang (a runaway kernel) or throw.
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

let inits = 0;
Comlink.expose(
  {
    async init() {
      inits++;
      return { relaxedSimd: false };
    },
    async measure(problemText, scheduleText, options, onProgress) {
      if (scheduleText === 'hang') for (;;);
      if (scheduleText === 'sleep') await new Promise((resolve) => setTimeout(resolve, options.sleepMs));
      if (onProgress) {
        // Posted without waiting, as the real worker does from inside its timing loop.
        for (const f of [0, 0.5, 1]) onProgress(f).catch(() => {});
        onProgress[Comlink.releaseProxy]();
      }
      if (scheduleText === 'throw') {
        const e = new Error("line 1, col 3: unknown variable 'z'");
        e.name = 'ScheduleError';
        throw e;
      }
      return { problem: problemText, schedule: scheduleText, inits };
    },
    async refine(_problemText, _scheduleText, options) {
      // Samples of 5 ms until the stop flag is set (or 5 s pass).
      const kernelSeconds = [];
      const start = Date.now();
      while (Date.now() - start < 5000 && !(options.stop && Atomics.load(options.stop, 0) !== 0)) {
        const t0 = Date.now();
        while (Date.now() - t0 < 5);
        kernelSeconds.push(0.005);
      }
      return {
        kernelSeconds,
        referenceSeconds: [],
        flops: 1,
        referenceFlops: 1,
        threads: 1,
        tookMs: Date.now() - start,
      };
    },
    async peak() {
      return 42;
    },
    async bandwidth() {
      return 5e10;
    },
    async xnnpack(problemText) {
      if (problemText === 'hang') for (;;);
      return problemText.startsWith('C[m,n]') ? { gflops: 30, gflopsMedian: 29, correct: true } : null;
    },
  },
  nodeEndpoint(parentPort),
);
