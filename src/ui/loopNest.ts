// Turns a schedule into the indented pseudo-code lines the loop-nest panel shows.
// Pure: no DOM, no React, so it is unit-tested beside this file.
import { loopExtents, loopSteps } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';

export interface NestLine {
  /** Nesting depth (0 = outermost loop). */
  depth: number;
  /** Text of the line without indentation, e.g. `for m in 0..256:`. */
  text: string;
  /** Index of the loop in the schedule, or -1 for the body. */
  loop: number;
}

/**
 * One line per loop, outermost first, then the problem's statement as the body.
 * A loop over `v` with extent E reads `for v in 0..E:` when its step is 1 and
 * `for v in 0..E step s:` otherwise; a tail (E not a multiple of s) is noted. The parallel loop
 * reads `parallel for ...`.
 */
export function loopNestLines(problem: Problem, schedule: Schedule): NestLine[] {
  const steps = loopSteps(problem, schedule);
  const extents = loopExtents(problem, schedule);
  const lines: NestLine[] = schedule.loops.map((loop, i) => {
    const step = steps[i] > 1 ? ` step ${steps[i]}` : '';
    const tail = loop.tail > 0 ? `  # tail ${loop.tail}` : '';
    const head = loop.parallel ? 'parallel for' : 'for';
    return { depth: i, text: `${head} ${loop.variable} in 0..${extents[i]}${step}:${tail}`, loop: i };
  });
  lines.push({ depth: schedule.loops.length, text: problem.op, loop: -1 });
  return lines;
}
