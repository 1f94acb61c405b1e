// Lesson: sizes that do not divide, tails, and kernels still correct.
import { loopText } from '../../core/schedule.ts';
import type { Schedule } from '../../core/types.ts';
import { done, todo, tileExtents, tileText, reportOrWait, speedupTask, correctOrWait } from './checks.ts';
import type { Lesson } from './types.ts';

function tailOn(schedule: Schedule, variable: string): string | null {
  const loop = schedule.loops.find((l) => l.variable === variable && l.tail > 0);
  return loop ? loopText(loop) : null;
}

const TAILS_PROBLEM = 'C[m,n] += A[m,k] * B[k,n]\nm=97, n=99, k=64';

export const tails: Lesson = {
  id: 'tails',
  title: 'Tails and awkward sizes',
  summary: 'sizes that do not divide, still correct',
  problemText: TAILS_PROBLEM,
  startSchedule: 'm n k',
  text: [
    'Real sizes rarely divide nicely. Here m = 97 is prime: split m by 4 and the outer loop becomes `m:24 r1`, 24 full steps of 4 and one last partial step of 1, the tail.',
    'The generator emits a separate copy of the loop body for each kind of partial iteration, specialized to what is left (the code panel counts these tail paths). Along the vectorized variable a remainder of fewer than 4 is computed with scalar code: n = 99 leaves 3.',
    'Every kernel is checked against a naive reference before it is timed. The tasks only count a correct kernel.',
  ],
  steps: [
    {
      text: 'Split m by 4: 97 = 24 × 4 + 1.',
      actions: ['split_4'],
      schedule: 'm:24 r1 m:4 n:99 k:64',
      ticks: ['tail-m'],
    },
    {
      text: 'Take the inner `m:4` to the bottom; go up to n, split it by 8 (99 = 12 × 8 + 3) and take the inner `n:8` to the bottom.',
      actions: ['down', 'swap_down', 'swap_down', 'up', 'up', 'split_8', 'down', 'swap_down', 'swap_down'],
      schedule: 'm:24 r1 n:12 r3 k:64 m:4 n:8',
      ticks: ['tile-tails', 'speedup-4x'],
    },
  ],
  tasks: [
    {
      id: 'tail-m',
      text: 'Make a schedule with a tail on m, and keep it correct.',
      hints: ['Put the cursor on m and split it by 4: 97 = 24 × 4 + 1.'],
      check(facts) {
        const t = tailOn(facts.current.schedule, 'm');
        if (!t) return todo('no loop over m has a tail');
        return correctOrWait(facts) ?? done(`${t} has a tail and the kernel is correct`);
      },
    },
    {
      id: 'tile-tails',
      text: 'Build a register tile of at least 2×8 with tails on both m and n, still correct.',
      hints: ['Split m by 2 and n by 8 (or 16), and bring both inner loops to the bottom, n last.'],
      check(facts) {
        const tm = tailOn(facts.current.schedule, 'm');
        const tn = tailOn(facts.current.schedule, 'n');
        if (!tm || !tn) return todo(`tails: m ${tm ?? 'none'}, n ${tn ?? 'none'}`);
        const r = reportOrWait(facts);
        if ('state' in r) return r;
        const t = tileExtents(r);
        if (!((t.m ?? 1) >= 2 && (t.n ?? 1) >= 8)) return todo(`${tileText(r)}; tails on ${tm} and ${tn}`);
        return correctOrWait(facts) ?? done(`${tileText(r)}, ${r.tailPaths} body copies for the tails; correct`);
      },
    },
    speedupTask('speedup-4x', 4, ['A register tile pays off here too, tails and all.']),
  ],
};
