import { describe, expect, it } from 'vitest';
import { parseProblemText } from '../core/problem.ts';
import { defaultSchedule, parseSchedule } from '../core/schedule.ts';
import { loopNestLines } from './loopNest.ts';

const body = 'C[m,n] += A[m,k] * B[k,n]';

describe('loopNestLines', () => {
  it('gives the default matmul nest as loops one level deeper each, the statement innermost', () => {
    const problem = parseProblemText(`${body}\nm=256, n=256, k=256`);
    expect(loopNestLines(problem, defaultSchedule(problem))).toEqual([
      { depth: 0, text: 'for m in 0..256:', loop: 0 },
      { depth: 1, text: 'for n in 0..256:', loop: 1 },
      { depth: 2, text: 'for k in 0..256:', loop: 2 },
      { depth: 3, text: body, loop: -1 },
    ]);
  });

  it('shows steps of split loops and tails', () => {
    const problem = parseProblemText(`${body}\nm=97, n=256, k=8`);
    const lines = loopNestLines(problem, parseSchedule(problem, 'm n k m:4'));
    expect(lines.map((l) => l.text)).toEqual([
      'for m in 0..97 step 4:  # tail 1',
      'for n in 0..256:',
      'for k in 0..8:',
      'for m in 0..4:',
      body,
    ]);
    expect(lines.map((l) => l.depth)).toEqual([0, 1, 2, 3, 4]);
    expect(lines.map((l) => l.loop)).toEqual([0, 1, 2, 3, -1]);
  });

  it('marks the parallel loop', () => {
    const problem = parseProblemText(`${body}\nm=256, n=256, k=256`);
    const lines = loopNestLines(problem, parseSchedule(problem, '||m:64 n k m:4'));
    expect(lines.map((l) => l.text).slice(0, 2)).toEqual(['parallel for m in 0..256 step 4:', 'for n in 0..256:']);
  });
});
