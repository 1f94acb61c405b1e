// What the page and the kernel worker say to each other, declared once: KernelWorkerApi is the
// worker's API, and the client (client.ts) and the store's Measurer (store/types.ts) derive their
// types from it. Types, constants and one field picker only, so that the store can import it
// without pulling the generator or the runtime into the page (the imports below are types).
import type { Target } from '../../codegen/types.ts';
import type { Measurement } from '../../runtime/measure.ts';

export type { Target } from '../../codegen/types.ts';

/**
 * A checked (and, when correct, timed) kernel, with the bytes of its module and the generator's
 * report; `threads` it ran on (1 unless the schedule has a parallel loop and threads were asked for
 * and available).
 */
export type KernelMeasurement = Measurement & { threads: number };

/** What the page keeps of a KernelMeasurement: the figure and what the panels show of the kernel. */
export const KERNEL_FIGURE_FIELDS = [
  'gflops',
  'gflopsMedian',
  'correct',
  'maxError',
  'reason',
  'report',
  'kernelBytes',
  'generateMs',
  'compileMs',
  'threads',
  'slice',
] as const satisfies readonly (keyof KernelMeasurement)[];

/**
 * A kernel's quick figure as the page keeps it: the fields of KERNEL_FIGURE_FIELDS, of which the
 * figure and the check's verdict are always there (the rest is what panels show when present).
 */
export type KernelFigure = Pick<KernelMeasurement, 'gflops' | 'gflopsMedian' | 'correct'> &
  Partial<Pick<KernelMeasurement, (typeof KERNEL_FIGURE_FIELDS)[number]>>;

/** The figure's fields of a measurement (the rest, e.g. its timing samples, stays in the worker). */
export function kernelFigure(m: KernelMeasurement): KernelFigure {
  const figure: Partial<Record<keyof KernelFigure, unknown>> = {};
  for (const field of KERNEL_FIGURE_FIELDS) if (m[field] !== undefined) figure[field] = m[field];
  return figure as KernelFigure;
}

export interface KernelMeasureOptions {
  /**
   * Threads for a schedule with a parallel loop (default 1). Needs shared memory (a cross-origin
   * isolated page); without it the kernel runs on one thread.
   */
  threads?: number;
  /** Seed of the random inputs (default 1). */
  seed?: number;
  /** Timing samples (default 7). */
  samples?: number;
  /** Minimum duration of one sample in ms (default 10). */
  minSampleMs?: number;
  /** Only check correctness, do not time (gflops stay null). */
  checkOnly?: boolean;
  /**
   * Above this many flops only a sample of the output is checked (default 1e9 here, so that the
   * JS reference of a big problem does not eat the call's time limit).
   */
  fullCheckMaxFlops?: number;
  /** Soft time budget of warm-up plus samples in ms; at least `minSamples` are taken (default 2500). */
  budgetMs?: number;
  /** Samples taken even when the budget is spent (default 3). */
  minSamples?: number;
  /** Minimum warm-up calls after the check's call (default 3, see runtime/timing.ts). */
  minWarmupCalls?: number;
  /** Minimum warm-up duration in ms (default 20). */
  warmupMs?: number;
  /**
   * Run the whole kernel even when a full run would take over 50 ms; by default such a kernel is
   * checked and timed on a slice of its outermost loop, and the answer's `slice` says which.
   */
  full?: boolean;
}

/** Options of `refine`: samples of an already measured kernel, interleaved with the reference. */
export interface KernelRefineOptions {
  /** Threads, as given to `measure` for the same kernel (default 1). */
  threads?: number;
  /** As given to `measure` for the same kernel: the whole kernel rather than a slice. */
  full?: boolean;
  /** Seed of the random inputs (default 1). */
  seed?: number;
  /** Kernel samples to take, each between two reference samples (default 2). */
  pairs?: number;
  /** Minimum duration of one kernel sample in ms (default 10). */
  minSampleMs?: number;
  /** Minimum duration of one reference sample in ms (default 5). */
  referenceSampleMs?: number;
  /**
   * A flag in shared memory: once it is non-zero, no further kernel sample is started and the
   * samples so far are returned (so that a new measurement does not wait for a whole round).
   */
  stop?: Int32Array;
}

/**
 * Interleaved samples (see runtime/interleave.ts): reference, kernel, reference, ..., reference.
 * The reference is the peak kernel (independent multiply-adds in registers), always on one thread.
 */
export interface KernelRefinement {
  /** Seconds per kernel call of each kernel sample. */
  kernelSeconds: number[];
  /** Seconds per reference call of each reference sample (one more than the kernel samples). */
  referenceSeconds: number[];
  /** Floating-point operations of one kernel call (of its slice, when sliced) and of one reference call. */
  flops: number;
  referenceFlops: number;
  threads: number;
}

/** Called during timing with the fraction of the time budget spent (0..1; 1 once done). */
export type ProgressCallback = (fraction: number) => void;

/** XNNPACK's matMul on the problem's inputs: checked, then timed. */
export interface XnnpackResult {
  gflops: number | null;
  gflopsMedian: number | null;
  correct: boolean;
  /** Why the check failed, in words. */
  reason?: string;
}

export interface KernelWorkerApi {
  /** Loads the code generator; returns the detected target. */
  init(): Promise<Target>;
  /**
   * Parses `problemText` (statement, then sizes on the next line) and `scheduleText`, then
   * generates, checks and times the kernel. DSL and schedule errors reject with DslError /
   * ScheduleError (name and message survive the trip through comlink).
   */
  measure(
    problemText: string,
    scheduleText: string,
    options?: KernelMeasureOptions,
    onProgress?: ProgressCallback,
  ): Promise<KernelMeasurement>;
  /**
   * More samples of a kernel `measure` already checked, interleaved with samples of the reference
   * kernel, so that the page can tell a slower kernel from a busier machine.
   */
  refine(problemText: string, scheduleText: string, options?: KernelRefineOptions): Promise<KernelRefinement>;
  /**
   * Peak GFLOPS (best sample) of the machine's SIMD multiply-add: on one thread, or with `threads`
   * > 1 (and threads available) the peak kernel on that many threads at once.
   */
  peak(threads?: number): Promise<number>;
  /** Memory bandwidth in bytes/s (best sample) of a generated streaming kernel (runtime/bandwidth.ts). */
  bandwidth(): Promise<number>;
  /** XNNPACK (tfjs-backend-wasm matMul or conv2d) on the problem, or null when it is neither shape. */
  xnnpack(problemText: string): Promise<XnnpackResult | null>;
}

/** A measurement as the bench page hands it to its driving script: the figures and the report, not the module's bytes. */
export type BenchMeasurement = Omit<KernelMeasurement, 'kernelBytes'>;

/**
 * How the bench times a kernel: on how many threads (its parallel loop's iterations split among
 * them), its samples and time budget (ms), whole or on a slice, the inputs' seed.
 */
export interface BenchMeasureOptions {
  threads: number;
  samples: number;
  budgetMs: number;
  full: boolean;
  seed: number;
}

/**
 * What the bench page (bench.html, src/store/benchApi.ts) offers as `window.looplabBench`, for
 * `npm run bench -- --engine chromium` (scripts/benchChromium.ts): the kernel worker's calls that
 * the bench makes, through the playground's own client.
 */
export interface BenchApi {
  /** The generator's target in this engine (relaxed SIMD, how its compiler spends registers). */
  target(): Promise<Target>;
  measure(problemText: string, scheduleText: string, options: BenchMeasureOptions): Promise<BenchMeasurement>;
  xnnpack(problemText: string): Promise<XnnpackResult | null>;
  /** Peak GFLOPS of the SIMD multiply-add on one thread, or on `threads` at once. */
  peak(threads: number): Promise<number>;
}
