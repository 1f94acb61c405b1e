// A whole playground state as plain data (problem text, base schedule, action log, position,
// panels) and its validation: links, sessions, files and the store's `initial` option all pass
// through `resolveSnapshot`, which replays the log and words any problem for a person.
import { excerpt } from '../core/format.ts';
import { DslError, PRESETS, parseProblemText, problemText as canonicalProblemText } from '../core/problem.ts';
import { defaultSchedule, parseSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';
import { applyLogAction, entryFromValue, quoteValue } from './log.ts';
import { PANEL_IDS, type HistoryEntry, type PanelId } from './types.ts';
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

/** A checked state, ready for the store's `restore`. */
export interface ResolvedSnapshot {
  problemText: string;
  problem: Problem;
  problemKey: string;
  presetId: string | null;
  base: Schedule;
  log: HistoryEntry[];
  states: NestState[];
  position: number;
  panels?: Partial<Record<PanelId, boolean>>;
  /** Threads chosen for parallel loops (null: one per processor); absent: keep the page's choice. */
  threads?: number | null;
  /** What was left out of the snapshot and why, in words: a bad thread count, and with `keepValidPrefix` the rest of a history. */
  notice?: string;
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

export type ReplayResult =
  | { ok: true; states: NestState[] }
  | { ok: false; states: NestState[]; index: number; reason: string };

/** states[i] after the first i entries, from `base` with the cursor on loop 0; stops at the first refused entry. */
export function replay(problem: Problem, base: Schedule, log: readonly HistoryEntry[]): ReplayResult {
  const states: NestState[] = [{ schedule: base, cursor: 0 }];
  for (let i = 0; i < log.length; i++) {
    const r = applyLogAction(problem, states[i], log[i].action);
    if (!r.ok) return { ok: false, states, index: i, reason: r.reason };
    states.push(r.state);
  }
  return { ok: true, states };
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

  const r = replay(problem, base, log);
  if (!r.ok) {
    const error = `${owner} history stops at action ${r.index + 1}: ${r.reason}`;
    if (!options.keepValidPrefix) return fail(error);
    notice = `${error}; kept the problem and ${keptText(r.index)}`;
    log.length = r.index;
    position = Math.min(position, r.index);
  }

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
      problemText: snapshot.problemText,
      problem,
      problemKey: p.problemKey,
      presetId: p.presetId,
      base,
      log,
      states: r.states,
      position,
      panels,
      ...(threads !== undefined ? { threads } : {}),
      ...(notice ? { notice } : {}),
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
