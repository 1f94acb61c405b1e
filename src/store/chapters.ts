// The history across problems. In the store each problem has its own log (the current one, the
// problems before it in `earlier`, those undone in `later`); links, sessions and files write them
// as one log in which a `problem:` entry starts the next problem from its default schedule.
// Problems before the current one are kept as they were left (at the end of their log); those
// after it from their start, so the one log and its position say everything.
import type { HistoryChapter, HistoryEntry } from './historyTypes.ts';
import { problemAction } from './log.ts';
import type { Schedule } from '../core/types.ts';

/** What the store holds of the history across problems. */
export type Chaptered = HistoryChapter & {
  problemError?: unknown;
  earlier?: readonly HistoryChapter[];
  later?: readonly HistoryChapter[];
};

/** The current problem's chapter, with its whole log (redo tail included). */
export function currentChapter(s: Chaptered): HistoryChapter {
  const { problem, problemKey, presetId, base, log, states, position } = s;
  // Text with an error is not kept: the chapter holds the problem the page works with.
  const problemText = s.problemError ? s.problemKey : s.problemText;
  return { problemText, problem, problemKey, presetId, base, log, states, position };
}

/** The current chapter as a new problem leaves it: what was undone is dropped, as by a new action. */
export function leftChapter(s: Chaptered): HistoryChapter {
  const c = currentChapter(s);
  return { ...c, log: c.log.slice(0, c.position), states: c.states.slice(0, c.position + 1) };
}

/** The store fields that make `chapter` the current one (problem and history). */
export function chapterState(chapter: HistoryChapter) {
  return {
    ...chapter,
    problemError: null,
    current: chapter.states[chapter.position],
    refusal: null,
    cameFrom: null,
  };
}

/** The whole history as one log from the first problem, and the position in it. */
export function linearHistory(s: Chaptered): {
  problemText: string;
  base: Schedule;
  first: HistoryChapter;
  log: HistoryEntry[];
  position: number;
} {
  const earlier = s.earlier ?? [];
  const chapters = [...earlier, currentChapter(s), ...(s.later ?? [])];
  const log: HistoryEntry[] = [];
  let position = 0;
  chapters.forEach((c, i) => {
    if (i > 0) log.push({ action: problemAction(c.problemText), by: 'person' });
    if (i === earlier.length) position = log.length + c.position;
    log.push(...c.log);
  });
  const first = chapters[0];
  return { problemText: first.problemText, base: first.base, first, log, position };
}
