// npm run cache -- --op "<expr>" --sizes "m=..,n=..,k=.." [--schedule "<loops>"] [--machine NAME]
//                  [--l1 SIZE:WAYS --l2 SIZE:WAYS --l3 SIZE:WAYS --line BYTES] [--exact] [--trace FILE] [--json]
//                  [--runs N] [--warm-up]
//
// Simulates the caches of one core on the memory accesses the generated kernel of the schedule
// makes (its vector loads, broadcasts, gathers, the register tile's loads and stores of the
// output), with the tensors where the runtime places them. Prints per level and per tensor:
// references, misses split into the three Cs, bytes moved to and from the next level, misses per
// 1,000 multiply-adds. The figures do not depend on the machine running the script. A kernel of
// more than a few million accesses is sampled (runtime/cacheSim.ts: some iterations of its long
// loops simulated, the others extrapolated) and the output says so; --exact simulates every
// access. --trace writes the access stream in Dinero IV's din format (`0 addr` read, `1 addr`
// write, hex), which takes an exact run. --runs N simulates N times in this one process and gives
// each time (the first one in a fresh process, with the compiled module still cold; the others warm).
// --warm-up first runs the cache worker's warm-up (runtime/cacheSim.ts warmUpCacheSim) and leaves
// V8 a moment to finish compiling, as the page's worker does before its first simulation.
//
// Exit codes: 0 success; 1 something failed unexpectedly; 2 bad input.
import { closeSync, openSync, writeSync } from 'node:fs';
import { type CacheCounts, type CacheFigures, methodSentence, reuseSentences } from '../src/core/cache/figures.ts';
import {
  customMachine,
  DEFAULT_MACHINE_ID,
  MACHINES,
  type Machine,
  machineById,
  sizeText,
  waysText,
} from '../src/core/cache/machines.ts';
import { formatBytes } from '../src/core/format.ts';
import { UsageError, parseFlags, positiveInt, problemFlags, runScript, table } from './cli.ts';

/** How often --runs may repeat the simulation. */
const MAX_RUNS = 20;

const USAGE = [
  'usage: npm run cache -- --op "<expr>" --sizes "m=..,n=..,k=.." [--schedule "<loops>"] [--machine NAME]',
  '         [--l1 SIZE:WAYS [--l2 SIZE:WAYS [--l3 SIZE:WAYS]] --line BYTES] [--exact [--max-accesses N]] [--trace FILE] [--json]',
  `         [--runs N]  (N <= ${MAX_RUNS} simulations in one process, each one timed: the first cold, then warm)`,
  "         [--warm-up]  (the cache worker's warm-up before the first: the first one warm too)",
  'long kernels are sampled unless --exact (every access simulated); --trace implies --exact',
  `machines (default ${DEFAULT_MACHINE_ID}):`,
  ...MACHINES.map((m) => `  ${m.id.padEnd(12)} ${m.name}`),
  'custom: --l1 32K:8 --l2 1M:16 --line 64 (sizes in bytes, K or M; ways; line size in bytes)',
].join('\n');

/** Memory instructions an exact run may simulate unless --max-accesses says more (about a minute). */
const DEFAULT_MAX_ACCESSES = 500_000_000;

interface Args {
  op: string;
  sizes: string;
  schedule: string | undefined;
  machine: Machine;
  trace: string | undefined;
  /** Every access simulated (with --exact or --trace). */
  exact: boolean;
  maxAccesses: number;
  json: boolean;
  /** Simulations in this process, each timed (--runs). */
  runs: number;
  /** The cache worker's warm-up before the first one (--warm-up). */
  warmUp: boolean;
}

/** How long --warm-up leaves V8 to compile the functions the warm-up tiered up (on background threads). */
const WARM_UP_IDLE_MS = 100;

function machineOf(v: Record<string, string | boolean | undefined>): Machine {
  const custom = (['l1', 'l2', 'l3'] as const).filter((k) => v[k] !== undefined);
  if (custom.length === 0) {
    if (v.line !== undefined)
      throw new UsageError('--line goes with custom levels: add --l1 SIZE:WAYS (e.g. --l1 32K:8)');
    const id = (v.machine as string | undefined) ?? DEFAULT_MACHINE_ID;
    const machine = machineById(id);
    if (!machine)
      throw new UsageError(`unknown machine '${id}'; choose one of ${MACHINES.map((m) => m.id).join(', ')}`);
    return machine;
  }
  if (v.machine !== undefined) throw new UsageError('give either --machine or custom levels (--l1 ...), not both');
  if (custom.join() !== ['l1', 'l2', 'l3'].slice(0, custom.length).join())
    throw new UsageError('custom levels go outward from the core: --l1, then --l2, then --l3');
  const line = positiveInt('line', v.line as string | undefined, 64, 4, 4096);
  const levels = custom.map((k, i) => ({ name: i === 0 ? 'L1d' : `L${i + 1}`, text: v[k] as string }));
  const machine = customMachine(levels, line);
  if (typeof machine === 'string') throw new UsageError(machine);
  return machine;
}

export function parseCacheArgs(argv: string[]): Args | 'help' {
  const v = parseFlags(
    argv,
    {
      op: { type: 'string' },
      sizes: { type: 'string' },
      schedule: { type: 'string' },
      machine: { type: 'string' },
      l1: { type: 'string' },
      l2: { type: 'string' },
      l3: { type: 'string' },
      line: { type: 'string' },
      trace: { type: 'string' },
      'max-accesses': { type: 'string' },
      exact: { type: 'boolean' },
      runs: { type: 'string' },
      'warm-up': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'quote the expression: --op "C[m,n] += A[m,k] * B[k,n]"',
  );
  if (v.help) return 'help';
  const { op, sizes } = problemFlags(v);
  if (v.trace !== undefined && v.trace.trim() === '') throw new UsageError('--trace needs a file name');
  if (v['max-accesses'] !== undefined && !v.exact && v.trace === undefined)
    throw new UsageError('--max-accesses limits an exact run: add --exact (a sampled run needs no limit)');
  if (v.runs !== undefined && v.trace !== undefined)
    throw new UsageError('--runs times the compiled simulator; --trace runs the TypeScript one: leave out one of them');
  if (v['warm-up'] && v.trace !== undefined)
    throw new UsageError(
      '--warm-up readies the compiled simulator; --trace runs the TypeScript one: leave out one of them',
    );
  return {
    op,
    sizes,
    schedule: v.schedule,
    machine: machineOf(v),
    trace: v.trace,
    exact: (v.exact ?? false) || v.trace !== undefined,
    maxAccesses: positiveInt('max-accesses', v['max-accesses'], DEFAULT_MAX_ACCESSES),
    json: v.json ?? false,
    runs: positiveInt('runs', v.runs, 1, 1, MAX_RUNS),
    warmUp: v['warm-up'] ?? false,
  };
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');

function row(name: string, c: CacheCounts): string[] {
  return [
    name,
    int(c.accesses),
    int(c.misses),
    int(c.compulsory),
    int(c.capacity),
    int(c.conflict),
    formatBytes(c.bytes),
    c.missesPer1000Fma.toFixed(2),
  ];
}

/** `52 ms`, or with --runs `52 ms (3 runs in one process: 52, 38, 39 ms; the first one cold)`. */
function timesText(ms: number[], warmedUp: boolean): string {
  const first = `${ms[0].toFixed(0)} ms`;
  const firstOne = warmedUp ? 'the first one after the warm-up' : 'the first one cold';
  if (ms.length === 1) return warmedUp ? `${first} (${firstOne})` : first;
  return `${first} (${ms.length} runs in one process: ${ms.map((t) => t.toFixed(0)).join(', ')} ms; ${firstOne})`;
}

export function cacheText(
  figures: CacheFigures,
  problemText: string,
  scheduleText: string,
  ms: number[],
  warmedUp = false,
): string {
  const m = figures.machine;
  const levels = figures.levels.map((l) => `${l.name} ${sizeText(l.bytes)} ${waysText(l.ways)} (${int(l.sets)} sets)`);
  const out = [
    `Simulated caches for ${problemText}, schedule ${scheduleText}`,
    `Machine: ${m.name} [${m.id}]: ${levels.join(', ')}, ${m.lineBytes}-byte lines, LRU, write-back, write-allocate`,
    `  figures from: ${m.source}`,
    `Kernel: ${int(figures.instructions)} memory instructions (loads and stores) for ${int(figures.fmas)} multiply-adds; simulated in ${timesText(ms, warmedUp)}`,
    `Method: ${methodSentence(figures)}${figures.method === 'sampled' ? ' --exact simulates every access.' : ''}`,
  ];
  for (const level of figures.levels) {
    out.push(
      '',
      `${level.name}: references from ${level === figures.levels[0] ? 'the core' : 'the level above (fills and write-backs)'}; misses go to ${level.next}`,
    );
    const header = [
      'tensor',
      'accesses',
      'misses',
      'compulsory',
      'capacity',
      'conflict',
      `bytes to/from ${level.next}`,
      'misses per 1000 FMAs',
    ];
    const body = [...level.tensors.map((t) => row(t.tensor, t)), row('all', level.total)];
    out.push(...table(header, body, [0]));
  }
  if (figures.reuse) {
    const names = figures.levels.map((l) => l.name);
    out.push(
      '',
      "Reuse: the loop whose iterations bring each tensor's lines back (accesses), and where they were found",
    );
    const body = figures.reuse.flatMap((t) =>
      t.rows.map((r) => [t.tensor, r.loop, int(r.reuses), ...r.served.map((n) => int(n))]),
    );
    out.push(...table(['tensor', 'carried by', 'reuses', ...names.map((n) => `in ${n}`), 'from memory'], body, [0, 1]));
    out.push(...reuseSentences(figures.reuse, names).map((x) => `  ${x}`));
  }
  out.push(
    '',
    'accesses: references to a cache line (an access spanning two lines counts twice). compulsory: first reference to the line;',
    'capacity: a fully associative cache of the same size would miss too; conflict: it would hit (too few ways in the set).',
  );
  return `${out.join('\n')}\n`;
}

async function run(args: Args): Promise<number> {
  const { parseProblem, sizesText } = await import('../src/core/problem.ts');
  const { defaultSchedule, parseSchedule, printSchedule } = await import('../src/core/schedule.ts');
  const { loadCodegen } = await import('../src/codegen/index.ts');
  const { kernelAccesses, simulateCache, warmUpCacheSim } = await import('../src/runtime/cacheSim.ts');
  const { CacheSimulator } = await import('../src/core/cache/simulator.ts');
  const { loadCacheSim } = await import('../src/runtime/wasmCacheSim.ts');
  const compiled = await loadCacheSim();
  const { cacheFigures, reuseFigures } = await import('../src/core/cache/figures.ts');
  const { dineroRecords } = await import('../src/core/cache/dinero.ts');

  type Codegen = Awaited<ReturnType<typeof loadCodegen>>;
  type P = ReturnType<typeof parseProblem>;
  type S = ReturnType<typeof parseSchedule>;
  const names = (problem: P) => [problem.output.name, problem.inputs[0].name, problem.inputs[1].name];

  /**
   * Every access, also written to the trace file when asked (then by the TypeScript simulator,
   * which sees each access; otherwise by the compiled one).
   */
  const exactRun = (codegen: Codegen, problem: P, schedule: S) => {
    const accesses = kernelAccesses(codegen, problem, schedule);
    if (accesses.instructions > args.maxAccesses)
      throw new UsageError(
        `the kernel makes ${int(accesses.instructions)} memory accesses, over the limit of ${int(args.maxAccesses)}: the exact simulation would run for minutes; ` +
          `leave out --exact${args.trace !== undefined ? ' and --trace' : ''} to sample it, use smaller sizes, or pass --max-accesses ${accesses.instructions} to run it anyway`,
      );
    if (args.trace === undefined) {
      const { simulateMs, ...figures } = simulateCache(codegen, problem, schedule, args.machine, {
        reuse: true,
        exact: true,
        compiled,
      });
      return { figures: figures as CacheFigures, ms: simulateMs };
    }
    const sim = new CacheSimulator(args.machine, 3, accesses.addressBytes);
    const file = args.trace === undefined ? undefined : openSync(args.trace, 'w');
    const t0 = performance.now();
    try {
      accesses.run(
        (addresses, codes, count, carries) => {
          sim.accessBatch(addresses, codes, count, carries);
          if (file !== undefined) writeSync(file, dineroRecords(addresses, codes, count, args.machine.lineBytes));
        },
        { lineBytes: args.machine.lineBytes, addressBytes: accesses.addressBytes },
      );
    } finally {
      if (file !== undefined) closeSync(file);
    }
    const ms = performance.now() - t0;
    const stats = sim.stats();
    const figures = cacheFigures(stats, args.machine, names(problem), problem.flops / 2, accesses.instructions);
    figures.reuse = reuseFigures(stats, names(problem), accesses.carries);
    return { figures, ms };
  };

  /** Sampled when the kernel is long (runtime/cacheSim.ts). */
  const sampledRun = (codegen: Codegen, problem: P, schedule: S) => {
    const { simulateMs, ...figures } = simulateCache(codegen, problem, schedule, args.machine, {
      reuse: true,
      compiled,
    });
    return { figures: figures as CacheFigures, ms: simulateMs };
  };

  const problem = parseProblem(args.op, args.sizes);
  const schedule = args.schedule === undefined ? defaultSchedule(problem) : parseSchedule(problem, args.schedule);
  const codegen = await loadCodegen();
  if (args.warmUp) {
    warmUpCacheSim(codegen, compiled);
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_IDLE_MS));
  }
  const simulate = () => (args.exact ? exactRun(codegen, problem, schedule) : sampledRun(codegen, problem, schedule));
  const { figures, ms: firstMs } = simulate();
  const ms = [firstMs];
  while (ms.length < args.runs) {
    const again = simulate();
    if (JSON.stringify(again.figures) !== JSON.stringify(figures))
      throw new Error(`run ${ms.length + 1} of the same simulation gave other figures than the first`);
    ms.push(again.ms);
  }
  const scheduleText = printSchedule(schedule);
  if (args.json) {
    const times = { ...(ms.length > 1 ? { simulate_ms_runs: ms } : {}), ...(args.warmUp ? { warmed_up: true } : {}) };
    const json = {
      op: problem.op,
      sizes: sizesText(problem),
      schedule: scheduleText,
      ...figures,
      simulate_ms: ms[0],
      ...times,
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } else {
    process.stdout.write(cacheText(figures, `${problem.op} (${sizesText(problem)})`, scheduleText, ms, args.warmUp));
    if (args.trace !== undefined) process.stdout.write(`Trace written to ${args.trace} (Dinero IV din format).\n`);
  }
  return 0;
}

process.exitCode = await runScript('cache', USAGE, parseCacheArgs, run);
