// What the policy sees of a loop nest.
//
// LoopTune's loop tensor (its LoopTreeAgent::get_loops_tensor), one row per loop, outermost first,
// MAX_LOOPS = 10 rows (rows past the last loop are all zero), 20 columns:
//
//   0      cursor flag: 1 on the loop under the cursor
//   1      trip: the loop's number of full iterations
//   2      tail: the partial iteration's remaining extent (0 when the loop divides evenly)
//   3      "in the compute nest" flag: 1 for every loop (this project's problems are one
//          statement, so every loop encloses it; the zero rows past the last loop have 0)
//   4..19  a 16-bucket histogram of the log2 access strides of the loop, weighted by iteration
//          counts and normalized per loop (LoopTune's create_log_histogram with normalize):
//          each of the statement's three accesses (the output and both inputs) is one entry
//          whose stride is the tensor's element stride along the loop's variable times the
//          loop's step (how far the access moves when the loop advances by one iteration) and
//          whose weight is the number of iterations the loop runs in the whole nest. Entries
//          with stride 0 (the tensor does not depend on the variable) count in the total but go
//          in no bucket; a stride s > 0 goes in bucket ceil(log2 s) (stride 1 in bucket 0,
//          2 in 1, 3 and 4 in 2, ...), and buckets >= 16 are dropped. Since the three accesses
//          of one loop run equally often, the weights cancel: every access with a non-zero
//          stride adds 1/3 to its bucket.
//
// For the network (`encodeFeatures`), trip and tail are scaled to log2(1 + x) / 8 (raw trips of
// up to 256 would swamp the flags); everything else is as above. The `extended` feature set adds
// 10 columns per loop and one global value (see EXTENDED_COLUMNS), chosen because the code
// generator vectorizes along the innermost loop and keeps a register tile of the innermost loops:
// which tensor is contiguous along the loop matters, and the histogram mixes the tensors up.
import { MAX_LOOPS } from '../core/limits.ts';
import { loopExtents, loopSteps } from '../core/schedule.ts';
import type { NestState, Problem } from '../core/types.ts';

export const HISTOGRAM_BUCKETS = 16;
export const LOOPTUNE_COLUMNS = 4 + HISTOGRAM_BUCKETS;

/** LoopTune's 10 x 20 tensor, raw (row-major, row = loop). */
export function loopTuneTensor(problem: Problem, state: NestState): Float32Array {
  const out = new Float32Array(MAX_LOOPS * LOOPTUNE_COLUMNS);
  const loops = state.schedule.loops;
  const steps = loopSteps(problem, state.schedule);
  const tensors = [problem.output, ...problem.inputs];
  for (let i = 0; i < loops.length && i < MAX_LOOPS; i++) {
    const row = i * LOOPTUNE_COLUMNS;
    const loop = loops[i];
    out[row] = i === state.cursor ? 1 : 0;
    out[row + 1] = loop.trip;
    out[row + 2] = loop.tail;
    out[row + 3] = 1;
    for (const t of tensors) {
      const stride = Math.abs(t.strides[loop.variable] ?? 0) * steps[i];
      if (stride === 0) continue;
      const bucket = Math.ceil(Math.log2(stride));
      if (bucket < HISTOGRAM_BUCKETS) out[row + 4 + bucket] += 1 / tensors.length;
    }
  }
  return out;
}

export type FeatureSet = 'looptune' | 'extended';

/**
 * Extra columns per loop in the `extended` set, after LoopTune's 20:
 *   20     log2(1 + step) / 8
 *   21     log2(1 + extent) / 8
 *   22     1 when the loop's variable is a reduction variable
 *   23     (number of loops below this one) / 10
 *   24-29  for the output, the first and the second input: stride 0 flag, stride 1 flag (the
 *          tensor does not depend on the variable / is contiguous along it)
 * plus one global value at the very end: the steps left in the episode / 10.
 */
export const EXTENDED_COLUMNS = LOOPTUNE_COLUMNS + 10;

export function featureSize(set: FeatureSet): number {
  return set === 'looptune' ? MAX_LOOPS * LOOPTUNE_COLUMNS : MAX_LOOPS * EXTENDED_COLUMNS + 1;
}

const scale = (x: number) => Math.log2(1 + x) / 8;

/** The network's input for a state (see the module comment). `stepsLeft` is used by `extended`. */
export function encodeFeatures(problem: Problem, state: NestState, set: FeatureSet, stepsLeft = 0): Float32Array {
  const base = loopTuneTensor(problem, state);
  for (let i = 0; i < MAX_LOOPS; i++) {
    base[i * LOOPTUNE_COLUMNS + 1] = scale(base[i * LOOPTUNE_COLUMNS + 1]);
    base[i * LOOPTUNE_COLUMNS + 2] = scale(base[i * LOOPTUNE_COLUMNS + 2]);
  }
  if (set === 'looptune') return base;

  const out = new Float32Array(featureSize('extended'));
  const loops = state.schedule.loops;
  const steps = loopSteps(problem, state.schedule);
  const extents = loopExtents(problem, state.schedule);
  const tensors = [problem.output, ...problem.inputs];
  for (let i = 0; i < MAX_LOOPS; i++) {
    out.set(base.subarray(i * LOOPTUNE_COLUMNS, (i + 1) * LOOPTUNE_COLUMNS), i * EXTENDED_COLUMNS);
    if (i >= loops.length) continue;
    const row = i * EXTENDED_COLUMNS + LOOPTUNE_COLUMNS;
    const v = loops[i].variable;
    out[row] = scale(steps[i]);
    out[row + 1] = scale(extents[i]);
    out[row + 2] = problem.reductionVariables.includes(v) ? 1 : 0;
    out[row + 3] = (loops.length - 1 - i) / 10;
    tensors.forEach((t, j) => {
      const s = Math.abs(t.strides[v] ?? 0);
      out[row + 4 + 2 * j] = s === 0 ? 1 : 0;
      out[row + 5 + 2 * j] = s === 1 ? 1 : 0;
    });
  }
  out[MAX_LOOPS * EXTENDED_COLUMNS] = stepsLeft / 10;
  return out;
}
