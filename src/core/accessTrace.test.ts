import { describe, expect, it } from 'vitest';
import { AccessTrace, gridPlace, problemGrids, stepText, type AccessStep } from './accessTrace.ts';
import { ALL_ACTIONS, applyAction } from './actions.ts';
import { parseProblem } from './problem.ts';
import { seededRandom } from './random.ts';
import { defaultSchedule, parseSchedule, printSchedule } from './schedule.ts';
import type { NestState, Problem, Schedule } from './types.ts';

/** The first `limit` steps of a schedule. */
function accessSteps(problem: Problem, schedule: Schedule, limit = Infinity): AccessStep[] {
  const trace = new AccessTrace(problem, schedule);
  const out: AccessStep[] = [];
  while (out.length < limit) {
    const s = trace.next();
    if (!s) break;
    out.push(s);
  }
  return out;
}

// The tiny matmul: C is 2x3, A is 2x2, B is 2x3.
const tiny = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=2, n=3, k=2');

/** (m, n, k) of every step, as `m,n,k` strings. */
function order(p: Problem, schedule: string): string[] {
  return accessSteps(p, parseSchedule(p, schedule)).map((s) => s.values.join(','));
}

describe('AccessTrace', () => {
  it('m n k on the tiny matmul: k fastest, then n, then m (by hand)', () => {
    expect(order(tiny, 'm n k')).toEqual([
      '0,0,0',
      '0,0,1',
      '0,1,0',
      '0,1,1',
      '0,2,0',
      '0,2,1',
      '1,0,0',
      '1,0,1',
      '1,1,0',
      '1,1,1',
      '1,2,0',
      '1,2,1',
    ]);
  });

  it('names the cells of C, A and B of each step', () => {
    const steps = accessSteps(tiny, parseSchedule(tiny, 'm n k'), 3);
    expect(steps.map((s) => stepText(tiny, s))).toEqual([
      'C[0,0] += A[0,0] * B[0,0]',
      'C[0,0] += A[0,1] * B[1,0]',
      'C[0,1] += A[0,0] * B[0,1]',
    ]);
    expect(steps.map((s) => s.index)).toEqual([0, 1, 2]);
  });

  it('m k n walks B and C along their rows', () => {
    const steps = accessSteps(tiny, parseSchedule(tiny, 'm k n'), 4);
    expect(steps.map((s) => stepText(tiny, s))).toEqual([
      'C[0,0] += A[0,0] * B[0,0]',
      'C[0,1] += A[0,0] * B[0,1]',
      'C[0,2] += A[0,0] * B[0,2]',
      'C[0,0] += A[0,1] * B[1,0]',
    ]);
  });

  it('a split with a tail: n:1 r1 runs one full block of 2, then the partial block n=2 (by hand)', () => {
    // n=3 split by 2: the outer loop has 1 full iteration (n=0,1) and a tail of 1 (n=2).
    expect(order(tiny, 'm n:1 r1 k n:2')).toEqual([
      '0,0,0',
      '0,1,0',
      '0,0,1',
      '0,1,1',
      '0,2,0',
      '0,2,1',
      '1,0,0',
      '1,1,0',
      '1,0,1',
      '1,1,1',
      '1,2,0',
      '1,2,1',
    ]);
  });

  it('an inner loop in a partial iteration stops at the end of the enclosing range', () => {
    const p = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=5, n=1, k=1');
    // m:1 r1 (step 4): m=0..3, then the tail m=4; the inner m:2 r0 (step 2) then m:2 inside.
    expect(order(p, 'm:1 r1 m:2 m:2 n k').map((s) => s.split(',')[0])).toEqual(['0', '1', '2', '3', '4']);
  });

  it('stops after the last step; skip() counts what it skipped', () => {
    const t = new AccessTrace(tiny, parseSchedule(tiny, 'm n k'));
    expect(t.total).toBe(12);
    expect(t.skip(10)).toBe(10);
    expect(t.next()?.values).toEqual([1, 2, 0]);
    expect(t.position).toBe(11);
    expect(t.next()?.values).toEqual([1, 2, 1]);
    expect(t.next()).toBeNull();
    expect(t.skip(5)).toBe(0);
    expect(t.position).toBe(12);
  });

  it('a strided conv indexes the input with 2*oh+kh', () => {
    const conv = parseProblem(
      'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
      'co=1, ci=1, oh=2, ow=2, kh=2, kw=1',
    );
    const steps = accessSteps(conv, defaultSchedule(conv));
    expect(steps.map((s) => stepText(conv, s))).toEqual([
      'O[0,0,0] += I[0,0,0] * W[0,0,0,0]',
      'O[0,0,0] += I[0,1,0] * W[0,0,1,0]',
      'O[0,0,1] += I[0,0,2] * W[0,0,0,0]',
      'O[0,0,1] += I[0,1,2] * W[0,0,1,0]',
      'O[0,1,0] += I[0,2,0] * W[0,0,0,0]',
      'O[0,1,0] += I[0,3,0] * W[0,0,1,0]',
      'O[0,1,1] += I[0,2,2] * W[0,0,0,0]',
      'O[0,1,1] += I[0,3,2] * W[0,0,1,0]',
    ]);
  });

  it('visits every point of the iteration space exactly once, for random legal schedules with tails', () => {
    const problems = [
      parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=7, n=5, k=3'),
      parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=5, n=3, k=3'),
      parseProblem('O[co,oh,ow] += I[ci,2*oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=2, ci=2, oh=3, ow=5, kh=2, kw=3'),
    ];
    const rand = seededRandom(7);
    let withTails = 0;
    for (const p of problems) {
      for (let walk = 0; walk < 40; walk++) {
        let state: NestState = { schedule: defaultSchedule(p), cursor: 0 };
        for (let i = 0; i < 8; i++) {
          const r = applyAction(p, state, ALL_ACTIONS[Math.floor(rand() * ALL_ACTIONS.length)]);
          if (r.ok) state = r.state;
        }
        const schedule: Schedule = state.schedule;
        const seen = new Set<string>();
        const steps = accessSteps(p, schedule);
        for (const s of steps) seen.add(s.values.join(','));
        const total = p.variables.reduce((x, v) => x * p.sizes[v], 1);
        expect(steps.length, printSchedule(schedule)).toBe(total);
        expect(seen.size, printSchedule(schedule)).toBe(total);
        const outside = steps.filter((s) => s.values.some((x, v) => x < 0 || x >= p.sizes[p.variables[v]]));
        expect(outside, printSchedule(schedule)).toEqual([]);
        if (schedule.loops.some((l) => l.tail > 0)) withTails++;
      }
    }
    expect(withTails).toBeGreaterThan(10);
  });
});

describe('grids', () => {
  it('a matrix is one slice; batched tensors are sliced by the batch index; conv weights by (co, ci)', () => {
    expect(problemGrids(tiny).map((g) => [g.tensor, g.rows, g.cols, g.slices])).toEqual([
      ['C', 2, 3, 1],
      ['A', 2, 2, 1],
      ['B', 2, 3, 1],
    ]);
    const bmm = parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=4, m=5, n=3, k=2');
    const [c] = problemGrids(bmm);
    expect([c.rows, c.cols, c.slices]).toEqual([5, 3, 4]);
    expect(gridPlace(c, [2, 4, 1])).toEqual({ slice: 2, row: 4, col: 1 });
    const conv = parseProblem(
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
      'co=2, ci=3, oh=4, ow=4, kh=3, kw=3',
    );
    const [, input, w] = problemGrids(conv);
    expect([input.rows, input.cols, input.slices]).toEqual([6, 6, 3]);
    expect([w.rows, w.cols, w.slices]).toEqual([3, 3, 6]);
    expect(gridPlace(w, [1, 2, 0, 1])).toEqual({ slice: 5, row: 0, col: 1 });
  });
});
