// The agent's learned cost model: schedule features plus the generator's report -> predicted
// GFLOPS, an MLP in tfjs trained on the measurement cache (as Ansor and MetaSchedule train
// XGBoost on their measurement records), so that the search ranks candidates without timing them.
//
// Features (`costFeatures`, COST_FEATURES values, version COST_FEATURE_VERSION):
//   0..299    the loop rows of features.ts' `extended` set (no cursor);
//   300..309  per loop, log2 of the bytes the three tensors touch inside it (its working set) / 24;
//   310..320  the report: f32x4 and scalar accumulators / 16, log2(1 + multiply-adds per tile
//             pass) / 8, innermost unroll / 16, tail paths / 8, log2(1 + instructions) / 14,
//             log2(module bytes) / 16, relaxed FMA, horizontal sum, loops the accumulators are
//             held across / 10, tile loops / 10;
//   321..329  access kind (vector, gather, splat) of the output and both inputs, one-hot;
//   330..333  the problem: log2(flops) / 32, log2(bytes) / 24 of each tensor;
//   334..343  the tile's f32x4 accumulators, one-hot in buckets 1, 2, 3, 4, 5-6, 7-8, 9-12, 13-16,
//             17-24, more (the speed is not monotonic in them: too few leave the multiply-add
//             latency exposed, too many spill);
//   344..346  the innermost loop's trip (log2 / 6) and whether it is a multiple of 4 (whole
//             vectors), the number of loops with a tail / 10;
// What does not change with the size range or the machine (reuseModel.ts; version 3):
//   347..376  per loop and cache level (L1, L2, L3), whether its working set fits the level;
//   377..388  per level, the analytic misses per multiply-add of each tensor and their sum,
//             log2(x + 2^-20) / 20;
//   389..390  the register model's verdict: registers the tile needs / the budget, and whether it
//             spills (needs more than the budget);
//   391..394  per input (in order), whether it is packed and log2(1 + copied elements per
//             multiply-add x 1024) / 10;
//   395       whether a loop runs on threads.
// Inputs are standardized with the training set's mean and deviation (kept in the model's
// metadata). The model predicts ln(GFLOPS / the best GFLOPS of the problem), the target TVM's
// cost model uses (throughput normalized per task): only the order within a problem matters to
// the search, and the level of a problem (its size, the machine's load at the time) is noise to
// it. Targets are floored at ln(1/16): how bad a schedule at 2% of the best is does not matter.
// `predictGflops` returns exp of the prediction, the predicted fraction of the best schedule.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Codegen, KernelReport, Target } from '../codegen/index.ts';
import { MAX_LOOPS } from '../core/limits.ts';
import { parseProblem } from '../core/problem.ts';
import { seededRandom } from '../core/random.ts';
import { loopExtents, loopSteps, parseSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { seededShuffle } from './benchmarks.ts';
import { EXTENDED_COLUMNS, encodeFeatures } from './features.ts';
import { layersModelFiles } from './layersModelFiles.ts';
import { CACHE_LEVELS, reuseEstimate, tensorFootprints } from './reuseModel.ts';

export const COST_FEATURE_VERSION = 3;
/** Targets below ln(1/16) are raised to it. */
export const TARGET_FLOOR = Math.log(1 / 16);
export const COST_FEATURES = 396;
/** Column ranges of the feature groups (for ablations: a group zeroed is a group the model cannot use). */
export const FEATURE_GROUPS = {
  loops: [0, 300],
  workingSets: [300, 310],
  report: [310, 347],
  cacheFit: [347, 377],
  misses: [377, 389],
  registers: [389, 391],
  packs: [391, 396],
} as const satisfies Record<string, readonly [number, number]>;
const ACCUMULATOR_BUCKETS = [1, 2, 3, 4, 6, 8, 12, 16, 24];
const ACCESS_KINDS = ['vector', 'gather', 'splat'] as const;

/** The generator's report of a schedule, or null when it refuses the schedule. */
export type Reporter = (problem: Problem, schedule: Schedule) => KernelReport | null;

export function codegenReporter(codegen: Codegen, target: Target): Reporter {
  return (problem, schedule) => {
    try {
      return codegen.generate(problem, schedule, target).report;
    } catch {
      return null;
    }
  };
}

/** Bytes the three tensors touch inside loop i (all loops from i inward), per loop. */
export function workingSets(problem: Problem, schedule: Schedule): number[] {
  return tensorFootprints(problem, schedule).map((bytes) => bytes.reduce((a, b) => a + b, 0));
}

export function costFeatures(problem: Problem, schedule: Schedule, report: KernelReport): Float32Array {
  const out = new Float32Array(COST_FEATURES);
  const rows = MAX_LOOPS * EXTENDED_COLUMNS;
  out.set(encodeFeatures(problem, { schedule, cursor: -1 }, 'extended', 0).subarray(0, rows));
  let o = rows;
  workingSets(problem, schedule).forEach((bytes, i) => {
    if (i < MAX_LOOPS) out[o + i] = Math.log2(bytes) / 24;
  });
  o += MAX_LOOPS;
  const r = report;
  const values = [
    r.vectorAccumulators / 16,
    r.scalarAccumulators / 16,
    Math.log2(1 + r.unrolledMultiplyAdds) / 8,
    (r.innermostUnroll ?? 0) / 16,
    r.tailPaths / 8,
    Math.log2(1 + r.instructions) / 14,
    Math.log2(1 + r.bytes) / 16,
    r.relaxedFma ? 1 : 0,
    r.horizontalSum ? 1 : 0,
    r.heldAcross.length / 10,
    r.tileLoops.length / 10,
  ];
  out.set(values, o);
  o += values.length;
  for (const t of [problem.output, ...problem.inputs]) {
    const kind = r.access[t.name];
    ACCESS_KINDS.forEach((k, j) => {
      out[o + j] = kind === k ? 1 : 0;
    });
    o += ACCESS_KINDS.length;
  }
  out[o++] = Math.log2(problem.flops) / 32;
  for (const t of [problem.output, ...problem.inputs]) out[o++] = Math.log2(4 * t.elements) / 24;
  const accs = r.vectorAccumulators;
  const bucket = ACCUMULATOR_BUCKETS.findIndex((b) => accs <= b);
  out[o + (bucket < 0 ? ACCUMULATOR_BUCKETS.length : bucket)] = 1;
  o += ACCUMULATOR_BUCKETS.length + 1;
  const innermost = schedule.loops[schedule.loops.length - 1];
  out[o++] = Math.log2(innermost.trip) / 6;
  out[o++] = innermost.trip % 4 === 0 ? 1 : 0;
  out[o++] = schedule.loops.filter((l) => l.tail > 0).length / 10;
  o = FEATURE_GROUPS.cacheFit[0];
  const sets = workingSets(problem, schedule);
  for (const level of CACHE_LEVELS) {
    sets.forEach((bytes, i) => {
      if (i < MAX_LOOPS) out[o + i] = bytes <= level.bytes ? 1 : 0;
    });
    o += MAX_LOOPS;
  }
  const reuse = reuseEstimate(problem, schedule);
  const logMisses = (x: number) => Math.log2(x + 2 ** -20) / 20;
  for (const perTensor of reuse.missesPerFma) {
    for (const m of perTensor) out[o++] = logMisses(m);
    out[o++] = logMisses(perTensor.reduce((a, b) => a + b, 0));
  }
  out[o++] = r.registerBudget > 0 ? r.registers / r.registerBudget : 0;
  out[o++] = r.registers > r.registerBudget ? 1 : 0;
  const fmas = problem.flops / 2;
  const steps = loopSteps(problem, schedule);
  const extents = loopExtents(problem, schedule);
  for (const t of problem.inputs) {
    const pack = r.packs.find((p) => p.tensor === t.name);
    out[o++] = pack ? 1 : 0;
    let copies = 0;
    if (pack) {
      copies = pack.elements;
      for (let j = 0; j <= pack.loop; j++) copies *= extents[j] / steps[j];
    }
    out[o++] = Math.log2(1 + (copies / fmas) * 1024) / 10;
  }
  out[o++] = schedule.loops.some((l) => l.parallel) ? 1 : 0;
  return out;
}

/** Measurements as training rows: features, ln GFLOPS, and which problem each row is of. */
export interface CostDataset {
  x: Float32Array;
  /** The target: ln(GFLOPS / the problem's best measured GFLOPS), floored at TARGET_FLOOR. */
  y: Float32Array;
  /** ln GFLOPS as measured. */
  logGflops: Float32Array;
  /** Index into `problems` per row. */
  problemOf: Int32Array;
  problems: string[];
  rows: number;
  /** Cache entries that could not be used (unparseable, refused by the generator, or 0 GFLOPS). */
  skipped: number;
}

/** Splits a measurement-cache key (oracle.ts measurementKey) into problem and schedule text. */
export function parseMeasurementKey(
  key: string,
): { prefix: string; op: string; sizes: string; schedule: string } | null {
  const parts = key.split('|');
  if (parts.length !== 4) return null;
  const [prefix, op, sizes, schedule] = parts;
  return { prefix, op, sizes, schedule };
}

/** Builds the data set from measurement-cache entries (key, GFLOPS) of one target. */
export function costDatasetFromEntries(
  entries: Iterable<[string, number]>,
  codegen: Codegen,
  target: Target,
): CostDataset {
  const reporter = codegenReporter(codegen, target);
  const parsed = new Map<string, Problem>();
  const problems = new Map<string, number>();
  const xs: Float32Array[] = [];
  const ys: number[] = [];
  const of: number[] = [];
  let skipped = 0;
  for (const [key, gflops] of entries) {
    const k = parseMeasurementKey(key);
    if (!k || !(gflops > 0)) {
      skipped++;
      continue;
    }
    const pkey = `${k.op}|${k.sizes}`;
    try {
      let problem = parsed.get(pkey);
      if (!problem) {
        problem = parseProblem(k.op, k.sizes);
        parsed.set(pkey, problem);
      }
      const schedule = parseSchedule(problem, k.schedule);
      const report = reporter(problem, schedule);
      if (!report) throw new Error('refused');
      xs.push(costFeatures(problem, schedule, report));
      ys.push(Math.log(gflops));
      if (!problems.has(pkey)) problems.set(pkey, problems.size);
      of.push(problems.get(pkey) as number);
    } catch {
      skipped++;
    }
  }
  const x = new Float32Array(xs.length * COST_FEATURES);
  xs.forEach((row, i) => {
    x.set(row, i * COST_FEATURES);
  });
  const best = new Map<number, number>();
  of.forEach((p, i) => {
    best.set(p, Math.max(best.get(p) ?? -Infinity, ys[i]));
  });
  const y = Float32Array.from(ys, (v, i) => Math.max(TARGET_FLOOR, v - (best.get(of[i]) as number)));
  return {
    x,
    y,
    logGflops: Float32Array.from(ys),
    problemOf: Int32Array.from(of),
    problems: [...problems.keys()],
    rows: xs.length,
    skipped,
  };
}

export interface CostModelMetadata {
  kind: 'cost-model';
  featureVersion: number;
  hidden: number[];
  mean: number[];
  std: number[];
  [key: string]: unknown;
}

export class CostModel {
  private constructor(
    readonly model: tfl.LayersModel,
    readonly metadata: CostModelMetadata,
  ) {}

  /** A fresh network (seeded Glorot-uniform weights) with the given input standardization. */
  static create(mean: ArrayLike<number>, std: ArrayLike<number>, hidden: number[] = [128, 64], seed = 1): CostModel {
    const widths = [...hidden, 1];
    const model = tfl.sequential({
      layers: widths.map((units, i) =>
        tfl.layers.dense({
          units,
          activation: i < widths.length - 1 ? 'relu' : 'linear',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 1000 + i }),
          biasInitializer: 'zeros',
          ...(i === 0 ? { inputShape: [COST_FEATURES] } : {}),
        }),
      ),
    });
    return new CostModel(model, {
      kind: 'cost-model',
      featureVersion: COST_FEATURE_VERSION,
      hidden: [...hidden],
      mean: Array.from(mean),
      std: Array.from(std),
    });
  }

  private standardize(x: Float32Array, rows: number): tf.Tensor2D {
    const { mean, std } = this.metadata;
    const z = new Float32Array(x.length);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < COST_FEATURES; c++) z[r * COST_FEATURES + c] = (x[r * COST_FEATURES + c] - mean[c]) / std[c];
    return tf.tensor2d(z, [rows, COST_FEATURES]);
  }

  /** Predicted ln(fraction of the best) of feature rows. */
  predictLog(x: Float32Array, rows: number): Float32Array {
    if (rows === 0) return new Float32Array(0);
    return tf.tidy(() => (this.model.apply(this.standardize(x, rows)) as tf.Tensor).dataSync() as Float32Array).slice();
  }

  /** Mean squared error of the target over a data set's rows (all rows when `rows` is not given). */
  loss(data: CostDataset, rows?: Int32Array): number {
    const idx = rows ?? Int32Array.from({ length: data.rows }, (_, i) => i);
    const { x, y } = gather(data, idx);
    const p = this.predictLog(x, idx.length);
    let s = 0;
    for (let i = 0; i < idx.length; i++) s += (p[i] - y[i]) ** 2;
    return s / Math.max(1, idx.length);
  }

  /** Predicted fraction of the best schedule's GFLOPS, per schedule of one problem (0 for those the generator refuses). */
  predictGflops(problem: Problem, schedules: readonly Schedule[], reporter: Reporter): number[] {
    const rows: Float32Array[] = [];
    const at: number[] = [];
    schedules.forEach((s, i) => {
      const report = reporter(problem, s);
      if (!report) return;
      rows.push(costFeatures(problem, s, report));
      at.push(i);
    });
    const x = new Float32Array(rows.length * COST_FEATURES);
    rows.forEach((r, i) => {
      x.set(r, i * COST_FEATURES);
    });
    const p = this.predictLog(x, rows.length);
    const out = schedules.map(() => 0);
    at.forEach((i, j) => {
      out[i] = Math.exp(p[j]);
    });
    return out;
  }

  weights(): tf.Tensor[] {
    return this.model.getWeights().map((w) => w.clone());
  }

  setWeights(weights: tf.Tensor[]): void {
    this.model.setWeights(weights);
  }

  /** model.json + weights.bin (tfjs layers format), with `extra` added to the metadata. */
  async toFiles(extra: Record<string, unknown> = {}): Promise<{ modelJson: tf.io.ModelJSON; weights: ArrayBuffer }> {
    const metadata = { ...this.metadata, ...extra };
    return layersModelFiles(this.model, metadata);
  }

  static async fromFiles(files: { modelJson: tf.io.ModelJSON; weights: ArrayBuffer }): Promise<CostModel> {
    const artifacts = await tf.io.getModelArtifactsForJSON(files.modelJson, async (manifest) => [
      manifest.flatMap((g) => g.weights),
      files.weights.slice(0),
    ]);
    const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    const meta = (model.getUserDefinedMetadata() as { looplab?: CostModelMetadata } | undefined)?.looplab;
    if (meta?.kind !== 'cost-model')
      throw new Error('the model has no looplab cost-model metadata; it was not saved by CostModel');
    if (meta.featureVersion !== COST_FEATURE_VERSION) {
      throw new Error(
        `the cost model was trained on features version ${meta.featureVersion}, this looplab computes version ${COST_FEATURE_VERSION}; retrain it with npm run train:cost`,
      );
    }
    return new CostModel(model, meta);
  }

  dispose(): void {
    this.model.dispose();
  }
}

function gather(data: CostDataset, idx: ArrayLike<number>): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(idx.length * COST_FEATURES);
  const y = new Float32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    x.set(data.x.subarray(idx[i] * COST_FEATURES, (idx[i] + 1) * COST_FEATURES), i * COST_FEATURES);
    y[i] = data.y[idx[i]];
  }
  return { x, y };
}

/** Per-feature mean and deviation of rows (a deviation of 0 becomes 1). */
export function featureStats(data: CostDataset, rows: ArrayLike<number>): { mean: Float32Array; std: Float32Array } {
  const mean = new Float32Array(COST_FEATURES);
  const std = new Float32Array(COST_FEATURES);
  for (let i = 0; i < rows.length; i++)
    for (let c = 0; c < COST_FEATURES; c++) mean[c] += data.x[rows[i] * COST_FEATURES + c];
  for (let c = 0; c < COST_FEATURES; c++) mean[c] /= Math.max(1, rows.length);
  for (let i = 0; i < rows.length; i++)
    for (let c = 0; c < COST_FEATURES; c++) std[c] += (data.x[rows[i] * COST_FEATURES + c] - mean[c]) ** 2;
  for (let c = 0; c < COST_FEATURES; c++) {
    const s = Math.sqrt(std[c] / Math.max(1, rows.length));
    std[c] = s > 1e-6 ? s : 1;
  }
  return { mean, std };
}

export interface CostTrainConfig {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  hidden: number[];
  /** Fraction of the problems held out for validation. */
  validationFraction: number;
}

export const DEFAULT_COST_TRAIN_CONFIG: CostTrainConfig = {
  seed: 1,
  epochs: 60,
  batchSize: 128,
  learningRate: 1e-3,
  hidden: [128, 64],
  validationFraction: 0.1,
};

export interface CostCurveRow {
  epoch: number;
  train_loss: number;
  val_loss: number;
  /** Geomean over validation problems of (measured GFLOPS of the top-ranked schedule) / (best measured). */
  val_top1: number;
  /** The same with the best of the 3 top-ranked. */
  val_top3: number;
  val_problems: number;
}

export const COST_CURVE_COLUMNS: (keyof CostCurveRow)[] = [
  'epoch',
  'train_loss',
  'val_loss',
  'val_top1',
  'val_top3',
  'val_problems',
];

export function costCurveCsv(rows: CostCurveRow[]): string {
  return `${[
    COST_CURVE_COLUMNS.join(','),
    ...rows.map((r) => COST_CURVE_COLUMNS.map((c) => String(r[c])).join(',')),
  ].join('\n')}\n`;
}

/** One Adam step on a batch of rows; returns the batch's loss before the step. */
export function costTrainStep(
  model: CostModel,
  optimizer: tf.Optimizer,
  data: CostDataset,
  rows: ArrayLike<number>,
): number {
  const { x, y } = gather(data, rows);
  return tf.tidy(() => {
    const { mean, std } = model.metadata;
    const z = new Float32Array(x.length);
    for (let r = 0; r < rows.length; r++)
      for (let c = 0; c < COST_FEATURES; c++) z[r * COST_FEATURES + c] = (x[r * COST_FEATURES + c] - mean[c]) / std[c];
    const xt = tf.tensor2d(z, [rows.length, COST_FEATURES]);
    const yt = tf.tensor2d(y, [rows.length, 1]);
    const loss = optimizer.minimize(
      () => tf.losses.meanSquaredError(yt, model.model.apply(xt, { training: true }) as tf.Tensor2D) as tf.Scalar,
      true,
    );
    return (loss as tf.Scalar).dataSync()[0];
  });
}

/**
 * Geomean over problems with >= 3 rows of (best measured GFLOPS among the model's `k` first
 * choices) / (best measured): k = 1 is the model's pick, k > 1 what a search measuring k gets.
 */
export function topKRatio(
  model: CostModel,
  data: CostDataset,
  rows: Int32Array,
  k = 1,
): { ratio: number; problems: number } {
  const byProblem = new Map<number, number[]>();
  for (const r of rows) byProblem.set(data.problemOf[r], [...(byProblem.get(data.problemOf[r]) ?? []), r]);
  const { x } = gather(data, rows);
  const p = model.predictLog(x, rows.length);
  const pred = new Map<number, number>();
  rows.forEach((r, i) => {
    pred.set(r, p[i]);
  });
  let logSum = 0;
  let n = 0;
  for (const members of byProblem.values()) {
    if (members.length < 3) continue;
    const chosen = [...members].sort((a, b) => (pred.get(b) as number) - (pred.get(a) as number)).slice(0, k);
    const got = Math.max(...chosen.map((r) => data.logGflops[r]));
    const best = Math.max(...members.map((r) => data.logGflops[r]));
    logSum += got - best;
    n++;
  }
  return { ratio: n ? Math.exp(logSum / n) : 1, problems: n };
}

/** The seeded split of a data set's rows by problem (validation problems are never trained on); problems with fewer than 3 rows are left out. */
export function splitByProblem(
  data: CostDataset,
  fraction: number,
  seed: number,
): { train: Int32Array; validation: Int32Array } {
  const order = seededShuffle(
    data.problems.map((_, i) => i),
    seed * 31 + 5,
  );
  const held = new Set(order.slice(0, Math.round(order.length * fraction)));
  const count = new Map<number, number>();
  for (const p of data.problemOf) count.set(p, (count.get(p) ?? 0) + 1);
  const train: number[] = [];
  const validation: number[] = [];
  for (let r = 0; r < data.rows; r++) {
    // A problem measured once or twice says little about the order within it.
    if ((count.get(data.problemOf[r]) as number) < 3) continue;
    (held.has(data.problemOf[r]) ? validation : train).push(r);
  }
  return { train: Int32Array.from(train), validation: Int32Array.from(validation) };
}

/** Trains a cost model on a data set (seeded), keeping the weights of the best validation loss. */
export async function trainCostModel(
  data: CostDataset,
  options: Partial<CostTrainConfig> & { onEpoch?: (row: CostCurveRow) => void | Promise<void> } = {},
): Promise<{ model: CostModel; curve: CostCurveRow[]; bestEpoch: number; bestValLoss: number }> {
  const config = { ...DEFAULT_COST_TRAIN_CONFIG, ...options };
  const { train, validation } = splitByProblem(data, config.validationFraction, config.seed);
  const stats = featureStats(data, train);
  const model = CostModel.create(stats.mean, stats.std, config.hidden, config.seed);
  const optimizer = tf.train.adam(config.learningRate);
  const random = seededRandom(config.seed * 101 + 7);
  const curve: CostCurveRow[] = [];
  let best = { epoch: 0, loss: Infinity, weights: model.weights() };
  const order = Array.from(train);
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let sum = 0;
    let batches = 0;
    for (let b = 0; b < order.length; b += config.batchSize) {
      sum += costTrainStep(model, optimizer, data, order.slice(b, b + config.batchSize));
      batches++;
    }
    const valLoss = validation.length ? model.loss(data, validation) : sum / Math.max(1, batches);
    const top = topKRatio(model, data, validation, 1);
    const top3 = topKRatio(model, data, validation, 3);
    const row = {
      epoch,
      train_loss: sum / Math.max(1, batches),
      val_loss: valLoss,
      val_top1: top.ratio,
      val_top3: top3.ratio,
      val_problems: top.problems,
    };
    curve.push(row);
    await options.onEpoch?.(row);
    if (valLoss < best.loss) {
      best.weights.forEach((w) => {
        w.dispose();
      });
      best = { epoch, loss: valLoss, weights: model.weights() };
    }
  }
  model.setWeights(best.weights);
  best.weights.forEach((w) => {
    w.dispose();
  });
  optimizer.dispose();
  return { model, curve, bestEpoch: best.epoch, bestValLoss: best.loss };
}
