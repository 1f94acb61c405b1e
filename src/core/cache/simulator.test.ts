// The fast simulator against a brute-force one written for clarity (per-set lists of lines, a
// plain list for the fully associative shadow), on small random caches and random traces.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheConfig } from './config.ts';
import { CacheSimulator, COUNTERS, count, lastTouches, sinceOfSet } from './simulator.ts';

interface Resident {
  line: number;
  dirty: boolean;
  owner: number;
}

/** The same rules as simulator.ts, written as directly as possible. */
function referenceCounts(config: CacheConfig, tensors: number, trace: Access[]): number[] {
  const levels = config.levels.map((l) => {
    const sets = l.bytes / (config.lineBytes * l.ways);
    return {
      ways: l.ways,
      sets: Array.from({ length: sets }, () => [] as Resident[]),
      fa: [] as number[],
      capacity: sets * l.ways,
      seen: new Set<number>(),
    };
  });
  const counts = new Array(levels.length * tensors * COUNTERS.length).fill(0);
  const bump = (level: number, tensor: number, counter: string) => {
    counts[(level * tensors + tensor) * COUNTERS.length + COUNTERS.indexOf(counter as never)]++;
  };
  const ref = (level: number, tensor: number, write: boolean, whole: boolean, line: number): void => {
    const L = levels[level];
    bump(level, tensor, 'accesses');
    const faAt = L.fa.indexOf(line);
    const faHit = faAt >= 0;
    if (faHit) L.fa.splice(faAt, 1);
    L.fa.unshift(line);
    if (L.fa.length > L.capacity) L.fa.pop();
    const set = L.sets[line % L.sets.length];
    const at = set.findIndex((r) => r.line === line);
    if (at >= 0) {
      const [r] = set.splice(at, 1);
      if (write) {
        r.dirty = true;
        r.owner = tensor;
      }
      set.unshift(r);
      return;
    }
    bump(level, tensor, 'misses');
    if (!L.seen.has(line)) {
      L.seen.add(line);
      bump(level, tensor, 'compulsory');
    } else bump(level, tensor, faHit ? 'conflict' : 'capacity');
    if (set.length === L.ways) {
      const victim = set[set.length - 1];
      if (victim.dirty) {
        bump(level, victim.owner, 'writebacks');
        if (level + 1 < levels.length) ref(level + 1, victim.owner, true, true, victim.line);
      }
      set.pop();
    }
    if (!whole) {
      bump(level, tensor, 'fills');
      if (level + 1 < levels.length) ref(level + 1, tensor, false, false, line);
    }
    set.unshift({ line, dirty: write, owner: tensor });
  };
  for (const a of trace) {
    const first = Math.floor(a.address / config.lineBytes);
    const last = Math.floor((a.address + a.bytes - 1) / config.lineBytes);
    for (let line = first; line <= last; line++) ref(0, a.tensor, a.write, false, line);
  }
  return counts;
}

interface Access {
  tensor: number;
  write: boolean;
  address: number;
  bytes: number;
}

const MEMORY = 4096;

const configs = fc
  .record({
    lineLog: fc.integer({ min: 2, max: 6 }),
    levels: fc.array(fc.record({ sets: fc.integer({ min: 1, max: 8 }), ways: fc.integer({ min: 1, max: 5 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map(
    ({ lineLog, levels }): CacheConfig => ({
      lineBytes: 2 ** lineLog,
      levels: levels.map((l, i) => ({ name: `L${i + 1}`, bytes: l.sets * l.ways * 2 ** lineLog, ways: l.ways })),
    }),
  );

/** Addresses clustered in a few small regions so that lines come back (hits, conflicts, capacity). */
const traces = fc.array(
  fc.record({
    tensor: fc.integer({ min: 0, max: 2 }),
    write: fc.boolean(),
    address: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: MEMORY - 16 })),
    bytes: fc.constantFrom(4, 16),
  }),
  { maxLength: 400 },
);

function simulate(config: CacheConfig, trace: Access[]): Float64Array {
  const sim = new CacheSimulator(config, 3, MEMORY);
  for (const a of trace) sim.access(a.tensor, a.write, a.address, a.bytes);
  return sim.stats().counts;
}

describe('lastTouches', () => {
  const scratch = () => ({ stamp: 0, seen: new Int32Array(16), at: new Int32Array(16) });
  // Codes: tensor | 4 write | 8 whole-line write-back.
  it('keeps each line once, at its last touch, in the order of those', () => {
    const records = Int32Array.from([1, 5, 2, 7, 1, 5, 0, 3, 2, 7]);
    expect(Array.from(lastTouches(records, scratch()))).toEqual([1, 5, 0, 3, 2, 7]);
  });

  it('keeps a line written when any touch wrote it, owned by the last writer', () => {
    // C (0) writes line 9 back, then A (1) reads it: written, by C.
    expect(Array.from(lastTouches(Int32Array.from([0 | 4 | 8, 9, 1, 9]), scratch()))).toEqual([0 | 4, 9]);
    // Two writers: the last one owns it.
    expect(Array.from(lastTouches(Int32Array.from([0 | 4, 9, 2 | 4, 9, 1, 9]), scratch()))).toEqual([2 | 4, 9]);
  });

  it('is a whole-line write-back only when every touch was one (else the line is fetched)', () => {
    expect(Array.from(lastTouches(Int32Array.from([0 | 4 | 8, 2, 0 | 4 | 8, 2]), scratch()))).toEqual([0 | 4 | 8, 2]);
    expect(Array.from(lastTouches(Int32Array.from([0, 2, 0 | 4 | 8, 2]), scratch()))).toEqual([0 | 4, 2]);
  });

  it('starts afresh on every call with the same scratch', () => {
    const kept = scratch();
    lastTouches(Int32Array.from([0, 1, 0, 2]), kept);
    expect(Array.from(lastTouches(Int32Array.from([0, 2, 0, 1]), kept))).toEqual([0, 2, 0, 1]);
  });
});

describe('cache simulator', () => {
  it('counts exactly what a brute-force simulator counts (random caches, random traces)', () => {
    fc.assert(
      fc.property(configs, traces, (config, trace) => {
        expect(Array.from(simulate(config, trace))).toEqual(referenceCounts(config, 3, trace));
      }),
      { numRuns: 300 },
    );
  });

  it('counts a batch of coded accesses as the same accesses one by one', () => {
    fc.assert(
      fc.property(configs, traces, (config, trace) => {
        const sim = new CacheSimulator(config, 3, MEMORY);
        const addresses = Uint32Array.from(trace.map((a) => a.address));
        const codes = Uint8Array.from(trace.map((a) => a.tensor | (a.write ? 4 : 0) | (a.bytes << 3)));
        sim.accessBatch(addresses, codes, trace.length);
        expect(Array.from(sim.stats().counts)).toEqual(Array.from(simulate(config, trace)));
      }),
    );
  });

  it('with carries, counts the same and files every access under its carry and the level that served it', () => {
    fc.assert(
      fc.property(
        configs,
        traces,
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 400, maxLength: 400 }),
        (config, trace, carry) => {
          const sim = new CacheSimulator(config, 3, MEMORY);
          const addresses = Uint32Array.from(trace.map((a) => a.address));
          const codes = Uint8Array.from(trace.map((a) => a.tensor | (a.write ? 4 : 0) | (a.bytes << 3)));
          sim.accessBatch(addresses, codes, trace.length, Uint8Array.from(carry));
          const stats = sim.stats();
          expect(Array.from(stats.counts)).toEqual(Array.from(simulate(config, trace)));
          const slots = config.levels.length + 1;
          for (let i = 0; i < trace.length; i++) {
            // Remove access i from its cell; at the end every cell must be empty.
            const cell = (trace[i].tensor * 256 + carry[i]) * slots;
            const served = stats.reuse.subarray(cell, cell + slots).findIndex((n) => n > 0);
            expect(served).toBeGreaterThanOrEqual(0);
            stats.reuse[cell + served]--;
          }
          expect(stats.reuse.every((n) => n === 0)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('with carries, files an access under L1 exactly when it hits there', () => {
    // One line per access: word-aligned 4-byte accesses.
    const words = fc.array(
      fc.record({
        tensor: fc.integer({ min: 0, max: 2 }),
        write: fc.boolean(),
        word: fc.integer({ min: 0, max: 255 }),
      }),
      { maxLength: 300 },
    );
    fc.assert(
      fc.property(configs, words, (config, trace) => {
        const sim = new CacheSimulator(config, 3, MEMORY);
        const addresses = Uint32Array.from(trace.map((a) => a.word * 4));
        const codes = Uint8Array.from(trace.map((a) => a.tensor | (a.write ? 4 : 0) | (4 << 3)));
        sim.accessBatch(addresses, codes, trace.length, new Uint8Array(trace.length).fill(7));
        const stats = sim.stats();
        const slots = config.levels.length + 1;
        for (let t = 0; t < 3; t++) {
          const cell = stats.reuse.subarray((t * 256 + 7) * slots, (t * 256 + 8) * slots);
          expect(cell[0]).toBe(count(stats, 0, t, 'accesses') - count(stats, 0, t, 'misses'));
          expect(cell.slice(1).reduce((a, b) => a + b, 0)).toBe(count(stats, 0, t, 'misses'));
        }
      }),
    );
  });

  it('splits every miss into exactly one of the three Cs', () => {
    fc.assert(
      fc.property(configs, traces, (config, trace) => {
        const sim = new CacheSimulator(config, 3, MEMORY);
        for (const a of trace) sim.access(a.tensor, a.write, a.address, a.bytes);
        const stats = sim.stats();
        for (let level = 0; level < config.levels.length; level++)
          for (let t = 0; t < 3; t++)
            expect(
              count(stats, level, t, 'compulsory') +
                count(stats, level, t, 'capacity') +
                count(stats, level, t, 'conflict'),
            ).toBe(count(stats, level, t, 'misses'));
      }),
    );
  });

  it('gives the same counts on a second run', () => {
    const config: CacheConfig = { lineBytes: 32, levels: [{ name: 'L1', bytes: 256, ways: 2 }] };
    const trace = fc.sample(traces, { seed: 7, numRuns: 1 })[0];
    expect(Array.from(simulate(config, trace))).toEqual(Array.from(simulate(config, trace)));
  });

  it('tells the three Cs apart on a trace worked by hand', () => {
    // Direct-mapped, 2 sets of 16 B lines: lines 0 and 2 share set 0.
    const config: CacheConfig = { lineBytes: 16, levels: [{ name: 'L1', bytes: 32, ways: 1 }] };
    const sim = new CacheSimulator(config, 1, 256);
    for (const address of [0, 32, 0, 16, 48, 0]) sim.access(0, false, address, 4);
    const s = sim.stats();
    // 0 (compulsory), 32 (compulsory, evicts 0), 0 (conflict: a 2-line LRU holds {32, 0}),
    // 16 (compulsory), 48 (compulsory, evicts 16), 0: set 0 still holds it: a hit.
    expect([count(s, 0, 0, 'accesses'), count(s, 0, 0, 'misses')]).toEqual([6, 5]);
    expect([count(s, 0, 0, 'compulsory'), count(s, 0, 0, 'capacity'), count(s, 0, 0, 'conflict')]).toEqual([4, 0, 1]);
  });

  it('writes back a dirty line once, when it is evicted', () => {
    const config: CacheConfig = { lineBytes: 16, levels: [{ name: 'L1', bytes: 16, ways: 1 }] };
    const sim = new CacheSimulator(config, 2, 64);
    sim.access(0, true, 0, 4);
    sim.access(0, true, 4, 4);
    sim.access(1, false, 16, 4);
    sim.access(1, false, 32, 4);
    const s = sim.stats();
    expect([count(s, 0, 0, 'writebacks'), count(s, 0, 0, 'fills'), count(s, 0, 1, 'fills')]).toEqual([1, 1, 2]);
  });

  it('nests recordings: the outer one holds what the inner one recorded, and replays as both would', () => {
    // L1 of one 16 B line: every access to another line misses and passes one line on.
    const config: CacheConfig = {
      lineBytes: 16,
      levels: [
        { name: 'L1', bytes: 16, ways: 1 },
        { name: 'L2', bytes: 64, ways: 4 },
      ],
    };
    const sim = new CacheSimulator(config, 1, 1024);
    sim.record();
    sim.access(0, false, 0, 4);
    sim.record();
    sim.access(0, false, 16, 4);
    sim.access(0, false, 32, 4);
    const inner = sim.recorded();
    sim.access(0, false, 48, 4);
    const outer = sim.recorded();
    expect([inner.pairs, outer.pairs]).toEqual([2, 4]);
    // Replayed 4 lines on, the outer recording brings lines 4-7 to L2, the inner one 5 and 6 only.
    const l2Misses = (recording: typeof outer) => {
      const before = count(sim.stats(), 1, 0, 'misses');
      sim.replay(recording, [64], [Number.POSITIVE_INFINITY]);
      return count(sim.stats(), 1, 0, 'misses') - before;
    };
    expect(l2Misses(inner)).toBe(2);
    expect(l2Misses(outer)).toBe(2);
  });

  it('replays a run of steps, each moved by one more delta, as that many replays, marking the start of each', () => {
    const config: CacheConfig = {
      lineBytes: 16,
      levels: [
        { name: 'L1', bytes: 16, ways: 1 },
        { name: 'L2', bytes: 64, ways: 4 },
      ],
    };
    const recorded = (sim: CacheSimulator) => {
      sim.record();
      for (const at of [0, 16, 32]) sim.access(0, at === 16, at, 4);
      return sim.recorded();
    };
    const one = new CacheSimulator(config, 1, 4096);
    const oneRecording = recorded(one);
    const marks: number[] = [];
    for (let step = 2; step < 6; step++) {
      marks.push(...one.mark());
      one.replay(oneRecording, [16 * step], [Number.POSITIVE_INFINITY]);
    }
    const run = new CacheSimulator(config, 1, 4096);
    const runMarks = run.replayRun(recorded(run), [16], 2, 4, [Number.POSITIVE_INFINITY]);
    expect(Array.from(runMarks)).toEqual(marks);
    // Each replay of 3 lines at L2 moves the clock there by 3 (plus a write-back's reference).
    expect(marks[3] - marks[1]).toBeGreaterThanOrEqual(3);
    expect(run.stats()).toEqual(one.stats());
    expect(run.mark()).toEqual(one.mark());
  });

  it('forgets, when asked, only in the sets a recording moved by its steps fills', () => {
    const config: CacheConfig = {
      lineBytes: 16,
      levels: [
        { name: 'L1', bytes: 128, ways: 2 },
        { name: 'L2', bytes: 1024, ways: 4 },
      ],
    };
    const misses = (sim: CacheSimulator) => count(sim.stats(), 0, 0, 'misses');
    const run = (inFillSets: boolean) => {
      const sim = new CacheSimulator(config, 1, 4096);
      for (const at of [0, 16, 32, 48]) sim.access(0, false, at, 4); // lines 0-3, sets 0-3
      const before = sim.mark();
      sim.record();
      sim.access(0, false, 64, 4); // line 4, set 0
      const recording = sim.recorded();
      // Moved by 64 bytes a step, the line stays in set 0; by 16, it walks all four sets.
      expect(sim.markFillSets(0, recording, [16], 0, 4, [Number.POSITIVE_INFINITY])).toBe(4);
      expect(sim.markFillSets(0, recording, [64], 0, 3, [Number.POSITIVE_INFINITY])).toBe(1);
      sim.forgetOlder(before, [true, false], undefined, inFillSets);
      const start = misses(sim);
      sim.access(0, false, 16, 4);
      const line1 = misses(sim) - start;
      sim.access(0, false, 0, 4);
      const line0 = misses(sim) - start - line1;
      sim.access(0, false, 64, 4);
      const line4 = misses(sim) - start - line1 - line0;
      return [line1, line0, line4];
    };
    // In set 0 only: line 0 (older than the mark) goes, line 1 in set 1 stays; line 4 is newer.
    expect(run(true)).toEqual([0, 1, 0]);
    // Everywhere: line 1 goes too.
    expect(run(false)).toEqual([1, 1, 0]);
  });

  it('forgets with a horizon per set: where the lines a recording brings fill a set, not elsewhere', () => {
    const config: CacheConfig = {
      lineBytes: 16,
      levels: [
        { name: 'L1', bytes: 128, ways: 2 },
        { name: 'L2', bytes: 1024, ways: 4 },
      ],
    };
    const run = (depth: number, steps?: number) => {
      const sim = new CacheSimulator(config, 1, 4096);
      for (const at of [0, 16, 32, 48]) sim.access(0, false, at, 4); // lines 0-3, sets 0-3
      const before = sim.mark();
      sim.record();
      sim.access(0, false, 64, 4); // line 4, set 0
      sim.access(0, false, 80, 4); // line 5, set 1
      const recording = sim.recorded();
      // Moved 64 bytes (4 lines, the same set) a step: 2 new lines in sets 0 and 1 over 2 steps,
      // which fills their 2 ways in 2 steps; sets 2 and 3 get none.
      expect(sim.markFillSets(0, recording, [64], 0, 2, [Number.POSITIVE_INFINITY], true)).toBe(2);
      const now = sim.mark();
      sim.forgetOlderBySet(0, [now[0], now[0], before[0]].slice(0, depth), undefined, steps);
      const held = [0, 16, 32, 48].map((at) => {
        const start = count(sim.stats(), 0, 0, 'misses');
        sim.access(0, false, at, 4);
        return count(sim.stats(), 0, 0, 'misses') === start;
      });
      return held;
    };
    // Two steps back is the mark before lines 4 and 5: lines 0 and 1 (sets 0, 1) go, 2 and 3 stay.
    expect(run(3)).toEqual([false, false, true, true]);
    // Marks for fewer steps than the sets need: nothing goes.
    expect(run(2)).toEqual([true, true, true, true]);
    // The same lines standing for one step (twice the rate): sets 0 and 1 fill in one.
    expect(run(2, 1)).toEqual([false, false, true, true]);
  });

  it("a set's mark: at once when the lines that stay fill it, never when none move, else after the steps its moving lines need", () => {
    const since = [10, 20, 30, 40];
    expect(sinceOfSet(4, 0, 4, 2, since)).toBe(10);
    expect(sinceOfSet(1, 0, 4, 2, since)).toBe(Number.NEGATIVE_INFINITY);
    // (4 - 1) ways left, 2 moving lines in 2 steps: gone after 3 steps.
    expect(sinceOfSet(1, 2, 4, 2, since)).toBe(40);
    expect(sinceOfSet(0, 2, 4, 2, since)).toBe(Number.NEGATIVE_INFINITY);
    expect(sinceOfSet(0, 8, 4, 2, since)).toBe(20);
  });

  it('refuses a cache that is not a whole number of sets, saying what would fit', () => {
    expect(() => new CacheSimulator({ lineBytes: 64, levels: [{ name: 'L1d', bytes: 1000, ways: 8 }] }, 1, 64)).toThrow(
      /L1d: 1000 B is not a whole number of sets of 8 ways x 64 B lines; pick a size divisible by 512 B/,
    );
  });
});
