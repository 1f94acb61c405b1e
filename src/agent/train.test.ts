// Training smoke test (a few seeded episodes on a fake oracle: finishes, loss finite), the policy's
// file round trip, the greedy rollout, and n-step transitions.
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ACTIONS, applyAction } from '../core/actions.ts';
import { parseProblem } from '../core/problem.ts';
import { defaultSchedule, printSchedule } from '../core/schedule.ts';
import { loadTfWasm } from '../runtime/xnnpack.ts';
import type { Benchmark } from './benchmarks.ts';
import { functionOracle } from './oracle.ts';
import { FeatureMlp, bestLegal } from './policy.ts';
import { nStepTransitions, ReplayBuffer } from './replay.ts';
import { agentTune } from './rollout.ts';
import { trainPpo } from './ppo.ts';
import { CURVE_COLUMNS, curveCsv, trainDqn } from './train.ts';

beforeAll(async () => {
  await loadTfWasm();
});

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const benchmarks: Benchmark[] = [
  { id: 'matmul a', family: 'matmul', op: MATMUL, sizes: 'm=16, n=32, k=8' },
  { id: 'matmul b', family: 'matmul', op: MATMUL, sizes: 'm=32, n=16, k=16' },
];
/** Faster with more loops and with n innermost. */
const fake = functionOracle((_, s) => 1 + s.loops.length + (s.loops[s.loops.length - 1].variable === 'n' ? 4 : 0));

describe('trainDqn', () => {
  it('runs a few seeded episodes to the end with a finite loss', async () => {
    const evals: number[] = [];
    const result = await trainDqn(
      {
        seed: 3,
        hidden: [16],
        maxEpisodes: 6,
        warmup: 20,
        batchSize: 8,
        evalEverySec: 1e9,
        budgetSec: 600,
        targetSync: 5,
      },
      { oracle: fake, peakGflops: 10, train: benchmarks, validation: benchmarks.slice(0, 1) },
      { onEval: (row) => void evals.push(row.val_speedup) },
    );
    expect(result.episodes).toBe(6);
    expect(result.envSteps).toBe(60);
    // Transitions enter the buffer when an episode ends: learning starts with the third episode.
    expect(result.updates).toBe(40);
    expect(result.curve).toHaveLength(1);
    const row = result.curve[0];
    expect(Number.isFinite(row.loss)).toBe(true);
    expect(row.loss).toBeGreaterThanOrEqual(0);
    expect(row.val_speedup).toBeGreaterThan(0);
    expect(evals).toEqual([row.val_speedup]);
    const q = result.best.qValues(
      parseProblem(MATMUL, 'm=16, n=32, k=8'),
      { schedule: defaultSchedule(parseProblem(MATMUL, 'm=16, n=32, k=8')), cursor: 0 },
      10,
    );
    expect(q).toHaveLength(AGENT_ACTIONS.length);
    for (const x of q) expect(Number.isFinite(x)).toBe(true);
    const csv = curveCsv(result.curve).trim().split('\n');
    expect(csv[0]).toBe(CURVE_COLUMNS.join(','));
    expect(csv).toHaveLength(2);
  });
});

describe('trainPpo', () => {
  it('runs a few seeded episodes with minibatch updates to a finite loss, the same way twice', async () => {
    const run = () =>
      trainPpo(
        {
          seed: 4,
          hidden: [16],
          maxEpisodes: 8,
          episodesPerUpdate: 4,
          minibatch: 8,
          epochs: 2,
          evalEverySec: 1e9,
          budgetSec: 600,
        },
        { oracle: fake, peakGflops: 10, train: benchmarks, validation: benchmarks.slice(0, 1) },
      );
    const result = await run();
    expect(result.episodes).toBe(8);
    expect(result.envSteps).toBe(80);
    // Two batches of 4 episodes x 10 steps, 2 epochs of minibatches of 8.
    expect(result.updates).toBe(2 * 2 * 5);
    expect(result.curve).toHaveLength(1);
    expect(Number.isFinite(result.curve[0].loss)).toBe(true);
    expect(result.curve[0].val_speedup).toBeGreaterThan(0);
    const again = await run();
    expect(again.curve[0].loss).toBeCloseTo(result.curve[0].loss, 5);
    const p = parseProblem(MATMUL, 'm=16, n=32, k=8');
    const start = { schedule: defaultSchedule(p), cursor: 0 };
    expect(again.best.qValues(p, start, 10)).toEqual(result.best.qValues(p, start, 10));
  });
});

describe('trainPpo resume', () => {
  it('continues the counters, curve and best score of a checkpoint from its actor', async () => {
    const config = {
      seed: 4,
      hidden: [16],
      episodesPerUpdate: 2,
      minibatch: 8,
      epochs: 1,
      evalEverySec: 1e9,
      budgetSec: 600,
    };
    const deps = { oracle: fake, peakGflops: 10, train: benchmarks, validation: benchmarks.slice(0, 1) };
    const first = await trainPpo({ ...config, maxEpisodes: 4 }, deps);
    expect(first.best.outputs).toBe('logits');
    const resumed = await trainPpo(
      { ...config, maxEpisodes: 8 },
      {
        ...deps,
        initial: first.best.clone(),
        resume: {
          episodes: first.episodes,
          envSteps: first.envSteps,
          wallSec: first.wallSec,
          curve: first.curve,
          bestValSpeedup: first.bestValSpeedup,
          best: first.best,
        },
      },
    );
    expect(resumed.episodes).toBe(8);
    expect(resumed.envSteps).toBe(80);
    expect(resumed.curve).toHaveLength(2);
    expect(resumed.curve[0]).toEqual(first.curve[0]);
    expect(resumed.curve[1].episode).toBe(8);
    expect(resumed.bestValSpeedup).toBeGreaterThanOrEqual(first.bestValSpeedup);
    expect(resumed.wallSec).toBeGreaterThanOrEqual(first.wallSec);
  });
});

describe('FeatureMlp', () => {
  it('saves to model.json + weights.bin and loads back the same network', async () => {
    const policy = FeatureMlp.create({ featureSet: 'extended', hidden: [8, 8], actions: [...AGENT_ACTIONS] }, 5);
    const p = parseProblem(MATMUL, 'm=16, n=32, k=8');
    const state = { schedule: defaultSchedule(p), cursor: 1 };
    const files = await policy.toFiles({ splitSeed: 5 });
    expect(files.modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(files.modelJson.format).toBe('layers-model');
    const loaded = await FeatureMlp.fromFiles({
      modelJson: JSON.parse(JSON.stringify(files.modelJson)),
      weights: files.weights,
    });
    expect(loaded.metadata).toMatchObject({
      featureSet: 'extended',
      actions: AGENT_ACTIONS,
      hidden: [8, 8],
      splitSeed: 5,
      steps: 10,
    });
    const a = policy.qValues(p, state, 7);
    const b = loaded.qValues(p, state, 7);
    b.forEach((x, i) => {
      expect(x).toBeCloseTo(a[i], 6);
    });
  });

  it('picks the legal action with the highest value', () => {
    expect(bestLegal([5, 1, 9, 3], [true, true, false, true])).toBe(0);
    expect(bestLegal([5, 1, 9, 3], [false, false, false, false])).toBe(-1);
  });
});

describe('agentTune', () => {
  it('rolls the policy out greedily over legal actions and answers with the fastest schedule seen', async () => {
    const policy = FeatureMlp.create({ featureSet: 'looptune', hidden: [8], actions: [...AGENT_ACTIONS] }, 2);
    const p = parseProblem(MATMUL, 'm=16, n=32, k=8');
    const r = await agentTune(policy, p, fake);
    expect(r.steps).toHaveLength(10);
    let state = { schedule: defaultSchedule(p), cursor: 0 };
    for (const s of r.steps) {
      expect(s.before).toEqual(state);
      const legal = s.legality.map((l) => l.ok);
      expect(s.action).toBe(AGENT_ACTIONS[bestLegal(s.outputs, legal)]);
      const next = applyAction(p, state, s.action);
      expect(next.ok).toBe(true);
      if (next.ok) state = next.state;
      expect(s.after).toEqual(state);
    }
    const best = Math.max(r.defaultGflops, ...r.steps.map((s) => s.gflops));
    expect(r.gflops).toBe(best);
    let replayed = { schedule: defaultSchedule(p), cursor: 0 };
    for (const a of r.actions) {
      const n = applyAction(p, replayed, a);
      if (n.ok) replayed = n.state;
    }
    expect(printSchedule(replayed.schedule)).toBe(printSchedule(r.schedule));
  });

  it("takes the start schedule's figure when the caller has it, instead of timing it again", async () => {
    const policy = FeatureMlp.create({ featureSet: 'looptune', hidden: [8], actions: [...AGENT_ACTIONS] }, 2);
    const p = parseProblem(MATMUL, 'm=16, n=32, k=8');
    const measureAll = functionOracle((_, s) => 1 + s.loops.length);
    const known = functionOracle((_, s) => 1 + s.loops.length);
    const a = await agentTune(policy, p, measureAll);
    const b = await agentTune(policy, p, known, { startGflops: 0.5 });
    expect(b.defaultGflops).toBe(0.5);
    expect(b.steps.map((s) => s.action)).toEqual(a.steps.map((s) => s.action));
    expect(known.calls).toBe(measureAll.calls - 1);
  });
});

describe('replay', () => {
  const f = (x: number) => new Float32Array([x]);
  const episode = [0, 1, 2, 3].map((t) => ({
    features: f(t),
    action: t % 2,
    reward: t + 1,
    next: f(t + 1),
    nextMask: [true, false],
  }));

  it('n-step returns: discounted rewards, the state n steps later, discount 0 past the end', () => {
    const ts = nStepTransitions(episode, 2, 0.5);
    expect(ts.map((t) => t.ret)).toEqual([1 + 0.5 * 2, 2 + 0.5 * 3, 3 + 0.5 * 4, 4]);
    expect(ts.map((t) => t.next[0])).toEqual([2, 3, 4, 4]);
    expect(ts.map((t) => t.discount)).toEqual([0.25, 0.25, 0, 0]);
  });

  it('samples batches from a ring buffer', () => {
    const buffer = new ReplayBuffer(3, 1, 2, 1);
    for (const t of nStepTransitions(episode, 1, 0.9)) buffer.push(t);
    expect(buffer.size).toBe(3);
    const b = buffer.sample(5);
    expect(b.size).toBe(3);
    // The oldest transition (features 0) was overwritten.
    expect(Array.from(b.features).every((x) => x >= 1)).toBe(true);
    expect(Array.from(b.nextMask)).toEqual([1, 0, 1, 0, 1, 0]);
  });
});
