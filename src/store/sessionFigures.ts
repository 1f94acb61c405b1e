// The schedules of a session with the figures they reached, as the handout prints them: each
// figure read under the thread count the page measures at, and stating the threads it ran on, so
// that a parallel schedule's figure is never shown as if measured on one thread.
import { printSchedule } from '../core/schedule.ts';
import { measurementOf } from './measurement.ts';
import type { LooplabState } from './types.ts';

export interface ScheduleFigure {
  schedule: string;
  /** Best GFLOPS, null while not measured. */
  gflops: number | null;
  /** Threads the figure was measured on (1 for a schedule without a parallel loop). */
  threads: number;
  correct: boolean | null;
}

type FiguresState = Pick<
  LooplabState,
  'states' | 'log' | 'measurements' | 'problemKey' | 'threadsChosen' | 'threadSupport'
>;

/** A schedule's figure in this session (refined once refined), read at the page's thread count. */
export function scheduleFigure(
  s: Pick<FiguresState, 'measurements' | 'problemKey' | 'threadsChosen' | 'threadSupport'>,
  text: string,
): ScheduleFigure {
  const m = measurementOf(s, text);
  const done = m?.status === 'done' && typeof m.gflops === 'number' && Number.isFinite(m.gflops);
  return {
    schedule: text,
    gflops: done ? (m.gflops as number) : null,
    threads: done ? (m.threads ?? 1) : 1,
    correct: m?.correct ?? null,
  };
}

/** Each distinct schedule of the history (up to its end), in order, with its figure. */
export function sessionFigures(s: FiguresState): ScheduleFigure[] {
  const seen = new Set<string>();
  const out: ScheduleFigure[] = [];
  for (const state of s.states.slice(0, s.log.length + 1)) {
    const text = printSchedule(state.schedule);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(scheduleFigure(s, text));
  }
  return out;
}

/** The best correct figure among them, or null. */
export function bestFigure(figures: ScheduleFigure[]): ScheduleFigure | null {
  let best: ScheduleFigure | null = null;
  for (const f of figures)
    if (f.gflops !== null && f.correct !== false && (best === null || f.gflops > (best.gflops as number))) best = f;
  return best;
}

/** "on 1 thread", "on 4 threads". */
export function onThreads(threads: number): string {
  return `on ${threads} thread${threads === 1 ? '' : 's'}`;
}
