// Which two positions of the history "Why did that change?" explains: the last move (an action,
// undo, redo, a chart jump) when it changed the schedule; otherwise the last schedule change that
// led here. The explain panel shows it and the memory slice simulates both ends of it.
import { printSchedule } from '../core/schedule.ts';
import { lastScheduleChange } from './historySlice.ts';
import type { LooplabState } from './types.ts';

export interface ExplainedMove {
  /** The position it came from, or null when no schedule change led here. */
  from: number | null;
  to: number;
}

export function explainedMove(s: Pick<LooplabState, 'cameFrom' | 'states' | 'current' | 'position'>): ExplainedMove {
  const came = s.cameFrom !== null && s.cameFrom < s.states.length ? s.cameFrom : null;
  if (came !== null && printSchedule(s.states[came].schedule) !== printSchedule(s.current.schedule)) {
    return { from: came, to: s.position };
  }
  const change = lastScheduleChange(s.states, s.position);
  return change < 0 ? { from: null, to: s.position } : { from: change, to: change + 1 };
}
