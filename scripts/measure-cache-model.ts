// npm run measure:cache-model [-- --count N] [--seed S] [--only TEXT] [--json]
//
// Does the cache simulator predict speed? For each problem below, --count random legal schedules
// (seeded: random walks of the playground's actions, packs included, and the agent's register
// tiles with reduction splits) are timed (large kernels on slices) and simulated on this machine's
// caches (a Zen 4 core: 32 KiB L1d, 1 MiB L2, with a 32 MiB L3). The model time is the largest of
// the multiply-adds at the measured peak, the memory instructions at the measured L1 rate, and the
// bytes each level delivers over its measured bandwidth (scripts/cacheModel.ts). Prints, per
// problem, Spearman's rank correlation between model and measured time, and how often each bound
// decided. The rates are measured first with the generator's own streaming kernel on arrays sized
// for each level.
import { modelTime, type MachineRates, spearman } from './cacheModel.ts';
import { fmt, parseFlags, positiveInt, runScript, table, UsageError } from './cli.ts';

const USAGE = 'usage: npm run measure:cache-model [-- --count N] [--seed S] [--only TEXT] [--json]';

const PROBLEMS = [
  { name: 'matmul 512^3', op: 'C[m,n] += A[m,k] * B[k,n]', sizes: 'm=512, n=512, k=512' },
  { name: 'matmul 1024^3', op: 'C[m,n] += A[m,k] * B[k,n]', sizes: 'm=1024, n=1024, k=1024' },
  {
    name: 'conv 3x3 128->128 56x56',
    op: 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
    sizes: 'co=128, oh=56, ow=56, ci=128, kh=3, kw=3',
  },
];

/** Arrays (floats each, three of them) that fit each level of a Zen 4 core and not the one above. */
const STREAM_ELEMENTS = { L1: 2048, L2: 1 << 16, L3: 1 << 20, memory: 1 << 23 };

interface Args {
  count: number;
  seed: number;
  /** Only the problems whose name contains this. */
  only: string | undefined;
  json: boolean;
}

function parse(argv: string[]): Args | 'help' {
  const v = parseFlags(argv, {
    count: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  return {
    count: positiveInt('count', v.count, 100, 2, 2000),
    seed: positiveInt('seed', v.seed, 1),
    only: v.only,
    json: v.json ?? false,
  };
}

async function run(args: Args): Promise<number> {
  const { parseProblem } = await import('../src/core/problem.ts');
  const { defaultSchedule, printSchedule } = await import('../src/core/schedule.ts');
  const { applyAction, ALL_ACTIONS, PACK_ACTIONS } = await import('../src/core/actions.ts');
  const { seededRandom } = await import('../src/core/random.ts');
  const { customMachine } = await import('../src/core/cache/machines.ts');
  const { loadCodegen, detectTarget } = await import('../src/codegen/index.ts');
  const { allocateBuffers } = await import('../src/runtime/buffers.ts');
  const { timeSchedule } = await import('../src/runtime/measure.ts');
  const { measurePeak } = await import('../src/runtime/peak.ts');
  const { measureBandwidth } = await import('../src/runtime/bandwidth.ts');
  const { simulateCache } = await import('../src/runtime/cacheSim.ts');
  const { allSpecs, tileSchedule } = await import('../src/agent/tileSpace.ts');

  const machine = customMachine(
    [
      { name: 'L1d', text: '32K:8' },
      { name: 'L2', text: '1M:8' },
      { name: 'L3', text: '32M:16' },
    ],
    64,
  );
  if (typeof machine === 'string') throw new Error(machine);
  const codegen = await loadCodegen();
  const target = detectTarget();
  const log = (line: string) => process.stderr.write(`measure:cache-model: ${line}\n`);

  const peak = await measurePeak(codegen, target, { samples: 15 });
  const stream = async (elements: number) =>
    (await measureBandwidth(codegen, target, { elements, timing: { samples: 9, maxTotalMs: 1500 } })).bytesPerSecond;
  const l1 = await stream(STREAM_ELEMENTS.L1);
  const rates: MachineRates = {
    peakFlops: peak.gflops * 1e9,
    // The stream kernel issues 4 memory instructions (3 loads, a store) per 4 elements, 16 bytes each.
    l1Instructions: l1 / 16,
    bandwidths: [
      await stream(STREAM_ELEMENTS.L2),
      await stream(STREAM_ELEMENTS.L3),
      await stream(STREAM_ELEMENTS.memory),
    ],
  };
  log(
    `peak ${fmt(peak.gflops, 1)} GFLOPS; L1 ${fmt(l1 / 1e9, 0)} GB/s, L2 ${fmt(rates.bandwidths[0] / 1e9, 0)}, ` +
      `L3 ${fmt(rates.bandwidths[1] / 1e9, 0)}, memory ${fmt(rates.bandwidths[2] / 1e9, 0)} GB/s`,
  );

  const results = [];
  for (const [p, spec] of PROBLEMS.entries()) {
    if (args.only !== undefined && !spec.name.includes(args.only)) continue;
    const problem = parseProblem(spec.op, spec.sizes);
    const rand = seededRandom(args.seed * 1000 + p);
    const schedules = new Map<string, import('../src/core/types.ts').Schedule>();
    // Half random walks of the playground's actions from the default schedule, half the agent's tiles.
    const actions = [...ALL_ACTIONS, ...PACK_ACTIONS];
    for (let tries = 0; schedules.size < args.count / 2 && tries < args.count * 50; tries++) {
      let state = { schedule: defaultSchedule(problem), cursor: 0 };
      const steps = 4 + Math.floor(rand() * 14);
      for (let i = 0; i < steps; i++) {
        const r = applyAction(problem, state, actions[Math.floor(rand() * actions.length)]);
        if (r.ok) state = r.state;
      }
      if (!state.schedule.loops.some((l) => l.parallel)) schedules.set(printSchedule(state.schedule), state.schedule);
    }
    const specs = allSpecs(problem);
    for (let tries = 0; schedules.size < args.count && tries < args.count * 50; tries++) {
      const s = tileSchedule(problem, specs[Math.floor(rand() * specs.length)]);
      if (s) schedules.set(printSchedule(s), s);
    }
    const buffers = allocateBuffers(problem, 1);
    const rows: Array<{ schedule: string; measured: number; model: number; bound: string; slice: boolean }> = [];
    let n = 0;
    for (const [text, schedule] of schedules) {
      n++;
      const t = await timeSchedule(codegen, problem, schedule, target, {
        buffers,
        timing: { samples: 3, minSamples: 2, maxTotalMs: 2000 },
      });
      const figures = simulateCache(codegen, problem, schedule, machine);
      const m = modelTime(figures, rates);
      const measured = problem.flops / (t.gflops * 1e9);
      rows.push({ schedule: text, measured, model: m.seconds, bound: m.bound, slice: t.slice !== undefined });
      log(
        `${spec.name} ${n}/${schedules.size}: ${text}: measured ${fmt(measured * 1e3, 1)} ms, model ${fmt(m.seconds * 1e3, 1)} ms (${m.bound}), simulated in ${fmt(figures.simulateMs, 0)} ms`,
      );
    }
    const bounds: Record<string, number> = {};
    for (const r of rows) bounds[r.bound] = (bounds[r.bound] ?? 0) + 1;
    results.push({
      problem: spec.name,
      schedules: rows.length,
      spearman: spearman(
        rows.map((r) => r.model),
        rows.map((r) => r.measured),
      ),
      bounds,
      rows,
    });
  }

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ rates, machine: machine.name, results })}\n`);
    return 0;
  }
  if (results.length === 0)
    throw new UsageError(`no problem's name contains '${args.only}': ${PROBLEMS.map((p) => p.name).join(', ')}`);
  const body = results.map((r) => [
    r.problem,
    String(r.schedules),
    fmt(r.spearman, 3),
    Object.entries(r.bounds)
      .map(([b, c]) => `${b} ${c}`)
      .join(', '),
  ]);
  process.stdout.write(
    `${table(['problem', 'schedules', 'Spearman (model vs measured time)', 'bound that decided the model'], body, [0, 3]).join('\n')}\n`,
  );
  return 0;
}

process.exitCode = await runScript('measure:cache-model', USAGE, parse, run);
