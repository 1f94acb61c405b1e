// The machine's SIMD multiply-add ceiling: codegen's peak module (independent multiply-adds kept
// in registers, like LoopNest's peak_gflops), timed with the same timer as the kernels.
import type { Codegen, Target } from '../codegen/index.ts';
import type { ThreadPool } from './threads.ts';
import { measureThroughput, type TimingOptions } from './timing.ts';

/** Floating-point operations per call of `peak`: enough for ~0.1-1 ms at 10-100 GFLOPS. */
export const PEAK_FLOPS_PER_CALL = 1e7;

/** Calls of the threaded peak are this many times longer than the one-thread peak's. */
const THREADED_PEAK_CALL_FACTOR = 16;

export interface PeakMeasurement {
  gflops: number;
  gflopsMedian: number;
  flopsPerIteration: number;
  iterationsPerCall: number;
}

type PeakFn = (iterations: number) => number;

export async function measurePeak(
  codegen: Codegen,
  target: Target,
  timing: TimingOptions = {},
): Promise<PeakMeasurement> {
  const { bytes, flopsPerIteration } = codegen.peak(target);
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, {});
  const peak = instance.exports.peak as PeakFn | undefined;
  if (typeof peak !== 'function') throw new Error('the peak module does not export a function `peak`');
  const iterationsPerCall = Math.max(1, Math.round(PEAK_FLOPS_PER_CALL / flopsPerIteration));
  // (A call into wasm is never removed as dead code, so the result can be dropped.)
  const t = measureThroughput(() => void peak(iterationsPerCall), iterationsPerCall * flopsPerIteration, timing);
  return { gflops: t.gflops, gflopsMedian: t.gflopsMedian, flopsPerIteration, iterationsPerCall };
}

/** The peak kernel on every thread of `pool` at once: the machine's multi-core SIMD ceiling. */
export async function measurePeakOnThreads(
  codegen: Codegen,
  target: Target,
  pool: ThreadPool,
  timing: TimingOptions = {},
): Promise<PeakMeasurement> {
  const { bytes, flopsPerIteration } = codegen.peak(target);
  const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  await pool.load(module, 'peak');
  // Long calls (~2-4 ms), so that waking and joining the threads costs under 2% of a call.
  const iterationsPerCall = Math.max(
    1,
    Math.round((THREADED_PEAK_CALL_FACTOR * PEAK_FLOPS_PER_CALL) / flopsPerIteration),
  );
  const args = Array.from({ length: pool.threads }, () => [iterationsPerCall]);
  const t = measureThroughput(() => pool.run(args), iterationsPerCall * flopsPerIteration * pool.threads, timing);
  return { gflops: t.gflops, gflopsMedian: t.gflopsMedian, flopsPerIteration, iterationsPerCall };
}
