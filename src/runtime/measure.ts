// Generate, compile, check, then time one schedule.
//
// The check always runs first. An incorrect kernel (wrong values, a trap, or writes outside its
// output) is not timed: its `gflops` and `gflopsMedian` are null, so that a broken schedule can
// never be mistaken for a fast one (0 would sort as "slow but valid"; null means "no number").
import type { Problem, Schedule } from '../core/types.ts';
import { printSchedule } from '../core/schedule.ts';
import type { Codegen, KernelReport, Target } from '../codegen/index.ts';
import { allocateBuffers, type KernelBuffers } from './buffers.ts';
import { checkOutput, type CheckOptions, type CheckResult } from './check.ts';
import { measureThroughput, type TimingOptions } from './timing.ts';

export interface MeasureOptions {
  /** Seed of the random inputs (default 1). Ignored when `buffers` is given. */
  seed?: number;
  /** Reuse buffers allocated for this problem (saves allocation when measuring many schedules). */
  buffers?: KernelBuffers;
  timing?: TimingOptions;
  check?: CheckOptions;
  /** Only check, do not time (gflops stay null). */
  checkOnly?: boolean;
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
  generateMs: number;
  compileMs: number;
  flops: number;
  /** Timing details (absent when not timed). */
  samples?: number[];
  callsPerSample?: number;
}

type KernelFn = (outPtr: number, in0Ptr: number, in1Ptr: number) => void;

/** Instantiates a kernel module on the buffers' memory and returns a thunk running it once. */
export async function instantiateKernel(module: WebAssembly.Module, buffers: KernelBuffers): Promise<() => void> {
  const instance = await WebAssembly.instantiate(module, { env: { memory: buffers.memory } });
  const kernel = instance.exports.kernel as KernelFn | undefined;
  if (typeof kernel !== 'function') throw new Error('the kernel module does not export a function `kernel`');
  const { outPtr, in0Ptr, in1Ptr } = buffers;
  return () => kernel(outPtr, in0Ptr, in1Ptr);
}

export async function measureSchedule(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  target: Target,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const compiled = await codegen.compile(problem, schedule, target);
  const buffers = options.buffers ?? allocateBuffers(problem, options.seed ?? 1);
  const run = await instantiateKernel(compiled.module, buffers);
  const check = checkOutput(problem, buffers, run, options.check);
  const measurement: Measurement = {
    schedule: printSchedule(problem, schedule),
    gflops: null,
    gflopsMedian: null,
    correct: check.correct,
    maxError: check.maxError,
    checked: check.checked,
    checkedElements: check.checkedElements,
    report: compiled.report,
    generateMs: compiled.generateMs,
    compileMs: compiled.compileMs,
    flops: problem.flops,
  };
  if (check.firstMismatch) measurement.firstMismatch = check.firstMismatch;
  if (check.reason) measurement.reason = check.reason;
  if (!check.correct || options.checkOnly) return measurement;

  const t = measureThroughput(run, problem.flops, {
    ...options.timing,
    beforeSample: () => buffers.resetOutput(),
  });
  buffers.resetOutput();
  measurement.gflops = t.gflops;
  measurement.gflopsMedian = t.gflopsMedian;
  measurement.samples = t.timing.samples;
  measurement.callsPerSample = t.timing.callsPerSample;
  return measurement;
}
