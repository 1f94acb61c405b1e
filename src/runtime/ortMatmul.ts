// The threaded matmul baseline in Node (scripts/bench.ts): onnxruntime-web's wasm execution
// provider, whose MatMul runs ONNX Runtime's MLAS GEMM, on `threads` threads
// (ort.env.wasm.numThreads; ORT fixes it when it first initializes, so a process gets one thread
// count). tfjs-backend-wasm's threaded XNNPACK does not start its threads in Node 20 (see
// TOOLCHAIN.md), which is why the threaded baseline is ORT's.
//
// Untimed: a one-node MatMul model for the problem's shapes (onnxMatmulModel.ts), operands
// gathered from the buffers into row-major [batch][m,k] and [batch][k,n]. Timed: one awaited
// `session.run` per call, which includes copying both inputs into ORT's heap and the result out.
// The result of one run is checked against the reference before timing.
import type { Problem } from '../core/types.ts';
import type { KernelBuffers } from './buffers.ts';
import { checkOutput, type CheckOptions, type CheckResult } from './check.ts';
import { matmulModelBytes } from './onnxMatmulModel.ts';
import { measureAsyncThroughput, type TimingOptions } from './timing.ts';
import { matmulShape } from '../core/matmulShape.ts';

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

/**
 * Checks and times ORT's MatMul for a matmul-shaped problem on the buffers' inputs, on `threads`
 * threads; null when the problem is not matmul-shaped. Leaves the output zeroed.
 */
export async function measureOrtMatmul(
  problem: Problem,
  buffers: KernelBuffers,
  threads: number,
  options: OrtOptions = {},
): Promise<OrtMeasurement | null> {
  const shape = matmulShape(problem);
  if (!shape) return null;
  const ort = await loadOrt(threads);
  const size = (v: string | null) => (v === null ? 1 : problem.sizes[v]);
  const [batches, m, n, k] = [size(shape.batch), size(shape.m), size(shape.n), size(shape.k)];
  const aAccess = problem.inputs[shape.aInput];
  const bAccess = problem.inputs[1 - shape.aInput];
  const aData = shape.aInput === 0 ? buffers.in0 : buffers.in1;
  const bData = shape.aInput === 0 ? buffers.in1 : buffers.in0;
  const stride = (access: { strides: Record<string, number> }, v: string | null) =>
    v === null ? 0 : (access.strides[v] ?? 0);

  // Untimed: row-major operands, gathered through the problem's strides (any transposition).
  const a = new Float32Array(batches * m * k);
  const b = new Float32Array(batches * k * n);
  for (let bi = 0; bi < batches; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++)
        a[(bi * m + i) * k + j] =
          aData[bi * stride(aAccess, shape.batch) + i * stride(aAccess, shape.m) + j * stride(aAccess, shape.k)];
    }
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++)
        b[(bi * k + i) * n + j] =
          bData[bi * stride(bAccess, shape.batch) + i * stride(bAccess, shape.k) + j * stride(bAccess, shape.n)];
    }
  }
  const dims = (rows: number, cols: number) => (shape.batch === null ? [rows, cols] : [batches, rows, cols]);
  const session = await ort.InferenceSession.create(matmulModelBytes(dims(m, k), dims(k, n), dims(m, n)), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  try {
    const feeds = { A: new ort.Tensor('float32', a, dims(m, k)), B: new ort.Tensor('float32', b, dims(k, n)) };
    const result = (await session.run(feeds)).C.data as Float32Array;
    const out = buffers.out;
    const check = checkOutput(
      problem,
      buffers,
      () => {
        for (let bi = 0; bi < batches; bi++) {
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              out[
                bi * stride(problem.output, shape.batch) +
                  i * stride(problem.output, shape.m) +
                  j * stride(problem.output, shape.n)
              ] += result[(bi * m + i) * n + j];
            }
          }
        }
      },
      options.check,
    );
    if (!check.correct) return { gflops: null, gflopsMedian: null, check, threads };
    const t = await measureAsyncThroughput(() => session.run(feeds), problem.flops, options.timing);
    return { gflops: t.gflops, gflopsMedian: t.gflopsMedian, check, threads };
  } finally {
    await session.release();
  }
}
