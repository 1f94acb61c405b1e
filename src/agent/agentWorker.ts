// Web Worker entry of the agent: exposes createAgentWorkerApi() (agentWorkerApi.ts) with comlink.
// The page talks to it through agentClient.ts (time limit, restart). tfjs lives only here.
import * as Comlink from 'comlink';
import { createAgentWorkerApi, type AgentStepView, type AgentWorkerApi } from './agentWorkerApi.ts';

const api = createAgentWorkerApi();

const exposed: AgentWorkerApi = {
  ...api,
  // The step callback arrives as a comlink proxy (agentClient wraps it with Comlink.proxy): its
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
