// Test fixture for workerClient.test.ts: a worker_threads stand-in for worker.ts with the same
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
    async measure(problemText, scheduleText) {
      if (scheduleText === 'hang') for (;;);
      if (scheduleText === 'throw') {
        const e = new Error("line 1, col 3: unknown variable 'z'");
        e.name = 'ScheduleError';
        throw e;
      }
      return { problem: problemText, schedule: scheduleText, inits };
    },
    async peak() {
      return 42;
    },
  },
  nodeEndpoint(parentPort),
);
