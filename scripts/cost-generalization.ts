// npm run cost:generalization -- [--cache FILE] [--seeds 1,2,3] [--epochs N] [--quick]
//
// Does the agent's cost model generalize from small problems to large ones, and what does each
// feature group buy? Reads the measurement cache (as train:cost does). A problem is small up to 300 MFLOP (the small training ranges stop
// there: a 512^3 matmul), large above 2 GFLOP (about a 1000^3 matmul: the large ranges' 1024-2048
// sides, convolutions of 256-512 channels); per seed, a seeded third of the large problems is
// held out. For each seed it trains (seeded, --epochs each, the model of the best validation
// loss kept) on the small problems only and on every problem but the held-out ones, with each
// feature set of ABLATIONS (a group is removed by zeroing its columns: a constant column
// carries nothing through the standardization), and prints per run the held-out problems'
// top-1 and top-3 ratio (geomean of the best measured GFLOPS among the model's first 1 or 3
// choices over the best measured) and the validation problems' top-1, then per run the mean
// and the range over the seeds. --quick: only every feature and loop values only.
import path from 'node:path';
import { measurementPrefix } from './agentCli.ts';
import { fmt, parseFlags, pathFlag, positiveInt, runScript, table, UsageError } from './cli.ts';

const USAGE = 'usage: npm run cost:generalization -- [--cache FILE] [--seeds 1,2,3] [--epochs N] [--quick]';
const SMALL_FLOPS = 3e8;
const LARGE_FLOPS = 2e9;

type Group = 'loops' | 'workingSets' | 'report' | 'cacheFit' | 'misses' | 'registers' | 'packs';
const ALL_GROUPS: Group[] = ['loops', 'workingSets', 'report', 'cacheFit', 'misses', 'registers', 'packs'];

/** Feature sets: the groups each one zeroes. */
const ABLATIONS: { name: string; zero: Group[] }[] = [
  { name: 'every feature', zero: [] },
  { name: 'without the analytic misses', zero: ['misses'] },
  { name: 'without cache fit and misses', zero: ['cacheFit', 'misses'] },
  { name: 'without the version-3 features', zero: ['cacheFit', 'misses', 'registers', 'packs'] },
  { name: 'loop values only', zero: ALL_GROUPS.filter((g) => g !== 'loops') },
];

interface Args {
  cache: string;
  seeds: number[];
  epochs: number;
  quick: boolean;
}

function parse(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    cache: { type: 'string' },
    seeds: { type: 'string' },
    epochs: { type: 'string' },
    quick: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  const seeds = (v.seeds ?? '1,2,3').split(',').map((s) => positiveInt('seeds', s, 1, 0, 1e6));
  if (seeds.length === 0) throw new UsageError('--seeds takes a comma-separated list of seeds, e.g. 1,2,3');
  return {
    cache: pathFlag('cache', v.cache, 'node_modules/.cache/looplab-agent/measurements.json'),
    seeds,
    epochs: positiveInt('epochs', v.epochs, 20),
    quick: v.quick ?? false,
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
  const flops = data.problems.map((key) => {
    const [op, sizes] = key.split('|');
    return parseProblem(op, sizes).flops;
  });
  const small = (p: number) => flops[p] <= SMALL_FLOPS;
  const largeIds = data.problems.map((_, i) => i).filter((i) => flops[i] > LARGE_FLOPS);
  const rowsOf = (keep: (p: number) => boolean) => data.problemOf.filter(keep).length;
  log(
    `cost:generalization: ${data.rows} measurements of ${data.problems.length} problems (${data.problems.filter((_, i) => small(i)).length} small, ${rowsOf(small)} rows; ` +
      `${largeIds.length} over ${LARGE_FLOPS / 1e9} GFLOP, ${rowsOf((p) => flops[p] > LARGE_FLOPS)} rows); ` +
      `${args.epochs} epochs a run, seeds ${args.seeds.join(', ')}`,
  );

  const subset = (keep: (problem: number) => boolean, zero: readonly Group[]): Dataset => {
    const w = COST_FEATURES;
    const rows: number[] = [];
    for (let r = 0; r < data.rows; r++) if (keep(data.problemOf[r])) rows.push(r);
    const x = new Float32Array(rows.length * w);
    rows.forEach((r, i) => {
      const row = data.x.slice(r * w, (r + 1) * w);
      for (const g of zero) row.fill(0, FEATURE_GROUPS[g][0], FEATURE_GROUPS[g][1]);
      x.set(row, i * w);
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
  const ablations = args.quick ? [ABLATIONS[0], ABLATIONS[ABLATIONS.length - 1]] : ABLATIONS;
  const ranges = ['small only', 'small + large'] as const;
  const results = new Map<string, { top1: number; top3: number; val1: number; problems: number }[]>();
  for (const seed of args.seeds) {
    const heldOut = new Set(seededShuffle(largeIds, seed * 13 + 1).slice(0, Math.ceil(largeIds.length / 3)));
    for (const range of ranges) {
      const keep = range === 'small only' ? small : (p: number) => !heldOut.has(p);
      for (const a of ablations) {
        const t1 = performance.now();
        const train = subset(keep, a.zero);
        const test = subset((p) => heldOut.has(p), a.zero);
        const result = await trainCostModel(train, { seed, epochs: args.epochs });
        const all = Int32Array.from({ length: test.rows }, (_, i) => i);
        const top1 = topKRatio(result.model, test, all, 1);
        const top3 = topKRatio(result.model, test, all, 3);
        const val = result.curve[result.bestEpoch - 1];
        const name = `${range}, ${a.name}`;
        results.set(name, [
          ...(results.get(name) ?? []),
          { top1: top1.ratio, top3: top3.ratio, val1: val.val_top1, problems: top1.problems },
        ]);
        log(
          `seed ${seed}, ${name.padEnd(46)} held-out large: top-1 ${fmt(top1.ratio)}, top-3 ${fmt(top3.ratio)} (${top1.problems} problems); ` +
            `validation top-1 ${fmt(val.val_top1)}; ${train.rows} rows, epoch ${result.bestEpoch}, ${fmt((performance.now() - t1) / 1000, 0)} s`,
        );
        result.model.dispose();
      }
    }
  }
  const spread = (xs: number[]) =>
    `${fmt(xs.reduce((s, x) => s + x, 0) / xs.length)} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
  log('');
  log(`mean (range) over seeds ${args.seeds.join(', ')}:`);
  for (const line of table(
    ['trained on, features', 'held-out large top-1', 'top-3', 'validation top-1'],
    [...results].map(([name, rs]) => [
      name,
      spread(rs.map((r) => r.top1)),
      spread(rs.map((r) => r.top3)),
      spread(rs.map((r) => r.val1)),
    ]),
    [0],
  ))
    log(line);
  return 0;
}

process.exitCode = await runScript('cost:generalization', USAGE, parse, run);
