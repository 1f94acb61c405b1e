// The agent's search: the exhaustive optimum on a tiny problem with a fake oracle, only a few
// measurements, the time budget, and no dead loops in what it returns.
import { describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { seededRandom } from '../core/random.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { expertGrid } from './expert.ts';
import { functionOracle } from './oracle.ts';
import { accumulators, allSpecs, deadLoop, tileSchedule } from './tileSpace.ts';
import {
  CLOSE_TURNS,
  DEFAULT_TILE_SEARCH,
  EXTRA_SHARE,
  FLOOR_SHARE,
  MIN_MEASURED,
  tileSearch,
  withSeedsFirst,
  type Candidate,
  type Scorer,
} from './tileSearch.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const CONV = 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]';

/** A made-up machine: 8 accumulators are best, a 2x16 tile best of those, and a k split by 32 helps a little. */
function fakeGflops(problem: Problem, s: Schedule): number {
  const inner = s.loops
    .slice(-2)
    .map((l) => `${l.variable}${l.trip}`)
    .join(' ');
  const accs = s.loops.slice(-2).reduce((a, l) => a * l.trip, 1) / 4;
  const split =
    s.loops.some((l, i) => i > 0 && l.variable === 'k' && l.trip === 32) &&
    s.loops.filter((l) => l.variable === 'k').length > 1
      ? 1
      : 0;
  return 10 + 20 * Math.exp(-((accs - 8) ** 2) / 8) + (inner === 'm2 n16' ? 3 : 0) + 2 * split + problem.flops * 0;
}

describe('tileSearch', () => {
  it('returns the exhaustive optimum of a tiny problem, measuring only a few schedules', async () => {
    const p = parseProblem(MATMUL, 'm=16, n=32, k=64');
    const exhaustive = Math.max(...allSpecs(p).map((s) => fakeGflops(p, tileSchedule(p, s)!)));
    const oracle = functionOracle(fakeGflops);
    // A cost model that ranks well but not exactly: the truth with seeded noise.
    const noise = seededRandom(5);
    const scorer: Scorer = (problem, schedules) => schedules.map((s) => fakeGflops(problem, s) * (0.9 + 0.2 * noise()));
    const r = await tileSearch(p, oracle, scorer, { measure: 6, extraMeasure: 0, budgetMs: 1e9 });
    expect(r.gflops).toBe(exhaustive);
    // The fake machine ignores panels: any k:32 split around a 2x16 tile is optimal.
    expect(printSchedule(r.schedule)).toMatch(/^k:2 .*k:32 m:2 n:16$/);
    expect(r.measuredCandidates.length).toBeLessThanOrEqual(6);
    expect(allSpecs(p).length).toBeGreaterThan(10 * 6);
    expect(oracle.calls).toBe(r.evaluations);
    expect(r.actions.length).toBeGreaterThan(0);
    for (const c of r.measuredCandidates) expect(accumulators(p, c.spec)).toBeGreaterThanOrEqual(4);
    for (const c of r.measuredCandidates) expect(accumulators(p, c.spec)).toBeLessThanOrEqual(12);
  });

  it('misses the optimum when the scorer is wrong and it may measure one schedule (the scorer matters)', async () => {
    const p = parseProblem(MATMUL, 'm=16, n=32, k=64');
    const exhaustive = Math.max(...allSpecs(p).map((s) => fakeGflops(p, tileSchedule(p, s)!)));
    const inverted: Scorer = (problem, schedules) => schedules.map((s) => -fakeGflops(problem, s));
    const r = await tileSearch(p, functionOracle(fakeGflops), inverted, { measure: 1, extraMeasure: 0, budgetMs: 1e9 });
    expect(r.gflops).toBeLessThan(exhaustive);
  });

  it('stops measuring when the next measurement would overrun the budget (but measures one)', async () => {
    const p = parseProblem(MATMUL, 'm=64, n=64, k=64');
    let clock = 0;
    const oracle = functionOracle((problem, s) => {
      clock += 300;
      return fakeGflops(problem, s);
    });
    const scorer: Scorer = (problem, schedules) => schedules.map((s) => fakeGflops(problem, s));
    const r = await tileSearch(p, oracle, scorer, { measure: 8, extraMeasure: 0, budgetMs: 1000, now: () => clock });
    // At 600 ms a third measurement would fit only if it took no longer than the others (the
    // search leaves a margin of half the longest: 600 + 450 > 1000).
    expect(r.evaluations).toBe(2);
    expect(r.budgetSpent).toBe(true);
    expect(r.totalMs).toBeLessThanOrEqual(1000);
    const none = await tileSearch(p, oracle, scorer, { budgetMs: 0, now: () => clock });
    expect(none.evaluations).toBe(1);
  });

  it('never returns a schedule with a loop of trip 1', async () => {
    const problems = [
      parseProblem(MATMUL, 'm=33, n=5, k=40'),
      parseProblem(MATMUL, 'm=4, n=64, k=32'),
      parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=3, m=7, n=9, k=45'),
      parseProblem(CONV, 'co=27, ci=13, oh=7, ow=7, kh=5, kw=5'),
      parseProblem(CONV, 'co=8, ci=16, oh=6, ow=6, kh=1, kw=1'),
    ];
    for (const p of problems) {
      for (const seed of [1, 2, 3]) {
        const noise = seededRandom(seed);
        const r = await tileSearch(
          p,
          functionOracle(() => 1 + noise()),
          (_, ss) => ss.map(() => noise()),
          { budgetMs: 1e9 },
        );
        expect(deadLoop(p, r.schedule)).toBeNull();
        for (const loop of r.schedule.loops) if (loop.trip === 1) expect(p.sizes[loop.variable]).toBe(1);
      }
    }
  });

  it('nor does the agent seeded with the expert grid on large problems, nor anything it measures', async () => {
    const problems = [
      parseProblem(MATMUL, 'm=768, n=1536, k=640'),
      parseProblem(MATMUL, 'm=1999, n=613, k=1031'),
      parseProblem(MATMUL, 'm=2048, n=2048, k=2048'),
      parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=512, n=512, k=64'),
      parseProblem(CONV, 'co=512, ci=512, oh=7, ow=7, kh=3, kw=3'),
      parseProblem(CONV, 'co=512, ci=256, oh=14, ow=14, kh=1, kw=1'),
    ];
    for (const p of problems) {
      const noise = seededRandom(p.flops % 1000);
      const r = await tileSearch(
        p,
        functionOracle(() => 1 + noise()),
        (_, ss) => ss.map(() => noise()),
        { budgetMs: 1e9, seeds: expertGrid(p).map((e) => e.spec) },
      );
      for (const s of [r.schedule, ...r.measuredCandidates.map((c) => c.schedule)]) {
        expect(deadLoop(p, s)).toBeNull();
        for (const loop of s.loops) if (loop.trip === 1) expect(p.sizes[loop.variable]).toBe(1);
      }
    }
  });
});

describe('measurementOrder', () => {
  it('takes turns between reduction splits predicted near the best, best predicted first within each, then the rest', async () => {
    const { measurementOrder } = await import('./tileSearch.ts');
    const c = (reductionTile: number, predicted: number) => ({
      spec: { tile: {}, reductionTile },
      schedule: { loops: [] },
      actions: [],
      predicted,
    });
    const order = measurementOrder([c(0, 9), c(0, 8), c(0, 7), c(32, 5), c(64, 7.5), c(32, 1), c(16, 7.2)]);
    // Splits by 64 and 16 are within 65% of 9 (5.85); by 32 (5) is not.
    expect(order.map((x) => `${x.spec.reductionTile}:${x.predicted}`)).toEqual([
      '0:9',
      '64:7.5',
      '16:7.2',
      '0:8',
      '0:7',
      '32:5',
      '32:1',
    ]);
  });
});

describe('measurementOrder with the vectorized variable', () => {
  it('takes turns between tile widths along it as well as reduction splits', async () => {
    const { measurementOrder } = await import('./tileSearch.ts');
    const c = (n: number, reductionTile: number, predicted: number) => ({
      spec: { tile: { m: 2, n }, reductionTile },
      schedule: { loops: [] },
      actions: [],
      predicted,
    });
    const candidates = [c(8, 0, 9), c(8, 0, 8.5), c(16, 0, 8), c(8, 32, 7.9), c(19, 0, 7.5), c(4, 0, 3)];
    const order = measurementOrder(candidates, 'n').map((x) => `${x.spec.tile.n}/${x.spec.reductionTile}`);
    // The best of each group within 65% of 9 first (8/0, 16/0, 8/32, 19/0), then the rest.
    expect(order).toEqual(['8/0', '16/0', '8/32', '19/0', '8/0', '4/0']);
    // Without it, only reduction splits take turns.
    expect(measurementOrder(candidates).map((x) => `${x.spec.tile.n}/${x.spec.reductionTile}`)).toEqual([
      '8/0',
      '8/32',
      '8/0',
      '16/0',
      '19/0',
      '4/0',
    ]);
  });
});

describe('tileSearch on a slow machine', () => {
  it('starts no round of scoring after half the budget', async () => {
    const p = parseProblem(MATMUL, 'm=64, n=64, k=64');
    let clock = 0;
    const slowScorer: Scorer = (problem, schedules) => {
      clock += 300;
      return schedules.map((s) => fakeGflops(problem, s));
    };
    const r = await tileSearch(p, functionOracle(fakeGflops), slowScorer, { budgetMs: 1000, now: () => clock });
    // The root (scored by 300 ms) and round 1 (by 600 ms); round 2 would start after 500 ms.
    expect(r.rounds).toHaveLength(2);
    expect(r.evaluations).toBeGreaterThanOrEqual(1);
  });
});

describe('tileSearch with seeds', () => {
  it('scores the seeds with the root, reaches them by their macro-action path, and may answer with one', async () => {
    const p = parseProblem(MATMUL, 'm=64, n=64, k=64');
    // A machine where only one blocked spec is fast, far from the untiled start.
    const target = 'k:2 m:32 n:4 k:32 m:2 n:16';
    const oracle = functionOracle((_, s) => (printSchedule(s) === target ? 50 : 10));
    const scorer: Scorer = (_, schedules) => schedules.map((s) => (printSchedule(s) === target ? 1 : 0.5));
    const seed = { tile: { m: 2, n: 16 }, reductionTile: 32 };
    const r = await tileSearch(p, oracle, scorer, {
      seeds: [seed],
      depth: 1,
      measure: 1,
      extraMeasure: 0,
      budgetMs: 1e9,
    });
    expect(printSchedule(r.schedule)).toBe(target);
    expect([...r.actions].sort()).toEqual(['rtile_32', 'tile_m_2', 'tile_n_16']);
    expect(r.rounds[0].map((c) => printSchedule(c.schedule))).toContain(target);
    // Without the seed, one round from the untiled spec cannot get there.
    const alone = await tileSearch(
      p,
      functionOracle((_, s) => (printSchedule(s) === target ? 50 : 10)),
      scorer,
      {
        depth: 1,
        measure: 1,
        budgetMs: 1e9,
      },
    );
    expect(printSchedule(alone.schedule)).not.toBe(target);
  });
});

describe('tileSearch re-measures its finalists', () => {
  it('measures the best few again when time is left and keeps the better figure', async () => {
    const p = parseProblem(MATMUL, 'm=16, n=32, k=64');
    const calls = new Map<string, number>();
    // A noisy machine: every schedule's first timing is 10, its second 10 + its true speed.
    const oracle = functionOracle((problem, s) => {
      const key = printSchedule(s);
      const n = (calls.get(key) ?? 0) + 1;
      calls.set(key, n);
      return n === 1 ? 10 : 10 + fakeGflops(problem, s);
    });
    const scorer: Scorer = (problem, schedules) => schedules.map((s) => fakeGflops(problem, s));
    const r = await tileSearch(p, oracle, scorer, { measure: 4, extraMeasure: 0, budgetMs: 1e9, remeasure: 3 });
    // The 3 best again; then, their second figures within 5%, the two best take turns twice more.
    expect(r.evaluations).toBe(r.measuredCandidates.length + 3 + 2 * CLOSE_TURNS);
    expect(oracle.calls).toBe(r.evaluations);
    expect(r.gflops).toBeGreaterThan(10);
    const none = await tileSearch(
      p,
      functionOracle(() => 10),
      scorer,
      { measure: 4, extraMeasure: 0, budgetMs: 1e9, remeasure: 0 },
    );
    expect(none.evaluations).toBe(none.measuredCandidates.length);
  });
});

/** An oracle giving the first schedule it sees `first` GFLOPS, the second `second`, every other 50; it records the calls. */
function rankedOracle(first: number, second: number) {
  const figure = new Map<string, number>();
  const calls: { key: string; floor?: number }[] = [];
  return {
    calls,
    figure,
    async gflops(_problem: Problem, s: Schedule, query: { floorGflops?: number } = {}) {
      const key = printSchedule(s);
      if (!figure.has(key)) figure.set(key, [first, second][figure.size] ?? 50);
      calls.push({ key, ...(query.floorGflops === undefined ? {} : { floor: query.floorGflops }) });
      return figure.get(key) as number;
    },
  };
}

describe('tileSearch measures the two best again in turns', () => {
  const p = parseProblem(MATMUL, 'm=16, n=32, k=64');
  const scorer: Scorer = (problem, schedules) => schedules.map((s) => fakeGflops(problem, s));

  it('runner-up before the best, and again while they are within 5%', async () => {
    const oracle = rankedOracle(100, 98);
    const r = await tileSearch(p, oracle, scorer, { measure: 4, extraMeasure: 0, budgetMs: 1e9, remeasure: 2 });
    const [a, b] = [...oracle.figure.keys()];
    expect(oracle.calls.slice(4).map((c) => c.key)).toEqual([b, a, b, a, b, a]);
    expect(r.evaluations).toBe(4 + 2 + 2 * CLOSE_TURNS);
    expect(r.gflops).toBe(100);
  });

  it('only once when the second is further off', async () => {
    const oracle = rankedOracle(100, 80);
    const r = await tileSearch(p, oracle, scorer, { measure: 4, extraMeasure: 0, budgetMs: 1e9, remeasure: 2 });
    const [a, b] = [...oracle.figure.keys()];
    expect(oracle.calls.slice(4).map((c) => c.key)).toEqual([b, a]);
    expect(r.evaluations).toBe(6);
  });

  it('answers with the best of the figures taken again, when every finalist was measured again', async () => {
    // The first schedule measured read 100 in a quiet moment, then 50; the second 90, then 60.
    const seen: string[] = [];
    const counts = new Map<string, number>();
    const oracle = functionOracle((_problem, s) => {
      const key = printSchedule(s);
      if (!seen.includes(key)) seen.push(key);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      const i = seen.indexOf(key);
      if (i === 0) return n === 1 ? 100 : 50;
      if (i === 1) return n === 1 ? 90 : 60;
      return 40;
    });
    const r = await tileSearch(p, oracle, scorer, { measure: 4, extraMeasure: 0, budgetMs: 1e9, remeasure: 2 });
    expect(printSchedule(r.schedule)).toBe(seen[1]);
    // Their figures are those taken again; the answer is the fastest figure.
    expect(r.gflops).toBe(60);
    expect(r.measuredCandidates.find((c) => printSchedule(c.schedule) === seen[0])?.measured).toBe(50);
    expect(r.gflops).toBe(Math.max(...r.measuredCandidates.map((c) => c.measured as number)));
    expect(r.evaluations).toBe(6);
  });

  it('measures each candidate with a floor of half the best so far, and the finalists without one', async () => {
    const oracle = rankedOracle(100, 98);
    await tileSearch(p, oracle, scorer, { measure: 4, extraMeasure: 0, budgetMs: 1e9, remeasure: 2 });
    expect(oracle.calls.map((c) => c.floor)).toEqual([
      undefined,
      FLOOR_SHARE * 100,
      FLOOR_SHARE * 100,
      FLOOR_SHARE * 100,
      ...Array(6).fill(undefined),
    ]);
  });

  it('measures MIN_MEASURED candidates, then keeps time to measure the two best again, within the budget', async () => {
    let clock = 0;
    const inner = rankedOracle(100, 90);
    // Every measurement takes 100 ms of the 1000.
    const oracle = {
      async gflops(problem: Problem, s: Schedule) {
        clock += 100;
        return inner.gflops(problem, s);
      },
    };
    const r = await tileSearch(p, oracle, scorer, {
      measure: 16,
      extraMeasure: 0,
      budgetMs: 1000,
      remeasure: 2,
      now: () => clock,
    });
    expect(r.measuredCandidates).toHaveLength(MIN_MEASURED);
    const [a, b] = [...inner.figure.keys()];
    expect(inner.calls.slice(MIN_MEASURED).map((c) => c.key)).toEqual([b, a]);
    expect(r.totalMs).toBeLessThanOrEqual(1000);
  });
});

describe('tileSearch with time left', () => {
  const p = parseProblem(MATMUL, 'm=256, n=256, k=256');
  // The cost model ranks the grid's entries below everything else; the machine finds them fastest.
  const grid = expertGrid(p);
  const gridTexts = new Set(grid.map((e) => printSchedule(e.schedule)));
  // The third entry of the first family (untiled k; the families take turns): not among the 3 seeds measured first.
  const fast = printSchedule(grid[2].schedule);
  const figure = (_: Problem, s: Schedule) =>
    printSchedule(s) === fast ? 60 : gridTexts.has(printSchedule(s)) ? 40 : 30;
  const scorer: Scorer = (_, schedules) => schedules.map((s) => (gridTexts.has(printSchedule(s)) ? 0.1 : 0.5));
  const seeds = grid.map((e) => e.spec);

  it('measures the seeds not measured yet, taking turns with the ranking, within EXTRA_SHARE of the budget', async () => {
    let clock = 0;
    const inner = functionOracle(figure);
    const oracle = {
      async gflops(problem: Problem, s: Schedule) {
        clock += 10;
        return inner.gflops(problem, s);
      },
    };
    const r = await tileSearch(p, oracle, scorer, { seeds, budgetMs: 1000, now: () => clock });
    expect(r.measuredCandidates).toHaveLength(DEFAULT_TILE_SEARCH.measure + DEFAULT_TILE_SEARCH.extraMeasure);
    const extra = r.measuredCandidates.slice(DEFAULT_TILE_SEARCH.measure);
    expect(extra.filter((c) => gridTexts.has(printSchedule(c.schedule)))).toHaveLength(
      DEFAULT_TILE_SEARCH.extraMeasure / 2,
    );
    expect(printSchedule(r.schedule)).toBe(fast);
    // Without the extra pass, the 3 seeds measured first are not the fast one.
    const without = await tileSearch(p, functionOracle(figure), scorer, { seeds, extraMeasure: 0 });
    expect(printSchedule(without.schedule)).not.toBe(fast);
  });

  it('measures no extra candidate past EXTRA_SHARE of the budget', async () => {
    let clock = 0;
    const inner = functionOracle(figure);
    const oracle = {
      async gflops(problem: Problem, s: Schedule) {
        clock += 40;
        return inner.gflops(problem, s);
      },
    };
    const r = await tileSearch(p, oracle, scorer, { seeds, budgetMs: 1000, now: () => clock });
    // 16 candidates take 640 ms, past 60% of the budget.
    expect(r.measuredCandidates).toHaveLength(DEFAULT_TILE_SEARCH.measure);
    expect(EXTRA_SHARE * 1000).toBeLessThan(DEFAULT_TILE_SEARCH.measure * 40);
  });
});

describe('withSeedsFirst', () => {
  const p = parseProblem(MATMUL, 'm=64, n=64, k=64');
  const candidate = (name: number, predicted: number): Candidate => ({
    spec: { tile: { n: 4 * name }, reductionTile: 0 },
    schedule: parseSchedule(p, 'm n k'),
    actions: [],
    predicted,
  });

  it('the best predicted seeds take turns with the ranking at its head, each once', () => {
    const [a, b, c, d] = [candidate(1, 0.9), candidate(2, 0.8), candidate(3, 0.7), candidate(4, 0.6)];
    const [s1, s2, s3] = [candidate(5, 0.3), candidate(6, 0.5), candidate(7, 0.1)];
    const ranked = [a, b, c, d, s2, s1, s3];
    expect(withSeedsFirst(ranked, [s1, s2, s3], 2)).toEqual([a, s2, b, s1, c, d, s3]);
    // A seed the ranking puts first is measured first, once.
    expect(withSeedsFirst([s2, a, b, s1], [s1, s2], 2)).toEqual([s2, a, s1, b]);
    expect(withSeedsFirst(ranked, [s1], 0)).toEqual(ranked);
  });

  it('the best of each family first: the reduction whole, split, blocked or packed', () => {
    const seed = (spec: Partial<Candidate['spec']>, predicted: number): Candidate => ({
      ...candidate(1, predicted),
      spec: { tile: { m: 4, n: 8 }, reductionTile: 0, ...spec },
    });
    const whole = [seed({}, 0.5), seed({}, 0.49)];
    const split = [seed({ reductionTile: 32 }, 0.45), seed({ reductionTile: 64 }, 0.44)];
    const packed = seed({ reductionTile: 128, panel: { n: 16 }, pack: true }, 0.27);
    const blocked = seed({ reductionTile: 128, panel: { n: 16 } }, 0.46);
    const seeds = [...whole, ...split, packed, blocked];
    // Families in order of their best: whole (0.5), blocked and packed (0.46), split (0.45).
    expect(withSeedsFirst([], seeds, 3)).toEqual([whole[0], blocked, split[0]]);
    expect(withSeedsFirst([], seeds, 6)).toEqual([whole[0], blocked, split[0], whole[1], packed, split[1]]);
  });
});
