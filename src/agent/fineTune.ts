// Fine-tuning a policy on one problem (the page's "fine-tune on this problem"): the algorithm the
// policy was trained with (PPO of ppo.ts for a policy with logits, the DQN of train.ts for one
// with Q-values) run on a train split of just this problem, starting from the policy's weights,
// for a short wall-time budget. Every few seconds the greedy rollout tunes
// the problem and the best policy so far is kept, the starting policy included (ties keep the
// earlier one): the answer is never worse on this problem than the policy it started from, by the
// same (cached) measurements. It holds the greedy rollout's best GFLOPS before and after, so a
// person can keep or discard the result.
// The caller's oracle should cache (the rollouts and episodes revisit the same schedules).
import { problemText, sizesText } from '../core/problem.ts';
import type { Problem } from '../core/types.ts';
import type { Benchmark } from './benchmarks.ts';
import type { GflopsOracle } from './oracle.ts';
import type { ModelFiles, FeatureMlp } from './policy.ts';
import { agentTune } from './rollout.ts';
import { trainPpo, type PpoConfig } from './ppo.ts';
import { trainDqn, type TrainConfig } from './train.ts';

/** Defaults for a short DQN run from a trained policy (the rest is train.ts's DEFAULT_TRAIN_CONFIG). */
export const FINE_TUNE_DQN_CONFIG: Partial<TrainConfig> = {
  budgetSec: 45,
  learningRate: 2e-4,
  batchSize: 32,
  replayCapacity: 5_000,
  // Learning starts after 5 episodes of 10 steps.
  warmup: 50,
  targetSync: 100,
  epsilonStart: 0.3,
  epsilonEnd: 0.05,
  epsilonDecaySteps: 1_000,
  evalEverySec: 2,
};

/** Defaults for a short PPO run from a trained policy (the rest is ppo.ts's DEFAULT_PPO_CONFIG). */
export const FINE_TUNE_PPO_CONFIG: Partial<PpoConfig> = {
  budgetSec: 45,
  learningRate: 1e-4,
  // One problem: small batches, so that an update comes every few episodes.
  episodesPerUpdate: 8,
  minibatch: 32,
  evalEverySec: 2,
};

export interface FineTuneEpisode {
  episode: number;
  /** The episode's discounted return ((final - default) GFLOPS / peak, discounted). */
  ret: number;
  epsilon: number;
  wallSec: number;
}

export interface FineTuneOptions {
  /** Wall-time budget in seconds (default 45). */
  budgetSec?: number;
  maxEpisodes?: number;
  seed?: number;
  /** Overrides of the training configuration (tests: tiny batches, short warm-up). */
  config?: Partial<PpoConfig>;
  onEpisode?: (e: FineTuneEpisode) => void;
  /** Polled between episodes; true stops the run (the result then has `cancelled`). */
  shouldStop?: () => boolean;
  now?: () => number;
}

export interface RolloutSummary {
  /** Best GFLOPS of the greedy rollout. */
  gflops: number;
  defaultGflops: number;
  /** Its schedule's actions from the default (cursor on the outermost loop). */
  actions: string[];
}

export interface FineTuneResult {
  /** The fine-tuned policy (the caller disposes of it). */
  policy: FeatureMlp;
  files: ModelFiles;
  before: RolloutSummary;
  after: RolloutSummary;
  episodes: number;
  updates: number;
  wallSec: number;
  /** Mean training loss over the run's last stretch (DQN's Huber loss, PPO's surrogate; NaN when no update ran). */
  loss: number;
  cancelled: boolean;
  /** A checkpoint beat the starting policy on this problem (else `policy` is a copy of it). */
  improved: boolean;
}

/** The one-problem train split. */
export function problemBenchmark(problem: Problem): Benchmark {
  return { id: `fine-tune ${problemText(problem)}`, family: 'matmul', op: problem.op, sizes: sizesText(problem) };
}

const summary = (r: { gflops: number; defaultGflops: number; actions: readonly string[] }): RolloutSummary => ({
  gflops: r.gflops,
  defaultGflops: r.defaultGflops,
  actions: [...r.actions],
});

/** Fine-tunes a copy of `policy` on `problem`; `policy` itself is left as it was. */
export async function fineTune(
  policy: FeatureMlp,
  problem: Problem,
  oracle: GflopsOracle,
  peakGflops: number,
  options: FineTuneOptions = {},
): Promise<FineTuneResult> {
  const before = await agentTune(policy, problem, oracle);
  // train.ts's validation score of the starting policy on this problem.
  const beforeSpeedup = Math.max(before.gflops, 1e-9) / Math.max(before.defaultGflops, 1e-9);
  const benchmark = problemBenchmark(problem);
  let stopped = false;
  const shouldStop = () => (stopped ||= options.shouldStop?.() === true);
  const online = policy.clone();
  const ppo = policy.outputs === 'logits';
  const run = await (ppo ? trainPpo : trainDqn)(
    {
      ...(ppo ? FINE_TUNE_PPO_CONFIG : FINE_TUNE_DQN_CONFIG),
      steps: policy.metadata.steps,
      seed: options.seed ?? 1,
      ...(options.budgetSec !== undefined ? { budgetSec: options.budgetSec } : {}),
      ...(options.maxEpisodes !== undefined ? { maxEpisodes: options.maxEpisodes } : {}),
      ...options.config,
    },
    {
      oracle,
      peakGflops,
      train: [benchmark],
      validation: [benchmark],
      initial: online,
      now: options.now,
      // The starting policy is the best so far: a checkpoint must beat it to be the answer.
      resume: { episodes: 0, envSteps: 0, wallSec: 0, curve: [], bestValSpeedup: beforeSpeedup, best: policy },
    },
    {
      onEpisode: (e) => options.onEpisode?.({ episode: e.episode, ret: e.ret, epsilon: e.epsilon, wallSec: e.wallSec }),
      shouldStop,
    },
  );
  // run.best is a copy taken at a validation; the network that trained is not needed any more.
  if (run.best !== online) online.dispose();
  const after = await agentTune(run.best, problem, oracle);
  const files = await run.best.toFiles({ fineTunedOn: problemText(problem), fineTuneEpisodes: run.episodes });
  const withLoss = run.curve.filter((r) => Number.isFinite(r.loss));
  return {
    policy: run.best,
    files,
    before: summary(before),
    after: summary(after),
    episodes: run.episodes,
    updates: run.updates,
    wallSec: run.wallSec,
    loss: withLoss.length ? withLoss[withLoss.length - 1].loss : NaN,
    cancelled: stopped,
    improved: run.bestValSpeedup > beforeSpeedup,
  };
}
