import { describe, expect, it } from 'vitest';
import { type CacheFigures, samplingGap } from './figures.ts';

function counts(misses: number) {
  return {
    accesses: 0,
    misses,
    compulsory: 0,
    capacity: 0,
    conflict: 0,
    fills: 0,
    writebacks: 0,
    bytes: 0,
    missesPer1000Fma: 0,
  };
}

/** Figures with the given misses per tensor (C, A, B) at each level. */
function figures(...levels: number[][]): CacheFigures {
  return {
    machine: { id: 'zen4', name: 'Zen 4', source: '', lineBytes: 64 },
    fmas: 1e6,
    instructions: 1e6,
    levels: levels.map((misses, l) => ({
      name: ['L1d', 'L2', 'L3'][l],
      bytes: 32768,
      ways: 8,
      sets: 64,
      next: 'memory',
      tensors: misses.map((m, i) => ({ tensor: 'CAB'[i], ...counts(m) })),
      total: counts(0),
    })),
  };
}

describe('samplingGap', () => {
  it('names the miss count furthest off, relatively, with both figures', () => {
    const exact = figures([1000, 50_000, 2_000_000], [100, 4000, 300_000]);
    const sampled = figures([1010, 50_000, 2_100_000], [100, 4400, 300_000]);
    expect(samplingGap(sampled, exact)).toEqual({
      relative: 0.1,
      level: 'L2',
      tensor: 'A',
      exact: 4000,
      sampled: 4400,
    });
  });

  it('is 0 when every count agrees, and 100% for a count sampled where there is none', () => {
    const exact = figures([1000, 0, 2000]);
    expect(samplingGap(figures([1000, 0, 2000]), exact)?.relative).toBe(0);
    expect(samplingGap(figures([1000, 3, 2000]), exact)).toMatchObject({
      relative: 1,
      tensor: 'A',
      exact: 0,
      sampled: 3,
    });
  });

  it('compares nothing between figures of different levels', () => {
    expect(samplingGap(figures([1, 2, 3]), figures([1, 2, 3], [1, 2, 3]))).toBeNull();
  });
});
