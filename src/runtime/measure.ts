// Generate, compile, check, then time one schedule.
//
// The check always runs first. An incorrect kernel (wrong values, a trap, or writes outside its
// output) is not timed: its `gflops` and `gflopsMedian` are null, so that a broken schedule can
// never be mistaken for a fast one (0 would sort as "slow but valid"; null means "no number").
import type { Problem, Schedule } from '../core/types.ts';
import { printSchedule } from '../core/schedule.ts';
import type { Codegen, CompiledKernel, KernelReport, Target } from '../codegen/index.ts';
import { allocateBuffers, type KernelBuffers } from './buffers.ts';
import { checkOutput, type CheckOptions, type CheckResult } from './check.ts';
import { measureThroughput, type TimingOptions } from './timing.ts';
import { awaitOptimizedCode } from './tierUp.ts';
import {
  planSlice,
  sameDecisions,
  type Slice,
  type SliceOptions,
  SLICE_FULL_RUN_MS,
  SLICE_MIN_FLOPS,
  SLICE_OUTERMOST_FACTOR,
  SLICE_TARGET_MS,
  slicedProblem,
  sliceIterations,
  minSliceIterations,
  sliceLoopOrder,
  sliceView,
} from './slice.ts';

export interface MeasureOptions {
  /** Seed of the random inputs (default 1). Ignored when `buffers` is given. */
  seed?: number;
  /** Reuse buffers allocated for this problem (saves allocation when measuring many schedules). */
  buffers?: KernelBuffers;
  timing?: TimingOptions;
  check?: CheckOptions;
  /** Only check, do not time (gflops stay null). */
  checkOnly?: boolean;
  /** Always run the whole kernel, even when it would be measured on a slice (see slice.ts). */
  full?: boolean;
  /** When to slice and how long a slice runs (default: SLICE_FULL_RUN_MS, SLICE_TARGET_MS). */
  slicing?: SliceOptions;
}

/** A kernel's correctness check (see check.ts) and, when correct, its speed. */
export interface Measurement extends CheckResult {
  /** Canonical schedule text. */
  schedule: string;
  /** GFLOPS of the best sample; null when the kernel is incorrect (never timed) or checkOnly. */
  gflops: number | null;
  /** GFLOPS of the median sample; null as above. */
  gflopsMedian: number | null;
  report: KernelReport;
  /** The kernel module's bytes. */
  kernelBytes: Uint8Array;
  generateMs: number;
  compileMs: number;
  flops: number;
  /** Timing details (absent when not timed). */
  samples?: number[];
  callsPerSample?: number;
  /** Present when the figure is a slice's (see slice.ts): which part of the kernel ran. */
  slice?: Slice;
}

type KernelFn = (outPtr: number, in0Ptr: number, in1Ptr: number, scratchPtr?: number) => void;

/**
 * Instantiates a kernel module on the buffers' memory and returns a thunk running it once. A
 * kernel with packed inputs takes a fourth parameter, the scratch's address: the buffers must
 * have been allocated with at least its `report.scratchBytes` (see buffersFor).
 */
export async function instantiateKernel(module: WebAssembly.Module, buffers: KernelBuffers): Promise<() => void> {
  const instance = await instantiateNow(module, buffers.memory);
  const kernel = instance.exports.kernel as KernelFn | undefined;
  if (typeof kernel !== 'function') throw new Error('the kernel module does not export a function `kernel`');
  const { outPtr, in0Ptr, in1Ptr, scratchPtr } = buffers;
  return kernel.length > 3 ? () => kernel(outPtr, in0Ptr, in1Ptr, scratchPtr) : () => kernel(outPtr, in0Ptr, in1Ptr);
}

/**
 * Compiles a kernel module on this thread when allowed (Node, workers; V8 compiles a wasm
 * function lazily on its first call, so this is validation only, 0.1-0.5 ms): the asynchronous
 * compile hands the work to a background thread and its answer to the event loop, which on a
 * busy machine took 25-80 ms to come back. A page's main thread refuses a module over 4 KiB.
 */
export async function compileNow(bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  }
}

/** Instantiates a kernel module on `memory`, on this thread when allowed (see compileNow). */
export async function instantiateNow(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
): Promise<WebAssembly.Instance> {
  const imports = { env: { memory } };
  try {
    return new WebAssembly.Instance(module, imports);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return WebAssembly.instantiate(module, imports);
  }
}

/**
 * Buffers a compiled kernel can run on: `given` when its scratch is large enough (or the kernel
 * packs nothing), else new buffers with the same seed and the scratch the kernel needs.
 */
export function buffersFor(
  problem: Problem,
  compiled: Pick<CompiledKernel, 'report'>,
  given: KernelBuffers | undefined,
  seed = 1,
): KernelBuffers {
  const need = compiled.report.scratchBytes ?? 0;
  if (given && given.scratchBytes >= need) return given;
  return allocateBuffers(problem, given?.seed ?? seed, { scratchBytes: need });
}

/** A kernel timed without the correctness check (see `timeSchedule`). */
export interface Timing {
  /** Canonical schedule text. */
  schedule: string;
  /** GFLOPS of the best sample. */
  gflops: number;
  /** GFLOPS of the median sample. */
  gflopsMedian: number;
  report: KernelReport;
  generateMs: number;
  /** Compiling the plain kernel (0 when a slice ran: only the ranged kernel is compiled then). */
  compileMs: number;
  flops: number;
  samples: number[];
  callsPerSample: number;
  /** Present when the figure is a slice's (see slice.ts). */
  slice?: Slice;
  /**
   * The figure is the probe's (one iteration on optimized code, no samples): it was below the
   * caller's floor, so the kernel was not timed further (TimeOptions.floorGflops).
   */
  belowFloor?: boolean;
  /** Where the measurement's time went (ms), the ranged kernel's included. */
  phases: TimingPhases;
}

export interface TimingPhases {
  /** Generating the plain kernel and any ranged one. */
  generateMs: number;
  /** Compiling and instantiating the kernels that ran (V8 compiles lazily: most of it is in the calls). */
  compileMs: number;
  /** Waiting for V8's optimized code (tierUp.ts). */
  tierUpMs: number;
  /** The probe calls sizing a slice. */
  probeMs: number;
  /** Warm-up and samples. */
  timingMs: number;
  /** The timed code was seen to be optimized before timing began. */
  optimized: boolean;
}

/** What timeSchedule takes beyond MeasureOptions. */
export interface TimeOptions {
  /**
   * A kernel whose probe (one iteration on optimized code, cold caches: it reads a little low)
   * runs below this many GFLOPS is not timed further and gets the probe's figure: a search
   * passes a share of its best so far, since such a kernel will not be its answer.
   */
  floorGflops?: number;
}

type KernelRangeFn = (
  outPtr: number,
  in0Ptr: number,
  in1Ptr: number,
  begin: number,
  end: number,
  scratchPtr?: number,
) => void;

/** A slice of a kernel ready to run: the restricted problem it computes and a thunk running it. */
export interface PreparedSlice {
  slice: Slice;
  problem: Problem;
  run: () => void;
  /** Duration of one iteration (one probe call on optimized code, else the faster of two; they also warmed up). */
  probeMs: number;
  /** The ranged kernel runs V8's optimized code (tierUp.ts). */
  optimized: boolean;
}

/**
 * What prepareRange found: a slice to time, or (`slice` null) that the whole kernel should run;
 * then `whole` runs it with the ranged module's optimized code when the range was the
 * outermost loop of the problem itself (its `kernel` export is the whole kernel).
 */
export interface PreparedRange {
  slice: PreparedSlice | null;
  whole?: () => void;
  /**
   * The probe's GFLOPS (one iteration, optimized code) when it was below the caller's floor:
   * then nothing more runs and this is the kernel's figure (see TimeOptions.floorGflops).
   */
  belowFloor?: number;
  /** Milliseconds spent generating and compiling the ranged kernel, waiting for its optimized code, and probing it. */
  generateMs: number;
  compileMs: number;
  tierUpMs: number;
  probeMs: number;
}

/**
 * A probe shorter than this (ms) never ends a measurement at the floor: it reads a coarse clock
 * (5-100 us in a page) and cold caches, and the measurement it would cut is short anyway.
 */
export const FLOOR_MIN_PROBE_MS = 1;

/**
 * A probe of one iteration longer than this many times the slice's target, on a loop with a
 * loop inside it whose smallest slice is shorter at the probe's speed, slices that loop instead
 * (a slow candidate's outer iteration at 1024^3: 13-40 ms, called 4 times to time it). It is
 * the tolerance sliceLoopOrder grants the outermost loop: a deeper slice times a shallower
 * kernel (slice.ts SLICE_OUTERMOST_FACTOR).
 */
export const RESLICE_FACTOR = SLICE_OUTERMOST_FACTOR;

/**
 * When the schedule's full run would take longer than SLICE_FULL_RUN_MS, compiles the kernel with a
 * range over the loop to slice (slice.ts sliceLoopOrder: the outermost, or a loop inside it when
 * one outer iteration is far longer than the target) and sizes a slice of it; null when the whole
 * kernel should run (fast enough, no loop to slice, or every range changed the generator's decisions).
 */
export async function prepareSlice(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  target: Target,
  plain: KernelReport,
  buffers: KernelBuffers,
  slicing: SliceOptions = {},
): Promise<PreparedSlice | null> {
  return (await prepareRange(codegen, problem, schedule, target, plain, buffers, slicing)).slice;
}

/**
 * prepareSlice, with the whole kernel's runner when the range was the outermost loop, and the
 * time of each step. When the probe (on optimized code) shows one iteration over RESLICE_FACTOR
 * times the target, a loop inside whose smallest slice is shorter at the probed speed is tried
 * (the first slice is kept if none fits); when it shows the kernel below `floorGflops`, nothing
 * more runs (`belowFloor`).
 */
export async function prepareRange(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  target: Target,
  plain: KernelReport,
  buffers: KernelBuffers,
  slicing: SliceOptions = {},
  floorGflops = 0,
): Promise<PreparedRange> {
  const out: PreparedRange = { slice: null, generateMs: 0, compileMs: 0, tierUpMs: 0, probeMs: 0 };
  if (problem.flops < SLICE_MIN_FLOPS) return out;
  const targetMs = slicing.targetMs ?? SLICE_TARGET_MS;
  let order = sliceLoopOrder(problem, schedule, targetMs);
  let kept: PreparedSlice | null = null;
  for (let i = 0; i < order.length; i++) {
    const loop = order[i];
    const view = sliceView(problem, schedule, loop);
    const t0 = performance.now();
    const ranged = codegen.generate(view.problem, view.schedule, target);
    const t1 = performance.now();
    out.generateMs += t1 - t0;
    if (!sameDecisions(plain, ranged.report)) continue;
    const instance = await instantiateNow(await compileNow(ranged.bytes), buffers.memory);
    out.compileMs += performance.now() - t1;
    const range = instance.exports.kernel_range as KernelRangeFn | undefined;
    if (typeof range !== 'function') continue;
    const { outPtr, in0Ptr, in1Ptr, scratchPtr } = buffers;
    const tierUp = awaitOptimizedCode((n) => range(outPtr, in0Ptr, in1Ptr, n, 0, scratchPtr));
    out.tierUpMs += tierUp.ms;
    const t2 = performance.now();
    const probe = probeSlice(problem, schedule, loop, range, buffers, slicing, tierUp.optimized);
    out.probeMs += performance.now() - t2;
    const gflopsOf = (ms: number) => (probe.oneFraction * problem.flops) / ms / 1e6;
    const probeGflops = gflopsOf(probe.probeMs);
    if (tierUp.optimized && probe.probeMs >= FLOOR_MIN_PROBE_MS && probeGflops < floorGflops) {
      // One call can land in a burst of load: a second probe, the faster of the two decides.
      const t3 = performance.now();
      const again = gflopsOf(Math.min(probe.probeMs, probe.timeOneIteration()));
      out.probeMs += performance.now() - t3;
      if (again < floorGflops) {
        out.belowFloor = again;
        return out;
      }
    }
    const sliced = probe.slice;
    const limitMs = RESLICE_FACTOR * targetMs;
    let oneMs = probe.probeMs;
    if (
      !kept &&
      sliced &&
      tierUp.optimized &&
      sliced.slice.iterations === 1 &&
      oneMs > limitMs &&
      oneMs < 2 * limitMs
    ) {
      // Near the limit, one call can land in a burst of load: a second probe, the faster decides.
      const t3 = performance.now();
      oneMs = Math.min(oneMs, probe.timeOneIteration());
      out.probeMs += performance.now() - t3;
    }
    if (!kept && sliced && tierUp.optimized && sliced.slice.iterations === 1 && oneMs > limitMs) {
      const inside = sliceLoopOrder(problem, schedule, targetMs, gflopsOf(oneMs)).filter((l) => l > loop);
      if (inside.length > 0) {
        kept = sliced;
        order = inside;
        i = -1;
        continue;
      }
    }
    out.slice = deeperOrKept(kept, sliced);
    const kernel = instance.exports.kernel as KernelFn | undefined;
    if (!out.slice && loop === 0 && tierUp.optimized && typeof kernel === 'function')
      out.whole =
        kernel.length > 3 ? () => kernel(outPtr, in0Ptr, in1Ptr, scratchPtr) : () => kernel(outPtr, in0Ptr, in1Ptr);
    return out;
  }
  out.slice = kept;
  return out;
}

/**
 * The slice a loop deeper, unless it covers all of that loop: then it is the kept outer slice's
 * one iteration by another name, and the outer one says it plainly ("1 of 8 iterations of n").
 */
export function deeperOrKept(kept: PreparedSlice | null, deeper: PreparedSlice | null): PreparedSlice | null {
  return kept && deeper && deeper.slice.iterations >= deeper.slice.of ? kept : deeper;
}

/** Times one iteration of the ranged loop, then sizes the slice (null when the full run is quick). */
function probeSlice(
  problem: Problem,
  schedule: Schedule,
  loop: number,
  range: KernelRangeFn,
  buffers: KernelBuffers,
  slicing: SliceOptions,
  optimized: boolean,
): { slice: PreparedSlice | null; probeMs: number; oneFraction: number; timeOneIteration: () => number } {
  const { outPtr, in0Ptr, in1Ptr, scratchPtr } = buffers;
  // The probe adds into the output: whoever checks or reads it zeroes it first (check.ts).
  const timeOneIteration = () => {
    const t0 = performance.now();
    range(outPtr, in0Ptr, in1Ptr, 0, 1, scratchPtr);
    return Math.max(performance.now() - t0, 1e-3);
  };
  // Without the optimized code a first call runs the baseline code (V8's Liftoff: 3-10x slower)
  // and asks for the optimized code, which a later call gets; the probe is then the faster of two.
  const probeMs = optimized ? timeOneIteration() : Math.min(timeOneIteration(), timeOneIteration());
  const one = planSlice(problem, schedule, loop, 1);
  const probed = { probeMs, oneFraction: one.fraction, timeOneIteration };
  if (probeMs / one.fraction <= (slicing.fullRunMs ?? SLICE_FULL_RUN_MS)) return { slice: null, ...probed };
  const trip = schedule.loops[loop].trip;
  const iterations = Math.max(
    minSliceIterations(problem, schedule, loop),
    sliceIterations(probeMs, trip, slicing.targetMs),
  );
  const slice = planSlice(problem, schedule, loop, iterations);
  return {
    slice: {
      slice,
      problem: slicedProblem(problem, slice),
      run: () => range(outPtr, in0Ptr, in1Ptr, 0, iterations, scratchPtr),
      probeMs,
      optimized,
    },
    ...probed,
  };
}

/**
 * Times a schedule's kernel without checking its output first: for callers that measure many
 * schedules and trust the generator (its kernels are verified by the property tests), like the
 * agent's searches and training. Anything user-facing should use `measureSchedule`. The ranged
 * kernel waits for V8's optimized code before its probe (tierUp.ts), so neither the probe nor the
 * warm-up runs baseline code; `phases` says where the time went.
 */
export async function timeSchedule(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  target: Target,
  options: Pick<MeasureOptions, 'seed' | 'buffers' | 'timing' | 'full' | 'slicing'> & TimeOptions = {},
): Promise<Timing> {
  // The plain kernel is compiled only when it runs: a slice runs the ranged one (and at 1024^3 a
  // packed 16-accumulator kernel takes 10-25 ms to compile, half of what timing its slice costs),
  // and so does a whole run when the range was over the outermost loop (its `kernel` export).
  const t0 = performance.now();
  const generated = codegen.generate(problem, schedule, target);
  const generateMs = performance.now() - t0;
  const buffers = buffersFor(problem, generated, options.buffers, options.seed);
  const prepared = options.full
    ? null
    : await prepareRange(
        codegen,
        problem,
        schedule,
        target,
        generated.report,
        buffers,
        options.slicing,
        options.floorGflops,
      );
  const phases = {
    generateMs: generateMs + (prepared?.generateMs ?? 0),
    compileMs: prepared?.compileMs ?? 0,
    tierUpMs: prepared?.tierUpMs ?? 0,
    probeMs: prepared?.probeMs ?? 0,
  };
  if (prepared?.belowFloor !== undefined) {
    return {
      schedule: printSchedule(problem, schedule),
      gflops: prepared.belowFloor,
      gflopsMedian: prepared.belowFloor,
      belowFloor: true,
      report: generated.report,
      generateMs,
      compileMs: 0,
      flops: problem.flops,
      samples: [],
      callsPerSample: 0,
      phases: { ...phases, timingMs: 0, optimized: true },
    };
  }
  const sliced = prepared?.slice ?? null;
  let compileMs = 0;
  let run = sliced?.run ?? prepared?.whole;
  if (!run) {
    const t1 = performance.now();
    const module = await compileNow(generated.bytes);
    compileMs = performance.now() - t1;
    run = await instantiateKernel(module, buffers);
  }
  const optimized = sliced ? sliced.optimized : !!prepared?.whole;
  // The probe is the first warm-up call: on optimized code the whole warm-up (the code is hot; the
  // best of the samples absorbs a first one on colder caches), counted as the slice's call it
  // predicts so that a slice of about the sample's length is not calibrated; on baseline code the
  // first of the timing's warm-up calls.
  const timing = {
    ...(sliced ? { priorCallMs: optimized ? sliced.probeMs * sliced.slice.iterations : sliced.probeMs } : {}),
    ...options.timing,
    ...(optimized ? { optimized } : {}),
  };
  const t2 = performance.now();
  // Nothing reads the output here: a slice skips zeroing all of it (16 MiB at 2048^3) per sample.
  const t = sliced ? measureThroughput(run, sliced.problem.flops, timing) : timeKernel(run, problem, buffers, timing);
  const timingMs = performance.now() - t2;
  return {
    ...(sliced ? { slice: sliced.slice } : {}),
    schedule: printSchedule(problem, schedule),
    gflops: t.gflops,
    gflopsMedian: t.gflopsMedian,
    report: generated.report,
    generateMs,
    compileMs,
    flops: problem.flops,
    samples: t.timing.samples,
    callsPerSample: t.timing.callsPerSample,
    phases: { ...phases, compileMs: compileMs + phases.compileMs, timingMs, optimized },
  };
}

/** Times `run` on `buffers`, zeroing the output before every sample and after the last. */
function timeKernel(run: () => void, problem: Problem, buffers: KernelBuffers, timing?: TimingOptions) {
  const t = measureThroughput(run, problem.flops, { ...timing, beforeSample: () => buffers.resetOutput() });
  buffers.resetOutput();
  return t;
}

export async function measureSchedule(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  target: Target,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const compiled = await codegen.compile(problem, schedule, target);
  const buffers = buffersFor(problem, compiled, options.buffers, options.seed);
  const sliced = options.full ? null : await prepareSlice(codegen, problem, schedule, target, compiled.report, buffers);
  if (!sliced)
    return checkThenTime(
      problem,
      schedule,
      compiled,
      buffers,
      await instantiateKernel(compiled.module, buffers),
      options,
    );
  const measurement = checkThenTime(sliced.problem, schedule, compiled, buffers, sliced.run, options);
  return { ...measurement, schedule: printSchedule(problem, schedule), flops: problem.flops, slice: sliced.slice };
}

/**
 * Checks `run` (one call of a compiled schedule's kernel on `buffers`) against the reference,
 * then times it when correct (see `measureSchedule`).
 */
export function checkThenTime(
  problem: Problem,
  schedule: Schedule,
  compiled: CompiledKernel,
  buffers: KernelBuffers,
  run: () => void,
  options: Pick<MeasureOptions, 'timing' | 'check' | 'checkOnly'> = {},
): Measurement {
  // The check's kernel call also serves as the first warm-up call of the timing.
  let checkCallMs: number | undefined;
  const timedRun = () => {
    const t0 = performance.now();
    run();
    checkCallMs = performance.now() - t0;
  };
  const check = checkOutput(problem, buffers, timedRun, options.check);
  const measurement: Measurement = {
    schedule: printSchedule(problem, schedule),
    gflops: null,
    gflopsMedian: null,
    correct: check.correct,
    maxError: check.maxError,
    checked: check.checked,
    checkedElements: check.checkedElements,
    report: compiled.report,
    kernelBytes: compiled.bytes,
    generateMs: compiled.generateMs,
    compileMs: compiled.compileMs,
    flops: problem.flops,
  };
  if (check.firstMismatch) measurement.firstMismatch = check.firstMismatch;
  if (check.reason) measurement.reason = check.reason;
  if (!check.correct || options.checkOnly) return measurement;

  const t = timeKernel(run, problem, buffers, { priorCallMs: checkCallMs, ...options.timing });
  measurement.gflops = t.gflops;
  measurement.gflopsMedian = t.gflopsMedian;
  measurement.samples = t.timing.samples;
  measurement.callsPerSample = t.timing.callsPerSample;
  return measurement;
}
