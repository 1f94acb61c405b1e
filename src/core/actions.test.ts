import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGENT_ACTIONS,
  ALL_ACTIONS,
  MAX_LOOPS,
  SPLIT_FACTORS,
  actionMask,
  applyAction,
  legalActions,
} from './actions.ts';
import type { Action } from './actions.ts';
import { parseProblem } from './problem.ts';
import { defaultSchedule, loopSteps, parseSchedule, printSchedule } from './schedule.ts';
import type { NestState, Problem } from './types.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const mm = parseProblem(MATMUL, 'm=256, n=256, k=256');
const mm97 = parseProblem(MATMUL, 'm=97, n=8, k=8');

function at(problem: Problem, text: string, cursor: number): NestState {
  return { schedule: parseSchedule(problem, text), cursor };
}

function apply(problem: Problem, state: NestState, action: Action): NestState {
  const r = applyAction(problem, state, action);
  if (!r.ok) throw new Error(`expected ${action} to be legal: ${r.reason}`);
  return r.state;
}

function reason(problem: Problem, state: NestState, action: Action): string {
  const r = applyAction(problem, state, action);
  if (r.ok) throw new Error(`expected ${action} to be illegal`);
  return r.reason;
}

const show = (s: NestState) => `${printSchedule(s.schedule)} @${s.cursor}`;

describe('action lists', () => {
  it('constants', () => {
    expect(MAX_LOOPS).toBe(10);
    expect([...SPLIT_FACTORS]).toEqual([2, 4, 8, 16, 32, 64, 128, 256]);
    expect(ALL_ACTIONS).toEqual([
      'up',
      'down',
      'swap_up',
      'swap_down',
      'split_2',
      'split_4',
      'split_8',
      'split_16',
      'split_32',
      'split_64',
      'split_128',
      'split_256',
      'merge',
      'parallel',
    ]);
    expect(AGENT_ACTIONS).toEqual(['up', 'down', 'swap_up', 'swap_down', 'split_4', 'split_8', 'split_16']);
  });
});

describe('up / down', () => {
  it('move the cursor', () => {
    const s = at(mm, 'm n k', 1);
    expect(show(apply(mm, s, 'up'))).toBe('m:256 n:256 k:256 @0');
    expect(show(apply(mm, s, 'down'))).toBe('m:256 n:256 k:256 @2');
  });
  it('are illegal at the ends', () => {
    expect(reason(mm, at(mm, 'm n k', 0), 'up')).toBe('the cursor is already on the outermost loop');
    expect(reason(mm, at(mm, 'm n k', 2), 'down')).toBe('the cursor is already on the innermost loop');
  });
  it('a cursor off the nest is reported', () => {
    expect(reason(mm, at(mm, 'm n k', 3), 'up')).toBe('the cursor is not on a loop');
    expect(reason(mm, at(mm, 'm n k', -1), 'down')).toBe('the cursor is not on a loop');
  });
});

describe('swap_up / swap_down', () => {
  it('exchange with the neighbour; the cursor moves with the loop', () => {
    expect(show(apply(mm, at(mm, 'm n k', 1), 'swap_up'))).toBe('n:256 m:256 k:256 @0');
    expect(show(apply(mm, at(mm, 'm n k', 1), 'swap_down'))).toBe('m:256 k:256 n:256 @2');
    // Tails travel with their loop.
    expect(show(apply(mm97, at(mm97, 'm n m:4 k', 1), 'swap_down'))).toBe('m:24 r1 m:4 n:8 k:8 @2');
  });
  it('are illegal at the ends', () => {
    expect(reason(mm, at(mm, 'm n k', 0), 'swap_up')).toBe("can't swap m:256 up: it is already the outermost loop");
    expect(reason(mm, at(mm, 'm n k', 2), 'swap_down')).toBe("can't swap k:256 down: it is already the innermost loop");
  });
  it('are illegal between two loops over the same variable', () => {
    const s = at(mm97, 'm m:4 n k', 1);
    expect(reason(mm97, s, 'swap_up')).toBe(
      "can't swap m:4 above m:24 r1: both loop over m, and the inner one (m:4) must stay inside m:24 r1",
    );
    expect(reason(mm97, at(mm97, 'm m:4 n k', 0), 'swap_down')).toBe(
      "can't swap m:24 r1 below m:4: both loop over m, and the inner one (m:4) must stay inside m:24 r1",
    );
  });
});

describe('split', () => {
  it('splits into an outer loop and an inner loop of trip F; cursor stays on the outer', () => {
    expect(show(apply(mm, at(mm, 'm n k', 0), 'split_4'))).toBe('m:64 m:4 n:256 k:256 @0');
    expect(show(apply(mm, at(mm, 'm n k m:4', 0), 'split_16'))).toBe('m:4 m:16 n:256 k:256 m:4 @0');
    // Inner loop with a step: m:16 (step 4, extent 64) by 2 -> m:8 m:2
    expect(show(apply(mm, at(mm, 'm m:16 n k m:4', 1), 'split_2'))).toBe('m:4 m:8 m:2 n:256 k:256 m:4 @1');
  });
  it('leaves tails where sizes do not divide', () => {
    // m=97 by 4: 24 full iterations of 4, then 1.
    expect(show(apply(mm97, at(mm97, 'm n k', 0), 'split_4'))).toBe('m:24 r1 m:4 n:8 k:8 @0');
    // m:24 r1 (step 4, extent 97) by 8: step 32, trip 3, tail 1.
    expect(show(apply(mm97, at(mm97, 'm m:4 n k', 0), 'split_8'))).toBe('m:3 r1 m:8 m:4 n:8 k:8 @0');
    // An inner loop with a tail: m:10 r3 (step 4, extent 43) by 4 -> m:2 r11, m:4.
    expect(show(apply(mm97, at(mm97, 'm m:10 r3 n k m:4', 1), 'split_4'))).toBe('m:2 r11 m:2 r11 m:4 n:8 k:8 m:4 @1');
  });
  it('accepts any factor from the UI', () => {
    expect(show(apply(mm97, at(mm97, 'm n k', 0), 'split_3'))).toBe('m:32 r1 m:3 n:8 k:8 @0');
    expect(show(apply(mm97, at(mm97, 'm n k', 0), 'split_48'))).toBe('m:2 r1 m:48 n:8 k:8 @0');
  });
  it('is illegal when the outer loop would run exactly once (the nest would be the same)', () => {
    expect(reason(mm, at(mm, 'm m:16 n k', 1), 'split_16')).toBe(
      "can't split m:16 by 16: the outer loop would run once (m:1) and change nothing; split by a factor below 16",
    );
    expect(reason(mm97, at(mm97, 'm n k', 0), 'split_97')).toBe(
      "can't split m:97 by 97: the outer loop would run once (m:1) and change nothing; split by a factor below 97",
    );
    expect(reason(mm, at(mm, 'm m:2 n k', 1), 'split_2')).toBe(
      "can't split m:2 by 2: the outer loop would run once (m:1) and change nothing; a loop that runs twice has no split",
    );
    // With a tail the outer loop runs twice (once whole, once partial): a real loop.
    expect(show(apply(mm97, at(mm97, 'm m:4 n k', 0), 'split_24'))).toBe('m:1 r1 m:24 m:4 n:8 k:8 @0');
  });
  it('is illegal when the factor exceeds the trip, is below 2, or the nest is full', () => {
    const s = at(mm, 'm m:8 n k', 1);
    expect(reason(mm, s, 'split_16')).toBe("can't split m:8 by 16: the loop only runs 8 times");
    expect(reason(mm, at(mm97, 'm m:4 n k', 0), 'split_32')).toBe(
      "can't split m:24 r1 by 32: the loop only runs 24 times",
    );
    expect(reason(mm, at(mm, 'm:1 m:256 n k', 0), 'split_2')).toBe("can't split m:1 by 2: the loop only runs 1 time");
    expect(reason(mm, s, 'split_1')).toBe("can't split m:8 by 1: the factor must be at least 2");
    expect(reason(mm, s, 'split_0')).toBe("can't split m:8 by 0: the factor must be at least 2");
    expect(reason(mm, s, 'split_-4')).toBe("can't split m:8 by -4: the factor must be at least 2");
    expect(reason(mm, s, 'split_2.5' as Action)).toBe("can't split m:8 by 2.5: the factor must be a whole number");
    const full = at(mm, 'm n k m:2 n:2 k:2 m:2 n:2 k:2 m:2', 0);
    expect(reason(mm, full, 'split_2')).toBe("can't split: the nest already has 10 loops, the most allowed");
    expect(reason(mm, s, 'frobnicate' as Action)).toBe("unknown action 'frobnicate'");
  });
});

describe('merge', () => {
  it('fuses the loop into the nearest enclosing loop over its variable', () => {
    expect(show(apply(mm, at(mm, 'm n k m:4 n:16', 3), 'merge'))).toBe('m:256 n:16 k:256 n:16 @0');
    expect(show(apply(mm, at(mm, 'm n k m:4 n:16', 4), 'merge'))).toBe('m:64 n:256 k:256 m:4 @1');
    // Nearest enclosing: m:8 (step 4), not m:8 outermost.
    expect(show(apply(mm, at(mm, 'm m:8 n k m:4', 4), 'merge'))).toBe('m:8 m:32 n:256 k:256 @1');
  });
  it('recomputes trip and tail of the enclosing loop', () => {
    // m:3 r1 m:8 m:4 over m=97: merging m:8 leaves m:24 r1 m:4.
    expect(show(apply(mm97, at(mm97, 'm m:8 m:4 n k', 1), 'merge'))).toBe('m:24 r1 m:4 n:8 k:8 @0');
    // Inner enclosing loop keeps its extent 43 with the new step 1.
    expect(show(apply(mm97, at(mm97, 'm m:10 r3 n k m:4', 4), 'merge'))).toBe('m:2 r11 m:43 n:8 k:8 @1');
  });
  it('is illegal without an enclosing loop over the variable', () => {
    expect(reason(mm, at(mm, 'm n k m:4', 1), 'merge')).toBe(
      "can't merge n:256: no enclosing loop over n to merge it into",
    );
    expect(reason(mm97, at(mm97, 'm m:4 n k', 0), 'merge')).toBe(
      "can't merge m:24 r1: no enclosing loop over m to merge it into",
    );
  });
});

describe('parallel', () => {
  it('marks and unmarks the loop under the cursor', () => {
    const on = apply(mm, at(mm, 'm:64 n k m:4 n:16', 0), 'parallel');
    expect(show(on)).toBe('||m:64 n:16 k:256 m:4 n:16 @0');
    expect(show(apply(mm, on, 'parallel'))).toBe('m:64 n:16 k:256 m:4 n:16 @0');
    expect(apply(mm, on, 'parallel').schedule.loops[0]).not.toHaveProperty('parallel');
  });
  it('moves the mark when another loop is marked, and says so', () => {
    const on = apply(mm, at(mm, 'm:64 n k m:4 n:16', 0), 'parallel');
    const r = applyAction(mm, { ...on, cursor: 1 }, 'parallel');
    if (!r.ok) throw new Error(r.reason);
    expect(show(r.state)).toBe('m:64 ||n:16 k:256 m:4 n:16 @1');
    expect(r.note).toBe('||m:64 runs on one thread again: one loop at a time runs in parallel');
    const first = applyAction(mm, at(mm, 'm n k', 0), 'parallel');
    expect(first.ok && first.note).toBe(undefined);
  });
  it('is refused on a reduction loop and inside one, with the reason', () => {
    expect(reason(mm, at(mm, 'm n k', 2), 'parallel')).toBe(
      "can't run k:256 in parallel: k is summed over: two threads would add into the same C at once",
    );
    expect(reason(mm, at(mm, 'm k n', 2), 'parallel')).toBe(
      "can't run n:256 in parallel: the parallel loop must be outside every reduction loop, and n is inside k, which is summed over: every k iteration would have to wait for all threads",
    );
    expect(reason(mm, at(mm, 'm n k m:4', 3), 'parallel')).toMatch(/inside k/);
    const elementwise = parseProblem('C[m,n] += A[m,n] * B[m,n]', 'm=8, n=8');
    expect(reason(elementwise, at(elementwise, 'm n', 1), 'parallel')).toBe(
      "can't run n:8 in parallel: it is the innermost loop, whose iterations are the SIMD lanes of one thread; run an outer loop in parallel",
    );
    expect(show(apply(elementwise, at(elementwise, 'm n', 0), 'parallel'))).toBe('||m:8 n:8 @0');
    expect(reason(elementwise, at(elementwise, 'n ||m m:4', 2), 'merge')).toMatch(
      /^can't merge m:4: the parallel loop \|\|m:8 would be left where it is the innermost loop/,
    );
  });
  it('stays with its loop: swaps carry it, splits keep it on the outer loop, merges on the merged loop', () => {
    const s = at(mm, '||m n k', 0);
    expect(show(apply(mm, s, 'swap_down'))).toBe('n:256 ||m:256 k:256 @1');
    expect(show(apply(mm, s, 'split_4'))).toBe('||m:64 m:4 n:256 k:256 @0');
    expect(show(apply(mm, at(mm, 'm ||m:4 n k', 1), 'merge'))).toBe('||m:256 n:256 k:256 @0');
    expect(show(apply(mm, at(mm, '||m m:4 n k', 1), 'merge'))).toBe('||m:256 n:256 k:256 @0');
  });
  it('refuses a swap that would put the parallel loop inside a reduction loop', () => {
    expect(reason(mm, at(mm, 'm ||n k', 1), 'swap_down')).toBe(
      "can't swap ||n:256 below k:256: the parallel loop must be outside every reduction loop, and n is inside k, which is summed over: every k iteration would have to wait for all threads; run ||n:256 on one thread first (parallel on it again)",
    );
    expect(reason(mm, at(mm, 'm ||n k', 2), 'swap_up')).toMatch(
      /^can't swap k:256 above \|\|n:256: .*run \|\|n:256 on one thread first/,
    );
    expect(show(apply(mm, at(mm, 'm n k', 1), 'swap_down'))).toBe('m:256 k:256 n:256 @2');
  });
});

describe('legalActions / actionMask', () => {
  it('report every action with reasons', () => {
    const s = at(mm, 'm n k', 0);
    const legal = legalActions(mm, s);
    expect(legal.map((l) => l.action)).toEqual(ALL_ACTIONS);
    expect(legal.find((l) => l.action === 'up')).toEqual({
      action: 'up',
      ok: false,
      reason: 'the cursor is already on the outermost loop',
    });
    expect(legal.find((l) => l.action === 'split_128')).toEqual({ action: 'split_128', ok: true });
    expect(legal.find((l) => l.action === 'split_256')?.ok).toBe(false);
    expect(actionMask(mm, s)).toEqual([
      false,
      true,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(actionMask(mm, at(mm, 'm m:8 n k', 1), AGENT_ACTIONS)).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(legalActions(mm, s, ['down']).length).toBe(1);
  });
  it('never mutates the input state', () => {
    const s = at(mm, 'm n k m:4', 3);
    const before = JSON.stringify(s);
    for (const a of ALL_ACTIONS) applyAction(mm, s, a);
    expect(JSON.stringify(s)).toBe(before);
  });
});

/**
 * Runs the nest as the semantics say (full iterations, then one partial iteration whose inner loops
 * cover the remainder) and returns every iteration point, as joined index strings.
 */
function iterationPoints(problem: Problem, state: NestState): string[] {
  const { loops } = state.schedule;
  const steps = loopSteps(problem, state.schedule);
  const vars = problem.variables;
  const points: string[] = [];
  const base: Record<string, number> = {};
  const avail: Record<string, number> = {};
  for (const v of vars) {
    base[v] = 0;
    avail[v] = problem.sizes[v];
  }
  const rec = (i: number) => {
    if (i === loops.length) {
      points.push(vars.map((v) => base[v]).join(','));
      return;
    }
    const v = loops[i].variable;
    const s = steps[i];
    const a = avail[v];
    const b = base[v];
    const full = Math.floor(a / s);
    for (let j = 0; j <= full; j++) {
      const n = j < full ? s : a % s;
      if (n === 0) continue;
      base[v] = b + j * s;
      avail[v] = n;
      rec(i + 1);
    }
    base[v] = b;
    avail[v] = a;
  };
  rec(0);
  return points;
}

function allPoints(problem: Problem): string[] {
  let pts: number[][] = [[]];
  for (const v of problem.variables) {
    const next: number[][] = [];
    for (const p of pts) for (let i = 0; i < problem.sizes[v]; i++) next.push([...p, i]);
    pts = next;
  }
  return pts.map((p) => p.join(','));
}

describe('properties (fast-check)', () => {
  const problems = [
    parseProblem(MATMUL, 'm=13, n=8, k=6'),
    parseProblem(MATMUL, 'm=16, n=7, k=5'),
    parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=5, n=6, k=3'),
    parseProblem('O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]', 'co=3, ci=2, oh=3, ow=5, kh=3, kw=2'),
    parseProblem('C[m,n] += A[m,n] * B[m,n]', 'm=6, n=5'),
  ];
  const actionArb = fc.oneof(
    fc.constantFrom(...ALL_ACTIONS),
    fc.integer({ min: 2, max: 20 }).map((f): Action => `split_${f}`),
  );
  const arb = fc.record({
    pi: fc.nat({ max: problems.length - 1 }),
    actions: fc.array(actionArb, { maxLength: 40 }),
  });

  it('random action sequences keep the schedule valid and cover the iteration space exactly once', () => {
    fc.assert(
      fc.property(arb, ({ pi, actions }) => {
        const problem = problems[pi];
        const expected = allPoints(problem).sort();
        let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
        for (const a of actions) {
          const r = applyAction(problem, state, a);
          if (!r.ok) {
            expect(r.reason.length).toBeGreaterThan(0);
            continue;
          }
          state = r.state;
          expect(state.schedule.loops.length).toBeLessThanOrEqual(MAX_LOOPS);
          expect(state.cursor).toBeGreaterThanOrEqual(0);
          expect(state.cursor).toBeLessThan(state.schedule.loops.length);
          expect(parseSchedule(problem, printSchedule(state.schedule))).toEqual(state.schedule);
        }
        expect(iterationPoints(problem, state).sort()).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('split then merge of the new inner loop gives the state back', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 2, max: 16 }), ({ pi, actions }, f) => {
        const problem = problems[pi];
        let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
        for (const a of actions) {
          const r = applyAction(problem, state, a);
          if (r.ok) state = r.state;
        }
        const split = applyAction(problem, state, `split_${f}`);
        if (!split.ok) return;
        const merged = apply(problem, { ...split.state, cursor: split.state.cursor + 1 }, 'merge');
        expect(merged).toEqual(state);
      }),
      { numRuns: 200 },
    );
  });

  it('a reduction loop is never parallel, only output loops enclose the parallel loop, and it is not innermost', () => {
    fc.assert(
      fc.property(arb, ({ pi, actions }) => {
        const problem = problems[pi];
        let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
        const expectLegalMark = (loops: NestState['schedule']['loops']) => {
          const marked = loops.flatMap((l, i) => (l.parallel ? [i] : []));
          expect(marked.length).toBeLessThanOrEqual(1);
          for (const i of marked) {
            for (const l of loops.slice(0, i + 1)) expect(problem.reductionVariables).not.toContain(l.variable);
            expect(i).toBeLessThan(loops.length - 1);
          }
        };
        for (const a of actions) {
          const r = applyAction(problem, state, a);
          if (r.ok) state = r.state;
          expectLegalMark(state.schedule.loops);
          // Pressing parallel on every loop of the state: each result is legal too.
          for (let cursor = 0; cursor < state.schedule.loops.length; cursor++) {
            const p = applyAction(problem, { ...state, cursor }, 'parallel');
            if (p.ok) expectLegalMark(p.state.schedule.loops);
            else expect(p.reason).toMatch(/^can't run .* in parallel: /);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('swap_up undoes swap_down, and the mask agrees with applyAction', () => {
    fc.assert(
      fc.property(arb, ({ pi, actions }) => {
        const problem = problems[pi];
        let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
        for (const a of actions) {
          const r = applyAction(problem, state, a);
          if (r.ok) state = r.state;
        }
        const down = applyAction(problem, state, 'swap_down');
        if (down.ok) expect(apply(problem, down.state, 'swap_up')).toEqual(state);
        const mask = actionMask(problem, state, ALL_ACTIONS);
        expect(mask).toEqual(ALL_ACTIONS.map((a) => applyAction(problem, state, a).ok));
      }),
      { numRuns: 100 },
    );
  });
});

describe('pack actions', () => {
  const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=64, n=64, k=64');
  const at = (text: string, cursor: number): NestState => ({ schedule: parseSchedule(problem, text), cursor });
  const text = (r: ReturnType<typeof applyAction>) => (r.ok ? printSchedule(problem, r.state.schedule) : r.reason);

  it('packs the first or second input at the cursor loop, and again unpacks it', () => {
    const r = applyAction(problem, at('k:2 m n k:32 n:16', 0), 'pack_in1');
    expect(text(r)).toBe('k:2 pack(B) m:64 n:4 k:32 n:16');
    expect(r.ok && text(applyAction(problem, r.state, 'pack_in1'))).toBe('k:2 m:64 n:4 k:32 n:16');
    expect(text(applyAction(problem, at('k:2 m n k:32 n:16', 1), 'pack_in0'))).toBe('k:2 m:64 pack(A) n:4 k:32 n:16');
  });

  it('moves a pack to the cursor loop and says so', () => {
    const r = applyAction(problem, at('k:2 pack(B) m n k:32 n:16', 1), 'pack_in1');
    expect(text(r)).toBe('k:2 m:64 pack(B) n:4 k:32 n:16');
    expect(r.ok && r.note).toBe('B is no longer packed at k:2: an input is packed at one loop');
  });

  it('is refused in words on the innermost loop; with a parallel loop each thread packs its own', () => {
    expect(text(applyAction(problem, at('m n k', 2), 'pack_in1'))).toBe(
      "can't pack B at k:64: pack(B) at k:64: the innermost loop has no loops inside whose reads could be packed",
    );
    expect(text(applyAction(problem, at('||m n k', 1), 'pack_in1'))).toBe('||m:64 n:64 pack(B) k:64');
  });
});
