// Whether a problem is a (batched) matmul, and in which layout: the page offers the XNNPACK
// baseline only for these, and the runtime hands them to tf.matMul (src/runtime/xnnpackCore.ts).
import type { Problem, TensorAccess } from './types.ts';

export interface MatmulShape {
  /** Batch variable, or null for a plain matmul. */
  batch: string | null;
  m: string;
  n: string;
  k: string;
  /** Which problem input is the left operand A (holding m and k). */
  aInput: 0 | 1;
  transposeA: boolean;
  transposeB: boolean;
}

function plainDims(t: TensorAccess): string[] | null {
  const vars: string[] = [];
  for (const dim of t.indices) {
    if (dim.length !== 1 || dim[0].coef !== 1 || vars.includes(dim[0].variable)) return null;
    vars.push(dim[0].variable);
  }
  return vars;
}

/** Recognizes (batched) matmul problems; null for anything else. */
export function matmulShape(problem: Problem): MatmulShape | null {
  if (problem.reductionVariables.length !== 1) return null;
  const k = problem.reductionVariables[0];
  const out = plainDims(problem.output);
  const in0 = plainDims(problem.inputs[0]);
  const in1 = plainDims(problem.inputs[1]);
  if (!out || !in0 || !in1) return null;
  if (out.length !== 2 && out.length !== 3) return null;
  if (in0.length !== out.length || in1.length !== out.length) return null;
  let batch: string | null = null;
  let o = out;
  let x = in0;
  let y = in1;
  if (out.length === 3) {
    batch = out[0];
    if (in0[0] !== batch || in1[0] !== batch) return null;
    o = out.slice(1);
    x = in0.slice(1);
    y = in1.slice(1);
  }
  const [m, n] = o;
  const has = (dims: string[], a: string, b: string) => dims.includes(a) && dims.includes(b);
  let aInput: 0 | 1;
  let aDims: string[];
  let bDims: string[];
  if (has(x, m, k) && has(y, k, n)) {
    aInput = 0;
    aDims = x;
    bDims = y;
  } else if (has(y, m, k) && has(x, k, n)) {
    aInput = 1;
    aDims = y;
    bDims = x;
  } else {
    return null;
  }
  return { batch, m, n, k, aInput, transposeA: aDims[0] === k, transposeB: bDims[0] === n };
}
