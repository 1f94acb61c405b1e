// npm run measure:slices [-- --rounds N] [--search] [--json]
//
// How far a slice's figure is from the full run's, on large problems: every schedule below is
// timed on its slice and whole, alternating in --rounds rounds (default 3, best of each), so that
// load coming and going on a shared machine affects both alike. Prints slice / full per schedule.
// --search takes the slices the agent's search times (SEARCH_SLICING: ~3 ms, often inside the
// outermost loop) instead of the default ~20-ms ones.
import { fmt, fmtGflops, parseFlags, positiveInt, runScript, table } from './cli.ts';

const USAGE = 'usage: npm run measure:slices [-- --rounds N] [--search] [--json]';

const CASES: { op: string; sizes: string; schedules: string[] }[] = [
  {
    op: 'C[m,n] += A[m,k] * B[k,n]',
    sizes: 'm=1024, n=1024, k=1024',
    schedules: ['m n k', 'k:8 m:256 n:128 k:128 m:4 n:8', 'm n k m:2 n:16'],
  },
  {
    op: 'C[m,n] += A[m,k] * B[k,n]',
    sizes: 'm=2048, n=2048, k=2048',
    schedules: [
      'n:8 k:16 m:512 n:32 k:128 m:4 n:8',
      'm n k m:2 n:16',
      // What the agent returns and the expert's packed entries.
      'k:32 pack(B) m:170 r8 pack(A) m:4 n:170 r8 k:64 m:3 n:12',
      'n:8 k:8 pack(B) m:512 pack(A) n:32 k:256 m:4 n:8',
    ],
  },
  {
    op: 'C[m,n] += A[m,k] * B[k,n]',
    sizes: 'm=768, n=1536, k=640',
    schedules: ['n:6 k:5 pack(B) m:384 pack(A) n:16 k:128 m:2 n:16', 'k:20 m:192 n:192 k:32 m:4 n:8'],
  },
  {
    op: 'C[m,n] += A[m,k] * B[k,n]',
    sizes: 'm=1536, n=1536, k=768',
    schedules: ['k:6 m n k:128 m:4 n:8'],
  },
  {
    op: 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
    sizes: 'co=128, oh=56, ow=56, ci=128, kh=3, kw=3',
    schedules: ['co oh ow ci kh kw co:4 oh:2 ow:4'],
  },
];

interface Args {
  rounds: number;
  search: boolean;
  json: boolean;
}

function parse(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    rounds: { type: 'string' },
    search: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  return { rounds: positiveInt('rounds', v.rounds, 3, 1, 20), search: v.search ?? false, json: v.json ?? false };
}

async function run(args: Args): Promise<number> {
  const { parseProblem } = await import('../src/core/problem.ts');
  const { parseSchedule } = await import('../src/core/schedule.ts');
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { allocateBuffers } = await import('../src/runtime/buffers.ts');
  const { timeSchedule } = await import('../src/runtime/measure.ts');
  const { sliceLabel } = await import('../src/runtime/slice.ts');
  const { SEARCH_SLICING, ORACLE_SCRATCH_BYTES } = await import('../src/agent/oracle.ts');
  const slicing = args.search ? SEARCH_SLICING : undefined;
  const codegen = await loadCodegen();
  const target = detectTarget();
  const timing = { samples: 5, minSamples: 3, maxTotalMs: 20_000 };
  const rows: { problem: string; schedule: string; slice: string; sliced: number; full: number }[] = [];
  for (const c of CASES) {
    const problem = parseProblem(c.op, c.sizes);
    const buffers = allocateBuffers(problem, 1, { scratchBytes: ORACLE_SCRATCH_BYTES });
    for (const text of c.schedules) {
      const schedule = parseSchedule(problem, text);
      let sliced = 0;
      let full = 0;
      let label = 'whole (fast enough)';
      for (let r = 0; r < args.rounds; r++) {
        const s = await timeSchedule(codegen, problem, schedule, target, { buffers, timing, slicing });
        if (s.slice) label = sliceLabel(s.slice);
        sliced = Math.max(sliced, s.gflops);
        const f = await timeSchedule(codegen, problem, schedule, target, { buffers, timing, full: true });
        full = Math.max(full, f.gflops);
        process.stderr.write(
          `measure:slices: ${c.sizes} ${text} round ${r + 1}: slice ${fmtGflops(s.gflops)}, full ${fmtGflops(f.gflops)}\n`,
        );
      }
      rows.push({ problem: c.sizes, schedule: text, slice: label, sliced, full });
    }
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ rows })}\n`);
  } else {
    const body = rows.map((r) => [
      r.problem,
      r.schedule,
      r.slice,
      fmtGflops(r.sliced),
      fmtGflops(r.full),
      `${fmt(r.sliced / r.full, 3)}`,
    ]);
    process.stdout.write(
      `${table(['problem', 'schedule', 'slice', 'GFLOPS slice', 'GFLOPS full', 'slice / full'], body, [0, 1, 2]).join('\n')}\n`,
    );
  }
  return 0;
}

process.exitCode = await runScript('measure:slices', USAGE, parse, run);
