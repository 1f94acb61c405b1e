// DQN training of the Q-network on the environment (LoopTune trains APEX-DQN; here one actor and
// one learner in turn, in one thread): epsilon-greedy episodes of `steps` actions on problems
// drawn from the train split, n-step double-Q targets from a replay buffer, a target network.
// Every `evalEverySec` seconds the greedy policy tunes the validation problems; the learning
// curve gets a row, and the best policy so far (by validation geomean speedup) is kept.
// File handling (weights, checkpoints, the CSV) is the caller's (scripts/train.ts).
import { AGENT_ACTIONS } from '../core/actions.ts';
import { seededRandom } from '../core/random.ts';
import { benchmarkProblem, problemPicker, type Benchmark, type Family } from './benchmarks.ts';
import { DqnLearner } from './dqn.ts';
import { LoopEnv } from './env.ts';
import type { FeatureSet } from './features.ts';
import type { GflopsOracle } from './oracle.ts';
import { bestLegal, QPolicy } from './policy.ts';
import { ReplayBuffer, nStepTransitions, type EpisodeStep } from './replay.ts';
import { agentTune } from './rollout.ts';

export interface TrainConfig {
  seed: number;
  featureSet: FeatureSet;
  hidden: number[];
  steps: number;
  learningRate: number;
  gamma: number;
  nStep: number;
  batchSize: number;
  replayCapacity: number;
  /** Transitions collected before learning starts. */
  warmup: number;
  /** Gradient steps per environment step. */
  updatesPerStep: number;
  targetSync: number;
  epsilonStart: number;
  epsilonEnd: number;
  /** Environment steps over which epsilon decays linearly. */
  epsilonDecaySteps: number;
  /** Wall-time budget for the training loop, seconds. */
  budgetSec: number;
  /** Stop after this many episodes (default: no limit). */
  maxEpisodes: number;
  /** Validate every this many seconds (and at the end). */
  evalEverySec: number;
  /** Sampling weight of each family. */
  familyWeights: Partial<Record<Family, number>>;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  seed: 1,
  featureSet: 'extended',
  hidden: [256, 256],
  steps: 10,
  learningRate: 5e-4,
  gamma: 0.97,
  nStep: 3,
  batchSize: 64,
  replayCapacity: 50_000,
  warmup: 500,
  updatesPerStep: 1,
  targetSync: 500,
  epsilonStart: 1,
  epsilonEnd: 0.05,
  epsilonDecaySteps: 30_000,
  budgetSec: 40 * 60,
  maxEpisodes: Infinity,
  evalEverySec: 120,
  familyWeights: { matmul: 0.5, bmm: 0.25, conv: 0.25 },
};

export interface CurveRow {
  episode: number;
  env_steps: number;
  updates: number;
  wall_s: number;
  epsilon: number;
  /** Mean Huber loss since the previous row. */
  loss: number;
  /** Mean episode return since the previous row ((final - default) / peak, discounted). */
  train_return: number;
  /** Geomean over validation problems of (best GFLOPS of the greedy rollout / default GFLOPS). */
  val_speedup: number;
  /** Same, for the rollout's final schedule. */
  val_final_speedup: number;
  /** Kernels measured so far (cache misses). */
  measurements: number;
}

export const CURVE_COLUMNS: (keyof CurveRow)[] = [
  'episode',
  'env_steps',
  'updates',
  'wall_s',
  'epsilon',
  'loss',
  'train_return',
  'val_speedup',
  'val_final_speedup',
  'measurements',
];

export function curveCsv(rows: readonly CurveRow[]): string {
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Number.isFinite(x) ? x.toFixed(5) : '');
  return [CURVE_COLUMNS.join(','), ...rows.map((r) => CURVE_COLUMNS.map((c) => fmt(r[c])).join(','))].join('\n') + '\n';
}

export interface TrainDeps {
  /** Measurement oracle (normally cached). */
  oracle: GflopsOracle;
  peakGflops: number;
  train: Benchmark[];
  validation: Benchmark[];
  /** Counts measurements for the curve (e.g. the runtime oracle's `measured`). */
  measurements?: () => number;
  now?: () => number;
  /** Start from these weights (resume or fine-tune). */
  initial?: QPolicy;
  /** Continue a run from its checkpoint (counters, curve, time already spent). */
  resume?: ResumeState;
}

/** What a checkpoint keeps besides the weights (the replay buffer and Adam's moments restart). */
export interface ResumeState {
  episodes: number;
  envSteps: number;
  wallSec: number;
  curve: CurveRow[];
  bestValSpeedup: number;
  best?: QPolicy;
}

export interface TrainHooks {
  /** After every episode. */
  onEpisode?: (info: { episode: number; envSteps: number; epsilon: number; wallSec: number; ret: number }) => void;
  /** After every validation, with the curve so far; `improved` when this policy is the best yet. */
  onEval?: (row: CurveRow, policy: QPolicy, improved: boolean, curve: readonly CurveRow[], bestValSpeedup: number) => void | Promise<void>;
  /** Polled between episodes. */
  shouldStop?: () => boolean;
}

export interface TrainResult {
  best: QPolicy;
  bestValSpeedup: number;
  curve: CurveRow[];
  episodes: number;
  envSteps: number;
  updates: number;
  wallSec: number;
}

const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / Math.max(1, xs.length));

/** Geomean speedups of the greedy policy over the default on some problems (best, final). */
export async function validate(policy: QPolicy, benchmarks: Benchmark[], oracle: GflopsOracle): Promise<{ best: number; final: number }> {
  const best: number[] = [];
  const final: number[] = [];
  for (const b of benchmarks) {
    const r = await agentTune(policy, benchmarkProblem(b), oracle);
    const d = Math.max(r.defaultGflops, 1e-9);
    best.push(Math.max(r.gflops, 1e-9) / d);
    final.push(Math.max(r.steps.length ? r.steps[r.steps.length - 1].gflops : r.defaultGflops, 1e-9) / d);
  }
  return { best: geomean(best), final: geomean(final) };
}

export async function trainDqn(partial: Partial<TrainConfig>, deps: TrainDeps, hooks: TrainHooks = {}): Promise<TrainResult> {
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...partial };
  const now = deps.now ?? (() => performance.now());
  const start = now();
  const prior = deps.resume?.wallSec ?? 0;
  const wall = () => prior + (now() - start) / 1000;
  const random = seededRandom(config.seed * 9973 + 1);

  const online = deps.initial ?? QPolicy.create({ featureSet: config.featureSet, hidden: config.hidden, actions: [...AGENT_ACTIONS] }, config.seed, config.steps);
  const learner = new DqnLearner(online, { learningRate: config.learningRate, targetSync: config.targetSync });
  const replay = new ReplayBuffer(config.replayCapacity, online.inputSize, online.actions.length, config.seed);
  const env = new LoopEnv(deps.oracle, deps.peakGflops, { steps: config.steps, actions: online.actions });

  const pick = problemPicker(deps.train, config.familyWeights, random);

  let episodes = deps.resume?.episodes ?? 0;
  let envSteps = deps.resume?.envSteps ?? 0;
  let lossSum = 0;
  let lossCount = 0;
  let retSum = 0;
  let retCount = 0;
  let best = deps.resume?.best?.clone() ?? online.clone();
  let bestValSpeedup = deps.resume?.bestValSpeedup ?? -Infinity;
  const curve: CurveRow[] = [...(deps.resume?.curve ?? [])];
  let nextEval = wall() + config.evalEverySec;
  const epsilon = () => {
    const f = Math.min(1, envSteps / Math.max(1, config.epsilonDecaySteps));
    return config.epsilonStart + (config.epsilonEnd - config.epsilonStart) * f;
  };

  const evaluate = async () => {
    const v = await validate(online, deps.validation, deps.oracle);
    const row: CurveRow = {
      episode: episodes,
      env_steps: envSteps,
      updates: learner.updates,
      wall_s: wall(),
      epsilon: epsilon(),
      loss: lossCount ? lossSum / lossCount : NaN,
      train_return: retCount ? retSum / retCount : NaN,
      val_speedup: v.best,
      val_final_speedup: v.final,
      measurements: deps.measurements?.() ?? 0,
    };
    lossSum = lossCount = retSum = retCount = 0;
    curve.push(row);
    const improved = v.best > bestValSpeedup;
    if (improved) {
      bestValSpeedup = v.best;
      best.dispose();
      best = online.clone();
    }
    await hooks.onEval?.(row, online, improved, curve, bestValSpeedup);
  };

  while (wall() < config.budgetSec && episodes < config.maxEpisodes && !hooks.shouldStop?.()) {
    const problem = benchmarkProblem(pick());
    await env.reset(problem);
    let features = online.encode(problem, env.state, env.stepsLeft);
    const episode: EpisodeStep[] = [];
    let ret = 0;
    while (!env.done) {
      const mask = env.mask();
      let a: number;
      if (random() < epsilon()) {
        const legal = mask.flatMap((ok, i) => (ok ? [i] : []));
        a = legal[Math.floor(random() * legal.length)];
      } else {
        a = bestLegal(online.qBatch(features, 1), mask);
      }
      if (a < 0) break;
      const r = await env.step(a);
      const next = online.encode(problem, env.state, env.stepsLeft);
      episode.push({ features, action: a, reward: r.reward, next, nextMask: env.done ? mask.map(() => false) : env.mask() });
      ret += r.reward * config.gamma ** (episode.length - 1);
      features = next;
      envSteps++;
      if (replay.size >= config.warmup) {
        for (let u = 0; u < config.updatesPerStep; u++) {
          lossSum += learner.update(replay.sample(config.batchSize));
          lossCount++;
        }
      }
    }
    for (const t of nStepTransitions(episode, config.nStep, config.gamma)) replay.push(t);
    episodes++;
    retSum += ret;
    retCount++;
    hooks.onEpisode?.({ episode: episodes, envSteps, epsilon: epsilon(), wallSec: wall(), ret });
    if (wall() >= nextEval) {
      await evaluate();
      nextEval = wall() + config.evalEverySec;
    }
  }
  await evaluate();
  learner.dispose();
  return { best, bestValSpeedup, curve, episodes, envSteps, updates: learner.updates, wallSec: wall() };
}
