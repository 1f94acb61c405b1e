// The cache model's time for a kernel, from the simulated traffic and the machine's measured rates:
// a roofline with one roof per level. The kernel can go no faster than its multiply-adds at the
// measured peak, its memory instructions at the rate the core issues them from L1, and the bytes
// moved between each pair of levels at the bandwidth the next level delivers; the model time is
// the largest of these (the bound that limits it).
import { sampleRankCorrelation } from 'simple-statistics';
import type { CacheFigures } from '../src/core/cache/figures.ts';

export interface MachineRates {
  /** FLOPs per second of the peak kernel on one thread. */
  peakFlops: number;
  /** Memory instructions per second when everything hits L1. */
  l1Instructions: number;
  /**
   * Bytes per second delivered to the level above by each level below L1, in the figures' order
   * (the bandwidth of L2, L3, ...), then memory's.
   */
  bandwidths: number[];
}

export interface ModelTime {
  seconds: number;
  /** What limits it: `compute`, `L1 issue`, or the level that delivers the bytes (`L2`, `memory`). */
  bound: string;
  /** Each bound's seconds, by name. */
  bounds: Record<string, number>;
}

export function modelTime(figures: CacheFigures, rates: MachineRates): ModelTime {
  const levels = figures.levels;
  if (rates.bandwidths.length !== levels.length)
    throw new RangeError(`${levels.length} levels need ${levels.length} bandwidths (the levels below L1, then memory)`);
  const bounds: Record<string, number> = {
    compute: (2 * figures.fmas) / rates.peakFlops,
    'L1 issue': figures.instructions / rates.l1Instructions,
  };
  levels.forEach((level, i) => {
    bounds[level.next] = level.total.bytes / rates.bandwidths[i];
  });
  let bound = 'compute';
  for (const [name, s] of Object.entries(bounds)) if (s > bounds[bound]) bound = name;
  return { seconds: bounds[bound], bound, bounds };
}

/** Spearman's rank correlation of two equally long series (ties get their mean rank). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2)
    throw new RangeError('spearman needs two series of the same length, at least 2');
  return sampleRankCorrelation([...a], [...b]);
}
