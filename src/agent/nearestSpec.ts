// The tile spec nearest to any schedule (a person's), where the agent's search continues from.
//
// A variable's register-tile factor is the extent of its innermost loop when that loop lies below
// every reduction loop (a person's register tile, e.g. `m:4 n:8` in `k m n k:32 m:4 n:8`); the
// main reduction's split is the extent of its innermost loop when it has more than one. Each is
// snapped to the nearest factor the macro-actions offer (by ratio). When that spec is illegal
// (too many accumulators, a dead loop), the reduction split goes first, then the tiles of the
// non-vector variables, then the vector tile: the untiled spec is always legal.
import { loopExtents } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import {
  isLegalSpec,
  mainReduction,
  OTHER_FACTORS,
  outputVariables,
  REDUCTION_FACTORS,
  untiledSpec,
  VECTOR_FACTORS,
  vectorVariable,
  type TileSpec,
} from './tileSpace.ts';

function nearest(value: number, options: readonly number[]): number {
  let best = options[0];
  for (const o of options) if (Math.abs(Math.log(o / value)) < Math.abs(Math.log(best / value))) best = o;
  return best;
}

export function nearestTileSpec(problem: Problem, schedule: Schedule): TileSpec {
  const loops = schedule.loops;
  const extents = loopExtents(problem, schedule);
  const lastReduction = loops.reduce((at, l, i) => (problem.reductionVariables.includes(l.variable) ? i : at), -1);
  const innermost = (v: string) => loops.reduce((at, l, i) => (l.variable === v ? i : at), -1);
  const count = (v: string) => loops.filter((l) => l.variable === v).length;
  const vec = vectorVariable(problem);
  const spec = untiledSpec(problem);
  for (const v of outputVariables(problem)) {
    const i = innermost(v);
    if (i <= lastReduction || count(v) < 2 || extents[i] <= 1) continue;
    const size = problem.sizes[v];
    const factors: number[] = [...(v === vec ? VECTOR_FACTORS : OTHER_FACTORS)].filter((f) => f <= size);
    if (size <= (v === vec ? 64 : 8)) factors.push(size);
    if (factors.length > 0) spec.tile[v] = nearest(extents[i], factors);
  }
  const r = mainReduction(problem);
  if (r !== null && count(r) > 1) {
    const splits = REDUCTION_FACTORS.filter((f) => f > 0 && f < problem.sizes[r]);
    if (splits.length > 0) spec.reductionTile = nearest(extents[innermost(r)], splits);
  }
  const fallbacks: TileSpec[] = [
    spec,
    { ...spec, reductionTile: 0 },
    {
      tile: Object.fromEntries(Object.entries(spec.tile).map(([v, f]) => [v, v === vec ? f : 1])),
      reductionTile: spec.reductionTile,
    },
    { tile: Object.fromEntries(Object.entries(spec.tile).map(([v, f]) => [v, v === vec ? f : 1])), reductionTile: 0 },
  ];
  return fallbacks.find((s) => isLegalSpec(problem, s)) ?? untiledSpec(problem);
}
