// The lessons: a short text beside the live playground, a starting problem and schedule, and tasks
// checked live against the real state (the current schedule, the core's strides and working sets,
// the measurements and the generator's report), with hints on request. Checks are pure functions
// of a `LessonFacts` snapshot, so they are unit-tested with real schedules and real reports.
import type { KernelReport } from '../codegen/types.ts';
import { scheduleFacts } from '../core/facts.ts';
import { buildLoopGraph, loopStrides } from '../core/graph.ts';
import { PRESETS, parseProblemText } from '../core/problem.ts';
import {
  loopsText,
  loopText,
  PARALLEL_MARK,
  parallelLoopIndex,
  parseSchedule,
  printSchedule,
} from '../core/schedule.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';
import { errorMessage } from '../core/errors.ts';
import { formatGflops } from '../core/format.ts';

/** What the checks know of one measured schedule. */
export interface MeasuredFacts {
  /**
   * The refined figure (median over samples interleaved with the reference kernel) measured since
   * the lesson was opened, or null: tasks decide speeds only on it.
   */
  gflops: number | null;
  /** When the refined figure was completed (ms since the epoch), null without one. */
  refinedAt?: number | null;
  /** The quick, provisional figure (shown while waiting, never decides). */
  quickGflops?: number | null;
  /** null while unknown (never checked). */
  correct: boolean | null;
  report: KernelReport | null;
  /** Threads the kernel ran on (1 when absent). */
  threads?: number;
}

/** The agent's rollout as the lesson sees it (null when the page has no agent). */
export interface AgentFacts {
  status: string;
  /** The actions of the rollout, in order. */
  actions: string[];
  /** Steps of the rollout shown so far (the player's position). */
  index: number;
}

export interface LessonFacts {
  problem: Problem;
  /** The page works on the lesson's problem (tasks only count there). */
  onLessonProblem: boolean;
  current: NestState;
  /** The current schedule's finished measurement, or null while it is being measured. */
  measured: MeasuredFacts | null;
  /** Finished measurements of the problem's schedules, by schedule text (printSchedule). */
  measuredBySchedule: Record<string, MeasuredFacts>;
  agent: AgentFacts | null;
  predictions: { made: number; right: number };
  /** When the lesson was opened (ms since the epoch): figures from before do not count. */
  since?: number;
}

/** A schedule whose refined figure a task waits for, at least as recent as `after` (ms since the epoch). */
export interface FigureNeed {
  schedule: string;
  after: number;
}

/** Two figures compared by a task must have been refined at most this far apart (ms). */
export const CLOSE_IN_TIME_MS = 60_000;

/** `unavailable`: the task can't be checked on this page (e.g. no agent); the detail says why. */
export type TaskState = 'done' | 'todo' | 'waiting' | 'unavailable';

export interface TaskCheck {
  state: TaskState;
  /** A live reading of the facts the task looks at, in words. */
  detail: string;
  /** While waiting: the refined figures the task waits for (the page measures them). */
  needs?: FigureNeed[];
}

export interface LessonTask {
  id: string;
  text: string;
  /** Shown one at a time, on request. */
  hints: string[];
  check(facts: LessonFacts, lesson: Lesson): TaskCheck;
}

export interface Lesson {
  id: string;
  title: string;
  /** One line for the list of lessons. */
  summary: string;
  problemText: string;
  /** Schedule text the lesson starts from (cursor on the outermost loop). */
  startSchedule: string;
  /** Paragraphs; `code` in backquotes. */
  text: string[];
  tasks: LessonTask[];
}

const done = (detail: string): TaskCheck => ({ state: 'done', detail });
const todo = (detail: string): TaskCheck => ({ state: 'todo', detail });
const waiting = (detail: string, needs?: FigureNeed[]): TaskCheck =>
  needs && needs.length > 0 ? { state: 'waiting', detail, needs } : { state: 'waiting', detail };

/** The lesson's problem and starting schedule, parsed (lessons are data; a broken one throws here, in tests). */
export function lessonStart(lesson: Lesson): { problem: Problem; schedule: Schedule; scheduleText: string } {
  const problem = parseProblemText(lesson.problemText);
  const schedule = parseSchedule(problem, lesson.startSchedule);
  return { problem, schedule, scheduleText: printSchedule(schedule) };
}

const startTexts = new Map<string, string>();
function startText(lesson: Lesson): string {
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
function currentFigure(facts: LessonFacts): number | TaskCheck {
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
function heldAcrossVariable(report: KernelReport, variable: string): boolean {
  return report.heldAcross.some((loop) => loop.variable === variable);
}

function tileText(report: KernelReport): string {
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
function measuredOrWait(facts: LessonFacts): MeasuredFacts | TaskCheck {
  if (!facts.measured) return waiting('measuring the current schedule…');
  return facts.measured;
}
const isCheck = <T extends object | number>(x: T | TaskCheck): x is TaskCheck => typeof x === 'object' && 'state' in x;

function reportOrWait(facts: LessonFacts): KernelReport | TaskCheck {
  const m = measuredOrWait(facts);
  if (isCheck(m)) return m;
  if (!m.report) return waiting('no report from the generator for this schedule yet');
  return m.report;
}

/** A task check that reads the generator's report of the current schedule (waiting for it first). */
function withReport(check: (report: KernelReport, facts: LessonFacts) => TaskCheck): LessonTask['check'] {
  return (facts) => {
    const r = reportOrWait(facts);
    return 'state' in r ? r : check(r, facts);
  };
}

function speedupTask(id: string, factor: number, hints: string[]): LessonTask {
  return {
    id,
    text: `Reach at least ${factor}× the GFLOPS of the starting schedule, with a correct kernel.`,
    hints,
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

const MATMUL_256 = PRESETS.find((p) => p.id === 'matmul-256')?.text ?? 'C[m,n] += A[m,k] * B[k,n]\nm=256, n=256, k=256';

// ---------------------------------------------------------------- the lessons

const loopOrder: Lesson = {
  id: 'loop-order',
  title: 'Loop order and stride',
  summary: 'why `m k n` beats `m n k`',
  problemText: MATMUL_256,
  startSchedule: 'm n k',
  text: [
    'A matmul `C[m,n] += A[m,k] * B[k,n]` is three nested loops. Every order computes the same C, but not at the same speed: what matters is how far each tensor moves in memory when the innermost loop takes one step, its stride.',
    'Tensors are row-major: `B[k,n]` and `B[k,n+1]` are neighbours, while `B[k+1,n]` is a whole row away (256 floats, 1 KiB). In the default order `m n k` the innermost loop is k: A moves by 1, B jumps 256 floats per step and C stays put. The graph panel writes these strides on the edges of the innermost loop.',
    'Swap n below k to get `m k n`: the innermost loop now walks along rows of B and C (stride 1) and `A[m,k]` stays the same (stride 0). The generator vectorizes along the innermost loop, 4 floats at a time, so stride 1 means one load for 4 neighbours instead of 4 separate loads.',
    'Keys: ↑/↓ move the cursor, ⇧↑/⇧↓ swap the loop with its neighbour, u undoes. Watch the GFLOPS after each step.',
  ],
  tasks: [
    {
      id: 'b-stride-1',
      text: "Make B's accesses stride 1 in the innermost loop.",
      hints: [
        'Which variable indexes the columns of `B[k,n]`? The innermost loop must run over it.',
        'Put the cursor on n (↓) and swap it below k (⇧↓).',
      ],
      check(facts) {
        const s = innermostStrides(facts.problem, facts.current.schedule);
        const inner = facts.current.schedule.loops[facts.current.schedule.loops.length - 1];
        const reading = `innermost loop ${loopText(inner)}: B moves by ${s.B ?? 0} per step`;
        return s.B === 1 ? done(reading) : todo(reading);
      },
    },
    speedupTask('speedup-3x', 3, [
      'Stride 1 for B and C lets the generator use vector loads.',
      '`m k n` is enough; wait for its measurement.',
    ]),
    {
      id: 'worst-order',
      text: 'Find an order whose innermost loop makes both A and C jump a whole row per step, and see its GFLOPS.',
      hints: [
        '`A[m,k]` and `C[m,n]` both have m as their row index.',
        'Make m the innermost loop: cursor on m, then ⇧↓ until it is last.',
      ],
      check(facts) {
        const s = innermostStrides(facts.problem, facts.current.schedule);
        const reading = `innermost strides: A ${s.A ?? 0}, B ${s.B ?? 0}, C ${s.C ?? 0}`;
        if (!((s.A ?? 0) > 1 && (s.C ?? 0) > 1)) return todo(reading);
        const m = measuredOrWait(facts);
        if (isCheck(m)) return waiting(`${reading}; measuring…`);
        if (m.correct === false) return done(`${reading}: the kernel computes wrong values`);
        const g = currentFigure(facts);
        if (isCheck(g)) return { ...g, detail: `${reading}; ${g.detail}` };
        return done(`${reading}: ${formatGflops(g)} GFLOPS`);
      },
    },
  ],
};

const tiling: Lesson = {
  id: 'tiling',
  title: 'Tiling for cache reuse',
  summary: 'split k so the inner working set fits L1',
  problemText: MATMUL_256,
  startSchedule: 'm n k m:2 n:16',
  text: [
    'This schedule keeps a 2×16 block of C in registers (the register-tile lesson) and runs the whole k loop for it: each block reads a 2×256 strip of A and a 256×16 strip of B. After all of n, the next step of m reads all of B again: 256 KiB, eight times a 32 KiB L1 data cache, so B comes back from L2 every time.',
    'Tiling cuts a loop in two and moves the outer half out, so that the loops inside work on a block small enough to stay in cache while it is reused. Split k (s, then 16) and move the outer k loop above m (⇧↑): the loops inside m now touch a 16-row panel of B, which stays in L1 while m walks down A.',
    "The working set of a group of loops is the data one run of them touches. The lesson counts it in 64-byte cache lines against a 32 KiB, 8-way L1 (the machine looplab was tuned on; yours may differ). B's rows are 1 KiB apart, a power of two, so they fall into the same few cache sets: a panel can overflow a set before it fills the cache, and that counts as not fitting.",
  ],
  tasks: [
    {
      id: 'split-k',
      text: 'Split k into two loops.',
      hints: ['Put the cursor on the k loop and press s, then pick a factor.'],
      check(facts) {
        const ks = facts.current.schedule.loops.filter((l) => l.variable === 'k');
        const reading = `${ks.length} loop${ks.length === 1 ? '' : 's'} over k: ${ks.map(loopText).join(', ')}`;
        return ks.length >= 2 ? done(reading) : todo(reading);
      },
    },
    {
      id: 'fits-l1',
      text: 'Make the working set of the loops inside the outermost m loop fit in L1.',
      hints: [
        'The loops inside m reuse B for every row block of A; with all of k inside, that is 256 KiB of B.',
        'Split k by 16 and swap the outer k loop up until it is above the outermost m loop.',
      ],
      check(facts) {
        const loops = facts.current.schedule.loops;
        const mAt = loops.findIndex((l) => l.variable === 'm');
        if (mAt < 0 || mAt === loops.length - 1) return todo('no loops inside the outermost m loop');
        const level = scheduleFacts(facts.problem, facts.current.schedule).levels[mAt + 1];
        const kib = (level.bytes / 1024).toFixed(1);
        const reading = `loops inside m (${level.loopsText}) touch ${kib} KiB`;
        if (level.fitsL1) return done(`${reading}: fits the 32 KiB L1`);
        if (level.setConflict)
          return todo(
            `${reading}, but ${level.setConflict.tensor} needs ${level.setConflict.perSet} lines of one 8-way L1 set`,
          );
        return todo(`${reading}: more than the 32 KiB L1`);
      },
    },
    {
      id: 'keep-tile',
      text: 'Keep a register tile of at least 2×16 held in registers across the inner k loop.',
      hints: [
        'Leave `m:2 n:16` as the two innermost loops; the k loop right above them is the one they are held across.',
      ],
      check: withReport((r) => (holds2x16(r) ? done(tileText(r)) : todo(tileText(r)))),
    },
    speedupTask('speedup', 1.1, [
      'Tiling k pays off at 256 and above, where B no longer fits the L1 (1.2× to 1.5× on the machine looplab was tuned on).',
      '`k:16 m n k:16 m:2 n:16` (or k:8 outside, k:32 inside) usually does it.',
    ]),
  ],
};

const vectorize: Lesson = {
  id: 'vectorize',
  title: 'Which loop gets vectorized, and why',
  summary: 'vectors, gathers, splats and horizontal sums',
  problemText: MATMUL_256,
  startSchedule: 'm n k',
  text: [
    'The code generator vectorizes along the variable of the innermost loop, 4 floats at a time (f32x4). It does not choose: you do, by choosing the innermost loop.',
    'Along that variable each tensor is one of three kinds: contiguous (one `v128.load` reads 4 neighbours), strided (4 separate loads: a gather) or independent of it (one value copied to all 4 lanes: a splat). When the output lacks the variable, as C lacks k, the 4 lanes hold partial sums that are added together at the end (a horizontal sum).',
    'The code panel shows what the generator decided. In the start, `m n k`, k is vectorized: A is contiguous along k, B is gathered, C needs a horizontal sum.',
    'A loop shorter than 4 iterations has nothing to fill a vector with, and the generator falls back to scalar code.',
  ],
  tasks: [
    {
      id: 'along-m',
      text: 'Vectorize along m, and count the gathers.',
      hints: ['The innermost loop decides. Make m the innermost loop.'],
      check: withReport((r) => {
        const gathers = Object.entries(r.access)
          .filter(([, a]) => a === 'gather')
          .map(([t]) => t);
        const reading = `vectorized along ${r.vectorizedVariable}; gathered: ${gathers.join(', ') || 'none'}`;
        return r.vectorizedVariable === 'm' ? done(reading) : todo(reading);
      }),
    },
    {
      id: 'along-n',
      text: 'Vectorize along n with no gathers at all.',
      hints: [
        'Along n, `C[m,n]` and `B[k,n]` are contiguous and `A[m,k]` does not depend on n.',
        'Make n the innermost loop.',
      ],
      check: withReport((r) => {
        const kinds = Object.entries(r.access)
          .map(([t, a]) => `${t} ${a}`)
          .join(', ');
        const reading = `vectorized along ${r.vectorizedVariable}: ${kinds}`;
        const ok = r.vectorizedVariable === 'n' && !Object.values(r.access).includes('gather');
        return ok ? done(reading) : todo(reading);
      }),
    },
    {
      id: 'scalar',
      text: 'Make the innermost loop too short for a vector and see the generator use scalar accumulators.',
      hints: ['Split the innermost loop by 2 (s, 2): the new innermost loop has 2 iterations.'],
      check: withReport((r) => {
        const reading = `${r.vectorAccumulators} f32x4 and ${r.scalarAccumulators} scalar accumulators`;
        return r.vectorAccumulators === 0 && r.scalarAccumulators > 0 ? done(reading) : todo(reading);
      }),
    },
    {
      id: 'compare',
      text: 'Measure both: vectorizing along n is faster than along m.',
      hints: ['Visit a schedule vectorized along m and one vectorized along n; both stay measured.'],
      check(facts) {
        // The fastest schedule along each variable; one with only a quick figure yet counts too,
        // so that the task waits for its refined figure instead of forgetting it.
        const best = (v: string) => {
          let pick: { schedule: string; g: number } | null = null;
          for (const [schedule, m] of Object.entries(facts.measuredBySchedule)) {
            const g = m.gflops ?? m.quickGflops ?? null;
            if (m.report?.vectorizedVariable === v && m.correct !== false && g !== null && g > (pick?.g ?? -1))
              pick = { schedule, g };
          }
          return pick;
        };
        const n = best('n');
        const m = best('m');
        if (n === null || m === null)
          return todo(`measured: along n ${n === null ? 'not yet' : 'yes'}, along m ${m === null ? 'not yet' : 'yes'}`);
        const r = compareFigures(
          facts,
          { schedule: n.schedule, name: `along n (${n.schedule})` },
          { schedule: m.schedule, name: `along m (${m.schedule})` },
        );
        if (isCheck(r)) return r;
        const reading = `best along n ${formatGflops(r.a)}, along m ${formatGflops(r.b)} GFLOPS`;
        return r.a > r.b ? done(reading) : todo(`${reading}: try another order along n`);
      },
    },
  ],
};

/** A tile of at least 2x16 over m and n held across k, as the generator built it. */
function holds2x16(r: KernelReport): boolean {
  const t = tileExtents(r);
  return (t.m ?? 1) >= 2 && (t.n ?? 1) >= 16 && heldAcrossVariable(r, 'k');
}

const registerTile: Lesson = {
  id: 'register-tile',
  title: 'The register tile, and a tile too big for the registers',
  summary: 'keep a block of C in registers across k',
  problemText: MATMUL_256,
  startSchedule: 'm n k',
  text: [
    'Every multiply-add adds into an accumulator. When the innermost loops are short, the generator unrolls them completely into a tile of accumulators that stays in registers for the whole reduction loop above them: `m n k m:2 n:16` keeps a 2×16 block of C in 8 f32x4 registers across all of k, so C is loaded and stored once per block instead of at every step, and each value of A and B loaded is used several times.',
    "A bigger tile reuses loaded values more, up to the size of the register file. Wasm on x64 has 16 vector registers and V8 keeps one for itself, so a tile needs its accumulators plus the A and B values live at the same time to fit in 15: 2×16 is 8 accumulators + 4 vectors of B + 1 splat of A = 13. (Node 20's V8 loads all of a pass's values first, so there all 2 + 4 count.) One more and V8 spills: it stores registers to memory and reloads them on every pass. Measured here, a 4×16 tile that spilled ran at half the speed of the 4×8 tile.",
    'So the generator refuses to spill: when your innermost loops ask for more, it keeps part of the tile as a loop outside k and says so in the report (`n:64 stays a loop of 4 x 16 outside k:256`). The last two tasks make you see it, and measure what the tile you asked for runs at against a good one.',
    'To build a tile: put the cursor on m, split it (s, 2) and swap the inner `m:2` down to the bottom (⇧↓); then split n by 16 and bring the inner `n:16` below it.',
  ],
  tasks: [
    {
      id: 'tile-2x16',
      text: 'Get a register tile of at least 2×16 held across k.',
      hints: [
        'The tile is made of the innermost loops over m and n, with k just above them.',
        'Aim for `m n k m:2 n:16`.',
      ],
      check: withReport((r) => (holds2x16(r) ? done(tileText(r)) : todo(tileText(r)))),
    },
    speedupTask('speedup-5x', 5, ['A 2×16 tile held across k is enough.']),
    {
      id: 'too-big',
      text: 'Ask for a tile bigger than the registers (e.g. m:2 n:64) and read what the generator keeps as a loop instead.',
      hints: ['From `m n k m:2 n:16`, split n by 64 instead: m:2 n:64 wants 32 accumulators.'],
      check(facts) {
        const asked = requestedTile(facts.problem, facts.current.schedule);
        const r = reportOrWait(facts);
        if ('state' in r) return r;
        if (!r.tileReduction) {
          return todo(
            `the innermost loops (${asked.loops || 'none over m or n'}) fit: ${r.registers} of ${r.registerBudget} registers`,
          );
        }
        return done(`asked ${asked.loops}; the generator: ${r.tileReduction}`);
      },
    },
    {
      id: 'too-big-cost',
      text: 'Measure the tile too big for the registers and compare it with a 2×16 tile you measured.',
      hints: ['Both need a measurement: the 2×16 from the first task, then the bigger one.'],
      check(facts) {
        const r = reportOrWait(facts);
        if ('state' in r) return r;
        if (!r.tileReduction) return todo('the current tile fits the registers: ask for a bigger one first');
        const m = measuredOrWait(facts);
        if (isCheck(m)) return m;
        const figure = (f: MeasuredFacts) => f.gflops ?? f.quickGflops ?? null;
        const good = Object.entries(facts.measuredBySchedule)
          .filter(([, f]) => figure(f) !== null && f.report && !f.report.tileReduction && holds2x16(f.report))
          .sort(([, a], [, b]) => (figure(b) ?? 0) - (figure(a) ?? 0))[0];
        const asked = requestedTile(facts.problem, facts.current.schedule).loops;
        const ran = `asked ${asked}, ran ${loopsText(r.tileLoops)}`;
        if (!good) {
          const g = currentFigure(facts);
          if (isCheck(g)) return { ...g, detail: `${ran}; ${g.detail}` };
          return todo(`${ran}: ${formatGflops(g)} GFLOPS; no 2×16 tile measured yet to compare with`);
        }
        const c = compareFigures(
          facts,
          { schedule: printSchedule(facts.current.schedule), name: 'this schedule' },
          { schedule: good[0], name: `the 2×16 tile (${good[0]})` },
        );
        if (isCheck(c)) return { ...c, detail: `${ran}; ${c.detail}` };
        return done(
          `${ran}: ${formatGflops(c.a)} GFLOPS; the 2×16 tile ${loopsText(good[1].report?.tileLoops ?? [])}: ${formatGflops(c.b)} GFLOPS (${(c.a / c.b).toFixed(2)}×)`,
        );
      },
    },
  ],
};

const TAILS_PROBLEM = 'C[m,n] += A[m,k] * B[k,n]\nm=97, n=99, k=64';

function tailOn(schedule: Schedule, variable: string): string | null {
  const loop = schedule.loops.find((l) => l.variable === variable && l.tail > 0);
  return loop ? loopText(loop) : null;
}

function correctOrWait(facts: LessonFacts): TaskCheck | null {
  const m = measuredOrWait(facts);
  if (isCheck(m)) return m;
  if (m.correct === null) return waiting('checking the kernel against the reference…');
  if (!m.correct) return todo('the kernel computes wrong values');
  return null;
}

const tails: Lesson = {
  id: 'tails',
  title: 'Tails and awkward sizes',
  summary: 'sizes that do not divide, still correct',
  problemText: TAILS_PROBLEM,
  startSchedule: 'm n k',
  text: [
    'Real sizes rarely divide nicely. Here m = 97 is prime: split m by 4 and the outer loop becomes `m:24 r1`, 24 full steps of 4 and one last partial step of 1, the tail.',
    'The generator emits a separate copy of the loop body for each kind of partial iteration, specialized to what is left (the code panel counts these tail paths). Along the vectorized variable a remainder of fewer than 4 is computed with scalar code: n = 99 leaves 3.',
    'Every kernel is checked against a naive reference before it is timed. The tasks only count a correct kernel.',
  ],
  tasks: [
    {
      id: 'tail-m',
      text: 'Make a schedule with a tail on m, and keep it correct.',
      hints: ['Put the cursor on m and split it by 4: 97 = 24 × 4 + 1.'],
      check(facts) {
        const t = tailOn(facts.current.schedule, 'm');
        if (!t) return todo('no loop over m has a tail');
        return correctOrWait(facts) ?? done(`${t} has a tail and the kernel is correct`);
      },
    },
    {
      id: 'tile-tails',
      text: 'Build a register tile of at least 2×8 with tails on both m and n, still correct.',
      hints: ['Split m by 2 and n by 8 (or 16), and bring both inner loops to the bottom, n last.'],
      check(facts) {
        const tm = tailOn(facts.current.schedule, 'm');
        const tn = tailOn(facts.current.schedule, 'n');
        if (!tm || !tn) return todo(`tails: m ${tm ?? 'none'}, n ${tn ?? 'none'}`);
        const r = reportOrWait(facts);
        if ('state' in r) return r;
        const t = tileExtents(r);
        if (!((t.m ?? 1) >= 2 && (t.n ?? 1) >= 8)) return todo(`${tileText(r)}; tails on ${tm} and ${tn}`);
        return correctOrWait(facts) ?? done(`${tileText(r)}, ${r.tailPaths} body copies for the tails; correct`);
      },
    },
    speedupTask('speedup-4x', 4, ['A register tile pays off here too, tails and all.']),
  ],
};

const agent: Lesson = {
  id: 'agent',
  title: 'What the agent learned',
  summary: 'watch a rollout and predict its next action',
  // 128³ keeps a rollout (ten measured steps) short enough for a class.
  problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=128, n=128, k=128',
  startSchedule: 'm n k',
  text: [
    "This lesson watches LoopTune's agent (the agent panel switches to it): a small neural network trained with reinforcement learning (PPO; LoopTune used a DQN). It sees the nest as a table, one row per loop: the cursor, the trip, the tail and a histogram of the strides. Each step it picks one of seven actions: move the cursor up or down, swap the loop up or down, or split it by 4, 8 or 16.",
    'Run the agent from the start schedule: it plays a whole episode. Then step through the rollout. Before each step, predict what the agent does next; the lesson scores your guess against the action it chose. Once you have guessed, the agent panel shows the probability it gave each action; until then it shows nothing of the answer.',
    'Things to look for: does it bring n innermost first? How does it build a register tile? When does it stop?',
  ],
  tasks: [
    {
      id: 'run',
      text: 'Run the agent from the start schedule.',
      hints: ['Press "run the agent" in the lesson (or in the agent panel).'],
      check(facts) {
        if (!facts.agent)
          return { state: 'unavailable', detail: 'this page has no agent yet, so the rollout tasks cannot be checked' };
        const n = facts.agent.actions.length;
        return n > 0
          ? done(`a rollout of ${n} step${n === 1 ? '' : 's'} (${facts.agent.status})`)
          : todo(`no rollout yet (${facts.agent.status})`);
      },
    },
    {
      id: 'predict-5',
      text: "Predict 5 of the agent's actions before stepping.",
      hints: ['Pick an action under "what will it do next?"; the step is then shown.'],
      check(facts) {
        if (!facts.agent) return { state: 'unavailable', detail: 'this page has no agent yet' };
        const { made } = facts.predictions;
        return made >= 5 ? done(`${made} predictions`) : todo(`${made} of 5 predictions`);
      },
    },
    {
      id: 'right-3',
      text: 'Get 3 predictions right.',
      hints: ['From `m n k`, the agent tends to fix the innermost loop first; think of the loop-order lesson.'],
      check(facts) {
        if (!facts.agent) return { state: 'unavailable', detail: 'this page has no agent yet' };
        const { made, right } = facts.predictions;
        return right >= 3 ? done(`${right} of ${made} right`) : todo(`${right} of ${made} right`);
      },
    },
    {
      id: 'to-the-end',
      text: 'Step through the whole rollout.',
      hints: ['Keep predicting (or step with the player) until the last step.'],
      check(facts) {
        if (!facts.agent) return { state: 'unavailable', detail: 'this page has no agent yet' };
        const { index, actions } = facts.agent;
        if (actions.length === 0) return todo('no rollout yet');
        return index >= actions.length
          ? done(`all ${actions.length} steps seen`)
          : todo(`step ${index} of ${actions.length}`);
      },
    },
  ],
};

/**
 * How `iterations` of a parallel loop fall on `threads` in contiguous balanced ranges (as the
 * page's thread pool splits them): the most any thread runs, and how many threads get none.
 */
export function iterationShare(iterations: number, threads: number): { most: number; idle: number } {
  return { most: Math.ceil(iterations / threads), idle: Math.max(0, threads - iterations) };
}

/** The current schedule's parallel loop and what ran: or a check result saying why not yet. */
function parallelRun(
  facts: LessonFacts,
): { loop: string; iterations: number; threads: number; measured: MeasuredFacts; tail: boolean } | TaskCheck {
  const p = parallelLoopIndex(facts.current.schedule);
  if (p < 0) return todo('no loop is parallel yet: put the cursor on a loop and press p');
  const bad = correctOrWait(facts);
  if (bad) return bad;
  const m = facts.measured as MeasuredFacts;
  const loop = facts.current.schedule.loops[p];
  const iterations = m.report?.parallel?.iterations ?? loop.trip + (loop.tail > 0 ? 1 : 0);
  return { loop: loopText(loop), iterations, threads: m.threads ?? 1, measured: m, tail: loop.tail > 0 };
}

const parallelLoops: Lesson = {
  id: 'parallel',
  title: 'Parallel loops',
  summary: 'every core: which loop, how much faster, and when not',
  problemText: MATMUL_256,
  startSchedule: 'm k n',
  text: [
    'A parallel loop (`p`, shown `||m:256`, `#pragma omp parallel for` in the C) hands its iterations to several threads at once, each a contiguous range. That is only safe when the iterations write disjoint parts of the output: a loop over m or n writes its own rows or columns of C. A loop over k is refused: k is summed over, so two threads would add into the same C at once. A loop inside a k loop is refused too, since every thread would have to finish before the next k.',
    'The ideal is T times faster on T threads; the figure covers dispatch to join, so it also pays for waking the threads and for waiting on the slowest one. Choose the threads in the performance panel (threads need a cross-origin isolated page).',
    'Load imbalance: iterations are whole units. 256 rows on 3 threads are 86 + 85 + 85, and a tail iteration is a short one; a loop with fewer iterations than threads leaves threads idle. A tiny problem does not speed up at all: 16³ is a microsecond of work, about what it costs to wake the threads and wait for them.',
  ],
  tasks: [
    {
      id: 'outer',
      text: 'Run the outermost loop, over m, in parallel, with a correct kernel.',
      hints: ['The cursor starts on m: press p (or the parallel button). Try p on k too, and read why it is refused.'],
      check(facts) {
        const r = parallelRun(facts);
        if ('state' in r) return r;
        if (parallelLoopIndex(facts.current.schedule) !== 0)
          return todo(`${r.loop} is parallel, not the outermost loop`);
        return done(
          `${r.loop}: ${r.iterations} iterations on ${r.threads} thread${r.threads === 1 ? '' : 's'}, correct`,
        );
      },
    },
    {
      id: 'speedup',
      text: 'On 2 or more threads, run the parallel schedule at least 1.5× faster than the same schedule on one thread.',
      hints: [
        'Measure the schedule without the mark first (p again takes it off), then with it.',
        'If the figure says "on 1 thread", choose more threads in the performance panel.',
      ],
      check(facts) {
        const r = parallelRun(facts);
        if ('state' in r) return r;
        if (r.threads < 2)
          return todo(
            'it ran on 1 thread: choose 2 or more in the performance panel (on a cross-origin isolated page)',
          );
        const serialText = printSchedule(facts.current.schedule).replace(PARALLEL_MARK, '');
        const c = compareFigures(
          facts,
          { schedule: printSchedule(facts.current.schedule), name: 'this schedule' },
          { schedule: serialText, name: `${serialText} (the same schedule on one thread)` },
        );
        if (isCheck(c)) return c;
        if (c.b <= 0) return waiting(`${serialText} has no GFLOPS`);
        const ratio = c.a / c.b;
        const reading = `${ratio.toFixed(2)}× on ${r.threads} threads, ${Math.round((100 * ratio) / r.threads)}% of the ideal ${r.threads}×`;
        return ratio >= 1.5 ? done(reading) : todo(reading);
      },
    },
    {
      id: 'tail',
      text: 'Split m so that the parallel loop gets a tail (try 3), keep it parallel and correct, and read how its iterations fall on the threads.',
      hints: [
        'With the cursor on the parallel m loop, press s and type 3: `||m:85 r1 m:3`; the mark stays on the outer loop.',
      ],
      check(facts) {
        const r = parallelRun(facts);
        if ('state' in r) return r;
        if (!r.tail) return todo(`${r.loop} has no tail`);
        const { most, idle } = iterationShare(r.iterations, r.threads);
        const reading = `${r.loop}: ${r.iterations} iterations (the last one the short tail) on ${r.threads} thread${r.threads === 1 ? '' : 's'}, at most ${most} per thread${idle > 0 ? `, ${idle} idle` : ''}`;
        return done(reading);
      },
    },
  ],
};

export const LESSONS: Lesson[] = [loopOrder, tiling, vectorize, registerTile, tails, parallelLoops, agent];

export function lessonById(id: string | null | undefined): Lesson | null {
  return LESSONS.find((l) => l.id === id) ?? null;
}

/** Every task's live check; off the lesson's problem every task waits for it. */
export function checkLesson(lesson: Lesson, facts: LessonFacts): TaskCheck[] {
  return lesson.tasks.map((task) => {
    if (!facts.onLessonProblem)
      return waiting('the page is on another problem; restart the lesson to get back to its problem');
    try {
      return task.check(facts, lesson);
    } catch (error) {
      // A check is a bug if it throws; the lesson keeps working and says so.
      return { state: 'unavailable', detail: `this task could not be checked: ${errorMessage(error)}` };
    }
  });
}
