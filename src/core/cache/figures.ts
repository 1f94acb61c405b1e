// The simulator's counters as the figures people read: per level and per tensor, accesses, the
// misses and their three Cs, the bytes moved to and from the next level, and misses per 1,000
// multiply-adds (FMAs), which compares schedules of one problem and problems of different sizes.
import type { Machine } from './machines.ts';
import { type CacheStats, count } from './simulator.ts';

export interface CacheCounts {
  /** References to a line at this level (at L1 a memory instruction touching two lines counts 2). */
  accesses: number;
  misses: number;
  compulsory: number;
  capacity: number;
  conflict: number;
  /** Lines filled from the next level (read misses and store misses: write-allocate). */
  fills: number;
  /** Dirty lines written back to the next level when evicted. */
  writebacks: number;
  /** Bytes moved between this level and the next (fills + write-backs, whole lines). */
  bytes: number;
  missesPer1000Fma: number;
}

export interface LevelFigures {
  name: string;
  bytes: number;
  ways: number;
  sets: number;
  /** Where its misses go: the next level's name or `memory`. */
  next: string;
  tensors: Array<CacheCounts & { tensor: string }>;
  total: CacheCounts;
}

export interface CacheFigures {
  machine: Pick<Machine, 'id' | 'name' | 'source' | 'lineBytes'>;
  /** Multiply-adds of the problem (FLOPs / 2). */
  fmas: number;
  /** Memory instructions the kernel executes (loads and stores, any width). */
  instructions: number;
  levels: LevelFigures[];
}

const KEYS = ['accesses', 'misses', 'compulsory', 'capacity', 'conflict', 'fills', 'writebacks'] as const;

export function cacheFigures(
  stats: CacheStats,
  machine: Machine,
  tensorNames: readonly string[],
  fmas: number,
  instructions: number,
): CacheFigures {
  const per1000 = (misses: number) => (fmas > 0 ? (misses * 1000) / fmas : 0);
  const levels = machine.levels.map((spec, level): LevelFigures => {
    const tensors = tensorNames.map((tensor, t) => {
      const c = Object.fromEntries(KEYS.map((k) => [k, count(stats, level, t, k)])) as Record<
        (typeof KEYS)[number],
        number
      >;
      return {
        tensor,
        ...c,
        bytes: (c.fills + c.writebacks) * machine.lineBytes,
        missesPer1000Fma: per1000(c.misses),
      };
    });
    const total = Object.fromEntries(KEYS.map((k) => [k, tensors.reduce((s, t) => s + t[k], 0)])) as Record<
      (typeof KEYS)[number],
      number
    >;
    return {
      name: spec.name,
      bytes: spec.bytes,
      ways: spec.ways,
      sets: spec.bytes / (spec.ways * machine.lineBytes),
      next: machine.levels[level + 1]?.name ?? 'memory',
      tensors,
      total: {
        ...total,
        bytes: (total.fills + total.writebacks) * machine.lineBytes,
        missesPer1000Fma: per1000(total.misses),
      },
    };
  });
  const { id, name, source, lineBytes } = machine;
  return { machine: { id, name, source, lineBytes }, fmas, instructions, levels };
}
