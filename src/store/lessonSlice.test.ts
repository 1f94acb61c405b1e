// Lessons in the store: tasks recorded from the real state (sticky, saved), the teacher's options
// refused on every path (act, keys' store calls, panels, problem, restore), and where a teacher's
// link starts.
import { describe, expect, it, vi } from 'vitest';
import { AGENT_ACTIONS, applyAction, type Action } from '../core/actions.ts';
import { parseProblemText } from '../core/problem.ts';
import type { AgentStepView } from '../workers/agent/protocol.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { LessonProgress } from '../teach/progress.ts';
import { memoryRecords } from './recordStorage.ts';
import { parseTeacherLink, type TeacherOptions } from '../teach/teacherLink.ts';
import { createLooplabStore } from './createStore.ts';
import { lessonFacts, lessonSnapshot } from './lessonSlice.ts';
import { currentKey } from './measurement.ts';
import { lessonChecks } from './lessons.ts';
import { lessonById } from '../teach/lessons.ts';
import { PANEL_IDS, type AgentDriver, type KernelReport, type Measurer } from './types.ts';

/** GFLOPS of a schedule on the fake machine: n innermost fast, anything else slow. */
const speedOf = (schedule: string) => (/n:\d+$/.test(schedule) ? 10 : 1);

/**
 * A measurer whose GFLOPS depend on the schedule text (n innermost fast, else slow); its quick
 * figures are `quick(schedule)` (default: the true speed) and its refine samples put the kernel at
 * its true speed against a reference running at the peak (50 GFLOPS).
 */
function fakeMeasurer(quick: (schedule: string) => number = speedOf): Measurer & { calls: string[] } {
  const calls: string[] = [];
  const peak = 50;
  const referenceFlops = 1e7;
  return {
    calls,
    async measure(_problem, schedule) {
      calls.push(schedule);
      const gflops = quick(schedule);
      // The generator vectorizes along the innermost loop's variable (the rest of the report is not read here).
      const report = { vectorizedVariable: /(\w+):\d+$/.exec(schedule)?.[1] } as KernelReport;
      return { gflops, gflopsMedian: gflops, correct: true, report };
    },
    async refine(problemText, schedule, options) {
      const flops = parseProblemText(problemText).flops;
      return {
        kernelSeconds: Array.from({ length: options.pairs }, () => flops / (speedOf(schedule) * 1e9)),
        referenceSeconds: Array.from({ length: options.pairs + 1 }, () => referenceFlops / (peak * 1e9)),
        flops,
        referenceFlops,
        threads: 1,
      };
    },
    async peak() {
      return peak;
    },
  };
}

/** Waits until `check` passes (refining waits for the page to be idle, then takes rounds). */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 20 });

const settle = () => new Promise((r) => setTimeout(r, 10));

function teacher(query: string): TeacherOptions {
  return parseTeacherLink(query, PANEL_IDS).options;
}

describe('lessons in the store', () => {
  it('opening a lesson restores its start and shows the lesson column', () => {
    const s = createLooplabStore();
    s.getState().act('down');
    s.getState().openLesson('tiling');
    const st = s.getState();
    expect(st.lessonId).toBe('tiling');
    expect(printSchedule(st.current.schedule)).toBe('m:256 n:32 k:512 m:2 n:16');
    expect(st.log).toEqual([]);
    expect(st.panels.lesson).toBe(true);
    s.getState().openLesson('nope');
    expect(s.getState().notices.at(-1)?.text).toBe("there is no lesson 'nope'");
  });

  it('records a task when the real state satisfies it, keeps it done, and saves it', async () => {
    const progress = memoryRecords<LessonProgress>('lessonId');
    const s = createLooplabStore({ measurer: fakeMeasurer(), progress });
    s.getState().openLesson('loop-order');
    await settle();
    expect(s.getState().lessonProgress['loop-order']).toBeUndefined();
    s.getState().act('down');
    s.getState().act('swap_down');
    await eventually(() => expect(s.getState().lessonProgress['loop-order']?.tasks['speedup-3x']).toBeDefined());
    const tasks = s.getState().lessonProgress['loop-order'].tasks;
    expect(Object.keys(tasks).sort()).toEqual(['b-stride-1', 'speedup-3x']);
    expect(tasks['b-stride-1'].schedule).toBe('m:256 k:256 n:256');
    expect(tasks['speedup-3x'].gflops).toBe(10);
    // Undo: the live check no longer holds, the recorded task stays done.
    s.getState().undo();
    await settle();
    expect(Object.keys(s.getState().lessonProgress['loop-order'].tasks)).toHaveLength(2);
    expect((progress.records.get('loop-order') as { tasks: object }).tasks).toHaveProperty('b-stride-1');
    // A new store reads it back.
    const again = createLooplabStore({ progress });
    await settle();
    expect(Object.keys(again.getState().lessonProgress['loop-order'].tasks).sort()).toEqual([
      'b-stride-1',
      'speedup-3x',
    ]);
    await again.getState().resetLessonProgress('loop-order');
    expect(again.getState().lessonProgress['loop-order']).toBeUndefined();
    expect(progress.records.has('loop-order')).toBe(false);
  });

  it('a task never ticks on quick figures: it says measuring, then decides on refined ones', async () => {
    // Quick figures that would tick the task at once (m k n 40x the start): noise, not a speed.
    const s = createLooplabStore({ measurer: fakeMeasurer((t) => (/n:\d+$/.test(t) ? 40 : 1)) });
    s.getState().openLesson('loop-order');
    s.getState().act('down');
    s.getState().act('swap_down');
    await settle();
    const task = () => lessonChecks(s.getState(), lessonById('loop-order')!)[1];
    expect(task().state).toBe('waiting');
    expect(task().detail).toMatch(/^measuring…/);
    expect(s.getState().lessonProgress['loop-order']?.tasks['speedup-3x']).toBeUndefined();
    await eventually(() => expect(task().state).toBe('done'));
    expect(task().detail).toBe('10.0 GFLOPS = 10.0× the start (1.00)');
    expect(s.getState().lessonProgress['loop-order'].tasks['speedup-3x'].gflops).toBeCloseTo(10, 6);
  });

  it("another lesson's measurements do not tick this lesson's tasks", async () => {
    const s = createLooplabStore({ measurer: fakeMeasurer() });
    // In the loop-order lesson: m k n (vectorized along n) and k n m (along m), both refined.
    s.getState().openLesson('loop-order');
    s.getState().act('down');
    s.getState().act('swap_down');
    await eventually(() => expect(s.getState().lessonProgress['loop-order']?.tasks['speedup-3x']).toBeDefined());
    for (const a of ['up', 'up', 'swap_down', 'swap_down'] as const) expect(s.getState().act(a)).toBe(true);
    expect(printSchedule(s.getState().current.schedule)).toBe('k:256 n:256 m:256');
    await eventually(() => {
      const refined = Object.values(s.getState().measurements).filter((m) => m.stage === 'refined');
      expect(refined.length).toBeGreaterThanOrEqual(3);
    });
    // The vectorize lesson starts from m n k: its comparison task has nothing of its own yet.
    s.getState().openLesson('vectorize');
    await new Promise((r) => setTimeout(r, 600));
    const checks = lessonChecks(s.getState(), lessonById('vectorize')!);
    expect(checks[3].state).toBe('todo');
    expect(s.getState().lessonProgress.vectorize).toBeUndefined();
  });

  it('does not count tasks on another problem', async () => {
    const s = createLooplabStore({ measurer: fakeMeasurer() });
    s.getState().openLesson('loop-order');
    s.getState().loadPreset('matmul-64');
    s.getState().act('down');
    s.getState().act('swap_down');
    await settle();
    expect(s.getState().lessonProgress['loop-order']).toBeUndefined();
  });

  it("gives the checks the page's peaks: on one thread and on each thread count measured", () => {
    const s = createLooplabStore({ measurer: fakeMeasurer() });
    s.getState().openLesson('parallel');
    const lesson = lessonById('parallel')!;
    s.setState({
      peak: { status: 'done', gflops: 40 },
      peaksOnThreads: { 2: { status: 'done', gflops: 44 }, 4: { status: 'measuring' } },
    });
    expect(lessonFacts(s.getState(), lesson).peaks).toEqual({ oneThread: 40, onThreads: { 2: 44 } });
    s.setState({ peak: { status: 'measuring' } });
    expect(lessonFacts(s.getState(), lesson).peaks?.oneThread).toBeNull();
  });

  it('damaged saved progress is reported and ignored', async () => {
    const progress = memoryRecords<LessonProgress>('lessonId');
    progress.records.set('tails', 42);
    const s = createLooplabStore({ progress });
    await settle();
    expect(s.getState().progressProblems).toEqual([
      "the saved progress of 'Tails and awkward sizes' is damaged (not a progress record) and was ignored",
    ]);
    expect(s.getState().notices.map((n) => n.text)).toContain(s.getState().progressProblems[0]);
  });
});

describe("a teacher's options are enforced by the store", () => {
  it('hidden actions are refused for the person with the reason, not for the agent', () => {
    const s = createLooplabStore({ teacher: teacher('?hideActions=split,swap,undo') });
    expect(s.getState().act('split_4')).toBe(false);
    expect(s.getState().refusal).toEqual({ action: 'split_4', reason: 'this lesson hides split' });
    expect(s.getState().act('swap_down')).toBe(false);
    expect(s.getState().refusal?.reason).toBe('this lesson hides swap');
    expect(s.getState().act('down')).toBe(true);
    expect(s.getState().act('split_4', 'agent')).toBe(true);
    s.getState().undo();
    expect(s.getState().position).toBe(2);
    // A click on the GFLOPS chart is an undo too.
    s.getState().visit(0);
    expect(s.getState().position).toBe(2);
    expect(s.getState().notices.at(-1)?.text).toBe('this lesson hides undo and redo');
  });

  it('a typed schedule is refused when its path needs a hidden action, and allowed when it does not', () => {
    const s = createLooplabStore({ teacher: teacher('?hideActions=split') });
    const problem = s.getState().problem;
    expect(s.getState().setSchedule(parseSchedule(problem, 'm n k m:4 n:8'))).toBe(false);
    expect(s.getState().refusal?.reason).toBe('this lesson hides split');
    expect(s.getState().log).toEqual([]);
    expect(s.getState().setSchedule(parseSchedule(problem, 'n m k'))).toBe(true);
    expect(printSchedule(s.getState().current.schedule)).toBe('n:256 m:256 k:256');
  });

  it('a chart click moves in the history when undo is not hidden', () => {
    const s = createLooplabStore({ teacher: teacher('?hideActions=split') });
    s.getState().act('down');
    s.getState().act('swap_up');
    s.getState().visit(1);
    expect(s.getState().position).toBe(1);
  });

  it('hidden panels cannot be shown', () => {
    const s = createLooplabStore({ teacher: teacher('?hide=graph') });
    s.getState().togglePanel('graph');
    expect(s.getState().notices.at(-1)?.text).toBe('this lesson hides the graph panel');
    s.getState().togglePanel('code');
    expect(s.getState().panels.code).toBe(false);
  });

  it('a fixed problem refuses edits, presets and restoring another problem', () => {
    const s = createLooplabStore({
      teacher: teacher('?lesson=tails&fixed=problem,lesson'),
      initial: { problemText: lessonById('tails')!.problemText },
    });
    const key = s.getState().problemKey;
    s.getState().setProblemText('C[m,n] += A[m,k] * B[k,n]\nm=8, n=8, k=8');
    s.getState().loadPreset('matmul-64');
    s.getState().restore(lessonSnapshot(lessonById('loop-order')!));
    s.getState().openLesson('loop-order');
    expect(s.getState().problemKey).toBe(key);
    expect(s.getState().lessonId).toBe('tails');
    const texts = s.getState().notices.map((n) => n.text);
    expect(texts).toContain('this lesson fixes the problem: it cannot be edited or replaced');
    expect(texts).toContain('this link fixes the lesson: it cannot be switched');
    s.getState().closeLesson();
    expect(s.getState().lessonId).toBe('tails');
  });
});

describe('the agent lesson', () => {
  /** An agent whose one rollout is the given actions (legal from the start; the core applies them). */
  function scriptedAgent(actions: Action[]): AgentDriver {
    return {
      loadPolicy: () => Promise.resolve({ featureSet: 'extended', actions: [...AGENT_ACTIONS], steps: 10 }),
      search: () => Promise.reject(new Error('the lesson runs LoopTune')),
      loadCostModel: () => Promise.resolve(),
      async tune(problemText, start, onStep) {
        const problem = parseProblemText(problemText);
        let state = { schedule: parseSchedule(problem, start!.scheduleText), cursor: start!.cursor };
        const steps: AgentStepView[] = actions.map((action, index) => {
          const r = applyAction(problem, state, action);
          if (!r.ok) throw new Error(r.reason);
          state = r.state;
          return {
            index,
            action,
            values: [],
            valueKind: 'probability' as const,
            scheduleText: printSchedule(state.schedule),
            cursor: state.cursor,
            gflops: 1,
            elapsedMs: 1,
          };
        });
        for (const s of steps) onStep?.(s);
        return { startGflops: 1, steps, tuningMs: 1, setupMs: 0 };
      },
    };
  }

  it('pauses a new rollout at its start; predictions are scored against the chosen actions and step the player', async () => {
    const rollout: Action[] = ['down', 'swap_down', 'split_4', 'up', 'down'];
    const s = createLooplabStore({ agent: scriptedAgent(rollout) });
    s.getState().openLesson('agent');
    s.getState().predictNext('down');
    expect(s.getState().notices.at(-1)?.text).toBe('run the agent first: there is no rollout to predict');
    s.getState().driveAgent();
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
    await settle();
    expect(s.getState().player).toMatchObject({ index: 0, playing: false });
    expect(s.getState().lessonProgress.agent.tasks).toHaveProperty('run');

    for (const guess of ['down', 'swap_down', 'split_8', 'up', 'down'] as const) s.getState().predictNext(guess);
    const st = s.getState();
    expect(st.predictions.map((p) => [p.step, p.predicted, p.actual])).toEqual([
      [0, 'down', 'down'],
      [1, 'swap_down', 'swap_down'],
      [2, 'split_8', 'split_4'],
      [3, 'up', 'up'],
      [4, 'down', 'down'],
    ]);
    expect(st.player.index).toBe(5);
    expect(printSchedule(st.current.schedule)).toBe('m:128 k:128 n:32 n:4');
    expect(Object.keys(st.lessonProgress.agent.tasks).sort()).toEqual(['predict-5', 'right-3', 'run', 'to-the-end']);
    s.getState().predictNext('up');
    expect(s.getState().notices.at(-1)?.text).toBe('the rollout is over: there is no next action to predict');
  });
});

describe('lessons graded on simulated misses', () => {
  /** Figures of the fake simulator: B misses the L1 (capacity) unless the outermost loop is over k. */
  function figuresOf(schedule: string, machine: string) {
    const tiled = schedule.startsWith('k:');
    const counts = (misses: number, capacity: number) => ({
      accesses: 1e6,
      misses,
      compulsory: misses - capacity,
      capacity,
      conflict: 0,
      fills: misses,
      writebacks: 0,
      bytes: misses * 64,
      missesPer1000Fma: 0,
    });
    const b = tiled ? counts(100, 0) : counts(4000, 3900);
    const c = tiled ? counts(300, 200) : counts(100, 0);
    const tensors = [
      { tensor: 'C', ...c },
      { tensor: 'A', ...counts(100, 0) },
      { tensor: 'B', ...b },
    ];
    const total = counts(b.misses + c.misses + 100, b.capacity + c.capacity);
    return {
      machine: { id: machine, name: machine, source: '', lineBytes: 64 },
      fmas: 1,
      instructions: 1,
      levels: [{ name: 'L1d', bytes: 32768, ways: 8, sets: 64, next: 'L2', tensors, total }],
    } as unknown as import('../core/cache/figures.ts').CacheFigures;
  }

  function simulatingMeasurer() {
    const base = fakeMeasurer();
    const simulated: string[] = [];
    const pending: Array<() => void> = [];
    const measurer: Measurer = {
      ...base,
      simulateCache(_problem, schedule, machine) {
        simulated.push(`${schedule} on ${machine}`);
        return new Promise((resolve) => pending.push(() => resolve(figuresOf(schedule, machine))));
      },
    };
    const flush = async () => {
      while (pending.length > 0) {
        pending.shift()?.();
        await settle();
      }
    };
    return { measurer, simulated, flush };
  }

  it("simulates the start and the current schedule on the lesson's machine, panel hidden; the task says simulating…, then ticks", async () => {
    const { measurer, simulated, flush } = simulatingMeasurer();
    const s = createLooplabStore({ measurer });
    s.getState().setMemoryMachine('teaching');
    s.getState().openLesson('tiling');
    // Not before the start's GFLOPS figure: a simulation never delays it.
    expect(s.getState().measurements[currentKey(s.getState())]?.status).toMatch(/^(queued|measuring)$/);
    expect(simulated).toEqual([]);
    expect(s.getState().panels.memory).toBe(false);
    // The memory panel now shows the lesson's machine.
    expect(s.getState().memoryMachine).toBe('zen4');
    const lesson = lessonById('tiling')!;
    const fits = () => lessonChecks(s.getState(), lesson)[lesson.tasks.findIndex((t) => t.id === 'fits-l1')];
    await settle();
    expect(fits().state).toBe('waiting');
    expect(fits().detail).toBe('simulating… (the caches of the start)');
    expect(simulated).toEqual(['m:256 n:32 k:512 m:2 n:16 on zen4']);
    await flush();
    expect(fits().state).toBe('todo');
    expect(fits().detail).toMatch(/^B's L1d capacity misses 3.90 k → 3.90 k \(unchanged\)/);
    for (const a of ['down', 'down', 'split_8', 'swap_up', 'swap_up'] as Action[]) s.getState().act(a);
    await settle();
    expect(fits().detail).toBe('simulating… (the caches of this schedule)');
    await flush();
    // Only the schedule it reached, once measured (the one it passed was left before its figure came).
    expect(simulated.slice(1)).toEqual(['k:64 m:256 n:32 k:8 m:2 n:16 on zen4']);
    expect(fits().state).toBe('done');
    await eventually(() => expect(s.getState().lessonProgress.tiling?.tasks['fits-l1']).toBeDefined());
    // Each schedule was simulated once.
    expect(new Set(simulated).size).toBe(simulated.length);
  });

  it("keeps the machine a teacher's link fixed, and grades on the lesson's machine anyway", async () => {
    const { measurer, simulated, flush } = simulatingMeasurer();
    const s = createLooplabStore({ measurer, teacher: { ...teacher('?machine=teaching'), lesson: null } });
    s.getState().openLesson('conflicts');
    await settle();
    expect(s.getState().memoryMachine).toBe('teaching');
    expect(simulated).toEqual(['n:32 k:16 m:256 k:32 m:2 n:16 on zen4']);
    await flush();
  });
});
