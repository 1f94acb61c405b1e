// PPO learns the obvious move on a fake oracle: for a vector-matrix product the kernel is fast
// only when the loop over n, the variable contiguous in the output and in B, is innermost (the
// generator vectorizes along the innermost loop). From the default schedule `n:48 k:40` with the cursor
// on n, that is one swap_down.
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ACTIONS, actionMask } from '../core/actions.ts';
import { parseProblem } from '../core/problem.ts';
import { defaultSchedule, printSchedule } from '../core/schedule.ts';
import type { Schedule } from '../core/types.ts';
import { loadTfWasm } from '../runtime/xnnpack.ts';
import type { Benchmark } from './benchmarks.ts';
import { functionOracle } from './oracle.ts';
import { maskedSoftmax, FeatureMlp } from './policy.ts';
import { trainPpo, type PpoConfig } from './ppo.ts';
import { agentTune } from './rollout.ts';

beforeAll(async () => {
  await loadTfWasm();
});

const VECMAT = 'C[n] += A[k] * B[k,n]';
const benchmarks: Benchmark[] = [
  { id: 'vecmat a', family: 'matmul', op: VECMAT, sizes: 'n=64, k=32' },
  { id: 'vecmat b', family: 'matmul', op: VECMAT, sizes: 'n=32, k=64' },
];
const innermost = (s: Schedule) => s.loops[s.loops.length - 1].variable;
/** 9 GFLOPS vectorized along n, 1 otherwise. */
const vectorizeAlongN = functionOracle((_, s) => (innermost(s) === 'n' ? 9 : 1));

const config: Partial<PpoConfig> = {
  seed: 2,
  hidden: [16],
  steps: 4,
  learningRate: 3e-3,
  maxEpisodes: 64,
  episodesPerUpdate: 8,
  minibatch: 16,
  epochs: 4,
  evalEverySec: 1e9,
  budgetSec: 600,
};
const deps = { oracle: vectorizeAlongN, peakGflops: 10, train: benchmarks, validation: benchmarks.slice(0, 1) };

const problem = parseProblem(VECMAT, 'n=48, k=40');
const start = { schedule: defaultSchedule(problem), cursor: 0 };
const swapDown = AGENT_ACTIONS.indexOf('swap_down');
/** The policy's probability of swap_down at the start of an episode. */
const swapDownProbability = (policy: FeatureMlp) =>
  maskedSoftmax(policy.qValues(problem, start, config.steps!), actionMask(problem, start, policy.actions))[swapDown];

describe('trainPpo on a fake oracle', () => {
  it('learns to make the contiguous variable innermost, the same way for the same seed', async () => {
    expect(printSchedule(start.schedule)).toBe('n:48 k:40');
    const untrained = FeatureMlp.create(
      { featureSet: 'extended', hidden: [16], actions: [...AGENT_ACTIONS], outputs: 'logits' },
      config.seed,
      config.steps,
    );
    expect(swapDownProbability(untrained)).toBeLessThan(0.4);

    const result = await trainPpo(config, deps);
    expect(result.episodes).toBe(64);
    expect(swapDownProbability(result.best)).toBeGreaterThan(0.8);
    const tuned = await agentTune(result.best, problem, vectorizeAlongN);
    expect(tuned.steps[0].action).toBe('swap_down');
    expect(innermost(tuned.schedule)).toBe('n');
    expect(tuned.gflops).toBe(9);

    const again = await trainPpo(config, deps);
    expect(swapDownProbability(again.best)).toBe(swapDownProbability(result.best));
  });
});
