import { describe, expect, it } from 'vitest';
import { parseProblemText } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { diffLoops } from './diffLoops.ts';

const p = parseProblemText('C[m,n] += A[m,k] * B[k,n]\nm=256, n=256, k=256');
const s = (t: string) => parseSchedule(p, t);

describe('diffLoops', () => {
  it('marks nothing for equal schedules', () => {
    expect(diffLoops(s('m n k'), s('m n k'))).toEqual({ a: [false, false, false], b: [false, false, false] });
  });
  it('marks a swap on one side only where the order breaks', () => {
    expect(diffLoops(s('m n k'), s('n m k'))).toEqual({ a: [true, false, false], b: [false, true, false] });
  });
  it('marks split loops, with changed trips', () => {
    expect(diffLoops(s('m n k'), s('m:16 n k m:16'))).toEqual({
      a: [true, false, false],
      b: [true, false, false, true],
    });
  });
});
