import { describe, expect, it } from 'vitest';
import { formatSpread, medianInterval, medianOf, relativeSpread } from './spread.ts';

describe('spread of samples', () => {
  it('median of odd and even counts', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 2, 3])).toBe(2.5);
    expect(medianOf([])).toBeNaN();
  });

  it('95% interval of the median from order statistics: x(3)..x(10) of 12, the range below 6', () => {
    const twelve = [12, 1, 11, 2, 10, 3, 9, 4, 8, 5, 7, 6];
    expect(medianInterval(twelve)).toEqual({ low: 3, high: 10 });
    expect(medianInterval([5, 1, 3])).toEqual({ low: 1, high: 5 });
    // One wild sample among many does not reach the bounds.
    const steady = [...Array.from({ length: 11 }, () => 10), 1000];
    expect(medianInterval(steady)).toEqual({ low: 10, high: 10 });
  });

  it('relative spread: half the 10-90% range over the median', () => {
    expect(relativeSpread([10, 10, 10, 10])).toBe(0);
    const values = Array.from({ length: 10 }, (_, i) => 95 + i); // 95..104
    expect(relativeSpread(values)).toBeCloseTo((103 - 95) / 2 / 99.5, 9);
    expect(formatSpread(0.031)).toBe('±3%');
    expect(formatSpread(0.002)).toBe('<±1%');
  });
});
