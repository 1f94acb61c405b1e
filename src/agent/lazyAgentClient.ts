// The agent's client, loaded on first use: the page imports only this module, so the agent's
// worker (and its tfjs) is neither in the first load nor started until someone asks for it.
import type { AgentClient, AgentClientOptions } from './agentClient.ts';

export function lazyAgentClient(options: AgentClientOptions = {}): AgentClient {
  let loaded: AgentClient | null = null;
  let loading: Promise<AgentClient> | null = null;
  const client = () =>
    (loading ??= import('./agentClient.ts').then((m) => {
      loaded = m.createAgentClient(options);
      return loaded;
    }));
  return {
    loadPolicy: (files) => client().then((c) => c.loadPolicy(files)),
    tune: (problemText, start, onStep) => client().then((c) => c.tune(problemText, start, onStep)),
    terminate: () => loaded?.terminate(),
    get restarts() {
      return loaded?.restarts ?? 0;
    },
  };
}
