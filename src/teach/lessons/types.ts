// The shapes the lessons are written in: what a task's check knows of the page (`LessonFacts`), what it
// answers (`TaskCheck`), and a lesson itself (text, start, tasks).
import type { KernelReport } from '../../codegen/types.ts';
import type { CacheFigures } from '../../core/cache/figures.ts';
import type { Action } from '../../core/actions.ts';
import type { NestState, Problem } from '../../core/types.ts';

/** What the checks know of one measured schedule. */
export interface MeasuredFacts {
  /**
   * The refined figure (median over samples interleaved with the reference kernel) measured since
   * the lesson was opened, or null: tasks decide speeds only on it.
   */
  gflops: number | null;
  /** When the refined figure was completed (ms since the epoch), null without one. */
  refinedAt?: number | null;
  /** The quick, provisional figure (shown while waiting, never decides). */
  quickGflops?: number | null;
  /** null while unknown (never checked). */
  correct: boolean | null;
  report: KernelReport | null;
  /** Threads the kernel ran on (1 when absent). */
  threads?: number;
}

/** One schedule's simulated caches on the lesson's machine: deterministic, the same on every computer. */
export type SimulatedFacts =
  | { status: 'running' }
  | { status: 'done'; figures: CacheFigures }
  | { status: 'error'; error: string };

/** The agent's rollout as the lesson sees it (null when the page has no agent). */
export interface AgentFacts {
  status: string;
  /** The actions of the rollout, in order. */
  actions: string[];
  /** Steps of the rollout shown so far (the player's position). */
  index: number;
}

export interface LessonFacts {
  problem: Problem;
  /** The page works on the lesson's problem (tasks only count there). */
  onLessonProblem: boolean;
  current: NestState;
  /** The current schedule's finished measurement, or null while it is being measured. */
  measured: MeasuredFacts | null;
  /** Finished measurements of the problem's schedules, by schedule text (printSchedule). */
  measuredBySchedule: Record<string, MeasuredFacts>;
  /**
   * Simulated caches of the schedules the page simulated on the lesson's machine (Lesson.machine),
   * by schedule text; absent when the page cannot simulate.
   */
  simulatedBySchedule?: Record<string, SimulatedFacts>;
  agent: AgentFacts | null;
  predictions: { made: number; right: number };
  /** When the lesson was opened (ms since the epoch): figures from before do not count. */
  since?: number;
  /**
   * The page's SIMD peak on one thread and, by thread count, on several threads at once (only
   * those measured): how much of the machine the page gets right now.
   */
  peaks?: { oneThread: number | null; onThreads: Record<number, number> };
}

/** A schedule whose refined figure a task waits for, at least as recent as `after` (ms since the epoch). */
export interface FigureNeed {
  schedule: string;
  after: number;
}

/** Two figures compared by a task must have been refined at most this far apart (ms). */
export const CLOSE_IN_TIME_MS = 60_000;

/** `unavailable`: the task can't be checked on this page (e.g. no agent); the detail says why. */
export type TaskState = 'done' | 'todo' | 'waiting' | 'unavailable';

export interface TaskCheck {
  state: TaskState;
  /** A live reading of the facts the task looks at, in words. */
  detail: string;
  /** While waiting: the refined figures the task waits for (the page measures them). */
  needs?: FigureNeed[];
  /** Schedules whose caches the task reads, by schedule text (the page simulates them on the lesson's machine). */
  simulations?: string[];
}

export interface LessonTask {
  id: string;
  text: string;
  /** Shown one at a time, on request. */
  hints: string[];
  /**
   * The task compares measured speeds, so whether it can be done depends on the machine and on how
   * busy it is (the others depend only on the schedule and the generator's report).
   */
  speed?: boolean;
  check(facts: LessonFacts, lesson: Lesson): TaskCheck;
}

export interface Lesson {
  id: string;
  title: string;
  /** One line for the list of lessons. */
  summary: string;
  problemText: string;
  /** Schedule text the lesson starts from (cursor on the outermost loop). */
  startSchedule: string;
  /** Paragraphs; `code` in backquotes. */
  text: string[];
  tasks: LessonTask[];
  /** The walk-through by keyboard, from the start schedule (none for a lesson driven by buttons). */
  steps: LessonStep[];
  /**
   * The machine (core/cache/machines.ts id) whose simulated caches the tasks read, for lessons
   * graded on simulated misses; its text is written for that machine's sizes.
   */
  machine?: string;
}

/**
 * One step of a lesson's walk-through: what to do in words, the actions that do it (the page shows
 * each as its key: ↓, ⇧↓, `s 16 Enter`…) and the schedule they lead to. Unit tests apply the
 * actions with the core; the e2e presses the keys the page shows, so a step that cannot be
 * followed as written fails.
 */
export interface LessonStep {
  /** What the step does; `code` in backquotes. */
  text: string;
  /** One key press each (a split: s, the factor, Enter), starting where the previous step ended. */
  actions: Action[];
  /** The schedule after the step, as printed. */
  schedule: string;
  /** Tasks done once this step's schedule is measured. */
  ticks: string[];
}
