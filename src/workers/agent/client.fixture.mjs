// Test fixture for agentClient.test.ts: a worker_threads stand-in for agentWorker.ts with the same
// API. `tune` can hang (a runaway kernel) or throw; it answers with the policy it has loaded.
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

let policy = null;
let loads = 0;
Comlink.expose(
  {
    async loadPolicy(files) {
      loads++;
      if (files?.modelJson.broken) throw new Error('the model has no looplab policy metadata');
      policy = files ? files.modelJson.name : 'shipped';
      return { featureSet: 'extended', actions: ['up', 'down'], steps: 2 };
    },
    async tune(problemText, _start, onStep) {
      if (problemText === 'hang') for (;;);
      if (problemText === 'throw') throw new Error('line 1, col 1: expected an output tensor');
      const steps = ['down', 'up'].map((action, index) => ({
        index,
        action,
        values: [],
        scheduleText: `${policy} ${index}`,
        cursor: 0,
        gflops: index + 1,
        elapsedMs: index,
      }));
      if (onStep) {
        for (const s of steps) onStep(s).catch(() => {});
        onStep[Comlink.releaseProxy]();
      }
      return { startGflops: 1, steps, tuningMs: 3, setupMs: loads };
    },
  },
  nodeEndpoint(parentPort),
);
