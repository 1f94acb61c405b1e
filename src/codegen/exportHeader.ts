// The head every compilable export carries: what wrote it, the problem, the schedule.
import pkg from '../../package.json' with { type: 'json' };
import { problemText } from '../core/problem.ts';
import { printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';

/** The looplab version that writes exports (package.json). */
export const LOOPLAB_VERSION: string = pkg.version;

/**
 * Comment lines (`// ...`) naming the export, the looplab version, the problem, its sizes and the
 * schedule, in a form `# problem:` / `# sizes:` importers and people both read.
 */
export function exportHeader(title: string, problem: Problem, schedule: Schedule): string[] {
  const [statement, ...sizes] = problemText(problem).split('\n');
  return [
    `// ${title}, written by looplab ${LOOPLAB_VERSION}`,
    `// problem: ${statement}`,
    `// sizes: ${sizes.join(' ')}`,
    `// schedule: ${printSchedule(schedule)}`,
  ];
}

/** Identifier-safe text: letters, digits and `_` (a C/C++ identifier never starts with a digit). */
export function cIdentifier(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(safe) ? `_${safe}` : safe;
}
