// The threaded baseline in Node (scripts/bench.ts): onnxruntime-web's wasm execution provider, on
// `threads` threads (ort.env.wasm.numThreads; ORT fixes it when it first initializes, so a process
// gets one thread count). Its MatMul and Conv run ONNX Runtime's MLAS kernels (ortMatmul.ts,
// ortConv.ts build the one-node models). tfjs-backend-wasm's threaded XNNPACK does not start its
// threads in Node 20 (see TOOLCHAIN.md), which is why the threaded baseline is ORT's.
//
// Timed: one awaited `session.run` per call, which includes copying the inputs into ORT's heap and
// the result out. The result of one run is checked against the reference before timing.
import type { Problem } from '../core/types.ts';
import type { KernelBuffers } from './buffers.ts';
import { checkOutput, type CheckOptions, type CheckResult } from './check.ts';
import { measureAsyncThroughput, type TimingOptions } from './timing.ts';

export interface OrtMeasurement {
  gflops: number | null;
  gflopsMedian: number | null;
  check: CheckResult;
  threads: number;
}

export interface OrtOptions {
  timing?: TimingOptions;
  check?: CheckOptions;
}

type Ort = typeof import('onnxruntime-web');
let ortReady: { threads: number; ort: Promise<Ort> } | null = null;

function loadOrt(threads: number): Promise<Ort> {
  if (ortReady && ortReady.threads !== threads) {
    throw new Error(
      `onnxruntime-web already runs on ${ortReady.threads} threads in this process; it can't switch to ${threads}`,
    );
  }
  ortReady ??= {
    threads,
    ort: import('onnxruntime-web').then((ort) => {
      ort.env.wasm.numThreads = threads;
      ort.env.logLevel = 'error';
      return ort;
    }),
  };
  return ortReady.ort;
}

/** A one-node model, its float32 inputs, and how its output adds into the problem's output buffer. */
export interface OrtModel {
  bytes: Uint8Array;
  inputs: Record<string, { data: Float32Array; dims: readonly number[] }>;
  output: string;
  /** Adds ORT's result into `out` (the problem's output layout). */
  addInto(result: Float32Array, out: Float32Array): void;
}

/** Checks and times `model` on `threads` threads. Leaves the output zeroed. */
export async function measureOrtModel(
  problem: Problem,
  buffers: KernelBuffers,
  threads: number,
  model: OrtModel,
  options: OrtOptions = {},
): Promise<OrtMeasurement> {
  const ort = await loadOrt(threads);
  const session = await ort.InferenceSession.create(model.bytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  try {
    const feeds = Object.fromEntries(
      Object.entries(model.inputs).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.dims)]),
    );
    const result = (await session.run(feeds))[model.output].data as Float32Array;
    const check = checkOutput(problem, buffers, () => model.addInto(result, buffers.out), options.check);
    if (!check.correct) return { gflops: null, gflopsMedian: null, check, threads };
    const t = await measureAsyncThroughput(() => session.run(feeds), problem.flops, options.timing);
    return { gflops: t.gflops, gflopsMedian: t.gflopsMedian, check, threads };
  } finally {
    await session.release();
  }
}
