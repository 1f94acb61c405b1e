// ORT's MatMul (MLAS GEMM) for matmul-shaped problems: the threaded matmul baseline (ort.ts).
//
// Untimed: a one-node MatMul model for the problem's shapes (onnxModels.ts), operands gathered from
// the buffers into row-major [batch][m,k] and [batch][k,n].
import { matmulShape } from '../core/matmulShape.ts';
import type { Problem } from '../core/types.ts';
import type { KernelBuffers } from './buffers.ts';
import { matmulModelBytes } from './onnxModels.ts';
import { type OrtMeasurement, type OrtOptions, measureOrtModel } from './ort.ts';

export type { OrtMeasurement, OrtOptions } from './ort.ts';

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
  return measureOrtModel(
    problem,
    buffers,
    threads,
    {
      bytes: matmulModelBytes(dims(m, k), dims(k, n), dims(m, n)),
      inputs: { A: { data: a, dims: dims(m, k) }, B: { data: b, dims: dims(k, n) } },
      output: 'C',
      addInto(result, out) {
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
    },
    options,
  );
}
