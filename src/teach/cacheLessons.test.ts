// The lessons graded on simulated misses (tiling, conflicts, packing) against the real simulator
// of the generated kernels' accesses, run in Node: each task ticks on the schedules it describes,
// on the simulated figures alone (the measured speed only stands beside), the same in every run;
// and each lesson's walk-through, replayed with the core's actions, ticks its tasks step by step.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCodegen, type Codegen } from '../codegen/index.ts';
import type { CacheFigures } from '../core/cache/figures.ts';
import { machineById } from '../core/cache/machines.ts';
import { applyAction, type Action } from '../core/actions.ts';
import { parseProblemText } from '../core/problem.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState } from '../core/types.ts';
import { simulateCache } from '../runtime/cacheSim.ts';
import {
  checkLesson,
  lessonById,
  lessonStart,
  LESSONS,
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

/** Real simulations by lesson machine, problem and schedule: deterministic, so cached across tests. */
const simulations = new Map<string, CacheFigures>();
function simulated(l: Lesson, scheduleText: string): CacheFigures {
  const machine = machineById(l.machine ?? '');
  if (!machine) throw new Error(`lesson ${l.id} has no machine`);
  const problem = parseProblemText(l.problemText);
  const schedule = parseSchedule(problem, scheduleText);
  const key = `${machine.id}\n${l.problemText}\n${printSchedule(schedule)}`;
  let figures = simulations.get(key);
  if (!figures) {
    figures = simulateCache(codegen, problem, schedule, machine);
    simulations.set(key, figures);
  }
  return figures;
}

interface Given {
  /** The current schedule's refined GFLOPS (default 1). */
  gflops?: number;
  /** The start's refined GFLOPS (not measured when absent). */
  start?: number;
  correct?: boolean;
  /** Schedules left unsimulated (as given). */
  unsimulated?: string[];
}

/** The facts of the lesson's page on `scheduleText`, simulated for real (the start too). */
function facts(l: Lesson, scheduleText: string, g: Given = {}): LessonFacts {
  const problem = parseProblemText(l.problemText);
  const schedule = parseSchedule(problem, scheduleText);
  const current = printSchedule(schedule);
  const start = lessonStart(l).scheduleText;
  const report = (text: string) =>
    codegen.generate(problem, parseSchedule(problem, text), { relaxedSimd: true }).report;
  const measuredBySchedule: LessonFacts['measuredBySchedule'] = {};
  if (g.start !== undefined)
    measuredBySchedule[start] = { gflops: g.start, refinedAt: 1000, correct: true, report: report(start) };
  measuredBySchedule[current] = {
    gflops: g.gflops ?? 1,
    refinedAt: 1000,
    correct: g.correct ?? true,
    report: report(current),
  };
  const unsimulated = new Set((g.unsimulated ?? []).map((t) => printSchedule(parseSchedule(problem, t))));
  const simulatedBySchedule: LessonFacts['simulatedBySchedule'] = {};
  for (const text of new Set([current, start]))
    if (!unsimulated.has(text)) simulatedBySchedule[text] = { status: 'done', figures: simulated(l, text) };
  return {
    problem,
    onLessonProblem: true,
    current: { schedule, cursor: 0 },
    measured: measuredBySchedule[current],
    measuredBySchedule,
    simulatedBySchedule,
    agent: null,
    predictions: { made: 0, right: 0 },
    since: 0,
  };
}

const canonical = (l: Lesson, text: string) => printSchedule(parseSchedule(parseProblemText(l.problemText), text));

function task(l: Lesson, id: string, f: LessonFacts): TaskCheck {
  const i = l.tasks.findIndex((t) => t.id === id);
  if (i < 0) throw new Error(`no task ${id}`);
  return checkLesson(l, f)[i];
}

describe('tiling, graded on simulated misses (512^3, the simulated Zen 4 core)', () => {
  const l = () => lesson('tiling');
  const START = 'm n k m:2 n:16';
  const TILED = 'k:64 m n k:8 m:2 n:16';

  it('split k: two loops over k', () => {
    expect(task(l(), 'split-k', facts(l(), START)).state).toBe('todo');
    expect(task(l(), 'split-k', facts(l(), 'm n k:64 k:8 m:2 n:16')).state).toBe('done');
  });

  it("B's panel stays in the L1 only with 8 rows of k inside m: 16 rows are the whole L1", { timeout: 60_000 }, () => {
    const start = task(l(), 'fits-l1', facts(l(), START));
    expect(start).toEqual({
      state: 'todo',
      detail: "B's L1d capacity misses 4.18 M → 4.18 M (unchanged)",
    });
    expect(task(l(), 'fits-l1', facts(l(), 'k:32 m n k:16 m:2 n:16')).state).toBe('todo');
    const tiled = task(l(), 'fits-l1', facts(l(), TILED, { start: 40, gflops: 48 }));
    expect(tiled.state).toBe('done');
    expect(tiled.detail).toBe("B's L1d capacity misses 4.18 M → 0 (none left); measured 48.0 GFLOPS = 1.20× the start");
  });

  it('the L1 misses fall 3x on the simulated figures, whatever the measured speed', { timeout: 60_000 }, () => {
    for (const gflops of [20, 40, 60]) {
      const c = task(l(), 'fewer-misses', facts(l(), TILED, { start: 40, gflops }));
      expect(c.state).toBe('done');
      expect(c.detail).toMatch(/^L1d misses 4\.26 M → 1\.10 M \(3\.9× fewer\); B's 4\.19 M → 16\.4 k \(256× fewer\)/);
    }
    expect(task(l(), 'fewer-misses', facts(l(), 'k:32 m n k:16 m:2 n:16')).state).toBe('todo');
  });

  it('says "simulating…" and names the schedules to simulate until the figures are there', () => {
    const c = task(l(), 'fewer-misses', facts(l(), TILED, { unsimulated: [TILED, START] }));
    expect(c.state).toBe('waiting');
    expect(c.detail).toBe('simulating… (the caches of this schedule and the start)');
    expect(c.simulations).toEqual([canonical(l(), TILED), canonical(l(), START)]);
    const f = facts(l(), TILED);
    f.simulatedBySchedule = undefined;
    expect(task(l(), 'fewer-misses', f)).toEqual({ state: 'unavailable', detail: 'this page cannot simulate caches' });
  });

  it('a wrong kernel does not count, however few its misses', () => {
    expect(task(l(), 'fewer-misses', facts(l(), TILED, { correct: false })).state).toBe('todo');
  });

  it('asks for the refined figures of both schedules, to show the measured speedup beside', () => {
    const c = task(l(), 'fewer-misses', facts(l(), TILED, { gflops: 50 }));
    expect(c.state).toBe('done');
    expect(c.detail).toMatch(/measured speed: measuring…$/);
    expect(c.needs).toEqual([{ schedule: canonical(l(), START), after: 0 }]);
  });

  it('keeps the 2x16 tile held across the inner k', () => {
    expect(task(l(), 'keep-tile', facts(l(), TILED)).state).toBe('done');
    expect(task(l(), 'keep-tile', facts(l(), 'k:64 m n m:2 n:16 k:8')).state).toBe('todo');
  });

  it('is deterministic: two simulations of a schedule give the same figures and the same readings', {
    timeout: 60_000,
  }, () => {
    const problem = parseProblemText(l().problemText);
    const machine = machineById(l().machine ?? '');
    if (!machine) throw new Error('no machine');
    const again = simulateCache(codegen, problem, parseSchedule(problem, TILED), machine);
    const { simulateMs: _a, ...first } = simulated(l(), TILED) as CacheFigures & { simulateMs?: number };
    const { simulateMs: _b, ...second } = again;
    expect(second).toEqual(first);
  });
});

describe('conflict misses (512^3, the simulated Zen 4 core)', () => {
  const l = () => lesson('conflicts');
  const START = 'n:32 k:16 m k:32 m:2 n:16';

  it("the start's misses of B are all conflict misses: its 2 KiB panel would fit", { timeout: 60_000 }, () => {
    const b = simulated(l(), START).levels[0].tensors.find((t) => t.tensor === 'B');
    expect(b).toMatchObject({ misses: 4194304, conflict: 4177920, capacity: 0 });
    expect(task(l(), 'fewer-conflicts', facts(l(), START)).state).toBe('todo');
  });

  it('16 rows per panel: 32x fewer conflicts, not yet none; 8 rows: none', { timeout: 60_000 }, () => {
    const sixteen = 'n:32 k:16 k:2 m k:16 m:2 n:16';
    expect(task(l(), 'fewer-conflicts', facts(l(), sixteen)).state).toBe('done');
    const some = task(l(), 'no-conflicts', facts(l(), sixteen));
    expect(some.state).toBe('todo');
    expect(some.detail).toMatch(/^B's L1d conflict misses 4\.18 M → 131 k \(32× fewer\), no capacity misses/);
    const eight = task(l(), 'no-conflicts', facts(l(), 'n:32 k:16 k:2 k:2 m k:8 m:2 n:16'));
    expect(eight.state).toBe('done');
    expect(eight.detail).toMatch(/^B's L1d conflict misses 4\.18 M → 0 \(none left\), no capacity misses/);
  });
});

describe("the conflict lesson's text", () => {
  it('cites the simulated misses of B at the nearby odd size n = 520: no conflicts', { timeout: 60_000 }, () => {
    const l = lesson('conflicts');
    const problem = parseProblemText(l.problemText.replace('n=512', 'n=520'));
    expect(problem.sizes.n).toBe(520);
    const machine = machineById(l.machine ?? '');
    if (!machine) throw new Error('no machine');
    const figures = simulateCache(codegen, problem, parseSchedule(problem, l.startSchedule), machine);
    const b = figures.levels[0].tensors.find((t) => t.tensor === 'B');
    expect(b).toMatchObject({ misses: 25088, conflict: 0 });
    expect(l.text.join(' ')).toContain('25.1 k times, none of them conflicts');
  });
});

describe('packing (1024^3, sampled, the simulated Zen 4 core)', () => {
  const l = () => lesson('packing');
  const START = 'n:8 k:8 m:8 n:16 m:32 k:128 m:4 n:8';

  it('packing B removes its conflict misses; packing A alone does not', { timeout: 60_000 }, () => {
    expect(task(l(), 'pack-b', facts(l(), START)).state).toBe('todo');
    expect(task(l(), 'pack-b', facts(l(), 'n:8 k:8 m:8 pack(A) n:16 m:32 k:128 m:4 n:8')).state).toBe('todo');
    const b = task(l(), 'pack-b', facts(l(), 'n:8 k:8 pack(B) m:8 n:16 m:32 k:128 m:4 n:8'));
    expect(b.state).toBe('done');
    expect(b.detail).toMatch(/^B's L1d conflict misses 33\.0 M → 286 k \(116× fewer\)/);
  });

  it('pack A ticks only with both packed', { timeout: 60_000 }, () => {
    expect(task(l(), 'pack-a', facts(l(), 'n:8 k:8 pack(B) m:8 n:16 m:32 k:128 m:4 n:8')).state).toBe('todo');
    const both = task(l(), 'pack-a', facts(l(), 'n:8 k:8 pack(B) m:8 pack(A) n:16 m:32 k:128 m:4 n:8'));
    expect(both.state).toBe('done');
    expect(both.detail).toMatch(/^A and B packed; L1d misses 43\.0 M → 11\.2 M \(3\.8× fewer\)/);
  });
});

describe('the cache lessons: walk-throughs on the real simulator', () => {
  const graded = LESSONS.filter((l) => l.machine !== undefined);

  it('are the tiling, conflict and packing lessons, on one machine', () => {
    expect(graded.map((l) => l.id)).toEqual(['tiling', 'conflicts', 'packing']);
    expect(new Set(graded.map((l) => l.machine))).toEqual(new Set(['zen4']));
  });

  for (const l of graded) {
    it(`${l.id}: each step reaches its schedule and ticks its tasks on the simulated figures, the measured speed flat`, {
      timeout: 120_000,
    }, () => {
      const problem = parseProblemText(l.problemText);
      let state: NestState = { schedule: lessonStart(l).schedule, cursor: 0 };
      const doneSoFar = new Set<string>();
      for (const [i, step] of l.steps.entries()) {
        for (const action of step.actions) {
          const r = applyAction(problem, state, action as Action);
          if (!r.ok) throw new Error(`${l.id}: ${action} refused: ${r.reason}`);
          state = r.state;
        }
        const text = printSchedule(state.schedule);
        expect(text, `${l.id} step ${i + 1}: ${step.text}`).toBe(step.schedule);
        // The same GFLOPS as the start: the tasks tick on the simulated misses alone.
        const f = facts(l, text, { start: 10, gflops: 10 });
        f.current = state;
        const checks = checkLesson(l, f);
        for (const id of step.ticks) {
          const c = checks[l.tasks.findIndex((t) => t.id === id)];
          expect(c?.state, `${l.id} step ${i + 1}, task ${id}: ${c?.detail}`).toBe('done');
          doneSoFar.add(id);
        }
      }
      expect([...doneSoFar].sort()).toEqual(l.tasks.map((t) => t.id).sort());
      // No simulated task is done at the start.
      const atStart = checkLesson(l, facts(l, lessonStart(l).scheduleText, { start: 10, gflops: 10 }));
      l.tasks.forEach((t, i) => {
        if (t.id !== 'keep-tile') expect(atStart[i].state, `${l.id} ${t.id} at the start`).toBe('todo');
      });
    });
  }
});
