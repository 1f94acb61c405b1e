// npm run train -- [--seed S] [--minutes M] [--features looptune|extended] [--out DIR]
//                  [--cache FILE | --no-cache] [--resume] [--eval-every SEC] [--max-episodes N]
//                  [--algo ppo|dqn] [--peak GFLOPS]
//
// Trains the agent's policy network with PPO (src/agent/ppo.ts; `--algo dqn`: the double DQN of
// src/agent/train.ts, which trained less well here, see src/agent/README.md) on the train split of LoopTune's
// matmul set plus the batched-matmul and convolution sets (split 90/10 by --seed), measuring
// kernels on this machine, and writes what the app ships: DIR/model.json + DIR/weights.bin
// (the best policy by validation speedup, DIR defaults to public/agent) and
// DIR/learning-curve.csv. Progress goes to stdout, one line at a time.
//
// Measurements are cached in a JSON file (default node_modules/.cache/looplab-agent/
// measurements.json) so that later runs, `npm run tune` and `npm run eval` reuse them. A
// checkpoint is written at every validation; --resume continues from it (weights, counters,
// curve and time spent; PPO's critic, DQN's replay buffer and Adam's moments start afresh).
import { excerpt } from '../src/core/format.ts';
import { measurementPrefix } from './agentCli.ts';
import path from 'node:path';
import type { FeatureMlp } from '../src/agent/policy.ts';
import type { ResumeState } from '../src/agent/train.ts';
import {
  UsageError,
  fmt,
  fmtGflops,
  oneOf,
  parseFlags,
  pathFlag,
  positiveInt,
  positiveNumber,
  runScript,
} from './cli.ts';

const USAGE =
  'usage: npm run train -- [--seed S] [--minutes M] [--features looptune|extended] [--out DIR] ' +
  '[--cache FILE | --no-cache] [--resume] [--eval-every SEC] [--max-episodes N] [--validation N] [--algo ppo|dqn] [--config JSON] [--peak GFLOPS]';

export const DEFAULT_CACHE = 'node_modules/.cache/looplab-agent/measurements.json';

interface Args {
  seed: number;
  minutes: number;
  features: 'looptune' | 'extended';
  out: string;
  cache: string | null;
  resume: boolean;
  evalEvery: number;
  maxEpisodes: number;
  validation: number;
  algo: 'dqn' | 'ppo';
  /** Training-config overrides for experiments, as JSON (--config '{"gamma":0.95}'). */
  config: Record<string, unknown>;
  /** The peak the reward is normalised by, instead of measuring it (runs compared side by side on a busy machine). */
  peak: number | null;
}

export function parseTrainArgs(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    seed: { type: 'string' },
    minutes: { type: 'string' },
    features: { type: 'string' },
    out: { type: 'string' },
    cache: { type: 'string' },
    'no-cache': { type: 'boolean' },
    resume: { type: 'boolean' },
    'eval-every': { type: 'string' },
    'max-episodes': { type: 'string' },
    validation: { type: 'string' },
    config: { type: 'string' },
    algo: { type: 'string' },
    peak: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  if (v.cache !== undefined && v['no-cache']) throw new UsageError('give either --cache FILE or --no-cache, not both');
  let config: Record<string, unknown> = {};
  if (v.config !== undefined) {
    try {
      config = JSON.parse(v.config);
    } catch {
      throw new UsageError(`--config wants a JSON object, got '${excerpt(v.config)}'`);
    }
  }
  return {
    seed: positiveInt('seed', v.seed, 1, 0),
    minutes: positiveNumber('minutes', v.minutes, 40),
    features: oneOf('features', v.features, ['looptune', 'extended'] as const, 'extended'),
    out: pathFlag('out', v.out, 'public/agent'),
    cache: v['no-cache'] ? null : pathFlag('cache', v.cache, DEFAULT_CACHE),
    resume: v.resume ?? false,
    evalEvery: positiveNumber('eval-every', v['eval-every'], 120),
    maxEpisodes: positiveInt('max-episodes', v['max-episodes'], Number.MAX_SAFE_INTEGER),
    validation: positiveInt('validation', v.validation, 8),
    algo: oneOf('algo', v.algo, ['ppo', 'dqn'] as const, 'ppo'),
    config,
    peak: v.peak === undefined ? null : positiveNumber('peak', v.peak, 0),
  };
}

const clock = (sec: number) =>
  `${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;

async function run(args: Args): Promise<number> {
  const { writeFileSync, mkdirSync, existsSync, readFileSync } = await import('node:fs');
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { loadTfWasm } = await import('../src/runtime/xnnpack.ts');
  const { splitBenchmarks, samplePerFamily } = await import('../src/agent/benchmarks.ts');
  const { CachingOracle, RuntimeOracle, peakGflopsOnce } = await import('../src/agent/oracle.ts');
  const { JsonFileStore } = await import('../src/agent/cacheFile.ts');
  const { trainDqn, curveCsv, DEFAULT_TRAIN_CONFIG } = await import('../src/agent/train.ts');
  const { trainPpo, DEFAULT_PPO_CONFIG } = await import('../src/agent/ppo.ts');
  const { savePolicy, loadPolicy, policyExists } = await import('../src/agent/policyFiles.ts');

  const out = path.resolve(args.out);
  const checkpointDir = path.resolve(`node_modules/.cache/looplab-agent/checkpoint-seed${args.seed}`);
  const log = (line: string) => process.stdout.write(`${line}\n`);

  const store = args.cache
    ? new JsonFileStore(path.resolve(args.cache), { flushEvery: 500, createFolder: args.cache === DEFAULT_CACHE })
    : undefined;
  await loadTfWasm();
  const codegen = await loadCodegen();
  const target = detectTarget();
  if (args.peak === null) log(`train: measuring the peak (relaxed SIMD ${target.relaxedSimd ? 'on' : 'off'}) ...`);
  const peak = args.peak ?? (await peakGflopsOnce(codegen, target));
  const runtime = new RuntimeOracle(codegen, target);
  const oracle = new CachingOracle(runtime, store, measurementPrefix(target));
  const split = splitBenchmarks(args.seed);
  const validation = samplePerFamily(split.validation, args.validation);
  const config = {
    ...(args.algo === 'ppo' ? DEFAULT_PPO_CONFIG : DEFAULT_TRAIN_CONFIG),
    ...args.config,
    seed: args.seed,
    featureSet: args.features,
    budgetSec: args.minutes * 60,
    evalEverySec: args.evalEvery,
    maxEpisodes: args.maxEpisodes,
  };
  log(
    `train: ${args.algo}, seed ${args.seed}, ${args.features} features, peak ${fmtGflops(peak)} GFLOPS, ${split.train.length} train / ${split.validation.length} validation (${validation.length} used) / ${split.test.length} test problems, ` +
      `budget ${args.minutes} min, ${store ? `cache ${path.relative(process.cwd(), store.file)} (${store.size} measurements)` : 'no cache'}`,
  );

  let resume: ResumeState | undefined;
  let initial: FeatureMlp | undefined;
  const statePath = path.join(checkpointDir, 'state.json');
  if (args.resume) {
    if (!existsSync(statePath) || !policyExists(checkpointDir, 'online-'))
      throw new UsageError(`--resume: no checkpoint in ${path.relative(process.cwd(), checkpointDir)}`);
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    initial = await loadPolicy(checkpointDir, 'online-');
    const best = policyExists(checkpointDir, 'best-') ? await loadPolicy(checkpointDir, 'best-') : undefined;
    resume = {
      episodes: state.episodes,
      envSteps: state.envSteps,
      wallSec: state.wallSec,
      curve: state.curve,
      bestValSpeedup: state.bestValSpeedup,
      best,
    };
    log(`train: resuming at episode ${state.episodes}, ${clock(state.wallSec)} spent`);
  }

  const meta = (extra: Record<string, unknown>) => ({
    seed: args.seed,
    splitSeed: args.seed,
    trainedAt: new Date().toISOString(),
    peakGflops: peak,
    algorithm: args.algo === 'ppo' ? 'PPO (clipped, GAE)' : 'double DQN, n-step, target network',
    outputs: args.algo === 'ppo' ? 'logits' : 'q-values',
    ...extra,
  });
  let lastLine = 0;
  let returns: number[] = [];
  const result = await (args.algo === 'ppo' ? trainPpo : trainDqn)(
    config,
    { oracle, peakGflops: peak, train: split.train, validation, measurements: () => runtime.measured, initial, resume },
    {
      onEpisode: (e) => {
        returns.push(e.ret);
        if (e.wallSec - lastLine < 15) return;
        lastLine = e.wallSec;
        const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
        returns = [];
        const hit = oracle.hits / Math.max(1, oracle.hits + oracle.misses);
        log(
          `[${clock(e.wallSec)}] episode ${e.episode}  steps ${e.envSteps}  epsilon ${fmt(e.epsilon)}  return ${fmt(mean, 3)}  ` +
            `measured ${runtime.measured} (${fmt(runtime.measuredMs / Math.max(1, runtime.measured), 0)} ms each, cache hits ${fmt(100 * hit, 0)}%)`,
        );
      },
      onEval: async (row, policy, improved, curve, bestValSpeedup) => {
        log(
          `[${clock(row.wall_s)}] validation: best-in-rollout speedup ${fmt(row.val_speedup)}x (final ${fmt(row.val_final_speedup)}x), loss ${fmt(row.loss, 4)}, ${row.updates} updates${improved ? '  -> new best, saved' : ''}`,
        );
        mkdirSync(out, { recursive: true });
        writeFileSync(path.join(out, 'learning-curve.csv'), curveCsv(curve));
        if (improved)
          await savePolicy(
            policy,
            out,
            meta({ validationSpeedup: row.val_speedup, episodes: row.episode, wallSec: row.wall_s }),
          );
        await savePolicy(policy, checkpointDir, {}, 'online-');
        if (improved) await savePolicy(policy, checkpointDir, {}, 'best-');
        writeFileSync(
          statePath,
          JSON.stringify({
            episodes: row.episode,
            envSteps: row.env_steps,
            wallSec: row.wall_s,
            curve,
            bestValSpeedup,
          }),
        );
        store?.flush();
      },
    },
  );
  store?.flush();
  writeFileSync(path.join(out, 'learning-curve.csv'), curveCsv(result.curve));
  log(
    `train: done in ${clock(result.wallSec)}: ${result.episodes} episodes, ${result.envSteps} steps, ${result.updates} updates, ${runtime.measured} kernels measured; ` +
      `best validation speedup ${fmt(result.bestValSpeedup)}x; wrote ${path.relative(process.cwd(), out)}/model.json, weights.bin, learning-curve.csv`,
  );
  return 0;
}

process.exitCode = await runScript('train', USAGE, parseTrainArgs, run);
