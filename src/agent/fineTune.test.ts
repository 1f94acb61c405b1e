// Fine-tuning on one problem with a function oracle: it finishes with a finite loss, reports every
// episode, leaves the original policy alone, saves files that load back, and stops when asked.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ACTIONS } from '../core/actions.ts';
import { parseProblem } from '../core/problem.ts';
import { defaultSchedule } from '../core/schedule.ts';
import { loadTfWasm } from '../runtime/xnnpack.ts';
import { fineTune, problemBenchmark, type FineTuneEpisode } from './fineTune.ts';
import { functionOracle } from './oracle.ts';
import { FeatureMlp } from './policy.ts';
import { benchmarkProblem } from './benchmarks.ts';

beforeAll(async () => {
  await loadTfWasm();
});

const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=16, n=32, k=8');
/** Faster with more loops and with n innermost. */
const oracle = () =>
  functionOracle((_, s) => 1 + s.loops.length + (s.loops[s.loops.length - 1].variable === 'n' ? 4 : 0));
const tiny = { warmup: 20, batchSize: 8, evalEverySec: 1e9 };
const start = { schedule: defaultSchedule(problem), cursor: 0 };

describe('fineTune', () => {
  it('trains a copy for a few episodes: finite loss, every episode reported, files that load back', async () => {
    const policy = FeatureMlp.create({ featureSet: 'extended', hidden: [16], actions: [...AGENT_ACTIONS] }, 4);
    const q0 = policy.qValues(problem, start, 10);
    const episodes: FineTuneEpisode[] = [];
    const r = await fineTune(policy, problem, oracle(), 10, {
      maxEpisodes: 6,
      config: tiny,
      onEpisode: (e) => episodes.push(e),
    });
    expect(r.episodes).toBe(6);
    expect(r.cancelled).toBe(false);
    expect(episodes.map((e) => e.episode)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const e of episodes) expect(Number.isFinite(e.ret)).toBe(true);
    // Learning starts once 20 transitions are in the buffer (after the second episode).
    expect(r.updates).toBe(40);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.loss).toBeGreaterThanOrEqual(0);
    // The default schedule (m n k, k innermost) is 4 GFLOPS to the oracle; a rollout never reports less.
    expect(r.before.defaultGflops).toBe(4);
    expect(r.before.gflops).toBeGreaterThanOrEqual(4);
    // The answer is a checkpoint only if it beat the starting policy, else a copy of it.
    expect(r.after.gflops).toBeGreaterThanOrEqual(r.before.gflops);
    expect(r.improved).toBe(r.after.gflops > r.before.gflops);
    expect(policy.qValues(problem, start, 10)).toEqual(q0);
    const tuned = r.policy.qValues(problem, start, 10);
    if (r.improved) expect(tuned).not.toEqual(q0);
    else
      tuned.forEach((x, i) => {
        expect(x).toBeCloseTo(q0[i], 6);
      });
    const loaded = await FeatureMlp.fromFiles(r.files);
    expect(loaded.metadata.fineTunedOn).toBe('C[m,n] += A[m,k] * B[k,n]\nm=16, n=32, k=8');
    loaded.qValues(problem, start, 10).forEach((x, i) => {
      expect(x).toBeCloseTo(tuned[i], 5);
    });
  });

  it('fine-tunes a PPO policy (logits) with PPO and keeps it one', async () => {
    const policy = FeatureMlp.create(
      { featureSet: 'extended', hidden: [16], actions: [...AGENT_ACTIONS], outputs: 'logits' },
      5,
    );
    const episodes: FineTuneEpisode[] = [];
    const r = await fineTune(policy, problem, oracle(), 10, {
      maxEpisodes: 6,
      config: { episodesPerUpdate: 2, minibatch: 8, evalEverySec: 1e9 },
      onEpisode: (e) => episodes.push(e),
    });
    expect(episodes.map((e) => e.episode)).toEqual([1, 2, 3, 4, 5, 6]);
    // Three batches of 2 episodes (20 samples): 4 epochs of 3 minibatches each. DQN would have run 40.
    expect(r.updates).toBe(36);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.after.gflops).toBeGreaterThanOrEqual(r.before.gflops);
    expect(r.policy.outputs).toBe('logits');
    expect((await FeatureMlp.fromFiles(r.files)).outputs).toBe('logits');
  });

  it('stops a PPO run between episodes too', async () => {
    const policy = FeatureMlp.create(
      { featureSet: 'looptune', hidden: [8], actions: [...AGENT_ACTIONS], outputs: 'logits' },
      2,
    );
    let seen = 0;
    const r = await fineTune(policy, problem, oracle(), 10, {
      maxEpisodes: 50,
      config: { episodesPerUpdate: 8 },
      onEpisode: () => seen++,
      shouldStop: () => seen >= 3,
    });
    expect(r.cancelled).toBe(true);
    expect(r.episodes).toBe(3);
  });

  it('stops between episodes when asked, and says so', async () => {
    const policy = FeatureMlp.create({ featureSet: 'looptune', hidden: [8], actions: [...AGENT_ACTIONS] }, 2);
    let seen = 0;
    const r = await fineTune(policy, problem, oracle(), 10, {
      maxEpisodes: 50,
      config: tiny,
      onEpisode: () => seen++,
      shouldStop: () => seen >= 3,
    });
    expect(r.cancelled).toBe(true);
    expect(r.episodes).toBe(3);
  });

  it('stops at the wall-time budget', async () => {
    const policy = FeatureMlp.create({ featureSet: 'looptune', hidden: [8], actions: [...AGENT_ACTIONS] }, 2);
    let t = 0;
    // Every clock read moves time on by 100 ms.
    const r = await fineTune(policy, problem, oracle(), 10, { budgetSec: 2, config: tiny, now: () => (t += 100) });
    expect(r.cancelled).toBe(false);
    expect(r.wallSec).toBeGreaterThanOrEqual(2);
    expect(r.episodes).toBeGreaterThan(0);
    expect(r.episodes).toBeLessThan(20);
  });

  it('names the one-problem split after the problem', () => {
    expect(benchmarkProblem(problemBenchmark(problem))).toEqual(problem);
  });
});

describe('fineTune from a poor start', () => {
  it('answers with a checkpoint that beats a policy which always moves the cursor', async () => {
    // A network whose output favours 'down'/'up' (cursor moves that leave the schedule as it is):
    // its greedy rollout never leaves the default, and training on a faster-with-n-innermost
    // oracle finds better.
    const policy = FeatureMlp.create({ featureSet: 'extended', hidden: [16], actions: [...AGENT_ACTIONS] }, 7);
    const vars = policy.variables();
    const bias = vars[vars.length - 1];
    bias.assign(tf.tensor1d(AGENT_ACTIONS.map((a) => (a === 'up' || a === 'down' ? 0.2 : 0))));
    const r = await fineTune(policy, problem, oracle(), 10, {
      maxEpisodes: 40,
      config: { ...tiny, evalEverySec: 0, learningRate: 3e-3 },
    });
    expect(r.before.gflops).toBe(4);
    expect(r.improved).toBe(true);
    expect(r.after.gflops).toBeGreaterThan(4);
  });
});
