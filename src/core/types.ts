// Shared data types of the loop-nest core. Pure data: no DOM, no wasm.

/** One term of an index expression: `coef * variable` (e.g. `2*oh`). */
export interface IndexTerm {
  variable: string;
  coef: number;
}

/** A tensor as it appears in the problem, with its derived layout (f32, dense, row-major). */
export interface TensorAccess {
  name: string;
  /** One index expression per dimension; each is a sum of terms. */
  indices: IndexTerm[][];
  /** Extent of each dimension, derived from the sizes: sum(coef * (size - 1)) + 1. */
  shape: number[];
  /** Element stride of this tensor along each problem variable (0 when the variable is absent). */
  strides: Record<string, number>;
  /** Number of f32 elements (product of the shape). */
  elements: number;
}

/** A parsed two-input multiply-accumulate contraction: `out[...] += in0[...] * in1[...]`. */
export interface Problem {
  /** Canonical text of the statement, e.g. `C[m,n] += A[m,k] * B[k,n]`. */
  op: string;
  /** Size of every variable. */
  sizes: Record<string, number>;
  /** Output variables in order of appearance in the output, then reduction variables in order of first appearance. */
  variables: string[];
  /** Variables absent from the output (summed over). */
  reductionVariables: string[];
  output: TensorAccess;
  inputs: [TensorAccess, TensorAccess];
  /** 2 x the product of all variable sizes. */
  flops: number;
}

/**
 * One loop of a schedule. Its step is the extent of the next loop inside it over the same
 * variable (1 if there is none); its extent is `trip * step + tail`, with `0 <= tail < step`.
 */
export interface Loop {
  variable: string;
  trip: number;
  tail: number;
  /**
   * The loop's iterations run on several threads (`||m:64` in schedule text). At most one loop
   * per schedule; only loops over output variables enclose it (see `parallelIssue`).
   */
  parallel?: boolean;
  /**
   * Inputs packed at the start of each iteration (`k:8 pack(B)` in schedule text): the part of
   * the tensor the loops inside read is copied into a contiguous scratch buffer, in the order
   * they read it, and read from there. Each input is packed at one loop at most.
   */
  packs?: string[];
}

/** A schedule: loops outermost first. */
export interface Schedule {
  loops: Loop[];
}

/** A schedule with a cursor on one of its loops (what actions operate on). */
export interface NestState {
  schedule: Schedule;
  cursor: number;
}
