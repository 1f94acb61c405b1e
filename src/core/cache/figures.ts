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

/** Accesses to lines touched before, grouped by the loop that carries the reuse. */
export interface ReuseRow {
  /** The loop in words, e.g. `k:32 (loop 4)`, or `one pass of the register tile`. */
  loop: string;
  reuses: number;
  /** Of those, how many each level served (hit there after missing the levels above), then memory. */
  served: number[];
}

export interface TensorReuse {
  tensor: string;
  /** Outermost loop first, the tile last. */
  rows: ReuseRow[];
  /**
   * Per level: the outermost loop whose reuse that level (or one above) serves mostly: the level
   * holds the tensor's lines across that loop's iterations. Then memory: the loop with the most
   * reuse served from memory. Null when none.
   */
  carriedBy: Array<string | null>;
}

/** What the reuse within one pass of the unrolled tile is called. */
export const TILE_LABEL = 'one pass of the register tile';

/** A carry byte of the stream (a loop index, or the tile) and what it is called. */
export interface CarryLabel {
  carry: number;
  loop: string;
}

/** How figures were obtained when not every access was simulated. */
export interface Sampling {
  /** The loops that ran only some of their iterations, in words, e.g. `k:128 (loop 1)`. */
  loops: string[];
  /** Memory instructions simulated (warm-ups included), of `instructions`. */
  simulated: number;
}

export interface CacheFigures {
  machine: Pick<Machine, 'id' | 'name' | 'source' | 'lineBytes'>;
  /**
   * `exact` (also when absent): every access of the kernel simulated. `sampled`: the loops in
   * `sampling` ran some of their iterations, the others' counts extrapolated from them
   * (codegen/streamSampling.ts says how). cacheFigures always sets it.
   */
  method?: 'exact' | 'sampled';
  sampling?: Sampling;
  /** Multiply-adds of the problem (FLOPs / 2). */
  fmas: number;
  /** Memory instructions the kernel executes (loads and stores, any width). */
  instructions: number;
  levels: LevelFigures[];
  /** Present when the stream carried loop indices. */
  reuse?: TensorReuse[];
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
  return { machine: { id, name, source, lineBytes }, method: 'exact', fmas, instructions, levels };
}

const millions = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(1)} G`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(1)} M`
      : Math.round(n).toLocaleString('en-US');

/** How the figures were obtained, in one sentence for the page and the command line. */
export function methodSentence(figures: Pick<CacheFigures, 'method' | 'sampling' | 'instructions'>): string {
  const s = figures.sampling;
  if (figures.method !== 'sampled' || !s)
    return `Exact: all ${millions(figures.instructions)} memory accesses of the kernel simulated.`;
  const loops =
    s.loops.length === 1
      ? `the loop ${s.loops[0]}`
      : `the loops ${s.loops.slice(0, -1).join(', ')} and ${s.loops[s.loops.length - 1]}`;
  return (
    `Sampled: ${millions(s.simulated)} of the kernel's ${millions(figures.instructions)} memory accesses simulated; ` +
    `${loops} ran some of ${s.loops.length === 1 ? 'its' : 'their'} iterations (the first, until the misses per iteration settled, and a few spread over the rest) ` +
    'and each other iteration counts as their mean.'
  );
}

/** Reuse per tensor by carrying loop; labels in the order to show them (several carries may share a label). */
export function reuseFigures(stats: CacheStats, tensorNames: readonly string[], labels: CarryLabel[]): TensorReuse[] {
  const slots = stats.levels.length + 1;
  return tensorNames.map((tensor, t) => {
    const rows: ReuseRow[] = [];
    for (const { carry, loop } of labels) {
      let row = rows.find((r) => r.loop === loop);
      if (!row) {
        row = { loop, reuses: 0, served: new Array(slots).fill(0) };
        rows.push(row);
      }
      for (let s = 0; s < slots; s++) {
        const n = stats.reuse[(t * 256 + carry) * slots + s];
        row.served[s] += n;
        row.reuses += n;
      }
    }
    const used = rows.filter((r) => r.reuses > 0);
    // A level keeps a loop's reuse when it or a level above serves most of it; the outermost such loop.
    const carriedBy = Array.from({ length: slots }, (_, s) => {
      if (s === slots - 1) {
        let lost: ReuseRow | null = null;
        for (const r of used) if (r.served[s] > 0 && (!lost || r.served[s] > lost.served[s])) lost = r;
        return lost?.loop ?? null;
      }
      const kept = used.find((r) => 2 * r.served.slice(0, s + 1).reduce((a, b) => a + b, 0) > r.reuses);
      return kept?.loop ?? null;
    });
    return { tensor, rows: used, carriedBy };
  });
}

/**
 * In words, per tensor: across which loop each level keeps the lines, and which loop's reuse comes
 * from memory, e.g. `B: L1d keeps its lines across n:32 (loop 3); L2 across m:64 (loop 2)`.
 */
export function reuseSentences(reuse: TensorReuse[], levelNames: readonly string[]): string[] {
  return reuse.map((r) => {
    const parts: string[] = [];
    levelNames.forEach((name, s) => {
      const loop = r.carriedBy[s];
      if (!loop || (s > 0 && loop === r.carriedBy[s - 1])) return;
      parts.push(
        loop === TILE_LABEL ? `${name} keeps its lines only within ${loop}` : `${name} keeps its lines across ${loop}`,
      );
    });
    const lost = r.carriedBy[levelNames.length];
    if (lost) parts.push(`the reuse carried by ${lost} comes from memory`);
    return `${r.tensor}: ${parts.length ? parts.join('; ') : 'each line is used once'}`;
  });
}

/**
 * Accesses a simulation of every access asked for in the page may make: about a minute compiled at
 * EXACT_NS_PER_ACCESS (matmul 1024^3 register-tiled makes 200 M, 2048^3 1.5-1.9 G).
 */
export const EXACT_ON_REQUEST_UP_TO = 4e9;
/** What the compiled simulator takes per access simulating every one, about (15-20 ns on a 2-core Zen 4 server). */
export const EXACT_NS_PER_ACCESS = 20;

/** How long simulating every access of `instructions` takes, about, in words (`about 4 s`). */
export function exactDurationText(instructions: number): string {
  const seconds = (instructions * EXACT_NS_PER_ACCESS) / 1e9;
  return seconds < 1
    ? 'under a second'
    : seconds < 90
      ? `about ${Math.ceil(seconds)} s`
      : `about ${Math.round(seconds / 60)} min`;
}

/** How far sampled figures were from those of every access: the miss count furthest off, relatively. */
export interface SamplingGap {
  /** |sampled - exact| / exact of that count (0 when every count agrees). */
  relative: number;
  level: string;
  tensor: string;
  exact: number;
  sampled: number;
}

/**
 * Compares sampled figures with exact ones of the same kernel and machine, miss count by miss count
 * (per level and tensor); null when they are not of the same levels and tensors. A count that is 0
 * exactly and not sampled is off by 100%.
 */
export function samplingGap(sampled: CacheFigures, exact: CacheFigures): SamplingGap | null {
  if (sampled.levels.length !== exact.levels.length) return null;
  let worst: SamplingGap | null = null;
  for (const [l, level] of exact.levels.entries()) {
    const other = sampled.levels[l];
    if (other.name !== level.name || other.tensors.length !== level.tensors.length) return null;
    for (const [t, tensor] of level.tensors.entries()) {
      const s = other.tensors[t].misses;
      const relative = tensor.misses === 0 ? (s === 0 ? 0 : 1) : Math.abs(s - tensor.misses) / tensor.misses;
      if (!worst || relative > worst.relative)
        worst = { relative, level: level.name, tensor: tensor.tensor, exact: tensor.misses, sampled: s };
    }
  }
  return worst;
}

/** The gap in words: `the sampled figures were within 2.96% of these (the furthest: L2 misses of A, 237,227 sampled against 230,400)`. */
export function samplingGapSentence(gap: SamplingGap): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const percent = gap.relative * 100;
  const within =
    percent < 0.01 ? 'the same as these' : `within ${percent < 10 ? percent.toFixed(2) : percent.toFixed(0)}% of these`;
  return `the sampled figures were ${within} (the furthest: ${gap.level} misses of ${gap.tensor}, ${n(gap.sampled)} sampled against ${n(gap.exact)})`;
}
