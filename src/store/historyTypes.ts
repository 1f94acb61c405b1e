// The action log's types: who took an entry and what it holds. log.ts reads and writes them;
// types.ts re-exports them for the rest of the page.
import type { Action } from '../core/actions.ts';
import type { SearchMethod } from '../agent/search.ts';

/**
 * Who took an action: the history is one log for people and tuners alike. Besides the person and
 * the agent, a schedule applied from "agent vs search" is credited to its method (LoopTune's
 * agent, the expert grid, or a search).
 */
export type Actor = 'person' | 'agent' | 'looptune' | 'expert' | SearchMethod;

/** A core action, or `set:<schedule text>`: a whole schedule set in one step (see log.ts). */
export type LogAction = Action | `set:${string}`;

export interface HistoryEntry {
  action: LogAction;
  by: Actor;
  /**
   * Taken with the entry before it as one step (the later actions of a typed schedule or of a
   * tuner's schedule): undo and redo move over the whole step. Written `~down` in links.
   */
  joined?: true;
}
