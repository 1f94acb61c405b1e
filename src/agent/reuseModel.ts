// An analytic estimate of a schedule's cache traffic, for the cost model's features: per tensor,
// per loop, the bytes it touches inside the loop (its footprint), and per cache level the misses
// per multiply-add, by the classic reuse argument (as in Ansor's and TVM's cost-model features):
// a level keeps everything touched inside the outermost loop whose working set (all tensors'
// footprints) fits in it, so each tensor's footprint inside that loop is loaded once per
// iteration of the loops outside it, in lines of LINE_BYTES (bytes / 64 counts spatial reuse
// along contiguous reads). It knows nothing of associativity, prefetching or the packed copies'
// layout, and it is cheap (a few microseconds per schedule): the compiled simulator (src/runtime/
// cacheSim.ts), even sampled past 50 000-200 000 accesses, takes 25 ms a schedule (median; up to
// seconds on large kernels: src/agent/README.md), against the search's 1 s for hundreds of
// candidates, so it is left for the page's explanations. The tests hold this estimate within
// 2.5x of the simulator in geomean (reuseModel.test.ts).
import { loopExtents, loopSteps } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';

/** The levels the features measure against: this machine's (AMD EPYC, Zen 4 core: 32 KiB L1d, 1 MiB L2, a 32 MiB L3 shared by the cores). */
export const CACHE_LEVELS = [
  { name: 'L1', bytes: 32 * 1024 },
  { name: 'L2', bytes: 1024 * 1024 },
  { name: 'L3', bytes: 32 * 1024 * 1024 },
] as const;
export const LINE_BYTES = 64;

/** Bytes of each tensor (output first, then the inputs) touched inside loop i (loops i.. innermost), per loop. */
export function tensorFootprints(problem: Problem, schedule: Schedule): number[][] {
  const loops = schedule.loops;
  const extents = loopExtents(problem, schedule);
  const tensors = [problem.output, ...problem.inputs];
  const out: number[][] = [];
  for (let i = 0; i < loops.length; i++) {
    const ext = new Map<string, number>();
    for (let j = i; j < loops.length; j++) if (!ext.has(loops[j].variable)) ext.set(loops[j].variable, extents[j]);
    out.push(
      tensors.map((t) => {
        let elements = 1;
        for (const index of t.indices)
          elements *=
            index.reduce((acc, term) => acc + Math.abs(term.coef) * ((ext.get(term.variable) ?? 1) - 1), 0) + 1;
        return 4 * elements;
      }),
    );
  }
  return out;
}

export interface ReuseEstimate {
  /** Per level, per tensor (output first), lines loaded from the next level per multiply-add. */
  missesPerFma: number[][];
  /** Per level, the index of the outermost loop whose working set fits (loops.length: none does). */
  fitsFrom: number[];
}

/** The analytic misses per multiply-add at each of CACHE_LEVELS (see the module comment). */
export function reuseEstimate(problem: Problem, schedule: Schedule): ReuseEstimate {
  const loops = schedule.loops;
  const footprints = tensorFootprints(problem, schedule);
  const steps = loopSteps(problem, schedule);
  const extents = loopExtents(problem, schedule);
  // Iterations of each loop, a tail counted by its share of a step.
  const iterations = loops.map((_, i) => extents[i] / steps[i]);
  const fmas = problem.flops / 2;
  const tensors = footprints[0]?.length ?? 1 + problem.inputs.length;
  const missesPerFma: number[][] = [];
  const fitsFrom: number[] = [];
  for (const level of CACHE_LEVELS) {
    let at = loops.length;
    for (let i = loops.length - 1; i >= 0; i--) {
      if (footprints[i].reduce((a, b) => a + b, 0) > level.bytes) break;
      at = i;
    }
    fitsFrom.push(at);
    let outside = 1;
    for (let j = 0; j < at; j++) outside *= iterations[j];
    missesPerFma.push(
      Array.from({ length: tensors }, (_, t) => {
        // Nothing fits: every access goes to the next level (one per multiply-add and tensor, a line per 16 floats).
        const bytes = at < loops.length ? footprints[at][t] : 4;
        return (outside * bytes) / LINE_BYTES / fmas;
      }),
    );
  }
  return { missesPerFma, fitsFrom };
}
