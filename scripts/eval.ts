// npm run eval -- [--json] [--budget-s S] [--per-family N] [--odd N] [--methods agent,greedy1,...]
//                 [--policy DIR] [--seed S] [--steps 10]
//
// LoopTune's comparison table on held-out problems: every method tunes every benchmark from its
// default schedule; the table gives, per method, the mean GFLOPS of the tuned kernels, the
// speedup over the default schedule (mean and geomean) and the mean tuning time.
//
// Benchmarks: N per family (default 3) of the test split the policy was trained against (the
// split seed is read from the policy's metadata; --seed without a policy), spread evenly over the
// split, plus --odd (default 2) odd-sized problems per family that lie off every training grid.
// The searches get --budget-s seconds each (default 10; greedy searches may finish earlier);
// the agent always does one 10-step rollout. Measurements during tuning are not cached (tuning
// times are honest); then the default and every method's schedule are checked against the
// reference and timed carefully together, in interleaved rounds (best of each), and those numbers
// fill the table.
//
// JSON: {"benchmarks":[...], "budget_s":..., "methods":[{"method", "mean_gflops", "speedup_mean",
// "speedup_geomean", "tuning_s_mean", "results":[{"benchmark", "schedule", "gflops",
// "default_gflops", "speedup", "tuning_s", "actions"}]}]}
import { MAX_STEPS } from './agentCli.ts';
import { UsageError, fmt, fmtGflops, parseFlags, positiveInt, positiveNumber, runScript, table } from './cli.ts';
import { METHODS, type Method } from '../src/agent/methods.ts';

const USAGE =
  'usage: npm run eval -- [--json] [--budget-s S] [--per-family N] [--odd N] [--methods agent,greedy1,...] ' +
  '[--policy DIR] [--seed S] [--steps 10]';

interface Args {
  json: boolean;
  budgetMs: number;
  perFamily: number;
  odd: number;
  methods: Method[];
  policy: string;
  seed: number | null;
  steps: number;
}

export function parseEvalArgs(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    json: { type: 'boolean' },
    'budget-s': { type: 'string' },
    'per-family': { type: 'string' },
    odd: { type: 'string' },
    methods: { type: 'string' },
    policy: { type: 'string' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  const methods = (v.methods ?? METHODS.join(',')).split(',').map((m) => m.trim());
  for (const m of methods) {
    if (!(METHODS as readonly string[]).includes(m)) throw new UsageError(`--methods: unknown method '${m}'; the methods are ${METHODS.join(', ')}`);
  }
  return {
    json: v.json ?? false,
    budgetMs: positiveNumber('budget-s', v['budget-s'], 10) * 1000,
    perFamily: positiveInt('per-family', v['per-family'], 3, 0),
    odd: positiveInt('odd', v.odd, 2, 0),
    methods: [...new Set(methods)] as Method[],
    policy: v.policy ?? 'public/agent',
    seed: v.seed === undefined ? null : positiveInt('seed', v.seed, 1, 0),
    steps: positiveInt('steps', v.steps, 10, 1, MAX_STEPS),
  };
}

interface Result {
  benchmark: string;
  schedule: string;
  gflops: number;
  default_gflops: number;
  speedup: number;
  tuning_s: number;
  actions: string[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const geomean = (xs: number[]) => Math.exp(mean(xs.map((x) => Math.log(x))));

async function run(args: Args): Promise<number> {
  const { printSchedule, defaultSchedule } = await import('../src/core/schedule.ts');
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { RuntimeOracle } = await import('../src/agent/oracle.ts');
  const { splitBenchmarks, samplePerFamily, oddBenchmarks, benchmarkProblem } = await import('../src/agent/benchmarks.ts');
  const { tune } = await import('../src/agent/methods.ts');
  const { loadAgentPolicy, finalMeasurer } = await import('./agentCli.ts');

  const policy = args.methods.includes('agent') ? await loadAgentPolicy(args.policy) : undefined;
  const splitSeed = args.seed ?? (typeof policy?.metadata.splitSeed === 'number' ? policy.metadata.splitSeed : 1);
  if (policy && args.seed !== null && policy.metadata.splitSeed !== undefined && policy.metadata.splitSeed !== args.seed) {
    throw new UsageError(`--seed ${args.seed}: the policy was trained on the split of seed ${String(policy.metadata.splitSeed)}; its test problems are the held-out ones`);
  }
  const test = samplePerFamily(splitBenchmarks(splitSeed).test, args.perFamily);
  const odd = samplePerFamily(oddBenchmarks(splitSeed, Math.max(args.odd, 1)), args.odd);
  const benchmarks = [...test, ...odd];
  if (benchmarks.length === 0) throw new UsageError('no benchmarks: give --per-family or --odd > 0');

  const codegen = await loadCodegen();
  const target = detectTarget();
  const measure = await finalMeasurer(codegen, target);
  const results = new Map<Method, Result[]>(args.methods.map((m) => [m, []]));
  const defaults: number[] = [];
  const log = (line: string) => process.stderr.write(line + '\n');
  log(
    `eval: ${test.length} held-out (split seed ${splitSeed}) + ${odd.length} odd-sized benchmarks, ${args.methods.length} methods, searches get ${fmt(args.budgetMs / 1000, 0)} s each`,
  );

  for (const [i, b] of benchmarks.entries()) {
    const problem = benchmarkProblem(b);
    const tuned: Awaited<ReturnType<typeof tune>>[] = [];
    for (const method of args.methods) {
      tuned.push(await tune(method, problem, new RuntimeOracle(codegen, target), { policy, steps: args.steps, budgetMs: args.budgetMs }));
    }
    // The default and every method's schedule, timed together (interleaved rounds).
    const [def, ...finals] = await measure(problem, [defaultSchedule(problem), ...tuned.map((r) => r.schedule)]);
    if (!def.correct) throw new Error(`the default kernel of ${b.id} is incorrect: ${def.reason}`);
    defaults.push(def.gflops);
    args.methods.forEach((method, j) => {
      const r = tuned[j];
      const final = finals[j];
      const schedule = printSchedule(problem, r.schedule);
      if (!final.correct) throw new Error(`${method} tuned ${b.id} to an incorrect kernel (${final.reason}): ${schedule}`);
      results.get(method)!.push({
        benchmark: b.id,
        schedule,
        gflops: final.gflops,
        default_gflops: def.gflops,
        speedup: final.gflops / def.gflops,
        tuning_s: r.totalMs / 1000,
        actions: r.actions,
      });
      log(`eval: [${i + 1}/${benchmarks.length}] ${b.id.padEnd(36)} ${method.padEnd(8)} ${fmtGflops(final.gflops).padStart(6)} GFLOPS (${fmt(final.gflops / def.gflops)}x) in ${fmt(r.totalMs / 1000)} s`);
    });
  }

  const summary = args.methods.map((method) => {
    const rs = results.get(method)!;
    return {
      method,
      mean_gflops: mean(rs.map((r) => r.gflops)),
      speedup_mean: mean(rs.map((r) => r.speedup)),
      speedup_geomean: geomean(rs.map((r) => r.speedup)),
      tuning_s_mean: mean(rs.map((r) => r.tuning_s)),
      results: rs,
    };
  });
  if (args.json) {
    process.stdout.write(JSON.stringify({ benchmarks: benchmarks.map((b) => b.id), budget_s: args.budgetMs / 1000, methods: summary }) + '\n');
    return 0;
  }
  const rows = [
    ['default', fmtGflops(mean(defaults)), '1.00x', '1.00x', '-'],
    ...summary.map((s) => [s.method, fmtGflops(s.mean_gflops), `${fmt(s.speedup_mean)}x`, `${fmt(s.speedup_geomean)}x`, fmt(s.tuning_s_mean, 2)]),
  ];
  const lines = [
    `LoopTune comparison on ${benchmarks.length} benchmarks (${test.length} held-out of split seed ${splitSeed}, ${odd.length} odd-sized); ` +
      `searches: ${fmt(args.budgetMs / 1000, 0)} s budget, ${args.steps} steps; relaxed SIMD ${target.relaxedSimd ? 'on' : 'off'}`,
    '',
    ...table(['method', 'mean GFLOPS', 'speedup (mean)', 'speedup (geomean)', 'tuning s (mean)'], rows, [0]),
    '',
    'per benchmark (GFLOPS):',
    ...table(
      ['benchmark', 'default', ...args.methods],
      benchmarks.map((b, i) => [b.id, fmtGflops(defaults[i]), ...args.methods.map((m) => fmtGflops(results.get(m)![i].gflops))]),
      [0],
    ),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

process.exitCode = await runScript('eval', USAGE, parseEvalArgs, run);
