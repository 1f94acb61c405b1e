// The agent client's queue, time limit and restart (a fresh worker loads the policy it was last
// given), with a worker_threads stand-in for the browser worker (agentClient.fixture.mjs).
import { afterEach, describe, expect, it } from 'vitest';
import { nodeWorker as nodeThread } from '../testWorker.ts';
import { AgentTimeoutError, createAgentClient, type AgentClient, type AgentWorkerLike } from './client.ts';
import type { ModelFiles } from '../../agent/policy.ts';

/** The fixture worker on a worker_threads thread. */
const nodeWorker = (): AgentWorkerLike => nodeThread(new URL('./client.fixture.mjs', import.meta.url));

const files = (name: string, broken = false) => ({
  modelJson: { name, broken } as unknown as ModelFiles['modelJson'],
  weights: new ArrayBuffer(8),
});

let client: AgentClient | null = null;
afterEach(() => client?.terminate());

describe('createAgentClient', () => {
  it('loads the shipped policy before the first rollout and streams the steps', async () => {
    let started = 0;
    client = createAgentClient({
      createWorker: () => {
        started++;
        return nodeWorker();
      },
    });
    expect(started).toBe(0); // no worker before the first call
    const seen: string[] = [];
    const r = await client.tune('p', null, (s) => seen.push(s.action));
    expect(started).toBe(1);
    expect(r.steps.map((s) => s.scheduleText)).toEqual(['shipped 0', 'shipped 1']);
    await expect.poll(() => seen).toEqual(['down', 'up']);
  });

  it('uses the policy it was given; a damaged one rejects with the reason', async () => {
    client = createAgentClient({ createWorker: nodeWorker });
    await client.loadPolicy(files('fine-tuned'));
    expect((await client.tune('p', null)).steps[0].scheduleText).toBe('fine-tuned 0');
    await expect(client.loadPolicy(files('bad', true))).rejects.toThrow('the model has no looplab policy metadata');
    // The rollouts keep the policy they had.
    expect((await client.tune('p', null)).steps[0].scheduleText).toBe('fine-tuned 0');
    await expect(client.tune('throw', null)).rejects.toThrow('expected an output tensor');
  });

  it('stops a runaway rollout; the next call starts a fresh worker with the same policy', async () => {
    client = createAgentClient({ createWorker: nodeWorker, tuneTimeLimitMs: 300 });
    await client.loadPolicy(files('mine'));
    const hung = client.tune('hang', null);
    const next = client.tune('p', null); // queued behind the runaway call
    const err = await hung.catch((e: Error) => e);
    expect(err).toBeInstanceOf(AgentTimeoutError);
    expect((err as Error).message).toBe('the agent ran longer than 0.3 s; its worker was stopped');
    const r = await next;
    expect(r.steps[0].scheduleText).toBe('mine 0');
    expect(r.setupMs).toBe(1); // the fresh worker loaded the policy once
    expect(client.restarts).toBe(1);
  });
});
