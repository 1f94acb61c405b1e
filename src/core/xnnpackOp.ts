// Which tfjs op the XNNPACK baseline runs for a problem (src/runtime/xnnpackCore.ts).
import { convShape } from './convShape.ts';
import { matmulShape } from './matmulShape.ts';
import type { Problem } from './types.ts';

/** matMul for a (batched) matmul, conv2d for a convolution, null for anything else. */
export function xnnpackOp(problem: Problem): 'matMul' | 'conv2d' | null {
  if (matmulShape(problem)) return 'matMul';
  if (convShape(problem)) return 'conv2d';
  return null;
}
