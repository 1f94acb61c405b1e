// The expert grid: its schedules per family, fitted to small sizes, and the best one measured.
import { describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { printSchedule } from '../core/schedule.ts';
import { loadCodegen, detectTarget } from '../codegen/index.ts';
import { measureSchedule } from '../runtime/measure.ts';
import {
  blockedConvEntries,
  blockedSpecs,
  CONV_TILES,
  expertGrid,
  expertTune,
  PACKED_BLOCKS,
  packedConvEntries,
  packedEntries,
  packedExpertEntries,
} from './expert.ts';
import { isLegalSpec, tileSchedule } from './tileSpace.ts';
import { functionOracle } from './oracle.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const CONV = 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]';

/** Every schedule's kernel on `problem` agrees with the reference. */
async function expectCorrect(problem: Problem, schedules: Schedule[]): Promise<void> {
  const codegen = await loadCodegen();
  const target = await detectTarget();
  for (const schedule of schedules) {
    const m = await measureSchedule(codegen, problem, schedule, target, { checkOnly: true, full: true });
    expect(m.correct, m.reason).toBe(true);
  }
}

describe('expertGrid', () => {
  it('has the 18 matmul schedules: six register tiles, untiled and with k split by 32 and 64', () => {
    const grid = expertGrid(parseProblem(MATMUL, 'm=256, n=256, k=256')).map((e) => printSchedule(e.schedule));
    expect(grid).toHaveLength(18);
    expect(grid).toContain('m:64 n:32 k:256 m:4 n:8');
    expect(grid).toContain('m:128 n:16 k:256 m:2 n:16');
    expect(grid).toContain('k:8 m:64 n:32 k:32 m:4 n:8');
    expect(grid).toContain('k:4 m:42 r4 n:32 k:64 m:6 n:8');
  });

  it('puts the batch outermost for a batched matmul', () => {
    const grid = expertGrid(parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=8, m=128, n=128, k=64')).map((e) =>
      printSchedule(e.schedule),
    );
    // k = 64: the split by 64 is the untiled schedule again.
    expect(grid).toHaveLength(12);
    expect(grid).toContain('b:8 m:64 n:8 k:64 m:2 n:16');
    expect(grid).toContain('k:2 b:8 m:32 n:16 k:32 m:4 n:8');
  });

  it('tiles a convolution over co x oh x ow', () => {
    const grid = expertGrid(parseProblem(CONV, 'co=64, ci=64, oh=56, ow=56, kh=3, kw=3')).map((e) =>
      printSchedule(e.schedule),
    );
    expect(grid).toHaveLength(CONV_TILES.length);
    expect(grid).toContain('co:16 oh:28 ow:14 ci:64 kh:3 kw:3 co:4 oh:2 ow:4');
    expect(grid).toContain('co:32 oh:14 ow:7 ci:64 kh:3 kw:3 co:2 oh:4 ow:8');
  });

  it('fits the tiles to small sizes instead of leaving a problem without a reference', () => {
    const grid = expertGrid(parseProblem(CONV, 'co=3, ci=5, oh=7, ow=7, kh=5, kw=5')).map((e) =>
      printSchedule(e.schedule),
    );
    expect(grid.length).toBeGreaterThan(3);
    // ow:16 is cut to the whole of ow = 7; co:4 to co = 3.
    expect(grid).toContain('oh:7 ci:5 kh:5 kw:5 co:3 ow:7');
    expect(new Set(grid).size).toBe(grid.length);
    expect(expertGrid(parseProblem(MATMUL, 'm=3, n=5, k=7')).length).toBeGreaterThan(0);
  });
});

describe('expertTune', () => {
  it('measures every entry and answers with the fastest', async () => {
    const p = parseProblem(MATMUL, 'm=256, n=256, k=256');
    const oracle = functionOracle((_, s) =>
      printSchedule(s) === 'k:8 m:128 n:16 k:32 m:2 n:16' ? 50 : 10 + s.loops.length,
    );
    const r = await expertTune(p, oracle);
    expect(oracle.calls).toBe(18);
    expect(printSchedule(r.schedule)).toBe('k:8 m:128 n:16 k:32 m:2 n:16');
    expect(r.gflops).toBe(50);
  });
});

describe('the packed, cache-blocked entries', () => {
  it('a large matmul gets BLIS-ordered packed schedules; a small one none', () => {
    const large = expertGrid(parseProblem(MATMUL, 'm=1024, n=1024, k=1024')).map((e) => printSchedule(e.schedule));
    expect(large).toHaveLength(18 + 18 + PACKED_BLOCKS.length);
    expect(large).toContain('n:8 k:8 pack(B) m:256 pack(A) n:16 k:128 m:4 n:8');
    // B packed alone, A read in place: the best measured at 1024-2048 (docs/benchmarks.md).
    expect(large).toContain('n:8 k:8 pack(B) m:256 n:16 k:128 m:4 n:8');
    expect(large).toContain('n:8 k:8 pack(B) m:64 n:16 m:4 k:128 m:4 n:8');
    expect(large).toContain('n:4 k:4 pack(B) m:256 n:32 k:256 m:4 n:8');
    // 3 x 12 (9 accumulators): 1536 x 1536 x 768 at 90% of peak; with tails elsewhere.
    const mid = expertGrid(parseProblem(MATMUL, 'm=1536, n=1536, k=768')).map((e) => printSchedule(e.schedule));
    expect(mid).toContain('n:8 k:6 pack(B) m:128 n:16 m:4 k:128 m:3 n:12');
    // BLIS with NC >= n: no panel loop over n, B's whole k slice packed, 96 rows of A packed per block.
    const huge = packedEntries(parseProblem(MATMUL, 'm=2048, n=2048, k=2048')).map((s) => printSchedule(s));
    expect(huge).toContain('k:8 pack(B) m:21 r32 pack(A) n:170 r8 m:32 k:256 m:3 n:12');
    // The 6 x 8 tile in that blocking, the best in Chromium (docs/benchmarks.md).
    expect(huge).toContain('k:8 pack(B) m:21 r32 pack(A) n:256 m:16 k:256 m:6 n:8');
    expect(large).toContain('k:4 pack(B) m:10 r64 pack(A) n:128 m:16 k:256 m:6 n:8');
    // The cache-blocked entries in the agent's layout: a k slice, within 256-wide panels of n, packed or not.
    expect(large).toContain('k:8 m:256 n:128 k:128 m:4 n:8');
    expect(large).toContain('n:4 k:4 m:256 n:32 k:256 m:4 n:8');
    expect(large).toContain('n:4 k:8 pack(B) m:512 pack(A) n:16 k:128 m:2 n:16');
    // The agent reaches every one of them: its spec gives back its schedule.
    const p = parseProblem(MATMUL, 'm=1024, n=1024, k=1024');
    const specs = blockedSpecs(p);
    expect(specs).toHaveLength(18);
    for (const spec of specs) expect(large).toContain(printSchedule(tileSchedule(p, spec)!));
    // So is every packed entry (B alone, BLIS's order): its spec, the agent's seed, gives back its schedule.
    for (const sizes of [
      'm=1024, n=1024, k=1024',
      'm=2048, n=2048, k=2048',
      'm=677, n=1871, k=1523',
      'm=768, n=1536, k=640',
    ]) {
      const q = parseProblem(MATMUL, sizes);
      const entries = packedExpertEntries(q);
      expect(entries.length).toBeGreaterThan(6);
      for (const e of entries) {
        expect(isLegalSpec(q, e.spec)).toBe(true);
        expect(printSchedule(tileSchedule(q, e.spec)!)).toBe(printSchedule(e.schedule));
      }
    }
    expect(
      expertGrid(parseProblem(MATMUL, 'm=256, n=256, k=256')).every((e) => !e.schedule.loops.some((l) => l.packs)),
    ).toBe(true);
  });

  it('a convolution with many input channels also gets every tile with ci split by 64', () => {
    const grid = expertGrid(parseProblem(CONV, 'co=256, ci=256, oh=28, ow=28, kh=3, kw=3')).map((e) =>
      printSchedule(e.schedule),
    );
    expect(grid).toHaveLength(2 * CONV_TILES.length);
    expect(grid).toContain('ci:4 co:64 oh:14 ow:7 ci:64 kh:3 kw:3 co:4 oh:2 ow:4');
  });

  it('batched: the batch stays outermost; odd sizes leave tails, never a loop that runs once', () => {
    const bmm = packedEntries(parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=512, n=512, k=512'));
    expect(bmm.length).toBeGreaterThan(0);
    for (const s of bmm) expect(s.loops[0].variable).toBe('b');
    const odd = packedEntries(parseProblem(MATMUL, 'm=1100, n=900, k=1300'));
    expect(odd.length).toBeGreaterThan(0);
    for (const s of odd) for (const l of s.loops) expect(l.trip >= 2 || l.tail > 0).toBe(true);
  });

  it('an NHWC convolution with many input channels gets the packed entries (image per ci slice, weights per 16 channels), correct with tails', async () => {
    const nhwc = 'O[oh,ow,co] += I[oh+kh,ow+kw,ci] * W[kh,kw,ci,co]';
    const deep = expertGrid(parseProblem(nhwc, 'co=512, ci=512, oh=7, ow=7, kh=3, kw=3')).map((e) =>
      printSchedule(e.schedule),
    );
    expect(deep).toContain('ci:64 pack(I) co:32 pack(W) ow:3 r1 oh:7 kh:3 kw:3 ci:8 ow:2 co:16');
    expect(deep).toContain('ci:32 pack(I) co:32 pack(W) ow:3 r1 oh:7 kh:3 kw:3 ci:16 ow:2 co:16');
    // Not for CHW, nor for few input channels.
    expect(packedConvEntries(parseProblem(CONV, 'co=256, ci=256, oh=14, ow=14, kh=3, kw=3'))).toEqual([]);
    expect(packedConvEntries(parseProblem(nhwc, 'co=256, ci=64, oh=14, ow=14, kh=3, kw=3'))).toEqual([]);
    // Odd sizes everywhere (tails in ow, co and ci), inputs in the other order: checked against the reference.
    const odd = parseProblem(
      'O[oh,ow,co] += W[kh,kw,ci,co] * I[oh+kh,ow+kw,ci]',
      'co=40, ci=136, oh=3, ow=5, kh=3, kw=2',
    );
    const entries = packedConvEntries(odd);
    expect(entries.map((s) => printSchedule(s))).toEqual([
      'ci:17 pack(I) co:2 r8 pack(W) ow:2 r1 oh:3 kh:3 kw:2 ci:8 ow:2 co:16',
      'ci:8 r8 pack(I) co:2 r8 pack(W) ow:2 r1 oh:3 kh:3 kw:2 ci:16 ow:2 co:16',
    ]);
    await expectCorrect(odd, entries);
  });

  it("a convolution with weights blocked in 16-channel micro-panels gets the unpacked entries, in W's order, correct with tails", async () => {
    const blocked = 'O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,ci,cv]';
    const deep = expertGrid(parseProblem(blocked, 'oh=7, ow=7, cb=32, cv=16, ci=512, kh=3, kw=3')).map((e) =>
      printSchedule(e.schedule),
    );
    expect(deep).toContain('cb:32 ow:3 r1 oh:7 kh:3 kw:3 ci:512 ow:2 cv:16');
    expect(deep).toContain('ci:32 cb:32 ow:3 r1 oh:7 kh:3 kw:3 ci:16 ow:2 cv:16');
    const specs = expertGrid(parseProblem(blocked, 'oh=7, ow=7, cb=32, cv=16, ci=512, kh=3, kw=3'));
    const specOf = (text: string) => specs.find((e) => printSchedule(e.schedule) === text)?.spec;
    expect(specOf('cb:32 ow:3 r1 oh:7 kh:3 kw:3 ci:512 ow:2 cv:16')).toMatchObject({
      tile: { ow: 2, cv: 16 },
      reductionTile: 0,
    });
    expect(specOf('ci:32 cb:32 ow:3 r1 oh:7 kh:3 kw:3 ci:16 ow:2 cv:16')?.reductionTile).toBe(16);
    // The reduction loops follow W's order.
    expect(
      blockedConvEntries(
        parseProblem(
          'O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,ci,kh,kw,cv]',
          'oh=7, ow=7, cb=2, cv=16, ci=64, kh=3, kw=3',
        ),
      ).map((s) => printSchedule(s)),
    ).toEqual(['cb:2 ow:3 r1 oh:7 ci:64 kh:3 kw:3 ow:2 cv:16', 'ci:4 cb:2 ow:3 r1 oh:7 ci:16 kh:3 kw:3 ow:2 cv:16']);
    // Not for micro-panels of another width, nor for NHWC.
    expect(blockedConvEntries(parseProblem(blocked, 'oh=7, ow=7, cb=64, cv=8, ci=512, kh=3, kw=3'))).toEqual([]);
    expect(
      blockedConvEntries(
        parseProblem('O[oh,ow,co] += I[oh+kh,ow+kw,ci] * W[kh,kw,ci,co]', 'co=512, ci=512, oh=7, ow=7, kh=3, kw=3'),
      ),
    ).toEqual([]);
    // Odd sizes (tails in ow and ci), inputs in the other order: checked against the reference.
    const odd = parseProblem(
      'O[oh,ow,cb,cv] += W[cb,kh,kw,ci,cv] * I[oh+kh,ow+kw,ci]',
      'oh=3, ow=5, cb=3, cv=16, ci=40, kh=3, kw=2',
    );
    const entries = blockedConvEntries(odd);
    expect(entries.map((s) => printSchedule(s))).toEqual([
      'cb:3 ow:2 r1 oh:3 kh:3 kw:2 ci:40 ow:2 cv:16',
      'ci:2 r8 cb:3 ow:2 r1 oh:3 kh:3 kw:2 ci:16 ow:2 cv:16',
    ]);
    await expectCorrect(odd, entries);
  });
});
