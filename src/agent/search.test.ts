// The searches on a tiny problem against an exhaustive search over every action sequence, with
// deterministic fake oracles.
import { describe, expect, it } from 'vitest';
import { AGENT_ACTIONS, applyAction } from '../core/actions.ts';
import { parseProblem } from '../core/problem.ts';
import { defaultSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';
import { functionOracle } from './oracle.ts';
import { SEARCH_METHODS, beamSearch, greedySearch, randomSearch, runSearch, type SearchResult } from './search.ts';

const tiny = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=8, n=8, k=4');

/** A rugged landscape: GFLOPS from a hash of the schedule text, in [1, 100). */
function rugged(_: Problem, s: Schedule): number {
  let h = 2166136261;
  for (const ch of printSchedule(s)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return 1 + ((h >>> 0) % 9900) / 100;
}

/** Faster with more loops and with n innermost, slower with k innermost. */
function smooth(_: Problem, s: Schedule): number {
  const last = s.loops[s.loops.length - 1].variable;
  return 10 + s.loops.length + (last === 'n' ? 5 : 0) - (last === 'k' ? 3 : 0);
}

/** Only a split of n helps (greedy1 cannot move the cursor to it first). */
function deep(_: Problem, s: Schedule): number {
  return s.loops.some((l, i) => i > 0 && l.variable === 'n' && s.loops[i - 1].variable === 'n') ? 20 : 10;
}

/** Every state reachable in at most `steps` actions, level by level (independent of search.ts). */
function exhaustive(problem: Problem, f: (p: Problem, s: Schedule) => number, steps: number) {
  let level: NestState[] = [{ schedule: defaultSchedule(problem), cursor: 0 }];
  const seen = new Set<string>();
  let best = f(problem, level[0].schedule);
  let states = 0;
  for (let d = 0; d < steps; d++) {
    const next: NestState[] = [];
    for (const s of level) {
      for (const a of AGENT_ACTIONS) {
        const r = applyAction(problem, s, a);
        if (!r.ok) continue;
        const key = `${printSchedule(r.state.schedule)}@${r.state.cursor}`;
        if (seen.has(key)) continue;
        seen.add(key);
        next.push(r.state);
        best = Math.max(best, f(problem, r.state.schedule));
      }
    }
    states += next.length;
    level = next;
  }
  return { best, states };
}

function replay(problem: Problem, result: SearchResult): string {
  let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
  for (const a of result.actions) {
    const r = applyAction(problem, state, a);
    if (!r.ok) throw new Error(`illegal ${a}: ${r.reason}`);
    state = r.state;
  }
  return printSchedule(state.schedule);
}

describe('searches on a tiny problem', () => {
  for (const steps of [3, 10]) {
    it(`never beat the exhaustive optimum, and their answers replay (${steps} steps, rugged landscape)`, async () => {
      const { best, states } = exhaustive(tiny, rugged, steps);
      expect(states).toBeGreaterThan(10);
      for (const method of SEARCH_METHODS) {
        const oracle = functionOracle(rugged);
        const r = await runSearch(method, tiny, oracle, { steps, maxEvaluations: 400, seed: 3 });
        expect(r.gflops, method).toBeLessThanOrEqual(best);
        expect(r.gflops, method).toBeGreaterThanOrEqual(r.defaultGflops);
        expect(r.gflops, method).toBe(rugged(tiny, r.schedule));
        expect(r.actions.length, method).toBeLessThanOrEqual(steps);
        expect(replay(tiny, r), method).toBe(printSchedule(r.schedule));
        // One measurement per distinct schedule.
        expect(oracle.calls, method).toBe(r.evaluations);
        // The trace only goes up and ends at the answer.
        const g = r.trace.map((p) => p.gflops);
        expect(
          [...g].sort((a, b) => a - b),
          method,
        ).toEqual(g);
        expect(g[g.length - 1]).toBe(r.gflops);
      }
    });
  }

  it('beam search as wide as the action space is exhaustive, depth first and breadth first', async () => {
    for (const steps of [3, 5]) {
      const { best } = exhaustive(tiny, rugged, steps);
      for (const order of ['dfs', 'bfs'] as const) {
        const r = await beamSearch(tiny, functionOracle(rugged), AGENT_ACTIONS.length, order, { steps });
        expect(r.gflops, `${order} ${steps}`).toBe(best);
        expect(r.budgetSpent).toBe(false);
      }
    }
  });

  it('random search with enough walks finds the optimum of a small space', async () => {
    const { best } = exhaustive(tiny, rugged, 4);
    const r = await randomSearch(tiny, functionOracle(rugged), { steps: 4, maxEvaluations: 100_000, seed: 7 });
    expect(r.gflops).toBe(best);
    const again = await randomSearch(tiny, functionOracle(rugged), { steps: 4, maxEvaluations: 100_000, seed: 7 });
    expect(again.actions).toEqual(r.actions);
  });

  it('on a smooth landscape, beam4dfs and random reach the optimum; narrower searches may not', async () => {
    const { best } = exhaustive(tiny, smooth, 10);
    for (const method of SEARCH_METHODS) {
      const r = await runSearch(method, tiny, functionOracle(smooth), { maxEvaluations: 400 });
      // greedy2 stops one short here, at m:8 k:4 n:2 n:4 (19).
      if (['beam4dfs', 'random'].includes(method)) expect(r.gflops, method).toBe(best);
      else expect(r.gflops, method).toBeLessThanOrEqual(best);
    }
    // greedy1 splits the loop under the cursor but cannot move the cursor (no gain by itself).
    const g1 = await greedySearch(tiny, functionOracle(smooth), 1);
    expect(g1.gflops).toBeLessThan(best);
    expect(g1.actions.every((a) => a.startsWith('split'))).toBe(true);
  });

  it('greedy1 stops where no single action helps; greedy2 looks one step further', async () => {
    const { best } = exhaustive(tiny, deep, 10);
    expect(best).toBe(20);
    const g1 = await greedySearch(tiny, functionOracle(deep), 1);
    expect(g1.gflops).toBe(10);
    expect(g1.actions).toEqual([]);
    // down (cursor on n), then split_4: greedy2 takes the first action of the best path, then the next.
    const g2 = await greedySearch(tiny, functionOracle(deep), 2);
    expect(g2.gflops).toBe(20);
    expect(g2.actions).toEqual(['down', 'split_4']);
    expect(printSchedule(g2.schedule)).toBe('m:8 n:2 n:4 k:4');
  });

  it('stops at the budget: a number of measurements, or wall time', async () => {
    for (const method of SEARCH_METHODS) {
      const oracle = functionOracle(rugged);
      const r = await runSearch(method, tiny, oracle, { maxEvaluations: 5 });
      expect(oracle.calls, method).toBeLessThanOrEqual(5);
      expect(r.budgetSpent || r.evaluations < 5, method).toBe(true);
    }
    let clock = 0;
    const ticking = functionOracle((p, s) => {
      clock += 10;
      return rugged(p, s);
    });
    const r = await beamSearch(tiny, ticking, 4, 'bfs', { budgetMs: 55, now: () => clock });
    expect(ticking.calls).toBe(6);
    expect(r.budgetSpent).toBe(true);
    expect(r.totalMs).toBe(60);
  });

  it('reports each improvement as it happens', async () => {
    const seen: number[] = [];
    const r = await beamSearch(tiny, functionOracle(rugged), 2, 'dfs', { onImprove: (p) => seen.push(p.gflops) });
    expect(seen).toEqual(r.trace.map((p) => p.gflops));
    expect(seen.length).toBeGreaterThan(1);
  });
});
