import { describe, expect, it } from 'vitest';
import type { CacheFigures, LevelFigures } from '../src/core/cache/figures.ts';
import { modelTime, spearman } from './cacheModel.ts';

function level(name: string, next: string, bytes: number): LevelFigures {
  const zero = {
    accesses: 0,
    misses: 0,
    compulsory: 0,
    capacity: 0,
    conflict: 0,
    fills: 0,
    writebacks: 0,
    missesPer1000Fma: 0,
  };
  return { name, bytes: 0, ways: 8, sets: 64, next, tensors: [], total: { ...zero, bytes } };
}

function figures(fmas: number, instructions: number, bytes: number[]): CacheFigures {
  return {
    machine: { id: 'x', name: 'x', source: 'x', lineBytes: 64 },
    fmas,
    instructions,
    levels: [level('L1d', 'L2', bytes[0]), level('L2', 'memory', bytes[1])],
  };
}

const rates = { peakFlops: 1e10, l1Instructions: 1e9, bandwidths: [1e10, 1e9] };

describe('modelTime', () => {
  it('is the largest bound, and names it', () => {
    // compute 2e9 / 1e10 = 0.2 s; issue 1e8 / 1e9 = 0.1 s; L2 1e9 / 1e10 = 0.1 s; memory 5e8 / 1e9 = 0.5 s
    const m = modelTime(figures(1e9, 1e8, [1e9, 5e8]), rates);
    expect(m.bound).toBe('memory');
    expect(m.seconds).toBeCloseTo(0.5, 9);
    expect(m.bounds).toEqual({ compute: 0.2, 'L1 issue': 0.1, L2: 0.1, memory: 0.5 });
    const c = modelTime(figures(1e9, 1e8, [1e8, 1e7]), rates);
    expect(c.bound).toBe('compute');
    expect(c.seconds).toBeCloseTo(0.2, 9);
  });

  it('refuses rates that do not match the levels', () => {
    expect(() => modelTime(figures(1, 1, [1, 1]), { ...rates, bandwidths: [1] })).toThrow(/2 levels need 2 bandwidths/);
  });
});

describe('spearman', () => {
  it('is 1 for the same order, -1 for the reverse, and uses mid-ranks for ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3, 4], [10, 20, 40, 30])).toBeCloseTo(0.8, 12);
    expect(spearman([1, 1, 2], [1, 1, 2])).toBeCloseTo(1, 12);
  });
});
