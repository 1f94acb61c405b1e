// The elements a schedule touches, in execution order: one step per multiply-add
// `out[...] += in0[...] * in1[...]`, generated one at a time (a 1024^3 matmul has 10^9 steps).
// Loops follow the schedule's semantics (src/core/pseudoC.ts): an inner loop over a variable starts
// where its enclosing loop over that variable is, and in a partial (tail) iteration it stops at
// the end of the enclosing range.
import { loopExtents, loopSteps } from './schedule.ts';
import type { Problem, Schedule, TensorAccess } from './types.ts';

/** One multiply-add: the value of every variable and the index of the element of each tensor. */
export interface AccessStep {
  /** 0-based position in execution order. */
  index: number;
  /** Values in `problem.variables` order. */
  values: number[];
  /** Multi-dimensional index per tensor: output, in0, in1. */
  cells: [number[], number[], number[]];
}

/** How a tensor is drawn as a grid: its last two dimensions, one 2-D slice per leading index. */
export interface TensorGrid {
  tensor: string;
  role: 'output' | 'input';
  rows: number;
  cols: number;
  /** Dimensions before the last two (a slice is one value of each). */
  sliceDims: number[];
  /** Number of slices (1 for a matrix). */
  slices: number;
}

/** The grid of a tensor: rows and columns are its last two dimensions (a vector is one row). */
export function tensorGrid(t: TensorAccess, role: 'output' | 'input'): TensorGrid {
  const d = t.shape.length;
  const rows = d >= 2 ? t.shape[d - 2] : 1;
  const cols = d >= 1 ? t.shape[d - 1] : 1;
  const sliceDims = t.shape.slice(0, Math.max(0, d - 2));
  return { tensor: t.name, role, rows, cols, sliceDims, slices: sliceDims.reduce((p, x) => p * x, 1) };
}

/** The grids of output, in0, in1. */
export function problemGrids(problem: Problem): [TensorGrid, TensorGrid, TensorGrid] {
  return [
    tensorGrid(problem.output, 'output'),
    tensorGrid(problem.inputs[0], 'input'),
    tensorGrid(problem.inputs[1], 'input'),
  ];
}

/** Where a cell lies in its grid: slice number (row-major over the leading dims), row, column. */
export function gridPlace(grid: TensorGrid, cell: readonly number[]): { slice: number; row: number; col: number } {
  const d = cell.length;
  let slice = 0;
  for (let i = 0; i < grid.sliceDims.length; i++) slice = slice * grid.sliceDims[i] + cell[i];
  return { slice, row: d >= 2 ? cell[d - 2] : 0, col: d >= 1 ? cell[d - 1] : 0 };
}

/** `A[1,2]` */
export function cellText(tensor: string, cell: readonly number[]): string {
  return `${tensor}[${cell.join(',')}]`;
}

/** `C[0,1] += A[0,1] * B[1,1]` */
export function stepText(problem: Problem, step: AccessStep): string {
  const [o, a, b] = [problem.output, problem.inputs[0], problem.inputs[1]];
  return `${cellText(o.name, step.cells[0])} += ${cellText(a.name, step.cells[1])} * ${cellText(b.name, step.cells[2])}`;
}

/** A cursor over the multiply-adds of a schedule; `next()` gives them in order, then null. */
export class AccessTrace {
  readonly problem: Problem;
  /** Number of multiply-adds (the product of the sizes). */
  readonly total: number;
  private readonly vars: number[];
  private readonly steps: number[];
  private readonly extents: number[];
  /** Index of the enclosing loop over the same variable, or -1. */
  private readonly parent: number[];
  /** Loop index that gives each variable its value (its innermost loop). */
  private readonly valueLoop: number[];
  private readonly sizes: number[];
  private readonly cur: number[];
  private readonly lim: number[];
  /** Per tensor, per dimension: [variable index, coefficient] of each term. */
  private readonly terms: [number, number][][][];
  private started = false;
  private done = false;
  private count = 0;

  constructor(problem: Problem, schedule: Schedule) {
    this.problem = problem;
    const loops = schedule.loops;
    this.vars = loops.map((l) => problem.variables.indexOf(l.variable));
    this.steps = loopSteps(problem, schedule);
    this.extents = loopExtents(problem, schedule);
    this.sizes = problem.variables.map((v) => problem.sizes[v]);
    const last = new Map<number, number>();
    this.parent = this.vars.map((v, i) => {
      const p = last.get(v) ?? -1;
      last.set(v, i);
      return p;
    });
    this.valueLoop = problem.variables.map((_, v) => last.get(v) ?? -1);
    if (this.valueLoop.some((i) => i < 0)) throw new Error('the schedule has no loop over some variable');
    this.cur = new Array<number>(loops.length).fill(0);
    this.lim = new Array<number>(loops.length).fill(0);
    this.terms = [problem.output, problem.inputs[0], problem.inputs[1]].map((t) =>
      t.indices.map((dim) =>
        dim.map((term): [number, number] => [problem.variables.indexOf(term.variable), term.coef]),
      ),
    );
    this.total = this.sizes.reduce((p, s) => p * s, 1);
  }

  /** How many steps `next()` has given. */
  get position(): number {
    return this.count;
  }

  /** Starts loops from..n-1 at the current values of the loops outside them. */
  private enter(from: number): void {
    for (let i = from; i < this.cur.length; i++) {
      const p = this.parent[i];
      const start = p < 0 ? 0 : this.cur[p];
      const bound = p < 0 ? this.sizes[this.vars[i]] : this.lim[p];
      this.cur[i] = start;
      this.lim[i] = Math.min(start + this.extents[i], bound);
    }
  }

  /** Moves to the next multiply-add; false when there is none. */
  private advance(): boolean {
    if (this.done) return false;
    if (!this.started) {
      this.started = true;
      this.enter(0);
      return true;
    }
    for (let i = this.cur.length - 1; i >= 0; i--) {
      this.cur[i] += this.steps[i];
      if (this.cur[i] < this.lim[i]) {
        this.enter(i + 1);
        return true;
      }
    }
    this.done = true;
    return false;
  }

  /** The next multiply-add, or null after the last. */
  next(): AccessStep | null {
    if (!this.advance()) return null;
    // Plain loops: the animation takes thousands of steps per frame.
    const values = new Array<number>(this.valueLoop.length);
    for (let v = 0; v < values.length; v++) values[v] = this.cur[this.valueLoop[v]];
    const cell = (terms: [number, number][][]) => {
      const out = new Array<number>(terms.length);
      for (let d = 0; d < terms.length; d++) {
        let sum = 0;
        for (const [v, coef] of terms[d]) sum += coef * values[v];
        out[d] = sum;
      }
      return out;
    };
    const step: AccessStep = {
      index: this.count,
      values,
      cells: [cell(this.terms[0]), cell(this.terms[1]), cell(this.terms[2])],
    };
    this.count++;
    return step;
  }

  /** Skips up to `n` steps without building them; returns how many were skipped. */
  skip(n: number): number {
    let k = 0;
    while (k < n && this.advance()) k++;
    this.count += k;
    return k;
  }
}
