// The loop-nest keyboard, as in loop_tool: which key does what. Pure (no DOM, no React) so the
// mapping is unit-tested beside this file and the help overlay lists the very same table.
import type { Action } from '../core/actions.ts';

/** What a key asks for. */
export type KeyCommand =
  | { kind: 'act'; action: Action }
  | { kind: 'split-prompt' }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'long-run' }
  | { kind: 'help' }
  | { kind: 'escape' };

/** The parts of a KeyboardEvent the mapping looks at. */
export interface KeyLike {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** The command of a key press, or null when the key is not one of ours (the browser keeps it). */
export function keyCommand(e: KeyLike): KeyCommand | null {
  const mod = Boolean(e.ctrlKey || e.metaKey);
  if (e.altKey) return null;
  const key = e.key;
  if (mod) {
    const lower = key.toLowerCase();
    if (lower === 'z') return e.shiftKey ? { kind: 'redo' } : { kind: 'undo' };
    if (lower === 'y' && !e.shiftKey) return { kind: 'redo' };
    return null;
  }
  switch (key) {
    case 'ArrowUp':
      return { kind: 'act', action: e.shiftKey ? 'swap_up' : 'up' };
    case 'ArrowDown':
      return { kind: 'act', action: e.shiftKey ? 'swap_down' : 'down' };
    case 'Backspace':
    case 'Delete':
      return { kind: 'act', action: 'merge' };
    case 's':
      return { kind: 'split-prompt' };
    case 'p':
      return { kind: 'act', action: 'parallel' };
    case 'u':
      return { kind: 'undo' };
    case 'U':
      return { kind: 'redo' };
    case 'b':
      return { kind: 'long-run' };
    case '?':
      return { kind: 'help' };
    case 'Escape':
      return { kind: 'escape' };
    default:
      return null;
  }
}

/** Whether a key event comes from a place where typing means text (editor, inputs, menus). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean; closest?: (s: string) => unknown } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (el.isContentEditable) return true;
  // CodeMirror's content and anything that opts out explicitly.
  return typeof el.closest === 'function' && el.closest('.cm-editor, [data-keys="own"]') !== null;
}

/** The quick factors of the split prompt. */
export const QUICK_SPLIT_FACTORS = [2, 4, 8, 16, 32] as const;

/**
 * The factor typed in the split prompt: a whole number from 2 up, or a reason it is not one.
 * (Whether the loop can be split by it is the core's answer, given when the split is tried.)
 */
export function parseSplitFactor(text: string): { ok: true; factor: number } | { ok: false; reason: string } {
  const t = text.trim();
  if (t === '') return { ok: false, reason: 'type a split factor (2, 4, 8, …) or pick one' };
  if (!/^\d+$/.test(t)) return { ok: false, reason: `'${t}' is not a whole number; type a factor like 4` };
  const factor = Number(t);
  if (factor < 2) return { ok: false, reason: `can't split by ${factor}: the factor must be at least 2` };
  return { ok: true, factor };
}

/** Every key, for the `?` overlay (one row each, grouped); `action` says which action a teacher's link can hide. */
export const KEY_HELP: { group: string; keys: string[]; what: string; action?: Action | 'undo' | 'redo' }[] = [
  { group: 'cursor', keys: ['↑'], what: 'move the cursor to the loop above', action: 'up' },
  { group: 'cursor', keys: ['↓'], what: 'move the cursor to the loop below', action: 'down' },
  { group: 'cursor', keys: ['click'], what: 'move the cursor to a loop (as ↑/↓ steps)', action: 'down' },
  {
    group: 'schedule',
    keys: ['Shift+↑'],
    what: 'swap the loop with the one above (the cursor moves with it)',
    action: 'swap_up',
  },
  { group: 'schedule', keys: ['Shift+↓'], what: 'swap the loop with the one below', action: 'swap_down' },
  {
    group: 'schedule',
    keys: ['s'],
    what: 'split the loop: asks the factor (type digits, or ←/→ over 2 4 8 16 32), Enter splits, Escape cancels',
    action: 'split_2',
  },
  {
    group: 'schedule',
    keys: ['Backspace', 'Delete'],
    what: 'merge the loop into the enclosing loop over the same variable',
    action: 'merge',
  },
  {
    group: 'schedule',
    keys: ['p'],
    what: 'run the loop in parallel on several threads, or on one thread again (refused on a loop summed over)',
    action: 'parallel',
  },
  {
    group: 'schedule',
    keys: ['click the schedule line'],
    what: 'type a whole schedule, like k m n k:32 m:2 n:16: Enter applies it, Escape cancels',
  },
  {
    group: 'history',
    keys: ['u', 'Ctrl+Z'],
    what: 'undo: back to before the last schedule change (cursor moves are stepped over)',
    action: 'undo',
  },
  {
    group: 'history',
    keys: ['U', 'Ctrl+Shift+Z', 'Ctrl+Y'],
    what: 'redo: forward through the next schedule change',
    action: 'redo',
  },
  { group: 'measure', keys: ['b'], what: 'refine the figure again with more samples (long run)' },
  { group: 'page', keys: ['?'], what: 'show or hide this list of keys' },
  { group: 'page', keys: ['Escape'], what: 'close this list, the split prompt, or leave the problem editor' },
  {
    group: 'problem editor',
    keys: ['Ctrl+Enter'],
    what: 'apply the problem text now (it also applies after a pause in typing)',
  },
];
