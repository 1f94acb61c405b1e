// The cost model: features from a schedule and the generator's report, the data set read back
// from measurement-cache keys, a training step that reduces the loss on a fixed set, seeded
// reproducibility, and the file round trip.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectTarget, loadCodegen, type Codegen } from '../codegen/index.ts';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { loadTfWasm } from '../runtime/xnnpack.ts';
import {
  COST_FEATURES,
  CostModel,
  codegenReporter,
  costDatasetFromEntries,
  costFeatures,
  costTrainStep,
  featureStats,
  trainCostModel,
  workingSets,
  type CostDataset,
} from './costModel.ts';
import { measurementKey } from './oracle.ts';
import { allSpecs, tileSchedule } from './tileSpace.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const CONV = 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]';
const target = detectTarget();
let codegen: Codegen;
let data: CostDataset;

/** A made-up speed: accumulators near 8 and a long innermost loop are fast. */
function fakeGflops(accs: number, inner: number): number {
  return 5 + 30 * Math.exp(-((accs - 8) ** 2) / 16) + Math.log2(1 + inner);
}

beforeAll(async () => {
  await loadTfWasm();
  codegen = await loadCodegen();
  const entries: [string, number][] = [];
  for (const [op, sizes] of [
    [MATMUL, 'm=64, n=64, k=64'],
    [MATMUL, 'm=48, n=80, k=32'],
    [CONV, 'co=16, ci=8, oh=12, ow=12, kh=3, kw=3'],
  ]) {
    const p = parseProblem(op, sizes);
    for (const spec of allSpecs(p).slice(0, 40)) {
      const s = tileSchedule(p, spec)!;
      const report = codegen.generate(p, s, target).report;
      entries.push([
        measurementKey(p, s, 'simd'),
        fakeGflops(report.vectorAccumulators, s.loops[s.loops.length - 1].trip),
      ]);
    }
  }
  entries.push(
    ['not a key', 3],
    ['simd|C[m,n] += A[m,k] * B[k,n]|m=8,n=8,k=8|m n q', 4],
    ['simd|C[m,n] += A[m,k] * B[k,n]|m=8,n=8,k=8|m n k', 0],
  );
  data = costDatasetFromEntries(entries, codegen, target);
});

describe('cost features', () => {
  it('have COST_FEATURES finite values, the report included', () => {
    const p = parseProblem(MATMUL, 'm=256, n=256, k=256');
    const a = parseSchedule(p, 'm n k m:4 n:8');
    const b = parseSchedule(p, 'm n k m:1 n:8');
    const fa = costFeatures(p, a, codegen.generate(p, a, target).report);
    const fb = costFeatures(p, b, codegen.generate(p, b, target).report);
    expect(fa).toHaveLength(COST_FEATURES);
    expect(fa.every(Number.isFinite)).toBe(true);
    // Accumulators (8 against 2) are the report's first value.
    expect(fa[310]).toBe(8 / 16);
    expect(fb[310]).toBe(2 / 16);
    // ... and one-hot in buckets: 8 in 7-8, 2 in 2.
    expect(Array.from(fa.subarray(334, 344))).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(fb.subarray(334, 344))).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // The innermost loop n:8: 3 / 6, whole vectors.
    expect(fa[344]).toBe(3 / 6);
    expect(fa[345]).toBe(1);
  });

  it('give each loop its working set in bytes', () => {
    const p = parseProblem(MATMUL, 'm=256, n=256, k=256');
    // Inside k (with m:4 n:8 below): A 4x256, B 256x8, C 4x8 floats.
    expect(workingSets(p, parseSchedule(p, 'm n k m:4 n:8'))[2]).toBe(4 * (4 * 256 + 256 * 8 + 4 * 8));
    const conv = parseProblem(CONV, 'co=8, ci=4, oh=10, ow=10, kh=3, kw=3');
    // Inside kh over the tile ow:8: I covers 3 rows x 10 columns.
    expect(workingSets(conv, parseSchedule(conv, 'co oh ow ci kh kw ow:8'))[4]).toBe(4 * (8 + 3 * 10 + 3 * 3));
  });
});

describe('the cost data set', () => {
  it('reads measurement-cache keys back into rows and skips what it cannot use', () => {
    expect(data.rows).toBeGreaterThan(60);
    expect(data.skipped).toBe(3);
    expect(data.problems).toHaveLength(3);
    expect(data.x).toHaveLength(data.rows * COST_FEATURES);
  });
});

describe('training', () => {
  it('a training step reduces the loss on a fixed set', () => {
    const rows = Int32Array.from({ length: data.rows }, (_, i) => i);
    const stats = featureStats(data, rows);
    const model = CostModel.create(stats.mean, stats.std, [32, 16], 3);
    const optimizer = tf.train.adam(3e-3);
    const before = model.loss(data, rows);
    costTrainStep(model, optimizer, data, rows);
    expect(model.loss(data, rows)).toBeLessThan(before);
    for (let i = 0; i < 29; i++) costTrainStep(model, optimizer, data, rows);
    const after = model.loss(data, rows);
    expect(after).toBeLessThan(before * 0.5);
    optimizer.dispose();
  });

  it('is reproducible from the seed and keeps the best validation epoch', async () => {
    const a = await trainCostModel(data, { seed: 4, epochs: 4, hidden: [16], batchSize: 16, validationFraction: 0.34 });
    const b = await trainCostModel(data, { seed: 4, epochs: 4, hidden: [16], batchSize: 16, validationFraction: 0.34 });
    expect(b.curve).toEqual(a.curve);
    expect(a.curve).toHaveLength(4);
    expect(a.bestValLoss).toBe(Math.min(...a.curve.map((r) => r.val_loss)));
    expect(a.curve[3].train_loss).toBeLessThan(a.curve[0].train_loss);
  });

  it('survives the file round trip and ranks schedules by predicted GFLOPS', async () => {
    const { model } = await trainCostModel(data, { seed: 2, epochs: 3, hidden: [16], batchSize: 16 });
    const copy = await CostModel.fromFiles(await model.toFiles({ note: 'test' }));
    expect(copy.metadata.note).toBe('test');
    const p = parseProblem(MATMUL, 'm=64, n=64, k=64');
    const schedules = ['m n k m:4 n:8', 'm n k', 'k m n k:16 m:2 n:16'].map((t) => parseSchedule(p, t));
    const reporter = codegenReporter(codegen, target);
    const predicted = model.predictGflops(p, schedules, reporter);
    expect(copy.predictGflops(p, schedules, reporter)).toEqual(predicted);
    expect(predicted.every((g) => g > 0)).toBe(true);
  });

  it('refuses a model saved with other features', async () => {
    const rows = Int32Array.from({ length: 4 }, (_, i) => i);
    const stats = featureStats(data, rows);
    const files = await CostModel.create(stats.mean, stats.std, [4]).toFiles({ featureVersion: 0 });
    await expect(CostModel.fromFiles(files)).rejects.toThrow(/features version 0.*retrain it with npm run train:cost/);
  });
});

describe('the committed cost model', () => {
  it('loads with the features of this looplab and ranks a 2x16 tile above the untiled loops', async () => {
    const { loadCostModel } = await import('./costModelFiles.ts');
    const { fileURLToPath } = await import('node:url');
    const model = await loadCostModel(fileURLToPath(new URL('../../public/agent/cost-model/', import.meta.url)));
    expect(model.metadata.command).toMatch(/^npm run train:cost/);
    const p = parseProblem(MATMUL, 'm=256, n=256, k=256');
    const [tiled, untiled] = model.predictGflops(
      p,
      [parseSchedule(p, 'm n k m:2 n:16'), parseSchedule(p, 'm n k')],
      codegenReporter(codegen, target),
    );
    expect(tiled).toBeGreaterThan(2 * untiled);
  });
});
