// FeatureMlp: an MLP from the loop-nest features (features.ts) to one output per action (the
// DQN's Q-values, the PPO actor's logits; the PPO critic is one with a single output), in TensorFlow.js (tfjs-core + tfjs-layers; the caller picks the backend: the wasm backend in
// Node and in the page). It is a tfjs-layers Sequential model, so the page can load the shipped
// `model.json` + `weights.bin` with tf.loadLayersModel; the description of the features and
// actions it was trained with travels in the model's user-defined metadata.
//
// Training runs its own forward pass over the layers' variables (`forwardTrain`): in
// tfjs-backend-wasm 4.22 a matMul with a transposed operand, which the dense layers' gradients
// use, falls back to a scalar loop ~30x slower than XNNPACK, so the gradient here transposes
// explicitly and multiplies untransposed matrices (8 ms instead of 70 ms per Adam step of a
// 200-256-256-7 network on a batch of 64, measured on this machine).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AGENT_ACTIONS, type Action } from '../core/actions.ts';
import type { NestState, Problem } from '../core/types.ts';
import { encodeFeatures, featureSize, type FeatureSet } from './features.ts';
import { layersModelFiles, type ModelFiles } from './layersModelFiles.ts';

/** What the network's outputs are: Q-values (DQN) or the logits of a stochastic policy (PPO). */
export type PolicyOutputs = 'q-values' | 'logits';

export interface PolicyConfig {
  featureSet: FeatureSet;
  /** Hidden layer widths (ReLU). */
  hidden: number[];
  actions: Action[];
  /** Absent in files saved before PPO shipped: read from `algorithm` (see FeatureMlp.outputs). */
  outputs?: PolicyOutputs;
}

/** What the shipped model says about itself (model.json `userDefinedMetadata.looplab`). */
export interface PolicyMetadata extends PolicyConfig {
  /** Episode length it was trained for. */
  steps: number;
  [key: string]: unknown;
}

export const DEFAULT_POLICY_CONFIG: PolicyConfig = {
  featureSet: 'looptune',
  hidden: [256, 256],
  actions: [...AGENT_ACTIONS],
};

/** Untransposed-matmul dense layer with an explicit gradient (see the module comment). */
const denseOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy), tf.sum(dy, 0)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

export type { ModelFiles } from './layersModelFiles.ts';

export class FeatureMlp {
  private constructor(
    readonly model: tfl.LayersModel,
    readonly metadata: PolicyMetadata,
  ) {}

  get config(): PolicyConfig {
    return this.metadata;
  }
  get actions(): Action[] {
    return this.metadata.actions;
  }
  get inputSize(): number {
    return featureSize(this.metadata.featureSet);
  }
  get outputs(): PolicyOutputs {
    return this.metadata.outputs ?? (/^PPO/i.test(String(this.metadata.algorithm ?? '')) ? 'logits' : 'q-values');
  }

  /** A fresh network with seeded Glorot-uniform weights and zero biases. */
  static create(config: PolicyConfig = DEFAULT_POLICY_CONFIG, seed = 1, steps = 10): FeatureMlp {
    const layers: tfl.layers.Layer[] = [];
    const widths = [...config.hidden, config.actions.length];
    widths.forEach((units, i) => {
      layers.push(
        tfl.layers.dense({
          units,
          activation: i < widths.length - 1 ? 'relu' : 'linear',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 1000 + i }),
          biasInitializer: 'zeros',
          ...(i === 0 ? { inputShape: [featureSize(config.featureSet)] } : {}),
        }),
      );
    });
    const model = tfl.sequential({ layers });
    return new FeatureMlp(model, { ...config, actions: [...config.actions], hidden: [...config.hidden], steps });
  }

  /** The weight variables, in layer order (kernel, bias, kernel, bias, ...). */
  variables(): tf.Variable[] {
    return this.model.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /** Forward pass for training (differentiable w.r.t. `variables()`). */
  forwardTrain(x: tf.Tensor2D): tf.Tensor2D {
    const vars = this.variables();
    let h = x;
    for (let i = 0; i < vars.length; i += 2) {
      h = denseOp(h, vars[i] as tf.Tensor2D, vars[i + 1] as tf.Tensor1D);
      if (i + 2 < vars.length) h = tf.relu(h);
    }
    return h;
  }

  /** Q-values of a batch of feature rows (row-major, `inputSize` per row). */
  qBatch(features: Float32Array, rows: number): Float32Array {
    return tf.tidy(() => {
      const x = tf.tensor2d(features, [rows, this.inputSize]);
      return this.forwardTrain(x).dataSync() as Float32Array;
    });
  }

  /** The network's input for a state. */
  encode(problem: Problem, state: NestState, stepsLeft: number): Float32Array {
    return encodeFeatures(problem, state, this.metadata.featureSet, stepsLeft);
  }

  /** Q-values of every action in one state. */
  qValues(problem: Problem, state: NestState, stepsLeft: number): number[] {
    return Array.from(this.qBatch(this.encode(problem, state, stepsLeft), 1));
  }

  /** Copies another policy's weights into this one (e.g. the target network). */
  copyFrom(other: FeatureMlp): void {
    const src = other.variables();
    this.variables().forEach((v, i) => {
      v.assign(src[i]);
    });
  }

  /** A new policy with the same architecture and metadata and a copy of the weights. */
  clone(): FeatureMlp {
    const copy = FeatureMlp.create(this.metadata, 1, this.metadata.steps);
    Object.assign(copy.metadata, this.metadata);
    copy.copyFrom(this);
    return copy;
  }

  /** model.json + weights.bin, with `extra` added to the metadata. */
  async toFiles(extra: Record<string, unknown> = {}): Promise<ModelFiles> {
    const metadata: PolicyMetadata = { ...this.metadata, ...extra };
    return layersModelFiles(this.model, metadata);
  }

  /** Loads a policy saved by `toFiles` (model.json contents and weights.bin bytes). */
  static async fromFiles(files: ModelFiles): Promise<FeatureMlp> {
    const artifacts = await tf.io.getModelArtifactsForJSON(files.modelJson, async (manifest) => [
      manifest.flatMap((g) => g.weights),
      files.weights.slice(0),
    ]);
    const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    return FeatureMlp.fromModel(model);
  }

  /** Wraps a loaded layers model (e.g. from tf.loadLayersModel in the page). */
  static fromModel(model: tfl.LayersModel): FeatureMlp {
    const meta = (model.getUserDefinedMetadata() as { looplab?: PolicyMetadata } | undefined)?.looplab;
    if (!meta || !Array.isArray(meta.actions) || (meta.featureSet !== 'looptune' && meta.featureSet !== 'extended')) {
      throw new Error('the model has no looplab policy metadata (features and actions); it was not saved by looplab');
    }
    const policy = new FeatureMlp(model, meta);
    const inputs = model.inputs[0].shape[1];
    if (inputs !== policy.inputSize)
      throw new Error(`the model takes ${inputs} inputs, but ${meta.featureSet} features have ${policy.inputSize}`);
    return policy;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * The probability of every action under a policy's logits, softmax over the legal ones (illegal
 * actions get 0). All zeros when nothing is legal.
 */
export function maskedSoftmax(logits: ArrayLike<number>, mask: readonly boolean[]): number[] {
  let max = -Infinity;
  for (let i = 0; i < mask.length; i++) if (mask[i]) max = Math.max(max, logits[i]);
  const p = mask.map((ok, i) => (ok ? Math.exp(logits[i] - max) : 0));
  const z = p.reduce((a, b) => a + b, 0);
  return z > 0 ? p.map((x) => x / z) : p;
}

/** The legal action with the highest Q-value (index into `mask`), or -1 when none is legal. */
export function bestLegal(q: ArrayLike<number>, mask: readonly boolean[]): number {
  let best = -1;
  for (let i = 0; i < mask.length; i++) if (mask[i] && (best < 0 || q[i] > q[best])) best = i;
  return best;
}
