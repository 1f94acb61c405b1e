// The `xnnpack` baseline, shared by Node (xnnpack.ts: scripts/bench.ts) and the kernel worker
// (xnnpackBrowser.ts): tf.matMul of @tensorflow/tfjs-backend-wasm, which runs XNNPACK's SIMD GEMM,
// single-threaded like our kernels (convolutions: tf.conv2d, in xnnpackConv.ts). The caller loads tfjs (paths to the backend's .wasm files
// differ between Node and the browser) and hands it in.
//
// tfjs-backend-wasm 4.22 hands a matMul to XNNPACK only for a single untransposed 2-D product;
// batched or transposed operands go to a much slower scalar loop (measured here: 256^3 with
// transposeB 1.9 GFLOPS against 20 untransposed; 8 x 128x64x128 batched 1.6 against 19 for one
// batch). The baseline is meant to be XNNPACK's speed, so before timing (untimed) the operands
// are brought to row-major [m,k] and [k,n] with tf.transpose and split into one 2-D pair per
// batch.
//
// What is timed: per call, one `tf.matMul(a, b)` per batch on tensors already living in the
// backend's heap, plus disposing each result. The wasm backend executes the op synchronously
// inside the call, so this is the GEMM plus the output allocation and the small per-op overhead
// of tfjs (kernel dispatch, shape checks), but no copy of inputs or results in or out of the heap.
//
// Matmul-shaped problems here: C[m,n] += A[m,k] * B[k,n] under any variable names,
// with either input transposed, inputs in either order, and the batched form
// C[b,m,n] += A[b,m,k] * B[b,k,n] with the batch variable first everywhere.
import { matmulShape, type MatmulShape } from '../core/matmulShape.ts';
import type { Problem } from '../core/types.ts';
import type { KernelBuffers } from './buffers.ts';
import { checkOutput, type CheckOptions, type CheckResult } from './check.ts';
import { measureThroughput, type TimingOptions } from './timing.ts';
import type { ConvShape } from '../core/convShape.ts';
import type { Tf } from './tf.ts';
import { measureXnnpackConvWith } from './xnnpackConv.ts';

export type { Tf } from './tf.ts';

export interface XnnpackMeasurement {
  gflops: number | null;
  gflopsMedian: number | null;
  check: CheckResult;
  shape: MatmulShape | ConvShape;
}

export interface XnnpackOptions {
  timing?: TimingOptions;
  check?: CheckOptions;
}

/**
 * Checks and times XNNPACK through tfjs (`tf`, already on its wasm backend): tf.matMul for a
 * matmul-shaped problem, tf.conv2d for a convolution (see xnnpackOp), on the given buffers'
 * inputs; null for other problems. Leaves the output zeroed.
 */
export function measureXnnpackWith(
  tf: Tf,
  problem: Problem,
  buffers: KernelBuffers,
  options: XnnpackOptions = {},
): XnnpackMeasurement | null {
  const shape = matmulShape(problem);
  if (!shape) return measureXnnpackConvWith(tf, problem, buffers, options);
  const aIndex = shape.aInput;
  const bIndex = 1 - aIndex;
  const inputs = [buffers.in0, buffers.in1];
  const live: Array<{ dispose(): void }> = [];
  const keep = <T extends { dispose(): void }>(t: T): T => {
    live.push(t);
    return t;
  };
  try {
    // Untimed: operands as row-major [batch][m,k] and [batch][k,n], one 2-D tensor per batch.
    const operand = (index: number, transpose: boolean) => {
      let t = keep(tf.tensor(inputs[index].slice(), problem.inputs[index].shape, 'float32'));
      const rank = t.shape.length;
      if (transpose) {
        const perm = [...Array(rank).keys()];
        [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
        t = keep(tf.transpose(t, perm));
      }
      return shape.batch === null ? [t] : tf.unstack(t).map(keep);
    };
    const as = operand(aIndex, shape.transposeA);
    const bs = operand(bIndex, shape.transposeB);
    const batches = as.length;
    const out = buffers.out;
    const outPerBatch = out.length / batches;

    // tf.matMul's result is row-major [m,n]: batch `i` is the i-th slice of the output tensor.
    const check = checkOutput(
      problem,
      buffers,
      () => {
        for (let i = 0; i < batches; i++) {
          const c = tf.matMul(as[i], bs[i]);
          const values = c.dataSync() as Float32Array;
          c.dispose();
          const base = i * outPerBatch;
          for (let j = 0; j < outPerBatch; j++) out[base + j] += values[j];
        }
      },
      options.check,
    );
    if (!check.correct) return { gflops: null, gflopsMedian: null, check, shape };
    const t = measureThroughput(
      () => {
        for (let i = 0; i < batches; i++) tf.matMul(as[i], bs[i]).dispose();
      },
      problem.flops,
      options.timing,
    );
    return { gflops: t.gflops, gflopsMedian: t.gflopsMedian, check, shape };
  } finally {
    for (const t of live) t.dispose();
  }
}
