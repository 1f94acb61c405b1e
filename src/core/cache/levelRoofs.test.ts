import { describe, expect, it } from 'vitest';
import type { CacheFigures } from './figures.ts';
import { levelIntensities, levelRoof, limitingLevel } from './levelRoofs.ts';
import { MACHINES } from './machines.ts';

function figures(machine: string, bytes: number[], names = ['L1d', 'L2']): CacheFigures {
  return {
    machine: { id: machine, name: machine, source: '', lineBytes: 64 },
    fmas: 1e9,
    instructions: 0,
    levels: bytes.map((b, i) => ({
      name: names[i],
      bytes: 0,
      ways: 8,
      sets: 1,
      next: names[i + 1] ?? 'memory',
      tensors: [],
      total: {
        accesses: 0,
        misses: 0,
        compulsory: 0,
        capacity: 0,
        conflict: 0,
        fills: 0,
        writebacks: 0,
        bytes: b,
        missesPer1000Fma: 0,
      },
    })),
  };
}

describe('levelIntensities', () => {
  it('gives every machine a stated bandwidth (with its source) between each pair of its cache levels', () => {
    for (const m of MACHINES) {
      const stated = m.fillBandwidth ?? [];
      expect(stated.length, m.id).toBe(m.levels.length - 1);
      for (const b of stated) expect(b.source.length).toBeGreaterThan(20);
    }
  });

  it('FLOPs per byte moved at each level, against the stated roof between caches and the measured one from memory', () => {
    const levels = levelIntensities(figures('zen4', [2e9, 5e8]), 20e9);
    expect(levels.map((l) => l.label)).toEqual(['L1d ← L2', 'L2 ← memory']);
    expect(levels[0].intensity).toBe(1);
    expect(levels[1].intensity).toBe(4);
    expect(levels[0].bandwidth).toBe(32 * 4.5e9);
    expect(levels[1].bandwidth).toBe(20e9);
    expect(levelRoof(levels[0])).toBeCloseTo(144);
    expect(levelRoof(levels[1])).toBeCloseTo(80);
    expect(limitingLevel(levels)?.label).toBe('L2 ← memory');
    // Memory not measured yet: only the stated roof is known.
    const unmeasured = levelIntensities(figures('zen4', [2e9, 5e8]), null);
    expect(levelRoof(unmeasured[1])).toBeNull();
    expect(limitingLevel(unmeasured)?.label).toBe('L1d ← L2');
  });

  it('nothing moved: an infinite intensity', () => {
    const [l1] = levelIntensities(figures('teaching', [0], ['L1']), 10e9);
    expect(l1.label).toBe('L1 ← memory');
    expect(l1.intensity).toBe(Number.POSITIVE_INFINITY);
  });
});
