// Lesson: loop order and stride (why `m k n` beats `m n k`).
import { loopText } from '../../core/schedule.ts';
import { formatGflops } from '../../core/format.ts';
import {
  done,
  todo,
  waiting,
  currentFigure,
  innermostStrides,
  measuredOrWait,
  isCheck,
  speedupTask,
  MATMUL_256,
} from './checks.ts';
import type { Lesson } from './types.ts';

export const loopOrder: Lesson = {
  id: 'loop-order',
  title: 'Loop order and stride',
  summary: 'why `m k n` beats `m n k`',
  problemText: MATMUL_256,
  startSchedule: 'm n k',
  text: [
    'A matmul `C[m,n] += A[m,k] * B[k,n]` is three nested loops. Every order computes the same C, but not at the same speed: what matters is how far each tensor moves in memory when the innermost loop takes one step, its stride.',
    'Tensors are row-major: `B[k,n]` and `B[k,n+1]` are neighbours, while `B[k+1,n]` is a whole row away (256 floats, 1 KiB). In the default order `m n k` the innermost loop is k: A moves by 1, B jumps 256 floats per step and C stays put. The graph panel writes these strides on the edges of the innermost loop.',
    'Swap n below k to get `m k n`: the innermost loop now walks along rows of B and C (stride 1) and `A[m,k]` stays the same (stride 0). The generator vectorizes along the innermost loop, 4 floats at a time, so stride 1 means one load for 4 neighbours instead of 4 separate loads.',
    'Keys: ↑/↓ move the cursor, ⇧↑/⇧↓ swap the loop with its neighbour, u undoes. Watch the GFLOPS after each step.',
  ],
  steps: [
    {
      text: 'Put the cursor on n and swap it below k: `m k n`.',
      actions: ['down', 'swap_down'],
      schedule: 'm:256 k:256 n:256',
      ticks: ['b-stride-1', 'speedup-3x'],
    },
    {
      text: 'Go back up to m and swap it down to the bottom: m innermost.',
      actions: ['up', 'up', 'swap_down', 'swap_down'],
      schedule: 'k:256 n:256 m:256',
      ticks: ['worst-order'],
    },
  ],
  tasks: [
    {
      id: 'b-stride-1',
      text: "Make B's accesses stride 1 in the innermost loop.",
      hints: [
        'Which variable indexes the columns of `B[k,n]`? The innermost loop must run over it.',
        'Put the cursor on n (↓) and swap it below k (⇧↓).',
      ],
      check(facts) {
        const s = innermostStrides(facts.problem, facts.current.schedule);
        const inner = facts.current.schedule.loops[facts.current.schedule.loops.length - 1];
        const reading = `innermost loop ${loopText(inner)}: B moves by ${s.B ?? 0} per step`;
        return s.B === 1 ? done(reading) : todo(reading);
      },
    },
    speedupTask('speedup-3x', 3, [
      'Stride 1 for B and C lets the generator use vector loads.',
      '`m k n` is enough; wait for its measurement.',
    ]),
    {
      id: 'worst-order',
      text: 'Find an order whose innermost loop makes both A and C jump a whole row per step, and see its GFLOPS.',
      hints: [
        '`A[m,k]` and `C[m,n]` both have m as their row index.',
        'Make m the innermost loop: cursor on m, then ⇧↓ until it is last.',
      ],
      check(facts) {
        const s = innermostStrides(facts.problem, facts.current.schedule);
        const reading = `innermost strides: A ${s.A ?? 0}, B ${s.B ?? 0}, C ${s.C ?? 0}`;
        if (!((s.A ?? 0) > 1 && (s.C ?? 0) > 1)) return todo(reading);
        const m = measuredOrWait(facts);
        if (isCheck(m)) return waiting(`${reading}; measuring…`);
        if (m.correct === false) return done(`${reading}: the kernel computes wrong values`);
        const g = currentFigure(facts);
        if (isCheck(g)) return { ...g, detail: `${reading}; ${g.detail}` };
        return done(`${reading}: ${formatGflops(g)} GFLOPS`);
      },
    },
  ],
};
