// Schedule notation (`m:64 n:16 k:256 m:4 n:16`, tails as `m:24 r1`, a parallel loop as
// `||m:64`) and loop arithmetic.
//
// A loop's step is the extent of the next loop inside it over the same variable (1 if none); its
// extent is `trip * step + tail`. The outermost loop over a variable covers the whole size, so its
// trip and tail are derived: trip = floor(size / step), tail = size mod step.
import { excerpt } from './format.ts';
import { MAX_LOOPS, MAX_SCHEDULE_CHARS } from './limits.ts';
import type { Loop, Problem, Schedule } from './types.ts';

export { MAX_LOOPS } from './limits.ts';

/** A schedule text error; the message starts with `col N:` and names a fix. */
export class ScheduleError extends Error {
  /** 1-based column in the schedule text. */
  col: number;
  /** The message without the `col N: ` prefix. */
  detail: string;
  constructor(col: number, detail: string) {
    super(`col ${col}: ${detail}`);
    this.name = 'ScheduleError';
    this.col = col;
    this.detail = detail;
  }
}

/** The mark of a parallel loop in schedule text, written before the loop: `||m:64`. */
export const PARALLEL_MARK = '||';

/** A tail in schedule text (`r1` in `m:24 r1`); the DSL refuses variables named like it. */
export const TAIL_TOKEN = /^r([0-9]+)$/;

/** A pack in schedule text, written after its loop: `k:8 pack(B)`. */
export const PACK_TOKEN = /^pack\(([A-Za-z_][A-Za-z0-9_]*)\)$/;

/** A loop in schedule notation: `m:24`, `m:24 r1`, `||m:24`, `k:8 pack(B)`. */
export function loopText(loop: Loop): string {
  const head = `${loop.parallel ? PARALLEL_MARK : ''}${loop.variable}:${loop.trip}`;
  const packs = (loop.packs ?? []).map((name) => ` pack(${name})`).join('');
  return `${loop.tail > 0 ? `${head} r${loop.tail}` : head}${packs}`;
}

/** `loop` carrying `packs` (loops without packs carry no `packs` key). */
export function withPacks(loop: Loop, packs: readonly string[] | undefined): Loop {
  const { packs: _, ...rest } = loop;
  return packs && packs.length > 0 ? { ...rest, packs: [...packs] } : rest;
}

/** Most bytes one packed panel may take (the scratch buffer is allocated beside the tensors). */
export const MAX_PACK_BYTES = 256 * 2 ** 20;

/** Elements of the panel of `tensor` packed at loop `index`: one per iteration combination of the loops inside over its variables. */
export function packElements(problem: Problem, loops: readonly Loop[], index: number, tensor: string): number {
  const input = problem.inputs.find((t) => t.name === tensor);
  if (!input) return 0;
  let n = 1;
  for (let d = index + 1; d < loops.length; d++) {
    if ((input.strides[loops[d].variable] ?? 0) !== 0) n *= loops[d].trip + (loops[d].tail > 0 ? 1 : 0);
  }
  return n;
}

/** Why the schedule's packs can't be generated, or null when they can (or there are none). */
export function packIssue(problem: Problem, loops: readonly Loop[]): string | null {
  const inputs = problem.inputs.map((t) => t.name);
  const seen = new Set<string>();
  for (let i = 0; i < loops.length; i++) {
    for (const name of loops[i].packs ?? []) {
      const where = `pack(${name}) at ${loopText({ ...loops[i], packs: [] })}`;
      if (!inputs.includes(name)) {
        return name === problem.output.name
          ? `${where}: only inputs can be packed, and ${name} is the output`
          : `${where}: there is no input ${name}; the inputs are ${inputs.join(' and ')}`;
      }
      if (seen.has(name)) return `${name} is packed twice; pack each input at one loop`;
      seen.add(name);
      if (i === loops.length - 1) return `${where}: the innermost loop has no loops inside whose reads could be packed`;
      const bytes = packElements(problem, loops, i, name) * 4;
      if (bytes > MAX_PACK_BYTES) {
        return `${where}: the panel would take ${Math.ceil(bytes / 2 ** 20)} MiB, more than ${MAX_PACK_BYTES / 2 ** 20} MiB; pack at a loop further in`;
      }
    }
  }
  return null;
}

/** Index of the schedule's parallel loop, or -1 when every loop runs on one thread. */
export function parallelLoopIndex(schedule: Schedule): number {
  return schedule.loops.findIndex((loop) => loop.parallel === true);
}

/**
 * Why loop `index` may not run in parallel, or null when it may: its iterations must write
 * disjoint parts of the output, so it must loop over an output variable, and only loops over
 * output variables may enclose it (a reduction loop around it would need every thread to finish
 * before its next iteration). The innermost loop is vectorized, so it is never the parallel one.
 */
export function parallelIssue(
  problem: Problem,
  loops: readonly Pick<Loop, 'variable'>[],
  index: number,
): string | null {
  const { variable } = loops[index];
  const out = problem.output.name;
  if (problem.reductionVariables.includes(variable)) {
    return `${variable} is summed over: two threads would add into the same ${out} at once`;
  }
  const around = loops.slice(0, index).find((l) => problem.reductionVariables.includes(l.variable));
  if (around) {
    return `the parallel loop must be outside every reduction loop, and ${variable} is inside ${around.variable}, which is summed over: every ${around.variable} iteration would have to wait for all threads`;
  }
  if (index === loops.length - 1) {
    return 'it is the innermost loop, whose iterations are the SIMD lanes of one thread; run an outer loop in parallel';
  }
  return null;
}

/** Loops in schedule notation, outermost first (`m:2 n:16`). */
export function loopsText(loops: readonly Loop[]): string {
  return loops.map(loopText).join(' ');
}

/** Canonical text: every loop `var:trip`, then ` rT` when it has a tail. */
export function printSchedule(schedule: Schedule): string;
export function printSchedule(problem: Problem, schedule: Schedule): string;
export function printSchedule(a: Schedule | Problem, b?: Schedule): string {
  const schedule = b ?? (a as Schedule);
  return schedule.loops.map(loopText).join(' ');
}

/** Step of every loop: the extent of the next loop inside it over the same variable, else 1. */
export function loopSteps(problem: Problem, schedule: Schedule): number[] {
  return stepsAndExtents(problem, schedule).steps;
}

/** Extent of every loop: the size for the outermost loop of a variable, else trip * step + tail. */
export function loopExtents(problem: Problem, schedule: Schedule): number[] {
  return stepsAndExtents(problem, schedule).extents;
}

function stepsAndExtents(problem: Problem, schedule: Schedule): { steps: number[]; extents: number[] } {
  const { loops } = schedule;
  const steps = new Array<number>(loops.length);
  const extents = new Array<number>(loops.length);
  const inner = new Map<string, number>();
  for (let i = loops.length - 1; i >= 0; i--) {
    const { variable, trip, tail } = loops[i];
    steps[i] = inner.get(variable) ?? 1;
    extents[i] = trip * steps[i] + tail;
    inner.set(variable, extents[i]);
  }
  const seen = new Set<string>();
  loops.forEach((loop, i) => {
    if (!seen.has(loop.variable)) {
      seen.add(loop.variable);
      if (Object.hasOwn(problem.sizes, loop.variable)) extents[i] = problem.sizes[loop.variable];
    }
  });
  return { steps, extents };
}

/** Every variable once, in `problem.variables` order, each loop covering its whole size. */
export function defaultSchedule(problem: Problem): Schedule {
  return { loops: problem.variables.map((variable) => ({ variable, trip: problem.sizes[variable], tail: 0 })) };
}

/** `loop`, marked parallel when `parallel` is true (unmarked loops carry no `parallel` key). */
export function withMark(loop: Loop, parallel: boolean | undefined): Loop {
  return parallel ? { ...loop, parallel: true } : loop;
}

/** A loop as written or stored; null trip/tail mean "not written" (derived for outermost loops). */
interface Entry {
  variable: string;
  trip: number | null;
  tail: number | null;
  parallel: boolean;
  packs?: string[];
}

function entryText(e: Entry): string {
  const name = `${e.parallel ? PARALLEL_MARK : ''}${e.variable}`;
  const head = e.trip === null ? name : `${name}:${e.trip}`;
  return e.tail !== null && e.tail > 0 ? `${head} r${e.tail}` : head;
}

interface LoopIssue {
  index: number;
  /** Points at the tail rather than the loop. */
  atTail?: boolean;
  message: string;
}

/** Checks a loop list against the problem; returns the derived loops or the first issue. */
function checkEntries(problem: Problem, entries: Entry[]): { loops: Loop[] } | { issue: LoopIssue; missing?: string } {
  const vars = problem.variables;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (!Object.hasOwn(problem.sizes, e.variable)) {
      return { issue: { index: i, message: `unknown variable '${e.variable}'; the variables are ${vars.join(', ')}` } };
    }
    if (i >= MAX_LOOPS) {
      return {
        issue: { index: i, message: `more than ${MAX_LOOPS} loops; merge or remove loops (at most ${MAX_LOOPS})` },
      };
    }
    if (e.trip !== null && (!Number.isInteger(e.trip) || e.trip < 1)) {
      return {
        issue: {
          index: i,
          message: `bad trip in '${entryText(e)}'; a trip is a positive integer, like ${e.variable}:4`,
        },
      };
    }
    if (e.tail !== null && (!Number.isInteger(e.tail) || e.tail < 0)) {
      return {
        issue: {
          index: i,
          atTail: true,
          message: `bad tail in '${entryText(e)}'; a tail is a non-negative integer, like r1`,
        },
      };
    }
  }
  for (const v of vars) {
    if (!entries.some((e) => e.variable === v)) {
      return { issue: { index: entries.length, message: `loop over ${v} missing; add '${v}'` }, missing: v };
    }
  }
  const marked = entries.flatMap((e, i) => (e.parallel ? [i] : []));
  if (marked.length > 1) {
    return {
      issue: {
        index: marked[1],
        message: `only one loop may be parallel, and '${entryText(entries[marked[0]])}' already is; remove one '${PARALLEL_MARK}'`,
      },
    };
  }
  if (marked.length === 1) {
    const why = parallelIssue(problem, entries, marked[0]);
    if (why)
      return {
        issue: {
          index: marked[0],
          message: `'${entryText(entries[marked[0]])}' can't run in parallel: ${why}; remove '${PARALLEL_MARK}' or move the loop`,
        },
      };
  }
  const first = new Map<string, number>();
  entries.forEach((e, i) => {
    if (!first.has(e.variable)) first.set(e.variable, i);
  });
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (first.get(e.variable) !== i && e.trip === null) {
      return {
        issue: {
          index: i,
          message: `'${e.variable}' needs a trip here: only the outermost loop over ${e.variable} may omit it; write e.g. '${e.variable}:4'`,
        },
      };
    }
  }
  // Innermost first: each loop's step is the extent of the loop inside it.
  const loops = new Array<Loop>(entries.length);
  const inner = new Map<string, number>();
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    const size = problem.sizes[e.variable];
    const step = inner.get(e.variable) ?? 1;
    let trip: number;
    let tail: number;
    if (first.get(e.variable) === i) {
      trip = Math.floor(size / step);
      tail = size % step;
      const want = tail > 0 ? `${e.variable}:${trip} r${tail}` : `${e.variable}:${trip}`;
      const stepNote = step > 1 ? ` with step ${step}` : '';
      if (e.trip !== null && e.trip !== trip) {
        return {
          issue: {
            index: i,
            message: `'${entryText(e)}' is the outermost loop over ${e.variable}, so it covers ${e.variable}=${size}${stepNote}: its trip must be ${trip}; write '${want}' or just '${e.variable}'`,
          },
        };
      }
      if (e.tail !== null && e.tail !== tail) {
        return {
          issue: {
            index: i,
            atTail: true,
            message: `'${entryText(e)}' is the outermost loop over ${e.variable}, so it covers ${e.variable}=${size}${stepNote}: its tail must be ${tail === 0 ? 'none' : `r${tail}`}; write '${want}' or just '${e.variable}'`,
          },
        };
      }
    } else {
      trip = e.trip as number;
      tail = e.tail ?? 0;
      if (tail >= step) {
        const message =
          step === 1
            ? `'${entryText(e)}' is the innermost loop over ${e.variable} (step 1), so it can't have a tail; remove 'r${tail}'`
            : `tail r${tail} of '${entryText(e)}' must be smaller than the loop's step ${step}; use r0 to r${step - 1}`;
        return { issue: { index: i, atTail: true, message } };
      }
      const extent = trip * step + tail;
      if (extent > size) {
        const most = Math.floor((size - tail) / step);
        return {
          issue: {
            index: i,
            message: `'${entryText(e)}' covers ${extent} elements of ${e.variable}, more than ${e.variable}=${size}; use a trip of at most ${most}`,
          },
        };
      }
    }
    loops[i] = withMark({ variable: e.variable, trip, tail }, e.parallel);
    inner.set(e.variable, trip * step + tail);
  }
  return { loops };
}

interface Token {
  text: string;
  col: number;
}

/** Parses schedule text like `m:64 n:16 k m:4 n:16`, `m:24 r1 m:4` (also `m:24r1`) or `||m:64 n k`. */
export function parseSchedule(problem: Problem, text: string): Schedule {
  if (text.length > MAX_SCHEDULE_CHARS) {
    throw new ScheduleError(
      MAX_SCHEDULE_CHARS + 1,
      `the schedule has ${text.length} characters, over the limit of ${MAX_SCHEDULE_CHARS}; a schedule of at most ${MAX_LOOPS} loops takes far fewer`,
    );
  }
  const tokens: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) tokens.push({ text: m[0], col: m.index + 1 });
  if (tokens.length === 0) {
    throw new ScheduleError(
      1,
      `the schedule is empty; write one loop per variable, like '${problem.variables.join(' ')}'`,
    );
  }
  const entries: Entry[] = [];
  const cols: { loop: number; tail: number }[] = [];
  const packCols: { entry: number; col: number }[] = [];
  for (const tok of tokens) {
    const parallel = tok.text.startsWith(PARALLEL_MARK);
    const t = parallel ? tok.text.slice(PARALLEL_MARK.length) : tok.text;
    if (parallel && t.length === 0) {
      throw new ScheduleError(
        tok.col,
        `'${PARALLEL_MARK}' marks no loop; write it right before the loop, like '${PARALLEL_MARK}${problem.variables[0]}'`,
      );
    }
    const packTok = PACK_TOKEN.exec(tok.text);
    if (packTok) {
      const prev = entries[entries.length - 1];
      if (!prev) {
        throw new ScheduleError(
          tok.col,
          `'${excerpt(tok.text)}' follows no loop; write it after the loop whose iterations pack, like 'k:8 pack(${problem.inputs[1].name})'`,
        );
      }
      prev.packs = [...(prev.packs ?? []), packTok[1]];
      packCols.push({ entry: entries.length - 1, col: tok.col });
      continue;
    }
    const tailTok = TAIL_TOKEN.exec(t);
    if (tailTok && parallel) {
      throw new ScheduleError(
        tok.col,
        `'${PARALLEL_MARK}' marks a tail; write it before the loop, like '${PARALLEL_MARK}${problem.variables[0]}:24 r1'`,
      );
    }
    if (tailTok) {
      const prev = entries[entries.length - 1];
      if (!prev)
        throw new ScheduleError(
          tok.col,
          `tail '${excerpt(t)}' follows no loop; put it after the loop it belongs to, like 'm:24 r1'`,
        );
      if (prev.tail !== null)
        throw new ScheduleError(tok.col, `'${entryText(prev)}' already has a tail; remove '${excerpt(t)}'`);
      prev.tail = Number(tailTok[1]);
      cols[cols.length - 1].tail = tok.col;
      continue;
    }
    const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.exec(t);
    if (plain && Object.hasOwn(problem.sizes, t)) {
      entries.push({ variable: t, trip: null, tail: null, parallel });
      cols.push({ loop: tok.col, tail: tok.col });
      continue;
    }
    if (plain) {
      throw new ScheduleError(
        tok.col,
        `unknown variable '${excerpt(t)}'; the variables are ${problem.variables.join(', ')}`,
      );
    }
    const withTrip = /^([A-Za-z_][A-Za-z0-9_]*):(.*)$/.exec(t);
    if (withTrip) {
      const [, variable, rest] = withTrip;
      if (!Object.hasOwn(problem.sizes, variable)) {
        throw new ScheduleError(
          tok.col,
          `unknown variable '${excerpt(variable)}'; the variables are ${problem.variables.join(', ')}`,
        );
      }
      const num = /^([0-9]+)(?:r([0-9]+))?$/.exec(rest);
      if (!num || Number(num[1]) < 1) {
        throw new ScheduleError(
          tok.col,
          `bad trip in '${excerpt(t)}'; a trip is a positive integer, like ${variable}:4`,
        );
      }
      entries.push({ variable, trip: Number(num[1]), tail: num[2] === undefined ? null : Number(num[2]), parallel });
      cols.push({ loop: tok.col, tail: tok.col + tok.text.length - rest.length + num[1].length });
      continue;
    }
    throw new ScheduleError(
      tok.col,
      `can't read '${excerpt(tok.text)}'; write loops as 'var' or 'var:trip' and tails as 'r1', like 'm:24 r1 n k'`,
    );
  }
  const result = checkEntries(problem, entries);
  if ('issue' in result) {
    const { issue } = result;
    const col =
      issue.index >= entries.length
        ? text.trimEnd().length + 2
        : issue.atTail
          ? cols[issue.index].tail
          : cols[issue.index].loop;
    throw new ScheduleError(col, issue.message);
  }
  const loops = result.loops.map((loop, i) => withPacks(loop, entries[i].packs));
  const packs = packIssue(problem, loops);
  if (packs) throw new ScheduleError(packCols[0]?.col ?? 1, packs);
  return { loops };
}
