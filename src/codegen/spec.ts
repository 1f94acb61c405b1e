// Encodes (problem, schedule, target) as the int32 words the C++ generator decodes
// (layout in wasm/src/spec.cpp).
import type { Problem, Schedule } from '../core/types.ts';
import type { Target } from './types.ts';

/** Generator budgets; 0 keeps the generator's default. */
export interface Budget {
  registers?: number;
  unrolled?: number;
  innermostVectors?: number;
  innermostUnroll?: number;
  loopUnroll?: number;
}

export function encodeSpec(problem: Problem, schedule: Schedule, target: Target, budget: Budget = {}): Int32Array {
  const vars = problem.variables;
  const index = new Map(vars.map((v, i) => [v, i]));
  const tensors = [problem.output, problem.inputs[0], problem.inputs[1]];
  const parallel = schedule.loops.findIndex((loop) => loop.parallel === true);
  const packed = schedule.loops.some((loop) => (loop.packs ?? []).length > 0);
  const flags =
    (target.relaxedSimd ? 1 : 0) |
    (target.hoistsLoads ? 2 : 0) |
    (target.sharedMemory ? 4 : 0) |
    (packed ? 8 : 0) |
    ((parallel + 1) << 8);
  const words: number[] = [1, flags, vars.length, schedule.loops.length];
  for (const v of vars) words.push(problem.sizes[v]);
  for (const t of tensors) for (const v of vars) words.push(t.strides[v] ?? 0);
  for (const loop of schedule.loops) {
    const i = index.get(loop.variable);
    if (i === undefined) throw new Error(`schedule loops over '${loop.variable}', which the problem does not have`);
    words.push(i, loop.trip, loop.tail);
  }
  words.push(
    budget.registers ?? 0,
    budget.unrolled ?? 0,
    budget.innermostVectors ?? 0,
    budget.innermostUnroll ?? 0,
    budget.loopUnroll ?? 0,
  );
  if (packed) {
    for (const loop of schedule.loops) {
      let mask = 0;
      for (const name of loop.packs ?? []) {
        const t = problem.inputs.findIndex((input) => input.name === name);
        if (t < 0) throw new Error(`schedule packs '${name}', which is not an input of the problem`);
        mask |= 1 << (t + 1);
      }
      words.push(mask);
    }
  }
  return Int32Array.from(words);
}
