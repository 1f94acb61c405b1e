// History as an action log: states[i] is the nest after the first i entries, from `base` with the
// cursor on loop 0. Undo, redo, jumps, links and replays all move `position` over one log.
import { applyAction } from '../core/actions.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';
import { defaultSchedule, printSchedule } from '../core/schedule.ts';
import type { SliceCreator } from './sliceCreator.ts';
import type { HistoryChapter, HistoryEntry, HistorySlice, LogAction } from './types.ts';
import { chapterState, currentChapter } from './chapters.ts';
import { actionPath } from '../core/actionPath.ts';
import { applyLogAction, setAction } from './log.ts';
import { fixedProblemReason, hiddenActionReason } from '../teach/teacherLink.ts';

type HistoryData = Pick<HistorySlice, 'base' | 'log' | 'position' | 'states' | 'current' | 'refusal' | 'cameFrom'>;

/** No problems before or after: what a new action leaves of the redo side. */
const NO_CHAPTERS: HistoryChapter[] = [];

/** Whether undo has somewhere to go: a step back, or the problem before. */
export function canUndo(s: Pick<HistorySlice, 'position' | 'earlier'>): boolean {
  return s.position > 0 || s.earlier.length > 0;
}

/** Whether redo has somewhere to go: a step undone, or a problem change undone. */
export function canRedo(s: Pick<HistorySlice, 'position' | 'log' | 'later'>): boolean {
  return s.position < s.log.length || s.later.length > 0;
}

/** An empty history starting from `base` (the problem's default schedule when absent). */
export function freshHistory(problem: Problem, base: Schedule = defaultSchedule(problem)): HistoryData {
  const start = { schedule: base, cursor: 0 };
  return { base, log: [], position: 0, states: [start], current: start, refusal: null, cameFrom: null };
}

/** Whether log entry `i` (from states[i] to states[i + 1]) changed the schedule, not just the cursor. */
function changesSchedule(states: readonly NestState[], i: number): boolean {
  const a = states[i].schedule;
  const b = states[i + 1].schedule;
  return a !== b && printSchedule(a) !== printSchedule(b);
}

/** The last entry before `position` that changed the schedule, or -1 when only the cursor moved since the start. */
export function lastScheduleChange(states: readonly NestState[], position: number): number {
  for (let i = Math.min(position, states.length - 1) - 1; i >= 0; i--) if (changesSchedule(states, i)) return i;
  return -1;
}

/** The first entry of the step entry `i` belongs to (a step: an entry and the entries joined to it). */
function stepStart(log: readonly HistoryEntry[], i: number): number {
  let at = i;
  while (at > 0 && log[at].joined) at--;
  return at;
}

/** The last entry of the step entry `i` belongs to. */
function stepEnd(log: readonly HistoryEntry[], i: number): number {
  let at = i;
  while (at + 1 < log.length && log[at + 1].joined) at++;
  return at;
}

/** The first entry at or after `position` that changes the schedule, or -1 when none is left. */
function nextScheduleChange(states: readonly NestState[], position: number): number {
  for (let i = Math.max(0, position); i < states.length - 1; i++) if (changesSchedule(states, i)) return i;
  return -1;
}

export const createHistorySlice: SliceCreator<HistorySlice> = (set, get, { initial }) => ({
  base: initial.base,
  log: initial.log,
  position: initial.position,
  states: initial.states,
  current: initial.states[initial.position],
  refusal: null,
  cameFrom: null,
  earlier: initial.earlier ?? NO_CHAPTERS,
  later: initial.later ?? NO_CHAPTERS,
  problemTyped: false,

  act(action, by = 'person') {
    const { problem, current, log, states, position } = get();
    // A teacher's link can take actions away from the person (the agent keeps all of them).
    const hidden = by === 'person' ? hiddenActionReason(get().teacher, action) : null;
    if (hidden) {
      set({ refusal: { action, reason: hidden } });
      return false;
    }
    const r = applyAction(problem, current, action);
    if (!r.ok) {
      set({ refusal: { action, reason: r.reason } });
      return false;
    }
    set({
      log: [...log.slice(0, position), { action, by }],
      states: [...states.slice(0, position + 1), r.state],
      position: position + 1,
      current: r.state,
      refusal: null,
      cameFrom: position,
      later: NO_CHAPTERS,
    });
    return true;
  },

  setSchedule(schedule, by = 'person') {
    const { problem, current, log, states, position } = get();
    const path = actionPath(problem, current, schedule);
    const actions: LogAction[] = path ?? [setAction(schedule)];
    const teacher = by === 'person' ? get().teacher : null;
    if (teacher && teacher.hideActions.length > 0) {
      // A typed schedule may not do what the lesson hides: every step must be an allowed action.
      const hidden = path
        ? path.map((a) => hiddenActionReason(teacher, a)).find((r) => r !== null)
        : 'this lesson hides some actions, and this schedule is not reachable by the others';
      if (hidden) {
        set({ refusal: { action: actions[0], reason: hidden } });
        return false;
      }
    }
    const entries: HistoryEntry[] = [];
    const reached: NestState[] = [];
    let state = current;
    for (const action of actions) {
      const r = applyLogAction(problem, state, action);
      if (!r.ok) {
        set({ refusal: { action, reason: r.reason } });
        return false;
      }
      state = r.state;
      // One step however many actions it takes: undo and redo move over all of them.
      entries.push(entries.length === 0 ? { action, by } : { action, by, joined: true });
      reached.push(state);
    }
    if (entries.length === 0) return true;
    set({
      log: [...log.slice(0, position), ...entries],
      states: [...states.slice(0, position + 1), ...reached],
      position: position + entries.length,
      current: state,
      refusal: null,
      cameFrom: position,
      later: NO_CHAPTERS,
    });
    return true;
  },

  // Undo and redo move by steps (an entry and those joined to it) and step over cursor moves: undo
  // goes back to just before the step of the last schedule change (the cursor where it was then),
  // redo forward through the next one's step and the moves that follow it. At the start of a
  // problem's log undo goes back to the problem before (where it was left), at the end redo on to
  // the problem after.
  undo() {
    if (hiddenActionReason(get().teacher, 'undo')) return;
    const { position, states, log, earlier, later } = get();
    if (position === 0) {
      const before = earlier[earlier.length - 1];
      if (!before) return;
      const left = currentChapter(get());
      set({ ...chapterState(before), earlier: earlier.slice(0, -1), later: [left, ...later], problemTyped: false });
      return;
    }
    const change = lastScheduleChange(states, position);
    get().jumpTo(change < 0 ? 0 : stepStart(log, change));
  },

  redo() {
    if (hiddenActionReason(get().teacher, 'redo')) return;
    const { position, log, states, earlier, later } = get();
    if (position >= log.length) {
      const [after, ...rest] = later;
      if (!after) return;
      const left = currentChapter(get());
      set({ ...chapterState(after), earlier: [...earlier, left], later: rest, problemTyped: false });
      return;
    }
    const change = nextScheduleChange(states, position);
    const after = change < 0 ? -1 : nextScheduleChange(states, stepEnd(log, change) + 1);
    get().jumpTo(after < 0 ? log.length : stepStart(log, after));
  },

  jumpTo(position) {
    const { states, position: now } = get();
    const p = Math.max(0, Math.min(states.length - 1, Math.trunc(position)));
    if (p === now || !Number.isFinite(p)) return;
    set({ position: p, current: states[p], refusal: null, cameFrom: now });
  },

  visit(position) {
    const hidden = hiddenActionReason(get().teacher, 'undo');
    if (hidden) get().notify('info', hidden);
    else get().jumpTo(position);
  },

  restore(snapshot) {
    const { panels } = get();
    const fixed = fixedProblemReason(get().teacher);
    if (fixed && snapshot.problemKey !== get().problemKey) {
      get().notify('error', `${fixed}; the state asked for has another problem and was not opened`);
      return;
    }
    set({
      problemText: snapshot.problemText,
      problem: snapshot.problem,
      problemKey: snapshot.problemKey,
      problemError: null,
      presetId: snapshot.presetId,
      base: snapshot.base,
      log: snapshot.log,
      states: snapshot.states,
      position: snapshot.position,
      current: snapshot.states[snapshot.position],
      cameFrom: null,
      refusal: null,
      earlier: snapshot.earlier ?? NO_CHAPTERS,
      later: snapshot.later ?? NO_CHAPTERS,
      problemTyped: false,
      ...(snapshot.panels ? { panels: { ...panels, ...snapshot.panels } } : {}),
    });
    if (snapshot.threads !== undefined && snapshot.threads !== get().threadsChosen) get().setThreads(snapshot.threads);
  },
});
