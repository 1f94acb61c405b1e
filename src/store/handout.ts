// The figures of the printable handout (and of the lesson panel's done tasks), from one source:
// the session's measurements. A task's record keeps the schedule it was done on; its figure is
// that schedule's figure in this session, so that "best" and the tasks never disagree (a figure
// recorded in an earlier session, on a busier or quieter machine, is not shown beside today's).
import { printSchedule } from '../core/schedule.ts';
import { measurementKey, stateThreads } from './measureSlice.ts';
import type { Lesson } from '../teach/lessons.ts';
import type { LooplabState } from './types.ts';

export interface HandoutRow {
  schedule: string;
  /** The session's figure (refined once refined), null while unmeasured or incorrect. */
  gflops: number | null;
  correct: boolean | null;
}

export interface HandoutTask {
  id: string;
  /** Recorded as done (in this session or an earlier one). */
  done: boolean;
  /** The schedule it was done on. */
  schedule: string | null;
  /** That schedule's figure in this session, or null when it was not measured in it. */
  gflops: number | null;
}

export interface HandoutFigures {
  rows: HandoutRow[];
  /** The best correct figure of the rows. */
  best: number | null;
  tasks: HandoutTask[];
}

type FigureState = Pick<
  LooplabState,
  'problemKey' | 'measurements' | 'states' | 'log' | 'lessonProgress' | 'threadsChosen' | 'threadSupport'
>;

/** The session's figure of a schedule (the one the performance panel shows for it). */
export function sessionFigure(
  s: FigureState,
  scheduleText: string,
): { gflops: number | null; correct: boolean | null } {
  const m = s.measurements[measurementKey(s.problemKey, scheduleText, stateThreads(s))];
  return {
    gflops: m?.status === 'done' && typeof m.gflops === 'number' && Number.isFinite(m.gflops) ? m.gflops : null,
    correct: m?.correct ?? null,
  };
}

export function handoutFigures(s: FigureState, lesson: Lesson): HandoutFigures {
  const seen = new Set<string>();
  const rows: HandoutRow[] = [];
  for (const state of s.states.slice(0, s.log.length + 1)) {
    const text = printSchedule(state.schedule);
    if (seen.has(text)) continue;
    seen.add(text);
    rows.push({ schedule: text, ...sessionFigure(s, text) });
  }
  const best = rows.reduce<number | null>(
    (b, r) => (r.gflops !== null && r.correct !== false && (b === null || r.gflops > b) ? r.gflops : b),
    null,
  );
  const recorded = s.lessonProgress[lesson.id]?.tasks ?? {};
  const tasks = lesson.tasks.map((t) => {
    const r = recorded[t.id];
    return {
      id: t.id,
      done: r !== undefined,
      schedule: r?.schedule ?? null,
      gflops: r ? sessionFigure(s, r.schedule).gflops : null,
    };
  });
  return { rows, best, tasks };
}
