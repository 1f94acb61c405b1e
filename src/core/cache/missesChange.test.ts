import { describe, expect, it } from 'vitest';
import type { CacheCounts, CacheFigures } from './figures.ts';
import { missesChangeSentence, missesChanges, missesSummary } from './missesChange.ts';

function counts(misses: number): CacheCounts {
  return {
    accesses: misses * 4,
    misses,
    compulsory: 0,
    capacity: misses,
    conflict: 0,
    fills: misses,
    writebacks: 0,
    bytes: misses * 64,
    missesPer1000Fma: 0,
  };
}

/** Figures of a two-level machine with the given misses per tensor (C, A, B) at L1d and L2. */
function figures(l1: number[], l2: number[], machine = 'zen4'): CacheFigures {
  const level = (name: string, misses: number[]) => ({
    name,
    bytes: 32768,
    ways: 8,
    sets: 64,
    next: 'memory',
    tensors: misses.map((m, i) => ({ tensor: 'CAB'[i], ...counts(m) })),
    total: counts(misses.reduce((a, b) => a + b, 0)),
  });
  return {
    machine: { id: machine, name: `machine ${machine}`, source: '', lineBytes: 64 },
    fmas: 1e6,
    instructions: 1e6,
    levels: [level('L1d', l1), level('L2', l2)],
  };
}

describe('missesChangeSentence', () => {
  it('cites the largest changes first, per tensor and level, with the machine', () => {
    const before = figures([1000, 50_000, 2_100_000], [100, 4000, 300_000]);
    const after = figures([1000, 60_000, 260_000], [100, 4000, 12_000]);
    expect(missesChangeSentence(before, after)).toBe(
      "B's L2 misses: 300 k → 12.0 k; B's L1d misses: 2.10 M → 260 k; A's L1d misses: 50.0 k → 60.0 k (simulated on machine zen4)",
    );
    expect(missesChangeSentence(before, after, 1)).toBe("B's L2 misses: 300 k → 12.0 k (simulated on machine zen4)");
  });

  it('says the misses hardly change when no count moved by 20%', () => {
    const before = figures([1000, 5000, 10_000], [10, 10, 10]);
    const after = figures([1100, 5000, 10_500], [10, 11, 10]);
    expect(missesChangeSentence(before, after)).toBe(
      'Simulated misses hardly change (L1d: 16.0 k → 16.6 k, simulated on machine zen4)',
    );
  });

  it('compares nothing across machines', () => {
    const before = figures([1, 2, 3], [1, 2, 3], 'zen4');
    const after = figures([1, 2, 3], [1, 2, 3], 'teaching');
    expect(missesChanges(before, after)).toEqual([]);
    expect(missesChangeSentence(before, after)).toBeNull();
  });
});

describe('missesSummary', () => {
  it('lists each level’s misses per tensor', () => {
    expect(missesSummary(figures([4100, 1200, 260_000], [12, 0, 9000]))).toEqual([
      'L1d misses: C 4.10 k, A 1.20 k, B 260 k',
      'L2 misses: C 12, A 0, B 9.00 k',
    ]);
  });
});
