// The action log's words: which strings are actions, and how one entry reads in links and files
// (`split_16`, or `agent:split_4` when the agent took it).
import type { Action } from '../core/actions.ts';
import type { HistoryEntry } from './types.ts';

const PLAIN_ACTIONS = new Set(['up', 'down', 'swap_up', 'swap_down', 'merge', 'parallel']);

/** Whether `text` names an action: a plain one or `split_F` with F a whole number >= 2. */
export function isAction(text: string): text is Action {
  if (PLAIN_ACTIONS.has(text)) return true;
  const m = /^split_([1-9][0-9]*)$/.exec(text);
  return m !== null && Number(m[1]) >= 2 && Number.isSafeInteger(Number(m[1]));
}

/** `split_16`, or `agent:split_4` for the agent's entries. */
export function entryText(entry: HistoryEntry): string {
  return entry.by === 'agent' ? `agent:${entry.action}` : entry.action;
}

/** The entry written as `entryText` does, or null when it is not one. */
export function parseEntryText(text: string): HistoryEntry | null {
  const agent = text.startsWith('agent:');
  const action = agent ? text.slice('agent:'.length) : text;
  return isAction(action) ? { action, by: agent ? 'agent' : 'person' } : null;
}

/** An entry from a stored value (sessions, files): `{action, by}` or its text form. */
export function entryFromValue(value: unknown): HistoryEntry | null {
  if (typeof value === 'string') return parseEntryText(value);
  if (!value || typeof value !== 'object') return null;
  const { action, by } = value as { action?: unknown; by?: unknown };
  if (typeof action !== 'string' || !isAction(action)) return null;
  if (by !== undefined && by !== 'person' && by !== 'agent') return null;
  return { action, by: by === 'agent' ? 'agent' : 'person' };
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
