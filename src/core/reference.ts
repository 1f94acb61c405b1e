// Reference implementation: naive loops over every variable, independent of any schedule logic.
import type { Problem } from './types.ts';

/** 2 x the product of all variable sizes. */
export function flopCount(problem: Problem): number {
  return 2 * problem.variables.reduce((p, v) => p * problem.sizes[v], 1);
}

/**
 * `out += in0 * in1` over the whole iteration space. Each output element's products are summed
 * in float64, then added to the output once (rounded to f32 on store).
 */
export function referenceCompute(problem: Problem, out: Float32Array, in0: Float32Array, in1: Float32Array): void {
  const outVars = problem.variables.filter((v) => !problem.reductionVariables.includes(v));
  const [a, b] = problem.inputs;
  const check = (arr: Float32Array, elements: number, what: string) => {
    if (arr.length < elements)
      throw new RangeError(`${what} holds ${arr.length} elements, the problem needs ${elements}`);
  };
  check(out, problem.output.elements, 'out');
  check(in0, a.elements, 'in0');
  check(in1, b.elements, 'in1');

  const reduction = reductionWalk(problem);
  const outSizes = outVars.map((v) => problem.sizes[v]);
  const outStrides = [
    outVars.map((v) => problem.output.strides[v]),
    outVars.map((v) => a.strides[v]),
    outVars.map((v) => b.strides[v]),
  ];

  const oIdx = new Array<number>(outVars.length).fill(0);
  let oOff = 0;
  let aBase = 0;
  let bBase = 0;
  for (;;) {
    out[oOff] += reduceElement(reduction, in0, in1, aBase, bBase).value;
    // Next output element.
    let d = outVars.length - 1;
    while (d >= 0) {
      oIdx[d]++;
      oOff += outStrides[0][d];
      aBase += outStrides[1][d];
      bBase += outStrides[2][d];
      if (oIdx[d] < outSizes[d]) break;
      oOff -= outStrides[0][d] * outSizes[d];
      aBase -= outStrides[1][d] * outSizes[d];
      bBase -= outStrides[2][d] * outSizes[d];
      oIdx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
}

/** What summing one output element walks: the reduction variables' sizes and their strides in the two inputs. */
export interface ReductionWalk {
  sizes: number[];
  strides0: number[];
  strides1: number[];
}

export function reductionWalk(problem: Problem): ReductionWalk {
  const red = problem.reductionVariables;
  const [t0, t1] = problem.inputs;
  return {
    sizes: red.map((v) => problem.sizes[v]),
    strides0: red.map((v) => t0.strides[v] ?? 0),
    strides1: red.map((v) => t1.strides[v] ?? 0),
  };
}

/**
 * One output element: the sum of `in0[o0] * in1[o1]` over the reduction, from the offsets `base0`
 * and `base1` of the element's first products, in float64; and the sum of |products| (the
 * correctness check's tolerance grows with it).
 */
export function reduceElement(
  walk: ReductionWalk,
  in0: Float32Array,
  in1: Float32Array,
  base0: number,
  base1: number,
): { value: number; sumAbs: number } {
  const { sizes, strides0, strides1 } = walk;
  const n = sizes.length;
  if (sizes.some((s) => s <= 0)) return { value: 0, sumAbs: 0 };
  const idx = new Array<number>(n).fill(0);
  let value = 0;
  let sumAbs = 0;
  let o0 = base0;
  let o1 = base1;
  for (;;) {
    const p = in0[o0] * in1[o1];
    value += p;
    sumAbs += Math.abs(p);
    // Odometer over the reduction variables, the last one fastest.
    let d = n - 1;
    for (; d >= 0; d--) {
      idx[d]++;
      o0 += strides0[d];
      o1 += strides1[d];
      if (idx[d] < sizes[d]) break;
      o0 -= strides0[d] * sizes[d];
      o1 -= strides1[d] * sizes[d];
      idx[d] = 0;
    }
    if (d < 0) break;
  }
  return { value, sumAbs };
}
