// The action log's words: which strings are actions, and how one entry reads in links and files
// (`split_16`, or `agent:split_4` when the agent took it; `set:k m n k:32 m:2 n:16` sets a whole
// schedule in one step; `~down` is taken with the entry before it as one step; in links, sessions
// and files `problem:<problem text>` goes on to another problem, see chapters.ts).
import { type Action, type ActionResult, applyAction } from '../core/actions.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';
import { errorMessage } from '../core/errors.ts';
import type { Actor, HistoryEntry, LogAction } from './historyTypes.ts';

const SET_PREFIX = 'set:';
const PROBLEM_PREFIX = 'problem:';

/** The entry that changes the problem to `text` (links, sessions and files; see chapters.ts). */
export function problemAction(text: string): LogAction {
  return `${PROBLEM_PREFIX}${text}`;
}

/** The problem text of a `problem:` action, or null for any other. */
export function problemChangeText(action: LogAction): string | null {
  return action.startsWith(PROBLEM_PREFIX) ? action.slice(PROBLEM_PREFIX.length) : null;
}

/** The entry that sets `schedule` in one step. */
export function setAction(schedule: Schedule): LogAction {
  return `${SET_PREFIX}${printSchedule(schedule)}`;
}

/** The schedule text of a `set:` action, or null for a core action. */
export function setScheduleText(action: LogAction): string | null {
  return action.startsWith(SET_PREFIX) ? action.slice(SET_PREFIX.length) : null;
}

/** Whether `text` is a log action: a core action, or `set:` or `problem:` with some text. */
export function isLogAction(text: string): text is LogAction {
  return (
    [SET_PREFIX, PROBLEM_PREFIX].some((p) => text.startsWith(p) && text.trim().length > p.length) || isAction(text)
  );
}

/**
 * Applies a log entry's action: a core action, or a `set:` whose schedule must fit the problem
 * (the cursor stays where it was when that loop still exists).
 */
export function applyLogAction(problem: Problem, state: NestState, action: LogAction): ActionResult {
  if (problemChangeText(action) !== null) return { ok: false, reason: 'a problem change is not a step of a schedule' };
  const text = setScheduleText(action);
  if (text === null) return applyAction(problem, state, action as Action);
  try {
    const schedule = parseSchedule(problem, text);
    return { ok: true, state: { schedule, cursor: Math.min(state.cursor, schedule.loops.length - 1) } };
  } catch (error) {
    return { ok: false, reason: `the schedule '${text}' doesn't fit the problem: ${errorMessage(error)}` };
  }
}

const PLAIN_ACTIONS = new Set(['up', 'down', 'swap_up', 'swap_down', 'merge', 'parallel']);

/** Whether `text` names an action: a plain one or `split_F` with F a whole number >= 2. */
export function isAction(text: string): text is Action {
  if (PLAIN_ACTIONS.has(text)) return true;
  const m = /^split_([1-9][0-9]*)$/.exec(text);
  return m !== null && Number(m[1]) >= 2 && Number.isSafeInteger(Number(m[1]));
}

/** Everyone but the person an entry may be credited to (the prefix of its text). */
export const CREDITED_ACTORS = [
  'agent',
  'looptune',
  'expert',
  'greedy1',
  'greedy2',
  'beam2dfs',
  'beam4dfs',
  'beam2bfs',
  'beam4bfs',
  'random',
] as const satisfies readonly Exclude<Actor, 'person'>[];
// Every actor but the person is listed (a compile error otherwise).
const _allCredited: readonly (typeof CREDITED_ACTORS)[number][] = [] as Exclude<Actor, 'person'>[];
void _allCredited;

function isActor(value: unknown): value is Actor {
  return value === 'person' || (CREDITED_ACTORS as readonly unknown[]).includes(value);
}

const JOINED_PREFIX = '~';

/**
 * `split_16`, or `agent:split_4` for the agent's entries (`greedy2:split_4` for a search's), after
 * a `~` when the entry is joined to the step before it.
 */
export function entryText(entry: HistoryEntry): string {
  const text = entry.by === 'person' ? entry.action : `${entry.by}:${entry.action}`;
  return entry.joined ? `${JOINED_PREFIX}${text}` : text;
}

/** The entry as sessions and files keep it: `{action, by}`, and `joined` when it is. */
export function storedEntry(entry: HistoryEntry): HistoryEntry {
  return entry.joined ? { action: entry.action, by: entry.by, joined: true } : { action: entry.action, by: entry.by };
}

/** The entry written as `entryText` does, or null when it is not one. */
export function parseEntryText(written: string): HistoryEntry | null {
  const joined = written.startsWith(JOINED_PREFIX);
  const text = joined ? written.slice(JOINED_PREFIX.length) : written;
  const entry = parseUnjoined(text);
  return entry && joined ? { ...entry, joined: true } : entry;
}

function parseUnjoined(text: string): HistoryEntry | null {
  const colon = text.indexOf(':');
  const prefix = colon > 0 ? text.slice(0, colon) : '';
  const credited = prefix !== 'person' && isActor(prefix);
  const action = credited ? text.slice(colon + 1) : text;
  return isLogAction(action) ? { action, by: credited ? prefix : 'person' } : null;
}

/** An entry from a stored value (sessions, files): `{action, by}` or its text form. */
export function entryFromValue(value: unknown): HistoryEntry | null {
  if (typeof value === 'string') return parseEntryText(value);
  if (!value || typeof value !== 'object') return null;
  const { action, by, joined } = value as { action?: unknown; by?: unknown; joined?: unknown };
  if (typeof action !== 'string' || !isLogAction(action)) return null;
  if (by !== undefined && !isActor(by)) return null;
  if (joined !== undefined && joined !== true) return null;
  return joined ? { action, by: by ?? 'person', joined } : { action, by: by ?? 'person' };
}

/** How an unreadable stored entry is quoted in messages. */
export function quoteValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value && typeof value === 'object' && typeof (value as { action?: unknown }).action === 'string') {
    return `'${(value as { action: string }).action}'`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
