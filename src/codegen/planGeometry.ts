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
}

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

  return { stride, step, packedAt, iterStride, enumerateTile };
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
