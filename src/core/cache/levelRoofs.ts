// The cache-aware roofline's figures: per level of a simulated machine, the arithmetic intensity of
// the traffic between that level and the next (FLOPs per byte the simulation moved, fills and
// write-backs in whole lines) and that boundary's bandwidth. Between two caches the bandwidth is a
// stated per-machine figure (bytes per cycle at a stated clock, with its source); into the last
// level from memory it is the bandwidth the page measured on this computer. The stated figures are
// the machine presets' (machines.ts fillBandwidth).
import type { CacheFigures } from './figures.ts';
import { machineById } from './machines.ts';

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
  const fills = machineById(figures.machine.id)?.fillBandwidth ?? [];
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
