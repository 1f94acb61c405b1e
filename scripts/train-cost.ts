// npm run train:cost -- [--seed S] [--collect-minutes M] [--epochs N] [--cache FILE] [--out DIR]
//                       [--collect-only] [--propose-with DIR] [--large-share F]
//
// Trains the agent's cost model (src/agent/costModel.ts): first measures random problems of the
// cost model's training distribution for --collect-minutes (default 6; 0 to use the cache as it
// is), each with random tile schedules and expert-grid entries (with --propose-with DIR, half of
// the random ones are replaced by the schedules the cost model in DIR ranks highest: a second
// round, as Ansor and MetaSchedule retrain on what their model proposes; --large-share F, default 0.3,
// the share of problems from the large ranges), into the measurement cache
// (--cache, default node_modules/.cache/looplab-agent/measurements.json, shared with train, tune
// and eval); then reads every measurement of the cache that belongs to tile schedules on this
// target and fits the model to log GFLOPS for --epochs (default 60), holding out a seeded 10% of
// the problems as validation. Progress and the learning curve (train / validation loss, and the
// validation problems' top-1 ratio: measured GFLOPS of the schedule the model ranks first over
// the best measured, and the same for the best of its first three) go to stdout, one line per epoch, and to DIR/learning-curve.csv; the model
// with the best validation loss is written to DIR/model.json + weights.bin (DIR defaults to
// public/agent/cost-model). Everything is seeded by --seed, so the same cache gives the same model.
import { measurementPrefix } from './agentCli.ts';
import path from 'node:path';
import { UsageError, fmt, parseFlags, pathFlag, positiveInt, positiveNumber, runScript } from './cli.ts';

const USAGE =
  'usage: npm run train:cost -- [--seed S] [--collect-minutes M] [--epochs N] [--cache FILE] [--out DIR] [--collect-only] [--propose-with DIR] [--large-share F]';

const DEFAULT_CACHE = 'node_modules/.cache/looplab-agent/measurements.json';
export const DEFAULT_COST_MODEL_DIR = 'public/agent/cost-model';

interface Args {
  seed: number;
  collectMinutes: number;
  epochs: number;
  cache: string;
  out: string;
  collectOnly: boolean;
  proposeWith: string | null;
  largeShare: number | undefined;
}

export function parseTrainCostArgs(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    seed: { type: 'string' },
    'collect-minutes': { type: 'string' },
    epochs: { type: 'string' },
    cache: { type: 'string' },
    out: { type: 'string' },
    'collect-only': { type: 'boolean' },
    'propose-with': { type: 'string' },
    'large-share': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  const minutes = v['collect-minutes'];
  const collectMinutes =
    minutes === undefined ? 6 : minutes.trim() === '0' ? 0 : positiveNumber('collect-minutes', minutes, 6);
  if (v['collect-only'] && collectMinutes === 0)
    throw new UsageError('--collect-only with --collect-minutes 0 does nothing; give minutes to measure');
  return {
    seed: positiveInt('seed', v.seed, 1, 0),
    collectMinutes,
    epochs: positiveInt('epochs', v.epochs, 60),
    cache: pathFlag('cache', v.cache, DEFAULT_CACHE),
    out: pathFlag('out', v.out, DEFAULT_COST_MODEL_DIR),
    collectOnly: v['collect-only'] ?? false,
    proposeWith: v['propose-with'] ?? null,
    largeShare: v['large-share'] === undefined ? undefined : shareFlag(v['large-share']),
  };
}

function shareFlag(text: string): number {
  const x = Number(text);
  if (!(x >= 0 && x <= 1)) throw new UsageError(`--large-share takes a fraction from 0 to 1, not "${text}"`);
  return x;
}

const clock = (sec: number) =>
  `${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;

async function run(args: Args): Promise<number> {
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { CachingOracle, RuntimeOracle } = await import('../src/agent/oracle.ts');
  const { JsonFileStore } = await import('../src/agent/cacheFile.ts');
  const { collectMeasurements } = await import('../src/agent/costData.ts');
  const log = (line: string) => process.stdout.write(`${line}\n`);

  const codegen = await loadCodegen();
  const target = detectTarget();
  const prefix = measurementPrefix(target);
  const store = new JsonFileStore(path.resolve(args.cache), {
    flushEvery: 500,
    createFolder: args.cache === DEFAULT_CACHE,
  });
  log(`train:cost: seed ${args.seed}, cache ${args.cache} (${store.size} measurements)`);

  if (args.collectMinutes > 0) {
    const runtime = new RuntimeOracle(codegen, target);
    const oracle = new CachingOracle(runtime, store, prefix);
    let last = 0;
    const { loadAgentScorer } = await import('./agentCli.ts');
    const scorer = args.proposeWith
      ? await loadAgentScorer(path.resolve(args.proposeWith), codegen, target)
      : undefined;
    const r = await collectMeasurements(oracle, {
      scorer,
      seed: args.seed,
      largeShare: args.largeShare,
      budgetSec: args.collectMinutes * 60,
      onProblem: (p) => {
        if (p.wallSec - last < 15) return;
        last = p.wallSec;
        log(
          `[${clock(p.wallSec)}] measuring: ${p.problems} problems, ${runtime.measured} kernels measured (${fmt(runtime.measuredMs / Math.max(1, runtime.measured), 0)} ms each), last ${p.id}`,
        );
      },
    });
    store.flush();
    log(`train:cost: measured ${runtime.measured} kernels on ${r.problems} problems; the cache holds ${store.size}`);
  }
  if (args.collectOnly) return 0;
  if (args.proposeWith && path.resolve(args.proposeWith) === path.resolve(args.out)) {
    throw new UsageError('--propose-with and --out name the same folder; write the new model elsewhere');
  }

  const { writeFileSync, mkdirSync } = await import('node:fs');
  const { loadTfWasm } = await import('../src/runtime/xnnpack.ts');
  const { costDatasetFromEntries, trainCostModel, costCurveCsv } = await import('../src/agent/costModel.ts');
  const { saveCostModel } = await import('../src/agent/costModelFiles.ts');
  await loadTfWasm();
  const data = costDatasetFromEntries(store.entriesWithPrefix(prefix), codegen, target);
  log(
    `train:cost: ${data.rows} measurements of ${data.problems.length} problems (${data.skipped} other cache entries skipped)`,
  );
  if (data.rows < 20)
    throw new UsageError(`only ${data.rows} usable measurements in ${args.cache}; measure more with --collect-minutes`);
  const out = path.resolve(args.out);
  const t0 = performance.now();
  const result = await trainCostModel(data, {
    seed: args.seed,
    epochs: args.epochs,
    onEpoch: (row) => {
      log(
        `[${clock((performance.now() - t0) / 1000)}] epoch ${row.epoch}: train loss ${fmt(row.train_loss, 4)}, validation loss ${fmt(row.val_loss, 4)}, ` +
          `validation top-1 ${fmt(row.val_top1)}, top-3 ${fmt(row.val_top3)} (geomean over ${row.val_problems} problems)`,
      );
    },
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'learning-curve.csv'), costCurveCsv(result.curve));
  await saveCostModel(result.model, out, {
    seed: args.seed,
    trainedAt: new Date().toISOString(),
    measurements: data.rows,
    problems: data.problems.length,
    bestEpoch: result.bestEpoch,
    validationLoss: result.bestValLoss,
    command: `npm run train:cost -- --seed ${args.seed} --collect-minutes ${args.collectMinutes} --epochs ${args.epochs}${args.proposeWith ? ` --propose-with ${args.proposeWith}` : ''}`,
  });
  log(
    `train:cost: best epoch ${result.bestEpoch} (validation loss ${fmt(result.bestValLoss, 4)}); wrote ${path.relative(process.cwd(), out)}/model.json, weights.bin, learning-curve.csv`,
  );
  return 0;
}

process.exitCode = await runScript('train:cost', USAGE, parseTrainCostArgs, run);
