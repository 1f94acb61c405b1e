// The action log's types: who took an entry and what it holds. log.ts reads and writes them;
// types.ts re-exports them for the rest of the page.
import type { Action } from '../core/actions.ts';
import type { SearchMethod } from '../agent/search.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';

/**
 * Who took an action: the history is one log for people and tuners alike. Besides the person and
 * the agent, a schedule applied from "agent vs search" is credited to its method (LoopTune's
 * agent, the expert grid, or a search).
 */
export type Actor = 'person' | 'agent' | 'looptune' | 'expert' | SearchMethod;

/**
 * A core action, `set:<schedule text>` (a whole schedule set in one step), or `problem:<problem
 * text>` (a new problem from its default schedule; only in links, sessions and files, which write
 * the whole history as one log: in the store each problem has its own log). See log.ts.
 */
export type LogAction = Action | `set:${string}` | `problem:${string}`;

export interface HistoryEntry {
  action: LogAction;
  by: Actor;
  /**
   * Taken with the entry before it as one step (the later actions of a typed schedule or of a
   * tuner's schedule): undo and redo move over the whole step. Written `~down` in links.
   */
  joined?: true;
}

/** One problem's part of the history: the problem, where its log starts, its log, where it stands. */
export interface HistoryChapter {
  problemText: string;
  problem: Problem;
  problemKey: string;
  presetId: string | null;
  base: Schedule;
  log: HistoryEntry[];
  /** states[i] is the nest after the first i entries. */
  states: NestState[];
  position: number;
}
