// The search as the page shows it: the path, what was considered at each step, predicted GFLOPS
// by the stated scale, continuing from a person's schedule, and keeping it when nothing beats it.
import { describe, expect, it } from 'vitest';
import { parseProblem } from '../../core/problem.ts';
import { parseSchedule, printSchedule } from '../../core/schedule.ts';
import type { Problem, Schedule } from '../../core/types.ts';
import { functionOracle } from '../../agent/oracle.ts';
import { nearestTileSpec } from '../../agent/nearestSpec.ts';
import { tileSearch, type Scorer } from '../../agent/tileSearch.ts';
import { untiledSpec } from '../../agent/tileSpace.ts';
import { NEAREST_SPEC_STEP } from './protocol.ts';
import { missesChange, searchView } from './searchView.ts';

const p = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=16, n=32, k=64');

/** A made-up machine: 8 accumulators are best. */
function fake(_: Problem, s: Schedule): number {
  const accs = s.loops.slice(-2).reduce((a, l) => a * l.trip, 1) / 4;
  return 10 + 20 * Math.exp(-((accs - 8) ** 2) / 8);
}
/** Shares of the best, as the cost model predicts them. */
const scorer: Scorer = (problem, schedules) => schedules.map((s) => fake(problem, s) / 30);

describe('searchView', () => {
  it('shows the path from the untiled spec with every option of each state, one chosen, by the stated scale', async () => {
    const start = parseSchedule(p, 'm n k');
    const result = await tileSearch(p, functionOracle(fake), scorer, { budgetMs: 1e9 });
    const v = searchView({ problem: p, start, root: untiledSpec(p), from: 'untiled', result, tuningMs: 5, setupMs: 1 });
    expect(v.outcome).toBe('improved');
    expect(v.steps.map((s) => s.action)).toEqual(result.actions);
    expect(v.steps.at(-1)?.scheduleText).toBe(printSchedule(result.schedule));
    expect(v.best).toEqual({ scheduleText: printSchedule(result.schedule), gflops: result.gflops });
    expect(v.scaleGflops).toBe(result.gflops);
    for (const step of v.steps) {
      expect(step.candidates.length).toBeGreaterThan(3);
      expect(step.candidates.filter((c) => c.chosen).map((c) => c.action)).toEqual([step.action]);
      expect(step.candidates.find((c) => c.chosen)?.scheduleText).toBe(step.scheduleText);
      const predicted = step.candidates.map((c) => c.predicted);
      expect(predicted).toEqual([...predicted].sort((a, b) => b - a));
      for (const c of step.candidates) expect(c.predictedGflops).toBeCloseTo(c.predicted * result.gflops, 9);
    }
    // The answer was measured, and the measured figures are the oracle's.
    expect(v.steps.at(-1)?.measured).toBe(result.gflops);
    expect(v.measured.length).toBe(result.measuredCandidates.length);
    for (const m of v.measured) expect(m.gflops).toBe(fake(p, parseSchedule(p, m.scheduleText)));
  });

  it("continues from a person's schedule through its nearest tile spec", async () => {
    const start = parseSchedule(p, 'k m n k:32 n:4 m:2');
    const root = nearestTileSpec(p, start);
    const result = await tileSearch(p, functionOracle(fake), scorer, { budgetMs: 1e9, root });
    const v = searchView({
      problem: p,
      start,
      root,
      from: 'nearest',
      startGflops: 11,
      result,
      tuningMs: 5,
      setupMs: 1,
    });
    expect(v.outcome).toBe('improved');
    expect(v.startScheduleText).toBe(printSchedule(start));
    expect(v.steps[0].action).toBe(NEAREST_SPEC_STEP);
    expect(v.steps[0].scheduleText).toBe('k:2 m:8 n:8 k:32 m:2 n:4');
    expect(v.steps.slice(1).map((s) => s.action)).toEqual(result.actions);
    expect(v.best.gflops).toBeGreaterThan(11);
  });

  it("keeps the person's schedule when nothing measured beats it, and says so", async () => {
    const start = parseSchedule(p, 'm n k n:8');
    const root = nearestTileSpec(p, start);
    const result = await tileSearch(p, functionOracle(fake), scorer, { budgetMs: 1e9, root });
    const v = searchView({
      problem: p,
      start,
      root,
      from: 'nearest',
      startGflops: 99,
      result,
      tuningMs: 5,
      setupMs: 1,
    });
    expect(v.outcome).toBe('kept-start');
    expect(v.steps).toEqual([]);
    expect(v.best).toEqual({ scheduleText: printSchedule(start), gflops: 99 });
    expect(v.scaleGflops).toBe(99);
  });
});

describe('missesChange', () => {
  it("says which tensor's estimated misses a step cuts at which level, and nothing for a small change", () => {
    const p = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=2048, n=2048, k=2048');
    const whole = parseSchedule(p, 'm n k m:4 n:16');
    const split = parseSchedule(p, 'k m n k:64 m:4 n:16');
    expect(missesChange(p, whole, split)).toMatch(/^B's L[23] misses ÷\d+(\.\d)?$/);
    expect(missesChange(p, split, whole)).toMatch(/^B's L[23] misses ×\d+(\.\d)?$/);
    expect(missesChange(p, whole, whole)).toBeUndefined();
  });
});
