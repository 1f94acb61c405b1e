// Lessons in the store: which lesson is open, the teacher's link options (fixed, hidden, present),
// the handout, predictions of the agent's actions, and the progress (IndexedDB). `watchLessons`
// checks the open lesson's tasks after every change of the real state and records a task the
// first time it is done (sticky, with the schedule and GFLOPS of that moment).
import { printSchedule } from '../core/schedule.ts';
import { measurementKey, stateThreads } from './measureSlice.ts';
import { memoryKey } from './memorySlice.ts';
import {
  checkLesson,
  lessonById,
  lessonStart,
  type Lesson,
  type LessonFacts,
  type MeasuredFacts,
  type SimulatedFacts,
} from '../teach/lessons.ts';
import { loadProgress, type LessonProgress, type ProgressStorage } from '../teach/progress.ts';
import { fixedProblemReason, NO_TEACHER_OPTIONS, type TeacherOptions } from '../teach/teacherLink.ts';
import type { LooplabStore } from './storeApi.ts';
import type { SliceCreator } from './sliceCreator.ts';
import { rolloutInHistory } from './agentSlice.ts';
import { resolveSnapshot, type ResolvedSnapshot } from './snapshot.ts';
import type { LessonSlice, LooplabState, RefineNeed } from './types.ts';
import { errorMessage } from '../core/errors.ts';

const snapshots = new Map<string, ResolvedSnapshot>();

/** The lesson's start as a checked snapshot (problem, base schedule, empty history). */
export function lessonSnapshot(lesson: Lesson): ResolvedSnapshot {
  let snapshot = snapshots.get(lesson.id);
  if (!snapshot) {
    const r = resolveSnapshot(
      { problemText: lesson.problemText, base: lessonStart(lesson).scheduleText },
      `lesson '${lesson.id}'`,
    );
    if (!r.ok) throw new Error(r.error);
    snapshot = r.value;
    snapshots.set(lesson.id, snapshot);
  }
  return snapshot;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** What the lesson checks see of the store. */
export function lessonFacts(s: LooplabState, lesson: Lesson): LessonFacts {
  const prefix = `${s.problemKey}\n@ `;
  const measuredBySchedule: Record<string, MeasuredFacts> = {};
  const threads = stateThreads(s);
  const visited = new Set(s.lessonVisited);
  visited.add(printSchedule(s.current.schedule));
  for (const [key, m] of Object.entries(s.measurements)) {
    if (!key.startsWith(prefix) || (m.status !== 'done' && m.status !== 'error')) continue;
    const scheduleText = key.slice(prefix.length).split('\n')[0];
    // Another lesson's schedules do not count for this one until they are visited in it.
    if (!visited.has(scheduleText)) continue;
    // A parallel schedule counts at the threads the page runs it on now.
    if (key !== measurementKey(s.problemKey, scheduleText, threads)) continue;
    // Only a figure refined since the lesson was opened decides anything: quick figures are
    // provisional, and figures from before (another lesson's) must not tick this one's tasks.
    const refined =
      m.stage === 'refined' && typeof m.refinedAt === 'number' && m.refinedAt >= s.lessonOpenedAt && finite(m.gflops);
    measuredBySchedule[scheduleText] = {
      gflops: refined ? (m.gflops as number) : null,
      refinedAt: refined ? (m.refinedAt as number) : null,
      quickGflops: finite(m.quickGflops) ? m.quickGflops : finite(m.gflops) ? m.gflops : null,
      correct: m.correct ?? (m.status === 'error' ? false : null),
      report: m.report ?? null,
      threads: m.threads ?? 1,
    };
  }
  const run = s.agentRun;
  const simulated = lesson.machine !== undefined && typeof s.simulateForLesson === 'function';
  const agent =
    typeof s.driveAgent !== 'function'
      ? null
      : {
          status: run ? run.status : 'none',
          actions: run && run.status === 'done' && rolloutInHistory(s, run) ? run.steps.map((step) => step.action) : [],
          index: s.player.index,
        };
  return {
    problem: s.problem,
    onLessonProblem: s.problemKey === lessonSnapshot(lesson).problemKey,
    current: s.current,
    measured: measuredBySchedule[printSchedule(s.current.schedule)] ?? null,
    measuredBySchedule,
    ...(simulated ? { simulatedBySchedule: simulatedFacts(s, lesson.machine as string) } : {}),
    agent,
    predictions: {
      made: s.predictions.length,
      right: s.predictions.filter((p) => p.predicted === p.actual).length,
    },
    since: s.lessonOpenedAt,
    peaks: {
      oneThread: s.peak.status === 'done' && finite(s.peak.gflops) ? s.peak.gflops : null,
      onThreads: Object.fromEntries(
        Object.entries(s.peaksOnThreads).flatMap(([n, p]) =>
          p.status === 'done' && finite(p.gflops) ? [[Number(n), p.gflops]] : [],
        ),
      ),
    },
  };
}

/** The simulations of the problem's schedules on `machineId`, by schedule text (deterministic: any time counts). */
function simulatedFacts(s: LooplabState, machineId: string): Record<string, SimulatedFacts> {
  const prefix = `${s.problemKey}\n@ `;
  const suffix = `\n# ${machineId}`;
  const out: Record<string, SimulatedFacts> = {};
  for (const [key, e] of Object.entries(s.memory)) {
    if (!key.startsWith(prefix) || !key.endsWith(suffix)) continue;
    const scheduleText = key.slice(prefix.length, key.length - suffix.length);
    if (key !== memoryKey(s.problemKey, scheduleText, machineId)) continue;
    out[scheduleText] =
      e.status === 'done' && e.figures
        ? { status: 'done', figures: e.figures }
        : e.status === 'error'
          ? { status: 'error', error: e.error ?? 'the simulation failed' }
          : { status: 'running' };
  }
  return out;
}

export interface LessonDeps {
  teacher?: TeacherOptions;
  progress?: ProgressStorage;
}

export const createLessonSlice =
  (lessonDeps: LessonDeps): SliceCreator<LessonSlice> =>
  (set, get) => {
    const teacher = lessonDeps.teacher ?? NO_TEACHER_OPTIONS;
    const storage = lessonDeps.progress;
    return {
      lessonId: teacher.lesson,
      lessonOpenedAt: Date.now(),
      lessonVisited: [],
      teacher,
      present: teacher.present,
      handoutOpen: teacher.handout && teacher.lesson !== null,
      handoutFilled: false,
      lessonProgress: {},
      progressProblems: [],
      predictions: [],

      openLesson(id) {
        const s = get();
        const lesson = lessonById(id);
        if (!lesson) {
          s.notify('error', `there is no lesson '${id}'`);
          return;
        }
        if (s.teacher.fixed.includes('lesson') && id !== s.teacher.lesson) {
          s.notify('error', 'this link fixes the lesson: it cannot be switched');
          return;
        }
        const snapshot = lessonSnapshot(lesson);
        const fixed = fixedProblemReason(s.teacher);
        if (fixed && snapshot.problemKey !== s.problemKey) {
          s.notify('error', `${fixed}, and lesson '${lesson.title}' needs another one`);
          return;
        }
        s.restore(snapshot);
        // The agent lesson predicts LoopTune's actions (its policy's seven), so the panel runs it.
        set({
          lessonId: id,
          lessonOpenedAt: Date.now(),
          lessonVisited: [printSchedule(get().current.schedule)],
          predictions: [],
          panels: { ...get().panels, lesson: true },
          ...(id === 'agent' ? { agentMethod: 'looptune' as const } : {}),
          // The memory panel shows the figures the lesson grades on, unless a teacher's link fixed its machine.
          ...(lesson.machine && !get().memoryMachineFixed ? { memoryMachine: lesson.machine } : {}),
        });
      },

      closeLesson() {
        if (get().teacher.fixed.includes('lesson')) {
          get().notify('error', 'this link fixes the lesson: it cannot be closed');
          return;
        }
        set({ lessonId: null, handoutOpen: false });
      },

      setPresent(on) {
        set({ present: on });
      },

      setHandoutOpen(open) {
        set({ handoutOpen: open && get().lessonId !== null });
      },

      setHandoutFilled(filled) {
        set({ handoutFilled: filled });
      },

      predictNext(action) {
        const s = get();
        const run = s.agentRun;
        if (run?.status !== 'done' || !rolloutInHistory(s, run)) {
          s.notify('error', 'run the agent first: there is no rollout to predict');
          return;
        }
        if (run.method !== 'looptune') {
          s.notify(
            'error',
            "the lesson predicts LoopTune's actions: run it from the lesson (or choose LoopTune in the agent panel)",
          );
          return;
        }
        const index = s.player.index;
        const step = run.steps[index];
        if (!step) {
          s.notify('info', 'the rollout is over: there is no next action to predict');
          return;
        }
        if (!s.predictions.some((p) => p.step === index)) {
          set({ predictions: [...s.predictions, { step: index, predicted: action, actual: step.action }] });
        }
        get().playerStep(1);
      },

      async refreshProgress() {
        if (!storage) return;
        const { byLesson, problems } = await loadProgress(storage);
        // Tasks done while loading are kept.
        const merged: Record<string, LessonProgress> = { ...byLesson };
        for (const [id, p] of Object.entries(get().lessonProgress)) {
          merged[id] = { ...p, tasks: { ...(byLesson[id]?.tasks ?? {}), ...p.tasks } };
        }
        set({ lessonProgress: merged, progressProblems: problems });
        for (const p of problems) get().notify('error', p);
      },

      async resetLessonProgress(id) {
        const { [id]: _dropped, ...rest } = get().lessonProgress;
        set({ lessonProgress: rest, predictions: id === 'agent' ? [] : get().predictions });
        if (!storage) return;
        try {
          await storage.delete(id);
        } catch (error) {
          get().notify('error', `lesson progress could not be reset: ${errorMessage(error)}`);
        }
      },
    };
  };

/**
 * Checks the open lesson after every relevant change and records newly done tasks (and saves
 * them). Also pauses a new rollout in the agent lesson, so the learner predicts before each step.
 */
export function watchLessons(store: LooplabStore, storage?: ProgressStorage): () => void {
  /** The refined figures the open lesson's tasks wait for, as last handed to the measurer. */
  let asked = '[]';
  const ask = (needs: RefineNeed[]) => {
    const text = JSON.stringify(needs);
    if (text === asked) return;
    asked = text;
    store.getState().wantRefined(needs);
  };
  /** The simulations the open lesson's tasks read, as last handed to the memory slice. */
  let askedSimulations = '';
  const askSimulations = (machineId: string | undefined, schedules: string[]) => {
    const text = JSON.stringify([machineId, schedules]);
    if (text === askedSimulations) return;
    askedSimulations = text;
    store.getState().simulateForLesson?.(machineId ?? '', machineId ? schedules : []);
  };
  const record = (s: LooplabState) => {
    const lesson = lessonById(s.lessonId);
    if (!lesson) {
      askSimulations(undefined, []);
      return ask([]);
    }
    const facts = lessonFacts(s, lesson);
    if (!facts.onLessonProblem) {
      askSimulations(undefined, []);
      return ask([]);
    }
    const here = printSchedule(s.current.schedule);
    if (!s.lessonVisited.includes(here)) {
      store.setState({ lessonVisited: [...s.lessonVisited, here] }); // records again, with it
      return;
    }
    const checks = checkLesson(lesson, facts);
    const needs = new Map<string, RefineNeed>();
    for (const c of checks) {
      for (const n of c.needs ?? []) {
        const after = Math.max(n.after, needs.get(n.schedule)?.after ?? 0);
        needs.set(n.schedule, { scheduleText: n.schedule, after });
      }
    }
    ask([...needs.values()]);
    askSimulations(lesson.machine, [...new Set(checks.flatMap((c) => c.simulations ?? []))]);
    const before = s.lessonProgress[lesson.id];
    const tasks = { ...(before?.tasks ?? {}) };
    let changed = false;
    lesson.tasks.forEach((task, i) => {
      if (checks[i].state !== 'done' || tasks[task.id]) return;
      tasks[task.id] = {
        doneAt: Date.now(),
        schedule: printSchedule(s.current.schedule),
        gflops: facts.measured?.gflops ?? null,
        ...(facts.measured?.gflops != null ? { threads: facts.measured.threads ?? 1 } : {}),
      };
      changed = true;
    });
    if (!changed) return;
    const progress: LessonProgress = { lessonId: lesson.id, tasks, updatedAt: Date.now() };
    store.setState({ lessonProgress: { ...store.getState().lessonProgress, [lesson.id]: progress } });
    if (storage) {
      storage
        .put(progress)
        .catch((error: unknown) =>
          store.getState().notify('error', `lesson progress could not be saved: ${errorMessage(error)}`),
        );
    }
  };
  const unsubscribe = store.subscribe((s, prev) => {
    if (
      s.lessonId !== prev.lessonId ||
      s.lessonOpenedAt !== prev.lessonOpenedAt ||
      s.lessonVisited !== prev.lessonVisited ||
      s.current !== prev.current ||
      s.measurements !== prev.measurements ||
      s.memory !== prev.memory ||
      s.problemKey !== prev.problemKey ||
      s.agentRun !== prev.agentRun ||
      s.player !== prev.player ||
      s.predictions !== prev.predictions
    ) {
      record(s);
    }
    const run = s.agentRun;
    if (s.lessonId === 'agent' && run?.status === 'done' && prev.agentRun?.status !== 'done') {
      // The agent slice starts playing right after it sets the run; stop it and rewind, so the
      // learner predicts every step.
      queueMicrotask(() => {
        const now = store.getState();
        now.playerPause();
        now.playerSeek(0);
      });
    }
  });
  record(store.getState());
  return unsubscribe;
}
