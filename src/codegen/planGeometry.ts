// The generator's plan as geometry: each loop's step, how far each tensor's pointer moves per
// iteration (in its packed copy inside its pack), and the unrolled tile's multiply-adds in the
// order wasm/src/plan.cpp enumerates them. Shared by the access-stream model and the C export.
import type { Problem } from '../core/types.ts';
import type { KernelPlan } from './types.ts';

/** f32 lanes of a v128. */
export const LANES = 4;

/** One multiply-add of the tile: f32x4 (4 iterations of the innermost loop) or f32; offsets in elements. */
export interface TileOp {
  vector: boolean;
  /** Index of the vector within its innermost loop. */
  laneGroup: number;
  /** Per tensor (output, in0, in1), relative to the tile's pointers. */
  offset: [number, number, number];
}

export interface PlanGeometry {
  /** Per tensor, per variable index: the element stride (0 when the tensor lacks the variable). */
  stride: number[][];
  /** Per plan loop, its step in elements of its variable. */
  step: number[];
  /** Per tensor: the plan loop at whose iterations it is packed, or -1. */
  packedAt: number[];
  /** Elements tensor t's pointer moves per iteration of loop l (in its packed copy inside its pack). */
  iterStride(t: number, l: number): number;
  /** The tile's multiply-adds from loop `level` on, with `extent` elements per variable. */
  enumerateTile(level: number, extent: number[]): TileOp[];
  /** The tile's multiply-adds over `extent` for `jam` iterations of loop `jamLoop` (Plan::jammed_tile). */
  jammedTile(extent: number[], jamLoop: number, jam: number): TileOp[];
  /** Partial sums per accumulator of a tile copy making `ops`: 2 or 1 (Plan::partial_sums). */
  partialSums(ops: TileOp[]): number;
  /** Iterations of loop l one copy of the accumulator region runs together: 2 or 1 (Plan::jam). */
  jam(l: number, extent: number[]): number;
}

/** An accumulator's key (Plan::key_of): output offset, vector, and which partial sum when lanes are partial sums. */
export function accumulatorKey(plan: KernelPlan, op: TileOp): string {
  const partial = plan.horizontalSum && op.vector ? op.laneGroup % 4 : 0;
  return `${op.offset[0]},${op.vector},${partial}`;
}

/** Plan's kLatencyAccumulators: independent accumulators that hide the multiply-add latency. */
const LATENCY_ACCUMULATORS = 8;

export function planGeometry(problem: Problem, plan: KernelPlan): PlanGeometry {
  const vars = problem.variables;
  const tensors = [problem.output, problem.inputs[0], problem.inputs[1]];
  const stride = tensors.map((t) => vars.map((v) => t.strides[v] ?? 0));
  const loops = plan.loops;
  const n = loops.length;
  const step = stepsOf(plan, vars.length);
  const packedAt = [0, 1, 2].map((t) => loops.findIndex((loop) => (loop.pack & (1 << t)) !== 0));

  function iterStride(t: number, l: number): number {
    const x = loops[l].variable;
    if (stride[t][x] === 0) return 0;
    const at = packedAt[t];
    if (at < 0 || l <= at) return step[l] * stride[t][x];
    let block = 1;
    for (let d = l + 1; d < n; d++)
      if (stride[t][loops[d].variable] !== 0) block *= loops[d].trip + (loops[d].tail > 0 ? 1 : 0);
    return block;
  }

  function enumerateTile(level: number, extent: number[]): TileOp[] {
    const ops: TileOp[] = [];
    const walk = (l: number, ext: number[], base: [number, number, number]): void => {
      const x = loops[l].variable;
      const e = ext[x];
      if (l === n - 1) {
        const vectors = Math.floor(e / LANES);
        for (let i = 0; i < e; i++) {
          const vector = i < vectors * LANES;
          if (vector && i % LANES) continue;
          ops.push({
            vector,
            laneGroup: vector ? i / LANES : 0,
            offset: [base[0] + i * iterStride(0, l), base[1] + i * iterStride(1, l), base[2] + i * iterStride(2, l)],
          });
        }
        return;
      }
      const st = step[l];
      const full = Math.floor(e / st);
      const rem = e % st;
      for (let i = 0; i <= full; i++) {
        const inner = i < full ? st : rem;
        if (inner === 0) break;
        const next = ext.slice();
        next[x] = inner;
        walk(l + 1, next, [
          base[0] + i * iterStride(0, l),
          base[1] + i * iterStride(1, l),
          base[2] + i * iterStride(2, l),
        ]);
      }
    };
    walk(level, extent, [0, 0, 0]);
    return ops;
  }

  function jammedTile(extent: number[], jamLoop: number, jam: number): TileOp[] {
    const one = enumerateTile(plan.tileStart, extent);
    const ops: TileOp[] = [];
    for (let j = 0; j < jam; j++)
      for (const op of one)
        ops.push({
          ...op,
          offset: op.offset.map((o, t) => o + j * iterStride(t, jamLoop)) as [number, number, number],
        });
    return ops;
  }

  function partialSums(ops: TileOp[]): number {
    if (plan.partialSumLimit === 0) return 1;
    return new Set(ops.map((op) => accumulatorKey(plan, op))).size <= plan.partialSumLimit ? 2 : 1;
  }

  function jam(l: number, extent: number[]): number {
    const loop = loops[l];
    if (
      l !== plan.accStart - 1 ||
      plan.accStart === plan.tileStart ||
      plan.horizontalSum ||
      l === plan.parallelLoop ||
      loop.pack !== 0 ||
      stride[0][loop.variable] === 0
    )
      return 1;
    const one = new Set(jammedTile(extent, l, 1).map((op) => accumulatorKey(plan, op)));
    if (2 * one.size > LATENCY_ACCUMULATORS) return 1;
    const ops = jammedTile(extent, l, 2);
    const keys = new Set(ops.map((op) => accumulatorKey(plan, op)));
    const loads = new Set<string>();
    const last = iterStride(1, n - 1);
    let registers = 1 + keys.size;
    for (const op of ops)
      for (const t of [1, 2]) {
        const what = `${t},${op.offset[t]},${op.vector}`;
        if (loads.has(what)) continue;
        loads.add(what);
        const s = t === 1 ? last : iterStride(2, n - 1);
        registers += op.vector && plan.access[t] === 'gather' && (s === 2 || s === 3) ? 2 : 1;
      }
    return registers <= plan.registerBudget ? 2 : 1;
  }

  return { stride, step, packedAt, iterStride, enumerateTile, jammedTile, partialSums, jam };
}

/** Per loop, its step in elements of its variable (the extent of the next loop inside over the same variable). */
function stepsOf(plan: KernelPlan, variables: number): number[] {
  const inner = new Array<number>(variables).fill(1);
  const step = new Array<number>(plan.loops.length);
  for (let l = plan.loops.length - 1; l >= 0; l--) {
    const loop = plan.loops[l];
    step[l] = inner[loop.variable];
    inner[loop.variable] = loop.trip * step[l] + loop.tail;
  }
  return step;
}
