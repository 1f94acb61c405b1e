// PPO (clipped surrogate, GAE, masked softmax over the legal actions): how the shipped policy is
// trained (train.ts's DQN is the alternative it was compared with). The actor is a FeatureMlp whose outputs are logits (so the same
// rollout code, taking the most likely legal action, and file format serve both); the critic is a
// second network with one output. Same environment, problems, validation and curve as trainDqn.
// A resumed run keeps the actor, counters and curve; the critic and Adam's moments restart.
import * as tf from '@tensorflow/tfjs-core';
import { AGENT_ACTIONS, type Action } from '../core/actions.ts';
import { seededRandom } from '../core/random.ts';
import { benchmarkProblem, problemPicker, seededShuffle } from './benchmarks.ts';
import { LoopEnv } from './env.ts';
import { generalizedAdvantages } from './gae.ts';
import { maskedSoftmax, FeatureMlp } from './policy.ts';
import {
  DEFAULT_TRAIN_CONFIG,
  TrainingLog,
  type TrainConfig,
  type TrainDeps,
  type TrainHooks,
  type TrainResult,
} from './train.ts';

export interface PpoConfig extends TrainConfig {
  lambda: number;
  clip: number;
  epochs: number;
  minibatch: number;
  episodesPerUpdate: number;
  entropyCoef: number;
  valueCoef: number;
}

export const DEFAULT_PPO_CONFIG: PpoConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  gamma: 0.97,
  learningRate: 3e-4,
  lambda: 0.95,
  clip: 0.2,
  epochs: 4,
  minibatch: 64,
  episodesPerUpdate: 16,
  entropyCoef: 0.01,
  valueCoef: 0.5,
};

interface Sample {
  features: Float32Array;
  mask: boolean[];
  action: number;
  logp: number;
  advantage: number;
  ret: number;
}

export async function trainPpo(
  partial: Partial<PpoConfig>,
  deps: TrainDeps,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const config: PpoConfig = { ...DEFAULT_PPO_CONFIG, ...partial };
  const now = deps.now ?? (() => performance.now());
  const start = now();
  const prior = deps.resume?.wallSec ?? 0;
  const wall = () => prior + (now() - start) / 1000;
  const random = seededRandom(config.seed * 7907 + 3);
  const actor =
    deps.initial ??
    FeatureMlp.create(
      { featureSet: config.featureSet, hidden: config.hidden, actions: [...AGENT_ACTIONS], outputs: 'logits' },
      config.seed,
      config.steps,
    );
  // The critic sees what the actor sees (a fine-tuned actor may not have the config's features).
  const critic = FeatureMlp.create(
    { featureSet: actor.metadata.featureSet, hidden: actor.metadata.hidden, actions: ['up' as Action] },
    config.seed + 101,
    config.steps,
  );
  const optimizer: tf.Optimizer = tf.train.adam(config.learningRate);
  const env = new LoopEnv(deps.oracle, deps.peakGflops, { steps: config.steps, actions: actor.actions });
  const A = actor.actions.length;
  const D = actor.inputSize;

  const pick = problemPicker(deps.train, config.familyWeights, random);

  const log = new TrainingLog(actor, deps.resume);
  let updates = 0;
  let nextEval = wall() + config.evalEverySec;
  const evaluate = () => log.validate(actor, deps, hooks, { updates, wallSec: wall(), epsilon: NaN });

  /** Samples a legal action from the masked softmax of the logits. */
  const sample = (logits: Float32Array, mask: boolean[]): { action: number; logp: number } => {
    const p = maskedSoftmax(logits, mask);
    let u = random();
    let a = mask.lastIndexOf(true);
    for (let i = 0; i < A; i++) {
      if (!mask[i]) continue;
      u -= p[i];
      if (u < 0) {
        a = i;
        break;
      }
    }
    return { action: a, logp: Math.log(p[a]) };
  };

  while (wall() < config.budgetSec && log.episodes < config.maxEpisodes && !hooks.shouldStop?.()) {
    // Collect a batch of episodes with the current policy.
    const batch: Sample[] = [];
    for (
      let e = 0;
      e < config.episodesPerUpdate && log.episodes < config.maxEpisodes && !(e > 0 && hooks.shouldStop?.());
      e++
    ) {
      const problem = benchmarkProblem(pick());
      await env.reset(problem);
      const traj: Array<{
        features: Float32Array;
        mask: boolean[];
        action: number;
        logp: number;
        reward: number;
        value: number;
      }> = [];
      let ret = 0;
      while (!env.done) {
        const features = actor.encode(problem, env.state, env.stepsLeft);
        const mask = env.mask();
        const { action, logp } = sample(actor.qBatch(features, 1), mask);
        const value = critic.qBatch(features, 1)[0];
        const r = await env.step(action);
        traj.push({ features, mask, action, logp, reward: r.reward, value });
        ret += r.reward * config.gamma ** (traj.length - 1);
        log.envSteps++;
      }
      // An episode ends after its last step: nothing to bootstrap.
      const { advantages, returns } = generalizedAdvantages({
        rewards: traj.map((s) => s.reward),
        values: traj.map((s) => s.value),
        dones: traj.map((_, t) => t === traj.length - 1),
        lastValue: 0,
        gamma: config.gamma,
        lambda: config.lambda,
      });
      for (let t = traj.length - 1; t >= 0; t--) {
        batch.push({
          features: traj[t].features,
          mask: traj[t].mask,
          action: traj[t].action,
          logp: traj[t].logp,
          advantage: advantages[t],
          ret: returns[t],
        });
      }
      log.endEpisode(ret);
      hooks.onEpisode?.({ episode: log.episodes, envSteps: log.envSteps, epsilon: NaN, wallSec: wall(), ret });
    }
    // Normalize advantages, then a few epochs of minibatch updates.
    const mean = batch.reduce((s, x) => s + x.advantage, 0) / batch.length;
    const std = Math.sqrt(batch.reduce((s, x) => s + (x.advantage - mean) ** 2, 0) / batch.length) + 1e-8;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const order = seededShuffle(
        batch.map((_, i) => i),
        Math.floor(random() * 2 ** 31),
      );
      for (let s = 0; s < order.length; s += config.minibatch) {
        const idx = order.slice(s, s + config.minibatch);
        const n = idx.length;
        const x = new Float32Array(n * D);
        const m = new Float32Array(n * A);
        const acts = new Int32Array(n);
        const oldLogp = new Float32Array(n);
        const advs = new Float32Array(n);
        const rets = new Float32Array(n);
        idx.forEach((j, i) => {
          const b = batch[j];
          x.set(b.features, i * D);
          b.mask.forEach((ok, a) => {
            m[i * A + a] = ok ? 1 : 0;
          });
          acts[i] = b.action;
          oldLogp[i] = b.logp;
          advs[i] = (b.advantage - mean) / std;
          rets[i] = b.ret;
        });
        const loss = tf.tidy(() => {
          const xt = tf.tensor2d(x, [n, D]);
          const mt = tf.tensor2d(m, [n, A]);
          const taken = tf.oneHot(tf.tensor1d(acts, 'int32'), A);
          const advT = tf.tensor1d(advs);
          const oldT = tf.tensor1d(oldLogp);
          const retT = tf.tensor1d(rets);
          const vars = [...actor.variables(), ...critic.variables()];
          const { value, grads } = tf.variableGrads(() => {
            const logits = tf.add(actor.forwardTrain(xt), tf.mul(tf.sub(mt, 1), 1e9));
            const logp = tf.logSoftmax(logits);
            const logpA = tf.sum(tf.mul(logp, taken), 1);
            const ratio = tf.exp(tf.sub(logpA, oldT));
            const surr = tf.minimum(
              tf.mul(ratio, advT),
              tf.mul(tf.clipByValue(ratio, 1 - config.clip, 1 + config.clip), advT),
            );
            const entropy = tf.neg(tf.sum(tf.mul(tf.mul(tf.exp(logp), logp), mt), 1));
            const v = tf.reshape(critic.forwardTrain(xt), [n]);
            const valueLoss = tf.mean(tf.square(tf.sub(v, retT)));
            return tf.add(
              tf.sub(tf.neg(tf.mean(surr)), tf.mul(config.entropyCoef, tf.mean(entropy))),
              tf.mul(config.valueCoef, valueLoss),
            ) as tf.Scalar;
          }, vars);
          optimizer.applyGradients(grads);
          return value;
        });
        log.addLoss(loss.dataSync()[0]);
        loss.dispose();
        updates++;
      }
    }
    if (wall() >= nextEval) {
      await evaluate();
      nextEval = wall() + config.evalEverySec;
    }
  }
  await evaluate();
  critic.dispose();
  optimizer.dispose();
  return {
    best: log.best,
    bestValSpeedup: log.bestValSpeedup,
    curve: log.curve,
    episodes: log.episodes,
    envSteps: log.envSteps,
    updates,
    wallSec: wall(),
  };
}
