// The figures of the printable handout (and of the lesson panel's done tasks), from one source:
// the session's measurements. A task's record keeps the schedule it was done on; its figure is
// that schedule's figure in this session, so that "best" and the tasks never disagree (a figure
// recorded in an earlier session, on a busier or quieter machine, is not shown beside today's).
import { bestFigure, type ScheduleFigure, scheduleFigure, sessionFigures } from './sessionFigures.ts';
import { machineById } from '../core/cache/machines.ts';
import { type Lesson, lessonStart } from '../teach/lessons.ts';
import { memoryKey } from './memorySlice.ts';
import type { LooplabState } from './types.ts';

export interface HandoutTask {
  id: string;
  /** Recorded as done (in this session or an earlier one). */
  done: boolean;
  /** The schedule it was done on. */
  schedule: string | null;
  /** That schedule's figure in this session, or null when it was not measured in it. */
  gflops: number | null;
  /** Threads that figure ran on. */
  threads: number;
}

export interface HandoutFigures {
  rows: ScheduleFigure[];
  /** The best correct figure of the rows. */
  best: ScheduleFigure | null;
  tasks: HandoutTask[];
}

type FigureState = Pick<
  LooplabState,
  'problemKey' | 'measurements' | 'states' | 'log' | 'lessonProgress' | 'threadsChosen' | 'threadSupport'
>;

/**
 * The figures the handout prints: this session's when it is filled in (to hand in); none on the
 * blank worksheet (to hand out), whose tasks are unticked and whose figures are left to write in.
 */
export function handoutFigures(s: FigureState & Pick<LooplabState, 'handoutFilled'>, lesson: Lesson): HandoutFigures {
  if (!s.handoutFilled) {
    const blank = { done: false, schedule: null, gflops: null, threads: 1 };
    return { rows: [], best: null, tasks: lesson.tasks.map((t) => ({ id: t.id, ...blank })) };
  }
  return sessionHandoutFigures(s, lesson);
}

function sessionHandoutFigures(s: FigureState, lesson: Lesson): HandoutFigures {
  const rows = sessionFigures(s);
  const recorded = s.lessonProgress[lesson.id]?.tasks ?? {};
  const tasks = lesson.tasks.map((t) => {
    const r = recorded[t.id];
    const figure = r ? scheduleFigure(s, r.schedule) : null;
    return {
      id: t.id,
      done: r !== undefined,
      schedule: r?.schedule ?? null,
      gflops: figure?.gflops ?? null,
      threads: figure?.threads ?? 1,
    };
  });
  return { rows, best: bestFigure(rows), tasks };
}

/** One schedule's simulated caches on the lesson's machine, as the handout prints them. */
export interface HandoutSimulation {
  schedule: string;
  /** `simulating` until the start's simulation is in (the lesson asks for it when it opens). */
  status: 'done' | 'simulating' | 'error';
  /** Per level (L1 first): misses per tensor (output, inputs) and in all, and the conflict misses in all. */
  levels: Array<{ name: string; tensors: Array<{ tensor: string; misses: number }>; misses: number; conflict: number }>;
  error?: string;
}

export interface HandoutSimulations {
  /** The machine's name, e.g. `AMD Zen 4 core`. */
  machine: string;
  rows: HandoutSimulation[];
}

/**
 * The simulated figures the blank sheet prints for a lesson graded on simulated misses (null for
 * the others, and on the filled sheet, which prints each schedule's misses beside its GFLOPS): the
 * start's on the lesson's machine, deterministic, so every student's sheet has the same numbers.
 */
export function handoutSimulations(
  s: Pick<LooplabState, 'handoutFilled' | 'memory' | 'problemKey'>,
  lesson: Lesson,
): HandoutSimulations | null {
  const machine = lesson.machine ? machineById(lesson.machine) : undefined;
  if (!machine || s.handoutFilled) return null;
  const schedule = lessonStart(lesson).scheduleText;
  const entry = s.memory[memoryKey(s.problemKey, schedule, machine.id)];
  const row = ((): HandoutSimulation => {
    if (entry?.status === 'error') return { schedule, status: 'error', levels: [], error: entry.error };
    if (entry?.status !== 'done' || !entry.figures) return { schedule, status: 'simulating', levels: [] };
    const levels = entry.figures.levels.map((l) => ({
      name: l.name,
      tensors: l.tensors.map((t) => ({ tensor: t.tensor, misses: t.misses })),
      misses: l.total.misses,
      conflict: l.total.conflict,
    }));
    return { schedule, status: 'done', levels };
  })();
  return { machine: machine.name, rows: [row] };
}
