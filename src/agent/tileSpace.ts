// The schedules the new agent and the expert reference choose from, and the agent's macro-actions.
//
// A tile spec names a schedule by what a person decides when writing one by hand:
//   - a register tile: a factor per output variable (1 = not tiled); the output's contiguous
//     variable (`vectorVariable`, e.g. n of a matmul, ow of a convolution) is the innermost loop,
//     which the generator vectorizes, so its factor is a number of floats (4 per f32x4);
//   - optionally, a split of the main reduction variable (the largest one: k, or ci) by a factor.
// Its schedule (`tileSchedule`) is
//     [r]  <output variables, whole>  <r:t or r>  <other reductions>  <tile loops, vector last>
// e.g. `k m n k:32 m:4 n:8`, `b m n k m:2 n:16`, `co oh ow ci kh kw co:4 oh:2 ow:8`.
// A factor equal to the whole size drops the outer loop (it would run once). A spec whose schedule
// has a loop running once with a tail (`ow:1 r4`) or a tile larger than the size is illegal:
// so no schedule from here has a loop of trip 1, except over a variable of size 1 (`kh` of a 1x1
// convolution).
//
// Macro-actions change one decision: `tile_<v>_<f>` makes f the register-tile factor of v,
// `rtile_<f>` splits the main reduction by f (`rtile_0` undoes it), `stop` ends the episode.
import { MAX_LOOPS } from '../core/limits.ts';
import type { Loop, Problem, Schedule } from '../core/types.ts';

export interface TileSpec {
  /** Register-tile factor per output variable (1 = not tiled). */
  tile: Record<string, number>;
  /** Split factor of the main reduction variable (0 = not split). */
  reductionTile: number;
}

export type MacroAction = `tile_${string}_${number}` | `rtile_${number}` | 'stop';

/** Factors a register tile may take along the vectorized variable (floats). */
export const VECTOR_FACTORS = [4, 8, 12, 16, 24, 32, 48, 64] as const;
/** Factors along the other output variables. */
export const OTHER_FACTORS = [1, 2, 3, 4, 6, 8] as const;
/** Splits of the main reduction (0: none). */
export const REDUCTION_FACTORS = [0, 16, 32, 64, 128] as const;
/** The most f32x4 accumulators a tile may hold (x64 has 16 SIMD registers; beyond that it spills). */
export const MAX_ACCUMULATORS = 16;
/**
 * The fewest accumulators of a schedule worth measuring: a multiply-add has a latency of about 4
 * cycles, so fewer than 4 independent chains leave the unit idle. Smaller tiles are only steps
 * on the way (the untiled start has 1).
 */
export const MIN_MEASURED_ACCUMULATORS = 4;
/**
 * The most accumulators of a schedule worth measuring. In the cost model's measurements (951
 * problems with at least 5 schedules each, this machine), the fastest schedule measured held 8
 * accumulators in 677 problems, 6 in 109, 9 in 65, 4 in 34, 12 in 40 and 16 in only 22: tiles of
 * 16 leave too few registers for the inputs. They stay reachable as steps.
 */
export const MAX_MEASURED_ACCUMULATORS = 12;

/** The output's contiguous variable (its last index), which the tile keeps innermost. */
export function vectorVariable(problem: Problem): string {
  const last = problem.output.indices[problem.output.indices.length - 1];
  return last[0].variable;
}

export function outputVariables(problem: Problem): string[] {
  return problem.variables.filter((v) => !problem.reductionVariables.includes(v));
}

/** The reduction variable a reduction tile splits: the largest (first on ties). */
export function mainReduction(problem: Problem): string | null {
  let best: string | null = null;
  for (const v of problem.reductionVariables) if (best === null || problem.sizes[v] > problem.sizes[best]) best = v;
  return best;
}

/** The untiled spec (its schedule is the default loop order). */
export function untiledSpec(problem: Problem): TileSpec {
  return { tile: Object.fromEntries(outputVariables(problem).map((v) => [v, 1])), reductionTile: 0 };
}

/** f32x4 accumulators of the spec's register tile. */
export function accumulators(problem: Problem, spec: TileSpec): number {
  const vec = vectorVariable(problem);
  let n = 1;
  for (const v of outputVariables(problem)) n *= v === vec ? Math.ceil((spec.tile[v] ?? 1) / 4) : (spec.tile[v] ?? 1);
  return n;
}

/** The schedule text of a spec, before dead loops are dropped (e.g. `k m n k:32 m:4 n:8`). */
export function tileScheduleText(problem: Problem, spec: TileSpec): string {
  const outs = outputVariables(problem);
  const vec = vectorVariable(problem);
  const r = mainReduction(problem);
  const rt = r !== null && spec.reductionTile > 0 ? spec.reductionTile : 0;
  const parts: string[] = [];
  if (rt > 0) parts.push(r as string);
  parts.push(...outs);
  for (const v of problem.reductionVariables) parts.push(v === r && rt > 0 ? `${v}:${rt}` : v);
  const tiled = outs.filter((v) => (spec.tile[v] ?? 1) > 1);
  for (const v of [...tiled.filter((v) => v !== vec), ...tiled.filter((v) => v === vec)])
    parts.push(`${v}:${spec.tile[v]}`);
  return parts.join(' ');
}

/** Why a schedule has a dead loop (a loop of trip 1 that is not a variable's only loop), or null. */
export function deadLoop(problem: Problem, schedule: Schedule): string | null {
  for (const loop of schedule.loops) {
    if (loop.trip !== 1 || problem.sizes[loop.variable] === 1) continue;
    return `${loop.variable}:1${loop.tail ? ` r${loop.tail}` : ''} runs once`;
  }
  return null;
}

/**
 * The spec's schedule: loops that would run exactly once are dropped; null when the spec is
 * illegal for the problem's sizes (a tile larger than its variable, a loop left running once
 * with a tail, or more than the nest's loop limit). `allowOnceWithTail` keeps schedules with a
 * loop like `ow:1 r3` (the expert grid writes what a person writes).
 */
export function tileSchedule(
  problem: Problem,
  spec: TileSpec,
  options: { allowOnceWithTail?: boolean } = {},
): Schedule | null {
  // Built directly (the same loops parseSchedule gives for tileScheduleText, see the tests):
  // the search calls this for every candidate.
  const outs = outputVariables(problem);
  const vec = vectorVariable(problem);
  const r = mainReduction(problem);
  const rt = r !== null && spec.reductionTile > 0 ? spec.reductionTile : 0;
  const loops: Loop[] = [];
  const split = (v: string, f: number): [Loop, Loop] | null => {
    const size = problem.sizes[v];
    if (!Number.isInteger(f) || f < 1 || f > size) return null;
    return [
      { variable: v, trip: Math.floor(size / f), tail: size % f },
      { variable: v, trip: f, tail: 0 },
    ];
  };
  const whole = (v: string): Loop => ({ variable: v, trip: problem.sizes[v], tail: 0 });
  const inner: Loop[] = [];
  let rSplit: [Loop, Loop] | null = null;
  if (rt > 0) {
    rSplit = split(r as string, rt);
    if (!rSplit) return null;
    loops.push(rSplit[0]);
  }
  const tiled = outs.filter((v) => (spec.tile[v] ?? 1) > 1);
  const tileLoops: Loop[] = [];
  for (const v of [...tiled.filter((v) => v !== vec), ...tiled.filter((v) => v === vec)]) {
    const pair = split(v, spec.tile[v]);
    if (!pair) return null;
    tileLoops.push(pair[1]);
    inner.push(pair[0]);
  }
  for (const v of outs) loops.push(inner.find((l) => l.variable === v) ?? whole(v));
  for (const v of problem.reductionVariables) loops.push(v === r && rSplit ? rSplit[1] : whole(v));
  loops.push(...tileLoops);
  // A loop that would run once is dropped when a loop over its variable remains inside it.
  const kept = loops.filter(
    (l, i) => !(l.trip === 1 && l.tail === 0 && loops.some((o, j) => j > i && o.variable === l.variable)),
  );
  if (kept.length > MAX_LOOPS) return null;
  const out = { loops: kept };
  return options.allowOnceWithTail || deadLoop(problem, out) === null ? out : null;
}

const specKey = (spec: TileSpec) =>
  `${Object.entries(spec.tile)
    .map(([v, f]) => `${v}${f}`)
    .join(',')}/${spec.reductionTile}`;

/** Every macro-action of a problem (the agent's action space; `stop` last). */
export function macroActions(problem: Problem): MacroAction[] {
  const vec = vectorVariable(problem);
  const out: MacroAction[] = [];
  for (const v of outputVariables(problem)) {
    const factors = new Set<number>(v === vec ? VECTOR_FACTORS : OTHER_FACTORS);
    // A tile over the whole variable (no outer loop), for small sizes.
    const size = problem.sizes[v];
    if (size <= (v === vec ? 64 : 8)) factors.add(size);
    for (const f of [...factors].sort((a, b) => a - b)) out.push(`tile_${v}_${f}`);
  }
  if (mainReduction(problem) !== null) for (const f of REDUCTION_FACTORS) out.push(`rtile_${f}`);
  out.push('stop');
  return out;
}

/** The spec after an action, or null when the action changes nothing or leads off the legal space. */
export function applyMacro(problem: Problem, spec: TileSpec, action: MacroAction): TileSpec | null {
  if (action === 'stop') return null;
  let next: TileSpec;
  const t = /^tile_(.+)_(\d+)$/.exec(action);
  if (t) {
    const [, v, f] = t;
    if (!(v in spec.tile) || spec.tile[v] === Number(f)) return null;
    next = { tile: { ...spec.tile, [v]: Number(f) }, reductionTile: spec.reductionTile };
  } else {
    const r = /^rtile_(\d+)$/.exec(action);
    if (!r || Number(r[1]) === spec.reductionTile) return null;
    next = { tile: { ...spec.tile }, reductionTile: Number(r[1]) };
  }
  return isLegalSpec(problem, next) ? next : null;
}

/** A spec the agent may reach: a vectorizable register tile of at most MAX_ACCUMULATORS accumulators, with a schedule. */
export function isLegalSpec(problem: Problem, spec: TileSpec): boolean {
  if (accumulators(problem, spec) > MAX_ACCUMULATORS) return false;
  const r = mainReduction(problem);
  // A reduction split that covers the whole reduction is the unsplit schedule again.
  if (spec.reductionTile > 0 && (r === null || spec.reductionTile >= problem.sizes[r])) return false;
  return tileSchedule(problem, spec) !== null;
}

/** Every legal spec reachable by macro-actions (for exhaustive checks on small problems). */
export function allSpecs(problem: Problem): TileSpec[] {
  const seen = new Map<string, TileSpec>();
  const start = untiledSpec(problem);
  const queue = [start];
  seen.set(specKey(start), start);
  while (queue.length > 0) {
    const s = queue.shift() as TileSpec;
    for (const a of macroActions(problem)) {
      const n = applyMacro(problem, s, a);
      if (n && !seen.has(specKey(n))) {
        seen.set(specKey(n), n);
        queue.push(n);
      }
    }
  }
  return [...seen.values()];
}

export { specKey };
