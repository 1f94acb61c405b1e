// npm run bench -- --op "<expr>" --sizes "m=..,n=..,k=.." [--schedule "<loops>"]... [--threads N] [--samples N] [--seed S] [--json]
//
// Checks, then times, on one thread: naive scalar JS loops (`naive-js`), the generated kernel of
// the default schedule (`default`), the generated kernel of every --schedule (`schedule`),
// tfjs-backend-wasm's matMul or conv2d (`xnnpack`, matmul- and convolution-shaped problems) and the peak kernel
// (`peak`). Also reports how long generating and compiling one kernel takes (median).
// A problem over --max-gflop (default 10 GFLOP a call) is refused; over --naive-gflop (default
// 0.5) naive-js is timed on a smaller problem (fewer rows) and the output says so. Problems from
// 0.1 GFLOP on print progress on stderr.
//
// With --threads N (N >= 2) the same run adds, on N threads sharing one memory: every --schedule
// again (its parallel loop's iterations divided among the threads; a schedule without `||` gets
// its outermost loop that may run in parallel marked), onnxruntime-web's MatMul or Conv (`ort-mlas`, its
// MLAS GEMM or convolution, the threaded baseline; matmul- and convolution-shaped problems) and the peak kernel on every
// thread at once. Ratios: `vs 1 thread` (the same schedule's row on one thread), `vs ort` (rows
// on N threads), and `% of peak` against the peak at the row's thread count.
//
// The rows after `default` are measured in --rounds interleaved rounds (default 1, or 3 with
// --threads), each row keeping its best round, so that a burst of load elsewhere on the machine
// does not decide a ratio.
//
// A kernel whose full run would take over 50 ms is timed on a slice of its outermost loop
// (src/runtime/slice.ts) and its row says which part ran; --full runs every kernel whole.
//
// With --c-export every --schedule is also exported as C with wasm SIMD intrinsics
// (src/codegen/simdCExport.ts), compiled with `emcc -O2 -msimd128`, checked and timed in the same
// rounds (`c-export` rows, every kernel whole) and compared with the generator's kernel of the same
// multiply-add: when emcc's clang lacks the relaxed madd intrinsic (before clang 16) the C runs
// mul + add, and a `schedule-simd128` row times the generator's mul + add kernel beside it.
//
// Exit codes: 0 all rows correct; 1 a row is incorrect or something failed unexpectedly;
// 2 bad input (unknown flag, missing --op/--sizes, a DSL or schedule error).
import { excerpt } from '../src/core/format.ts';
import { MAX_THREADS } from '../src/runtime/threads.ts';
import { DEFAULT_BENCH_PORT } from './benchChromium.ts';
import {
  MAX_REPS,
  UsageError,
  fmt,
  fmtGflops,
  median,
  parseFlags,
  problemFlags,
  positiveInt,
  positiveNumber,
  roundsFlag,
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
  '[--threads N] [--rounds N] [--samples N] [--seed S] [--compile-reps N] [--max-gflop G] [--naive-gflop G] [--full] [--c-export] ' +
  '[--engine node|chromium [--dist DIR] [--port N]] [--json]';

const COMPILE_REPS = 11;
/** Most samples or compile repetitions a run may ask for. */

interface Args {
  op: string;
  sizes: string;
  schedules: string[];
  json: boolean;
  samples: number;
  seed: number;
  compileReps: number;
  threads: number;
  rounds: number;
  maxGflop: number;
  naiveGflop: number;
  /** Run every kernel whole, never on a slice. */
  full: boolean;
  /** Also time every schedule's C export (emcc) beside the generator's kernel. */
  cExport: boolean;
  /** Where the kernels run: this Node, or Chromium through the page's kernel worker (the build in `dist`, served on `port`). */
  engine: 'node' | 'chromium';
  dist: string;
  port: number;
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
      threads: { type: 'string' },
      rounds: { type: 'string' },
      'max-gflop': { type: 'string' },
      'naive-gflop': { type: 'string' },
      full: { type: 'boolean' },
      'c-export': { type: 'boolean' },
      engine: { type: 'string' },
      dist: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'quote the expression: --op "C[m,n] += A[m,k] * B[k,n]"',
  );
  if (v.help) return 'help';
  const { op, sizes } = problemFlags(v);
  if (v['c-export'] && !v.schedule) throw new UsageError('--c-export times the C export of each --schedule; give one');
  const engine = engineFlag(v.engine);
  if (engine === 'node' && (v.dist !== undefined || v.port !== undefined))
    throw new UsageError('--dist and --port are for --engine chromium (the page build it serves)');
  if (engine === 'chromium' && v['c-export'])
    throw new UsageError('--c-export compiles and times the C in Node; drop --engine chromium');
  return {
    op,
    sizes,
    schedules: v.schedule ?? [],
    json: v.json ?? false,
    samples: positiveInt('samples', v.samples, 7, 1, MAX_REPS),
    seed: positiveInt('seed', v.seed, 1, 0),
    compileReps: positiveInt('compile-reps', v['compile-reps'], COMPILE_REPS, 1, MAX_REPS),
    threads: threadCount(v.threads),
    rounds: roundsFlag(v.rounds, v.threads !== undefined && threadCount(v.threads) > 1 ? 3 : 1),
    maxGflop: positiveNumber('max-gflop', v['max-gflop'], DEFAULT_MAX_GFLOP),
    naiveGflop: positiveNumber('naive-gflop', v['naive-gflop'], DEFAULT_NAIVE_GFLOP),
    full: (v.full ?? false) || (v['c-export'] ?? false),
    cExport: v['c-export'] ?? false,
    engine,
    dist: v.dist ?? process.env.LOOPLAB_DIST ?? 'dist',
    port: positiveInt('port', v.port, DEFAULT_BENCH_PORT, 1, 65535),
  };
}

function engineFlag(text: string | undefined): 'node' | 'chromium' {
  if (text === undefined || text === 'node') return 'node';
  if (text === 'chromium') return 'chromium';
  throw new UsageError(
    `--engine is node (the default: kernels timed in this Node) or chromium (in the page's engine), got '${excerpt(text)}'`,
  );
}

function threadCount(text: string | undefined): number {
  const n = positiveInt('threads', text, 1);
  if (n > MAX_THREADS) throw new UsageError(`--threads wants at most ${MAX_THREADS} threads, got ${n}`);
  return n;
}

type Measurement = import('../src/runtime/measure.ts').Measurement;

/**
 * One row per position of the rounds (every round measures the same rows in the same order): the
 * best GFLOPS of the rounds, the median of their medians, correct only when correct in every
 * round; the rest (schedule, report, compile times) from the first round.
 */
export function mergeRounds(rounds: Row[][]): Row[] {
  if (rounds.length === 0) return [];
  return rounds[0].map((first, i) => {
    const all = rounds.map((r) => r[i]);
    const best = all.map((r) => r.gflops);
    const medians = all.map((r) => r.gflops_median);
    const timed = best.every((g) => g !== null);
    const bad = all.find((r) => !r.correct);
    return {
      ...first,
      gflops: timed ? Math.max(...(best as number[])) : null,
      gflops_median: timed ? median(medians as number[]) : null,
      correct: bad === undefined,
      ...(bad?.reason ? { reason: bad.reason } : {}),
    };
  });
}

export interface Row {
  impl: string;
  threads: number;
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
  /** Threaded schedule rows: iterations of the parallel loop each thread ran. */
  ranges?: [number, number][] | null;
  /** naive-js only: the sizes of the smaller problem it was timed on. */
  sampled_sizes?: string;
  /** Kernel rows timed on a slice: which part ran (`on 12 of 2048 iterations of m`). */
  slice?: string;
  /** c-export rows: the multiply-add the C compiled to. */
  madd?: 'relaxed' | 'mul+add';
  /**
   * Node's rows whose tile the generator cut down for Node 20's compiler (which loads all of a
   * tile's operands first) and that would fit whole in Chromium's: what it kept as a loop.
   */
  fits_in_chromium?: string;
}

async function run(args: Args): Promise<number> {
  // Heavy modules are loaded only after the arguments are known to be good.
  const { parseProblem, sizesText } = await import('../src/core/problem.ts');
  const { defaultSchedule, parseSchedule, printSchedule } = await import('../src/core/schedule.ts');
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { allocateBuffers } = await import('../src/runtime/buffers.ts');
  const { measureSchedule } = await import('../src/runtime/measure.ts');
  const { sliceLabel } = await import('../src/runtime/slice.ts');
  const { measureNaive } = await import('../src/runtime/naive.ts');
  const { measurePeak, measurePeakOnThreads } = await import('../src/runtime/peak.ts');
  const { measureOrt } = await import('../src/runtime/ortBaseline.ts');
  const { measureXnnpack } = await import('../src/runtime/xnnpack.ts');
  const { xnnpackOp } = await import('../src/core/xnnpackOp.ts');
  const { applyAction } = await import('../src/core/actions.ts');

  const problem = parseProblem(args.op, args.sizes);
  const schedules = args.schedules.map((text) => {
    try {
      return parseSchedule(problem, text);
    } catch (e) {
      if (e instanceof Error) e.message = `--schedule "${excerpt(text)}": ${e.message}`;
      throw e;
    }
  });

  checkWork(problem.flops, args.maxGflop, 'checking and timing every row');
  if (args.engine === 'chromium') {
    const texts = schedules.map((schedule) => ({
      one: printSchedule(problem, schedule),
      threaded: printSchedule(problem, parallelized(problem, schedule, applyAction)),
    }));
    const measured = await chromiumRows(args, printSchedule(problem, defaultSchedule(problem)), texts, problem.flops);
    return finish(args, problem.op, problem.flops, measured.relaxedSimd, measured.rows, measured.engine);
  }

  const codegen = await loadCodegen();
  const target = detectTarget();
  const buffers = allocateBuffers(problem, args.seed);
  const xnnpackRow = xnnpackOp(problem) !== null;
  const progress = new Progress('bench', 2 + args.rounds, problem.flops >= PROGRESS_FLOPS);
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
    threads: 1,
    gflops: naive.gflops,
    gflops_median: naive.gflopsMedian,
    correct: naive.check.correct,
    schedule: printSchedule(naiveProblem, defaultSchedule(naiveProblem)),
    max_error: naive.check.maxError,
    checked: naive.check.checked,
    ...(naive.check.reason ? { reason: naive.check.reason } : {}),
    ...(sampled ? { sampled_sizes: sizesText(naiveProblem) } : {}),
  });

  type Schedule = ReturnType<typeof defaultSchedule>;
  const kernelRow = (impl: string, m: Measurement, threads: number): Row =>
    measurementRow(impl, m, threads, sliceLabel);
  /** Generating + compiling one kernel: median over a few repetitions (after a first, warming one). */
  const compileTimes = async (schedule: Schedule) => {
    const gen: number[] = [];
    const comp: number[] = [];
    for (let i = 0; i < args.compileReps; i++) {
      const c = await codegen.compile(problem, schedule, target);
      gen.push(c.generateMs);
      comp.push(c.compileMs);
    }
    return { generate_ms: median(gen), compile_ms: median(comp) };
  };

  progress.start(2, 'default');
  const defaultRun = await measureSchedule(codegen, problem, defaultSchedule(problem), target, {
    buffers,
    timing,
    full: args.full,
  });
  rows.push({ ...kernelRow('default', defaultRun, 1), ...(await compileTimes(defaultSchedule(problem))) });
  progress.done();

  const cExport = args.cExport ? await prepareCExport() : null;

  /** Every schedule's C export compiled by emcc into one module, its tensors copied from `buffers`. */
  async function prepareCExport() {
    const { simdCExport } = await import('../src/codegen/simdCExport.ts');
    const { compileCKernels, emccAvailable, emccRelaxedMadd } = await import('../src/codegen/compileC.ts');
    if (!emccAvailable()) throw new UsageError('--c-export needs Emscripten: install it (apt-get install emscripten)');
    const sources = schedules.map((schedule, i) => {
      const { report } = codegen.generate(problem, schedule, target);
      return { name: `kernel_${i}`, source: simdCExport(problem, schedule, report, { name: `kernel_${i}` }) };
    });
    const relaxed = target.relaxedSimd && emccRelaxedMadd();
    const kernels = await compileCKernels(sources, {
      relaxed: target.relaxedSimd,
      memoryBytes: 4 * (buffers.out.length + buffers.in0.length + buffers.in1.length) + 256,
    });
    const view = (elements: number) =>
      new Float32Array(kernels.memory.buffer, kernels.malloc(elements * 4 + 64), elements);
    const out = view(buffers.out.length);
    const in0 = view(buffers.in0.length);
    const in1 = view(buffers.in1.length);
    in0.set(buffers.in0);
    in1.set(buffers.in1);
    return { kernels, out, in0, in1, relaxed };
  }

  // Rows compared with each other are timed in interleaved rounds (best of the rounds), so that
  // load coming and going on a shared machine favours none of them.
  const pool =
    args.threads > 1 ? (await import('../src/runtime/nodeThreads.ts')).createNodeThreadPool(args.threads) : null;
  const shared = pool
    ? (await import('../src/runtime/measureThreads.ts')).allocateSharedBuffers(problem, args.seed)
    : null;
  const rounds: Row[][] = [];
  try {
    for (let round = 0; round < args.rounds; round++) {
      progress.start(3 + round, `round ${round + 1} of ${args.rounds}: schedules, baselines, peak`);
      rounds.push(await comparedRows(round === 0));
      progress.done();
    }
  } finally {
    pool?.terminate();
  }
  rows.push(...mergeRounds(rounds));

  /** The schedule's C export, and the generator's mul + add kernel when the C could not use relaxed madd. */
  async function cExportRows(schedule: Schedule, i: number): Promise<Row[]> {
    if (!cExport) return [];
    const { checkOutput } = await import('../src/runtime/check.ts');
    const { measureThroughput } = await import('../src/runtime/timing.ts');
    const { kernels, out, in0, in1, relaxed } = cExport;
    const kernel = kernels.kernel(`kernel_${i}`);
    const ptr = (a: Float32Array) => a.byteOffset;
    const call = () => kernel(ptr(out), ptr(in0), ptr(in1));
    const check = checkOutput(problem, buffers, () => {
      out.set(buffers.out);
      call();
      buffers.out.set(out);
    });
    const t = check.correct
      ? measureThroughput(call, problem.flops, { ...timing, beforeSample: () => out.fill(0) })
      : null;
    const rows: Row[] = [
      {
        impl: 'c-export',
        threads: 1,
        gflops: t?.gflops ?? null,
        gflops_median: t?.gflopsMedian ?? null,
        correct: check.correct,
        schedule: printSchedule(problem, schedule),
        max_error: check.maxError,
        checked: check.checked,
        madd: relaxed ? 'relaxed' : 'mul+add',
        ...(check.reason ? { reason: check.reason } : {}),
      },
    ];
    if (target.relaxedSimd && !relaxed) {
      const plain = await measureSchedule(
        codegen,
        problem,
        schedule,
        { ...target, relaxedSimd: false },
        {
          buffers,
          timing,
          full: true,
        },
      );
      rows.push(kernelRow('schedule-simd128', plain, 1));
    }
    return rows;
  }

  async function comparedRows(first: boolean): Promise<Row[]> {
    // Each schedule on one thread and right after on N, so that the two see the same load.
    const oneThread: Row[] = [];
    const nThreads: Row[] = [];
    const { measureScheduleOnThreads } = await import('../src/runtime/measureThreads.ts');
    for (const [i, schedule] of schedules.entries()) {
      const m = await measureSchedule(codegen, problem, schedule, target, { buffers, timing, full: args.full });
      oneThread.push({ ...kernelRow('schedule', m, 1), ...(first ? await compileTimes(schedule) : {}) });
      if (cExport) oneThread.push(...(await cExportRows(schedule, i)));
      if (pool && shared) {
        const t = await measureScheduleOnThreads(
          codegen,
          problem,
          parallelized(problem, schedule, applyAction),
          target,
          pool,
          {
            buffers: shared,
            timing,
          },
        );
        nThreads.push({ ...kernelRow('schedule', t, pool.threads), ranges: t.ranges });
      }
    }
    const out: Row[] = [...oneThread, ...nThreads];
    if (xnnpackRow) {
      const x = await measureXnnpack(problem, buffers, { timing });
      if (x) {
        out.push({
          impl: 'xnnpack',
          threads: 1,
          gflops: x.gflops,
          gflops_median: x.gflopsMedian,
          correct: x.check.correct,
          max_error: x.check.maxError,
          checked: x.check.checked,
          ...(x.check.reason ? { reason: x.check.reason } : {}),
        });
      }
    }
    const peak = await measurePeak(codegen, target, timing);
    out.push({ impl: 'peak', threads: 1, gflops: peak.gflops, gflops_median: peak.gflopsMedian, correct: true });
    if (pool) {
      const peakN = await measurePeakOnThreads(codegen, target, pool, timing);
      out.push({
        impl: 'peak',
        threads: pool.threads,
        gflops: peakN.gflops,
        gflops_median: peakN.gflopsMedian,
        correct: true,
      });
      const o = await measureOrt(problem, buffers, pool.threads, { timing });
      if (o) {
        out.push({
          impl: 'ort-mlas',
          threads: o.threads,
          gflops: o.gflops,
          gflops_median: o.gflopsMedian,
          correct: o.check.correct,
          max_error: o.check.maxError,
          checked: o.check.checked,
          ...(o.check.reason ? { reason: o.check.reason } : {}),
        });
      }
    }
    return out;
  }

  if (target.hoistsLoads) {
    // A tile Node's compiler cannot hold but the page's can: the table says so.
    for (const row of rows) {
      const cut = (row.report as { tileReduction?: string } | undefined)?.tileReduction;
      if (row.threads !== 1 || !cut || !row.schedule || !row.impl.startsWith('schedule')) continue;
      const inChromium = codegen.generate(problem, parseSchedule(problem, row.schedule), {
        ...target,
        hoistsLoads: false,
      });
      if (!inChromium.report.tileReduction) row.fits_in_chromium = cut;
    }
  }
  return finish(args, problem.op, problem.flops, target.relaxedSimd, rows, null);
}

type ScheduleOf = import('../src/core/types.ts').Schedule;
type ProblemOf = import('../src/core/types.ts').Problem;

/** The schedule itself when it has a parallel loop, else with its outermost loop that may be parallel marked. */
function parallelized(
  problem: ProblemOf,
  schedule: ScheduleOf,
  applyAction: typeof import('../src/core/actions.ts').applyAction,
): ScheduleOf {
  if (schedule.loops.some((loop) => loop.parallel)) return schedule;
  for (let cursor = 0; cursor < schedule.loops.length; cursor++) {
    const r = applyAction(problem, { schedule, cursor }, 'parallel');
    if (r.ok) return r.state.schedule;
  }
  return schedule;
}

/** A kernel's row: its figures, check and report (`label` names the slice it was timed on, if any). */
function measurementRow(
  impl: string,
  m: Omit<Measurement, 'kernelBytes'>,
  threads: number,
  label: (slice: NonNullable<Measurement['slice']>) => string,
): Row {
  return {
    impl,
    threads,
    gflops: m.gflops,
    gflops_median: m.gflopsMedian,
    correct: m.correct,
    schedule: m.schedule,
    max_error: m.maxError,
    checked: m.checked,
    ...(m.reason ? { reason: m.reason } : {}),
    ...(m.slice ? { slice: label(m.slice) } : {}),
    report: m.report,
  };
}

/** Prints the rows (a table, or JSON); the exit code: 1 when a row is incorrect. */
function finish(args: Args, op: string, flops: number, relaxed: boolean, rows: Row[], engine: string | null): number {
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ op: args.op, sizes: args.sizes, engine: engine ?? 'node', rows })}\n`);
  } else {
    process.stdout.write(renderTable(op, args.sizes, flops, relaxed, rows, args.compileReps, args.threads, engine));
  }
  const wrong = rows.filter((r) => !r.correct);
  for (const r of wrong) {
    process.stderr.write(
      `bench: ${r.impl}${r.schedule ? ` (${r.schedule})` : ''} is incorrect: ${r.reason ?? 'wrong output'}\n`,
    );
  }
  return wrong.length > 0 ? 1 : 0;
}

/**
 * The rows of --engine chromium: the default schedule, then --rounds interleaved rounds of every
 * schedule (and with --threads N each again on N threads, its parallel loop marked where needed),
 * XNNPACK and the peak (on N threads too), all timed by the page's kernel worker in Chromium (no
 * naive-js: it is the same JS in either engine; no ort-mlas: the page does not load it).
 */
async function chromiumRows(
  args: Args,
  defaultText: string,
  schedules: { one: string; threaded: string }[],
  flops: number,
): Promise<{ rows: Row[]; engine: string; relaxedSimd: boolean }> {
  const { benchBuildProblem, openPageBench } = await import('./benchChromium.ts');
  const missing = benchBuildProblem(args.dist);
  if (missing) throw new UsageError(missing);
  const problemText = `${args.op}\n${args.sizes}`;
  const options = { threads: 1, samples: args.samples, budgetMs: 10_000, full: args.full, seed: args.seed };
  const progress = new Progress('bench', 2 + args.rounds, flops >= PROGRESS_FLOPS);
  progress.start(1, `Chromium: the build in ${args.dist}/ on port ${args.port}`);
  const bench = await openPageBench(args.dist, args.port);
  progress.done();
  try {
    const { sliceLabel } = await import('../src/runtime/slice.ts');
    const kernelRow = (
      impl: string,
      m: Omit<Measurement, 'kernelBytes'> & { threads: number },
      first: boolean,
    ): Row => ({
      ...measurementRow(impl, m, m.threads, sliceLabel),
      ...(first ? { generate_ms: m.generateMs, compile_ms: m.compileMs } : {}),
    });
    progress.start(2, 'default');
    const rows: Row[] = [kernelRow('default', await bench.measure(problemText, defaultText, options), true)];
    progress.done();
    const rounds: Row[][] = [];
    for (let round = 0; round < args.rounds; round++) {
      progress.start(3 + round, `round ${round + 1} of ${args.rounds}: schedules, baselines, peak`);
      const out: Row[] = [];
      const onThreads: Row[] = [];
      for (const { one, threaded } of schedules) {
        out.push(kernelRow('schedule', await bench.measure(problemText, one, options), round === 0));
        if (args.threads < 2) continue;
        const m = await bench.measure(problemText, threaded, { ...options, threads: args.threads });
        if (m.threads !== args.threads && m.schedule.includes('||'))
          throw new Error(
            `the page ran ${m.schedule} on ${m.threads} thread(s), not ${args.threads}: threads are not available in this Chromium`,
          );
        // A schedule with no loop that may be parallel runs on one of the threads, as in Node.
        onThreads.push({ ...kernelRow('schedule', m, false), threads: args.threads });
      }
      out.push(...onThreads);
      const x = await bench.xnnpack(problemText);
      if (x)
        out.push({
          impl: 'xnnpack',
          threads: 1,
          gflops: x.gflops,
          gflops_median: x.gflopsMedian,
          correct: x.correct,
          ...(x.reason ? { reason: x.reason } : {}),
        });
      out.push({ impl: 'peak', threads: 1, gflops: await bench.peak(1), gflops_median: null, correct: true });
      if (args.threads > 1)
        out.push({
          impl: 'peak',
          threads: args.threads,
          gflops: await bench.peak(args.threads),
          gflops_median: null,
          correct: true,
        });
      rounds.push(out);
      progress.done();
    }
    rows.push(...mergeRounds(rounds));
    return { rows, engine: bench.engine, relaxedSimd: bench.target.relaxedSimd };
  } finally {
    await bench.close();
  }
}

function renderTable(
  op: string,
  sizes: string,
  flops: number,
  relaxed: boolean,
  rows: Row[],
  reps: number,
  threads: number,
  engine: string | null,
): string {
  const threaded = threads > 1;
  const xnn = rows.find((r) => r.impl === 'xnnpack')?.gflops ?? null;
  const ort = rows.find((r) => r.impl === 'ort-mlas')?.gflops ?? null;
  const peakAt = (n: number) => rows.find((r) => r.impl === 'peak' && r.threads === n)?.gflops ?? null;
  const schedules = rows.filter((r) => r.impl === 'schedule');
  /** The same --schedule on one thread (the i-th threaded schedule row pairs with the i-th one-thread row). */
  const oneThread = (r: Row): number | null => {
    if (r.impl !== 'schedule' || r.threads === 1) return null;
    const i = schedules.filter((s) => s.threads === r.threads).indexOf(r);
    return schedules.filter((s) => s.threads === 1)[i]?.gflops ?? null;
  };
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? `${fmt(a / b)}x` : '');
  const header = [
    'impl',
    ...(threaded ? ['threads'] : []),
    'GFLOPS best',
    'GFLOPS median',
    'correct',
    ...(threaded ? ['vs 1 thread', 'vs ort'] : []),
    'vs xnnpack',
    '% of peak',
    'schedule',
  ];
  const body = rows.map((r) => {
    const isPeak = r.impl === 'peak';
    const peak = peakAt(r.threads);
    return [
      r.impl,
      ...(threaded ? [String(r.threads)] : []),
      fmtGflops(r.gflops),
      fmtGflops(r.gflops_median),
      r.correct ? 'yes' : 'NO',
      // ort-mlas runs on N threads: only rows on N threads are compared with it.
      ...(threaded
        ? [
            ratio(r.gflops, oneThread(r)),
            isPeak || r.impl === 'ort-mlas' || r.threads !== threads ? '' : ratio(r.gflops, ort),
          ]
        : []),
      isPeak ? '' : ratio(r.gflops, xnn),
      peak !== null && r.gflops !== null && !isPeak ? `${fmt((100 * r.gflops) / peak, 1)}%` : '',
      r.impl === 'naive-js' || r.impl.startsWith('schedule') || r.impl === 'default' || r.impl === 'c-export'
        ? (r.schedule ?? '')
        : '',
    ];
  });
  const out: string[] = [];
  const where = threaded ? `one thread and ${threads} threads` : 'one thread';
  const inEngine = engine ? `; in ${engine}, through the page's kernel worker` : '';
  out.push(
    `${op}   (${sizes}; ${(flops / 1e6).toFixed(1)} MFLOP; relaxed SIMD ${relaxed ? 'on' : 'off'}; ${where}${inEngine})`,
  );
  out.push('');
  out.push(...table(header, body));
  out.push('');
  out.push(
    engine
      ? "generating + compiling one kernel (once, in the page's worker):"
      : `generating + compiling one kernel (median of ${reps}):`,
  );
  for (const r of rows) {
    if (r.generate_ms === undefined || r.compile_ms === undefined) continue;
    const total = r.generate_ms + r.compile_ms;
    out.push(
      `  ${r.impl.padEnd(8)} ${fmt(r.generate_ms, 3)} ms generate + ${fmt(r.compile_ms, 3)} ms compile = ${fmt(total, 3)} ms   ${r.schedule ?? ''}`.trimEnd(),
    );
  }
  // A c-export row follows its schedule's row, and comes before its schedule-simd128 row (if any).
  const cRows = rows.flatMap((c, j) => {
    if (c.impl !== 'c-export') return [];
    const same = rows[j + 1]?.impl === 'schedule-simd128' && c.madd === 'mul+add' ? rows[j + 1] : rows[j - 1];
    return [{ c, same }];
  });
  if (cRows.length > 0) {
    out.push('');
    out.push("C export (emcc -O2) / the generator's kernel with the same multiply-add, best GFLOPS (median):");
    for (const { c, same } of cRows)
      out.push(
        `  ${ratio(c.gflops, same.gflops) || '-'} (${ratio(c.gflops_median, same.gflops_median) || '-'})   ${c.madd} vs ${same.impl}   ${c.schedule}`,
      );
  }
  const parallelRows = rows.filter((r) => r.ranges !== undefined);
  if (parallelRows.length > 0) {
    out.push('');
    out.push(`on ${threads} threads:`);
    for (const r of parallelRows) {
      const p = (r.report as { parallel?: { text: string; iterations: number } | null } | undefined)?.parallel;
      const split = r.ranges ? r.ranges.map(([b, e]) => `${e - b}`).join(' + ') : '';
      out.push(
        p
          ? `  ${r.schedule}: ${p.text} runs in parallel, ${p.iterations} iterations split ${split}`
          : `  ${r.schedule}: no loop may run in parallel, so it runs on one of the threads`,
      );
    }
  }
  for (const r of rows) {
    if (r.sampled_sizes)
      out.push(
        `${r.impl}: timed on ${r.sampled_sizes}, a smaller problem (the whole one is over --naive-gflop); its schedule is that problem's`,
      );
  }
  const cut = rows.filter((r) => r.fits_in_chromium);
  if (cut.length > 0) {
    out.push('');
    out.push(
      "Node 20's compiler loads all of a tile's operands before its multiply-adds, so the generator cut these tiles down here; in Chromium, the page's engine, they fit whole (npm run bench -- --engine chromium):",
    );
    for (const r of cut) out.push(`  ${r.schedule}: ${r.fits_in_chromium}`);
  }
  const sliced = rows.filter((r) => r.slice);
  if (sliced.length > 0) {
    out.push('');
    out.push('timed on a slice (a full run would take over 50 ms; --full runs every kernel whole):');
    for (const r of sliced) out.push(`  ${r.impl.padEnd(8)} ${r.slice}   ${r.schedule ?? ''}`.trimEnd());
  }
  for (const r of rows) {
    if (!r.correct) out.push(`${r.impl}: ${r.reason ?? 'incorrect'}`);
  }
  return `${out.join('\n')}\n`;
}

process.exitCode = await runScript('bench', USAGE, parseBenchArgs, run);
