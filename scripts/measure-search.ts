// npm run measure:search [-- --rounds N] [--json]
//
// What one measurement of the agent's search costs, and how many fit its 1 s: on matmul 256^3,
// 1024^3, 2048^3 and a 3x3 128 -> 128 convolution on 56x56, the agent's search (the shipped cost
// model, the expert grid's seeds, SEARCH_TIMING on SEARCH_SLICING's slices: what `npm run tune --
// --method agent` does) runs --rounds times (default 3), and every kernel it times is split into
// generating (the plain kernel and the ranged one), compiling, waiting for V8's optimized code,
// the probe that sizes a slice, and the timing itself. The machine is shared: the load average
// is printed with the figures. --worst N lists the N slowest measurements of each problem with
// their schedule, slice and steps.
import { loadavg } from 'node:os';
import { fmt, median, parseFlags, positiveInt, runScript, table } from './cli.ts';

const USAGE = 'usage: npm run measure:search [-- --rounds N] [--worst N] [--json]';

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
  worst: number;
  json: boolean;
}

/** One kernel timed: which, on what part, and where its time went (ms). */
interface Measured {
  round: number;
  /** Its place in the search's order (1 = the first measured). */
  index: number;
  schedule: string;
  slice: string;
  ms: number;
  generate: number;
  compile: number;
  tierUp: number;
  probe: number;
  timing: number;
  optimized: boolean;
}

interface Row {
  problem: string;
  /** Kernels timed per search (the candidates and the finalists measured again). */
  measured: number[];
  /** Candidates measured per search. */
  candidates: number[];
  searchMs: number[];
  /** Readying the oracle before each search's clock (buffers; the process's first kernel), ms. */
  setupMs: number[];
  /** Of each search, ms spent scoring before the first measurement. */
  scoringMs: number[];
  belowFloor: number;
  /** Per measurement, ms. */
  total: number[];
  generate: number[];
  compile: number[];
  tierUp: number[];
  probe: number[];
  timing: number[];
  sliced: number;
  optimized: number;
  each: Measured[];
}

function parse(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    rounds: { type: 'string' },
    worst: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  return {
    rounds: positiveInt('rounds', v.rounds, 3, 1, 20),
    worst: v.worst === undefined ? 0 : positiveInt('worst', v.worst, 0, 1, 100),
    json: v.json ?? false,
  };
}

async function run(args: Args): Promise<number> {
  const { parseProblem } = await import('../src/core/problem.ts');
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { RuntimeOracle } = await import('../src/agent/oracle.ts');
  const { tune } = await import('../src/agent/methods.ts');
  const { sliceLabel } = await import('../src/runtime/slice.ts');
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
      candidates: [],
      searchMs: [],
      setupMs: [],
      scoringMs: [],
      belowFloor: 0,
      total: [],
      generate: [],
      compile: [],
      tierUp: [],
      probe: [],
      timing: [],
      sliced: 0,
      optimized: 0,
      each: [],
    };
    for (let r = 0; r < args.rounds; r++) {
      // A fresh oracle per search, as tune's: no kernel or buffer carried over.
      const oracle = new RuntimeOracle(codegen, target);
      let index = 0;
      oracle.onTimed = (t, ms) => {
        row.each.push({
          round: r + 1,
          index: ++index,
          schedule: t.schedule,
          slice: t.slice ? sliceLabel(t.slice) : 'whole',
          ms,
          generate: t.phases.generateMs,
          compile: t.phases.compileMs,
          tierUp: t.phases.tierUpMs,
          probe: t.phases.probeMs,
          timing: t.phases.timingMs,
          optimized: t.phases.optimized,
        });
        row.total.push(ms);
        row.generate.push(t.phases.generateMs);
        row.compile.push(t.phases.compileMs);
        row.tierUp.push(t.phases.tierUpMs);
        row.probe.push(t.phases.probeMs);
        row.timing.push(t.phases.timingMs);
        if (t.slice) row.sliced++;
        if (t.phases.optimized) row.optimized++;
        if (t.belowFloor) row.belowFloor++;
      };
      const result = await tune('agent', problem, oracle, { scorer });
      row.measured.push(result.evaluations);
      const candidates = (result as { measuredCandidates?: unknown[] }).measuredCandidates?.length ?? 0;
      row.candidates.push(candidates);
      row.searchMs.push(result.totalMs);
      row.setupMs.push(result.setupMs ?? 0);
      row.scoringMs.push((result as { scoringMs?: number }).scoringMs ?? 0);
      process.stderr.write(
        `measure:search: ${p.name} round ${r + 1}: ${candidates} candidates, ${result.evaluations} kernels timed in ${result.totalMs.toFixed(0)} ms\n`,
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
    r.measured.map((m, i) => `${r.candidates[i]} + ${m - r.candidates[i]}`).join(', '),
    r.searchMs.map((x, i) => `${fmt(x, 0)} (${fmt(r.scoringMs[i], 0)})`).join(', '),
    r.setupMs.map((x) => fmt(x, 0)).join(', '),
    `${med(r.total)} (${fmt(Math.max(...r.total), 0)})`,
    med(r.generate),
    med(r.compile),
    med(r.tierUp),
    med(r.probe),
    med(r.timing),
    `${r.sliced} / ${r.total.length}`,
    `${r.optimized} / ${r.total.length}`,
    `${r.belowFloor} / ${r.total.length}`,
  ]);
  process.stdout.write(
    `${[
      `the agent's search: kernels measured per 1-s search, and per measurement the median ms of each step (${args.rounds} searches per problem)`,
      `load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')} (2 cores; a shared machine)`,
      ...table(
        [
          'problem',
          'measured (candidates + again)',
          'search ms (scoring)',
          'setup ms',
          'ms each (max)',
          'generate',
          'compile',
          'optimized code',
          'probe',
          'timing',
          'on slices',
          'seen optimized',
          'below floor',
        ],
        body,
        [0],
      ),
    ].join('\n')}\n`,
  );
  if (args.worst > 0) {
    const worst = rows.flatMap((r) =>
      [...r.each]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, args.worst)
        .map((m) => [
          r.problem,
          `${m.round}.${m.index}`,
          `\`${m.schedule}\``,
          m.slice,
          fmt(m.ms, 1),
          fmt(m.generate, 1),
          fmt(m.compile, 1),
          fmt(m.tierUp, 1),
          fmt(m.probe, 1),
          fmt(m.timing, 1),
          m.optimized ? 'yes' : 'no',
        ]),
    );
    process.stdout.write(
      `${[
        '',
        `the ${args.worst} slowest measurements of each problem (at: search.order; ms)`,
        ...table(
          [
            'problem',
            'at',
            'schedule',
            'part timed',
            'ms',
            'generate',
            'compile',
            'optimized code',
            'probe',
            'timing',
            'seen optimized',
          ],
          worst,
          [0, 1, 2, 3],
        ),
      ].join('\n')}\n`,
    );
  }
  return 0;
}

process.exitCode = await runScript('measure:search', USAGE, parse, run);
