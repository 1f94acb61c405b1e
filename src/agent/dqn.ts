// The DQN learner: double Q-learning with a target network, a Huber loss and Adam.
//   target = return + discount * Q_target(next, argmax over legal a of Q_online(next, a))
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureMlp } from './policy.ts';
import type { Batch } from './replay.ts';

export interface LearnerOptions {
  learningRate?: number;
  /** Copy the online weights into the target network every this many updates (default 500). */
  targetSync?: number;
  /** Clip gradients to this global norm (default 10). */
  clipNorm?: number;
}

export class DqnLearner {
  readonly target: FeatureMlp;
  private optimizer: tf.Optimizer;
  private targetSync: number;
  private clipNorm: number;
  updates = 0;

  constructor(
    readonly online: FeatureMlp,
    options: LearnerOptions = {},
  ) {
    this.target = online.clone();
    this.optimizer = tf.train.adam(options.learningRate ?? 5e-4);
    this.targetSync = options.targetSync ?? 500;
    this.clipNorm = options.clipNorm ?? 10;
  }

  /** One gradient step on a batch; returns the loss. */
  update(batch: Batch): number {
    const A = this.online.actions.length;
    const D = this.online.inputSize;
    const loss = tf.tidy(() => {
      const next = tf.tensor2d(batch.next, [batch.size, D]);
      const mask = tf.tensor2d(batch.nextMask, [batch.size, A]);
      // Double Q: the online network picks the next action among the legal ones, the target
      // network values it.
      const qNextOnline = this.online.forwardTrain(next);
      const masked = tf.add(qNextOnline, tf.mul(tf.sub(mask, 1), 1e9));
      const chosen = tf.oneHot(tf.argMax(masked, 1), A);
      const qNextTarget = tf.sum(tf.mul(this.target.forwardTrain(next), chosen), 1);
      const y = tf.add(tf.tensor1d(batch.returns), tf.mul(tf.tensor1d(batch.discounts), qNextTarget));
      const x = tf.tensor2d(batch.features, [batch.size, D]);
      const taken = tf.oneHot(tf.tensor1d(batch.actions, 'int32'), A);
      const vars = this.online.variables();
      const { value, grads } = tf.variableGrads(() => {
        const q = tf.sum(tf.mul(this.online.forwardTrain(x), taken), 1);
        return tf.losses.huberLoss(y, q) as tf.Scalar;
      }, vars);
      const list = vars.map((v) => grads[v.name]);
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(1, tf.div(this.clipNorm, tf.add(norm, 1e-6)));
      const named: tf.NamedTensorMap = {};
      vars.forEach((v, i) => {
        named[v.name] = tf.mul(list[i], scale);
      });
      this.optimizer.applyGradients(named);
      return value;
    });
    const v = loss.dataSync()[0];
    loss.dispose();
    this.updates++;
    if (this.updates % this.targetSync === 0) this.target.copyFrom(this.online);
    return v;
  }

  dispose(): void {
    this.target.dispose();
    this.optimizer.dispose();
  }
}
