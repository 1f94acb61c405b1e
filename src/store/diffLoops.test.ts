import { describe, expect, it } from 'vitest';
import { parseProblemText } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { diffLoops, diffSummary } from './diffLoops.ts';

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

describe('diffSummary', () => {
  it('counts the marks on each side, as marked', () => {
    // m n k -> n m k: one mark on each side.
    expect(diffSummary(diffLoops(s('m n k'), s('n m k')))).toBe(
      "1 of the pinned schedule's loops and 1 of the current one's are not in the other (marked ≠)",
    );
    const d = diffLoops(s('m:16 n:16 k m:16 n:16'), s('n m k n:64 m:64 k:64'));
    const [a, b] = [d.a.filter(Boolean).length, d.b.filter(Boolean).length];
    expect(diffSummary(d)).toBe(
      `${a} of the pinned schedule's loops and ${b} of the current one's are not in the other (marked ≠)`,
    );
  });
  it('names only the side with marks, and says when there are none', () => {
    expect(diffSummary(diffLoops(s('m n k'), s('m:16 n k m:16')))).toBe(
      "1 of the pinned schedule's loops and 2 of the current one's are not in the other (marked ≠)",
    );
    expect(diffSummary({ a: [false, false], b: [false, true, true] })).toBe(
      "2 of the current schedule's loops are not in the pinned one (marked ≠)",
    );
    expect(diffSummary({ a: [true, false], b: [false] })).toBe(
      "1 of the pinned schedule's loops is not in the current one (marked ≠)",
    );
    expect(diffSummary(diffLoops(s('m n k'), s('m n k')))).toBe('the two schedules are the same');
  });
});
