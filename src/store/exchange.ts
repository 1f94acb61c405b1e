// Export the current schedule (schedule text, JSON, C) and import what export writes (JSON or
// schedule text), with a worded message for every bad file or pasted text: not JSON, wrong format
// or version, invalid problem, invalid schedule or log.
import { scheduleToC } from '../core/pseudoC.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import { linearHistory } from './chapters.ts';
import { storedEntry } from './log.ts';
import { currentMeasurement, sliceLabel } from './measurement.ts';
import { onThreads } from './sessionFigures.ts';
import { isDefaultBase, resolveProblem, resolveSnapshot, type ResolvedSnapshot, type Result } from './snapshot.ts';
import type { HistoryEntry, LooplabState } from './types.ts';
import { errorMessage } from '../core/errors.ts';
import { excerpt, formatGflops } from '../core/format.ts';

export const EXCHANGE_FORMAT = 'looplab-schedule';
export const EXCHANGE_VERSION = 1;

/** A schedule as a file. `log` leads from `base` (or the default schedule) to `schedule`. */
export interface ScheduleFile {
  format: typeof EXCHANGE_FORMAT;
  version: typeof EXCHANGE_VERSION;
  /** Problem DSL text (canonical). */
  problem: string;
  /** The schedule in schedule notation. */
  schedule: string;
  /** Schedule text the log starts from, when not the default of the problem it starts on. */
  base?: string;
  /**
   * When the log changes problem (`problem:` entries, e.g. `problem:C[m,n] += ...`): the problem
   * it starts on; `problem` is the one it ends on. Absent: the log stays on `problem`.
   */
  startProblem?: string;
  log: HistoryEntry[];
  /** The thread count chosen for parallel loops, when one was chosen (else one per processor). */
  threads?: number;
  /**
   * GFLOPS measured on the exporting machine, when known, and the threads it ran on.
   * `gflopsStatistic` says what the figure is: the median of the refined samples, or the best
   * sample of the first quick run (before refining).
   */
  gflops?: number;
  gflopsStatistic?: FigureStatistic;
  gflopsThreads?: number;
  /**
   * When the figure is a slice's (a kernel whose full run would take over 50 ms): which part ran,
   * e.g. `on 3 of 1024 iterations of m`. Absent: the whole kernel was timed.
   */
  gflopsSlice?: string;
}

export type FigureStatistic = 'median' | 'best';

export type ExportState = Pick<
  LooplabState,
  | 'problem'
  | 'problemKey'
  | 'problemText'
  | 'problemError'
  | 'presetId'
  | 'states'
  | 'earlier'
  | 'base'
  | 'log'
  | 'position'
  | 'current'
  | 'measurements'
  | 'threadsChosen'
  | 'threadSupport'
>;

/** The current schedule in schedule notation. */
export function exportText(s: ExportState): string {
  return printSchedule(s.current.schedule);
}

/** Comment lines of a schedule text file that carry its problem: `# problem: ...`, `# sizes: ...`. */
const TEXT_HEADER = '# looplab schedule';

/**
 * The schedule text export: the schedule line, headed by comment lines with the problem, so that
 * importing it gives the same problem and schedule:
 *   # looplab schedule
 *   # problem: C[m,n] += A[m,k] * B[k,n]
 *   # sizes: m=256, n=256, k=256
 *   # threads: 4                       (when a count is chosen)
 *   # measured: 12.5 GFLOPS (median of 40 samples) on 1 thread   (when measured; a slice's figure adds
 *                                      ", timed on 3 of 1024 iterations of m")
 *   m:16 n:256 m:16 k:256
 */
export function exportScheduleText(s: ExportState): string {
  const [statement, ...sizes] = s.problemKey.split('\n');
  const lines = [TEXT_HEADER, `# problem: ${statement}`, `# sizes: ${sizes.join(' ')}`];
  if (s.threadsChosen !== null) lines.push(`# threads: ${s.threadsChosen}`);
  const figure = measuredFigure(s);
  if (figure) {
    const what =
      figure.statistic === 'median'
        ? `median of ${figure.samples ?? 'the refined'} samples`
        : 'best sample of a quick run';
    const part = figure.slice ? `, timed ${figure.slice}` : '';
    lines.push(`# measured: ${formatGflops(figure.gflops)} GFLOPS (${what}) ${onThreads(figure.threads)}${part}`);
  }
  return [...lines, exportText(s), ''].join('\n');
}

/** The current schedule as C99: a function over the problem's arrays, headed by problem and schedule. */
export function exportC(s: ExportState): string {
  const c = scheduleToC(s.problem, s.current.schedule);
  return c.endsWith('\n') ? c : `${c}\n`;
}

export function exportFile(s: ExportState): ScheduleFile {
  // The history up to the schedule shown, from the first problem (what was undone is left out).
  const { first, log, position } = linearHistory({ ...s, later: [] });
  const file: ScheduleFile = {
    format: EXCHANGE_FORMAT,
    version: EXCHANGE_VERSION,
    problem: s.problemKey,
    schedule: printSchedule(s.current.schedule),
    log: log.slice(0, position).map(storedEntry),
  };
  if (first.problemKey !== s.problemKey || s.earlier.length > 0) file.startProblem = first.problemKey;
  if (!isDefaultBase(first.problem, first.base)) file.base = printSchedule(first.base);
  if (s.threadsChosen !== null) file.threads = s.threadsChosen;
  const figure = measuredFigure(s);
  if (figure) {
    file.gflops = figure.gflops;
    file.gflopsStatistic = figure.statistic;
    file.gflopsThreads = figure.threads;
    if (figure.slice) file.gflopsSlice = figure.slice;
  }
  return file;
}

/**
 * The current schedule's measured GFLOPS, what that figure is (a refined figure is a median, a
 * quick one the best sample) and the threads it ran on, when measured.
 */
function measuredFigure(
  s: ExportState,
): { gflops: number; statistic: FigureStatistic; samples?: number; threads: number; slice?: string } | null {
  const m = currentMeasurement(s);
  if (m?.status !== 'done' || typeof m.gflops !== 'number') return null;
  const statistic = m.stage === 'refined' ? 'median' : 'best';
  return {
    gflops: m.gflops,
    statistic,
    threads: m.threads ?? 1,
    ...(m.samples ? { samples: m.samples } : {}),
    ...(m.slice ? { slice: sliceLabel(m.slice) } : {}),
  };
}

/** The JSON export, pretty-printed. */
export function exportJson(s: ExportState): string {
  return `${JSON.stringify(exportFile(s), null, 2)}\n`;
}

/** File names for downloads: `looplab-matmul-m64n16.json`-like, safe on every system. */
export function exportFileName(s: ExportState, extension: string): string {
  const sched = printSchedule(s.current.schedule)
    .replace(/[: ]+/g, '')
    .replace(/[^A-Za-z0-9_]/g, '');
  return `looplab-${sched.slice(0, 60) || 'schedule'}.${extension}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Reads a JSON export. With a log, the log is replayed (from `base` or the default schedule)
 * and must reach `schedule`; with only a schedule, that schedule becomes the start of the
 * history. The problem and history are checked like a link's.
 */
export function importJson(text: string, noun: ImportNoun = 'the file'): Result<ResolvedSnapshot> {
  const fail = (error: string): Result<ResolvedSnapshot> => ({
    ok: false,
    error: error.replace(/^the file/, noun),
  });
  if (text.trim() === '') return fail(`the file is empty; ${EMPTY_HINT}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail(`the file is not JSON: ${errorMessage(error)}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return fail(
      `the file holds ${kindOf(data)}, not a looplab schedule (an object with "format": "${EXCHANGE_FORMAT}")`,
    );
  }
  const f = data as Record<string, unknown>;
  if (f.format === undefined)
    return fail(`the file has no "format" field; a looplab export has "format": "${EXCHANGE_FORMAT}"`);
  if (f.format !== EXCHANGE_FORMAT)
    return fail(`the file's format is ${JSON.stringify(f.format)}, not "${EXCHANGE_FORMAT}"`);
  if (f.version !== EXCHANGE_VERSION) {
    return fail(`the file's version is ${JSON.stringify(f.version)}; this page reads version ${EXCHANGE_VERSION}`);
  }
  if (typeof f.problem !== 'string') return fail('the file has no problem text ("problem")');
  const p = resolveProblem(f.problem);
  if (!p.ok) return fail(`the file's problem has an error: ${p.error.message}`);
  if (f.schedule !== undefined && typeof f.schedule !== 'string')
    return fail(`the file's schedule is ${kindOf(f.schedule)}, not schedule text`);
  if (f.base !== undefined && typeof f.base !== 'string')
    return fail(`the file's base schedule is ${kindOf(f.base)}, not schedule text`);
  if (f.log !== undefined && !Array.isArray(f.log))
    return fail(`the file's log is ${kindOf(f.log)}, not a list of actions`);
  if (f.schedule === undefined && f.log === undefined) return fail('the file has neither a schedule nor a log');
  if (f.startProblem !== undefined && typeof f.startProblem !== 'string')
    return fail(`the file's start problem is ${kindOf(f.startProblem)}, not problem text`);

  let target: string | null = null;
  if (typeof f.schedule === 'string') {
    try {
      target = printSchedule(parseSchedule(p.problem, f.schedule));
    } catch (error) {
      return fail(`the file's schedule '${excerpt(f.schedule)}' has an error: ${errorMessage(error)}`);
    }
  }

  const log = (f.log as unknown[] | undefined) ?? [];
  if (log.length === 0 && f.base === undefined && target !== null) {
    // Only a schedule: it is where the history starts.
    return resolveSnapshot({ problemText: f.problem, base: target, log: [], threads: f.threads }, `${noun}'s`);
  }
  const r = resolveSnapshot(
    { problemText: f.startProblem ?? f.problem, base: f.base as string | undefined, log, threads: f.threads },
    `${noun}'s`,
  );
  if (!r.ok) return r;
  if (r.value.problemKey !== p.problemKey) {
    return fail(
      'the file\'s log ends on another problem than its problem; give the problem it starts on as "startProblem"',
    );
  }
  const reached = printSchedule(r.value.states[r.value.position].schedule);
  if (target !== null && reached !== target) {
    return fail(`the file's log leads to '${reached}', not to its schedule '${target}'`);
  }
  return r;
}

/** What an import names its input in messages. */
export type ImportNoun = 'the file' | 'the pasted text';

const EMPTY_HINT = 'paste or choose a looplab export (JSON or schedule text)';

/**
 * Reads what export writes: a JSON export, or schedule text (a schedule line, with the problem
 * in `# problem:` and `# sizes:` comment lines; without them the schedule is for
 * `currentProblemText`). The schedule becomes the start of the history.
 */
export function importExport(text: string, noun: ImportNoun, currentProblemText: string): Result<ResolvedSnapshot> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: `${noun} is empty; ${EMPTY_HINT}` };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return importJson(text, noun);
  return importScheduleText(text, noun, currentProblemText);
}

function importScheduleText(text: string, noun: ImportNoun, currentProblemText: string): Result<ResolvedSnapshot> {
  const fail = (error: string): Result<ResolvedSnapshot> => ({ ok: false, error });
  const fields = new Map<string, string>();
  const scheduleLines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*(problem|sizes|threads):\s*(.*)$/.exec(line);
      if (m) fields.set(m[1], m[2]);
      continue;
    }
    scheduleLines.push(line);
  }
  if (scheduleLines.length === 0)
    return fail(`${noun} has no schedule line; schedule text is one line such as 'm:64 n:16 k m:4 n:16'`);
  if (scheduleLines.length > 1) {
    return fail(
      `${noun} has ${scheduleLines.length} lines that are not comments; schedule text is one schedule line (comments start with #), or paste a JSON export`,
    );
  }
  const statement = fields.get('problem');
  const sizes = fields.get('sizes');
  if ((statement === undefined) !== (sizes === undefined))
    return fail(
      `${noun} gives its problem's ${statement === undefined ? 'sizes' : 'statement'} only; give both '# problem:' and '# sizes:' lines, or neither`,
    );
  const problemText = statement !== undefined ? `${statement}\n${sizes}` : currentProblemText;
  const p = resolveProblem(problemText);
  if (!p.ok) return fail(`${noun}'s problem has an error: ${p.error.message}`);
  const line = scheduleLines[0];
  let schedule: string;
  try {
    schedule = printSchedule(parseSchedule(p.problem, line));
  } catch (error) {
    const problem = statement === undefined ? ' for the current problem' : '';
    return fail(
      `${noun} is neither a JSON export nor schedule text${problem}: '${excerpt(line)}': ${errorMessage(error)}`,
    );
  }
  const threadsText = fields.get('threads');
  const threads = threadsText === undefined ? undefined : /^\d+$/.test(threadsText) ? Number(threadsText) : threadsText;
  return resolveSnapshot({ problemText, base: schedule, log: [], threads }, `${noun}'s`);
}
