// Web Worker entry of the agent worker: exposes createAgentApi() (api.ts) with comlink. The page
// talks to it through client.ts (time limit, restart). tfjs lives only here.
import * as Comlink from 'comlink';
import { createAgentApi } from './api.ts';
import type { AgentStepView, AgentWorkerApi } from './protocol.ts';

const api = createAgentApi();

const exposed: AgentWorkerApi = {
  ...api,
  // The step callback arrives as a comlink proxy (client.ts wraps it with Comlink.proxy): its
  // calls are posted without waiting for an answer, and it is released after the rollout.
  async tune(problemText, start, onStep) {
    if (!onStep) return api.tune(problemText, start);
    const remote = onStep as unknown as Comlink.Remote<(step: AgentStepView) => void>;
    try {
      return await api.tune(problemText, start, (step) => {
        remote(step).catch(() => {});
      });
    } finally {
      remote[Comlink.releaseProxy]();
    }
  },
};

Comlink.expose(exposed);
