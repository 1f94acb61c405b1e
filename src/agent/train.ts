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
import { bestLegal, FeatureMlp } from './policy.ts';
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
  return `${[CURVE_COLUMNS.join(','), ...rows.map((r) => CURVE_COLUMNS.map((c) => fmt(r[c])).join(','))].join('\n')}\n`;
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
  initial?: FeatureMlp;
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
  best?: FeatureMlp;
}

export interface TrainHooks {
  /** After every episode. */
  onEpisode?: (info: { episode: number; envSteps: number; epsilon: number; wallSec: number; ret: number }) => void;
  /** After every validation, with the curve so far; `improved` when this policy is the best yet. */
  onEval?: (
    row: CurveRow,
    policy: FeatureMlp,
    improved: boolean,
    curve: readonly CurveRow[],
    bestValSpeedup: number,
  ) => void | Promise<void>;
  /** Polled between episodes. */
  shouldStop?: () => boolean;
}

export interface TrainResult {
  best: FeatureMlp;
  bestValSpeedup: number;
  curve: CurveRow[];
  episodes: number;
  envSteps: number;
  updates: number;
  wallSec: number;
}

const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / Math.max(1, xs.length));

/** Geomean speedups of the greedy policy over the default on some problems (best, final). */
export async function validate(
  policy: FeatureMlp,
  benchmarks: Benchmark[],
  oracle: GflopsOracle,
): Promise<{ best: number; final: number }> {
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

/**
 * The bookkeeping both trainers share: episode and step counters, the loss and the returns since
 * the last validation, the learning curve and the best policy so far, continued from a checkpoint.
 */
export class TrainingLog {
  episodes: number;
  envSteps: number;
  best: FeatureMlp;
  bestValSpeedup: number;
  readonly curve: CurveRow[];
  private lossSum = 0;
  private lossCount = 0;
  private retSum = 0;
  private retCount = 0;

  constructor(policy: FeatureMlp, resume?: ResumeState) {
    this.episodes = resume?.episodes ?? 0;
    this.envSteps = resume?.envSteps ?? 0;
    this.best = resume?.best?.clone() ?? policy.clone();
    this.bestValSpeedup = resume?.bestValSpeedup ?? -Infinity;
    this.curve = [...(resume?.curve ?? [])];
  }

  addLoss(loss: number): void {
    this.lossSum += loss;
    this.lossCount++;
  }

  endEpisode(ret: number): void {
    this.episodes++;
    this.retSum += ret;
    this.retCount++;
  }

  /** Validates `policy`, adds its row to the curve, keeps a copy when it is the best yet, and tells the hooks. */
  async validate(
    policy: FeatureMlp,
    deps: TrainDeps,
    hooks: TrainHooks,
    at: { updates: number; wallSec: number; epsilon: number },
  ): Promise<void> {
    const v = await validate(policy, deps.validation, deps.oracle);
    const finite = (x: number) => (Number.isFinite(x) ? x : NaN);
    const row: CurveRow = {
      episode: this.episodes,
      env_steps: this.envSteps,
      updates: at.updates,
      wall_s: at.wallSec,
      epsilon: at.epsilon,
      loss: this.lossCount ? this.lossSum / this.lossCount : NaN,
      train_return: this.retCount ? this.retSum / this.retCount : NaN,
      val_speedup: finite(v.best),
      val_final_speedup: finite(v.final),
      measurements: deps.measurements?.() ?? 0,
    };
    this.lossSum = this.lossCount = this.retSum = this.retCount = 0;
    this.curve.push(row);
    const improved = v.best > this.bestValSpeedup;
    if (improved) {
      this.bestValSpeedup = v.best;
      this.best.dispose();
      this.best = policy.clone();
    }
    await hooks.onEval?.(row, policy, improved, this.curve, this.bestValSpeedup);
  }
}

export async function trainDqn(
  partial: Partial<TrainConfig>,
  deps: TrainDeps,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...partial };
  const now = deps.now ?? (() => performance.now());
  const start = now();
  const prior = deps.resume?.wallSec ?? 0;
  const wall = () => prior + (now() - start) / 1000;
  const random = seededRandom(config.seed * 9973 + 1);

  const online =
    deps.initial ??
    FeatureMlp.create(
      { featureSet: config.featureSet, hidden: config.hidden, actions: [...AGENT_ACTIONS] },
      config.seed,
      config.steps,
    );
  const learner = new DqnLearner(online, { learningRate: config.learningRate, targetSync: config.targetSync });
  const replay = new ReplayBuffer(config.replayCapacity, online.inputSize, online.actions.length, config.seed);
  const env = new LoopEnv(deps.oracle, deps.peakGflops, { steps: config.steps, actions: online.actions });

  const pick = problemPicker(deps.train, config.familyWeights, random);

  const log = new TrainingLog(online, deps.resume);
  let nextEval = wall() + config.evalEverySec;
  const epsilon = () => {
    const f = Math.min(1, log.envSteps / Math.max(1, config.epsilonDecaySteps));
    return config.epsilonStart + (config.epsilonEnd - config.epsilonStart) * f;
  };
  const evaluate = () =>
    log.validate(online, deps, hooks, { updates: learner.updates, wallSec: wall(), epsilon: epsilon() });

  while (wall() < config.budgetSec && log.episodes < config.maxEpisodes && !hooks.shouldStop?.()) {
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
      episode.push({
        features,
        action: a,
        reward: r.reward,
        next,
        nextMask: env.done ? mask.map(() => false) : env.mask(),
      });
      ret += r.reward * config.gamma ** (episode.length - 1);
      features = next;
      log.envSteps++;
      if (replay.size >= config.warmup) {
        for (let u = 0; u < config.updatesPerStep; u++) log.addLoss(learner.update(replay.sample(config.batchSize)));
      }
    }
    for (const t of nStepTransitions(episode, config.nStep, config.gamma)) replay.push(t);
    log.endEpisode(ret);
    hooks.onEpisode?.({ episode: log.episodes, envSteps: log.envSteps, epsilon: epsilon(), wallSec: wall(), ret });
    if (wall() >= nextEval) {
      await evaluate();
      nextEval = wall() + config.evalEverySec;
    }
  }
  await evaluate();
  learner.dispose();
  return {
    best: log.best,
    bestValSpeedup: log.bestValSpeedup,
    curve: log.curve,
    episodes: log.episodes,
    envSteps: log.envSteps,
    updates: learner.updates,
    wallSec: wall(),
  };
}
