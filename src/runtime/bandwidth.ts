// The machine's memory bandwidth as a generated kernel sees it, for the roofline's memory line:
// the generator's own SIMD kernel for `C[i] += A[i] * B[i]` over arrays much larger than the
// caches, timed with the same timer as every kernel. Per element it reads A, B and C and writes
// C: 16 bytes for 2 flops, so bytes/s = 8 x flops/s.
//
// Cheap on purpose (~0.1-0.3 s): the inputs are left zero (no random fill, no correctness check:
// the kernel is the generator's simplest, and its speed, not its values, is the point), and a
// handful of samples is taken.
import type { Codegen, Target } from '../codegen/index.ts';
import { parseProblemText } from '../core/problem.ts';
import { defaultSchedule } from '../core/schedule.ts';
import { layoutBuffers } from './buffers.ts';
import { measureThroughput, type TimingOptions } from './timing.ts';

/**
 * Elements per array: 3 x 32 MiB, three times the 32 MiB last-level cache of the machines this was
 * tuned on (at 3 x 16 MiB part of the arrays still came from the cache: ~70 against ~50 GB/s).
 */
export const BANDWIDTH_ELEMENTS = 1 << 23;
/** Bytes moved per element: read A, B, C, write C. */
export const BANDWIDTH_BYTES_PER_ELEMENT = 16;

export interface BandwidthMeasurement {
  /** Bytes per second of the best sample. */
  bytesPerSecond: number;
  /** Of the median sample. */
  bytesPerSecondMedian: number;
  elements: number;
}

/** The elementwise problem whose kernel streams memory. */
export function streamProblemText(elements: number): string {
  return `C[i] += A[i] * B[i]\ni=${elements}`;
}

export async function measureBandwidth(
  codegen: Codegen,
  target: Target,
  options: { elements?: number; timing?: TimingOptions } = {},
): Promise<BandwidthMeasurement> {
  const elements = options.elements ?? BANDWIDTH_ELEMENTS;
  const problem = parseProblemText(streamProblemText(elements));
  const { module } = await codegen.compile(problem, defaultSchedule(problem), target);
  const layout = layoutBuffers(problem);
  const memory = new WebAssembly.Memory({ initial: layout.pages, maximum: layout.pages });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const kernel = instance.exports.kernel as (out: number, in0: number, in1: number) => void;
  const t = measureThroughput(() => kernel(layout.outPtr, layout.in0Ptr, layout.in1Ptr), problem.flops, {
    samples: 5,
    minSampleMs: 10,
    warmupMs: 10,
    maxTotalMs: 400,
    ...options.timing,
  });
  // GFLOPS -> bytes/s: 2 flops per element.
  const perFlop = BANDWIDTH_BYTES_PER_ELEMENT / 2;
  return { bytesPerSecond: t.gflops * 1e9 * perFlop, bytesPerSecondMedian: t.gflopsMedian * 1e9 * perFlop, elements };
}
