// One-node ONNX models of the baselines ORT runs: MatMul for matmul-shaped problems, Conv for
// convolutions (onnxProto.ts writes the bytes).
import { oneNodeModelBytes } from './onnxProto.ts';

/** Bytes of an ONNX model with inputs `A` (shape `a`), `B` (shape `b`) and output `C = A @ B` (shape `c`). */
export function matmulModelBytes(a: readonly number[], b: readonly number[], c: readonly number[]): Uint8Array {
  return oneNodeModelBytes({
    op: 'MatMul',
    inputs: [
      ['A', a],
      ['B', b],
    ],
    output: ['C', c],
  });
}

/**
 * Bytes of an ONNX model with inputs `X` ([1,CI,H,W]) and `W` ([CO,CI,KH,KW]) and output
 * `Y = Conv(X, W)` ([1,CO,OH,OW]): no padding, the same stride on both axes.
 */
export function convModelBytes(x: readonly number[], w: readonly number[], y: readonly number[], stride: number) {
  return oneNodeModelBytes({
    op: 'Conv',
    inputs: [
      ['X', x],
      ['W', w],
    ],
    output: ['Y', y],
    attributes: { kernel_shape: [w[2], w[3]], strides: [stride, stride] },
  });
}
