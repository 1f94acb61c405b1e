// Lesson: which loop gets vectorized (contiguous, gathered, splatted, horizontal sums).
import { formatGflops } from '../../core/format.ts';
import { done, todo, compareFigures, isCheck, withReport, MATMUL_256 } from './checks.ts';
import type { Lesson } from './types.ts';

export const vectorize: Lesson = {
  id: 'vectorize',
  title: 'Which loop gets vectorized, and why',
  summary: 'vectors, gathers, splats and horizontal sums',
  problemText: MATMUL_256,
  startSchedule: 'm n k',
  text: [
    'The code generator vectorizes along the variable of the innermost loop, 4 floats at a time (f32x4). It does not choose: you do, by choosing the innermost loop.',
    'Along that variable each tensor is one of three kinds: contiguous (one `v128.load` reads 4 neighbours), strided (4 separate loads: a gather) or independent of it (one value copied to all 4 lanes: a splat). When the output lacks the variable, as C lacks k, the 4 lanes hold partial sums that are added together at the end (a horizontal sum).',
    'The code panel shows what the generator decided. In the start, `m n k`, k is vectorized: A is contiguous along k, B is gathered, C needs a horizontal sum.',
    'A loop shorter than 4 iterations has nothing to fill a vector with, and the generator falls back to scalar code.',
  ],
  steps: [
    {
      text: 'Swap m down to the bottom: m innermost.',
      actions: ['swap_down', 'swap_down'],
      schedule: 'n:256 k:256 m:256',
      ticks: ['along-m'],
    },
    {
      text: 'Swap m back up, go up to n and swap n down to the bottom: n innermost.',
      actions: ['swap_up', 'up', 'swap_down', 'swap_down'],
      schedule: 'm:256 k:256 n:256',
      ticks: ['along-n', 'compare'],
    },
    {
      text: 'Split the innermost n by 2: two iterations cannot fill a vector.',
      actions: ['split_2'],
      schedule: 'm:256 k:256 n:128 n:2',
      ticks: ['scalar'],
    },
  ],
  tasks: [
    {
      id: 'along-m',
      text: 'Vectorize along m, and count the gathers.',
      hints: ['The innermost loop decides. Make m the innermost loop.'],
      check: withReport((r) => {
        const gathers = Object.entries(r.access)
          .filter(([, a]) => a === 'gather')
          .map(([t]) => t);
        const reading = `vectorized along ${r.vectorizedVariable}; gathered: ${gathers.join(', ') || 'none'}`;
        return r.vectorizedVariable === 'm' ? done(reading) : todo(reading);
      }),
    },
    {
      id: 'along-n',
      text: 'Vectorize along n with no gathers at all.',
      hints: [
        'Along n, `C[m,n]` and `B[k,n]` are contiguous and `A[m,k]` does not depend on n.',
        'Make n the innermost loop.',
      ],
      check: withReport((r, facts) => {
        // The report files an output without the vectorized variable as a splat; what the kernel
        // does with it is a horizontal sum (the lesson's text and the code panel say so too).
        const kinds = Object.entries(r.access)
          .map(([t, a]) => `${t} ${t === facts.problem.output.name && r.horizontalSum ? 'horizontal sum' : a}`)
          .join(', ');
        const reading = `vectorized along ${r.vectorizedVariable}: ${kinds}`;
        const ok = r.vectorizedVariable === 'n' && !Object.values(r.access).includes('gather');
        return ok ? done(reading) : todo(reading);
      }),
    },
    {
      id: 'scalar',
      text: 'Make the innermost loop too short for a vector and see the generator use scalar accumulators.',
      hints: ['Split the innermost loop by 2 (s, 2): the new innermost loop has 2 iterations.'],
      check: withReport((r) => {
        const reading = `${r.vectorAccumulators} f32x4 and ${r.scalarAccumulators} scalar accumulators`;
        return r.vectorAccumulators === 0 && r.scalarAccumulators > 0 ? done(reading) : todo(reading);
      }),
    },
    {
      id: 'compare',
      speed: true,
      text: 'Measure both: vectorizing along n is faster than along m.',
      hints: ['Visit a schedule vectorized along m and one vectorized along n; both stay measured.'],
      check(facts) {
        // The fastest schedule along each variable; one with only a quick figure yet counts too,
        // so that the task waits for its refined figure instead of forgetting it.
        const best = (v: string) => {
          let pick: { schedule: string; g: number } | null = null;
          for (const [schedule, m] of Object.entries(facts.measuredBySchedule)) {
            const g = m.gflops ?? m.quickGflops ?? null;
            if (m.report?.vectorizedVariable === v && m.correct !== false && g !== null && g > (pick?.g ?? -1))
              pick = { schedule, g };
          }
          return pick;
        };
        const n = best('n');
        const m = best('m');
        if (n === null || m === null)
          return todo(`measured: along n ${n === null ? 'not yet' : 'yes'}, along m ${m === null ? 'not yet' : 'yes'}`);
        const r = compareFigures(
          facts,
          { schedule: n.schedule, name: `along n (${n.schedule})` },
          { schedule: m.schedule, name: `along m (${m.schedule})` },
        );
        if (isCheck(r)) return r;
        const reading = `best along n ${formatGflops(r.a)}, along m ${formatGflops(r.b)} GFLOPS`;
        return r.a > r.b ? done(reading) : todo(`${reading}: try another order along n`);
      },
    },
  ],
};
