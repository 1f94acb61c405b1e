// The access-pattern animation: steps an AccessTrace (src/core/accessTrace.ts) and paints the three
// tensors as grids on canvases (one pixel block per cell, no DOM per cell). A cell is bright when
// just used and fades with age; cells used before stay tinted. Tensors larger than MAX_CELLS per
// side are either downsampled (one cell stands for a block x block square of elements) or shown
// through a window (the top-left MAX_CELLS x MAX_CELLS elements; accesses outside are not drawn). Tensors with more
// than two dimensions show the 2-D slice (last two dimensions) of the latest access.
import { AccessTrace, gridPlace, problemGrids, type AccessStep, type TensorGrid } from '../core/accessTrace.ts';
import type { Problem, Schedule } from '../core/types.ts';

/** The most cells drawn along a side; larger tensors are downsampled to this. */
export const MAX_CELLS = 64;
/** Distinct recent cells kept per tensor for the text view. */
export const RECENT = 6;

const COLORS: [number, number, number][] = [
  [179, 71, 0], // output: orange
  [31, 95, 191], // first input: blue
  [24, 121, 78], // second input: green
];
const NEVER: [number, number, number] = [238, 238, 238];

export interface GridState {
  grid: TensorGrid;
  /** Elements per cell side (1 = every element has its own cell). */
  block: number;
  /** Only the top-left rows x cols elements are drawn. */
  window: boolean;
  rows: number;
  cols: number;
  /** Last step (1-based) that touched each cell, per slice. */
  lastTouch: Map<number, Float64Array>;
  /** Slice of the latest access, and its recency array. */
  slice: number;
  sliceTouch: Float64Array | null;
  /** Latest distinct cells (element indices, newest first). */
  recent: number[][];
}

/** How tensors larger than MAX_CELLS a side are drawn. */
export type SamplingMode = 'downsample' | 'window';

/** Cells per side and block size for a grid; `window` is true when only the top-left corner is drawn. */
export function sampling(
  grid: TensorGrid,
  mode: SamplingMode = 'downsample',
): { block: number; rows: number; cols: number; window: boolean } {
  if (mode === 'window') {
    return {
      block: 1,
      rows: Math.min(grid.rows, MAX_CELLS),
      cols: Math.min(grid.cols, MAX_CELLS),
      window: grid.rows > MAX_CELLS || grid.cols > MAX_CELLS,
    };
  }
  const block = Math.max(1, Math.ceil(Math.max(grid.rows, grid.cols) / MAX_CELLS));
  return { block, rows: Math.ceil(grid.rows / block), cols: Math.ceil(grid.cols / block), window: false };
}

function sameCell(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return a.length === b.length;
}

/** Trace + per-cell recency for the three tensors; no drawing (testable without a canvas). */
export class AccessModel {
  readonly problem: Problem;
  readonly grids: GridState[];
  private trace: AccessTrace;
  private readonly schedule: Schedule;
  current: AccessStep | null = null;

  constructor(problem: Problem, schedule: Schedule, mode: SamplingMode = 'downsample') {
    this.problem = problem;
    this.schedule = schedule;
    this.trace = new AccessTrace(problem, schedule);
    this.grids = problemGrids(problem).map((grid) => ({
      grid,
      ...sampling(grid, mode),
      lastTouch: new Map(),
      slice: 0,
      sliceTouch: null,
      recent: [],
    }));
  }

  get total(): number {
    return this.trace.total;
  }
  /** Steps taken (the current step is number `position`, 1-based). */
  get position(): number {
    return this.trace.position;
  }
  get done(): boolean {
    return this.trace.position >= this.trace.total;
  }

  reset(): void {
    this.trace = new AccessTrace(this.problem, this.schedule);
    this.current = null;
    for (const g of this.grids) {
      g.lastTouch.clear();
      g.slice = 0;
      g.sliceTouch = null;
      g.recent = [];
    }
  }

  /** Takes up to `n` steps; returns how many were taken. */
  advance(n: number): number {
    let k = 0;
    for (; k < n; k++) {
      const step = this.trace.next();
      if (!step) break;
      this.record(step);
    }
    return k;
  }

  private record(step: AccessStep): void {
    this.current = step;
    const when = step.index + 1;
    for (let t = 0; t < this.grids.length; t++) {
      const g = this.grids[t];
      const cell = step.cells[t];
      const { slice, row, col } = gridPlace(g.grid, cell);
      let arr = g.slice === slice ? g.sliceTouch : g.lastTouch.get(slice);
      if (!arr) {
        arr = new Float64Array(g.rows * g.cols);
        g.lastTouch.set(slice, arr);
      }
      const r = Math.floor(row / g.block);
      const c = Math.floor(col / g.block);
      if (r < g.rows && c < g.cols) arr[r * g.cols + c] = when;
      g.slice = slice;
      g.sliceTouch = arr;
      if (g.recent.length === 0 || !sameCell(g.recent[0], cell)) {
        const rest = g.recent.filter((c) => !sameCell(c, cell));
        rest.unshift(cell);
        if (rest.length > RECENT) rest.length = RECENT;
        g.recent = rest;
      }
    }
  }
}

/** One cell-per-pixel canvas per visible canvas, scaled up when drawn. */
const scratch = new WeakMap<HTMLCanvasElement, HTMLCanvasElement>();

/** Paints one grid state on a canvas; `fade` is the age in steps at which a cell has faded to 1/e. */
export function paintGrid(
  canvas: HTMLCanvasElement,
  g: GridState,
  t: number,
  position: number,
  fade: number,
  cellPx: number,
  current: number[] | null,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const width = g.cols * cellPx;
  const height = g.rows * cellPx;
  const dpr = globalThis.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const image = ctx.createImageData(g.cols, g.rows);
  const data = image.data;
  const last = g.lastTouch.get(g.slice);
  const [r, gr, b] = COLORS[t];
  for (let i = 0; i < g.rows * g.cols; i++) {
    const when = last ? last[i] : 0;
    let c: [number, number, number];
    if (when === 0) c = NEVER;
    else {
      // Used before: a light tint; recently used: towards the full colour.
      const heat = 0.18 + 0.82 * Math.exp(-(position - when) / fade);
      c = [255 + (r - 255) * heat, 255 + (gr - 255) * heat, 255 + (b - 255) * heat];
    }
    data[4 * i] = c[0];
    data[4 * i + 1] = c[1];
    data[4 * i + 2] = c[2];
    data[4 * i + 3] = 255;
  }
  let small = scratch.get(canvas);
  if (!small) {
    small = document.createElement('canvas');
    scratch.set(canvas, small);
  }
  if (small.width !== g.cols || small.height !== g.rows) {
    small.width = g.cols;
    small.height = g.rows;
  }
  small.getContext('2d')?.putImageData(image, 0, 0);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, width, height);
  if (cellPx >= 8) {
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let x = 1; x < g.cols; x++) {
      ctx.moveTo(x * cellPx + 0.5, 0);
      ctx.lineTo(x * cellPx + 0.5, height);
    }
    for (let y = 1; y < g.rows; y++) {
      ctx.moveTo(0, y * cellPx + 0.5);
      ctx.lineTo(width, y * cellPx + 0.5);
    }
    ctx.stroke();
  }
  if (current) {
    const { row, col } = gridPlace(g.grid, current);
    if (Math.floor(row / g.block) >= g.rows || Math.floor(col / g.block) >= g.cols) return;
    ctx.strokeStyle = '#000';
    ctx.lineWidth = Math.max(1.5, cellPx / 8);
    const x = Math.floor(col / g.block) * cellPx;
    const y = Math.floor(row / g.block) * cellPx;
    ctx.strokeRect(x + 1, y + 1, Math.max(1, cellPx - 2), Math.max(1, cellPx - 2));
  }
}

/** Pixels per cell so that the larger side is about 12 rem (larger type, larger grids: present mode). */
export function cellPixels(g: { rows: number; cols: number }, rem = 16): number {
  return Math.max(3, Math.min(2 * rem, Math.floor((12 * rem) / Math.max(g.rows, g.cols))));
}

/** The page's rem in pixels. */
export function remPixels(): number {
  const px = parseFloat(getComputedStyle(document.documentElement).fontSize);
  return Number.isFinite(px) && px > 0 ? px : 16;
}
