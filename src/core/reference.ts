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
  const redVars = problem.reductionVariables;
  const [a, b] = problem.inputs;
  const check = (arr: Float32Array, elements: number, what: string) => {
    if (arr.length < elements) throw new RangeError(`${what} holds ${arr.length} elements, the problem needs ${elements}`);
  };
  check(out, problem.output.elements, 'out');
  check(in0, a.elements, 'in0');
  check(in1, b.elements, 'in1');

  const outSizes = outVars.map((v) => problem.sizes[v]);
  const redSizes = redVars.map((v) => problem.sizes[v]);
  const outStrides = [outVars.map((v) => problem.output.strides[v]), outVars.map((v) => a.strides[v]), outVars.map((v) => b.strides[v])];
  const redA = redVars.map((v) => a.strides[v]);
  const redB = redVars.map((v) => b.strides[v]);

  const oIdx = new Array<number>(outVars.length).fill(0);
  const rIdx = new Array<number>(redVars.length).fill(0);
  let oOff = 0;
  let aBase = 0;
  let bBase = 0;
  for (;;) {
    // Sum over the reduction variables (odometer, last variable fastest).
    let sum = 0;
    let aOff = aBase;
    let bOff = bBase;
    rIdx.fill(0);
    for (;;) {
      sum += in0[aOff] * in1[bOff];
      let d = redVars.length - 1;
      while (d >= 0) {
        rIdx[d]++;
        aOff += redA[d];
        bOff += redB[d];
        if (rIdx[d] < redSizes[d]) break;
        aOff -= redA[d] * redSizes[d];
        bOff -= redB[d] * redSizes[d];
        rIdx[d] = 0;
        d--;
      }
      if (d < 0) break;
    }
    out[oOff] += sum;
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
