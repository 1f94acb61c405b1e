// Turns the generator's numeric report into words a person reads.
import { loopText } from '../core/schedule.ts';
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
  /** Index of the parallel loop, -1 when none. */
  parallelLoop: number;
  parallelIterations: number;
}

function loopsText(schedule: Schedule, from: number, to: number): string {
  return schedule.loops.slice(from, to).map(loopText).join(' ');
}

export function describeReport(problem: Problem, schedule: Schedule, raw: RawReport): KernelReport {
  const v = problem.variables[raw.vecVar];
  const names = [problem.output.name, problem.inputs[0].name, problem.inputs[1].name];
  const access: Record<string, VectorAccess> = {};
  names.forEach((name, i) => (access[name] = raw.access[i]));
  const n = schedule.loops.length;
  const tileLoops = raw.innermostSplit ? '' : loopsText(schedule, raw.tileStart, n);
  const heldAcross = loopsText(schedule, raw.accStart, raw.innermostSplit ? n : raw.tileStart);
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
  else notes.push(`Unrolled tile: ${tileLoops} (${raw.unrolled} multiply-adds per pass).`);
  const accs = raw.vectorAccumulators + raw.scalarAccumulators;
  const accText = `${raw.vectorAccumulators} f32x4${raw.scalarAccumulators ? ` + ${raw.scalarAccumulators} f32` : ''}`;
  if (heldAcross)
    notes.push(`${accs} accumulator${accs === 1 ? '' : 's'} (${accText}) stay in registers across ${heldAcross}.`);
  else notes.push(`${accs} accumulator${accs === 1 ? '' : 's'} (${accText}), loaded and stored around each tile.`);
  notes.push(raw.relaxed ? 'Multiply-adds use f32x4.relaxed_madd (fused).' : 'Multiply-adds use f32x4.mul + f32x4.add (no relaxed SIMD).');
  if (raw.tailPaths > 1) notes.push(`Tails: ${raw.tailPaths - 1} extra copies of loop bodies for partial iterations.`);
  const parallelLoop = raw.parallelLoop >= 0 ? schedule.loops[raw.parallelLoop] : undefined;
  const parallel = parallelLoop ? { loop: raw.parallelLoop, text: loopText(parallelLoop), iterations: raw.parallelIterations } : null;
  if (parallel) {
    const tail = parallelLoop?.tail ? ` (the last one is the tail of ${parallelLoop.tail})` : '';
    notes.push(`${parallel.text} runs in parallel: its ${parallel.iterations} iterations${tail} are divided among the threads.`);
  }
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
    parallel,
    notes,
  };
}
