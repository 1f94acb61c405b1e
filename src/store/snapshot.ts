// A whole playground state as plain data (problem text, base schedule, action log, position,
// panels) and its validation: links, sessions, files and the store's `initial` option all pass
// through `resolveSnapshot`, which replays the log and words any problem for a person.
import { excerpt } from '../core/format.ts';
import { DslError, PRESETS, parseProblemText, problemText as canonicalProblemText } from '../core/problem.ts';
import { defaultSchedule, parseSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { applyLogAction, entryFromValue, problemChangeText, quoteValue } from './log.ts';
import type { HistoryChapter, HistoryEntry } from './historyTypes.ts';
import { PANEL_IDS, type PanelId } from './panels.ts';
import { errorMessage } from '../core/errors.ts';
import { MAX_THREADS } from '../runtime/threads.ts';

/** Why `value` is not a thread count a page may choose (a whole number from 1 to 64), or null. */
export function threadsProblem(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_THREADS) return null;
  return `thread count ${quoteValue(value)} is not a whole number from 1 to ${MAX_THREADS}`;
}

/** A state as stored or shared; fields are unchecked until `resolveSnapshot`. */
export interface Snapshot {
  problemText: string;
  /** Schedule text the log starts from (cursor on loop 0); the problem's default when absent. */
  base?: string | null;
  log?: readonly unknown[];
  /** Entries of the log applied; the whole log when absent. */
  position?: number;
  panels?: Partial<Record<PanelId, boolean>>;
  /** Threads chosen for parallel loops (null: one per processor); left as it is when absent. */
  threads?: unknown;
}

/** A checked state, ready for the store's `restore`: the current problem's history and the page's settings. */
export interface ResolvedSnapshot extends HistoryChapter {
  panels?: Partial<Record<PanelId, boolean>>;
  /** Threads chosen for parallel loops (null: one per processor); absent: keep the page's choice. */
  threads?: number | null;
  /** What was left out of the snapshot and why, in words: a bad thread count, and with `keepValidPrefix` the rest of a history. */
  notice?: string;
  /** The problems before the current one (its log had `problem:` entries); none when absent. */
  earlier?: HistoryChapter[];
  /** The problems after the current one (undone); none when absent. */
  later?: HistoryChapter[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export type ProblemResult =
  | { ok: true; problem: Problem; problemKey: string; presetId: string | null }
  | { ok: false; error: { message: string; line: number; col: number } };

let presetKeys: Map<string, string> | null = null;

/** The preset whose problem is `problemKey`, if any. */
export function presetOf(problemKey: string): string | null {
  if (!presetKeys) {
    presetKeys = new Map();
    for (const p of PRESETS) {
      try {
        const key = canonicalProblemText(parseProblemText(p.text));
        if (!presetKeys.has(key)) presetKeys.set(key, p.id);
      } catch {
        // A broken preset is the core's bug; it simply matches nothing here.
      }
    }
  }
  return presetKeys.get(problemKey) ?? null;
}

/** Parses problem text; errors keep the DSL's place (1-based line and column). */
export function resolveProblem(text: string): ProblemResult {
  try {
    const problem = parseProblemText(text);
    const problemKey = canonicalProblemText(problem);
    return { ok: true, problem, problemKey, presetId: presetOf(problemKey) };
  } catch (error) {
    if (error instanceof DslError)
      return { ok: false, error: { message: error.message, line: error.line, col: error.col } };
    const message = errorMessage(error);
    return { ok: false, error: { message, line: 1, col: 1 } };
  }
}

/** A log replayed problem by problem; `failure`: the first entry refused (the chapters stop before it). */
export interface ReplayResult {
  chapters: HistoryChapter[];
  failure?: { index: number; reason: string };
}

/**
 * Splits a log at its `problem:` entries (each starts that problem from its default schedule) and
 * replays each problem's entries: a chapter's states[i] is the nest after its first i entries, from
 * its base with the cursor on loop 0. Stops at the first refused entry.
 */
export function replay(
  first: Omit<HistoryChapter, 'log' | 'states' | 'position'>,
  log: readonly HistoryEntry[],
): ReplayResult {
  const start = (c: Omit<HistoryChapter, 'log' | 'states' | 'position'>): HistoryChapter => ({
    ...c,
    log: [],
    states: [{ schedule: c.base, cursor: 0 }],
    position: 0,
  });
  let chapter = start(first);
  const chapters = [chapter];
  for (let i = 0; i < log.length; i++) {
    const text = problemChangeText(log[i].action);
    if (text !== null) {
      const p = resolveProblem(text);
      if (!p.ok) return { chapters, failure: { index: i, reason: `its problem has an error: ${p.error.message}` } };
      const { problem, problemKey, presetId } = p;
      chapter = start({ problemText: text, problem, problemKey, presetId, base: defaultSchedule(problem) });
      chapters.push(chapter);
      continue;
    }
    const r = applyLogAction(chapter.problem, chapter.states[chapter.states.length - 1], log[i].action);
    if (!r.ok) return { chapters, failure: { index: i, reason: r.reason } };
    chapter.log.push(log[i]);
    chapter.states.push(r.state);
  }
  return { chapters };
}

/** The chapter a position of the one log is in (a `problem:` entry counts one), and the position in it. */
function chapterAt(chapters: readonly HistoryChapter[], position: number): { index: number; position: number } {
  let at = position;
  let index = 0;
  while (index < chapters.length - 1 && at > chapters[index].log.length) {
    at -= chapters[index].log.length + 1;
    index++;
  }
  return { index, position: at };
}

/** Whether `schedule` is the problem's default (then links and files leave it out). */
export function isDefaultBase(problem: Problem, schedule: Schedule): boolean {
  return printSchedule(schedule) === printSchedule(defaultSchedule(problem));
}

/**
 * Checks a snapshot. `owner` starts every message: "the link's", "its", "the file's", giving
 * e.g. "the link's history stops at action 5: can't split m:8 by 16: ...".
 */
export function resolveSnapshot(
  snapshot: Snapshot,
  owner: string,
  options: { keepValidPrefix?: boolean } = {},
): Result<ResolvedSnapshot> {
  const fail = (error: string): Result<ResolvedSnapshot> => ({ ok: false, error });
  if (typeof snapshot.problemText !== 'string') return fail(`${owner} problem is missing`);
  const p = resolveProblem(snapshot.problemText);
  if (!p.ok) return fail(`${owner} problem has an error: ${p.error.message}`);
  const { problem } = p;

  let base = defaultSchedule(problem);
  if (snapshot.base !== undefined && snapshot.base !== null) {
    if (typeof snapshot.base !== 'string') return fail(`${owner} schedule is not schedule text`);
    try {
      base = parseSchedule(problem, snapshot.base);
    } catch (error) {
      const message = errorMessage(error);
      return fail(`${owner} schedule '${excerpt(snapshot.base)}' has an error: ${message}`);
    }
  }

  const raw = snapshot.log ?? [];
  if (!Array.isArray(raw)) return fail(`${owner} history is not a list of actions`);
  const log: HistoryEntry[] = [];
  for (let i = 0; i < raw.length; i++) {
    const entry = entryFromValue(raw[i]);
    if (!entry) return fail(`${owner} action ${i + 1} ${quoteValue(raw[i])} is not an action`);
    log.push(entry);
  }

  let position = snapshot.position ?? log.length;
  if (typeof position !== 'number' || !Number.isInteger(position) || position < 0) {
    return fail(`${owner} position ${quoteValue(position)} is not a whole number of actions`);
  }
  let notice: string | undefined;
  if (position > log.length) {
    const error = `${owner} position ${position} is past the end of its history (${plural(log.length, 'action')})`;
    if (!options.keepValidPrefix) return fail(error);
    notice = `${error}; it is shown at the end`;
    position = log.length;
  }

  const r = replay(
    { problemText: snapshot.problemText, problem, problemKey: p.problemKey, presetId: p.presetId, base },
    log,
  );
  if (r.failure) {
    const error = `${owner} history stops at action ${r.failure.index + 1}: ${r.failure.reason}`;
    if (!options.keepValidPrefix) return fail(error);
    notice = `${error}; kept the problem and ${keptText(r.failure.index)}`;
    position = Math.min(position, r.failure.index);
  }
  const at = chapterAt(r.chapters, position);
  const current = { ...r.chapters[at.index], position: at.position };
  const earlier = r.chapters.slice(0, at.index).map((c) => ({ ...c, position: c.log.length }));
  const later = r.chapters.slice(at.index + 1);

  let threads: number | null | undefined;
  if (snapshot.threads === null) threads = null;
  else if (snapshot.threads !== undefined) {
    const problem = threadsProblem(snapshot.threads);
    if (problem === null) threads = snapshot.threads as number;
    else {
      // Like a link, a file or session with a bad count keeps its state (the count is a setting).
      threads = null;
      const fallBack = `${owner} ${problem}; parallel loops run on one thread per processor instead (choose another count in the performance panel)`;
      notice = notice ? `${notice}; ${fallBack}` : fallBack;
    }
  }

  let panels: Partial<Record<PanelId, boolean>> | undefined;
  if (snapshot.panels !== undefined) {
    if (!snapshot.panels || typeof snapshot.panels !== 'object') return fail(`${owner} panels are not a set of panels`);
    panels = {};
    for (const [id, shown] of Object.entries(snapshot.panels)) {
      if (!(PANEL_IDS as string[]).includes(id))
        return fail(`${owner} panel '${excerpt(id)}' is not a panel; the panels are ${PANEL_IDS.join(', ')}`);
      if (typeof shown !== 'boolean') return fail(`${owner} panel '${excerpt(id)}' is neither shown nor hidden`);
      panels[id as PanelId] = shown;
    }
  }

  return {
    ok: true,
    value: {
      ...current,
      panels,
      ...(threads !== undefined ? { threads } : {}),
      ...(notice ? { notice } : {}),
      ...(earlier.length > 0 ? { earlier } : {}),
      ...(later.length > 0 ? { later } : {}),
    },
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "the 3 actions before it", "the action before it", "none of its actions". */
export function keptText(actions: number): string {
  if (actions === 0) return 'none of its actions';
  return actions === 1 ? 'the action before it' : `the ${actions} actions before it`;
}
