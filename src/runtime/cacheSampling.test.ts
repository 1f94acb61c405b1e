// Sampled cache simulation (codegen/streamSampling.ts) against the exact one on matmul 256^3 with
// a small budget, so that the sampling nests as it does on 2048^3 with the default budget: misses
// per level and tensor within 2%, the same figures twice, and the figures say how they were made.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Codegen, loadCodegen } from '../codegen/index.ts';
import { type CacheFigures, samplingGap } from '../core/cache/figures.ts';
import { machineById } from '../core/cache/machines.ts';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { SAMPLING_BUDGET, simulateCache } from './cacheSim.ts';
import { type CacheSimModule, loadCacheSim } from './wasmCacheSim.ts';

const ZEN4 = machineById('zen4')!;
const MATMUL = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
const BUDGET = 300_000;
// C of 512 KiB against zen3's 512 KiB L2: a working set on the level's LRU cliff.
const ZEN3 = machineById('zen3')!;
const WIDE = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=512, k=256');

/** Misses per level and tensor of `sampled` within `share` of `exact`'s. */
function expectMissesWithin(exact: CacheFigures, sampled: CacheFigures, share: number): void {
  const gap = samplingGap(sampled, exact);
  expect(gap, 'figures of the same levels and tensors').not.toBeNull();
  expect(
    gap?.relative,
    `${gap?.level} ${gap?.tensor}: ${gap?.sampled} sampled, ${gap?.exact} exact`,
  ).toBeLessThanOrEqual(share);
}

/** The figures of the first level alone. */
function firstLevel(figures: CacheFigures): CacheFigures {
  return { ...figures, levels: figures.levels.slice(0, 1) };
}

describe('sampled cache simulation', () => {
  let codegen: Codegen;
  beforeAll(async () => {
    codegen = await loadCodegen();
  });

  const both = (text: string) => {
    const schedule = parseSchedule(MATMUL, text);
    return {
      exact: simulateCache(codegen, MATMUL, schedule, ZEN4, { exact: true }),
      sampled: simulateCache(codegen, MATMUL, schedule, ZEN4, { budget: BUDGET }),
    };
  };

  it.each(['k:16 m:64 n:32 k:16 m:4 n:8', 'k:8 m n k:32 m:4 n:8', 'n:2 k:2 pack(B) m pack(A) n:16 k:128 m:4 n:8'])(
    '%s: misses per level and tensor within 2 percent of exact, from a fraction of the accesses',
    (text) => {
      const { exact, sampled } = both(text);
      expect(exact.method).toBe('exact');
      expect(sampled.method).toBe('sampled');
      expect(sampled.sampling?.simulated).toBeLessThan(exact.instructions / 4);
      expect(sampled.sampling?.loops.length).toBeGreaterThan(0);
      exact.levels.forEach((level, l) => {
        level.tensors.forEach((t, i) => {
          const s = sampled.levels[l].tensors[i];
          expect(Math.abs(s.misses - t.misses), `${level.name} ${t.tensor}`).toBeLessThanOrEqual(0.02 * t.misses);
          expect(s.compulsory + s.capacity + s.conflict).toBeCloseTo(s.misses, 6);
        });
      });
    },
  );

  it.each(['n:2 k:2 pack(B) m:64 pack(A) n:32 k:128 m:4 n:8', 'k:8 m n k:32 m:4 n:8'])(
    '%s with C the size of the L2: within 2 percent (outer levels replay every iteration skipped)',
    (text) => {
      const schedule = parseSchedule(WIDE, text);
      const exact = simulateCache(codegen, WIDE, schedule, ZEN3, { exact: true });
      const sampled = simulateCache(codegen, WIDE, schedule, ZEN3, { budget: BUDGET });
      expect(sampled.method).toBe('sampled');
      expect(sampled.sampling?.simulated).toBeLessThan(exact.instructions / 4);
      expectMissesWithin(exact, sampled, 0.02);
    },
  );

  it('a packed block of A swept again by every iteration of the loop around it: within 2 percent', () => {
    // m:32 runs inside n:16 and both are sampled: the first level must not keep the lines of the
    // block's first rows from one iteration of n to the next (skipped iterations evicted them).
    const schedule = parseSchedule(MATMUL, 'n:2 pack(B) m:2 pack(A) n:16 m:32 k:256 m:4 n:8');
    const exact = simulateCache(codegen, MATMUL, schedule, ZEN4, { exact: true });
    const sampled = simulateCache(codegen, MATMUL, schedule, ZEN4, { budget: BUDGET / 3 });
    expect(sampled.sampling?.loops.length).toBeGreaterThan(1);
    expectMissesWithin(exact, sampled, 0.02);
  });

  it('a loop whose last pair of iterations is unlike the rest: the skipped ones count as the pairs inside', () => {
    // A's L1 misses per iteration of n alternate 4, 8 but are 0, 4 in the last two: with the last
    // pair in the mean, A's L1 misses were 11.6% under.
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=16, n=1024, k=1024');
    const schedule = parseSchedule(problem, 'm n k m:4 n:8');
    const exact = simulateCache(codegen, problem, schedule, ZEN4, { exact: true });
    const sampled = simulateCache(codegen, problem, schedule, ZEN4, { budget: BUDGET });
    expect(sampled.method).toBe('sampled');
    expectMissesWithin(exact, sampled, 0.03);
  });

  it("a block of A the size of the L1, swept by each iteration of n while B's column thrashes a few sets: within 2 percent", () => {
    // B's column (rows 4 KiB apart) falls in one L1 set and 32 L2 sets, moving with n; A's block
    // (4 rows of k=2048, 32 KiB) stays. n's replays repeat the recorded iteration's misses of A
    // only, so A's lines the replayed B evicted from the L2 stayed in the L1 and missed the L2 in
    // the counted groups instead: A's L2 misses 28% over (19.9% on 2048^3) until the first level
    // forgot the lines of the tensors n does not move before the warm-up.
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=16, n=1024, k=2048');
    const schedule = parseSchedule(problem, 'm n k m:4 n:8');
    const exact = simulateCache(codegen, problem, schedule, ZEN4, { exact: true });
    const sampled = simulateCache(codegen, problem, schedule, ZEN4, { budget: BUDGET });
    expect(sampled.method).toBe('sampled');
    expect(sampled.sampling?.loops).toContain('n:128 (loop 2)');
    expectMissesWithin(exact, sampled, 0.02);
  });

  it('C the size of the L2, an iteration of the outer loop past its replay budget: within 2 percent', () => {
    // Outer levels keep their lines: forgetting them before a counted group left ways free that
    // the skipped iterations would have filled, and C's lines then stayed: 8.9% under on C's L2
    // misses. A group's first iteration, which finds what the skipped iterations left there,
    // counts only for itself: with it in the mean, 4.5% under.
    const schedule = parseSchedule(WIDE, 'k:16 m n k:16 m:4 n:8');
    const exact = simulateCache(codegen, WIDE, schedule, ZEN3, { exact: true });
    const sampled = simulateCache(codegen, WIDE, schedule, ZEN3, { budget: BUDGET });
    expect(sampled.method).toBe('sampled');
    expectMissesWithin(exact, sampled, 0.02);
  });

  describe('matmul 1024^3, blocks of A, B and C in the same L2 sets on the diagonal (k:8 at n:8), compiled', () => {
    // Misses per level (L1d, L2) and tensor (C, A, B) of an exact run (simulateCache with `exact`,
    // compiled): 3-6 s each, so held here rather than run.
    const BIG = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=1024, n=1024, k=1024');
    let compiled: CacheSimModule;
    beforeAll(async () => {
      compiled = await loadCacheSim();
    });
    const expectWithin = (text: string, exact: number[][], share: number) => {
      const sampled = simulateCache(codegen, BIG, parseSchedule(BIG, text), ZEN4, {
        compiled,
        budget: SAMPLING_BUDGET,
      });
      expect(sampled.method).toBe('sampled');
      exact.forEach((misses, l) => {
        misses.forEach((m, t) => {
          const s = sampled.levels[l].tensors[t];
          expect(Math.abs(s.misses - m), `${sampled.levels[l].name} ${s.tensor}`).toBeLessThanOrEqual(share * m);
        });
      });
    };

    it("the packing lesson's start: k:8 runs every iteration, m:32 replays every one skipped", () => {
      // Sampling k:8 weighed the diagonal by the iterations it ran (5 of 8, the diagonal in 1 of 4
      // counted); inside, m:32's replays (a budget of 500 accesses) left A's block behind B's in
      // the L2, and n:16's last pair (B still in the L2 from the last run of the loop) pulled the
      // mean down: B's L2 misses were 16.4% under.
      expectWithin(
        'n:8 k:8 m:8 n:16 m:32 k:128 m:4 n:8',
        [
          [1048576, 8388608, 33554432],
          [524288, 524288, 115712],
        ],
        0.02,
      );
    });

    it('with pack(B): n:16 replays every iteration skipped, keeping the packed panel in the L2', () => {
      // Without those replays the panel's lines the skipped iterations read left the L2, and the
      // next pack missed them: B's L2 misses 3% (8.6% before the rules above) over.
      expectWithin(
        'n:8 k:8 pack(B) m:8 n:16 m:32 k:128 m:4 n:8',
        [
          [1048576, 8388608, 940128],
          [528384, 529208, 126877],
        ],
        0.02,
      );
    });
  });

  it('conv 64x64x56x56 3x3: a group of oh starts after a warm-up iteration, leaving the L1 as the one before would', async () => {
    // Consecutive iterations of oh share 2 of their 3 rows of I; with no warm-up (one iteration
    // costs more than half a group's budget) the first of each group missed them: I's L1 misses
    // 4.3% over.
    const compiled = await loadCacheSim();
    const conv = parseProblem(
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
      'co=64, ci=64, oh=56, ow=56, kh=3, kw=3',
    );
    const schedule = parseSchedule(conv, 'co oh ci kh kw ow co:4');
    const exact = simulateCache(codegen, conv, schedule, ZEN4, { compiled, exact: true });
    const sampled = simulateCache(codegen, conv, schedule, ZEN4, { compiled, budget: SAMPLING_BUDGET });
    expect(sampled.method).toBe('sampled');
    expectMissesWithin(firstLevel(exact), firstLevel(sampled), 0.01);
    expectMissesWithin(exact, sampled, 0.025);
  });

  it('conv 128x128x28x28: a group of oh warms up on one iteration costing twice its budget', async () => {
    // Consecutive iterations of oh share 2 of their 3 rows of I; an iteration costs more than a
    // group's budget, and without the warm-up the first of each pair missed the rows the one before
    // would have left: I's L1 misses 70% over.
    const compiled = await loadCacheSim();
    const conv = parseProblem(
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
      'co=128, ci=128, oh=28, ow=28, kh=3, kw=3',
    );
    const schedule = parseSchedule(conv, 'ci:4 co:32 oh:28 ow:28 ci:32 kh:3 kw:3 co:4');
    const exact = simulateCache(codegen, conv, schedule, ZEN4, { compiled, exact: true });
    const sampled = simulateCache(codegen, conv, schedule, ZEN4, { compiled, budget: SAMPLING_BUDGET });
    expect(sampled.sampling?.loops).toContain('oh:28 (loop 3)');
    expectMissesWithin(exact, sampled, 0.02);
  });

  it('a loop stepping a 3 x 12 tile by 48 bytes is sampled by 4 iterations at a time: within 5 percent', async () => {
    // C's new lines come 1, 1, 1, 0 in 4 iterations of n; counted one at a time, the first three
    // of them weighed as every iteration: C's L2 misses 16% over. (n:16 has 4 units, too few to
    // sample: it runs in full inside the sampled m:42.)
    const compiled = await loadCacheSim();
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=512, n=512, k=512');
    const schedule = parseSchedule(problem, 'n:2 r128 k:4 pack(B) m:42 r8 n:16 m:4 k:128 m:3 n:12');
    const exact = simulateCache(codegen, problem, schedule, ZEN4, { compiled, exact: true });
    const sampled = simulateCache(codegen, problem, schedule, ZEN4, { compiled, budget: BUDGET });
    expect(sampled.sampling?.loops).toContain('m:42 r8 (loop 3)');
    expect(sampled.sampling?.loops).not.toContain('n:16 (loop 4)');
    expectMissesWithin(exact, sampled, 0.05);
  });

  it('runs a short loop deep in a sampled nest in full, and its counts stay whole lines', async () => {
    // k:256 of a 4 x 8 tile makes 6 accesses an iteration and steps A by 4 bytes, a new line every
    // 16th. Five loops down it is left a few accesses of budget; counting iterations that short
    // costs more than running them. Each line of A (16 of k) misses the L1 once per iteration of
    // the two n loops around it (n:16 x n:16), nothing else keeping it: 2048 x 2048 / 16 x 256.
    const compiled = await loadCacheSim();
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=2048, n=2048, k=2048');
    const schedule = parseSchedule(problem, 'n:16 k:8 m:16 n:16 m:32 k:256 m:4 n:8');
    const sampled = simulateCache(codegen, problem, schedule, ZEN4, { compiled, budget: SAMPLING_BUDGET });
    expect(sampled.sampling?.loops).toContain('m:32 (loop 5)');
    expect(sampled.sampling?.loops).not.toContain('k:256 (loop 6)');
    const a = sampled.levels[0].tensors.find((t) => t.tensor === 'A');
    expect(a?.misses).toBeCloseTo(((2048 * 2048) / 16) * 256, -4);
  });

  it('forgets, after skipped iterations, only in the sets they fill: a packed A beside rows of C in 8 sets', async () => {
    // Each iteration of m:64 misses 3 rows of C, 4 KiB apart: 24 lines in 8 of the L1's 64 sets.
    // The packed block of A (192 rows of 64 bytes) sits in every set; the iterations skipped keep
    // it outside those 8. Forgetting it in every set made A's L1 misses 82% over.
    const compiled = await loadCacheSim();
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=1024, n=1024, k=1024');
    const schedule = parseSchedule(problem, 'n:8 k:64 pack(B) m:5 r64 pack(A) m:64 n:8 k:16 m:3 n:16');
    const exact = simulateCache(codegen, problem, schedule, ZEN4, { compiled, exact: true });
    const sampled = simulateCache(codegen, problem, schedule, ZEN4, { compiled, budget: SAMPLING_BUDGET });
    expect(sampled.sampling?.loops).toContain('m:64 (loop 4)');
    const a = (f: CacheFigures) => f.levels[0].tensors.find((t) => t.tensor === 'A')?.misses ?? 0;
    expect(Math.abs(a(sampled) - a(exact))).toBeLessThan(0.25 * a(exact));
  });

  it('after replays, the L1 forgets the lines the loop does not move only in the sets it fills: the packed B stays', async () => {
    // m:64's iterations miss 4 rows of A and of C, 4 KiB apart, in a few of the L1's sets; the
    // packed B (32 KiB) stays in the others. Forgotten in every set, B's L1 misses were 244% over.
    const compiled = await loadCacheSim();
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=1024, n=1024, k=1024');
    const schedule = parseSchedule(problem, 'n:16 k:8 pack(B) m:64 n:8 m:4 k:128 m:4 n:8');
    const exact = simulateCache(codegen, problem, schedule, ZEN4, { compiled, exact: true });
    const sampled = simulateCache(codegen, problem, schedule, ZEN4, { compiled, budget: SAMPLING_BUDGET });
    expect(sampled.sampling?.loops).toContain('m:64 (loop 3)');
    expectMissesWithin(exact, sampled, 0.05);
  });

  it("forgets at the L2 with a horizon per set: B's column thrashes 32 sets, A's block stays in the others", async () => {
    // Each iteration of m:16 reads B's 8 columns down all of k: 1024 lines 4 KiB apart, in 32 of the
    // L2's 2048 sets (8 ways), which they overflow every time; A's 4 new rows go one line to a set.
    // One horizon for the whole level (the L2's lines over all of an iteration's fills) forgot A's
    // block in every set, and A's L2 misses were 484% over.
    const compiled = await loadCacheSim();
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=1024, n=1024, k=1024');
    const schedule = parseSchedule(problem, 'n:4 m:16 n:32 m:16 k:1024 m:4 n:8');
    const exact = simulateCache(codegen, problem, schedule, ZEN4, { compiled, exact: true });
    const sampled = simulateCache(codegen, problem, schedule, ZEN4, { compiled, budget: SAMPLING_BUDGET });
    expect(sampled.sampling?.loops).toEqual(expect.arrayContaining(['n:32 (loop 3)', 'm:16 (loop 4)']));
    expectMissesWithin(exact, sampled, 0.05);
  });

  it('gives the same figures twice, and exact ones when the kernel is within the budget', () => {
    const schedule = parseSchedule(MATMUL, 'm n k m:4 n:8');
    const run = () => {
      const { simulateMs: _, ...figures } = simulateCache(codegen, MATMUL, schedule, ZEN4, {
        reuse: true,
        budget: BUDGET,
      });
      return figures;
    };
    const first = run();
    expect(first.method).toBe('sampled');
    expect(run()).toEqual(first);
    const whole = simulateCache(codegen, MATMUL, schedule, ZEN4, { budget: 1e9 });
    expect(whole.method).toBe('exact');
    expect(whole.sampling).toBeUndefined();
  });
});
