// The pieces lessons build their task checks from: done/todo/waiting, the refined figures a
// comparison waits for, the innermost strides, the generator's tile, and the speedup task.
import type { KernelReport } from '../../codegen/types.ts';
import { buildLoopGraph, loopStrides } from '../../core/graph.ts';
import { PRESETS, parseProblemText } from '../../core/problem.ts';
import { loopsText, loopText, parseSchedule, printSchedule } from '../../core/schedule.ts';
import type { Problem, Schedule } from '../../core/types.ts';
import type { CacheCounts, CacheFigures } from '../../core/cache/figures.ts';
import { formatCount, formatGflops } from '../../core/format.ts';
import type { FigureNeed, Lesson, LessonFacts, LessonTask, MeasuredFacts, TaskCheck } from './types.ts';
import { CLOSE_IN_TIME_MS } from './types.ts';

export const done = (detail: string): TaskCheck => ({ state: 'done', detail });
export const todo = (detail: string): TaskCheck => ({ state: 'todo', detail });
export const waiting = (detail: string, needs?: FigureNeed[]): TaskCheck =>
  needs && needs.length > 0 ? { state: 'waiting', detail, needs } : { state: 'waiting', detail };

/** The lesson's problem and starting schedule, parsed (lessons are data; a broken one throws here, in tests). */
export function lessonStart(lesson: Lesson): { problem: Problem; schedule: Schedule; scheduleText: string } {
  const problem = parseProblemText(lesson.problemText);
  const schedule = parseSchedule(problem, lesson.startSchedule);
  return { problem, schedule, scheduleText: printSchedule(schedule) };
}

const startTexts = new Map<string, string>();
export function startText(lesson: Lesson): string {
  let t = startTexts.get(lesson.id);
  if (t === undefined) {
    t = lessonStart(lesson).scheduleText;
    startTexts.set(lesson.id, t);
  }
  return t;
}

/** The GFLOPS of the lesson's starting schedule, if it was measured. */
export function startGflops(facts: LessonFacts, lesson: Lesson): number | null {
  return facts.measuredBySchedule[startText(lesson)]?.gflops ?? null;
}

/**
 * The refined figures of schedules `a` and `b`, measured close in time (CLOSE_IN_TIME_MS); or a
 * "measuring…" check that names what it waits for (a quick figure never decides a comparison).
 */
export function compareFigures(
  facts: LessonFacts,
  a: { schedule: string; name: string },
  b: { schedule: string; name: string },
): { a: number; b: number } | TaskCheck {
  const since = facts.since ?? 0;
  const of = (x: { schedule: string }) => {
    const m = facts.measuredBySchedule[x.schedule];
    return m && m.gflops !== null && typeof m.refinedAt === 'number' && m.refinedAt >= since
      ? { gflops: m.gflops, at: m.refinedAt }
      : null;
  };
  const fa = of(a);
  const fb = of(b);
  const quick = (x: { schedule: string; name: string }) => {
    const q = facts.measuredBySchedule[x.schedule]?.quickGflops;
    return typeof q === 'number' ? `${x.name} ≈ ${formatGflops(q)} (quick)` : null;
  };
  if (!fa || !fb) {
    const missing = [!fa ? a : null, !fb ? b : null].filter((x) => x !== null);
    const quicks = missing.map(quick).filter((q) => q !== null);
    return waiting(
      `measuring… (waiting for refined figures of ${missing.map((x) => x.name).join(' and ')}${quicks.length > 0 ? `; ${quicks.join(', ')}` : ''})`,
      missing.map((x) => ({ schedule: x.schedule, after: since })),
    );
  }
  if (Math.abs(fa.at - fb.at) > CLOSE_IN_TIME_MS) {
    const [older, newer] = fa.at < fb.at ? [a, fb] : [b, fa];
    return waiting(`measuring… (${older.name} again, close in time to the other figure)`, [
      { schedule: older.schedule, after: Math.max(since, newer.at - CLOSE_IN_TIME_MS) },
    ]);
  }
  return { a: fa.gflops, b: fb.gflops };
}

/** The current schedule's refined figure, or a "measuring…" check waiting for it. */
export function currentFigure(facts: LessonFacts): number | TaskCheck {
  const schedule = printSchedule(facts.current.schedule);
  const since = facts.since ?? 0;
  const m = facts.measuredBySchedule[schedule];
  if (m && m.gflops !== null && typeof m.refinedAt === 'number' && m.refinedAt >= since) return m.gflops;
  const q = m?.quickGflops;
  return waiting(`measuring… (≈ ${typeof q === 'number' ? `${formatGflops(q)} GFLOPS, quick` : 'no figure yet'})`, [
    { schedule, after: since },
  ]);
}

/** Elements each tensor moves by when the innermost loop takes one step, by tensor name. */
export function innermostStrides(problem: Problem, schedule: Schedule): Record<string, number> {
  const graph = buildLoopGraph(problem, schedule);
  const inner = graph.loops[graph.loops.length - 1];
  return Object.fromEntries(loopStrides(graph, inner.id).map((s) => [s.tensor, s.stride]));
}

/** Per variable, the product of the trips of the report's tile loops (`m:2 n:16` -> m 2, n 16). */
export function tileExtents(report: KernelReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const loop of report.tileLoops) out[loop.variable] = (out[loop.variable] ?? 1) * loop.trip;
  return out;
}

/** The report holds the accumulators in registers across a loop over `variable`. */
export function heldAcrossVariable(report: KernelReport, variable: string): boolean {
  return report.heldAcross.some((loop) => loop.variable === variable);
}

export function tileText(report: KernelReport): string {
  return report.tileLoops.length === 0
    ? 'no unrolled tile'
    : `tile ${loopsText(report.tileLoops)}, held across ${loopsText(report.heldAcross) || 'nothing (loaded and stored around each pass)'}`;
}

/** Floats of the output the innermost run of output-variable loops asks to keep at once. */
export function requestedTile(problem: Problem, schedule: Schedule): { loops: string; floats: number } {
  const outputVars = new Set(problem.variables.filter((v) => !problem.reductionVariables.includes(v)));
  let floats = 1;
  const loops: string[] = [];
  for (let i = schedule.loops.length - 1; i >= 0 && outputVars.has(schedule.loops[i].variable); i--) {
    floats *= schedule.loops[i].trip;
    loops.unshift(loopText(schedule.loops[i]));
  }
  return { loops: loops.join(' '), floats };
}

/** The current measurement, or a check result saying why there is none usable. */
export function measuredOrWait(facts: LessonFacts): MeasuredFacts | TaskCheck {
  if (!facts.measured) return waiting('measuring the current schedule…');
  return facts.measured;
}
export const isCheck = <T extends object | number>(x: T | TaskCheck): x is TaskCheck =>
  typeof x === 'object' && 'state' in x;

export function reportOrWait(facts: LessonFacts): KernelReport | TaskCheck {
  const m = measuredOrWait(facts);
  if (isCheck(m)) return m;
  if (!m.report) return waiting('no report from the generator for this schedule yet');
  return m.report;
}

/** A task check that reads the generator's report of the current schedule (waiting for it first). */
export function withReport(check: (report: KernelReport, facts: LessonFacts) => TaskCheck): LessonTask['check'] {
  return (facts) => {
    const r = reportOrWait(facts);
    return 'state' in r ? r : check(r, facts);
  };
}

export function speedupTask(id: string, factor: number, hints: string[]): LessonTask {
  return {
    id,
    text: `Reach at least ${factor}× the GFLOPS of the starting schedule, with a correct kernel.`,
    hints,
    speed: true,
    check(facts, lesson) {
      const m = measuredOrWait(facts);
      if (isCheck(m)) return m;
      if (m.correct === false) return todo('the current kernel computes wrong values');
      const r = compareFigures(
        facts,
        { schedule: printSchedule(facts.current.schedule), name: 'this schedule' },
        { schedule: startText(lesson), name: 'the start' },
      );
      if (isCheck(r)) return r;
      const [now, base] = [r.a, r.b];
      if (base <= 0) return waiting('the starting schedule has no GFLOPS');
      const ratio = now / base;
      const reading = `${formatGflops(now)} GFLOPS = ${ratio.toFixed(1)}× the start (${formatGflops(base)})`;
      return ratio >= factor ? done(reading) : todo(`${reading}; ${factor}× is ${formatGflops(base * factor)}`);
    },
  };
}

export const MATMUL_256 =
  PRESETS.find((p) => p.id === 'matmul-256')?.text ?? 'C[m,n] += A[m,k] * B[k,n]\nm=256, n=256, k=256';

/** A tile of at least 2x16 over m and n held across k, as the generator built it. */
export function holds2x16(r: KernelReport): boolean {
  const t = tileExtents(r);
  return (t.m ?? 1) >= 2 && (t.n ?? 1) >= 16 && heldAcrossVariable(r, 'k');
}

export function correctOrWait(facts: LessonFacts): TaskCheck | null {
  const m = measuredOrWait(facts);
  if (isCheck(m)) return m;
  if (m.correct === null) return waiting('checking the kernel against the reference…');
  if (!m.correct) return todo('the kernel computes wrong values');
  return null;
}

/**
 * The simulated caches of `schedule` on the lesson's machine, or a check that waits for them
 * ("simulating…", naming the schedule to simulate) or says why there are none.
 */
export function simulatedOrWait(facts: LessonFacts, schedule: string, name: string): CacheFigures | TaskCheck {
  const sim = facts.simulatedBySchedule;
  if (!sim) return { state: 'unavailable', detail: 'this page cannot simulate caches' };
  const entry = sim[schedule];
  if (entry?.status === 'done') return entry.figures;
  if (entry?.status === 'error')
    return { state: 'unavailable', detail: `${name} could not be simulated: ${entry.error}` };
  return { state: 'waiting', detail: `simulating… (the caches of ${name})`, simulations: [schedule] };
}

/** The simulated figures of the current schedule and of the lesson's start, or a check waiting for them. */
export function simulatedPair(
  facts: LessonFacts,
  lesson: Lesson,
): { now: CacheFigures; start: CacheFigures; schedule: string } | TaskCheck {
  const schedule = printSchedule(facts.current.schedule);
  const first = startText(lesson);
  const start = simulatedOrWait(facts, first, 'the start');
  const now = schedule === first ? start : simulatedOrWait(facts, schedule, 'this schedule');
  const waits = schedule === first ? [start].filter(isCheck) : [now, start].filter(isCheck);
  if (waits.length === 0) return { now: now as CacheFigures, start: start as CacheFigures, schedule };
  const unavailable = waits.find((w) => w.state === 'unavailable');
  if (unavailable) return unavailable;
  const names = waits.map((w) => (w.simulations?.[0] === first ? 'the start' : 'this schedule'));
  return {
    state: 'waiting',
    detail: `simulating… (the caches of ${names.join(' and ')})`,
    simulations: waits.flatMap((w) => w.simulations ?? []),
  };
}

/** One tensor's counts at one level (0: the L1) of simulated figures. */
export function tensorCounts(figures: CacheFigures, tensor: string, level = 0): CacheCounts {
  const counts = figures.levels[level]?.tensors.find((t) => t.tensor === tensor);
  if (!counts) throw new Error(`the simulation has no ${tensor} at level ${level}`);
  return counts;
}

/** `3.9×`, `32×`, `256×`: a tenth only under 10. */
const ratioText = (r: number) => `${r < 10 ? r.toFixed(1) : Math.round(r)}×`;

/** `B's L1d misses 4.19 M → 16.4 k (256× fewer)`: `what` names the count. */
export function missesChange(what: string, before: number, after: number): string {
  const ratio =
    after === before
      ? 'unchanged'
      : after === 0
        ? 'none left'
        : after < before
          ? `${ratioText(before / after)} fewer`
          : `${ratioText(after / before)} more`;
  return `${what} ${formatCount(before)} → ${formatCount(after)} (${ratio})`;
}

/**
 * The measured speedup of the current schedule over the start, as evidence beside a simulated
 * check (never its condition): the reading, and the refined figures it still waits for.
 */
export function measuredBeside(facts: LessonFacts, lesson: Lesson): { text: string; needs: FigureNeed[] } {
  if (printSchedule(facts.current.schedule) === startText(lesson)) return { text: '', needs: [] };
  const r = compareFigures(
    facts,
    { schedule: printSchedule(facts.current.schedule), name: 'this schedule' },
    { schedule: startText(lesson), name: 'the start' },
  );
  if (isCheck(r)) return { text: 'measured speed: measuring…', needs: r.needs ?? [] };
  if (r.b <= 0) return { text: '', needs: [] };
  return { text: `measured ${formatGflops(r.a)} GFLOPS = ${(r.a / r.b).toFixed(2)}× the start`, needs: [] };
}

/**
 * A task graded on the simulated caches of the current schedule against the start's (correct
 * kernels only), with the measured speedup beside it in the reading.
 */
export function simulatedTask(
  task: Omit<LessonTask, 'check' | 'speed'>,
  grade: (now: CacheFigures, start: CacheFigures, facts: LessonFacts) => { ok: boolean; reading: string },
): LessonTask {
  return {
    ...task,
    check(facts, lesson) {
      const wrong = facts.measured?.correct === false;
      if (wrong) return todo('the current kernel computes wrong values');
      const pair = simulatedPair(facts, lesson);
      if (isCheck(pair)) return pair;
      const { ok, reading } = grade(pair.now, pair.start, facts);
      const beside = measuredBeside(facts, lesson);
      const detail = beside.text ? `${reading}; ${beside.text}` : reading;
      const check = ok ? done(detail) : todo(detail);
      return beside.needs.length > 0 ? { ...check, needs: beside.needs } : check;
    },
  };
}
