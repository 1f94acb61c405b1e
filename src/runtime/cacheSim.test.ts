// The simulated figures of a schedule's kernel: what a k split changes, which loop carries the
// reuse, and that every access is accounted for.
import { beforeAll, describe, expect, it } from 'vitest';
import { CARRY_FIRST } from '../codegen/accessStream.ts';
import { loadCodegen, type Codegen } from '../codegen/index.ts';
import { reuseSentences } from '../core/cache/figures.ts';
import { machineById } from '../core/cache/machines.ts';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { COUNTERS } from '../core/cache/simulator.ts';
import { kernelAccesses, liveCounters, simulateCache } from './cacheSim.ts';

const ZEN4 = machineById('zen4')!;
const MATMUL = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=128, n=128, k=128');

describe('simulateCache', () => {
  let codegen: Codegen;
  beforeAll(async () => {
    codegen = await loadCodegen();
  });

  const simulate = (schedule: string) =>
    simulateCache(codegen, MATMUL, parseSchedule(MATMUL, schedule), ZEN4, { reuse: true });

  it("a k split keeps B's lines in L1 across m, and says so", () => {
    const plain = simulate('m n k m:4 n:8');
    const split = simulate('k:4 m n k:32 m:4 n:8');
    const b = (f: typeof plain) => f.levels[0].tensors[2];
    // B (64 KiB) does not fit the 32 KiB L1: without the split every m iteration reloads it.
    expect(b(split).misses).toBeLessThan(b(plain).misses / 4);
    expect(plain.reuse?.[2].carriedBy.slice(0, 2)).toEqual(['one pass of the register tile', 'm:32 (loop 1)']);
    expect(split.reuse?.[2].carriedBy[0]).toBe('m:32 (loop 2)');
    expect(reuseSentences(split.reuse ?? [], ['L1d', 'L2'])[2]).toBe('B: L1d keeps its lines across m:32 (loop 2)');
    // The same figures with or without the reuse bookkeeping.
    const bare = simulateCache(codegen, MATMUL, parseSchedule(MATMUL, 'k:4 m n k:32 m:4 n:8'), ZEN4);
    expect(bare.levels).toEqual(split.levels);
  });

  it('files every access once: first touches of a line, or reuse carried by a loop or the tile', () => {
    const problem = parseProblem(
      'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
      'co=4, ci=3, oh=7, ow=9, kh=3, kw=3',
    );
    const schedule = parseSchedule(problem, 'co oh ci kh kw ow co:4');
    const accesses = kernelAccesses(codegen, problem, schedule);
    let firsts = 0;
    let total = 0;
    const lines = new Set<number>();
    accesses.run(
      (addresses, _codes, count, carries) => {
        for (let i = 0; i < count; i++) {
          total++;
          if (carries?.[i] === CARRY_FIRST) firsts++;
          lines.add(addresses[i] >>> 6);
        }
      },
      { lineBytes: 64, addressBytes: accesses.addressBytes },
    );
    expect(total).toBe(accesses.instructions);
    expect(firsts).toBe(lines.size);
    const f = simulateCache(codegen, problem, schedule, ZEN4, { reuse: true });
    const reuses = (f.reuse ?? []).reduce((s, t) => s + t.rows.reduce((x, r) => x + r.reuses, 0), 0);
    expect(reuses + firsts).toBe(f.instructions);
  });

  it("gives the sampler every reuse counter an access can change (the carries' reuse it leaves out stays 0)", () => {
    const levels = ZEN4.levels.length;
    const counts = levels * 3 * COUNTERS.length;
    for (const text of ['m n k m:4 n:8', 'n:4 k:2 pack(B) m pack(A) n:4 k:64 m:4 n:8', 'k:16 m:32 n:16 k:8 m:4 n:8']) {
      const schedule = parseSchedule(MATMUL, text);
      const accesses = kernelAccesses(codegen, MATMUL, schedule);
      const live = new Set(liveCounters(levels, 3, true, accesses.runtimeLoops));
      const used = new Set<number>();
      accesses.run(
        (_addresses, codes, count, carries) => {
          for (let i = 0; i < count; i++) used.add((codes[i] & 3) * 256 + (carries?.[i] ?? -1));
        },
        { lineBytes: 64, addressBytes: accesses.addressBytes },
      );
      expect(used.size, text).toBeGreaterThan(3);
      for (const at of used)
        for (let served = 0; served <= levels; served++)
          expect(live.has(counts + at * (levels + 1) + served), `${text}: tensor ${at >> 8}, carry ${at & 255}`).toBe(
            true,
          );
    }
    expect(liveCounters(levels, 3, false, 5)).toEqual(Int32Array.from({ length: counts }, (_, i) => i));
  });
});
