// An exact simulator of a cache hierarchy: set-associative levels with LRU replacement,
// write-allocate and write-back, all with one line size, non-inclusive (a level keeps what it was
// filled with, whatever the others evict). Every miss is classified by the three Cs:
// compulsory (the first reference to the line at that level), capacity (a fully associative LRU
// cache of the same size would miss too), conflict (it would hit: the set was too small).
//
// A reference that misses in a level first writes back the dirty line it evicts (a write to the
// next level, which allocates it without reading memory: the whole line is written), then fills
// the line from the next level (a read there). The last level talks to memory.
import { type CacheConfig, configProblem } from './config.ts';
import { FullyAssociativeLru } from './lru.ts';

/** Per-level, per-tensor counters, in this order in `CacheStats.counts`. */
export const COUNTERS = ['accesses', 'misses', 'compulsory', 'capacity', 'conflict', 'fills', 'writebacks'] as const;
export type Counter = (typeof COUNTERS)[number];
const ACCESSES = 0;
const MISSES = 1;
const COMPULSORY = 2;
const CAPACITY = 3;
const CONFLICT = 4;
const FILLS = 5;
const WRITEBACKS = 6;
const N = COUNTERS.length;

/**
 * forgetOlderBySet's mark for one set: a set that `fixed` distinct lines that stay and `moving`
 * that move over `steps` iterations reach; `since[b]` is the mark b iterations back, -Infinity
 * where nothing is forgotten. The set's older lines are gone after ceil((ways - fixed) * steps /
 * moving) iterations, at once when the lines that stay fill it, never when none move.
 */
export function sinceOfSet(
  fixed: number,
  moving: number,
  ways: number,
  steps: number,
  since: readonly number[],
): number {
  let back = 0;
  if (fixed < ways) {
    if (moving === 0) return Number.NEGATIVE_INFINITY;
    back = Math.ceil(((ways - fixed) * steps) / moving);
  }
  return back < since.length ? since[back] : Number.NEGATIVE_INFINITY;
}

class Level {
  readonly sets: number;
  readonly ways: number;
  /** Per set, `ways` slots: the line held (-1 empty), when it was last used, dirty, counted for which tensor. */
  readonly tags: Int32Array;
  readonly used: Float64Array;
  readonly dirty: Uint8Array;
  readonly owner: Uint8Array;
  /** Per line number, the slot holding it, or -1. */
  readonly slotOf: Int32Array;
  readonly seen: Uint8Array;
  readonly shadow: FullyAssociativeLru;
  readonly setMask: number;
  /** markFillSets' sets (1: the fills of the iterations a sampler skips land there), once marked. */
  fillSets: Uint8Array | null = null;
  /**
   * markFillSets' distinct lines per set: those that stay put, and those that move, over its
   * `fillSteps` iterations (forgetOlderBySet).
   */
  fillFixed: Int32Array | null = null;
  fillMoving: Int32Array | null = null;
  fillSteps = 0;
  now = 0;

  constructor(bytes: number, ways: number, lineBytes: number, lines: number) {
    this.sets = bytes / (lineBytes * ways);
    this.ways = ways;
    this.tags = new Int32Array(this.sets * ways).fill(-1);
    this.used = new Float64Array(this.sets * ways);
    this.dirty = new Uint8Array(this.sets * ways);
    this.owner = new Uint8Array(this.sets * ways);
    this.slotOf = new Int32Array(lines).fill(-1);
    this.seen = new Uint8Array(lines);
    this.shadow = new FullyAssociativeLru(this.sets * ways, lines);
    this.setMask = (this.sets & (this.sets - 1)) === 0 ? this.sets - 1 : -1;
  }
}

/**
 * What a sampled loop's iterations move: per tensor whether its pointer moves, and from which
 * byte address its lines stay put (a packed copy outside its pack); lines that stay are touched
 * again by every iteration.
 */
/** What a simulator recorded (`recorded`), kept by it until released: `pairs` lines passed on. */
export interface Recording {
  readonly pairs: number;
}

class ArrayRecording implements Recording {
  private touched: Int32Array | null = null;
  constructor(
    private readonly raw: Int32Array,
    private readonly scratch: () => LastTouchScratch,
  ) {}

  /** The (code, line) pairs, each line once (lastTouches): made so the first time they are used. */
  get records(): Int32Array {
    this.touched ??= lastTouches(this.raw, this.scratch());
    return this.touched;
  }

  get pairs(): number {
    return this.records.length / 2;
  }
}

/** Per line, the stamp of the last lastTouches call that met it and where its pair went. */
export interface LastTouchScratch {
  stamp: number;
  seen: Int32Array;
  at: Int32Array;
}

/**
 * A recording with each line once, at its last touch, in the order of those: replayed, it leaves
 * the outer levels as the whole would (a line's earlier touches in the same iteration only move
 * it in the LRU order before its last one), at a fraction of the lines (an iteration touches B's
 * lines once per row of the register tile: 4 of 5 recorded pairs repeat). The line is written when
 * any touch wrote it, by the last writer, and a whole-line write-back only when every touch was one
 * (else the line is fetched, as the first fill would). What a replay counts is dropped by the
 * sampler, so only what the levels hold after it matters. Same as cachesim.cpp's lastTouches.
 */
export function lastTouches(records: Int32Array, scratch: LastTouchScratch): Int32Array {
  const stamp = ++scratch.stamp;
  const { seen, at } = scratch;
  const out = new Int32Array(records.length);
  let kept = 0;
  for (let i = records.length - 2; i >= 0; i -= 2) {
    const code = records[i];
    const line = records[i + 1];
    if (seen[line] !== stamp) {
      seen[line] = stamp;
      at[line] = kept;
      out[kept] = code;
      out[kept + 1] = line;
      kept += 2;
      continue;
    }
    const k = at[line];
    const merged = out[k];
    // Going back, the first write met is the last one: its tensor owns the line.
    const writer = merged & 4 ? merged & 3 : code & 4 ? code & 3 : merged & 3;
    out[k] = writer | ((merged | code) & 4) | (merged & code & 8);
  }
  // Back into the order of the last touches.
  const ordered = new Int32Array(kept);
  for (let i = 0; i < kept; i += 2) {
    ordered[i] = out[kept - 2 - i];
    ordered[i + 1] = out[kept - 1 - i];
  }
  return ordered;
}

export interface Moving {
  tensors: readonly boolean[];
  fixedFrom: readonly number[];
}

export interface CacheStats {
  lineBytes: number;
  tensors: number;
  levels: string[];
  /** counts[(level * tensors + tensor) * COUNTERS.length + counter] */
  counts: Float64Array;
  /**
   * With carries given to accessBatch: reuse[(tensor * 256 + carry) * (levels + 1) + served], the
   * accesses per tensor and carry (a byte the caller chose) by the level that served them (the
   * number of levels for memory); an access spanning two lines is counted by its first.
   */
  reuse: Float64Array;
}

export function count(stats: CacheStats, level: number, tensor: number, counter: Counter): number {
  return stats.counts[(level * stats.tensors + tensor) * N + COUNTERS.indexOf(counter)];
}

/**
 * CacheSimulator.setCompulsory on counts laid out as `CacheStats.counts` (of `levels` levels and
 * `tensors` tensors), in place.
 */
export function settleCompulsory(
  c: Float64Array,
  levels: number,
  tensors: number,
  firstLines: readonly number[],
): void {
  for (let level = 0; level < levels; level++)
    for (let t = 0; t < tensors; t++) {
      const at = (level * tensors + t) * N;
      const misses = c[at + MISSES];
      const compulsory = Math.min(firstLines[t] ?? 0, misses);
      const conflict = Math.min(c[at + CONFLICT], misses - compulsory);
      c[at + COMPULSORY] = compulsory;
      c[at + CONFLICT] = conflict;
      c[at + CAPACITY] = misses - compulsory - conflict;
    }
}

export class CacheSimulator {
  private readonly levels: Level[];
  private readonly counts: Float64Array;
  private readonly lineShift: number;
  private readonly lines: number;
  private lastLine = -1;
  /** markFillSets' per-line stamps (a line counted once per call). */
  private fillStamp: Int32Array | null = null;
  private fillStampNow = 0;
  private lastSlot = 0;
  /** The level that served the last reference (levels.length: memory). */
  private served = 0;
  private readonly reuse: Float64Array;

  /**
   * `addressBytes`: every address referenced lies in [0, addressBytes). `tensors`: how many
   * tensors the counts are split by (ids 0 .. tensors-1).
   */
  constructor(
    readonly config: CacheConfig,
    readonly tensors: number,
    addressBytes: number,
  ) {
    const problem = configProblem(config);
    if (problem) throw new RangeError(problem);
    this.lineShift = Math.log2(config.lineBytes);
    this.lines = Math.max(1, Math.ceil(addressBytes / config.lineBytes));
    this.levels = config.levels.map((l) => new Level(l.bytes, l.ways, config.lineBytes, this.lines));
    this.counts = new Float64Array(config.levels.length * tensors * N);
    this.reuse = new Float64Array(tensors * 256 * (config.levels.length + 1));
  }

  /** A load (`write` false) or store of `bytes` bytes at byte address `address` by `tensor`. */
  access(tensor: number, write: boolean, address: number, bytes: number): void {
    const first = Math.floor(address / this.config.lineBytes);
    const last = Math.floor((address + bytes - 1) / this.config.lineBytes);
    for (let line = first; line <= last; line++) this.line(tensor, write, line);
  }

  /**
   * Many accesses at once: byte addresses, and codes tensor | 4 for a store | bytes << 3 (the
   * codes of codegen's access stream).
   */
  accessBatch(addresses: Uint32Array, codes: Uint8Array, count: number, carries?: Uint8Array): void {
    const shift = this.lineShift;
    const lines = this.lines;
    const counts = this.counts;
    const reuse = this.reuse;
    const slots = this.levels.length + 1;
    // An L1 hit inlined: most references end there.
    const L = this.levels[0];
    const { slotOf, used, dirty, owner, shadow } = L;
    let lastLine = this.lastLine;
    let lastSlot = this.lastSlot;
    let now = L.now;
    for (let i = 0; i < count; i++) {
      const address = addresses[i];
      const code = codes[i];
      const tensor = code & 3;
      const write = (code & 4) !== 0;
      const first = address >>> shift;
      const last = (address + (code >> 3) - 1) >>> shift;
      if (last >= lines) throw new RangeError(`address ${address} lies outside the simulated memory`);
      let served = 0;
      for (let line = first; line <= last; line++) {
        if (line !== lastLine) {
          lastLine = line;
          lastSlot = slotOf[line];
          if (lastSlot < 0) {
            L.now = now;
            this.served = 0;
            lastSlot = this.reference(0, tensor, write, false, line);
            now = L.now;
            if (line === first) served = this.served;
            continue;
          }
          used[lastSlot] = ++now;
          shadow.touch(line);
        }
        counts[tensor * N + ACCESSES]++;
        if (write) {
          dirty[lastSlot] = 1;
          owner[lastSlot] = tensor;
        }
      }
      if (carries) reuse[(tensor * 256 + carries[i]) * slots + served]++;
    }
    L.now = now;
    this.lastLine = lastLine;
    this.lastSlot = lastSlot;
  }

  /** A reference to one whole line number (address >> log2(line size)). */
  line(tensor: number, write: boolean, line: number): void {
    if (line < 0 || line >= this.lines)
      throw new RangeError(`address ${line * this.config.lineBytes} lies outside the simulated memory`);
    if (line === this.lastLine) {
      // The most recent line of L1 is the most recent of its set and of the shadow: a hit that
      // changes no order.
      this.counts[tensor * N + ACCESSES]++;
      if (write) {
        const L = this.levels[0];
        const at = this.lastSlot;
        L.dirty[at] = 1;
        L.owner[at] = tensor;
      }
      return;
    }
    this.lastLine = line;
    this.lastSlot = this.reference(0, tensor, write, false, line);
  }

  /** `wholeLine`: a write-back from the level above, which needs no fill. Returns the line's slot. */
  private reference(level: number, tensor: number, write: boolean, wholeLine: boolean, line: number): number {
    if (level === 1 && this.recording) this.recording.push(tensor | (write ? 4 : 0) | (wholeLine ? 8 : 0), line);
    const L = this.levels[level];
    const c = (level * this.tensors + tensor) * N;
    const counts = this.counts;
    counts[c + ACCESSES]++;
    const shadowHit = L.shadow.touch(line);
    const tags = L.tags;
    const used = L.used;
    const ways = L.ways;
    const base = (L.setMask >= 0 ? line & L.setMask : line % L.sets) * ways;
    const now = ++L.now;
    const held = L.slotOf[line];
    if (held >= 0) {
      used[held] = now;
      if (!wholeLine) this.served = level;
      if (write) {
        L.dirty[held] = 1;
        L.owner[held] = tensor;
      }
      return held;
    }
    let victim = base;
    for (let at = base + 1; at < base + ways; at++) if (used[at] < used[victim]) victim = at;
    counts[c + MISSES]++;
    if (!L.seen[line]) {
      L.seen[line] = 1;
      counts[c + COMPULSORY]++;
    } else if (!shadowHit) counts[c + CAPACITY]++;
    else counts[c + CONFLICT]++;
    if (tags[victim] !== -1 && L.dirty[victim]) {
      const owner = L.owner[victim];
      counts[(level * this.tensors + owner) * N + WRITEBACKS]++;
      if (level + 1 < this.levels.length) this.reference(level + 1, owner, true, true, tags[victim]);
    }
    if (!wholeLine) {
      counts[c + FILLS]++;
      if (level + 1 < this.levels.length) this.reference(level + 1, tensor, false, false, line);
      else this.served = this.levels.length;
    }
    if (tags[victim] !== -1) L.slotOf[tags[victim]] = -1;
    L.slotOf[line] = victim;
    tags[victim] = line;
    used[victim] = now;
    L.dirty[victim] = write ? 1 : 0;
    L.owner[victim] = tensor;
    return victim;
  }

  /** All counters (counts, then reuse), copied: what a sampler reads between loop iterations. */
  counters(): Float64Array {
    const all = new Float64Array(this.counts.length + this.reuse.length);
    all.set(this.counts);
    all.set(this.reuse, this.counts.length);
    return all;
  }

  /** Replaces all counters (as `counters` lists them): a sampler's estimate for skipped iterations. */
  setCounters(values: Float64Array): void {
    if (values.length !== this.counts.length + this.reuse.length)
      throw new RangeError(`expected ${this.counts.length + this.reuse.length} counters, got ${values.length}`);
    this.counts.set(values.subarray(0, this.counts.length));
    this.reuse.set(values.subarray(this.counts.length));
  }

  /** The counters at indices `at` of `counters()`, without copying the rest. */
  countersAt(at: Int32Array): Float64Array {
    const n = this.counts.length;
    const values = new Float64Array(at.length);
    for (let i = 0; i < at.length; i++) values[i] = at[i] < n ? this.counts[at[i]] : this.reuse[at[i] - n];
    return values;
  }

  /** Sets the counters at indices `at` of `counters()` (the rest stay). */
  setCountersAt(at: Int32Array, values: Float64Array): void {
    const n = this.counts.length;
    for (let i = 0; i < at.length; i++)
      if (at[i] < n) this.counts[at[i]] = values[i];
      else this.reuse[at[i] - n] = values[i];
  }

  private recording: number[] | null = null;
  private recordingStarts: number[] = [];

  /**
   * Starts recording what the first level passes to the second: its fills and write-backs.
   * Recordings nest: one started while others are under way is part of theirs too.
   */
  record(): void {
    this.recording ??= [];
    this.recordingStarts.push(this.recording.length);
  }

  /**
   * Ends the innermost recording; what it recorded, as (tensor | 4 write | 8 whole line, line) pairs,
   * each line once (lastTouches).
   */
  recorded(): Recording {
    const start = this.recordingStarts.pop();
    const scratch = () => {
      this.lastTouch ??= { stamp: 0, seen: new Int32Array(this.lines), at: new Int32Array(this.lines) };
      return this.lastTouch;
    };
    if (!this.recording || start === undefined) return new ArrayRecording(new Int32Array(0), scratch);
    const records = Int32Array.from(this.recording.slice(start));
    if (this.recordingStarts.length === 0) this.recording = null;
    return new ArrayRecording(records, scratch);
  }

  private lastTouch: LastTouchScratch | null = null;

  /** Frees a recording (nothing to do here: the compiled simulator's are in its memory). */
  release(_recording: Recording): void {}

  /**
   * Plays `recording` (from `recorded`) into the second level onward as if the first had passed
   * it again, each tensor's lines moved by `shift[tensor]` bytes, except lines at or after
   * `fixedFrom[tensor]` bytes (a packed copy that stays put); lines moved out of memory are left
   * out. What a sampler does for iterations it skips, at the cost of their first level's misses.
   */
  replay(recording: Recording, shift: readonly number[], fixedFrom: readonly number[]): void {
    if (!(recording instanceof ArrayRecording)) throw new TypeError('replay: not a recording of this simulator');
    const records = recording.records;
    if (this.levels.length < 2) return;
    const bytes = this.config.lineBytes;
    for (let i = 0; i < records.length; i += 2) {
      const code = records[i];
      const tensor = code & 3;
      const at = records[i + 1] * bytes;
      const line = at >= fixedFrom[tensor] ? records[i + 1] : Math.floor((at + shift[tensor]) / bytes);
      if (line < 0 || line >= this.lines) continue;
      this.reference(1, tensor, (code & 4) !== 0, (code & 8) !== 0, line);
    }
  }

  /**
   * `count` replays in a row, the one at r with each tensor's lines moved by `delta[tensor]` times
   * (`firstStep` + r) bytes: a sampled loop's iterations from firstStep on, after the recorded
   * one. Returns the mark (as `mark`) at the start of each, `levels` numbers per replay.
   */
  replayRun(
    recording: Recording,
    delta: readonly number[],
    firstStep: number,
    count: number,
    fixedFrom: readonly number[],
  ): Float64Array {
    const levels = this.levels.length;
    const marks = new Float64Array(Math.max(0, count) * levels);
    for (let r = 0; r < count; r++) {
      for (let l = 0; l < levels; l++) marks[r * levels + l] = this.levels[l].now;
      const steps = firstStep + r;
      this.replay(recording, [delta[0] * steps, delta[1] * steps, delta[2] * steps], fixedFrom);
    }
    return marks;
  }

  /**
   * Marks the sets of `level` that the recording's lines fall in, moved by `delta[tensor]` times r
   * bytes for r in [firstStep, firstStep + steps) (lines at or past `fixedFrom` stay): where the
   * fills of the iterations a sampler skips land. Returns how many sets; forgetOlder with
   * `inFillSets` then forgets only there (a loop whose misses fall in a few sets, e.g. rows of C
   * 4 KiB apart in the L1's 8 sets, leaves the lines of the other sets where they were). With
   * `countLines`, also counts per set the distinct lines that stay and that move (forgetOlderBySet).
   */
  markFillSets(
    level: number,
    recording: Recording,
    delta: readonly number[],
    firstStep: number,
    steps: number,
    fixedFrom: readonly number[],
    countLines = false,
  ): number {
    if (!(recording instanceof ArrayRecording)) throw new TypeError('markFillSets: not a recording of this simulator');
    const L = this.levels[level];
    const sets = new Uint8Array(L.sets);
    L.fillSets = sets;
    const records = recording.records;
    const bytes = this.config.lineBytes;
    const end = this.lines * bytes;
    const setOf = (line: number) => (L.setMask >= 0 ? line & L.setMask : line % L.sets);
    let marked = 0;
    if (!countLines) {
      for (let r = firstStep; r < firstStep + steps && marked < L.sets; r++)
        for (let i = 0; i < records.length && marked < L.sets; i += 2) {
          const tensor = records[i] & 3;
          const at = records[i + 1] * bytes;
          const moved = at >= fixedFrom[tensor] ? at : at + delta[tensor] * r;
          if (moved < 0 || moved >= end) continue;
          const set = setOf(Math.floor(moved / bytes));
          if (sets[set] === 0) {
            sets[set] = 1;
            marked++;
          }
        }
      return marked;
    }
    const fixed = new Int32Array(L.sets);
    const moving = new Int32Array(L.sets);
    L.fillFixed = fixed;
    L.fillMoving = moving;
    L.fillSteps = steps;
    this.fillStamp ??= new Int32Array(this.lines);
    const stamp = ++this.fillStampNow;
    for (let i = 0; i < records.length; i += 2) {
      const tensor = records[i] & 3;
      const at = records[i + 1] * bytes;
      const stays = at >= fixedFrom[tensor] || delta[tensor] === 0;
      for (let r = firstStep; r < (stays ? firstStep + 1 : firstStep + steps); r++) {
        const moved = stays ? at : at + delta[tensor] * r;
        if (moved < 0 || moved >= end) continue;
        const line = Math.floor(moved / bytes);
        if (this.fillStamp[line] === stamp) continue;
        this.fillStamp[line] = stamp;
        const set = setOf(line);
        if (stays) fixed[set]++;
        else moving[set]++;
        if (sets[set] === 0) {
          sets[set] = 1;
          marked++;
        }
      }
    }
    return marked;
  }

  /**
   * forgetOlder with a horizon per set of `level`, from markFillSets' counts: the iterations it
   * looked at bring a set its lines that stay (once) and those that move (at their rate per
   * iteration); once as many distinct lines as it has ways came, what the set held before is gone
   * (LRU). A set whose own lines that stay fill it loses what is older than `since[0]`; one where
   * that takes b iterations (b >= 1), what is older than `since[b]`; a set that takes more
   * iterations than `since` has, or whose lines do not move and fit, keeps all. `steps`: the
   * iterations the moving lines counted stand for, when not the ones markFillSets looked at.
   */
  forgetOlderBySet(level: number, since: readonly number[], moving?: Moving, steps?: number): void {
    const L = this.levels[level];
    const fixed = L.fillFixed;
    const mover = L.fillMoving;
    if (!fixed || !mover) throw new Error('forgetOlderBySet: markFillSets first');
    const setSince = new Float64Array(L.sets);
    for (let set = 0; set < L.sets; set++)
      setSince[set] = sinceOfSet(fixed[set], mover[set], L.ways, steps ?? L.fillSteps, since);
    this.forgetOlderWhere(L, (at) => setSince[Math.floor(at / L.ways)], moving);
  }

  /** The present moment, per level: lines referenced after it are newer (for forgetOlder). */
  mark(): number[] {
    return this.levels.map((l) => l.now);
  }

  /**
   * Drops, from the levels flagged, every line not referenced since `mark` (with `moving`, only
   * lines that move), without write-backs, and from their fully associative shadows what is older
   * (about). A sampler
   * calls it when the iterations it skipped would have brought more lines than the level holds:
   * they would have evicted what the level held before them.
   */
  forgetOlder(mark: readonly number[], levels: readonly boolean[], moving?: Moving, inFillSets = false): void {
    this.levels.forEach((L, level) => {
      if (!levels[level]) return;
      const since = mark[level];
      const sets = inFillSets ? L.fillSets : null;
      this.forgetOlderWhere(
        L,
        (at) => (sets !== null && sets[Math.floor(at / L.ways)] === 0 ? Number.NEGATIVE_INFINITY : since),
        moving,
      );
    });
  }

  /** Drops from `L` the lines not referenced since `sinceAt(slot)` (of the tensors that move). */
  private forgetOlderWhere(L: Level, sinceAt: (at: number) => number, moving?: Moving): void {
    const bytes = this.config.lineBytes;
    const stays = (at: number) =>
      L.used[at] > sinceAt(at) ||
      (moving !== undefined && (!moving.tensors[L.owner[at]] || L.tags[at] * bytes >= moving.fixedFrom[L.owner[at]]));
    // The shadow holds lines by recency: the newest down to the first one the level would drop.
    L.shadow.retainWhile((line) => L.slotOf[line] < 0 || stays(L.slotOf[line]));
    for (let at = 0; at < L.tags.length; at++) {
      const line = L.tags[at];
      if (line === -1 || stays(at)) continue;
      L.slotOf[line] = -1;
      L.tags[at] = -1;
      L.dirty[at] = 0;
      L.used[at] = 0;
    }
    this.lastLine = -1;
  }

  /**
   * Writes the first level's dirty lines back to the next level now, keeping them clean: a
   * sampler's stand-in for the write-backs the iterations it skips would have made early on.
   */
  writeBackFirst(): void {
    const L = this.levels[0];
    if (this.levels.length < 2) return;
    for (let at = 0; at < L.tags.length; at++)
      if (L.tags[at] !== -1 && L.dirty[at]) {
        this.reference(1, L.owner[at], true, true, L.tags[at]);
        L.dirty[at] = 0;
      }
  }

  /** Index in `counters()` of a level's, tensor's counter. */
  counterIndex(level: number, tensor: number, counter: Counter): number {
    return (level * this.tensors + tensor) * N + COUNTERS.indexOf(counter);
  }

  /**
   * After sampling, a line first met in an iteration that was not run is taken as new when it
   * comes back: the compulsory misses are set to the distinct lines each tensor touches
   * (`firstLines`, the same at every level: a line's first reference misses every level), the
   * difference going to capacity misses; the three Cs still add up to the misses.
   */
  setCompulsory(firstLines: readonly number[]): void {
    settleCompulsory(this.counts, this.levels.length, this.tensors, firstLines);
  }

  stats(): CacheStats {
    return {
      lineBytes: this.config.lineBytes,
      tensors: this.tensors,
      levels: this.config.levels.map((l) => l.name),
      counts: this.counts.slice(),
      reuse: this.reuse.slice(),
    };
  }
}
