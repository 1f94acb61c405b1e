// npm run tune -- --op "<expr>" --sizes "m=..,n=..,k=.." --method agent|looptune|expert|greedy1|greedy2|beam2dfs|beam4dfs|beam2bfs|beam4bfs|random
//                 [--steps 10] [--budget-s S] [--json] [--policy DIR] [--cost-model DIR] [--seed S] [--cache FILE] [--max-gflop G]
//                 [--threads N]
//
// Tunes one problem from its default schedule with the agent (the cost model's beam search over
// macro-actions, src/agent/tileSearch.ts, cost model in public/agent/cost-model, 1 s), LoopTune's
// agent (a greedy rollout of the trained policy in public/agent), the expert grid
// (src/agent/expert.ts) or one of LoopTune's searches, measuring kernels on this machine. The
// searches get 60 s unless --budget-s says otherwise (greedy ones run to the end without it).
// The tuned schedule and the default are then checked against the reference and timed carefully;
// tuning_s is the wall time of the tuning itself (measurements included). By default nothing is
// cached between runs, so tuning_s is honest; --cache FILE reuses (and extends) a measurement
// cache such as the one training writes. A problem over --max-gflop (default 10 GFLOP a call) is
// refused; from 0.1 GFLOP on, progress goes to stderr. --threads N (the agent only) measures every
// kernel on N threads (worker_threads): `parallel` joins the agent's actions, and the figure it
// maximizes, and the one reported, is the GFLOPS on N threads.
//
// JSON: {"method", "schedule", "gflops", "default_gflops", "speedup", "tuning_s", "actions":[...]}
// Exit codes: 0 done; 1 the tuned kernel is wrong or something failed; 2 bad input.
import path from 'node:path';
import { MAX_STEPS, measurementPrefix } from './agentCli.ts';
import {
  UsageError,
  fmt,
  fmtGflops,
  oneOf,
  parseFlags,
  problemFlags,
  pathFlag,
  positiveInt,
  positiveNumber,
  runScript,
} from './cli.ts';
import { DEFAULT_MAX_GFLOP, PROGRESS_FLOPS, Progress, checkWork } from './workLimit.ts';
import { METHODS, type Method } from '../src/agent/methods.ts';

const USAGE =
  'usage: npm run tune -- --op "<expr>" --sizes "m=..,n=..,k=.." --method agent|looptune|expert|greedy1|greedy2|beam2dfs|beam4dfs|beam2bfs|beam4bfs|random ' +
  '[--steps 10] [--budget-s S] [--json] [--policy DIR] [--cost-model DIR] [--seed S] [--cache FILE] [--max-gflop G] [--threads N]';

interface Args {
  op: string;
  sizes: string;
  method: Method;
  steps: number;
  budgetMs?: number;
  json: boolean;
  policy: string;
  costModel: string;
  seed: number;
  cache: string | null;
  maxGflop: number;
  threads: number;
}

export function parseTuneArgs(argv: string[]): Args | 'help' {
  const v = parseFlags(
    argv,
    {
      op: { type: 'string' },
      sizes: { type: 'string' },
      method: { type: 'string' },
      steps: { type: 'string' },
      'budget-s': { type: 'string' },
      json: { type: 'boolean' },
      policy: { type: 'string' },
      'cost-model': { type: 'string' },
      seed: { type: 'string' },
      cache: { type: 'string' },
      'max-gflop': { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'quote the expression: --op "C[m,n] += A[m,k] * B[k,n]"',
  );
  if (v.help) return 'help';
  const { op, sizes } = problemFlags(v);
  if (v.method === undefined) throw new UsageError(`missing --method, one of ${METHODS.join(', ')}`);
  const budget = v['budget-s'] === undefined ? undefined : positiveNumber('budget-s', v['budget-s'], 60) * 1000;
  const method = oneOf('method', v.method, METHODS, 'agent');
  // A folder the method never reads is a mistake worth saying (a typo'd method, a wrong flag).
  if (v.policy !== undefined && method !== 'looptune')
    throw new UsageError(
      `--policy is read only by --method looptune (LoopTune's trained policy); drop it for ${method}`,
    );
  if (v['cost-model'] !== undefined && method !== 'agent')
    throw new UsageError(`--cost-model is read only by --method agent (its cost model); drop it for ${method}`);
  const threads = positiveInt('threads', v.threads, 1, 1, 64);
  if (threads > 1 && method !== 'agent')
    throw new UsageError(`--threads is read only by --method agent (it measures on threads); drop it for ${method}`);
  if (threads > 1 && v.cache !== undefined)
    throw new UsageError('--threads and --cache: the cache holds one-thread figures; drop one of them');
  return {
    op,
    sizes,
    method,
    steps: positiveInt('steps', v.steps, 10, 1, MAX_STEPS),
    ...(budget === undefined ? {} : { budgetMs: budget }),
    json: v.json ?? false,
    policy: pathFlag('policy', v.policy, 'public/agent'),
    costModel: pathFlag('cost-model', v['cost-model'], 'public/agent/cost-model'),
    seed: positiveInt('seed', v.seed, 1, 0),
    cache: pathFlag('cache', v.cache, null),
    maxGflop: positiveNumber('max-gflop', v['max-gflop'], DEFAULT_MAX_GFLOP),
    threads,
  };
}

async function run(args: Args): Promise<number> {
  const { parseProblem, sizesText } = await import('../src/core/problem.ts');
  const { defaultSchedule, printSchedule } = await import('../src/core/schedule.ts');
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { RuntimeOracle, CachingOracle, ThreadsOracle, FINAL_TIMING } = await import('../src/agent/oracle.ts');
  const { JsonFileStore } = await import('../src/agent/cacheFile.ts');
  const { tune } = await import('../src/agent/methods.ts');
  const { loadAgentPolicy, loadAgentScorer, finalMeasurer } = await import('./agentCli.ts');

  const problem = parseProblem(args.op, args.sizes);
  checkWork(problem.flops, args.maxGflop, 'tuning (every candidate is timed)');
  const progress = new Progress('tune', 2, problem.flops >= PROGRESS_FLOPS);
  const store = args.cache ? new JsonFileStore(path.resolve(args.cache)) : undefined;
  const codegen = await loadCodegen();
  const target = detectTarget();
  const policy = args.method === 'looptune' ? await loadAgentPolicy(args.policy) : undefined;
  const scorer = args.method === 'agent' ? await loadAgentScorer(args.costModel, codegen, target) : undefined;
  const pool =
    args.threads > 1 ? (await import('../src/runtime/nodeThreads.ts')).createNodeThreadPool(args.threads) : null;
  const runtime = pool ? new ThreadsOracle(codegen, target, pool) : new RuntimeOracle(codegen, target);
  const oracle = store ? new CachingOracle(runtime, store, measurementPrefix(target)) : runtime;

  progress.start(1, `tuning with ${args.method}`);
  const result = await tune(args.method, problem, oracle, {
    policy,
    scorer,
    steps: args.steps,
    budgetMs: args.budgetMs,
    seed: args.seed,
    agentSearch: { threads: args.threads },
  });
  progress.done();
  store?.flush();
  progress.start(2, 'checking and timing the default and the tuned schedule');
  let def: { gflops: number; correct: boolean; reason?: string };
  let tuned: typeof def;
  if (pool) {
    const { measureScheduleOnThreads } = await import('../src/runtime/measureThreads.ts');
    const onThreads = async (s: typeof result.schedule) => {
      const m = await measureScheduleOnThreads(codegen, problem, s, target, pool, { timing: FINAL_TIMING });
      return { gflops: m.gflops ?? 0, correct: m.correct, reason: m.reason };
    };
    def = await onThreads(defaultSchedule(problem));
    tuned = await onThreads(result.schedule);
    pool.terminate();
  } else {
    const measure = await finalMeasurer(codegen, target);
    [def, tuned] = await measure(problem, [defaultSchedule(problem), result.schedule]);
  }
  progress.done();
  const schedule = printSchedule(problem, result.schedule);
  if (!tuned.correct || !def.correct) {
    throw new Error(
      `the ${tuned.correct ? 'default' : 'tuned'} kernel is incorrect (${(tuned.correct ? def : tuned).reason ?? 'wrong output'}): ${schedule}`,
    );
  }
  const out = {
    method: args.method,
    schedule,
    gflops: tuned.gflops,
    default_gflops: def.gflops,
    speedup: tuned.gflops / def.gflops,
    tuning_s: result.totalMs / 1000,
    actions: result.actions,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  }
  const lines = [
    `${problem.op}   (${sizesText(problem)}; ${(problem.flops / 1e6).toFixed(1)} MFLOP; relaxed SIMD ${target.relaxedSimd ? 'on' : 'off'}; ${args.threads > 1 ? `${args.threads} threads` : 'one thread'})`,
    '',
    `method    ${args.method}${['agent', 'looptune', 'expert'].includes(args.method) ? '' : `, ${args.steps} steps`}${result.budgetSpent ? ' (stopped by its time budget)' : ''}`,
    `default   ${fmtGflops(def.gflops).padStart(7)} GFLOPS   ${printSchedule(problem, defaultSchedule(problem))}`,
    `tuned     ${fmtGflops(tuned.gflops).padStart(7)} GFLOPS   ${schedule}`,
    `speedup   ${fmt(out.speedup)}x`,
    `tuning    ${fmt(out.tuning_s, 2)} s, ${result.evaluations} kernel${result.evaluations === 1 ? '' : 's'} measured`,
    `actions   ${result.actions.length ? result.actions.join(' ') : args.method === 'expert' ? '(the expert grid has none)' : '(none: the default was fastest)'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

process.exitCode = await runScript('tune', USAGE, parseTuneArgs, run);
