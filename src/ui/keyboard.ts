// The page's keyboard, as in loop_tool: which key does what (read from the command table,
// core/commands.ts), the `?` list's rows, and the split prompt's factor. Pure (no DOM, no React).
import { chordText, COMMANDS, commandForKey, type Command, type CommandId, type KeyLike } from '../core/commands.ts';

export type { KeyLike } from '../core/commands.ts';

/** The page command of a key press, or null when the key is not one of the page's (the browser keeps it). */
export function keyCommand(e: KeyLike): CommandId | null {
  return commandForKey(e, 'page')?.id ?? null;
}

/** The keys a focused control that is not a text field uses itself (a slider's arrows, a checkbox's space). */
const CONTROL_KEYS: Record<string, readonly string[]> = {
  range: ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'],
  checkbox: [' '],
  radio: [' ', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'],
  button: [' ', 'Enter'],
  submit: [' ', 'Enter'],
  reset: [' ', 'Enter'],
  color: [' ', 'Enter'],
  file: [' ', 'Enter'],
};

/**
 * Whether a key event comes from a place where typing means text (editor, inputs, menus), so the
 * page's keys keep out. With `key`, a slider, checkbox or radio keeps only the keys it uses itself.
 */
export function isTypingTarget(target: EventTarget | null, key?: string): boolean {
  const el = target as {
    tagName?: string;
    type?: string;
    isContentEditable?: boolean;
    closest?: (s: string) => unknown;
  } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'INPUT') {
    const own = CONTROL_KEYS[(el.type ?? 'text').toLowerCase()];
    return !own || key === undefined || own.includes(key);
  }
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
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

export interface HelpRow {
  group: string;
  /** The keys (and pointer gesture) as the `?` list writes them. */
  keys: string[];
  what: string;
  command: Command;
}

/** Every command with a key or a gesture, for the `?` overlay (one row each, in the table's order). */
export const KEY_HELP: readonly HelpRow[] = COMMANDS.filter((c) => c.keys.length > 0 || c.gesture).map((c) => ({
  group: c.group,
  keys: [...c.keys.map((k) => chordText(k)), ...(c.gesture ? [c.gesture] : [])],
  what: c.help,
  command: c,
}));

/** The keys of a command as its button shows them (`⇧↑`, `⌫`). */
export function buttonKeys(c: Command): string {
  return c.keys[0] ? chordText(c.keys[0], 'short') : '';
}

/** A command's keys in CodeMirror's notation (`Mod-Enter`, with `Ctrl-Enter` beside it so Ctrl works on a Mac too). */
export function codeMirrorKeys(c: Command): string[] {
  return c.keys.flatMap((k) => {
    const shift = k.shift ? 'Shift-' : '';
    return k.mod ? [`Ctrl-${shift}${k.key}`, `Mod-${shift}${k.key}`] : [`${shift}${k.key}`];
  });
}
