// The memory accesses a generated kernel makes, in the order it makes them, without running it:
// a model of wasm/src/lower.cpp built from the generator's plan. Like the lowering, it turns the
// plan into a tree of code paths once (loops, tail copies, accumulator regions, unrolled tiles
// with their loads in emitted order), then runs the tree, calling a sink per memory instruction.
// The trace build of the same kernel (Target.trace) checks it access by access
// (accessStream.test.ts).
import type { Recording } from '../core/cache/simulator.ts';
import type { Problem } from '../core/types.ts';
import {
  MarkHistory,
  difference,
  MAX_COUNTED,
  COUNTING_COST,
  MIN_COUNTED,
  MIN_SAMPLED_ITERATION,
  sampledUnit,
  SIMULATED_ITERATIONS,
  REPLAY_SHARE,
  GROUP_SHARE,
  MAX_PERIOD,
  setPeriod,
  WHOLE_REPLAY_SHARE,
  SPREAD,
  FILL_SET_WORK,
  MAX_HORIZON,
  BY_SET_STEPS,
  replayIterations,
  replaysAll,
  type SampleReport,
  type StreamSampler,
  settled,
  settledChange,
  stratified,
  warmupIterations,
} from './streamSampling.ts';
import { LANES, planGeometry, type TileOp } from './planGeometry.ts';
import type { KernelPlan } from './types.ts';

/**
 * Receives the accesses in batches: byte addresses and codes (accessCode), `count` of them; the
 * arrays are reused for the next batch.
 */
export type AccessBatchSink = (addresses: Uint32Array, codes: Uint8Array, count: number, carries?: Uint8Array) => void;

/** Carry of an access whose line the kernel touched before in the same pass of the unrolled tile. */
export const CARRY_TILE = 254;
/** Carry of the first access to a line. */
export const CARRY_FIRST = 255;

/**
 * With reuse tracking, the sink also gets per access the loop that carries its reuse: the index
 * (in `KernelPlan.loops`) of the outermost loop that started a new iteration since the kernel last
 * touched the access's (first) line, CARRY_TILE or CARRY_FIRST.
 */
export interface ReuseTracking {
  lineBytes: number;
  /** Every address lies below this. */
  addressBytes: number;
}

const BATCH = 1 << 14;

/** Packed description of one access: tensor | 4 for a store | bytes << 3 (the trace build's code). */
export function accessCode(tensor: number, write: boolean, bytes: number): number {
  return tensor | (write ? 4 : 0) | (bytes << 3);
}

type Node = LoopNode | RegionNode | TileNode | PackNode;

/**
 * One iteration's packs, then its body: each packed input's panel is copied into the scratch
 * (loads relative to the input's pointer, stores relative to its place in the scratch), and the
 * body reads the copy.
 */
interface PackNode {
  kind: 'pack';
  copies: Array<{ tensor: number; list: Int32Array }>;
  body: Node;
}

interface LoopNode {
  kind: 'loop';
  /** Index in the plan's loops. */
  level: number;
  count: number;
  /** Bytes each tensor's pointer moves per iteration. */
  delta: [number, number, number];
  body: Node | null;
  tail: Node | null;
}

/** Accumulators zeroed, the body, then each accumulator added to the output (a load and a store). */
interface RegionNode {
  kind: 'region';
  body: Node;
  stores: Int32Array;
}

/** The unrolled tile: its loads, as (code, byte offset) pairs. */
interface TileNode {
  kind: 'tile';
  loads: Int32Array;
}

/**
 * Runs whole parts of the stream elsewhere (the compiled simulator, runtime/wasmCacheSim.ts): the
 * nodes of `AccessStream.program()`, fed straight to its consumer instead of to a sink. The stream
 * walks only the loops it samples and hands everything else over.
 */
export interface StreamEngine {
  /** Makes the accesses of program node `node` at these base addresses (output, inputs). */
  exec(node: number, b0: number, b1: number, b2: number): void;
  /** An iteration of plan loop `level` starts (for the reuse tracking). */
  startIteration(level: number): void;
  /** Accesses made so far in this run. */
  accesses(): number;
}

/**
 * Program node kinds. A node is a run of words: LOOP level count d0 d1 d2 body tail (-1: none);
 * REGION body stores; LIST start pairs (the (code, offset) pairs at `start` in the lists);
 * COPY tensor start pairs scratchOffsetBytes (a pack's copy, loads from the input's pointer and
 * stores into the scratch); PACK body copies copy...
 */
export const PROGRAM_NODE = { loop: 0, region: 1, list: 2, copy: 3, pack: 4 } as const;

/** The kernel's access stream for base byte addresses of the output and the two inputs. */
export interface AccessStream {
  /**
   * `bases`: byte addresses of the output, the inputs and the scratch for packed panels (if any).
   * With a sampler, loops whose accesses exceed its budget are sampled (streamSampling.ts).
   */
  run(bases: readonly number[], sink: AccessBatchSink, reuse?: ReuseTracking, sampler?: StreamSampler): SampleReport;
  /**
   * As run, with every part not sampled made by `engine` (its accesses never reach a sink; the
   * engine tracks reuse if asked to).
   */
  runOn(bases: readonly number[], engine: StreamEngine, sampler?: StreamSampler): SampleReport;
  /**
   * The stream tree, flat (PROGRAM_NODE): word 0 is how many words of nodes follow, then the
   * nodes (the root at node 0), then the lists of (code, byte offset) pairs.
   */
  program(): Int32Array;
  /** Memory instructions one run makes. */
  count(): number;
}

/** One call per access: tensor 0 output, 1 and 2 the inputs; byte address and width. */
export function eachAccess(
  visit: (tensor: number, write: boolean, address: number, bytes: number) => void,
): AccessBatchSink {
  return (addresses, codes, count) => {
    for (let i = 0; i < count; i++) visit(codes[i] & 3, (codes[i] & 4) !== 0, addresses[i], codes[i] >> 3);
  };
}

export function accessStream(problem: Problem, plan: KernelPlan): AccessStream {
  const vars = problem.variables;
  const loops = plan.loops;
  const n = loops.length;
  const { stride, step, packedAt, iterStride, jammedTile, jam } = planGeometry(problem, plan);

  // Accumulator keys of the region being built: output offset, vector or not, partial sum.
  let keys: Map<string, [number, boolean, number]> | null = null;
  // A region copy running `jamCount` iterations of loop `jamLoop` at once (planGeometry's jam).
  let jamLoop = 0;
  let jamCount = 1;

  function tile(extent: number[]): TileNode {
    const loads: number[] = [];
    const loaded = new Set<string>();
    const load = (t: number, op: TileOp): void => {
      const what = `${t},${op.offset[t]},${op.vector}`;
      if (loaded.has(what)) return;
      loaded.add(what);
      const at = op.offset[t];
      const s = iterStride(t, n - 1);
      if (!op.vector) loads.push(accessCode(t, false, 4), at * 4);
      else if (plan.access[t] === 'vector') loads.push(accessCode(t, false, 16), at * 4);
      else if (plan.access[t] === 'splat') loads.push(accessCode(t, false, 4), at * 4);
      else if (s === 2 || s === 3)
        loads.push(accessCode(t, false, 16), at * 4, accessCode(t, false, 16), (at + 3 * s - 3) * 4);
      else for (let lane = 0; lane < LANES; lane++) loads.push(accessCode(t, false, 4), (at + lane * s) * 4);
    };
    for (const op of jammedTile(extent, jamLoop, jamCount)) {
      const partial = plan.horizontalSum && op.vector ? op.laneGroup % 4 : 0;
      keys?.set(`${op.offset[0]},${op.vector},${partial}`, [op.offset[0], op.vector, partial]);
      load(1, op);
      load(2, op);
    }
    return { kind: 'tile', loads: Int32Array.from(loads) };
  }

  function stores(all: Array<[number, boolean, number]>): Int32Array {
    all.sort((a, b) => a[0] - b[0] || Number(a[1]) - Number(b[1]) || a[2] - b[2]);
    const out: number[] = [];
    const addTo = (element: number, bytes: number) =>
      out.push(accessCode(0, false, bytes), element * 4, accessCode(0, true, bytes), element * 4);
    if (plan.horizontalSum) {
      // Partial sums of one output element are added together first: one load and store each.
      for (const offset of new Set(all.map(([o]) => o))) addTo(offset, 4);
      return Int32Array.from(out);
    }
    const laneStride = iterStride(0, n - 1);
    for (const [offset, vector] of all) {
      if (!vector) addTo(offset, 4);
      else if (plan.access[0] === 'vector') addTo(offset, 16);
      else for (let lane = 0; lane < LANES; lane++) addTo(offset + lane * laneStride, 4);
    }
    return Int32Array.from(out);
  }

  function level(l: number, extent: number[], inRegion: boolean): Node {
    if (l === plan.accStart && !inRegion) {
      const outer = keys;
      keys = new Map();
      const body = level(l, extent, true);
      const node: RegionNode = { kind: 'region', body, stores: stores([...keys.values()]) };
      keys = outer;
      return node;
    }
    if (l === plan.tileStart) return tile(extent);
    const x = loops[l].variable;
    const st = step[l];
    const full = Math.floor(extent[x] / st);
    const rem = extent[x] % st;
    const sub = (e: number): Node => {
      const next = extent.slice();
      next[x] = e;
      return enter(l, next, inRegion);
    };
    const delta: [number, number, number] = [iterStride(0, l) * 4, iterStride(1, l) * 4, iterStride(2, l) * 4];
    const next = extent.slice();
    next[x] = st;
    const jammed = !inRegion && full >= 2 && l === plan.accStart - 1 ? jam(l, next) : 1;
    if (jammed === 1)
      return {
        kind: 'loop',
        level: l,
        count: full,
        delta,
        body: full > 0 ? sub(st) : null,
        tail: rem > 0 ? sub(rem) : null,
      };
    // Iterations in pairs (one region copy each), then the last full one alone, then the partial one.
    jamLoop = l;
    jamCount = jammed;
    const pairs = sub(st);
    jamCount = 1;
    const rounds = Math.floor(full / jammed);
    const left = full % jammed;
    const after: Node | null =
      left > 0
        ? { kind: 'loop', level: l, count: left, delta, body: sub(st), tail: rem > 0 ? sub(rem) : null }
        : rem > 0
          ? sub(rem)
          : null;
    return {
      kind: 'loop',
      level: l,
      count: rounds,
      delta: delta.map((b) => b * jammed) as [number, number, number],
      body: pairs,
      tail: after,
    };
  }

  /** One iteration of loop l: its packs (lowering's `enter`), then the loops inside. */
  function enter(l: number, extent: number[], inRegion: boolean): Node {
    const body = level(l + 1, extent, inRegion);
    if (!loops[l].pack) return body;
    const copies: PackNode['copies'] = [];
    for (let t = 1; t < 3; t++)
      if (loops[l].pack & (1 << t)) copies.push({ tensor: t, list: packList(t, l + 1, extent) });
    return { kind: 'pack', copies, body };
  }

  /** The copy of input t's panel read by loops d.. (lowering's `pack`): (code, byte offset) pairs. */
  function packList(t: number, from: number, extent: number[]): Int32Array {
    const out: number[] = [];
    const copy = (start: number, ext: number[], source: number, target: number): void => {
      let d = start;
      while (d < n && stride[t][loops[d].variable] === 0) d++;
      if (d === n) {
        out.push(accessCode(t, false, 4), source * 4, accessCode(t, true, 4), target * 4);
        return;
      }
      const x = loops[d].variable;
      const st = step[d];
      const full = Math.floor(ext[x] / st);
      const rem = ext[x] % st;
      const along = st * stride[t][x];
      const packed = iterStride(t, d);
      const next = ext.slice();
      next[x] = st;
      let last = true;
      for (let e = d + 1; e < n; e++) last &&= stride[t][loops[e].variable] === 0;
      if (last && st === 1 && along === 1 && full >= LANES) {
        const vectors = Math.floor(full / LANES);
        for (let v = 0; v < vectors; v++)
          out.push(
            accessCode(t, false, 16),
            (source + v * LANES) * 4,
            accessCode(t, true, 16),
            (target + v * LANES) * 4,
          );
        for (let i = vectors * LANES; i < full; i++) copy(d + 1, next, source + i, target + i);
      } else {
        for (let i = 0; i < full; i++) copy(d + 1, next, source + i * along, target + i * packed);
      }
      if (rem > 0) {
        const tail = ext.slice();
        tail[x] = rem;
        copy(d + 1, tail, source + full * along, target + full * packed);
      }
    };
    copy(from, extent, 0, 0);
    return Int32Array.from(out);
  }

  const root = level(
    0,
    vars.map((v) => problem.sizes[v]),
    false,
  );

  const addresses = new Uint32Array(BATCH);
  const codes = new Uint8Array(BATCH);
  const carries = new Uint8Array(BATCH);
  let filled = 0;
  let flushed = 0;
  let sink: AccessBatchSink = () => {};
  // Reuse tracking: per line, the index of the access that last touched it; per loop, the index
  // of the first access of its current iteration.
  let lastTouch: Float64Array | null = null;
  let lineShift = 0;
  const iterationStart = new Float64Array(n);
  const runtimeLoops = plan.tileStart;

  function flush(): void {
    if (filled > 0) sink(addresses, codes, filled, lastTouch ? carries : undefined);
    flushed += filled;
    filled = 0;
  }

  /** A pack's copy of input `tensor`: loads relative to `from`, stores relative to `to`. */
  function emitCopy(list: Int32Array, tensor: number, from: number, to: number): void {
    for (let i = 0; i < list.length; i += 2) {
      const base = list[i] & 4 ? to : from;
      emit(list.subarray(i, i + 2), 0, tensor === 1 ? base : 0, tensor === 2 ? base : 0);
    }
  }

  function emit(list: Int32Array, b0: number, b1: number, b2: number): void {
    if (filled + list.length / 2 > BATCH) flush();
    if (lastTouch) {
      emitTracked(list, b0, b1, b2, lastTouch);
      return;
    }
    for (let i = 0; i < list.length; i += 2) {
      const code = list[i];
      const tensor = code & 3;
      addresses[filled] = (tensor === 0 ? b0 : tensor === 1 ? b1 : b2) + list[i + 1];
      codes[filled++] = code;
    }
  }

  /**
   * emit, with each access's carry. A loop's iteration start also restarts the loops inside it
   * (iterationStart never decreases inward), so the carry is found scanning outward from the
   * innermost loop, which carries most reuse: the outermost loop that started after the line's
   * last touch is the last one passed.
   */
  function emitTracked(list: Int32Array, b0: number, b1: number, b2: number, touched: Float64Array): void {
    const shift = lineShift;
    const innermost = runtimeLoops - 1;
    for (let i = 0; i < list.length; i += 2) {
      const code = list[i];
      const tensor = code & 3;
      const address = (tensor === 0 ? b0 : tensor === 1 ? b1 : b2) + list[i + 1];
      const line = address >>> shift;
      const now = flushed + filled;
      const before = touched[line];
      let carry = CARRY_FIRST;
      if (before >= 0) {
        let l = innermost;
        while (l >= 0 && iterationStart[l] > before) l--;
        carry = l === innermost ? CARRY_TILE : l + 1;
      }
      touched[line] = now;
      carries[filled] = carry;
      addresses[filled] = address;
      codes[filled++] = code;
    }
  }

  let scratch = 0;

  /**
   * A loop as sampling sees it: its iterations taken `unit` (sampledUnit) at a time, the pointer
   * steps those make, and the accesses of each.
   */
  interface SampledLoop {
    level: number;
    count: number;
    delta: readonly number[];
    perIteration: number;
  }

  let sampler: StreamSampler | null = null;
  let engine: StreamEngine | null = null;
  const sampledLoops = new Set<number>();
  // Sampled loops so far in this run: tells whether an iteration ran in full or was itself sampled.
  let samplings = 0;
  function startIteration(l: number): void {
    if (engine) engine.startIteration(l);
    else iterationStart.fill(flushed + filled, l, runtimeLoops);
  }

  /** Runs `node`; a loop making more than `budget` accesses is sampled (when there is a sampler). */
  function run(node: Node, b0: number, b1: number, b2: number, budget: number): void {
    if (engine && (countOf(node) <= budget || countOf(node) < UNSAMPLED_BELOW)) {
      // Nothing inside is sampled: a loop is sampled only past its budget, budgets shrink inward,
      // and no loop of fewer accesses than UNSAMPLED_BELOW is sampled (`sampled`).
      engine.exec(nodeIds().get(node) as number, b0, b1, b2);
      return;
    }
    if (node.kind === 'pack') {
      let c1 = b1;
      let c2 = b2;
      for (const entry of node.copies) {
        const { tensor, list } = entry;
        const copy = scratch + plan.scratchOffset[tensor] * 4;
        if (engine) engine.exec(nodeIds().get(entry) as number, b0, b1, b2);
        else emitCopy(list, tensor, tensor === 1 ? b1 : b2, copy);
        if (tensor === 1) c1 = copy;
        else c2 = copy;
      }
      run(node.body, b0, c1, c2, budget);
    } else if (node.kind === 'tile') {
      if (engine) engine.exec(nodeIds().get(node) as number, b0, b1, b2);
      else emit(node.loads, b0, b1, b2);
    } else if (node.kind === 'region') {
      run(node.body, b0, b1, b2, budget);
      if (engine) engine.exec(nodeIds().get(node.stores) as number, b0, b1, b2);
      else emit(node.stores, b0, b1, b2);
    } else {
      const [d0, d1, d2] = node.delta;
      const l = node.level;
      if (node.body) {
        // Sampled by units of `unit` iterations, each beginning at the same place in its lines.
        const unit = sampler ? sampledUnit(node.delta, sampler.lineBytes) : 1;
        if (sampler && sampled(node, node.body, budget, unit)) {
          const body = node.body;
          const units = Math.floor(node.count / unit);
          const loop: SampledLoop = {
            level: l,
            count: units,
            delta: node.delta.map((d) => d * unit),
            perIteration: countOf(body) * unit,
          };
          const subIteration = (i: number, inner: number) => {
            startIteration(l);
            run(body, b0 + i * d0, b1 + i * d1, b2 + i * d2, inner);
          };
          sampleLoop(
            node,
            loop,
            (u, inner) => {
              for (let i = u * unit; i < (u + 1) * unit; i++) subIteration(i, Math.max(1, inner / unit));
            },
            budget,
            sampler,
          );
          const rest = Math.max(1, budget / Math.min(units, SIMULATED_ITERATIONS) / unit);
          for (let i = units * unit; i < node.count; i++) subIteration(i, rest);
        } else
          for (let i = 0; i < node.count; i++) {
            startIteration(l);
            run(node.body, b0 + i * d0, b1 + i * d1, b2 + i * d2, budget);
          }
      }
      if (node.tail) {
        startIteration(l);
        run(node.tail, b0 + node.count * d0, b1 + node.count * d1, b2 + node.count * d2, budget);
      }
    }
  }

  // A sampled loop has more than MIN_COUNTED units, so iterations of MIN_SAMPLED_ITERATION make at
  // least this many, and a loop far over its budget more than 16 x COUNTING_COST.
  const UNSAMPLED_BELOW = Math.min((MIN_COUNTED + 1) * MIN_SAMPLED_ITERATION, 16 * COUNTING_COST);

  /**
   * Whether a loop making more than `budget` accesses is sampled: when it has more units (sampledUnit)
   * than are always counted, and they are long enough, or it is far over its budget and running it
   * costs more than counting a few of its units would (deep in a sampled nest the budget is short,
   * and a loop of short iterations there, e.g. the k:256 around a register tile, runs in full).
   */
  function sampled(node: LoopNode, body: Node, budget: number, unit: number): boolean {
    const total = countOf(node);
    if (total <= budget || Math.floor(node.count / unit) <= MIN_COUNTED) return false;
    const perUnit = countOf(body) * unit;
    return countOf(body) >= MIN_SAMPLED_ITERATION || (total > 16 * budget && total > 16 * (perUnit + COUNTING_COST));
  }

  // Per loop node, the loops around it (outermost first).
  let around: Map<LoopNode, LoopNode[]> | null = null;
  function loopsAround(node: LoopNode): LoopNode[] {
    if (!around) {
      const found = new Map<LoopNode, LoopNode[]>();
      const walk = (at: Node | null, outer: LoopNode[]): void => {
        if (!at || at.kind === 'tile') return;
        if (at.kind !== 'loop') {
          walk(at.body, outer);
          return;
        }
        found.set(at, outer);
        walk(at.body, [...outer, at]);
        walk(at.tail, [...outer, at]);
      };
      walk(root, []);
      around = found;
    }
    return around.get(node) ?? [];
  }

  /** The loop's iterations, some run and the others' counts taken from those (streamSampling.ts). */
  function sampleLoop(
    node: LoopNode,
    loop: SampledLoop,
    iteration: (i: number, inner: number) => void,
    budget: number,
    s: StreamSampler,
  ): void {
    if (
      stratified(
        loop.count,
        loop.delta,
        loopsAround(node).map((o) => o.delta),
        s.levelSpans,
        s.lineBytes,
      )
    ) {
      const inner = Math.max(1, budget / loop.count);
      for (let i = 0; i < loop.count; i++) iteration(i, inner);
      return;
    }
    // What the last counted iteration passed on (empty at first), kept by the consumer.
    s.record();
    const kept = { misses: s.recorded() };
    try {
      sampleLoopKeeping(loop, iteration, budget, s, kept);
    } finally {
      s.release(kept.misses);
    }
  }

  function sampleLoopKeeping(
    loop: SampledLoop,
    iteration: (i: number, inner: number) => void,
    budget: number,
    s: StreamSampler,
    kept: { misses: Recording },
  ): void {
    const inner = Math.max(1, budget / Math.min(loop.count, SIMULATED_ITERATIONS));
    const deltas: Float64Array[] = [];
    const counters = () => {
      flush();
      return s.read();
    };
    let before = counters();
    let last = -1;
    // Whether the recorded iteration ran in full (no loop in it was sampled).
    let whole = true;
    const history = new MarkHistory();
    const begin = (position: number) => {
      // The consumer's present includes every access made before the iteration.
      flush();
      history.add(position, s.mark());
    };
    const countIteration = (i: number): void => {
      begin(i);
      s.record();
      const samplingsBefore = samplings;
      iteration(i, inner);
      const after = counters();
      s.release(kept.misses);
      kept.misses = s.recorded();
      whole = samplings === samplingsBefore;
      deltas.push(difference(after, before));
      before = after;
      last = i;
    };
    while (last + 1 < loop.count && !settled(deltas, s.watch) && deltas.length < MAX_COUNTED) countIteration(last + 1);
    if (last + 1 === loop.count) return;
    sampledLoops.add(loop.level);
    samplings++;
    const first = last + 1;
    const perIteration = loop.perIteration;
    // More counted iterations spread over the rest (the last one last), each after a warm-up.
    const change = settledChange(deltas);
    const fills = s.fillsOf(change);
    const refillsOuter = fills.some((fill, level) => level > 0 && fill >= s.levelLines[level]);
    const warm = warmupIterations(fills[0], s.levelLines[0], loop.count - first, perIteration, budget / SPREAD);
    // A counted group spans the loop's set period when that is affordable (else a pair, which
    // averages out a period of 2, e.g. a tile of half a line).
    const period = setPeriod(loop.delta, s.levelSpans);
    const length = period <= MAX_PERIOD && period * perIteration * SPREAD <= budget * GROUP_SHARE ? period : 2;
    // At most about half the loop runs: a loop of few iterations gets fewer groups.
    const spread = Math.max(1, Math.min(SPREAD, Math.floor((loop.count / 2 - first) / (warm + length))));
    const fixedFrom = [0, 1, 2].map((t) =>
      packedAt[t] >= 0 && loop.level <= packedAt[t] ? scratch : Number.POSITIVE_INFINITY,
    );
    // Lines that every iteration touches again are never forgotten.
    const moving = { tensors: loop.delta.map((d) => d !== 0), fixedFrom };
    /**
     * Marks the sets of `level` that the iterations not run fill (the last counted one's misses
     * moved as they would move them, over the iterations that refill the level at `fill` lines
     * each, at most a set period: past it the sets repeat), from the iteration `start` gives
     * (relative to the last counted one) for that many; whether that is fewer than all of them.
     */
    const markFills = (level: number, fill: number, start: (positions: number) => number): boolean => {
      const window = fill > 0 ? Math.ceil(s.levelLines[level] / fill) : 1;
      const positions = Math.min(window, setPeriod(loop.delta, [s.levelSpans[level]]));
      if (positions * kept.misses.pairs > FILL_SET_WORK) return false;
      const sets = s.levelSpans[level] / s.lineBytes;
      return s.markFillSets(level, kept.misses, loop.delta, start(positions), positions, fixedFrom) < sets;
    };
    /**
     * The second level's forgetting with a horizon per set (forgetOlderBySet): the last counted
     * iteration's misses at the first level, moved as the iterations before `now` would move them,
     * are the lines those bring each set; whether that was affordable.
     */
    const forgetBySet = (level: number, now: number, fewest: number): boolean => {
      const positions = Math.min(setPeriod(loop.delta, [s.levelSpans[level]]), BY_SET_STEPS);
      if (positions * kept.misses.pairs > FILL_SET_WORK || now - history.firstPosition() > MAX_HORIZON) return false;
      s.markFillSets(level, kept.misses, loop.delta, now - positions - last, positions, fixedFrom, true);
      const recent = history.lastPosition() === now - 1 ? history.last() : s.mark();
      // A set's lines are gone after at most `ways` times `positions` iterations (one moving line each).
      const ways = (s.levelLines[level] * s.lineBytes) / s.levelSpans[level];
      const backs = Math.min(now - history.firstPosition(), Math.max(fewest, ways * positions)) + 1;
      // No set forgets sooner than the level would: `fewest` iterations back at the nearest.
      const markBack = (back: number) => (history.after(now - back) ?? recent)[level];
      const nearest = markBack(fewest);
      const since = Array.from({ length: backs }, (_, back) => (back <= fewest ? nearest : markBack(back)));
      // An iteration whose inner loops were sampled recorded only what ran: its lines come at the
      // rate of its first-level misses, not of the lines recorded (conv 128 -> 128 channels at
      // 56x56 `ci:8 co:128 oh:7 ow:56 ci:16 kh:3 kw:3 oh:8`: O's L2 misses 31% under at the
      // recorded rate, 14% as with the level's own horizon).
      const scale = whole ? 1 : Math.max(1, fills[0] / Math.max(1, kept.misses.pairs));
      s.forgetOlderBySet(level, since, moving, positions / scale);
      return true;
    };
    /**
     * Each level forgets what it last used in iterations that enough later ones would have pushed
     * out. Unless `replayed`, the outer levels keep it: lines forgotten leave ways free that the
     * iterations not run would have filled, and the lines the next ones bring then take those
     * instead of evicting (matmul 512^3 `k:16 m n k:32 m:4 n:8`: C is the size of the L2, one
     * iteration of k:16 costs more than its replay budget, and a group after the skipped ones
     * found most of C still there: 6.5% under on C's L2 misses; 3.1% keeping them).
     */
    const age = (now: number, replayed: boolean) => {
      flush();
      fills.forEach((fill, level) => {
        if (fill <= 0 || (level > 0 && !replayed)) return;
        const horizon = now - s.levelLines[level] / fill;
        if (history.firstPosition() > horizon) return;
        if (level === 1 && forgetBySet(level, now, Math.ceil(now - horizon))) return;
        // Only in the sets the iterations before `now` fill (where the last counted one's misses
        // fall, moved as those iterations would move them; past a set period they repeat): lines of
        // other sets stay (matmul 1024^3 `n:8 k:64 pack(B) m:5 r64 pack(A) m:64 n:8 k:16 m:3 n:16`:
        // an iteration of m:64 misses 3 rows of C, 4 KiB apart, in 8 of the L1's 64 sets; the
        // packed A around them stays, and forgetting it made A's L1 misses 82% over; 19% now).
        const inFillSets = markFills(level, fill, (positions) => now - positions - last);
        // What was last used up to the end of the last iteration before the horizon (the first
        // level's write-backs of its lines come later): older than the start of the next one.
        // The first level keeps what the last iteration run used: it ran in full, so those lines
        // are as they would be; older ones are stale (a loop around this one comes back to them,
        // and the iterations not run would have evicted them).
        const next = history.after(horizon);
        // An outer level keeps what the iteration just before `now` used when that one ran or
        // replayed: it is what the level would hold (matmul 512^3 `k:16 m n k:32 m:4 n:8`, where
        // one iteration of k:16 refills the L2: forgetting all of A and B after two replays left C
        // room to stay, 8.6% under on C's L2 misses).
        const recent = history.lastPosition() === now - 1 ? history.last() : s.mark();
        const mark = level === 0 ? (now < loop.count ? history.first() : (next ?? history.last())) : (next ?? recent);
        // A line the first level drops goes back to the next level if dirty, as an eviction would.
        if (level === 0) s.writeBackFirst();
        s.forgetOlder(
          mark,
          fills.map((_, l) => l === level),
          moving,
          inFillSets,
        );
      });
    };
    let estimate = before;
    let at = first;
    let skipped = 0;
    const groups: Float64Array[][] = [deltas.slice(-2)];
    for (let k = 1; k <= spread; k++) {
      const target = first + Math.round(((loop.count - first) * k) / spread) - 1;
      const pairStart = Math.max(at, target - length + 1);
      const startWarm = Math.max(at, pairStart - warm);
      const notRun = startWarm - at;
      // Every iteration not run replays when that passes the second level at most twice its lines:
      // cheap, and it leaves the outer levels' LRU order as those iterations would, where the
      // budget alone replays few or none (matmul 1024^3 `n:8 k:8 m:8 n:16 m:32 ...`: m:32 with a
      // budget of 500 accesses, whose iterations' L2 hits keep A's block ahead of B's; with pack(B),
      // n:16 with 4 k, whose iterations not run keep the packed panel in the L2 for the next pack).
      const replays = replaysAll(notRun, kept.misses.pairs, s.levelLines)
        ? notRun
        : replayIterations(
            fills,
            s.levelLines,
            notRun,
            kept.misses.pairs,
            (budget * (whole ? WHOLE_REPLAY_SHARE : REPLAY_SHARE)) / spread,
          );
      // The first level turns over during the iterations not run: its dirty lines go back to the next level now.
      const turnsOver = fills[0] * notRun >= s.levelLines[0];
      if (turnsOver) {
        flush();
        s.writeBackFirst();
      }
      if (replays > 0) {
        flush();
        const from = startWarm - replays;
        history.addRun(from, replays, s.replayRun(kept.misses, loop.delta, from - last, replays, fixedFrom));
        // The replays moved the outer levels on without the first level: the lines of the tensors
        // the loop does not move stay there as the recorded iteration left them, while the
        // replays (which repeat that iteration's misses of them, not the ones each position
        // would have) let the outer levels lose the rest. The first level forgets those lines,
        // so the warm-up fetches them through the outer levels as the iterations not run would
        // have (matmul 2048^3 `m n k m:4 n:8`: A's 32 KiB block, B's column in one L1 set and 16
        // L2 sets that move with n; A's lines the replayed B evicted from the L2 stayed in the
        // L1 and missed the L2 in the counted groups instead: A's L2 misses 19.9% over). A packed
        // panel, sized for the outer levels, is not lost there: its lines go only in the sets the
        // iterations not run would fill, the others' would have stayed (matmul 1024^3 `n:16 k:8
        // pack(B) m:64 n:8 m:4 k:128 m:4 n:8`: m:64's iterations miss 4 rows of A and C, 4 KiB
        // apart, in a few of the L1's sets, and the packed B, 32 KiB, stays in the others;
        // forgotten everywhere, B's L1 misses were 244% over; 3.9% now).
        if (startWarm < pairStart) {
          // (The replays leave the first level as it was: written back already when it turns over.)
          if (!turnsOver) s.writeBackFirst();
          const still = loop.delta.map((d) => d === 0);
          const firstLevel = fills.map((_, l) => l === 0);
          const packed = scratch > 0 ? scratch : Number.POSITIVE_INFINITY;
          const present = s.mark();
          s.forgetOlder(present, firstLevel, { tensors: still, fixedFrom: [packed, packed, packed] });
          s.forgetOlder(
            present,
            firstLevel,
            { tensors: still, fixedFrom },
            markFills(0, fills[0], () => at - last),
          );
        }
      }
      for (let j = startWarm; j < pairStart; j++) {
        begin(j);
        iteration(j, inner);
      }
      age(pairStart, replays > 0);
      s.write(estimate);
      skipped += pairStart - at;
      before = estimate;
      for (let j = pairStart; j <= target; j++) countIteration(j);
      const counted = deltas.slice(-(target - pairStart + 1));
      // An iteration that refills an outer level by itself misses there by what the level held at
      // its start; after iterations neither run nor replayed that is not what it would be (matmul
      // 512^3 `k:16 m n k:32 m:4 n:8`: C is the size of the L2 and all of it misses there each
      // iteration of k:16, but the first of a group found a third of it still there: 4.1% under).
      // Such a group's first iteration counts only for itself; the next starts as it would.
      groups.push(replays === 0 && notRun > 0 && counted.length > 1 && refillsOuter ? counted.slice(1) : counted);
      estimate = before;
      at = target + 1;
    }
    age(loop.count, true);
    // The skipped iterations count as the mean of the counted iterations in groups. A last pair
    // of iterations run in full borders what follows the loop, and no skipped iteration does:
    // it counts only for itself when there are other groups (matmul 1024^3 `m n k m:4 n:8`: A's
    // L1 misses per iteration of n alternate 4, 8 but are 0, 4 in the last two; with them in the
    // mean, 11.6% under). Where the only other group is the first iterations' last pair, it is left
    // out too, whole or not: it is the part of the loop a loop around it last ran before this run,
    // whose lines are the most likely to be left (matmul 1024^3 `n:8 k:8 m:8 n:16 m:32 ...` on the
    // diagonal: B's L2 misses per iteration of n:16 are 128, 0 for the first pairs, 0, 0 for the
    // last, and 7 of the 8 pairs miss in an exact run).
    const mean = new Float64Array(estimate.length);
    const interior = length === 2 && (whole || groups.length === 2) ? groups.slice(0, -1) : groups;
    const n = interior.reduce((sum, group) => sum + group.length, 0);
    for (const group of interior) for (const d of group) for (let k = 0; k < mean.length; k++) mean[k] += d[k] / n;
    for (let k = 0; k < estimate.length; k++) estimate[k] += mean[k] * skipped;
    s.write(estimate);
  }

  const counted = new Map<Node, number>();
  function countOf(node: Node): number {
    let c = counted.get(node);
    if (c === undefined) {
      if (node.kind === 'pack') c = node.copies.reduce((s, x) => s + x.list.length / 2, countOf(node.body));
      else if (node.kind === 'tile') c = node.loads.length / 2;
      else if (node.kind === 'region') c = countOf(node.body) + node.stores.length / 2;
      else c = (node.body ? node.count * countOf(node.body) : 0) + (node.tail ? countOf(node.tail) : 0);
      counted.set(node, c);
    }
    return c;
  }

  let ids: Map<object, number> | null = null;
  let flat: Int32Array | null = null;

  /** Lays the tree out as the program (PROGRAM_NODE), once; each node's (and copy's, stores') index. */
  function nodeIds(): Map<object, number> {
    if (ids) return ids;
    const at = new Map<object, number>();
    const nodes: number[] = [];
    const lists: number[] = [];
    const list = (pairs: Int32Array): [number, number] => {
      const start = lists.length;
      for (const word of pairs) lists.push(word);
      return [start, pairs.length / 2];
    };
    const place = (key: object, words: number[]): number => {
      const index = nodes.length;
      at.set(key, index);
      nodes.push(...words);
      return index;
    };
    // Children are laid out after their parent; a parent's words are patched once they are.
    const lay = (node: Node): number => {
      if (node.kind === 'tile') return place(node, [PROGRAM_NODE.list, ...list(node.loads)]);
      if (node.kind === 'region') {
        const self = place(node, [PROGRAM_NODE.region, -1, -1]);
        nodes[self + 1] = lay(node.body);
        nodes[self + 2] = place(node.stores, [PROGRAM_NODE.list, ...list(node.stores)]);
        return self;
      }
      if (node.kind === 'pack') {
        const self = place(node, [PROGRAM_NODE.pack, -1, node.copies.length, ...node.copies.map(() => -1)]);
        node.copies.forEach((copy, i) => {
          nodes[self + 3 + i] = place(copy, [
            PROGRAM_NODE.copy,
            copy.tensor,
            ...list(copy.list),
            plan.scratchOffset[copy.tensor] * 4,
          ]);
        });
        nodes[self + 1] = lay(node.body);
        return self;
      }
      const self = place(node, [PROGRAM_NODE.loop, node.level, node.count, ...node.delta, -1, -1]);
      if (node.body) nodes[self + 6] = lay(node.body);
      if (node.tail) nodes[self + 7] = lay(node.tail);
      return self;
    };
    lay(root);
    const words = [nodes.length, ...nodes, ...lists];
    const wide = words.find((w) => !Number.isInteger(w) || Math.abs(w) >= 2 ** 31);
    if (wide !== undefined)
      throw new RangeError(
        `a pointer step or offset of ${wide} bytes is too large for the compiled cache simulator (2 GiB at most); use smaller sizes`,
      );
    flat = Int32Array.from(words);
    ids = at;
    return at;
  }

  return {
    program() {
      nodeIds();
      return flat as Int32Array;
    },
    runOn(bases, on, sampling) {
      nodeIds();
      engine = on;
      try {
        const report = this.run(bases, () => {}, undefined, sampling);
        return { ...report, accesses: on.accesses() };
      } finally {
        engine = null;
      }
    },
    run(bases, to, reuse, sampling) {
      sink = to;
      sampler = sampling ?? null;
      sampledLoops.clear();
      filled = 0;
      flushed = 0;
      iterationStart.fill(-1);
      lastTouch = reuse ? new Float64Array(Math.ceil(reuse.addressBytes / reuse.lineBytes)).fill(-1) : null;
      lineShift = reuse ? Math.log2(reuse.lineBytes) : 0;
      scratch = bases[3] ?? 0;
      run(root, bases[0], bases[1], bases[2], sampler ? sampler.budget : Number.POSITIVE_INFINITY);
      flush();
      lastTouch = null;
      sampler = null;
      return { loops: [...sampledLoops].sort((a, b) => a - b), accesses: flushed, of: countOf(root) };
    },
    count: () => countOf(root),
  };
}
