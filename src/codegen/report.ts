// Turns the generator's numeric report into words a person reads.
import type { ReportLoop } from '../core/explain.ts';
import { innermostLanes, LANES, type InnermostLanes } from '../core/facts.ts';
import { loopText, loopsText } from '../core/schedule.ts';
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
  /** Distinct input values one pass of the tile loads. */
  operands: number;
  /** Vector registers the tile needs: accumulators + operands (+1 temporary without relaxed SIMD). */
  registers: number;
  registerBudget: number;
  /** Present when the requested tile did not fit the registers: what it would have needed. */
  requested?: { start: number; accumulators: number; operands: number; registers: number };
  /** Loops of the requested tile kept partly as a loop outside the accumulator region. */
  splits: Array<{ loop: number; outer: number; inner: number; last: number }>;
  relaxed: boolean;
  tailPaths: number;
  /** Loops above a copy of the tile that alternate two sets of partial sums (Plan::partial_sum_limit). */
  partialSumCopies: number;
  /** Output loops whose iterations run two at a time in one copy of the accumulator region (Plan::jam). */
  jammedCopies: number;
  instructions: number;
  locals: number;
  bytes: number;
  /** Index of the parallel loop, -1 when none. */
  parallelLoop: number;
  parallelIterations: number;
  /** Bytes of scratch the kernel's packed panels need (0 without packs). */
  scratchBytes: number;
  /** Per packed input (tensor 1 or 2): the loop it is packed at, its panel's elements and where it starts in the scratch. */
  packs: Array<{ loop: number; tensor: number; elements: number; offset: number }>;
  /** The loops as the kernel runs them: [variable, trip, tail, schedule loop, pack mask (1 << tensor)] each. */
  plan: {
    tileStart: number;
    accStart: number;
    partialSumLimit: number;
    loops: Array<[number, number, number, number, number]>;
  };
}

/** The schedule's loops from index `from` up to (not including) `to`, with their indices. */
function loopsBetween(schedule: Schedule, from: number, to: number): ReportLoop[] {
  return schedule.loops.slice(from, to).map((loop, i) => ({ ...loop, index: from + i }));
}

/** The tile's loops as the kernel runs them: a split loop has the trip kept in the tile. */
function tileLoopsAsRun(schedule: Schedule, raw: RawReport, from: number): ReportLoop[] {
  return loopsBetween(schedule, from, schedule.loops.length).map((loop) => {
    const split = raw.splits.find((s) => s.loop === loop.index);
    return split ? { ...loop, trip: split.inner, tail: 0 } : loop;
  });
}

/**
 * In words, why the tile the person asked for is not the one the kernel holds, e.g. "the m:4
 * n:16 tile needs 16 accumulators + 8 operands = 24 > 15 registers: n:16 stays a loop of 2 x 8
 * outside k:256".
 */
export function tileReductionText(schedule: Schedule, raw: RawReport, heldAcross: string): string | null {
  if (!raw.requested || raw.splits.length === 0) return null;
  const r = raw.requested;
  const asked = loopsText(schedule.loops.slice(r.start));
  const temp = r.registers - r.accumulators - r.operands;
  const needs = `${r.accumulators} accumulators + ${r.operands} operands${temp ? ` + ${temp} temporary` : ''} = ${r.registers}`;
  const kept = raw.splits
    .map(
      (s) =>
        `${loopText(schedule.loops[s.loop])} stays a loop of ${s.outer} x ${s.inner}${s.last ? ` + 1 x ${s.last}` : ''}`,
    )
    .join(', ');
  const where = heldAcross ? ` outside ${heldAcross}` : '';
  return `the ${asked} tile needs ${needs} > ${raw.registerBudget} registers: ${kept}${where}`;
}

/** In words, how one pass of the innermost loop splits into vectors and scalar values. */
export function lanesText(innermost: string, lanes: InnermostLanes): string {
  const values = `${innermost} covers ${lanes.extent} value${lanes.extent === 1 ? '' : 's'}`;
  if (lanes.vectors === 0)
    return `${values}, fewer than the ${LANES} lanes of an f32x4: it runs as scalar code, one f32.load per value`;
  const vectors = `${lanes.vectors} f32x4 vector${lanes.vectors === 1 ? '' : 's'}`;
  const rest = lanes.scalarRest ? ` + ${lanes.scalarRest} scalar value${lanes.scalarRest === 1 ? '' : 's'}` : '';
  return `${values}: ${vectors}${rest}`;
}

export function describeReport(problem: Problem, schedule: Schedule, raw: RawReport): KernelReport {
  const v = problem.variables[raw.vecVar];
  const names = [problem.output.name, problem.inputs[0].name, problem.inputs[1].name];
  const access: Record<string, VectorAccess> = {};
  names.forEach((name, i) => {
    access[name] = raw.access[i];
  });
  const n = schedule.loops.length;
  const tileLoops = raw.innermostSplit ? [] : tileLoopsAsRun(schedule, raw, raw.tileStart);
  const heldAcross = loopsBetween(schedule, raw.accStart, raw.innermostSplit ? n : raw.tileStart);
  const notes: string[] = [];
  const verbs: Record<VectorAccess, string> = {
    vector: 'reads 4 neighbours with one v128 load',
    gather: 'is strided along it, so each vector gathers 4 separate floats',
    splat: 'does not depend on it, so one value is broadcast to all 4 lanes',
  };
  const lanes = innermostLanes(problem, schedule);
  const innermostText = loopText(schedule.loops[n - 1]);
  if (lanes.vectors === 0) {
    notes.push(`Not vectorized: the innermost loop ${lanesText(innermostText, lanes)}.`);
  } else {
    notes.push(`Vectorized along ${v} (the innermost loop), 4 floats per f32x4 lane group.`);
    notes.push(`One pass: ${lanesText(innermostText, lanes)}.`);
    names.forEach((name, i) => {
      if (i === 0 && raw.horizontalSum) return;
      notes.push(`${name} ${verbs[raw.access[i]]}.`);
    });
    if (raw.horizontalSum)
      notes.push(`${names[0]} has no ${v}: lanes hold partial sums, added horizontally when stored.`);
  }
  if (raw.innermostSplit)
    notes.push(
      `The innermost loop is too long to unroll whole; each iteration handles ${raw.innermostUnroll} vectors.`,
    );
  else notes.push(`Unrolled tile: ${loopsText(tileLoops)} (${raw.unrolled} multiply-adds per pass).`);
  const reduction = tileReductionText(schedule, raw, loopsText(heldAcross));
  if (reduction) notes.push(`Registers: ${reduction}, instead of spilling.`);
  else
    notes.push(
      `Registers: ${raw.registers} of ${raw.registerBudget} (${raw.vectorAccumulators + raw.scalarAccumulators} accumulators + ${raw.operands} operands${raw.relaxed ? '' : ' + 1 temporary'}).`,
    );
  const accs = raw.vectorAccumulators + raw.scalarAccumulators;
  const accText = [
    raw.vectorAccumulators ? `${raw.vectorAccumulators} f32x4` : '',
    raw.scalarAccumulators ? `${raw.scalarAccumulators} f32` : '',
  ]
    .filter(Boolean)
    .join(' + ');
  if (heldAcross.length > 0)
    notes.push(
      `${accs} accumulator${accs === 1 ? '' : 's'} (${accText}) stay in registers across ${loopsText(heldAcross)}.`,
    );
  else notes.push(`${accs} accumulator${accs === 1 ? '' : 's'} (${accText}), loaded and stored around each tile.`);
  if (lanes.vectors > 0)
    notes.push(
      raw.relaxed
        ? 'Multiply-adds use f32x4.relaxed_madd (fused).'
        : 'Multiply-adds use f32x4.mul + f32x4.add (no relaxed SIMD).',
    );
  else notes.push('Multiply-adds use f32.mul + f32.add.');
  if (raw.tailPaths > 1) notes.push(`Tails: ${raw.tailPaths - 1} extra copies of loop bodies for partial iterations.`);
  if (raw.jammedCopies > 0)
    notes.push(
      `Small tiles: ${raw.jammedCopies === 1 ? 'a copy' : `${raw.jammedCopies} copies`} of the tile with at most 4 accumulators (a tail's) run${raw.jammedCopies === 1 ? 's' : ''} two iterations of the output loop above the accumulators at once: twice the accumulators, the inputs that do not move with that loop loaded once for both.`,
    );
  if (raw.partialSumCopies > 0)
    notes.push(
      `Partial sums: ${raw.partialSumCopies === 1 ? 'a copy' : `${raw.partialSumCopies} copies`} of the tile with ${raw.plan.partialSumLimit} accumulators or fewer (too few chains to hide the multiply-add's latency) alternate${raw.partialSumCopies === 1 ? 's' : ''} between two sets of accumulators along the reduction loop above ${raw.partialSumCopies === 1 ? 'it' : 'them'}, added together when stored.`,
    );
  const parallelLoop = raw.parallelLoop >= 0 ? schedule.loops[raw.parallelLoop] : undefined;
  const parallel = parallelLoop
    ? { loop: raw.parallelLoop, text: loopText(parallelLoop), iterations: raw.parallelIterations }
    : null;
  if (parallel) {
    const tail = parallelLoop?.tail ? ` (the last one is the tail of ${parallelLoop.tail})` : '';
    notes.push(
      `${parallel.text} runs in parallel: its ${parallel.iterations} iterations${tail} are divided among the threads.`,
    );
  }
  const packs = (raw.packs ?? []).map((p) => ({
    loop: p.loop,
    tensor: names[p.tensor],
    elements: p.elements,
  }));
  for (const p of packs) {
    const kib = (p.elements * 4) / 1024;
    notes.push(
      `${p.tensor} is packed at each iteration of ${loopText({ ...schedule.loops[p.loop], packs: [] })}: the ${p.elements} elements the loops inside read (${kib < 10 ? kib.toFixed(1) : Math.round(kib)} KiB) are copied in the order they are read, and read from the copy.`,
    );
  }
  return {
    lanes,
    vectorizedVariable: v,
    access,
    horizontalSum: raw.horizontalSum,
    tileLoops,
    vectorAccumulators: raw.vectorAccumulators,
    scalarAccumulators: raw.scalarAccumulators,
    heldAcross,
    unrolledMultiplyAdds: raw.unrolled,
    registers: raw.registers,
    registerBudget: raw.registerBudget,
    ...(reduction ? { tileReduction: reduction } : {}),
    innermostUnroll: raw.innermostSplit ? raw.innermostUnroll : 0,
    relaxedFma: raw.relaxed,
    tailPaths: raw.tailPaths,
    partialSumCopies: raw.partialSumCopies,
    jammedCopies: raw.jammedCopies,
    instructions: raw.instructions,
    bytes: raw.bytes,
    parallel,
    scratchBytes: raw.scratchBytes ?? 0,
    packs,
    notes,
    plan: {
      loops: raw.plan.loops.map(([variable, trip, tail, origin, pack]) => ({ variable, trip, tail, origin, pack })),
      scratchOffset: [0, 1, 2].map((t) => (raw.packs ?? []).find((p) => p.tensor === t)?.offset ?? 0) as [
        number,
        number,
        number,
      ],
      tileStart: raw.plan.tileStart,
      accStart: raw.plan.accStart,
      partialSumLimit: raw.plan.partialSumLimit,
      registerBudget: raw.registerBudget,
      parallelLoop: raw.parallelLoop,
      vecVar: raw.vecVar,
      access: raw.access,
      horizontalSum: raw.horizontalSum,
    },
  };
}
