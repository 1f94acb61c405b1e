// A teacher's link, in the style of TensorFlow Playground: options in the page's query string,
// readable and hand-editable, next to the state in the hash (src/store/url.ts):
//   ?lesson=loop-order&fixed=problem&hide=graph,code&hideActions=split,swap&present=1#preset=...
// Keys: `lesson` (a lesson's id: the lesson opens beside the playground), `fixed` (`problem`:
// the problem can't be edited or replaced; `lesson`: the lesson can't be switched), `hide`
// (panels that are hidden and can't be shown), `hideActions` (actions taken away: their buttons
// are gone and their keys are refused with a message), `present` (1: large type, high contrast),
// `handout` (1: open the printable handout), `machine` (the memory view's simulated machine, e.g.
// `machine=teaching`: every student sees the same cache figures), `embed` (1: the page is in an
// iframe of a slide or a course page: no header, only the link's panels). The query survives the hash updates, so a reload
// keeps the options. A bad value is dropped with a message saying what the valid ones are; the
// other options still apply. Pure: no DOM.
import type { Action } from '../core/actions.ts';
import { command, commandOfLogCode, HIDE_GROUPS, hiddenCommandReason, type HideGroup } from '../core/commands.ts';
import { LESSONS } from './lessons.ts';
import { MACHINES } from '../core/cache/machines.ts';

/** Groups of actions a link can take away (the command table's hide groups). */
export const HIDEABLE_ACTIONS = HIDE_GROUPS;
export type HideableAction = HideGroup;

export const FIXABLE = ['problem', 'lesson'] as const;
export type Fixable = (typeof FIXABLE)[number];

export interface TeacherOptions {
  lesson: string | null;
  fixed: Fixable[];
  /** Panel ids (checked against the page's panels by the caller of `parseTeacherLink`). */
  hide: string[];
  hideActions: HideableAction[];
  present: boolean;
  handout: boolean;
  /** The machine the memory view simulates, fixed (an id of core/cache/machines.ts); absent: the person picks. */
  machine?: string;
  /** In an iframe (a slide, a course page): no header, no side content, only the link's panels. */
  embed?: boolean;
}

export const NO_TEACHER_OPTIONS: TeacherOptions = {
  lesson: null,
  fixed: [],
  hide: [],
  hideActions: [],
  present: false,
  handout: false,
};

const KEYS = ['lesson', 'fixed', 'hide', 'hideActions', 'present', 'handout', 'machine', 'embed'] as const;

/** Why a person can't take `action` under these options, or null when they can (the command table's rule). */
export function hiddenActionReason(
  options: Pick<TeacherOptions, 'hideActions'> | null | undefined,
  action: Action | 'undo' | 'redo',
): string | null {
  const c = action === 'undo' || action === 'redo' ? command(action) : commandOfLogCode(action);
  return hiddenCommandReason(options?.hideActions, c);
}

/** Why the problem can't be changed under these options, or null. */
export function fixedProblemReason(options: Pick<TeacherOptions, 'fixed'> | null | undefined): string | null {
  return options?.fixed.includes('problem') ? 'this lesson fixes the problem: it cannot be edited or replaced' : null;
}

function listOf(value: string): string[] {
  return value
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function flag(key: string, value: string, errors: string[]): boolean {
  if (value === '' || value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  errors.push(`the link's '${key}=${value}' is neither 1 nor 0; write ${key}=1 to turn it on`);
  return false;
}

/**
 * Reads the query string (with or without `?`). `panels` are the page's panel ids, for checking
 * `hide`. Never throws: every bad part becomes one sentence in `errors` and is left out.
 */
export function parseTeacherLink(
  search: string,
  panels: readonly string[],
): { options: TeacherOptions; errors: string[] } {
  const errors: string[] = [];
  const options: TeacherOptions = { ...NO_TEACHER_OPTIONS, fixed: [], hide: [], hideActions: [] };
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  } catch {
    return { options, errors: ["the link's options can't be read"] };
  }
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (!(KEYS as readonly string[]).includes(key)) continue;
    if (seen.has(key)) {
      errors.push(`the link gives '${key}' twice; keep one`);
      continue;
    }
    seen.add(key);
    switch (key) {
      case 'lesson': {
        const id = value.trim();
        if (LESSONS.some((l) => l.id === id)) options.lesson = id;
        else
          errors.push(
            `the link's lesson '${id}' is not a lesson; the lessons are ${LESSONS.map((l) => l.id).join(', ')}`,
          );
        break;
      }
      case 'fixed':
        for (const x of listOf(value)) {
          if ((FIXABLE as readonly string[]).includes(x)) options.fixed.push(x as Fixable);
          else errors.push(`the link's 'fixed=${x}' can't be fixed; write fixed=${FIXABLE.join(' or fixed=')}`);
        }
        break;
      case 'hide':
        for (const x of listOf(value)) {
          if (panels.includes(x)) options.hide.push(x);
          else errors.push(`the link hides '${x}', which is not a panel; the panels are ${panels.join(', ')}`);
        }
        break;
      case 'hideActions':
        for (const x of listOf(value)) {
          if ((HIDEABLE_ACTIONS as readonly string[]).includes(x)) options.hideActions.push(x as HideableAction);
          else
            errors.push(
              `the link hides the action '${x}', which is not one; the actions are ${HIDEABLE_ACTIONS.join(', ')}`,
            );
        }
        break;
      case 'present':
        options.present = flag(key, value.trim(), errors);
        break;
      case 'handout':
        options.handout = flag(key, value.trim(), errors);
        break;
      case 'embed':
        if (flag(key, value.trim(), errors)) options.embed = true;
        break;
      case 'machine': {
        const id = value.trim();
        if (MACHINES.some((m) => m.id === id)) options.machine = id;
        else
          errors.push(
            `the link's machine '${id}' is not one the memory view simulates; the machines are ${MACHINES.map((m) => m.id).join(', ')}`,
          );
        break;
      }
    }
  }
  if (options.fixed.includes('lesson') && !options.lesson) {
    errors.push('the link fixes the lesson but names none; add lesson=... (e.g. lesson=loop-order)');
    options.fixed = options.fixed.filter((f) => f !== 'lesson');
  }
  options.fixed = [...new Set(options.fixed)];
  options.hide = [...new Set(options.hide)];
  options.hideActions = [...new Set(options.hideActions)];
  return { options, errors };
}

/** The query string (with `?`, or '' when nothing is set) of these options; `parseTeacherLink` reads it back. */
export function teacherQuery(options: TeacherOptions): string {
  const parts: string[] = [];
  if (options.lesson) parts.push(`lesson=${encodeURIComponent(options.lesson)}`);
  if (options.fixed.length) parts.push(`fixed=${options.fixed.join(',')}`);
  if (options.hide.length) parts.push(`hide=${options.hide.join(',')}`);
  if (options.hideActions.length) parts.push(`hideActions=${options.hideActions.join(',')}`);
  if (options.present) parts.push('present=1');
  if (options.handout) parts.push('handout=1');
  if (options.machine) parts.push(`machine=${encodeURIComponent(options.machine)}`);
  if (options.embed) parts.push('embed=1');
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * `search` with our keys replaced by `options` and any other key (e.g. kernel-time-limit-ms)
 * kept as it was.
 */
export function withTeacherQuery(search: string, options: TeacherOptions): string {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const others = [...params].filter(([key]) => !(KEYS as readonly string[]).includes(key));
  const ours = teacherQuery(options).replace(/^\?/, '');
  const rest = others.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const all = [ours, rest].filter((x) => x !== '').join('&');
  return all ? `?${all}` : '';
}
