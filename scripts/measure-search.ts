// npm run measure:search [-- --rounds N] [--json]
//
// What one measurement of the agent's search costs, and how many fit its 1 s: on matmul 256^3,
// 1024^3, 2048^3 and a 3x3 128 -> 128 convolution on 56x56, the agent's search (the shipped cost
// model, the expert grid's seeds, SEARCH_TIMING on SEARCH_SLICING's slices: what `npm run tune --
// --method agent` does) runs --rounds times (default 3), and every kernel it times is split into
// generating (the plain kernel and the ranged one), compiling, waiting for V8's optimized code,
// the probe that sizes a slice, and the timing itself. The machine is shared: the load average
// is printed with the figures.
import { loadavg } from 'node:os';
import { fmt, median, parseFlags, positiveInt, runScript, table } from './cli.ts';

const USAGE = 'usage: npm run measure:search [-- --rounds N] [--json]';

const PROBLEMS: { name: string; op: string; sizes: string }[] = [
  { name: 'matmul 256^3', op: 'C[m,n] += A[m,k] * B[k,n]', sizes: 'm=256, n=256, k=256' },
  { name: 'matmul 1024^3', op: 'C[m,n] += A[m,k] * B[k,n]', sizes: 'm=1024, n=1024, k=1024' },
  { name: 'matmul 2048^3', op: 'C[m,n] += A[m,k] * B[k,n]', sizes: 'm=2048, n=2048, k=2048' },
  {
    name: 'conv 3x3 128 -> 128, 56x56',
    op: 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
    sizes: 'co=128, oh=56, ow=56, ci=128, kh=3, kw=3',
  },
];

interface Args {
  rounds: number;
  json: boolean;
}

interface Row {
  problem: string;
  /** Kernels timed per search (the candidates and the finalists measured again). */
  measured: number[];
  searchMs: number[];
  /** Per measurement, ms. */
  total: number[];
  generate: number[];
  compile: number[];
  tierUp: number[];
  probe: number[];
  timing: number[];
  sliced: number;
  optimized: number;
}

function parse(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    rounds: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  return { rounds: positiveInt('rounds', v.rounds, 3, 1, 20), json: v.json ?? false };
}

async function run(args: Args): Promise<number> {
  const { parseProblem } = await import('../src/core/problem.ts');
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { RuntimeOracle } = await import('../src/agent/oracle.ts');
  const { tune } = await import('../src/agent/methods.ts');
  const { loadAgentScorer } = await import('./agentCli.ts');
  const loadBefore = loadavg();
  const codegen = await loadCodegen();
  const target = detectTarget();
  const scorer = await loadAgentScorer('public/agent/cost-model', codegen, target);
  const rows: Row[] = [];
  for (const p of PROBLEMS) {
    const problem = parseProblem(p.op, p.sizes);
    const row: Row = {
      problem: p.name,
      measured: [],
      searchMs: [],
      total: [],
      generate: [],
      compile: [],
      tierUp: [],
      probe: [],
      timing: [],
      sliced: 0,
      optimized: 0,
    };
    for (let r = 0; r < args.rounds; r++) {
      // A fresh oracle per search, as tune's: no kernel or buffer carried over.
      const oracle = new RuntimeOracle(codegen, target);
      oracle.onTimed = (t, ms) => {
        row.total.push(ms);
        row.generate.push(t.phases.generateMs);
        row.compile.push(t.phases.compileMs);
        row.tierUp.push(t.phases.tierUpMs);
        row.probe.push(t.phases.probeMs);
        row.timing.push(t.phases.timingMs);
        if (t.slice) row.sliced++;
        if (t.phases.optimized) row.optimized++;
      };
      const result = await tune('agent', problem, oracle, { scorer });
      row.measured.push(result.evaluations);
      row.searchMs.push(result.totalMs);
      process.stderr.write(
        `measure:search: ${p.name} round ${r + 1}: ${result.evaluations} measured in ${result.totalMs.toFixed(0)} ms\n`,
      );
    }
    rows.push(row);
  }
  const loadAfter = loadavg();
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ rows, loadBefore, loadAfter })}\n`);
    return 0;
  }
  const med = (xs: number[]) => fmt(median(xs), 1);
  const body = rows.map((r) => [
    r.problem,
    r.measured.join(', '),
    `${med(r.total)} (${fmt(Math.max(...r.total), 0)})`,
    med(r.generate),
    med(r.compile),
    med(r.tierUp),
    med(r.probe),
    med(r.timing),
    `${r.sliced} / ${r.total.length}`,
    `${r.optimized} / ${r.total.length}`,
  ]);
  process.stdout.write(
    `${[
      `the agent's search: kernels measured per 1-s search, and per measurement the median ms of each step (${args.rounds} searches per problem)`,
      `load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')} (2 cores; a shared machine)`,
      ...table(
        [
          'problem',
          'measured',
          'ms each (max)',
          'generate',
          'compile',
          'optimized code',
          'probe',
          'timing',
          'on slices',
          'seen optimized',
        ],
        body,
        [0],
      ),
    ].join('\n')}\n`,
  );
  return 0;
}

process.exitCode = await runScript('measure:search', USAGE, parse, run);
