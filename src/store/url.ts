// The whole state in the URL hash, readable and hand-editable:
//   #preset=matmul-256&a=down,swap_up,agent:split_4&at=2&panels=problem,nest,perf
// Keys: `preset` (a preset's id, when the text is exactly the preset's) or `p` (the problem
// text); `s` (the schedule the log starts from, when not the default); `a` (the action log,
// agent entries marked `agent:`); `at` (the position, when not at the end of the log); `panels`
// (the shown panels, when not the default set); `threads` (the thread count chosen for parallel
// loops, when one is chosen; without it, one per processor). Unknown keys are ignored.
// A teacher's link adds options in the query (teach/teacherLink.ts): where such a page starts, and
// the query kept in step with the open lesson, are here too.
import { MAX_PROBLEM_CHARS, PRESETS } from '../core/problem.ts';
import { errorMessage } from '../core/errors.ts';
import { excerpt } from '../core/format.ts';
import { MAX_LOG_ACTIONS, MAX_SCHEDULE_CHARS } from '../core/limits.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { lessonById } from '../teach/lessons.ts';
import { parseTeacherLink, withTeacherQuery, type TeacherOptions } from '../teach/teacherLink.ts';
import type { LooplabStore } from './createStore.ts';
import { linearHistory } from './chapters.ts';
import { lessonSnapshot } from './lessonSlice.ts';
import { entryText, parseEntryText } from './log.ts';
import {
  isDefaultBase,
  keptText,
  resolveProblem,
  resolveSnapshot,
  type ResolvedSnapshot,
  type Result,
} from './snapshot.ts';
import { PANEL_IDS, type HistoryEntry, type LooplabState, type PanelId } from './types.ts';
import { DEFAULT_PANELS } from './uiSlice.ts';

/** What of the state goes into the URL. */
export type UrlState = Pick<
  LooplabState,
  'problemText' | 'problemKey' | 'problemError' | 'presetId' | 'log' | 'states' | 'position' | 'panels'
> &
  Partial<Pick<LooplabState, 'earlier' | 'later'>> & {
    problem: Problem;
    base: Schedule;
    /** The thread count chosen in the page (null or absent: one per processor). */
    threadsChosen?: number | null;
  };

const OWNER = "the link's";

/**
 * Percent-encoding that leaves the DSL and action lists readable (`[m,n]`, `k=256`, `agent:split_4`);
 * in an entry of the action list (`problem:` holds sizes) commas stay escaped.
 */
function encodeValue(value: string, inList = false): string {
  const encoded = encodeURIComponent(value).replace(/%20/g, '+');
  return (inList ? encoded : encoded.replace(/%2C/g, ','))
    .replace(/%3A/g, ':')
    .replace(/%5B/g, '[')
    .replace(/%5D/g, ']')
    .replace(/%3D/g, '=');
}

function decodeValue(key: string, raw: string): Result<string> {
  try {
    return { ok: true, value: decodeURIComponent(raw.replace(/\+/g, ' ')) };
  } catch {
    return {
      ok: false,
      error: `the link is damaged: its part '${key}' has a broken %-escape (was the link cut short?)`,
    };
  }
}

/** The hash (with `#`) of a state; `parseHash` gives the same state back. */
export function stateToHash(state: UrlState): string {
  const parts: string[] = [];
  // The whole history from the first problem (text with an error is not shared: the link holds
  // the problem the page works with).
  const { problemText: text, first, log, position } = linearHistory(state);
  const preset = PRESETS.find((p) => p.text === text);
  parts.push(preset ? `preset=${encodeValue(preset.id)}` : `p=${encodeValue(text)}`);
  if (!isDefaultBase(first.problem, first.base)) parts.push(`s=${encodeValue(printSchedule(first.base))}`);
  if (log.length > 0) parts.push(`a=${log.map((e) => encodeValue(entryText(e), true)).join(',')}`);
  if (position !== log.length) parts.push(`at=${position}`);
  const shown = PANEL_IDS.filter((id) => state.panels[id]);
  if (PANEL_IDS.some((id) => !!state.panels[id] !== DEFAULT_PANELS[id])) parts.push(`panels=${shown.join(',')}`);
  if (state.threadsChosen !== undefined && state.threadsChosen !== null) parts.push(`threads=${state.threadsChosen}`);
  return `#${parts.join('&')}`;
}

const KEYS = ['p', 'preset', 's', 'a', 'at', 'panels', 'threads'];

/**
 * What a link gave: its state (null when it holds none), and `notice` when part of it was left
 * out (a link cut short keeps its problem and every part that still reads) or when a hash that is
 * not a state was ignored.
 */
export type LinkResult = { ok: true; value: ResolvedSnapshot | null; notice?: string } | { ok: false; error: string };

/** Actions of `a=` up to the first that is not one (a link cut short ends in half an action). */
function linkActions(raw: string): { log: HistoryEntry[]; notice?: string } {
  let count = 1;
  for (let i = raw.indexOf(','); i >= 0 && count <= MAX_LOG_ACTIONS; i = raw.indexOf(',', i + 1)) count++;
  if (count > MAX_LOG_ACTIONS) {
    return {
      log: [],
      notice: `the link's history has more actions than the limit of ${MAX_LOG_ACTIONS}; kept the problem and none of its actions`,
    };
  }
  const log: HistoryEntry[] = [];
  const items = raw.split(',');
  for (let i = 0; i < items.length; i++) {
    const text = decodeValue('a', items[i]);
    const entry = text.ok ? parseEntryText(text.value.trim()) : null;
    if (!entry) {
      const shown = excerpt(text.ok ? text.value : items[i]);
      return {
        log,
        notice: `the link's action ${i + 1} '${shown}' is not an action (was the link cut short?); kept the problem and ${keptText(i)}`,
      };
    }
    log.push(entry);
  }
  return { log };
}

/** The parts that make the problem: without them (or with them broken) the link holds no state. */
const PROBLEM_KEYS = ['p', 'preset'];

/**
 * Most characters of a part other than `a=` (whose actions are decoded one by one): the longest
 * problem or schedule text with every character a 9-character %-escape (3 UTF-8 bytes). A longer
 * part is left out before it is decoded, which for hundreds of thousands of characters takes long.
 */
const MAX_PART_CHARS = 9 * Math.max(MAX_PROBLEM_CHARS, MAX_SCHEDULE_CHARS);

/**
 * Reads a hash (with or without `#`). `value` is null when the hash holds no state (empty, or
 * no key of ours, which gets a notice). Errors are worded for a person who edited or truncated
 * the link. Only a broken problem refuses the link: any other part that does not read (a link cut
 * short after its problem ends in half a part) is left out, and `notice` names it.
 */
export function parseHash(hash: string): LinkResult {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  const fields = new Map<string, string>();
  const dropped: string[] = [];
  for (const part of body.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (!KEYS.includes(key)) continue;
    if (fields.has(key)) return { ok: false, error: `the link gives '${key}' twice; keep one` };
    if (eq < 0) {
      if (PROBLEM_KEYS.includes(key))
        return { ok: false, error: `the link's part '${key}' has no value; write it as ${key}=...` };
      dropped.push(`the link's part '${key}' has no value (was the link cut short?); it is left out`);
      continue;
    }
    if (key !== 'a' && part.length - eq - 1 > MAX_PART_CHARS) {
      const error = `the link's part '${key}' has ${part.length - eq - 1} characters, more than any the page writes (at most ${MAX_PART_CHARS})`;
      if (PROBLEM_KEYS.includes(key)) return { ok: false, error };
      dropped.push(`${error}; it is left out`);
      continue;
    }
    // The actions are decoded one by one, so that a link cut inside an escape keeps the ones before.
    const value = key === 'a' ? { ok: true as const, value: part.slice(eq + 1) } : decodeValue(key, part.slice(eq + 1));
    if (!value.ok) {
      if (PROBLEM_KEYS.includes(key)) return value;
      dropped.push(`${value.error}; it is left out`);
      continue;
    }
    fields.set(key, value.value);
  }
  if (fields.size === 0 && dropped.length === 0) {
    if (body.trim() === '') return { ok: true, value: null };
    return {
      ok: true,
      value: null,
      notice: `the link's '#${excerpt(body)}' holds no playground state (none of ${KEYS.map((k) => `${k}=`).join(', ')}): it is ignored and the page keeps what it shows; a link copied from the address bar has them`,
    };
  }

  let problemText: string;
  const presetId = fields.get('preset');
  const p = fields.get('p');
  if (presetId !== undefined && p !== undefined)
    return { ok: false, error: "the link gives both 'preset' and 'p'; keep one" };
  if (presetId !== undefined) {
    const preset = PRESETS.find((x) => x.id === presetId);
    if (!preset) {
      return {
        ok: false,
        error: `the link's preset '${excerpt(presetId)}' is not a preset; the presets are ${PRESETS.map((x) => x.id).join(', ')}`,
      };
    }
    problemText = preset.text;
  } else if (p !== undefined) {
    problemText = p;
  } else {
    problemText = PRESETS.find((x) => x.id === 'matmul-256')?.text ?? PRESETS[0].text;
  }
  const problem = resolveProblem(problemText);
  if (!problem.ok) return { ok: false, error: `${OWNER} problem has an error: ${problem.error.message}` };

  // A schedule that does not read is left out with the actions that start from it.
  let base = fields.get('s');
  if (base !== undefined) {
    const r = scheduleProblem(problem.problem, base);
    if (r !== null) {
      const a = fields.get('a');
      const actions = a === undefined || a === '' ? '' : ' and without its actions (they start from that schedule)';
      dropped.push(
        `the link's schedule '${excerpt(base)}' has an error: ${r}; kept the problem with its default schedule${actions}`,
      );
      base = undefined;
      fields.delete('a');
    }
  }

  const a = fields.get('a');
  const actions = a !== undefined && a !== '' ? linkActions(a) : { log: [] };
  if (actions.notice) dropped.push(actions.notice);
  const log: unknown[] = actions.log;

  let position: number | undefined;
  const at = fields.get('at');
  if (at !== undefined) {
    if (/^[0-9]+$/.test(at.trim())) position = Number(at.trim());
    else
      dropped.push(
        `the link's position 'at=${excerpt(at)}' is not a whole number; it is shown at the end of its history`,
      );
  }

  // Without `panels` the link shows the default panels (a link restores the exact state).
  let panels: Partial<Record<PanelId, boolean>> = { ...DEFAULT_PANELS };
  const shown = fields.get('panels');
  if (shown !== undefined) {
    panels = Object.fromEntries(PANEL_IDS.map((id) => [id, false]));
    const unknown: string[] = [];
    for (const id of shown
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '')) {
      if ((PANEL_IDS as string[]).includes(id)) panels[id as PanelId] = true;
      else unknown.push(`'${excerpt(id)}'`);
    }
    if (unknown.length > 0) {
      const which =
        unknown.length === 1 ? `panel ${unknown[0]} is not a panel` : `panels ${unknown.join(', ')} are not panels`;
      dropped.push(`the link's ${which} (the panels are ${PANEL_IDS.join(', ')}); left out`);
    }
  }

  if (actions.notice && position !== undefined && position > log.length) position = log.length;
  // A link restores the exact state: without `threads`, one thread per processor.
  const threadsText = fields.get('threads')?.trim();
  const threads = threadsText === undefined ? null : /^[0-9]+$/.test(threadsText) ? Number(threadsText) : threadsText;
  const r = resolveSnapshot({ problemText, base, log, position, panels, threads }, OWNER, {
    keepValidPrefix: true,
  });
  if (!r.ok) return r;
  const notice = [...dropped, r.value.notice].filter(Boolean).join('; ');
  return notice ? { ok: true, value: r.value, notice } : r;
}

/** Why `text` is not a schedule of `problem`, or null when it is one. */
function scheduleProblem(problem: Problem, text: string): string | null {
  try {
    parseSchedule(problem, text);
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}

/** What `syncWithUrl` needs of the window. */
export type UrlWindow = Pick<
  Window,
  'location' | 'history' | 'addEventListener' | 'removeEventListener' | 'setTimeout' | 'clearTimeout'
>;

function urlFields(s: LooplabState) {
  return [
    s.problemText,
    s.problemKey,
    s.problemError,
    s.base,
    s.log,
    s.position,
    s.earlier,
    s.later,
    s.panels,
    s.threadsChosen,
  ] as const;
}

/**
 * Keeps the URL and the store in step. At start the hash is restored (an invalid one leaves the
 * default state, says why in a notice, and stays in the address bar until the person acts);
 * then every change is written with `history.replaceState` (debounced). Editing the hash by hand
 * (hashchange) restores it too. Returns a function that stops the sync.
 */
export function syncWithUrl(store: LooplabStore, win: UrlWindow, options: { debounceMs?: number } = {}): () => void {
  const debounceMs = options.debounceMs ?? 100;
  let lastWritten = win.location.hash;
  let timer: number | null = null;

  const restoreFrom = (hash: string) => {
    const r = parseHash(hash);
    if (!r.ok) {
      store.getState().notify('error', `${r.error}; the page shows its default instead`);
      return;
    }
    // Restored first: the notice is about the state the link lands on.
    if (r.value) store.getState().restore(r.value);
    if (r.notice) store.getState().notify('error', r.notice);
  };

  const write = () => {
    timer = null;
    const hash = stateToHash(urlState(store.getState()));
    if (hash === win.location.hash) {
      lastWritten = hash;
      return;
    }
    lastWritten = hash;
    try {
      win.history.replaceState(win.history.state, '', hash);
    } catch (error) {
      // Browsers rate-limit replaceState; the next change writes again.
      void error;
    }
  };

  restoreFrom(win.location.hash);

  const unsubscribe = store.subscribe((s, prev) => {
    const now = urlFields(s);
    const before = urlFields(prev);
    if (now.every((v, i) => v === before[i])) return;
    if (timer !== null) win.clearTimeout(timer);
    timer = win.setTimeout(write, debounceMs);
  });

  const onHashChange = () => {
    if (win.location.hash === lastWritten) return;
    lastWritten = win.location.hash;
    restoreFrom(win.location.hash);
  };
  win.addEventListener('hashchange', onHashChange);

  return () => {
    unsubscribe();
    win.removeEventListener('hashchange', onHashChange);
    if (timer !== null) {
      win.clearTimeout(timer);
      write();
    }
  };
}

/** The URL-relevant part of the store's state. */
export function urlState(s: LooplabState): UrlState {
  return s;
}

/** Keeps `lesson`, `present` and `handout` of the page's query in step with the store (a reload keeps them). */
export function syncLessonQuery(store: LooplabStore, win: Pick<Window, 'location' | 'history'>): () => void {
  return store.subscribe((s, prev) => {
    if (s.lessonId === prev.lessonId && s.present === prev.present && s.handoutOpen === prev.handoutOpen) return;
    const search = withTeacherQuery(win.location.search, {
      ...s.teacher,
      lesson: s.lessonId,
      present: s.present,
      handout: s.handoutOpen,
    });
    if (search === win.location.search) return;
    try {
      win.history.replaceState(win.history.state, '', `${win.location.pathname}${search}${win.location.hash}`);
    } catch (error) {
      void error; // rate-limited; the next change writes again
    }
  });
}

/**
 * Where a page opened by a teacher's link starts: the link's options (with a sentence per bad
 * one), and the state: the hash's state when it is on the lesson's problem (a reload keeps the
 * learner's history), the lesson's start otherwise; the lesson column is shown.
 */
export function teacherLinkStart(
  search: string,
  hash: string,
): { teacher: TeacherOptions; errors: string[]; snapshot: ResolvedSnapshot | null; replaceHash: boolean } {
  const { options: teacher, errors } = parseTeacherLink(search, PANEL_IDS);
  const fromHash = parseHash(hash);
  const hashState = fromHash.ok ? fromHash.value : null;
  const lesson = lessonById(teacher.lesson);
  if (!lesson) return { teacher, errors, snapshot: hashState, replaceHash: false };
  const start = lessonSnapshot(lesson);
  if (!fromHash.ok) errors.push(`${fromHash.error}; the lesson starts from its own start`);
  else if (fromHash.notice) errors.push(fromHash.notice);
  const keep = hashState !== null && hashState.problemKey === start.problemKey;
  const base = keep ? hashState : start;
  const panels = { ...DEFAULT_PANELS, ...(base.panels ?? {}), lesson: true };
  return { teacher, errors, snapshot: { ...base, panels }, replaceHash: true };
}

/** The hash of a checked snapshot (for writing the lesson's start into the address bar). */
export function snapshotHash(s: ResolvedSnapshot): string {
  return stateToHash({
    ...s,
    problemError: null,
    panels: { ...DEFAULT_PANELS, ...(s.panels ?? {}) },
    threadsChosen: s.threads ?? null,
  });
}
