// Lesson checks against real schedules, the core's strides and working sets, and real reports of
// the code generator (loaded in Node): each task is done exactly on the schedules it describes.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCodegen, type Codegen } from '../codegen/index.ts';
import type { KernelReport } from '../codegen/types.ts';
import { parseProblemText, problemText } from '../core/problem.ts';
import { applyAction } from '../core/actions.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState } from '../core/types.ts';
import { oneCoreOnly } from './lessons/parallel.ts';
import {
  checkLesson,
  CLOSE_IN_TIME_MS,
  lessonById,
  lessonStart,
  LESSONS,
  requestedTile,
  tileExtents,
  iterationShare,
  type AgentFacts,
  type Lesson,
  type LessonFacts,
  type TaskCheck,
} from './lessons.ts';

let codegen: Codegen;
beforeAll(async () => {
  codegen = await loadCodegen();
});

function lesson(id: string): Lesson {
  const l = lessonById(id);
  if (!l) throw new Error(`no lesson ${id}`);
  return l;
}

interface Given {
  gflops?: number | null;
  correct?: boolean | null;
  /** GFLOPS measured for the lesson's start schedule. */
  start?: number | null;
  /** Other measured schedules: text -> gflops. */
  others?: Record<string, number>;
  measured?: boolean;
  agent?: AgentFacts | null;
  predictions?: { made: number; right: number };
  problemText?: string;
  /** Threads the current schedule ran on. */
  threads?: number;
  /** The current schedule's figure is only the quick one (not refined yet). */
  quick?: boolean;
  /** When the current schedule's figure was refined (default REFINED_AT; the others' always is). */
  currentAt?: number;
  peaks?: LessonFacts['peaks'];
}

/** When the given figures were refined (ms since the epoch), after the lesson opened at 0. */
const REFINED_AT = 1_000;

function report(problemTextValue: string, scheduleText: string): KernelReport {
  const p = parseProblemText(problemTextValue);
  return codegen.generate(p, parseSchedule(p, scheduleText), { relaxedSimd: true }).report;
}

function facts(l: Lesson, scheduleText: string, g: Given = {}): LessonFacts {
  const text = g.problemText ?? l.problemText;
  const problem = parseProblemText(text);
  const schedule = parseSchedule(problem, scheduleText);
  const current = printSchedule(schedule);
  const measuredBySchedule: LessonFacts['measuredBySchedule'] = {};
  const start = lessonStart(l).scheduleText;
  if (g.start !== undefined && g.start !== null)
    measuredBySchedule[start] = {
      gflops: g.start,
      refinedAt: REFINED_AT,
      quickGflops: g.start,
      correct: true,
      report: report(text, start),
    };
  for (const [s, gf] of Object.entries(g.others ?? {})) {
    measuredBySchedule[printSchedule(parseSchedule(problem, s))] = {
      gflops: gf,
      refinedAt: REFINED_AT,
      quickGflops: gf,
      correct: true,
      report: report(text, s),
    };
  }
  if (g.measured !== false) {
    measuredBySchedule[current] = {
      gflops: g.quick ? null : (g.gflops ?? 1),
      refinedAt: g.quick ? null : (g.currentAt ?? REFINED_AT),
      quickGflops: g.gflops ?? 1,
      correct: g.correct === undefined ? true : g.correct,
      report: report(text, scheduleText),
      threads: g.threads ?? 1,
    };
  }
  return {
    problem,
    onLessonProblem: problemText(problem) === problemText(parseProblemText(l.problemText)),
    current: { schedule, cursor: 0 },
    measured: measuredBySchedule[current] ?? null,
    measuredBySchedule,
    agent: g.agent === undefined ? null : g.agent,
    predictions: g.predictions ?? { made: 0, right: 0 },
    since: 0,
    peaks: g.peaks,
  };
}

function canonical(l: Lesson, scheduleText: string): string {
  const p = parseProblemText(l.problemText);
  return printSchedule(parseSchedule(p, scheduleText));
}

function task(l: Lesson, id: string, f: LessonFacts): TaskCheck {
  const i = l.tasks.findIndex((t) => t.id === id);
  if (i < 0) throw new Error(`no task ${id}`);
  return checkLesson(l, f)[i];
}

describe('the lessons', () => {
  it('are at least six, with unique ids, valid starts, text, tasks and hints', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(6);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const l of LESSONS) {
      expect(() => lessonStart(l)).not.toThrow();
      expect(l.text.length).toBeGreaterThan(0);
      expect(l.tasks.length).toBeGreaterThanOrEqual(3);
      expect(new Set(l.tasks.map((t) => t.id)).size).toBe(l.tasks.length);
      for (const t of l.tasks) expect(t.hints.length).toBeGreaterThan(0);
    }
    expect(LESSONS.map((l) => l.id)).toEqual([
      'loop-order',
      'tiling',
      'conflicts',
      'packing',
      'vectorize',
      'register-tile',
      'tails',
      'parallel',
      'agent',
    ]);
  });

  it('wait for the lesson problem when the page is on another one', () => {
    const l = lesson('loop-order');
    const f = facts(l, 'm k n', { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64' });
    expect(checkLesson(l, f).every((c) => c.state === 'waiting')).toBe(true);
  });
});

describe('loop order and stride', () => {
  const l = () => lesson('loop-order');

  it("B's stride in the innermost loop: 256 in m n k, 1 in m k n", () => {
    const before = task(l(), 'b-stride-1', facts(l(), 'm n k'));
    expect(before).toEqual({ state: 'todo', detail: 'innermost loop k:256: B moves by 256 per step' });
    expect(task(l(), 'b-stride-1', facts(l(), 'm k n')).state).toBe('done');
    expect(task(l(), 'b-stride-1', facts(l(), 'k m n')).state).toBe('done');
    expect(task(l(), 'b-stride-1', facts(l(), 'n k m')).state).toBe('todo');
  });

  it('3x the start: waits for the start figure, counts only a correct kernel', () => {
    expect(task(l(), 'speedup-3x', facts(l(), 'm k n', { gflops: 9 })).state).toBe('waiting');
    expect(task(l(), 'speedup-3x', facts(l(), 'm k n', { gflops: 2.9, start: 1 })).state).toBe('todo');
    const ok = task(l(), 'speedup-3x', facts(l(), 'm k n', { gflops: 3.1, start: 1 }));
    expect(ok.state).toBe('done');
    expect(ok.detail).toMatch(/3\.1×/);
    expect(task(l(), 'speedup-3x', facts(l(), 'm k n', { gflops: 30, start: 1, correct: false })).state).toBe('todo');
    expect(task(l(), 'speedup-3x', facts(l(), 'm k n', { start: 1, measured: false })).state).toBe('waiting');
  });

  it('the worst order has m innermost: A and C jump a row per step', () => {
    expect(task(l(), 'worst-order', facts(l(), 'n k m')).state).toBe('done');
    expect(task(l(), 'worst-order', facts(l(), 'k n m')).state).toBe('done');
    expect(task(l(), 'worst-order', facts(l(), 'm n k')).state).toBe('todo');
    expect(task(l(), 'worst-order', facts(l(), 'n k m', { measured: false })).state).toBe('waiting');
  });
});

describe('speed comparisons wait for refined figures measured close in time', () => {
  const l = () => lesson('loop-order');
  const tiled = 'm k n';

  it('a task fed a noisy quick figure neither ticks nor fails, and says it is measuring', () => {
    // Quick figures far above and far below 3x the refined start: neither decides.
    for (const quick of [100, 0.1]) {
      const c = task(l(), 'speedup-3x', facts(l(), tiled, { start: 10, gflops: quick, quick: true }));
      expect(c.state).toBe('waiting');
      expect(c.detail).toMatch(/^measuring…/);
      expect(c.detail).toContain(`this schedule ≈ ${quick === 100 ? '100' : '0.100'} (quick)`);
      expect(c.needs).toEqual([{ schedule: canonical(l(), tiled), after: 0 }]);
    }
    // Refined, the same task decides.
    expect(task(l(), 'speedup-3x', facts(l(), tiled, { start: 10, gflops: 31 })).state).toBe('done');
    expect(task(l(), 'speedup-3x', facts(l(), tiled, { start: 10, gflops: 29 })).state).toBe('todo');
  });

  it('waits for the start when it has no refined figure since the lesson opened', () => {
    const c = task(l(), 'speedup-3x', facts(l(), tiled, { gflops: 12 }));
    expect(c.state).toBe('waiting');
    expect(c.needs).toEqual([{ schedule: lessonStart(l()).scheduleText, after: 0 }]);
  });

  it('figures refined far apart in time are measured again, the older one', () => {
    const later = REFINED_AT + CLOSE_IN_TIME_MS + 1;
    const c = task(l(), 'speedup-3x', facts(l(), tiled, { start: 10, gflops: 31, currentAt: later }));
    expect(c.state).toBe('waiting');
    expect(c.detail).toMatch(/^measuring… \(the start again/);
    expect(c.needs).toEqual([{ schedule: lessonStart(l()).scheduleText, after: later - CLOSE_IN_TIME_MS }]);
    const close = REFINED_AT + CLOSE_IN_TIME_MS;
    expect(task(l(), 'speedup-3x', facts(l(), tiled, { start: 10, gflops: 31, currentAt: close })).state).toBe('done');
  });
});

describe("every lesson's walk-through", () => {
  /** Applies a step's actions with the core, as the page's keys do. */
  function follow(l: Lesson, state: NestState, actions: string[]): NestState {
    const problem = parseProblemText(l.problemText);
    let s = state;
    for (const action of actions) {
      const r = applyAction(problem, s, action as Parameters<typeof applyAction>[2]);
      if (!r.ok) throw new Error(`${l.id}: ${action} refused: ${r.reason}`);
      s = r.state;
    }
    return s;
  }

  // The lessons graded on simulated misses replay their steps on the real simulator in
  // cacheLessons.test.ts.
  for (const l of LESSONS.filter((x) => x.steps.length > 0 && x.machine === undefined)) {
    it(`${l.id}: each step reaches its schedule, and its tasks are done there (figures rising step by step)`, {
      timeout: 120_000,
    }, () => {
      let state: NestState = { schedule: lessonStart(l).schedule, cursor: 0 };
      const visited: string[] = [];
      const doneSoFar = new Set<string>();
      for (const [i, step] of l.steps.entries()) {
        state = follow(l, state, step.actions);
        const text = printSchedule(state.schedule);
        expect(text, `${l.id} step ${i + 1}: ${step.text}`).toBe(step.schedule);
        // Every schedule the steps passed is measured, each step faster than the one before.
        const others = Object.fromEntries(visited.map((v, j) => [v, 10 * 6 ** (j + 1)]));
        const f = facts(l, text, { start: 10, others, gflops: 10 * 6 ** (visited.length + 1), threads: 2 });
        f.current = state;
        const checks = checkLesson(l, f);
        // With every figure the same, exactly the tasks marked `speed` are not done.
        const flat = facts(l, text, {
          start: 10,
          others: Object.fromEntries(visited.map((v) => [v, 10])),
          gflops: 10,
          threads: 2,
        });
        flat.current = state;
        const flatChecks = checkLesson(l, flat);
        for (const id of step.ticks) {
          const at = l.tasks.findIndex((t) => t.id === id);
          const c = checks[at];
          expect(c?.state, `${l.id} step ${i + 1}, task ${id}: ${c?.detail}`).toBe('done');
          expect(flatChecks[at].state === 'done', `${l.id} task ${id} at equal figures`).toBe(!l.tasks[at].speed);
          doneSoFar.add(id);
        }
        visited.push(text);
      }
      expect([...doneSoFar].sort()).toEqual(l.tasks.map((t) => t.id).sort());
    });
  }

  it('the register tile: a split leaves the cursor on the outer loop, so the steps go down before swapping', () => {
    const l = lesson('register-tile');
    expect(l.steps[0].actions.slice(0, 2)).toEqual(['split_2', 'down']);
    // "split it (s, 2) and swap the inner m:2 down (⇧↓)", as the text once said, is refused.
    expect(() => follow(l, { schedule: lessonStart(l).schedule, cursor: 0 }, ['split_2', 'swap_down'])).toThrow(
      "can't swap m:128 below m:2",
    );
  });
});

describe('vectorization', () => {
  const l = () => lesson('vectorize');

  it('along m gathers A and C; along n nothing is gathered', () => {
    const m = task(l(), 'along-m', facts(l(), 'n k m'));
    expect(m.state).toBe('done');
    expect(m.detail).toBe('vectorized along m; gathered: C, A');
    expect(task(l(), 'along-m', facts(l(), 'm n k')).state).toBe('todo');
    expect(task(l(), 'along-n', facts(l(), 'm k n')).state).toBe('done');
    expect(task(l(), 'along-n', facts(l(), 'm n k')).state).toBe('todo');
  });

  it('says what the text says of the start: C needs a horizontal sum (the report files it as a splat)', () => {
    expect(l().text.join(' ')).toContain('C needs a horizontal sum');
    const r = report(l().problemText, 'm n k');
    expect(r.horizontalSum).toBe(true);
    expect(task(l(), 'along-n', facts(l(), 'm n k')).detail).toBe(
      'vectorized along k: C horizontal sum, A vector, B gather',
    );
    expect(task(l(), 'along-n', facts(l(), 'm k n')).detail).toBe('vectorized along n: C vector, A splat, B vector');
  });

  it('an innermost loop of 2 makes scalar accumulators', () => {
    expect(task(l(), 'scalar', facts(l(), 'm n k n:2')).state).toBe('done');
    expect(task(l(), 'scalar', facts(l(), 'm k n')).state).toBe('todo');
  });

  it('compare needs both measured, and n faster than m', () => {
    expect(task(l(), 'compare', facts(l(), 'm k n', { gflops: 8 })).state).toBe('todo');
    expect(task(l(), 'compare', facts(l(), 'm k n', { gflops: 8, others: { 'n k m': 1 } })).state).toBe('done');
    expect(task(l(), 'compare', facts(l(), 'm k n', { gflops: 0.5, others: { 'n k m': 1 } })).state).toBe('todo');
  });
});

describe('the register tile', () => {
  const l = () => lesson('register-tile');

  it('reads the tile from the report', () => {
    const p = parseProblemText(l().problemText);
    expect(tileExtents(report(l().problemText, 'm n k m:2 n:16'))).toEqual({ m: 2, n: 16 });
    expect(requestedTile(p, parseSchedule(p, 'm n k m:4 n:32'))).toEqual({ loops: 'm:4 n:32', floats: 128 });
    expect(requestedTile(p, parseSchedule(p, 'm n k'))).toEqual({ loops: '', floats: 1 });
  });

  it('2x16 held across k is done; 4x8 or a tile not held is not', () => {
    expect(task(l(), 'tile-2x16', facts(l(), 'm n k m:2 n:16')).state).toBe('done');
    expect(task(l(), 'tile-2x16', facts(l(), 'm n k m:4 n:8')).state).toBe('todo');
    expect(task(l(), 'tile-2x16', facts(l(), 'm n k')).state).toBe('todo');
  });

  it('a tile too big for the registers: the generator keeps part of it as a loop, and the task reads why', () => {
    const big = task(l(), 'too-big', facts(l(), 'm n k m:2 n:64'));
    expect(big.state).toBe('done');
    expect(big.detail).toBe(
      'asked m:2 n:64; the generator: the m:2 n:64 tile needs 32 accumulators + 17 operands = 49 > 15 registers: n:64 stays a loop of 4 x 16 outside k:256',
    );
    const fits = task(l(), 'too-big', facts(l(), 'm n k m:2 n:16'));
    expect(fits.state).toBe('todo');
    expect(fits.detail).toBe('the innermost loops (m:2 n:16) fit: 13 of 15 registers');
  });

  it('a half-built 2x16 tile (m:2 still innermost, in scalars) is not a tile too big, though the generator cuts it', () => {
    for (const half of ['m n k n:16 m:2', 'm:128 n:4 k:256 n:64 m:2']) {
      expect(report(l().problemText, half).tileReduction).toBeTruthy();
      const t = task(l(), 'too-big', facts(l(), half));
      expect(t.state).toBe('todo');
      expect(t.detail).toMatch(
        /^the innermost loop runs over m in scalars: a tile vectorized along n has n innermost$/,
      );
      expect(task(l(), 'too-big-cost', facts(l(), half, { others: { 'm n k m:2 n:16': 40 } })).state).toBe('todo');
    }
    // Not held across k: k innermost-but-one is what makes it a register tile.
    expect(task(l(), 'too-big', facts(l(), 'm n m:2 k n:64')).state).toBe('todo');
  });

  it('the cost of a too-big tile: its measured GFLOPS against the best measured 2x16 tile', () => {
    const noGood = task(l(), 'too-big-cost', facts(l(), 'm n k m:4 n:16', { gflops: 30 }));
    expect(noGood.state).toBe('todo');
    expect(noGood.detail).toBe('asked m:4 n:16, ran m:4 n:8: 30.0 GFLOPS; no 2×16 tile measured yet to compare with');
    const both = task(
      l(),
      'too-big-cost',
      facts(l(), 'm n k m:4 n:16', { gflops: 30, others: { 'm n k m:2 n:16': 40, 'm n k m:4 n:8': 50 } }),
    );
    expect(both.state).toBe('done');
    expect(both.detail).toBe('asked m:4 n:16, ran m:4 n:8: 30.0 GFLOPS; the 2×16 tile m:2 n:16: 40.0 GFLOPS (0.75×)');
    expect(task(l(), 'too-big-cost', facts(l(), 'm n k m:2 n:16', { gflops: 30 })).state).toBe('todo');
  });
});

describe('tails', () => {
  const l = () => lesson('tails');

  it('a tail on m counts only with a correct kernel', () => {
    expect(task(l(), 'tail-m', facts(l(), 'm n k')).state).toBe('todo');
    expect(task(l(), 'tail-m', facts(l(), 'm n k m:4')).state).toBe('done');
    expect(task(l(), 'tail-m', facts(l(), 'm n k m:4', { correct: false })).state).toBe('todo');
    expect(task(l(), 'tail-m', facts(l(), 'm n k m:4', { correct: null })).state).toBe('waiting');
  });

  it('a 2x8 tile with tails on m and n', () => {
    const t = task(l(), 'tile-tails', facts(l(), 'm n k m:2 n:8'));
    expect(t.state).toBe('done');
    expect(task(l(), 'tile-tails', facts(l(), 'm n k m:2')).state).toBe('todo');
  });
});

describe('the agent lesson', () => {
  const l = () => lesson('agent');

  it('says it cannot be checked without an agent', () => {
    const checks = checkLesson(l(), facts(l(), 'm n k'));
    expect(checks.every((c) => c.state === 'unavailable')).toBe(true);
    expect(checks[0].detail).toMatch(/no agent/);
  });

  it('counts the rollout, predictions and the player', () => {
    const agent = { status: 'done', actions: ['down', 'swap_down', 'split_4'], index: 1 };
    const f = facts(l(), 'm n k', { agent, predictions: { made: 5, right: 2 } });
    expect(task(l(), 'run', f).state).toBe('done');
    expect(task(l(), 'predict-5', f).state).toBe('done');
    expect(task(l(), 'right-3', f).state).toBe('todo');
    expect(task(l(), 'to-the-end', f)).toEqual({ state: 'todo', detail: 'step 1 of 3' });
    expect(task(l(), 'to-the-end', facts(l(), 'm n k', { agent: { ...agent, index: 3 } })).state).toBe('done');
    expect(task(l(), 'run', facts(l(), 'm n k', { agent: { status: 'none', actions: [], index: 0 } })).state).toBe(
      'todo',
    );
  });
});

describe('parallel loops', () => {
  const l = () => lesson('parallel');

  it('the outer loop in parallel, correct', () => {
    expect(task(l(), 'outer', facts(l(), 'm k n')).detail).toMatch(/no loop is parallel yet/);
    const t = task(l(), 'outer', facts(l(), '||m k n', { threads: 4 }));
    expect(t).toEqual({ state: 'done', detail: '||m:256: 256 iterations on 4 threads, correct' });
    expect(task(l(), 'outer', facts(l(), '||m k n', { correct: false })).state).toBe('todo');
    expect(task(l(), 'outer', facts(l(), 'm ||n k', { threads: 2 })).state).toBe('todo');
  });

  it('the speedup against the same schedule on one thread, per thread', () => {
    expect(task(l(), 'speedup', facts(l(), '||m k n', { threads: 1, gflops: 20 })).detail).toMatch(/ran on 1 thread/);
    expect(task(l(), 'speedup', facts(l(), '||m k n', { threads: 2, gflops: 18 })).state).toBe('waiting');
    const fast = task(l(), 'speedup', facts(l(), '||m k n', { threads: 2, gflops: 18, others: { 'm k n': 10 } }));
    expect(fast).toEqual({ state: 'done', detail: '1.80× on 2 threads, 90% of the ideal 2×' });
    const slow = task(l(), 'speedup', facts(l(), '||m k n', { threads: 4, gflops: 12, others: { 'm k n': 10 } }));
    expect(slow).toEqual({ state: 'todo', detail: '1.20× on 4 threads, 30% of the ideal 4×' });
  });

  it("says the machine gives the page one core when the page's own peak does not scale with the threads", () => {
    const given = { threads: 2, gflops: 11, others: { 'm k n': 10 } };
    const busy = task(
      l(),
      'speedup',
      facts(l(), '||m k n', { ...given, peaks: { oneThread: 40, onThreads: { 2: 44 } } }),
    );
    expect(busy).toEqual({
      state: 'todo',
      detail:
        '1.10× on 2 threads, 55% of the ideal 2×; this machine gives the page only one core right now: the peak on 2 threads is 1.10× the peak on one (try again when it is less busy)',
    });
    // Peaks that scale, or not measured: no such claim.
    const scales = facts(l(), '||m k n', { ...given, peaks: { oneThread: 40, onThreads: { 2: 78 } } });
    expect(task(l(), 'speedup', scales).detail).toBe('1.10× on 2 threads, 55% of the ideal 2×');
    expect(oneCoreOnly(facts(l(), '||m k n', { ...given, peaks: { oneThread: 40, onThreads: {} } }), 2)).toBeNull();
    expect(oneCoreOnly(facts(l(), '||m k n', given), 2)).toBeNull();
  });

  it('a tail on the parallel loop: how its iterations fall on the threads', () => {
    expect(iterationShare(86, 3)).toEqual({ most: 29, idle: 0 });
    expect(iterationShare(2, 4)).toEqual({ most: 1, idle: 2 });
    expect(task(l(), 'tail', facts(l(), '||m k n', { threads: 3 })).state).toBe('todo');
    expect(task(l(), 'tail', facts(l(), '||m:85 r1 m:3 k n', { threads: 3 }))).toEqual({
      state: 'done',
      detail: '||m:85 r1: 86 iterations (the last one the short tail) on 3 threads, at most 29 per thread',
    });
  });
});
