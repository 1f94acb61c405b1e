// Turns the generator's numeric report into words a person reads.
import type { ReportLoop } from '../core/explain.ts';
import { loopsText } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import type { KernelReport, VectorAccess } from './types.ts';

/** The report as the C++ generator writes it (indices, not names). */
export interface RawReport {
  vecVar: number;
  access: [VectorAccess, VectorAccess, VectorAccess];
  horizontalSum: boolean;
  tileStart: number;
  accStart: number;
  innermostSplit: boolean;
  innermostUnroll: number;
  vectorAccumulators: number;
  scalarAccumulators: number;
  unrolled: number;
  relaxed: boolean;
  tailPaths: number;
  instructions: number;
  locals: number;
  bytes: number;
}

/** The schedule's loops from index `from` up to (not including) `to`, with their indices. */
function loopsBetween(schedule: Schedule, from: number, to: number): ReportLoop[] {
  return schedule.loops.slice(from, to).map((loop, i) => ({ ...loop, index: from + i }));
}

export function describeReport(problem: Problem, schedule: Schedule, raw: RawReport): KernelReport {
  const v = problem.variables[raw.vecVar];
  const names = [problem.output.name, problem.inputs[0].name, problem.inputs[1].name];
  const access: Record<string, VectorAccess> = {};
  names.forEach((name, i) => (access[name] = raw.access[i]));
  const n = schedule.loops.length;
  const tileLoops = raw.innermostSplit ? [] : loopsBetween(schedule, raw.tileStart, n);
  const heldAcross = loopsBetween(schedule, raw.accStart, raw.innermostSplit ? n : raw.tileStart);
  const notes: string[] = [];
  const verbs: Record<VectorAccess, string> = {
    vector: 'reads 4 neighbours with one v128 load',
    gather: 'is strided along it, so each vector gathers 4 separate floats',
    splat: 'does not depend on it, so one value is broadcast to all 4 lanes',
  };
  notes.push(`Vectorized along ${v} (the innermost loop), 4 floats per f32x4 lane group.`);
  names.forEach((name, i) => {
    if (i === 0 && raw.horizontalSum) return;
    notes.push(`${name} ${verbs[raw.access[i]]}.`);
  });
  if (raw.horizontalSum)
    notes.push(`${names[0]} has no ${v}: lanes hold partial sums, added horizontally when stored.`);
  if (raw.innermostSplit)
    notes.push(`The innermost loop is too long to unroll whole; each iteration handles ${raw.innermostUnroll} vectors.`);
  else notes.push(`Unrolled tile: ${loopsText(tileLoops)} (${raw.unrolled} multiply-adds per pass).`);
  const accs = raw.vectorAccumulators + raw.scalarAccumulators;
  const accText = `${raw.vectorAccumulators} f32x4${raw.scalarAccumulators ? ` + ${raw.scalarAccumulators} f32` : ''}`;
  if (heldAcross.length > 0)
    notes.push(`${accs} accumulator${accs === 1 ? '' : 's'} (${accText}) stay in registers across ${loopsText(heldAcross)}.`);
  else notes.push(`${accs} accumulator${accs === 1 ? '' : 's'} (${accText}), loaded and stored around each tile.`);
  notes.push(raw.relaxed ? 'Multiply-adds use f32x4.relaxed_madd (fused).' : 'Multiply-adds use f32x4.mul + f32x4.add (no relaxed SIMD).');
  if (raw.tailPaths > 1) notes.push(`Tails: ${raw.tailPaths - 1} extra copies of loop bodies for partial iterations.`);
  return {
    vectorizedVariable: v,
    access,
    horizontalSum: raw.horizontalSum,
    tileLoops,
    vectorAccumulators: raw.vectorAccumulators,
    scalarAccumulators: raw.scalarAccumulators,
    heldAcross,
    unrolledMultiplyAdds: raw.unrolled,
    innermostUnroll: raw.innermostSplit ? raw.innermostUnroll : 0,
    relaxedFma: raw.relaxed,
    tailPaths: raw.tailPaths,
    instructions: raw.instructions,
    bytes: raw.bytes,
    notes,
  };
}
