// npm run cost:generalization -- [--cache FILE] [--seed S] [--epochs N]
//
// Does the agent's cost model generalize from small problems to large ones, and what does each
// feature group buy? Reads the measurement cache (as train:cost does), calls a problem large when
// it does over 300 MFLOP (the small training ranges stop there: the large ones are matmuls to
// 2048, convolutions to 512 channels), holds out a seeded third of the large problems, and trains
// (seeded, --epochs each, the model of the best validation loss kept):
//   1. on the small problems only, every feature;
//   2. on the small problems and the other large ones, every feature;
//   3. as 2, without the features of version 3 (cache fit, analytic misses, register verdict, packs);
//   4. as 2, without the analytic misses only.
// For each it prints the held-out large problems' top-1 and top-3 ratio (geomean of the best
// measured GFLOPS among the model's first 1 or 3 choices over the best measured) and the same
// on the validation problems. A feature group is removed by zeroing its columns (constant
// columns carry nothing through the standardization).
import path from 'node:path';
import { measurementPrefix } from './agentCli.ts';
import { fmt, parseFlags, pathFlag, positiveInt, runScript } from './cli.ts';

const USAGE = 'usage: npm run cost:generalization -- [--cache FILE] [--seed S] [--epochs N]';
const LARGE_FLOPS = 3e8;

interface Args {
  cache: string;
  seed: number;
  epochs: number;
}

function parse(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    cache: { type: 'string' },
    seed: { type: 'string' },
    epochs: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  return {
    cache: pathFlag('cache', v.cache, 'node_modules/.cache/looplab-agent/measurements.json'),
    seed: positiveInt('seed', v.seed, 1, 0),
    epochs: positiveInt('epochs', v.epochs, 30),
  };
}

async function run(args: Args): Promise<number> {
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { JsonFileStore } = await import('../src/agent/cacheFile.ts');
  const { loadTfWasm } = await import('../src/runtime/xnnpack.ts');
  const { parseProblem } = await import('../src/core/problem.ts');
  const { seededShuffle } = await import('../src/agent/benchmarks.ts');
  const { costDatasetFromEntries, trainCostModel, topKRatio, FEATURE_GROUPS, COST_FEATURES } = await import(
    '../src/agent/costModel.ts'
  );
  type Dataset = ReturnType<typeof costDatasetFromEntries>;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const codegen = await loadCodegen();
  const target = detectTarget();
  await loadTfWasm();
  const store = new JsonFileStore(path.resolve(args.cache), { flushEvery: 1e9, createFolder: false });
  const data = costDatasetFromEntries(store.entriesWithPrefix(measurementPrefix(target)), codegen, target);
  const large = data.problems.map((key) => {
    const [op, sizes] = key.split('|');
    return parseProblem(op, sizes).flops > LARGE_FLOPS;
  });
  const largeIds = seededShuffle(
    data.problems.map((_, i) => i).filter((i) => large[i]),
    args.seed * 13 + 1,
  );
  const heldOut = new Set(largeIds.slice(0, Math.ceil(largeIds.length / 3)));
  log(
    `cost:generalization: ${data.rows} measurements of ${data.problems.length} problems, ${largeIds.length} large (> ${LARGE_FLOPS / 1e6} MFLOP), ${heldOut.size} of them held out; ${args.epochs} epochs each`,
  );

  const subset = (keep: (problem: number) => boolean, zero: ReadonlyArray<readonly [number, number]>): Dataset => {
    const rows: number[] = [];
    for (let r = 0; r < data.rows; r++) if (keep(data.problemOf[r])) rows.push(r);
    const x = new Float32Array(rows.length * COST_FEATURES);
    rows.forEach((r, i) => {
      const row = data.x.slice(r * COST_FEATURES, (r + 1) * COST_FEATURES);
      for (const [a, b] of zero) row.fill(0, a, b);
      x.set(row, i * COST_FEATURES);
    });
    return {
      ...data,
      x,
      y: Float32Array.from(rows, (r) => data.y[r]),
      logGflops: Float32Array.from(rows, (r) => data.logGflops[r]),
      problemOf: Int32Array.from(rows, (r) => data.problemOf[r]),
      rows: rows.length,
    };
  };
  const g = FEATURE_GROUPS;
  const runs: { name: string; keep: (p: number) => boolean; zero: ReadonlyArray<readonly [number, number]> }[] = [
    { name: 'small problems only, every feature', keep: (p) => !large[p], zero: [] },
    { name: 'small + large, every feature', keep: (p) => !heldOut.has(p), zero: [] },
    {
      name: 'small + large, without the v3 features',
      keep: (p) => !heldOut.has(p),
      zero: [g.cacheFit, g.misses, g.registers, g.packs],
    },
    { name: 'small + large, without the analytic misses', keep: (p) => !heldOut.has(p), zero: [g.misses] },
  ];
  for (const r of runs) {
    const t0 = performance.now();
    const train = subset(r.keep, r.zero);
    const test = subset((p) => heldOut.has(p), r.zero);
    const result = await trainCostModel(train, { seed: args.seed, epochs: args.epochs });
    const all = Int32Array.from({ length: test.rows }, (_, i) => i);
    const top1 = topKRatio(result.model, test, all, 1);
    const top3 = topKRatio(result.model, test, all, 3);
    const val = result.curve[result.bestEpoch - 1];
    log(
      `${r.name.padEnd(44)} held-out large: top-1 ${fmt(top1.ratio)}, top-3 ${fmt(top3.ratio)} (${top1.problems} problems); ` +
        `validation top-1 ${fmt(val.val_top1)}, top-3 ${fmt(val.val_top3)}; ${train.rows} rows, ${fmt((performance.now() - t0) / 1000, 0)} s`,
    );
    result.model.dispose();
  }
  return 0;
}

process.exitCode = await runScript('cost:generalization', USAGE, parse, run);
