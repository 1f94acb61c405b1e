// npm run bench -- --op "<expr>" --sizes "m=..,n=..,k=.." [--schedule "<loops>"]... [--samples N] [--seed S] [--json]
//
// Checks, then times, on one thread: naive scalar JS loops (`naive-js`), the generated kernel of
// the default schedule (`default`), the generated kernel of every --schedule (`schedule`),
// tfjs-backend-wasm's matMul or conv2d (`xnnpack`, matmul- and convolution-shaped problems) and the peak kernel
// (`peak`). Also reports how long generating and compiling one kernel takes (median).
// A problem over --max-gflop (default 10 GFLOP a call) is refused; over --naive-gflop (default
// 0.5) naive-js is timed on a smaller problem (fewer rows) and the output says so. Problems from
// 0.1 GFLOP on print progress on stderr.
//
// Exit codes: 0 all rows correct; 1 a row is incorrect or something failed unexpectedly;
// 2 bad input (unknown flag, missing --op/--sizes, a DSL or schedule error).
import {
  UsageError,
  fmt,
  fmtGflops,
  median,
  parseFlags,
  positiveInt,
  positiveNumber,
  runScript,
  table,
} from './cli.ts';
import {
  DEFAULT_MAX_GFLOP,
  DEFAULT_NAIVE_GFLOP,
  PROGRESS_FLOPS,
  Progress,
  checkWork,
  naiveSampleSizes,
} from './workLimit.ts';

const USAGE =
  'usage: npm run bench -- --op "<expr>" --sizes "m=..,n=..,k=.." [--schedule "<loops>"]... ' +
  '[--samples N] [--seed S] [--compile-reps N] [--max-gflop G] [--naive-gflop G] [--json]';

const COMPILE_REPS = 11;
/** Most samples or compile repetitions a run may ask for. */
const MAX_REPS = 1000;

interface Args {
  op: string;
  sizes: string;
  schedules: string[];
  json: boolean;
  samples: number;
  seed: number;
  compileReps: number;
  maxGflop: number;
  naiveGflop: number;
}

export function parseBenchArgs(argv: string[]): Args | 'help' {
  const v = parseFlags(
    argv,
    {
      op: { type: 'string' },
      sizes: { type: 'string' },
      schedule: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      'compile-reps': { type: 'string' },
      'max-gflop': { type: 'string' },
      'naive-gflop': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'quote the expression: --op "C[m,n] += A[m,k] * B[k,n]"',
  );
  if (v.help) return 'help';
  if (v.op === undefined || v.op.trim() === '') {
    throw new UsageError('missing --op "<expr>", e.g. --op "C[m,n] += A[m,k] * B[k,n]"');
  }
  if (v.sizes === undefined || v.sizes.trim() === '') {
    throw new UsageError('missing --sizes, e.g. --sizes "m=256,n=256,k=256"');
  }
  return {
    op: v.op,
    sizes: v.sizes,
    schedules: v.schedule ?? [],
    json: v.json ?? false,
    samples: positiveInt('samples', v.samples, 7, 1, MAX_REPS),
    seed: positiveInt('seed', v.seed, 1, 0),
    compileReps: positiveInt('compile-reps', v['compile-reps'], COMPILE_REPS, 1, MAX_REPS),
    maxGflop: positiveNumber('max-gflop', v['max-gflop'], DEFAULT_MAX_GFLOP),
    naiveGflop: positiveNumber('naive-gflop', v['naive-gflop'], DEFAULT_NAIVE_GFLOP),
  };
}

interface Row {
  impl: string;
  gflops: number | null;
  gflops_median: number | null;
  correct: boolean;
  schedule?: string;
  max_error?: number;
  checked?: 'full' | 'sampled';
  reason?: string;
  generate_ms?: number;
  compile_ms?: number;
  report?: unknown;
  /** naive-js only: the sizes of the smaller problem it was timed on. */
  sampled_sizes?: string;
}

async function run(args: Args): Promise<number> {
  // Heavy modules are loaded only after the arguments are known to be good.
  const { parseProblem, sizesText } = await import('../src/core/problem.ts');
  const { defaultSchedule, parseSchedule, printSchedule } = await import('../src/core/schedule.ts');
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { allocateBuffers } = await import('../src/runtime/buffers.ts');
  const { measureSchedule } = await import('../src/runtime/measure.ts');
  const { measureNaive } = await import('../src/runtime/naive.ts');
  const { measurePeak } = await import('../src/runtime/peak.ts');
  const { measureXnnpack } = await import('../src/runtime/xnnpack.ts');
  const { xnnpackOp } = await import('../src/core/xnnpackOp.ts');

  const problem = parseProblem(args.op, args.sizes);
  const schedules = args.schedules.map((text) => {
    try {
      return parseSchedule(problem, text);
    } catch (e) {
      if (e instanceof Error) e.message = `--schedule "${text}": ${e.message}`;
      throw e;
    }
  });

  checkWork(problem.flops, args.maxGflop, 'checking and timing every row');

  const codegen = await loadCodegen();
  const target = detectTarget();
  const buffers = allocateBuffers(problem, args.seed);
  const xnnpackRow = xnnpackOp(problem) !== null;
  const progress = new Progress(
    'bench',
    2 + schedules.length + (xnnpackRow ? 1 : 0) + 1,
    problem.flops >= PROGRESS_FLOPS,
  );
  // Soft budgets keep big problems bearable: kernels get at least 3 samples; naive-js, which can
  // take seconds per call, gets one warm-up call (JS loops tier up within the call, by OSR) and
  // at least one sample.
  const timing = { samples: args.samples, maxTotalMs: 10_000, minSamples: 3 };
  const naiveTiming = { samples: args.samples, maxTotalMs: 3_000, minSamples: 1, minWarmupCalls: 1 };
  const rows: Row[] = [];

  // naive-js runs at a fraction of a GFLOPS: past --naive-gflop it is timed on fewer rows.
  const sampled = naiveSampleSizes(problem.variables, problem.sizes, problem.flops, args.naiveGflop * 1e9);
  const naiveProblem = sampled
    ? parseProblem(problem.op, problem.variables.map((v) => `${v}=${sampled[v]}`).join(', '))
    : problem;
  progress.start(1, sampled ? `naive-js (on ${sizesText(naiveProblem)})` : 'naive-js');
  const naive = measureNaive(naiveProblem, sampled ? allocateBuffers(naiveProblem, args.seed) : buffers, {
    timing: naiveTiming,
  });
  progress.done();
  rows.push({
    impl: 'naive-js',
    gflops: naive.gflops,
    gflops_median: naive.gflopsMedian,
    correct: naive.check.correct,
    schedule: printSchedule(naiveProblem, defaultSchedule(naiveProblem)),
    max_error: naive.check.maxError,
    checked: naive.check.checked,
    ...(naive.check.reason ? { reason: naive.check.reason } : {}),
    ...(sampled ? { sampled_sizes: sizesText(naiveProblem) } : {}),
  });

  const kernels: Array<{ impl: string; schedule: ReturnType<typeof defaultSchedule> }> = [
    { impl: 'default', schedule: defaultSchedule(problem) },
    ...schedules.map((schedule) => ({ impl: 'schedule', schedule })),
  ];
  for (const [i, k] of kernels.entries()) {
    progress.start(2 + i, k.impl);
    const m = await measureSchedule(codegen, problem, k.schedule, target, { buffers, timing });
    // Generating + compiling one kernel: median over a few repetitions (the first one above
    // already warmed up the generator).
    const gen: number[] = [];
    const comp: number[] = [];
    for (let i = 0; i < args.compileReps; i++) {
      const c = await codegen.compile(problem, k.schedule, target);
      gen.push(c.generateMs);
      comp.push(c.compileMs);
    }
    progress.done();
    rows.push({
      impl: k.impl,
      gflops: m.gflops,
      gflops_median: m.gflopsMedian,
      correct: m.correct,
      schedule: m.schedule,
      max_error: m.maxError,
      checked: m.checked,
      ...(m.reason ? { reason: m.reason } : {}),
      generate_ms: median(gen),
      compile_ms: median(comp),
      report: m.report,
    });
  }

  if (xnnpackRow) {
    progress.start(2 + kernels.length, 'xnnpack');
    const x = await measureXnnpack(problem, buffers, { timing });
    progress.done();
    if (x) {
      rows.push({
        impl: 'xnnpack',
        gflops: x.gflops,
        gflops_median: x.gflopsMedian,
        correct: x.check.correct,
        max_error: x.check.maxError,
        checked: x.check.checked,
        ...(x.check.reason ? { reason: x.check.reason } : {}),
      });
    }
  }

  progress.start(2 + kernels.length + (xnnpackRow ? 1 : 0), 'peak');
  const peak = await measurePeak(codegen, target, timing);
  progress.done();
  rows.push({ impl: 'peak', gflops: peak.gflops, gflops_median: peak.gflopsMedian, correct: true });

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ op: args.op, sizes: args.sizes, rows })}\n`);
  } else {
    process.stdout.write(
      renderTable(problem.op, args.sizes, problem.flops, target.relaxedSimd, rows, args.compileReps),
    );
  }

  const wrong = rows.filter((r) => !r.correct);
  for (const r of wrong) {
    process.stderr.write(
      `bench: ${r.impl}${r.schedule ? ` (${r.schedule})` : ''} is incorrect: ${r.reason ?? 'wrong output'}\n`,
    );
  }
  return wrong.length > 0 ? 1 : 0;
}

function renderTable(op: string, sizes: string, flops: number, relaxed: boolean, rows: Row[], reps: number): string {
  const xnn = rows.find((r) => r.impl === 'xnnpack')?.gflops ?? null;
  const peak = rows.find((r) => r.impl === 'peak')?.gflops ?? null;
  const header = ['impl', 'GFLOPS best', 'GFLOPS median', 'correct', 'vs xnnpack', '% of peak', 'schedule'];
  const body = rows.map((r) => [
    r.impl,
    fmtGflops(r.gflops),
    fmtGflops(r.gflops_median),
    r.correct ? 'yes' : 'NO',
    xnn !== null && r.gflops !== null && r.impl !== 'peak' ? `${fmt(r.gflops / xnn)}x` : '',
    peak !== null && r.gflops !== null && r.impl !== 'peak' ? `${fmt((100 * r.gflops) / peak, 1)}%` : '',
    r.impl === 'naive-js' || r.impl === 'default' || r.impl === 'schedule' ? (r.schedule ?? '') : '',
  ]);
  const out: string[] = [];
  out.push(`${op}   (${sizes}; ${(flops / 1e6).toFixed(1)} MFLOP; relaxed SIMD ${relaxed ? 'on' : 'off'}; one thread)`);
  out.push('');
  out.push(...table(header, body));
  out.push('');
  out.push(`generating + compiling one kernel (median of ${reps}):`);
  for (const r of rows) {
    if (r.generate_ms === undefined || r.compile_ms === undefined) continue;
    const total = r.generate_ms + r.compile_ms;
    out.push(
      `  ${r.impl.padEnd(8)} ${fmt(r.generate_ms, 3)} ms generate + ${fmt(r.compile_ms, 3)} ms compile = ${fmt(total, 3)} ms   ${r.schedule ?? ''}`.trimEnd(),
    );
  }
  for (const r of rows) {
    if (r.sampled_sizes)
      out.push(
        `${r.impl}: timed on ${r.sampled_sizes}, a smaller problem (the whole one is over --naive-gflop); its schedule is that problem's`,
      );
  }
  for (const r of rows) {
    if (!r.correct) out.push(`${r.impl}: ${r.reason ?? 'incorrect'}`);
  }
  return `${out.join('\n')}\n`;
}

process.exitCode = await runScript('bench', USAGE, parseBenchArgs, run);
