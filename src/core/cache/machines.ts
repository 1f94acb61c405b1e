// Named cache hierarchies to simulate, each with where its figures come from, and custom ones
// written like `--l1 32K:8 --l2 1M:16 --line 64`. Only the data caches a core's loads and stores
// go through (L1d, then L2); shared last-level caches are left out.
import { type CacheConfig, type CacheLevelSpec, configProblem } from './config.ts';

/** The bandwidth into a cache level from the next cache level. */
export interface CacheBandwidth {
  /** Bytes per cycle the next level can fill this one with. */
  bytesPerCycle: number;
  /** The clock assumed to turn cycles into seconds. */
  ghz: number;
  source: string;
}

export interface Machine extends CacheConfig {
  /** Short id used in links and on the command line, e.g. `zen4`. */
  id: string;
  /** What a person reads, e.g. `AMD Zen 4 core`. */
  name: string;
  /** Where the figures come from (and what was assumed). */
  source: string;
  /**
   * Into each cache level from the next cache level (index 0: into L1d from L2), for the
   * cache-aware roofline; the last level's fills come from memory, which the page measures.
   */
  fillBandwidth?: CacheBandwidth[];
}

const KiB = 1024;
const MiB = 1024 * 1024;

export const MACHINES: readonly Machine[] = [
  {
    id: 'zen4',
    name: 'AMD Zen 4 core',
    lineBytes: 64,
    levels: [
      { name: 'L1d', bytes: 32 * KiB, ways: 8 },
      { name: 'L2', bytes: 1 * MiB, ways: 8 },
    ],
    source:
      'AMD, Software Optimization Guide for the AMD Zen4 Microarchitecture (pub. 57647), section 2.6: 32 KiB 8-way L1d, 1 MiB 8-way private L2, 64-byte lines',
    fillBandwidth: [
      {
        bytesPerCycle: 32,
        ghz: 4.5,
        source:
          'L2 to L1d: 32 bytes per cycle, the width AMD gives for the Zen 3 and Zen 4 L2 (Zen 5 doubles it); a peak, at an assumed 4.5 GHz clock',
      },
    ],
  },
  {
    id: 'zen3',
    name: 'AMD Zen 3 core (EPYC 7003, as on the machines looplab was tuned on)',
    lineBytes: 64,
    levels: [
      { name: 'L1d', bytes: 32 * KiB, ways: 8 },
      { name: 'L2', bytes: 512 * KiB, ways: 8 },
    ],
    source:
      'AMD, Software Optimization Guide for AMD EPYC 7003 Processors (pub. 56665), section 2.6: 32 KiB 8-way L1d, 512 KiB 8-way private L2, 64-byte lines',
    fillBandwidth: [
      {
        bytesPerCycle: 32,
        ghz: 3.5,
        source:
          'L2 to L1d: 32 bytes per cycle, the width AMD gives for the Zen 3 L2; a peak, at an assumed 3.5 GHz boost clock',
      },
    ],
  },
  {
    id: 'golden-cove',
    name: 'Intel Golden Cove P-core (Alder Lake)',
    lineBytes: 64,
    levels: [
      { name: 'L1d', bytes: 48 * KiB, ways: 12 },
      { name: 'L2', bytes: 1.25 * MiB, ways: 10 },
    ],
    source:
      'Intel 64 and IA-32 Architectures Optimization Reference Manual, Golden Cove cache parameters: 48 KiB 12-way L1d, 1.25 MiB 10-way L2 (client parts), 64-byte lines',
    fillBandwidth: [
      {
        bytesPerCycle: 64,
        ghz: 4.9,
        source:
          'L2 to L1d: 64 bytes per cycle, the peak Intel gives for the Golden Cove L2 (sustained is lower); at an assumed 4.9 GHz P-core turbo',
      },
    ],
  },
  {
    id: 'raptor-cove',
    name: 'Intel Raptor Cove P-core (Raptor Lake; Sapphire Rapids has the same L1d and L2)',
    lineBytes: 64,
    levels: [
      { name: 'L1d', bytes: 48 * KiB, ways: 12 },
      { name: 'L2', bytes: 2 * MiB, ways: 16 },
    ],
    source:
      'Intel 64 and IA-32 Architectures Optimization Reference Manual: 48 KiB 12-way L1d, 2 MiB 16-way L2 per P-core (Raptor Lake; also Sapphire Rapids server cores), 64-byte lines',
    fillBandwidth: [
      {
        bytesPerCycle: 64,
        ghz: 5.0,
        source:
          'L2 to L1d: 64 bytes per cycle, as Golden Cove (a peak; sustained is lower); at an assumed 5.0 GHz P-core turbo',
      },
    ],
  },
  {
    id: 'apple-m1',
    name: 'Apple M1 P-core (Firestorm)',
    lineBytes: 128,
    levels: [
      { name: 'L1d', bytes: 128 * KiB, ways: 8 },
      { name: 'L2', bytes: 12 * MiB, ways: 12 },
    ],
    source:
      'Apple Silicon CPU Optimization Guide and Apple M1 announcement: 128 KiB L1d per P-core, 12 MiB L2 shared by the 4 P-cores, 128-byte lines. Apple publishes no associativity: 8-way L1d and 12-way L2 are assumptions, and here one core has the whole L2',
    fillBandwidth: [
      {
        bytesPerCycle: 64,
        ghz: 3.2,
        source:
          'Apple publishes no L2 bandwidth: 64 bytes per cycle into L1d is an assumption (half a 128-byte line per cycle); at the 3.2 GHz Firestorm clock',
      },
    ],
  },
  {
    id: 'teaching',
    name: 'Teaching cache: 1 KiB direct-mapped, 32-byte lines',
    lineBytes: 32,
    levels: [{ name: 'L1', bytes: 1 * KiB, ways: 1 }],
    source:
      "Bryant and O'Hallaron, Computer Systems: A Programmer's Perspective, 3rd ed., Cache Lab part B: s=5, E=1, b=5 (32 sets of one 32-byte line)",
  },
];

export const DEFAULT_MACHINE_ID = 'zen4';

export function machineById(id: string): Machine | undefined {
  return MACHINES.find((m) => m.id === id);
}

/** `32K:8` -> 32 KiB, 8 ways. Sizes in bytes, or with K/KiB or M/MiB (binary units). */
export function parseLevelText(name: string, text: string): CacheLevelSpec | string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|kib|kb|m|mib|mb|b)?\s*:\s*(\d+)\s*$/i.exec(text);
  if (!m) return `${name}: '${text}' is not SIZE:WAYS; write e.g. 32K:8 (32 KiB, 8 ways) or 1M:16`;
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const bytes = Number(m[1]) * (unit === 'k' ? KiB : unit === 'm' ? MiB : 1);
  if (!Number.isInteger(bytes) || bytes < 1) return `${name}: '${text}' is not a whole number of bytes`;
  return { name, bytes, ways: Number(m[3]) };
}

/** A machine from custom levels (outward from the core), or a message saying what is wrong. */
export function customMachine(levels: Array<{ name: string; text: string }>, lineBytes: number): Machine | string {
  const parsed: CacheLevelSpec[] = [];
  for (const { name, text } of levels) {
    const level = parseLevelText(name, text);
    if (typeof level === 'string') return level;
    parsed.push(level);
  }
  const config = { lineBytes, levels: parsed };
  const problem = configProblem(config);
  if (problem) return problem;
  const describe = parsed.map((l) => `${l.name} ${sizeText(l.bytes)} ${waysText(l.ways)}`).join(', ');
  return {
    ...config,
    id: 'custom',
    name: `Custom: ${describe}, ${lineBytes}-byte lines`,
    source: 'given on the command line',
  };
}

/** `48 KiB`, `1.25 MiB`, `512 B`. */
export function sizeText(bytes: number): string {
  if (bytes >= MiB && bytes % (MiB / 4) === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % (KiB / 4) === 0) return `${bytes / KiB} KiB`;
  return `${bytes} B`;
}

export function waysText(ways: number): string {
  return ways === 1 ? 'direct-mapped' : `${ways}-way`;
}
