// Facts of a schedule that explain its speed, computed from the schedule alone: the innermost loop
// and each tensor's stride in it, the working set of the inner loops against the L1/L2 sizes
// (counted in the cache's lines, with L1 set conflicts), and the iterations left to tails.
// Pure: src/core/explain.ts turns two schedules' facts into sentences.
import type { Machine } from './cache/machines.ts';
import { loopExtents, loopSteps, loopText } from './schedule.ts';
import type { Problem, Schedule, TensorAccess } from './types.ts';

/** The L1 and L2 a schedule's working sets are held against. */
export interface CacheAssumption {
  lineBytes: number;
  l1Bytes: number;
  l1Ways: number;
  /** Null when the machine has one level (its misses go to memory). */
  l2Bytes: number | null;
}

/**
 * The cache assumed when no machine is chosen: one core of the machine looplab was tuned on (AMD
 * EPYC: 32 KiB 8-way L1 data cache, 512 KiB L2 per core, 64-byte lines). Stated in the page.
 */
export const CACHE: CacheAssumption = {
  lineBytes: 64,
  l1Bytes: 32 * 1024,
  l1Ways: 8,
  l2Bytes: 512 * 1024,
};

/** The first two levels of a simulated machine (core/cache/machines.ts) as the facts' cache. */
export function cacheOfMachine(machine: Pick<Machine, 'lineBytes' | 'levels'>): CacheAssumption {
  const [l1, l2] = machine.levels;
  return { lineBytes: machine.lineBytes, l1Bytes: l1.bytes, l1Ways: l1.ways, l2Bytes: l2?.bytes ?? null };
}

/** Number of L1 sets (32 KiB / 64 B / 8 ways = 64). */
export function l1Sets(cache: CacheAssumption): number {
  return cache.l1Bytes / cache.lineBytes / cache.l1Ways;
}

/** The sets of the default cache. */
export const L1_SETS = l1Sets(CACHE);

/** f32x4: the generator's vectors hold 4 floats. */
export const LANES = 4;

export type AccessKind = 'vector' | 'gather' | 'splat';

export interface TensorStride {
  tensor: string;
  role: 'output' | 'input';
  /** Elements the tensor moves by per iteration of the innermost loop (0 = the same element). */
  elements: number;
  bytes: number;
  /** How a 4-lane vector along the innermost variable reads it: stride 1, 0 or other. */
  access: AccessKind;
}

export interface TensorFootprint {
  tensor: string;
  /** Distinct cache lines one run of the inner loops touches. */
  lines: number;
  /** Most lines of this tensor that fall into one L1 set (null when too many lines to count). */
  maxPerSet: number | null;
}

/** The loops from `from` inward, run once. */
export interface LevelFacts {
  from: number;
  /** Schedule notation of these loops, e.g. `k:32 m:2 n:16`. */
  loopsText: string;
  /** Bytes of the cache lines they touch (all three tensors). */
  bytes: number;
  perTensor: TensorFootprint[];
  /** Fits the L1 by capacity and no tensor needs more lines in one set than the L1 has ways. */
  fitsL1: boolean;
  /** The tensor whose lines overflow an L1 set although the bytes fit (power-of-two strides). */
  setConflict: { tensor: string; perSet: number } | null;
  fitsL2: boolean;
  /** How many times these loops run in the whole nest. */
  runs: number;
}

export interface TailFacts {
  /** Loops with a partial last iteration. */
  loops: { index: number; text: string; tail: number }[];
  /** Per variable: values that reach a partial iteration of some loop. */
  perVariable: { variable: string; tailValues: number; size: number }[];
  /** Share of all multiply-adds that run in a partial iteration (0..1). */
  share: number;
}

export interface ScheduleFacts {
  schedule: string;
  /** The caches the working sets were held against. */
  cache: CacheAssumption;
  innermost: { index: number; variable: string; text: string; extent: number };
  /** Output first, then the two inputs. */
  strides: TensorStride[];
  /** levels[i]: the loops from i inward. */
  levels: LevelFacts[];
  /** Outermost loop index from which the inner loops fit the L1 (null: not even the innermost loop). */
  l1From: number | null;
  l2From: number | null;
  /** The innermost loop's extent in f32x4 vectors and the values left over for scalar code. */
  vectors: number;
  scalarRest: number;
  tails: TailFacts;
}

function tensorsOf(problem: Problem): { access: TensorAccess; role: 'output' | 'input' }[] {
  return [
    { access: problem.output, role: 'output' },
    { access: problem.inputs[0], role: 'input' },
    { access: problem.inputs[1], role: 'input' },
  ];
}

function accessKind(stride: number): AccessKind {
  return stride === 1 ? 'vector' : stride === 0 ? 'splat' : 'gather';
}

/** How one pass of the innermost loop splits into f32x4 vectors and values left to scalar code. */
export interface InnermostLanes {
  /** Values of its variable one pass covers. */
  extent: number;
  vectors: number;
  scalarRest: number;
}

/** The innermost loop in vectors and scalar values: what the generator emits for it. */
export function innermostLanes(problem: Problem, schedule: Schedule): InnermostLanes {
  const extents = loopExtents(problem, schedule);
  const extent = extents[extents.length - 1];
  return { extent, vectors: Math.floor(extent / LANES), scalarRest: extent % LANES };
}

/** Element stride of each dimension of a dense row-major tensor. */
function dimStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d];
  }
  return out;
}

// Above this many lines they are estimated rather than listed: only blocks near the L1's size
// need exact lines and set counts.
const maxListedLines = (cache: CacheAssumption) => 4 * (cache.l1Bytes / cache.lineBytes);

/**
 * Lines of `t` touched when each variable v runs over [0, range[v]) (a box at the origin; tensors
 * start on a line boundary). Conv windows (`oh+kh`) are a union of ranges, counted as their span.
 */
export function footprint(
  t: TensorAccess,
  range: Record<string, number>,
  cache: CacheAssumption = CACHE,
): TensorFootprint {
  const dims = t.indices.map(
    (terms) => terms.reduce((sum, term) => sum + term.coef * ((range[term.variable] ?? 1) - 1), 0) + 1,
  );
  const strides = dimStrides(t.shape);
  const last = dims.length - 1;
  const rows = dims.slice(0, last).reduce((p, d) => p * d, 1);
  const perLine = cache.lineBytes / 4;
  // Upper bounds: each row's lines (a row may straddle one more line), or the whole span.
  const span = dims.reduce((s, d, i) => s + (d - 1) * strides[i], 0) + 1;
  const bound = Math.min(rows * (Math.ceil(dims[last] / perLine) + 1), Math.ceil(span / perLine) + 1);
  if (bound > maxListedLines(cache)) {
    const lines = Math.min(
      rows * Math.ceil(dims[last] / perLine),
      Math.ceil(span / perLine),
      Math.ceil(t.elements / perLine),
    );
    return { tensor: t.name, lines, maxPerSet: null };
  }
  const lines = new Set<number>();
  const idx = new Array<number>(last).fill(0);
  for (let r = 0; r < rows; r++) {
    let start = 0;
    for (let d = 0; d < last; d++) start += idx[d] * strides[d];
    const first = Math.floor(start / perLine);
    const end = Math.floor((start + dims[last] - 1) / perLine);
    for (let l = first; l <= end; l++) lines.add(l);
    for (let d = last - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  const sets = l1Sets(cache);
  const perSet = new Array<number>(sets).fill(0);
  for (const l of lines) perSet[l % sets]++;
  return { tensor: t.name, lines: lines.size, maxPerSet: Math.max(...perSet) };
}

/** For each variable, the values that fall into a partial iteration of one of its loops. */
function tailValues(problem: Problem, schedule: Schedule, variable: string): number {
  const steps = loopSteps(problem, schedule);
  const extents = loopExtents(problem, schedule);
  const levels = schedule.loops.map((l, i) => ({ l, i })).filter(({ l }) => l.variable === variable);
  // full(available, j): values of [0, available) handled without a partial iteration at levels >= j.
  const full = (available: number, j: number): number => {
    if (j >= levels.length) return available;
    const { i } = levels[j];
    const n = Math.min(available, extents[i]);
    const s = steps[i];
    return Math.floor(n / s) * full(s, j + 1);
  };
  const size = problem.sizes[variable];
  return size - full(size, 0);
}

/** The facts of one schedule, its working sets held against `cache`. */
export function scheduleFacts(problem: Problem, schedule: Schedule, cache: CacheAssumption = CACHE): ScheduleFacts {
  const { loops } = schedule;
  const n = loops.length;
  const extents = loopExtents(problem, schedule);
  const steps = loopSteps(problem, schedule);
  const inner = loops[n - 1];
  const tensors = tensorsOf(problem);

  const strides: TensorStride[] = tensors.map(({ access, role }) => {
    const elements = access.strides[inner.variable] ?? 0;
    return { tensor: access.name, role, elements, bytes: 4 * elements, access: accessKind(elements) };
  });

  // How many times the loop at index i starts: the iterations of all loops around it.
  const runsOf = (from: number) => {
    let runs = 1;
    for (let i = 0; i < from; i++) runs *= Math.ceil(extents[i] / steps[i]);
    return runs;
  };

  const levels: LevelFacts[] = [];
  for (let from = 0; from < n; from++) {
    const range: Record<string, number> = {};
    for (let i = n - 1; i >= from; i--) range[loops[i].variable] = extents[i];
    const perTensor = tensors.map(({ access }) => footprint(access, range, cache));
    const lines = perTensor.reduce((s, t) => s + t.lines, 0);
    const bytes = lines * cache.lineBytes;
    const over = perTensor.find((t) => t.maxPerSet !== null && t.maxPerSet > cache.l1Ways);
    const capacity = bytes <= cache.l1Bytes;
    levels.push({
      from,
      loopsText: loops.slice(from).map(loopText).join(' '),
      bytes,
      perTensor,
      fitsL1: capacity && !over,
      setConflict: capacity && over ? { tensor: over.tensor, perSet: over.maxPerSet as number } : null,
      fitsL2: cache.l2Bytes !== null && bytes <= cache.l2Bytes,
      runs: runsOf(from),
    });
  }
  const outermostFitting = (fits: (l: LevelFacts) => boolean) => {
    let from: number | null = null;
    for (let i = n - 1; i >= 0 && fits(levels[i]); i--) from = i;
    return from;
  };

  const tailLoops = loops.flatMap((l, index) => (l.tail > 0 ? [{ index, text: loopText(l), tail: l.tail }] : []));
  const perVariable = problem.variables.map((variable) => ({
    variable,
    tailValues: tailValues(problem, schedule, variable),
    size: problem.sizes[variable],
  }));
  const fullShare = perVariable.reduce((p, v) => p * (1 - v.tailValues / v.size), 1);

  const lanes = innermostLanes(problem, schedule);
  return {
    schedule: loops.map(loopText).join(' '),
    cache,
    innermost: { index: n - 1, variable: inner.variable, text: loopText(inner), extent: lanes.extent },
    strides,
    levels,
    l1From: outermostFitting((l) => l.fitsL1),
    l2From: outermostFitting((l) => l.fitsL2),
    vectors: lanes.vectors,
    scalarRest: lanes.scalarRest,
    tails: { loops: tailLoops, perVariable, share: 1 - fullShare },
  };
}

/**
 * Rough bytes brought into a cache over the whole run: the loops that fit it reload their working
 * set each time they run (reuse between runs is ignored, so this is an upper estimate).
 */
export function trafficEstimate(facts: ScheduleFacts, level: 'l1' | 'l2'): number {
  const from = level === 'l1' ? facts.l1From : facts.l2From;
  if (from !== null) return facts.levels[from].runs * facts.levels[from].bytes;
  // Nothing fits: every run of the innermost loop's body touches one line per tensor.
  const innermost = facts.levels[facts.levels.length - 1];
  return innermost.runs * facts.innermost.extent * innermost.perTensor.length * facts.cache.lineBytes;
}
