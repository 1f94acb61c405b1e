// The cache-aware roofline's figures: per level of a simulated machine, the arithmetic intensity of
// the traffic between that level and the next (FLOPs per byte the simulation moved, fills and
// write-backs in whole lines) and that boundary's bandwidth. Between two caches the bandwidth is a
// stated per-machine figure (bytes per cycle at a stated clock, with its source); into the last
// level from memory it is the bandwidth the page measured on this computer.
import type { CacheFigures } from './figures.ts';

export interface CacheBandwidth {
  /** Bytes per cycle the next level can fill this one with. */
  bytesPerCycle: number;
  /** The clock assumed to turn cycles into seconds. */
  ghz: number;
  source: string;
}

/**
 * Per machine id, the bandwidth into each cache level from the next cache level (index 0: into
 * L1d from L2); the last level's fills come from memory and have none here.
 */
export const FILL_BANDWIDTH: Readonly<Record<string, readonly CacheBandwidth[]>> = {
  zen4: [
    {
      bytesPerCycle: 32,
      ghz: 4.5,
      source:
        'AMD Zen 4 (Software Optimization Guide, pub. 57647, 2.6): L2 to L1d 32 bytes per cycle; at an assumed 4.5 GHz',
    },
  ],
  zen3: [
    {
      bytesPerCycle: 32,
      ghz: 3.5,
      source:
        'AMD EPYC 7003 (Software Optimization Guide, pub. 56665, 2.6): L2 to L1d 32 bytes per cycle; at an assumed 3.5 GHz boost',
    },
  ],
  'golden-cove': [
    {
      bytesPerCycle: 64,
      ghz: 4.9,
      source:
        'Intel Optimization Reference Manual, Golden Cove: L2 peak 64 bytes per cycle to L1d; at an assumed 4.9 GHz P-core turbo',
    },
  ],
  'raptor-cove': [
    {
      bytesPerCycle: 64,
      ghz: 5.0,
      source:
        'Intel Optimization Reference Manual, Raptor Cove (as Golden Cove): L2 peak 64 bytes per cycle to L1d; at an assumed 5.0 GHz P-core turbo',
    },
  ],
  'apple-m1': [
    {
      bytesPerCycle: 64,
      ghz: 3.2,
      source:
        'Apple publishes no L2 bandwidth: 64 bytes per cycle into L1d is an assumption (half a 128-byte line per cycle); at the 3.2 GHz Firestorm clock',
    },
  ],
  teaching: [],
};

/** One level's point on the cache-aware roofline. */
export interface LevelIntensity {
  /** `L1d ← L2`, `L2 ← memory`. */
  label: string;
  level: string;
  from: string;
  /** Bytes moved between the level and the next over the run. */
  bytes: number;
  /** FLOPs per byte of that traffic (Infinity when nothing moved). */
  intensity: number;
  /** Bytes per second of that boundary, or null when unknown (memory not measured yet). */
  bandwidth: number | null;
  /** Where the bandwidth comes from, in words. */
  source: string;
}

export function levelIntensities(figures: CacheFigures, memoryBandwidth: number | null): LevelIntensity[] {
  const flops = 2 * figures.fmas;
  const fills = FILL_BANDWIDTH[figures.machine.id] ?? [];
  return figures.levels.map((level, i) => {
    const fromMemory = level.next === 'memory';
    const stated = fills[i];
    const bandwidth = fromMemory ? memoryBandwidth : stated ? stated.bytesPerCycle * stated.ghz * 1e9 : null;
    const source = fromMemory
      ? 'the memory bandwidth this page measured on this computer'
      : stated
        ? stated.source
        : `no stated bandwidth between ${level.name} and ${level.next} for this machine`;
    return {
      label: `${level.name} ← ${level.next}`,
      level: level.name,
      from: level.next,
      bytes: level.total.bytes,
      intensity: level.total.bytes > 0 ? flops / level.total.bytes : Number.POSITIVE_INFINITY,
      bandwidth,
      source,
    };
  });
}

/** The GFLOPS each level's traffic allows (bandwidth x intensity), null when its bandwidth is unknown. */
export function levelRoof(level: Pick<LevelIntensity, 'bandwidth' | 'intensity'>): number | null {
  if (level.bandwidth === null) return null;
  return (level.bandwidth * level.intensity) / 1e9;
}

/** The level whose roof is lowest: the traffic that limits the kernel first (null when none is known). */
export function limitingLevel(levels: readonly LevelIntensity[]): LevelIntensity | null {
  let worst: LevelIntensity | null = null;
  for (const l of levels) {
    const roof = levelRoof(l);
    if (roof === null) continue;
    if (worst === null || roof < (levelRoof(worst) as number)) worst = l;
  }
  return worst;
}
