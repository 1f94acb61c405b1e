// The loop nest as the memory view annotates it: each loop's working set (the cache lines the
// loops from it inward touch in one run, against the chosen machine's L1 and L2), and on the loop
// that carries a tensor's reuse at a level, a mark: that level keeps the tensor's lines across the
// loop's iterations (from the simulated reuse), or the reuse it carries comes from memory.
import { type CacheAssumption, scheduleFacts } from '../facts.ts';
import { loopText } from '../schedule.ts';
import type { Problem, Schedule } from '../types.ts';
import type { TensorReuse } from './figures.ts';

export interface ReuseMark {
  tensor: string;
  /** The level that keeps the lines across this loop, or `memory` when its reuse comes from there. */
  level: string;
}

export interface NestLoopMarks {
  /** `k:32` */
  text: string;
  /** Bytes of the lines the loops from this one inward touch in one run. */
  workingSet: number;
  /** The smallest of L1 / L2 it fits (set conflicts included for L1), or null when neither. */
  fits: 'L1' | 'L2' | null;
  marks: ReuseMark[];
}

/** The loop index a reuse label names (`k:32 (loop 4)` -> 3), or null for the register tile. */
export function carriedLoopIndex(label: string): number | null {
  const m = /\(loop (\d+)\)$/.exec(label);
  return m ? Number(m[1]) - 1 : null;
}

/**
 * Per loop of the schedule, outermost first. `reuse` and `levelNames` come from the simulated
 * figures (absent: no marks); a level's mark goes on the outermost loop whose reuse it keeps, and
 * only when the level above does not keep it across the same loop already.
 */
export function nestMarks(
  problem: Problem,
  schedule: Schedule,
  cache: CacheAssumption,
  reuse?: TensorReuse[],
  levelNames: readonly string[] = [],
): NestLoopMarks[] {
  const facts = scheduleFacts(problem, schedule, cache);
  const rows: NestLoopMarks[] = schedule.loops.map((loop, i) => {
    const level = facts.levels[i];
    return {
      text: loopText(loop),
      workingSet: level.bytes,
      fits: level.fitsL1 ? 'L1' : level.fitsL2 ? 'L2' : null,
      marks: [],
    };
  });
  for (const r of reuse ?? []) {
    levelNames.forEach((name, s) => {
      const loop = r.carriedBy[s];
      if (!loop || (s > 0 && loop === r.carriedBy[s - 1])) return;
      const at = carriedLoopIndex(loop);
      if (at !== null && rows[at]) rows[at].marks.push({ tensor: r.tensor, level: name });
    });
    const lost = r.carriedBy[levelNames.length];
    const at = lost ? carriedLoopIndex(lost) : null;
    if (at !== null && rows[at]) rows[at].marks.push({ tensor: r.tensor, level: 'memory' });
  }
  return rows;
}
