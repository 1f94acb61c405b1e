// Every command a person can give, in one table (as loop_tool keeps one place for what a key does):
// its keys, its button label, its line in the `?` list, the code it writes in the action log, and
// the group a teacher's link may hide it with. The page's key handler, the `?` list, the nest's
// and the player's buttons, the log's action names and the teacher's hide rule are all read from
// here. Pure: no DOM.

/** Where a command's keys act: the whole page, the rollout player when it has the focus, or the problem editor. */
export type CommandScope = 'page' | 'player' | 'editor';

/** One key press: `mod` is Ctrl (or Cmd on a Mac); for a letter, its case says whether Shift is held. */
export interface Chord {
  key: string;
  shift?: boolean;
  mod?: boolean;
}

/** The groups of commands a teacher's link can take away (`hideActions=split,swap`), in the link builder's order. */
export const HIDE_GROUPS = ['move', 'swap', 'split', 'merge', 'parallel', 'pack', 'undo'] as const;
export type HideGroup = (typeof HIDE_GROUPS)[number];

interface CommandSpec {
  id: string;
  scope: CommandScope;
  /** The heading it sits under in the `?` list. */
  group: string;
  keys: readonly Chord[];
  /** A pointer gesture that also gives it (shown in the `?` list as a key). */
  gesture?: string;
  /** The button's text, when a button gives it. */
  label?: string;
  /** Its line in the `?` list (and the button's tooltip). */
  help: string;
  /** What it writes in the action log: an action name, `split_F` (F the factor), or a prefix (`set:`, `problem:`) before its text. */
  log?: string;
  /** The group of a teacher's `hideActions` that takes it away. */
  hide?: HideGroup;
}

const SPLIT_LOG = 'split_F';
const SET_LOG = 'set:';
const PROBLEM_LOG = 'problem:';

const TABLE = [
  {
    id: 'up',
    scope: 'page',
    group: 'cursor',
    keys: [{ key: 'ArrowUp' }],
    label: 'up',
    help: 'move the cursor to the loop above',
    log: 'up',
    hide: 'move',
  },
  {
    id: 'down',
    scope: 'page',
    group: 'cursor',
    keys: [{ key: 'ArrowDown' }],
    label: 'down',
    help: 'move the cursor to the loop below',
    log: 'down',
    hide: 'move',
  },
  {
    id: 'move_to',
    scope: 'page',
    group: 'cursor',
    keys: [],
    gesture: 'click a loop',
    help: 'move the cursor to that loop (the history records it as ↑/↓ steps)',
    hide: 'move',
  },
  {
    id: 'swap_up',
    scope: 'page',
    group: 'schedule',
    keys: [{ key: 'ArrowUp', shift: true }],
    label: 'swap up',
    help: 'swap the loop with the one above (the cursor moves with it)',
    log: 'swap_up',
    hide: 'swap',
  },
  {
    id: 'swap_down',
    scope: 'page',
    group: 'schedule',
    keys: [{ key: 'ArrowDown', shift: true }],
    label: 'swap down',
    help: 'swap the loop with the one below',
    log: 'swap_down',
    hide: 'swap',
  },
  {
    id: 'split',
    scope: 'page',
    group: 'schedule',
    keys: [{ key: 's' }],
    label: 'split…',
    help: 'split the loop: asks the factor (type digits, or ←/→ over 2 4 8 16 32), Enter splits, Escape cancels',
    log: SPLIT_LOG,
    hide: 'split',
  },
  {
    id: 'merge',
    scope: 'page',
    group: 'schedule',
    keys: [{ key: 'Backspace' }, { key: 'Delete' }],
    label: 'merge',
    help: 'merge the loop into the enclosing loop over the same variable',
    log: 'merge',
    hide: 'merge',
  },
  {
    id: 'parallel',
    scope: 'page',
    group: 'schedule',
    keys: [{ key: 'p' }],
    label: 'parallel',
    help: 'run the loop in parallel on several threads, or on one thread again (refused on a loop summed over)',
    log: 'parallel',
    hide: 'parallel',
  },
  {
    id: 'pack_in0',
    scope: 'page',
    group: 'schedule',
    keys: [{ key: 'c' }],
    label: 'pack 1st input',
    help: 'pack the first input here: the loops inside read a contiguous copy (again: unpack)',
    log: 'pack_in0',
    hide: 'pack',
  },
  {
    id: 'pack_in1',
    scope: 'page',
    group: 'schedule',
    keys: [{ key: 'C' }],
    label: 'pack 2nd input',
    help: 'pack the second input here, the same way',
    log: 'pack_in1',
    hide: 'pack',
  },
  {
    id: 'set_schedule',
    scope: 'page',
    group: 'schedule',
    keys: [],
    gesture: 'click the schedule line',
    help: 'type a whole schedule, like k m n k:32 m:2 n:16: Enter applies it, Escape cancels',
    log: SET_LOG,
  },
  {
    id: 'undo',
    scope: 'page',
    group: 'history',
    keys: [{ key: 'u' }, { key: 'z', mod: true }],
    label: 'undo',
    help: 'undo: back to before the last schedule change (cursor moves are stepped over)',
    hide: 'undo',
  },
  {
    id: 'redo',
    scope: 'page',
    group: 'history',
    keys: [{ key: 'U' }, { key: 'z', mod: true, shift: true }, { key: 'y', mod: true }],
    label: 'redo',
    help: 'redo: forward through the next schedule change',
    hide: 'undo',
  },
  {
    id: 'long_run',
    scope: 'page',
    group: 'measure',
    keys: [{ key: 'b' }],
    help: 'refine the figure again with more samples (long run)',
  },
  {
    id: 'help',
    scope: 'page',
    group: 'page',
    keys: [{ key: '?' }],
    help: 'show or hide this list of keys',
  },
  {
    id: 'escape',
    scope: 'page',
    group: 'page',
    keys: [{ key: 'Escape' }],
    help: 'close this list, the split prompt, or leave the problem editor',
  },
  {
    id: 'apply_problem',
    scope: 'editor',
    group: 'problem editor',
    keys: [{ key: 'Enter', mod: true }],
    help: 'apply the problem text now (it also applies after a pause in typing)',
    log: PROBLEM_LOG,
  },
  {
    id: 'player_start',
    scope: 'player',
    group: 'agent player (when it has the focus)',
    keys: [{ key: 'Home' }],
    label: '|◀',
    help: 'to the start of the rollout',
  },
  {
    id: 'player_back',
    scope: 'player',
    group: 'agent player (when it has the focus)',
    keys: [{ key: 'ArrowLeft' }],
    label: '◀',
    help: 'step back',
  },
  {
    id: 'player_play',
    scope: 'player',
    group: 'agent player (when it has the focus)',
    keys: [{ key: ' ' }],
    label: 'play',
    help: 'play or pause the rollout',
  },
  {
    id: 'player_forward',
    scope: 'player',
    group: 'agent player (when it has the focus)',
    keys: [{ key: 'ArrowRight' }],
    label: '▶',
    help: 'step forward',
  },
  {
    id: 'player_end',
    scope: 'player',
    group: 'agent player (when it has the focus)',
    keys: [{ key: 'End' }],
    label: '▶|',
    help: 'to the end of the rollout',
  },
  {
    id: 'player_best',
    scope: 'player',
    group: 'agent player (when it has the focus)',
    keys: [{ key: 'g' }],
    label: 'best step',
    help: 'go to the best step of the rollout',
  },
  {
    id: 'take_over',
    scope: 'player',
    group: 'agent player (when it has the focus)',
    keys: [],
    label: 'take over here',
    help: 'continue by hand from this step: the history is cut here, and the page keys act on the nest at once',
  },
] as const satisfies readonly CommandSpec[];

export type CommandId = (typeof TABLE)[number]['id'];

export interface Command extends CommandSpec {
  id: CommandId;
}

/** Every command, in the order of the `?` list and of the buttons. */
export const COMMANDS: readonly Command[] = TABLE;

const BY_ID = new Map<string, Command>(COMMANDS.map((c) => [c.id, c]));

/** The command of an id. */
export function command(id: CommandId): Command {
  return BY_ID.get(id) as Command;
}

/** The parts of a KeyboardEvent a chord is matched against. */
export interface KeyLike {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

function isLetter(key: string): boolean {
  return key.length === 1 && key.toLowerCase() !== key.toUpperCase();
}

/** Whether a key press is the chord. */
export function matchesChord(e: KeyLike, chord: Chord): boolean {
  if (e.altKey) return false;
  const mod = Boolean(e.ctrlKey || e.metaKey);
  if (mod !== Boolean(chord.mod)) return false;
  // With Ctrl a letter's case is not reliable (Ctrl+Shift+Z may come as 'z' or 'Z'): Shift decides.
  if (chord.mod) return e.key.toLowerCase() === chord.key.toLowerCase() && Boolean(e.shiftKey) === Boolean(chord.shift);
  // A printed character (a letter's case, `?`) already says whether Shift was held.
  if (e.key.length === 1 && e.key !== ' ') return e.key === chord.key;
  return e.key === chord.key && Boolean(e.shiftKey) === Boolean(chord.shift);
}

/** The command of a key press in `scope`, or null when the key is not one of its commands. */
export function commandForKey(e: KeyLike, scope: CommandScope): Command | null {
  for (const c of COMMANDS) {
    if (c.scope === scope && c.keys.some((chord) => matchesChord(e, chord))) return c;
  }
  return null;
}

const KEY_NAMES: Record<string, [long: string, short: string]> = {
  ArrowUp: ['↑', '↑'],
  ArrowDown: ['↓', '↓'],
  ArrowLeft: ['←', '←'],
  ArrowRight: ['→', '→'],
  Backspace: ['Backspace', '⌫'],
  ' ': ['Space', '␣'],
};

/** How a chord is written: `Shift+↑`, `Ctrl+Shift+Z` in the `?` list; `⇧↑`, `⌫` on a button. */
export function chordText(chord: Chord, form: 'long' | 'short' = 'long'): string {
  const names = KEY_NAMES[chord.key];
  const name = names
    ? names[form === 'long' ? 0 : 1]
    : chord.mod && isLetter(chord.key)
      ? chord.key.toUpperCase()
      : chord.key;
  const shift = chord.shift ? (form === 'long' ? 'Shift+' : '⇧') : '';
  const mod = chord.mod ? (form === 'long' ? 'Ctrl+' : '⌃') : '';
  return `${mod}${shift}${name}`;
}

/** The command that writes `action` (`split_16`, `set:m n k`, `up`) in the log, or null. */
export function commandOfLogCode(action: string): Command | null {
  if (action.startsWith(SET_LOG)) return command('set_schedule');
  if (action.startsWith(PROBLEM_LOG)) return command('apply_problem');
  if (/^split_[0-9]+$/.test(action)) return command('split');
  for (const c of COMMANDS) if (c.log === action) return c;
  return null;
}

/** The log codes that are plain action names (no factor, no schedule text). */
export const PLAIN_LOG_CODES: readonly string[] = COMMANDS.flatMap((c) =>
  c.log && c.log !== SPLIT_LOG && c.log !== SET_LOG && c.log !== PROBLEM_LOG ? [c.log] : [],
);

/** The prefix of a log entry that sets a whole schedule. */
export const SET_SCHEDULE_PREFIX = SET_LOG;

/** The prefix of a log entry that goes on to another problem. */
export const PROBLEM_CHANGE_PREFIX = PROBLEM_LOG;

/**
 * Why a teacher's link that hides `hidden` takes the command away, or null when it keeps it.
 * The one place the hide rule lives: buttons, keys, the `?` list and the store all ask here.
 */
export function hiddenCommandReason(hidden: readonly string[] | null | undefined, c: Command | null): string | null {
  if (!hidden || hidden.length === 0 || !c?.hide || !hidden.includes(c.hide)) return null;
  return `this lesson hides ${c.hide === 'undo' ? 'undo and redo' : c.hide}`;
}
