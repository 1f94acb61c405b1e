// Correctness check of a kernel (or any implementation writing the output buffer) against the
// independent reference of src/core (naive loops over the problem, not over the schedule).
//
// Tolerance. A kernel may sum the K products of one output element in any order and grouping
// (register tiles, splits, horizontal sums of vector lanes, fused multiply-add). For float32 with
// unit roundoff u = 2^-24 ~ 6e-8, any summation order satisfies
//     |computed - exact| <= (K - 1) * u * sumAbs + O(u^2),   sumAbs = sum_k |a_k * b_k|
// (Higham, Accuracy and Stability of Numerical Algorithms, 4.2), and with rounding errors of
// random sign the typical error is ~ sqrt(K) * u * sumAbs. The reference of src/core sums in
// float64 and rounds once, so the error is the kernel's; we accept
//     |got - ref| <= 1e-4 * sumAbs + 1e-5
// per element: 1e-4 ~ 1700 u covers the worst case up to K ~ 1700 and the typical case
// for any K a problem here can have (sqrt(K) u = 1e-4 at K ~ 2.8e6). Wrong kernels in practice
// (a wrong index, a lost tail, a stale or doubled accumulator) are off by a sizeable fraction of
// sumAbs; even a single lost product (~ sumAbs / K) is caught up to K ~ 1e4. The 1e-5 term covers
// outputs whose products are all tiny. sumAbs is computed in float64 (core's reduceElement), only
// for the elements where the cheap test |got - ref| <= 1e-4 * |ref| + 1e-5 fails
// (|ref| <= sumAbs, so that test passing implies the real one passes).
//
// Large problems (flops > fullCheckMaxFlops, default 4e9) would make the JS reference take
// seconds: we then check a deterministic sample of output elements (biased to the edges of every
// dimension, where tails live), computing the reference (float64) for those elements only.
//
// Besides values, the check verifies that the kernel left its inputs and the guard bytes around
// the tensors untouched, and reports a trap (e.g. an out-of-bounds access) as incorrect.
import type { Problem } from '../core/types.ts';
import { reduceElement, reductionWalk, referenceCompute } from '../core/reference.ts';
import { seededRandom } from '../core/random.ts';
import { errorMessage } from '../core/errors.ts';
import type { KernelBuffers } from './buffers.ts';

export const RELATIVE_TOLERANCE = 1e-4;
export const ABSOLUTE_TOLERANCE = 1e-5;
export const DEFAULT_FULL_CHECK_MAX_FLOPS = 4e9;
export const DEFAULT_CHECK_SAMPLES = 512;

export interface CheckOptions {
  /** Above this many flops only a sample of output elements is checked (default 4e9). */
  fullCheckMaxFlops?: number;
  /** Output elements checked in sampled mode (default 512). */
  samples?: number;
}

export interface Mismatch {
  /** Flat (row-major) index into the output tensor. */
  index: number;
  got: number;
  expected: number;
  /** The tolerance this element had to meet. */
  tolerance: number;
}

export interface CheckResult {
  correct: boolean;
  /** Largest |got - expected| over the checked elements (Infinity when a value is NaN). */
  maxError: number;
  checked: 'full' | 'sampled';
  /** Number of output elements compared. */
  checkedElements: number;
  /** The first wrong element (lowest index in full mode, first in sample order otherwise). */
  firstMismatch?: Mismatch;
  /** Why the result is incorrect, in words (also set for traps and stray writes). */
  reason?: string;
}

/**
 * Zeroes the output, calls `run` once (it must compute out += in0 * in1 into `buffers`), and
 * compares the output with the reference. Restores inputs and guards if `run` damaged them, and
 * leaves the output zeroed for the caller.
 */
export function checkOutput(
  problem: Problem,
  buffers: KernelBuffers,
  run: () => void,
  options: CheckOptions = {},
): CheckResult {
  const maxFlops = options.fullCheckMaxFlops ?? DEFAULT_FULL_CHECK_MAX_FLOPS;
  const plain = plainOutputVariables(problem);
  // Sampling needs to map an output element back to its variables; otherwise check everything.
  const mode: 'full' | 'sampled' = problem.flops > maxFlops && plain !== null ? 'sampled' : 'full';

  const in0Copy = buffers.in0.slice();
  const in1Copy = buffers.in1.slice();
  buffers.resetOutput();

  const fail = (reason: string, extra: Partial<CheckResult> = {}): CheckResult => ({
    correct: false,
    maxError: Infinity,
    checked: mode,
    checkedElements: 0,
    reason,
    ...extra,
  });

  try {
    run();
  } catch (e) {
    restore(buffers, in0Copy, in1Copy);
    return fail(`the kernel trapped: ${describeError(e)}`);
  }

  const strayWrites: string[] = [];
  if (!sameBits(buffers.in0, in0Copy)) strayWrites.push(`the input ${problem.inputs[0].name}`);
  if (!sameBits(buffers.in1, in1Copy)) strayWrites.push(`the input ${problem.inputs[1].name}`);
  if (!buffers.guardsIntact()) strayWrites.push('memory outside the tensors');

  const result =
    mode === 'full'
      ? compareFull(problem, buffers.out, in0Copy, in1Copy, plain, referenceFor(problem, buffers, in0Copy, in1Copy))
      : compareSampled(problem, buffers.out, in0Copy, in1Copy, plain!, options.samples ?? DEFAULT_CHECK_SAMPLES);

  restore(buffers, in0Copy, in1Copy);
  buffers.resetOutput();

  if (strayWrites.length > 0) {
    return { ...result, correct: false, reason: `the kernel wrote to ${strayWrites.join(' and ')}` };
  }
  return result;
}

/** The tolerance for one element (see the module comment). */
export function tolerance(sumAbs: number): number {
  return RELATIVE_TOLERANCE * sumAbs + ABSOLUTE_TOLERANCE;
}

function restore(buffers: KernelBuffers, in0: Float32Array, in1: Float32Array): void {
  if (!sameBits(buffers.in0, in0)) buffers.in0.set(in0);
  if (!sameBits(buffers.in1, in1)) buffers.in1.set(in1);
  if (!buffers.guardsIntact()) buffers.restoreGuards();
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Names the trap's kind too (`RuntimeError: memory access out of bounds`). */
function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${errorMessage(e)}` : errorMessage(e);
}

function mismatchReason(problem: Problem, m: Mismatch, mode: 'full' | 'sampled', elements: number): string {
  const where = elementName(problem, m.index);
  return (
    `wrong value at ${where}: got ${m.got}, expected ${m.expected} ` +
    `(tolerance ${m.tolerance.toPrecision(3)}; ${mode} check of ${elements} elements)`
  );
}

/** `C[3,17]` for a flat output index. */
export function elementName(problem: Problem, index: number): string {
  const shape = problem.output.shape;
  const coords: number[] = new Array(shape.length);
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return `${problem.output.name}[${coords.join(',')}]`;
}

/**
 * When every output dimension is indexed by a single distinct variable with coefficient 1
 * (`C[m,n]`, `O[co,oh,ow]`), returns those variables in dimension order; else null.
 */
export function plainOutputVariables(problem: Problem): string[] | null {
  const vars: string[] = [];
  for (const dim of problem.output.indices) {
    if (dim.length !== 1 || dim[0].coef !== 1 || vars.includes(dim[0].variable)) return null;
    vars.push(dim[0].variable);
  }
  const outputVars = problem.variables.filter((v) => !problem.reductionVariables.includes(v));
  if (outputVars.length !== vars.length || outputVars.some((v) => !vars.includes(v))) return null;
  return vars;
}

/**
 * Float64 reference of one output element given by its variables' values, and the sum of
 * |products| over the reduction (for the tolerance).
 */
export function elementReference(
  problem: Problem,
  in0: Float32Array,
  in1: Float32Array,
  outputPoint: Record<string, number>,
): { value: number; sumAbs: number } {
  const [t0, t1] = problem.inputs;
  let base0 = 0;
  let base1 = 0;
  for (const v of Object.keys(outputPoint)) {
    base0 += outputPoint[v] * (t0.strides[v] ?? 0);
    base1 += outputPoint[v] * (t1.strides[v] ?? 0);
  }
  return reduceElement(reductionWalk(problem), in0, in1, base0, base1);
}

function pointOfIndex(problem: Problem, vars: string[], index: number): Record<string, number> {
  return pointInRegion(vars, problem.output.shape, index);
}

/** The variables' values at a flat row-major index into a region of the given shape. */
function pointInRegion(vars: string[], shape: readonly number[], index: number): Record<string, number> {
  const point: Record<string, number> = {};
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    point[vars[d]] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return point;
}

/**
 * The reference output per buffers (inputs never change after allocation: the check restores
 * them when a kernel writes them), so measuring many schedules of one problem pays for the JS
 * reference once.
 */
const referenceCache = new WeakMap<KernelBuffers, { key: string; ref: Float32Array }>();

function referenceFor(problem: Problem, buffers: KernelBuffers, in0: Float32Array, in1: Float32Array): Float32Array {
  const key = `${problem.op}\n${JSON.stringify(problem.sizes)}`;
  const hit = referenceCache.get(buffers);
  if (hit && hit.key === key) return hit.ref;
  const ref = new Float32Array(problem.output.elements);
  referenceCompute(problem, ref, in0, in1);
  referenceCache.set(buffers, { key, ref });
  return ref;
}

function compareFull(
  problem: Problem,
  out: Float32Array,
  in0: Float32Array,
  in1: Float32Array,
  plain: string[] | null,
  ref: Float32Array,
): CheckResult {
  let sumAbsAll: Float64Array | null = null;
  let maxError = 0;
  let firstMismatch: Mismatch | undefined;
  for (let i = 0; i < out.length; i++) {
    const got = out[i];
    const expected = ref[i];
    const err = Math.abs(got - expected);
    const e = Number.isNaN(err) ? Infinity : err;
    if (e > maxError) maxError = e;
    if (err <= RELATIVE_TOLERANCE * Math.abs(expected) + ABSOLUTE_TOLERANCE) continue;
    let sumAbs: number;
    if (plain !== null) {
      sumAbs = elementReference(problem, in0, in1, pointOfIndex(problem, plain, i)).sumAbs;
    } else {
      sumAbsAll ??= sumAbsPass(problem, in0, in1);
      sumAbs = sumAbsAll[i];
    }
    const tol = tolerance(sumAbs);
    if (!(err <= tol) && firstMismatch === undefined) firstMismatch = { index: i, got, expected, tolerance: tol };
  }
  const result: CheckResult = {
    correct: firstMismatch === undefined,
    maxError,
    checked: 'full',
    checkedElements: out.length,
  };
  if (firstMismatch) {
    result.firstMismatch = firstMismatch;
    result.reason = mismatchReason(problem, firstMismatch, 'full', out.length);
  }
  return result;
}

/** sum |a*b| per output element over the whole iteration space (for non-plain outputs). */
function sumAbsPass(problem: Problem, in0: Float32Array, in1: Float32Array): Float64Array {
  const acc = new Float64Array(problem.output.elements);
  const vars = problem.variables;
  const sizes = vars.map((v) => problem.sizes[v]);
  if (sizes.some((s) => s <= 0)) return acc;
  const so = vars.map((v) => problem.output.strides[v] ?? 0);
  const s0 = vars.map((v) => problem.inputs[0].strides[v] ?? 0);
  const s1 = vars.map((v) => problem.inputs[1].strides[v] ?? 0);
  const n = vars.length;
  const idx = new Array<number>(n).fill(0);
  let oo = 0;
  let o0 = 0;
  let o1 = 0;
  for (;;) {
    acc[oo] += Math.abs(in0[o0] * in1[o1]);
    let d = n - 1;
    for (; d >= 0; d--) {
      idx[d]++;
      oo += so[d];
      o0 += s0[d];
      o1 += s1[d];
      if (idx[d] < sizes[d]) break;
      oo -= so[d] * sizes[d];
      o0 -= s0[d] * sizes[d];
      o1 -= s1[d] * sizes[d];
      idx[d] = 0;
    }
    if (d < 0) break;
  }
  return acc;
}

/**
 * Deterministic sample of output elements: the first and last element, then elements whose
 * coordinates are, per dimension, half the time near an edge (where tails are) and half the time
 * uniform. Returns sorted distinct flat indices.
 */
export function sampleOutputIndices(shape: readonly number[], count: number): number[] {
  const elements = shape.reduce((a, b) => a * b, 1);
  if (elements <= count) return Array.from({ length: elements }, (_, i) => i);
  const rand = seededRandom(0x5eed);
  const chosen = new Set<number>([0, elements - 1]);
  let attempts = 0;
  while (chosen.size < count && attempts < count * 20) {
    attempts++;
    let index = 0;
    for (const size of shape) {
      let c: number;
      if (rand() < 0.5) {
        const edge = Math.floor(rand() * Math.min(size, 8));
        c = rand() < 0.5 ? edge : size - 1 - edge;
      } else {
        c = Math.floor(rand() * size);
      }
      index = index * size + c;
    }
    chosen.add(index);
  }
  return [...chosen].sort((a, b) => a - b);
}

function compareSampled(
  problem: Problem,
  out: Float32Array,
  in0: Float32Array,
  in1: Float32Array,
  plain: string[],
  count: number,
): CheckResult {
  // The region the problem's sizes span: the whole output, or the part a slice computes (a
  // problem restricted to a range of an output variable, see slice.ts) when smaller.
  const region = plain.map((v) => problem.sizes[v]);
  const samples = sampleOutputIndices(region, count);
  const indices: number[] = [];
  let maxError = 0;
  let firstMismatch: Mismatch | undefined;
  for (const r of samples) {
    const point = pointInRegion(plain, region, r);
    const i = plain.reduce((at, v) => at + point[v] * problem.output.strides[v], 0);
    indices.push(i);
    const { value, sumAbs } = elementReference(problem, in0, in1, point);
    const got = out[i];
    const err = Math.abs(got - value);
    const e = Number.isNaN(err) ? Infinity : err;
    if (e > maxError) maxError = e;
    const tol = tolerance(sumAbs);
    if (!(err <= tol) && firstMismatch === undefined) {
      firstMismatch = { index: i, got, expected: Math.fround(value), tolerance: tol };
    }
  }
  const result: CheckResult = {
    correct: firstMismatch === undefined,
    maxError,
    checked: 'sampled',
    checkedElements: indices.length,
  };
  if (firstMismatch) {
    result.firstMismatch = firstMismatch;
    result.reason = mismatchReason(problem, firstMismatch, 'sampled', indices.length);
  }
  return result;
}
