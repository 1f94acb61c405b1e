// The compiled cache simulator (wasm/cachesim/cachesim.cpp, built by `npm run build:wasm`): the
// same counters as core/cache/simulator.ts, which stays the reference, about ten times faster,
// because it runs the kernel's stream (the program of codegen/accessStream.ts), the reuse tracking
// and the simulation in one compiled loop. Loads in a worker, the page and Node alike.
import type { StreamEngine } from '../codegen/accessStream.ts';
import type { CacheSimModule } from '../codegen/generated/looplab-cachesim.mjs';
import createCacheSimModule from '../codegen/generated/looplab-cachesim.mjs';
import type { CacheConfig } from '../core/cache/config.ts';
import { configProblem } from '../core/cache/config.ts';
import { COUNTERS, type CacheStats, type Moving, type Recording, settleCompulsory } from '../core/cache/simulator.ts';

export type { CacheSimModule } from '../codegen/generated/looplab-cachesim.mjs';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

let loading: Promise<CacheSimModule> | null = null;

/** The compiled simulator, instantiated once. */
export function loadCacheSim(): Promise<CacheSimModule> {
  loading ??= instantiateCacheSim();
  return loading;
}

/**
 * A fresh instance of the compiled simulator (loadCacheSim keeps one; tests compare fresh ones).
 * In a browser Emscripten compiles it with WebAssembly.instantiateStreaming as it downloads.
 */
export async function instantiateCacheSim(): Promise<CacheSimModule> {
  if (!isNode) return createCacheSimModule();
  // Node: hand Emscripten the binary (its web build would try to fetch a file:// URL).
  const fs = 'node:fs/promises';
  const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
  const wasmBinary = await readFile(new URL('../codegen/generated/looplab-cachesim.wasm', import.meta.url));
  return createCacheSimModule({ wasmBinary });
}

/** `moving` as the module takes it: whether given, a bit per tensor that moves, and each tensor's fixedFrom. */
function movingArgs(moving?: Moving): [number, number, number, number, number] {
  const mask = moving ? moving.tensors.reduce((bits, on, t) => bits | (on ? 1 << t : 0), 0) : 0;
  const fixed = moving?.fixedFrom ?? [0, 0, 0];
  return [moving ? 1 : 0, mask, fixed[0], fixed[1], fixed[2]];
}

/** A recording kept in the module's memory (sim_recorded). */
class ModuleRecording implements Recording {
  private touched = false;
  constructor(
    readonly ptr: number,
    private words: number,
    private readonly m: CacheSimModule,
  ) {}

  /** Pairs, each line once (lastTouches): made so the first time they are counted or replayed. */
  get pairs(): number {
    if (!this.touched) {
      this.words = this.m._sim_last_touches(this.ptr, this.words);
      this.touched = true;
    }
    return this.words / 2;
  }
}

/**
 * One simulation in the compiled module (one at a time per module: creating another ends this
 * one). Mirrors CacheSimulator's counters and its sampler's methods; the accesses come from a
 * program run through `engine`.
 */
export class WasmCacheSimulator {
  private readonly levels: number;
  private program = 0;
  private ended = false;

  /**
   * `runtimeLoops`: the plan loops the reuse tracking watches (KernelPlan.tileStart); `reuse`:
   * whether to track it.
   */
  constructor(
    private readonly m: CacheSimModule,
    readonly config: CacheConfig,
    readonly tensors: number,
    addressBytes: number,
    reuse: boolean,
    runtimeLoops: number,
  ) {
    const problem = configProblem(config);
    if (problem) throw new RangeError(problem);
    this.levels = config.levels.length;
    const lines = Math.max(1, Math.ceil(addressBytes / config.lineBytes));
    const spec = m._malloc(8 * this.levels);
    this.int32(spec, 2 * this.levels).set(config.levels.flatMap((l) => [l.bytes, l.ways]));
    const status = m._sim_create(config.lineBytes, this.levels, spec, tensors, lines, reuse ? 1 : 0, runtimeLoops);
    m._free(spec);
    if (status !== 0)
      throw new RangeError(
        `the cache simulator could not get the memory for ${lines} lines; use smaller sizes or a smaller machine`,
      );
  }

  private int32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.m.heap().buffer, ptr, length);
  }

  private float64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.m.heap().buffer, ptr, length);
  }

  /** Runs `program` (AccessStream.program) node by node as the stream asks; `scratch`: the packed panels' base. */
  engine(program: Int32Array, scratch: number): StreamEngine {
    const m = this.m;
    if (this.program) m._free(this.program);
    this.program = m._malloc(program.byteLength);
    this.int32(this.program, program.length).set(program);
    m._sim_program(this.program, scratch);
    return {
      exec: (node, b0, b1, b2) => {
        if (m._sim_exec(node, b0, b1, b2) !== 0)
          throw new RangeError('an address of the kernel lies outside the simulated memory');
      },
      startIteration: (level) => m._sim_start_iteration(level),
      accesses: () => m._sim_accesses(),
    };
  }

  /** All counters (counts, then reuse), copied, as CacheSimulator.counters. */
  counters(): Float64Array {
    const m = this.m;
    const counts = this.float64(m._sim_counts(), m._sim_counts_length());
    const reuse = this.float64(m._sim_reuse(), m._sim_reuse_length());
    const all = new Float64Array(counts.length + reuse.length);
    all.set(counts);
    all.set(reuse, counts.length);
    return all;
  }

  private views: { buffer: ArrayBufferLike; counts: Float64Array; reuse: Float64Array } | null = null;

  /** Views of the counts and the reuse in the module's memory, made again when the memory grew. */
  private counterViews(): { counts: Float64Array; reuse: Float64Array } {
    const m = this.m;
    const buffer = m.heap().buffer;
    if (this.views?.buffer !== buffer)
      this.views = {
        buffer,
        counts: this.float64(m._sim_counts(), m._sim_counts_length()),
        reuse: this.float64(m._sim_reuse(), m._sim_reuse_length()),
      };
    return this.views;
  }

  /** As CacheSimulator.countersAt. */
  countersAt(at: Int32Array): Float64Array {
    const { counts, reuse } = this.counterViews();
    const n = counts.length;
    const values = new Float64Array(at.length);
    for (let i = 0; i < at.length; i++) values[i] = at[i] < n ? counts[at[i]] : reuse[at[i] - n];
    return values;
  }

  /** As CacheSimulator.setCountersAt. */
  setCountersAt(at: Int32Array, values: Float64Array): void {
    const { counts, reuse } = this.counterViews();
    const n = counts.length;
    for (let i = 0; i < at.length; i++)
      if (at[i] < n) counts[at[i]] = values[i];
      else reuse[at[i] - n] = values[i];
  }

  setCounters(values: Float64Array): void {
    const m = this.m;
    const n = m._sim_counts_length();
    if (values.length !== n + m._sim_reuse_length())
      throw new RangeError(`expected ${n + m._sim_reuse_length()} counters, got ${values.length}`);
    this.float64(m._sim_counts(), n).set(values.subarray(0, n));
    this.float64(m._sim_reuse(), m._sim_reuse_length()).set(values.subarray(n));
  }

  counterIndex(level: number, tensor: number, counter: (typeof COUNTERS)[number]): number {
    return (level * this.tensors + tensor) * COUNTERS.length + COUNTERS.indexOf(counter);
  }

  /** As CacheSimulator.record: recordings nest. */
  record(): void {
    if (this.m._sim_record() !== 0) throw new RangeError('the cache simulator nests too many recordings');
  }

  /** As CacheSimulator.recorded: the innermost recording, kept in the module until `release`. */
  recorded(): Recording {
    const m = this.m;
    const ptr = m._sim_recorded();
    if (!ptr) throw new RangeError('the cache simulator could not keep a recording (out of memory, or too many)');
    return new ModuleRecording(ptr, m._sim_recorded_length(), m);
  }

  release(recording: Recording): void {
    if (recording instanceof ModuleRecording) this.m._sim_release(recording.ptr);
  }

  /** As CacheSimulator.replayRun. */
  replayRun(
    recording: Recording,
    delta: readonly number[],
    firstStep: number,
    count: number,
    fixedFrom: readonly number[],
  ): Float64Array {
    if (!(recording instanceof ModuleRecording)) throw new TypeError('replay: not a recording of this simulator');
    if (count <= 0) return new Float64Array(0);
    const marks = this.m._sim_replay_run(
      recording.ptr,
      recording.pairs * 2,
      firstStep,
      count,
      delta[0],
      delta[1],
      delta[2],
      fixedFrom[0],
      fixedFrom[1],
      fixedFrom[2],
    );
    if (!marks) throw new RangeError('the cache simulator ran out of memory for its replays');
    return this.float64(marks, count * this.levels).slice();
  }

  mark(): number[] {
    const mark: number[] = [];
    for (let level = 0; level < this.levels; level++) mark.push(this.m._sim_mark(level));
    return mark;
  }

  forgetOlder(mark: readonly number[], levels: readonly boolean[], moving?: Moving, inFillSets = false): void {
    const [on, mask, f0, f1, f2] = movingArgs(moving);
    for (let level = 0; level < this.levels; level++)
      if (levels[level]) this.m._sim_forget_older(level, mark[level], on, mask, f0, f1, f2, inFillSets ? 1 : 0);
  }

  /** As CacheSimulator.forgetOlderBySet. */
  forgetOlderBySet(level: number, since: readonly number[], moving?: Moving, steps?: number): void {
    const m = this.m;
    const marks = m._malloc(8 * Math.max(1, since.length));
    this.float64(marks, since.length).set(since);
    m._sim_forget_older_by_set(level, marks, since.length, steps ?? 0, ...movingArgs(moving));
    m._free(marks);
  }

  /** As CacheSimulator.markFillSets. */
  markFillSets(
    level: number,
    recording: Recording,
    delta: readonly number[],
    firstStep: number,
    steps: number,
    fixedFrom: readonly number[],
    countLines = false,
  ): number {
    if (!(recording instanceof ModuleRecording)) throw new TypeError('markFillSets: not a recording of this simulator');
    const words = recording.pairs * 2;
    return this.m._sim_mark_fill_sets(
      level,
      recording.ptr,
      words,
      firstStep,
      steps,
      delta[0],
      delta[1],
      delta[2],
      fixedFrom[0],
      fixedFrom[1],
      fixedFrom[2],
      countLines ? 1 : 0,
    );
  }

  writeBackFirst(): void {
    this.m._sim_write_back_first();
  }

  setCompulsory(firstLines: readonly number[]): void {
    const m = this.m;
    settleCompulsory(this.float64(m._sim_counts(), m._sim_counts_length()), this.levels, this.tensors, firstLines);
  }

  stats(): CacheStats {
    const all = this.counters();
    const n = this.m._sim_counts_length();
    return {
      lineBytes: this.config.lineBytes,
      tensors: this.tensors,
      levels: this.config.levels.map((l) => l.name),
      counts: all.slice(0, n),
      reuse: all.slice(n),
    };
  }

  /** Frees the module's memory for the next simulation. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.program) this.m._free(this.program);
    this.m._sim_destroy();
  }
}
