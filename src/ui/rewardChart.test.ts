import { describe, expect, it } from 'vitest';
import { curveModel, lineDomains, movingAverage, rewardModel } from './rewardChart.ts';

describe('movingAverage', () => {
  it('averages the last n values (fewer at the start)', () => {
    expect(movingAverage([2, 4, 6, 8], 2)).toEqual([2, 3, 5, 7]);
    expect(movingAverage([1, 2, 3], 10)).toEqual([1, 1.5, 2]);
    expect(movingAverage([], 3)).toEqual([]);
  });
});

describe('rewardModel', () => {
  it('puts each episode return at its 1-based episode, with the moving average as a line', () => {
    const m = rewardModel([0.1, 0.3, -0.1], 2);
    expect(m.dots).toEqual([
      { x: 1, y: 0.1 },
      { x: 2, y: 0.3 },
      { x: 3, y: -0.1 },
    ]);
    expect(m.lines[0].points.map((p) => p.y.toFixed(2))).toEqual(['0.10', '0.20', '0.10']);
    expect(m.reference?.y).toBe(0);
  });
});

describe('curveModel', () => {
  it('plots validation speedups against training minutes', () => {
    const m = curveModel([
      { wall_s: 120, val_speedup: 3, val_final_speedup: 2.5 },
      { wall_s: 240, val_speedup: 4, val_final_speedup: 3.5 },
    ]);
    expect(m.lines.map((l) => l.id)).toEqual(['best', 'final']);
    expect(m.lines[0].points).toEqual([
      { x: 2, y: 3 },
      { x: 4, y: 4 },
    ]);
    expect(m.reference?.y).toBe(1);
  });
});

describe('lineDomains', () => {
  it('covers every value and the reference, padded', () => {
    const d = lineDomains(rewardModel([0.2, 0.4]));
    expect(d.x).toEqual([1, 2]);
    expect(d.y[0]).toBeLessThan(0);
    expect(d.y[1]).toBeGreaterThan(0.4);
    const empty = lineDomains({ dots: [], lines: [] });
    expect(empty.x).toEqual([0, 1]);
    expect(empty.y[0]).toBeLessThan(empty.y[1]);
  });
});
