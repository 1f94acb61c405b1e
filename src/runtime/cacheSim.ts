// Simulates the caches of a named machine on the memory accesses the generated kernel of a
// schedule makes (codegen/accessStream.ts), with the tensors where the runtime places them
// (buffers.ts). The generator is asked for one fixed target, so the figures are the same on every
// machine and browser whatever engine runs the page.
import {
  type AccessBatchSink,
  accessStream,
  CARRY_FIRST,
  CARRY_TILE,
  type ReuseTracking,
  type StreamEngine,
} from '../codegen/accessStream.ts';
import type { SampleReport, StreamSampler } from '../codegen/streamSampling.ts';
import type { Codegen, Target } from '../codegen/index.ts';
import { type CacheFigures, type CarryLabel, cacheFigures, reuseFigures, TILE_LABEL } from '../core/cache/figures.ts';
import type { Machine } from '../core/cache/machines.ts';
import { type CacheStats, CacheSimulator, COUNTERS } from '../core/cache/simulator.ts';
import { machineById } from '../core/cache/machines.ts';
import { parseProblemText } from '../core/problem.ts';
import { loopText, parseSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { layoutBuffers } from './buffers.ts';
import { type CacheSimModule, WasmCacheSimulator } from './wasmCacheSim.ts';

/** Chromium's engine (relaxed SIMD, loads kept in emitted order): what the page's kernels are planned for. */
export const SIMULATED_TARGET: Target = { relaxedSimd: true, hoistsLoads: false };

export interface KernelAccesses {
  /**
   * Runs the kernel's accesses into `sink`, in order (with the carrying loop of each when `reuse`
   * is given); with a sampler, only some iterations of long loops (codegen/streamSampling.ts).
   */
  run(sink: AccessBatchSink, reuse?: ReuseTracking, sampler?: StreamSampler): SampleReport;
  /** As run, the parts not sampled made by `engine` (AccessStream.runOn). */
  runOn(engine: StreamEngine, sampler?: StreamSampler): SampleReport;
  /** The stream tree as a program (AccessStream.program). */
  program(): Int32Array;
  /** Base byte address of the packed panels' scratch. */
  scratch: number;
  /** The plan loops that run (not unrolled in the tile): what the reuse tracking watches. */
  runtimeLoops: number;
  /** What the carry bytes of the stream stand for, outermost loop first. */
  carries: CarryLabel[];
  /** Memory instructions in one run. */
  instructions: number;
  /** Every address lies below this. */
  addressBytes: number;
  /** Distinct lines of `lineBytes` each tensor (0 output, 1 and 2 the inputs, with their packed copies) touches. */
  linesTouched(lineBytes: number): [number, number, number];
  /** The plan's loops in words (`k:128 (loop 1)`), by index in the plan. */
  loopNames: string[];
}

/** The access stream of the schedule's kernel, at the runtime's tensor addresses. */
export function kernelAccesses(codegen: Codegen, problem: Problem, schedule: Schedule): KernelAccesses {
  const { report } = codegen.generate(problem, schedule, SIMULATED_TARGET);
  const stream = accessStream(problem, report.plan);
  const layout = layoutBuffers(problem, report.scratchBytes);
  // A packed panel's copy lives in the scratch after the tensors; its accesses count for the input.
  const bases = [layout.outPtr, layout.in0Ptr, layout.in1Ptr, layout.scratchPtr] as const;
  const plan = report.plan;
  const carries: CarryLabel[] = plan.loops.slice(0, plan.tileStart).map((loop, carry) => ({
    carry,
    loop: `${loopText(schedule.loops[loop.origin])} (loop ${loop.origin + 1})`,
  }));
  const loopNames = plan.loops.map((loop) => `${loopText(schedule.loops[loop.origin])} (loop ${loop.origin + 1})`);
  carries.push({ carry: CARRY_TILE, loop: TILE_LABEL });
  const names = [problem.output.name, problem.inputs[0].name, problem.inputs[1].name];
  const spans: Array<[number, number, number]> = [
    [0, layout.outPtr, layout.outElements * 4],
    [1, layout.in0Ptr, layout.in0Elements * 4],
    [2, layout.in1Ptr, layout.in1Elements * 4],
    ...report.packs.map((p): [number, number, number] => {
      const t = names.indexOf(p.tensor, 1);
      return [t, layout.scratchPtr + plan.scratchOffset[t] * 4, p.elements * 4];
    }),
  ];
  return {
    run: (sink, reuse, sampler) => stream.run(bases, sink, reuse, sampler),
    runOn: (engine, sampler) => stream.runOn(bases, engine, sampler),
    program: () => stream.program(),
    scratch: layout.scratchPtr,
    runtimeLoops: plan.tileStart,
    carries,
    instructions: stream.count(),
    addressBytes: layout.usedBytes,
    linesTouched(lineBytes) {
      const lines: [number, number, number] = [0, 0, 0];
      for (const [t, start, bytes] of spans)
        if (bytes > 0) lines[t] += Math.floor((start + bytes - 1) / lineBytes) - Math.floor(start / lineBytes) + 1;
      return lines;
    },
    loopNames,
  };
}

export interface CacheSimulation extends CacheFigures {
  /** Milliseconds the simulation took (generation excluded). */
  simulateMs: number;
}

/**
 * Accesses a run simulates before its loops are sampled; a sampled run simulates about twice as
 * many (warm-ups, replays): about 0.1 s.
 */
export const SAMPLING_BUDGET = 2_000_000;
/**
 * Kernels of up to this many accesses are simulated exactly by default: about a second compiled
 * (a register-tiled 256^3 matmul makes 3.7 M, a 512^3 one 25-35 M; the TypeScript simulator takes
 * about 3x as long). Sampling is off by tens of
 * percent where a working set is about the size of a level (docs/architecture.md), and the
 * lessons grade 512^3 schedules on these figures, so it is kept for larger kernels.
 */
export const EXACT_UP_TO = 60_000_000;

export interface SimulateOptions {
  /** Also find the loop that carries each tensor's reuse at each level (slower). */
  reuse?: boolean;
  /**
   * Simulate every access (default: loops whose accesses exceed `budget` are sampled and the
   * figures say so; see samplerFor).
   */
  exact?: boolean;
  /**
   * Accesses simulated before loops are sampled (default SAMPLING_BUDGET, and kernels of up to
   * EXACT_UP_TO accesses exact); given, kernels of more accesses than this are sampled.
   */
  budget?: number;
  /** With `exact`: refuse (CacheWorkError) a kernel making more memory accesses than this. */
  maxAccesses?: number;
  /**
   * The compiled simulator (loadCacheSim): the same figures, about ten times faster. Without it
   * the TypeScript simulator runs (the reference).
   */
  compiled?: CacheSimModule;
}

/** What samplerFor needs of a simulator: the TypeScript one or the compiled one. */
type SampledSimulator = Pick<
  CacheSimulator,
  | 'tensors'
  | 'countersAt'
  | 'setCountersAt'
  | 'counterIndex'
  | 'record'
  | 'recorded'
  | 'release'
  | 'replayRun'
  | 'mark'
  | 'forgetOlder'
  | 'forgetOlderBySet'
  | 'markFillSets'
  | 'writeBackFirst'
>;

/** The simulation would take too long here. */
export class CacheWorkError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'CacheWorkError';
  }
}

/**
 * Indices in `counters()` (counts, then reuse) of the counters a run can change: every count, and
 * the reuse of the carries a stream tracking `runtimeLoops` loops gives (0 to runtimeLoops,
 * CARRY_TILE, CARRY_FIRST), none without `reuse`. The sampler works on these alone: the rest of
 * the reuse histogram stays 0, and a few hundred counters instead of thousands per iteration
 * counted keep sampling deep loop nests cheap.
 */
export function liveCounters(levels: number, tensors: number, reuse: boolean, runtimeLoops: number): Int32Array {
  const counts = levels * tensors * COUNTERS.length;
  const live = Array.from({ length: counts }, (_, i) => i);
  if (reuse) {
    const loops = Math.min(runtimeLoops, CARRY_TILE - 1);
    const carries = [...Array.from({ length: loops + 1 }, (_, c) => c), CARRY_TILE, CARRY_FIRST];
    const slots = levels + 1;
    for (let t = 0; t < tensors; t++)
      for (const carry of carries)
        for (let served = 0; served < slots; served++) live.push(counts + (t * 256 + carry) * slots + served);
  }
  return Int32Array.from(live);
}

/**
 * The simulator's side of sampling: its counters that can change (`live`, liveCounters; all
 * counts come first, at their own indices), the misses of every level and tensor as what must
 * settle and as the lines an iteration brought to each level.
 */
export function samplerFor(sim: SampledSimulator, machine: Machine, budget: number, live: Int32Array): StreamSampler {
  const levels = machine.levels.map((_, level) =>
    Array.from({ length: sim.tensors }, (_, t) => sim.counterIndex(level, t, 'misses')),
  );
  return {
    budget,
    read: () => sim.countersAt(live),
    write: (values) => sim.setCountersAt(live, values),
    watch: levels.flat(),
    levelLines: machine.levels.map((l) => l.bytes / machine.lineBytes),
    levelSpans: machine.levels.map((l) => l.bytes / l.ways),
    lineBytes: machine.lineBytes,
    fillsOf: (delta) => levels.map((misses) => misses.reduce((s, i) => s + delta[i], 0)),
    record: () => sim.record(),
    recorded: () => sim.recorded(),
    release: (recording) => sim.release(recording),
    replayRun: (recording, delta, firstStep, count, fixedFrom) =>
      sim.replayRun(recording, delta, firstStep, count, fixedFrom),
    mark: () => sim.mark(),
    forgetOlder: (mark, which, moving, inFillSets) => sim.forgetOlder(mark, which, moving, inFillSets),
    forgetOlderBySet: (level, since, moving, steps) => sim.forgetOlderBySet(level, since, moving, steps),
    markFillSets: (level, recording, delta, firstStep, steps, fixedFrom, countLines) =>
      sim.markFillSets(level, recording, delta, firstStep, steps, fixedFrom, countLines),
    writeBackFirst: () => sim.writeBackFirst(),
  };
}

export function simulateCache(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  machine: Machine,
  options: SimulateOptions = {},
): CacheSimulation {
  const accesses = kernelAccesses(codegen, problem, schedule);
  const max = options.maxAccesses ?? Number.POSITIVE_INFINITY;
  if (options.exact && accesses.instructions > max)
    throw new CacheWorkError(
      `the kernel makes ${Math.round(accesses.instructions / 1e6)} million memory accesses, more than the ${Math.round(max / 1e6)} million simulated here; ` +
        'use smaller sizes, or let the simulation sample',
    );
  const t0 = performance.now();
  const exact = options.exact || accesses.instructions <= (options.budget ?? EXACT_UP_TO);
  const budget = options.budget ?? SAMPLING_BUDGET;
  let sampled: SampleReport;
  let stats: CacheStats;
  const live = liveCounters(machine.levels.length, 3, !!options.reuse, accesses.runtimeLoops);
  if (options.compiled) {
    const sim = new WasmCacheSimulator(
      options.compiled,
      machine,
      3,
      accesses.addressBytes,
      !!options.reuse,
      accesses.runtimeLoops,
    );
    try {
      const engine = sim.engine(accesses.program(), accesses.scratch);
      sampled = accesses.runOn(engine, exact ? undefined : samplerFor(sim, machine, budget, live));
      if (sampled.loops.length > 0) sim.setCompulsory(accesses.linesTouched(machine.lineBytes));
      stats = sim.stats();
    } finally {
      sim.end();
    }
  } else {
    const sim = new CacheSimulator(machine, 3, accesses.addressBytes);
    sampled = accesses.run(
      (addresses, codes, count, carries) => sim.accessBatch(addresses, codes, count, carries),
      options.reuse ? { lineBytes: machine.lineBytes, addressBytes: accesses.addressBytes } : undefined,
      exact ? undefined : samplerFor(sim, machine, budget, live),
    );
    if (sampled.loops.length > 0) sim.setCompulsory(accesses.linesTouched(machine.lineBytes));
    stats = sim.stats();
  }
  const simulateMs = performance.now() - t0;
  const names = [problem.output.name, problem.inputs[0].name, problem.inputs[1].name];
  const figures = cacheFigures(stats, machine, names, problem.flops / 2, accesses.instructions);
  if (sampled.loops.length > 0) {
    figures.method = 'sampled';
    figures.sampling = { loops: sampled.loops.map((l) => accesses.loopNames[l]), simulated: sampled.accesses };
  }
  if (options.reuse) figures.reuse = reuseFigures(stats, names, accesses.carries);
  return { ...figures, simulateMs };
}

/** The warm-up's simulation: matmul 64^3 register-tiled as the page's schedules usually are, exact (57 k accesses, a few ms). */
export const WARM_UP = {
  problem: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64',
  schedule: 'k:4 m:16 n:8 k:16 m:4 n:8',
  machine: 'zen4',
};

/**
 * Runs WARM_UP on the compiled simulator, figures thrown away, so that V8 compiles the hot code
 * (the module's functions tier up from Liftoff to TurboFan once called often enough, the stream's
 * TypeScript likewise) before a simulation that counts. Returns the simulation's time (ms).
 */
export function warmUpCacheSim(codegen: Codegen, compiled: CacheSimModule): number {
  const problem = parseProblemText(WARM_UP.problem);
  const machine = machineById(WARM_UP.machine);
  if (!machine) throw new Error(`the warm-up's machine '${WARM_UP.machine}' is not a named machine`);
  const schedule = parseSchedule(problem, WARM_UP.schedule);
  return simulateCache(codegen, problem, schedule, machine, { reuse: true, compiled }).simulateMs;
}
