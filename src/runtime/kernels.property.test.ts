// Property: for random legal action sequences from the default schedule, on matmul, batched
// matmul and (strided) convolution with awkward sizes, every generated kernel matches the
// independent reference. Reproducible: LOOPLAB_PROPERTY_SEED picks the seed, LOOPLAB_PROPERTY_RUNS
// the number of schedules; a failure prints the problem and the schedule text. Schedules with a
// parallel loop also run on 1-4 threads sharing one memory, each thread a range of its iterations.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ACTIONS, applyAction, legalActions, type Action } from '../core/actions.ts';
import { parseProblem } from '../core/problem.ts';
import { defaultSchedule, parseSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';
import { detectTarget, loadCodegen, type Codegen } from '../codegen/index.ts';
import { allocateBuffers } from './buffers.ts';
import { checkOutput } from './check.ts';
import { instantiateKernel } from './measure.ts';
import { allocateSharedBuffers, measureScheduleOnThreads } from './measureThreads.ts';
import { createNodeThreadPool } from './nodeThreads.ts';
import type { ThreadPool } from './threads.ts';

const SEED = Number(process.env.LOOPLAB_PROPERTY_SEED ?? 20261124);
const RUNS = Number(process.env.LOOPLAB_PROPERTY_RUNS ?? 1000);
const AWKWARD = [1, 2, 3, 5, 17, 97, 131];
/** Keeps the naive reference fast: multiply-adds per problem. */
const MAX_MACS = 600_000;

const OPS = {
  matmul: { op: 'C[m,n] += A[m,k] * B[k,n]', vars: ['m', 'n', 'k'] },
  batched: { op: 'C[b,m,n] += A[b,m,k] * B[b,k,n]', vars: ['b', 'm', 'n', 'k'] },
  conv: { op: 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', vars: ['co', 'oh', 'ow', 'ci', 'kh', 'kw'] },
  strided: { op: 'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]', vars: ['co', 'oh', 'ow', 'ci', 'kh', 'kw'] },
} as const;

const SMALL_KERNEL_VARS = new Set(['kh', 'kw']);
const sizeOf = (v: string) => (SMALL_KERNEL_VARS.has(v) ? fc.constantFrom(1, 2, 3, 5) : fc.constantFrom(...AWKWARD));

const problemArb = fc
  .constantFrom(...(Object.keys(OPS) as (keyof typeof OPS)[]))
  .chain((kind) =>
    fc
      .tuple(fc.constant(kind), fc.tuple(...OPS[kind].vars.map(sizeOf)))
      .filter(([, sizes]) => sizes.reduce((a, b) => a * b, 1) <= MAX_MACS),
  )
  .map(([kind, sizes]) => {
    const vars = OPS[kind].vars;
    return { op: OPS[kind].op, sizes: vars.map((v, i) => `${v}=${sizes[i]}`).join(', ') };
  });

/** Actions drawn for the walk; includes splits by factors that leave tails. */
const WALK_ACTIONS: Action[] = [
  ...ALL_ACTIONS.filter((a) => !/^split_(64|128|256)$/.test(a)),
  'split_3',
  'split_5',
  'split_6',
];

const KINDS = [/^(up|down)$/, /^swap_/, /^split_/, /^merge$/];

/** From the cursor at `start`, applies `picks` as choices of an action kind, then of a legal action of that kind. */
function walk(problem: Problem, start: number, picks: number[]): NestState {
  const schedule = defaultSchedule(problem);
  let state: NestState = { schedule, cursor: start % schedule.loops.length };
  for (const pick of picks) {
    const legal = legalActions(problem, state, WALK_ACTIONS).filter((a) => a.ok);
    const kind = KINDS[pick % KINDS.length];
    const ofKind = legal.filter((a) => kind.test(a.action));
    const choices = ofKind.length > 0 ? ofKind : legal;
    if (choices.length === 0) break;
    const action = choices[Math.floor(pick / KINDS.length) % choices.length].action;
    const result = applyAction(problem, state, action);
    if (!result.ok) throw new Error(`legalActions allowed ${action}, applyAction refused: ${result.reason}`);
    state = result.state;
  }
  return state;
}

/**
 * A register-tiled shape: every variable once in some order, then inner loops over some of
 * them (the tile), e.g. `n k m m:3 n:8`, with trips that leave tails.
 */
function tiledSchedule(problem: Problem, order: number[], tile: { pick: number; trip: number }[]): Schedule {
  const vars = [...problem.variables].sort(
    (a, b) => order[problem.variables.indexOf(a)] - order[problem.variables.indexOf(b)],
  );
  const inner: string[] = [];
  const used = new Set<string>();
  for (const { pick, trip } of tile) {
    const v = problem.variables[pick % problem.variables.length];
    if (used.has(v) || trip > problem.sizes[v]) continue;
    used.add(v);
    inner.push(`${v}:${trip}`);
  }
  return parseSchedule(problem, [...vars, ...inner].join(' '));
}

/** Marks the `pick`-th loop (of those that may run in parallel) parallel; unchanged when none may. */
function markParallel(problem: Problem, state: NestState, pick: number): NestState {
  const candidates = state.schedule.loops
    .map((_, cursor) => ({ cursor, r: applyAction(problem, { ...state, cursor }, 'parallel') }))
    .filter(({ r }) => r.ok);
  if (candidates.length === 0) return state;
  const { r } = candidates[pick % candidates.length];
  return r.ok ? r.state : state;
}

describe('generated kernels match the reference', () => {
  let codegen: Codegen;
  const pools: ThreadPool[] = [];
  beforeAll(async () => {
    codegen = await loadCodegen();
    for (let threads = 1; threads <= 4; threads++) pools.push(createNodeThreadPool(threads, { callTimeoutMs: 60_000 }));
  });
  afterAll(() => {
    for (const pool of pools) pool.terminate();
  });

  async function expectCorrect(
    problem: Problem,
    schedule: Schedule,
    relaxed: boolean,
    text: { op: string; sizes: string },
  ) {
    const target = { relaxedSimd: relaxed && detectTarget().relaxedSimd };
    const where = `${text.op} with ${text.sizes}, schedule ${printSchedule(schedule)}, relaxed SIMD ${target.relaxedSimd}`;
    if (process.env.LOOPLAB_PROPERTY_LOG) console.log(where);
    const { module, report } = await codegen.compile(problem, schedule, target);
    const buffers = allocateBuffers(problem, 7);
    const run = await instantiateKernel(module, buffers);
    const result = checkOutput(problem, buffers, run);
    expect(result.correct, `${where}: ${result.reason}`).toBe(true);
    return report;
  }

  it(`on ${RUNS} random action sequences from the default schedule (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        problemArb,
        fc.nat(),
        fc.array(fc.nat(), { minLength: 0, maxLength: 20 }),
        fc.boolean(),
        async (text, start, picks, relaxed) => {
          const problem = parseProblem(text.op, text.sizes);
          await expectCorrect(problem, walk(problem, start, picks).schedule, relaxed, text);
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);

  it(`on ${RUNS / 5} random schedules with a parallel loop, on 1-4 threads (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        problemArb,
        fc.nat(),
        fc.array(fc.nat(), { minLength: 0, maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (text, start, picks, parallelPick, threads, relaxed) => {
          const problem = parseProblem(text.op, text.sizes);
          const schedule = markParallel(problem, walk(problem, start, picks), parallelPick).schedule;
          const target = { relaxedSimd: relaxed && detectTarget().relaxedSimd };
          const where = `${text.op} with ${text.sizes}, schedule ${printSchedule(schedule)} on ${threads} threads, relaxed SIMD ${target.relaxedSimd}`;
          if (process.env.LOOPLAB_PROPERTY_LOG) console.log(where);
          const buffers = allocateSharedBuffers(problem, 7);
          const m = await measureScheduleOnThreads(codegen, problem, schedule, target, pools[threads - 1], {
            buffers,
            checkOnly: true,
          });
          expect(m.correct, `${where}: ${m.reason}`).toBe(true);
          if (m.report.parallel) {
            expect(m.ranges?.at(-1)?.[1], where).toBe(m.report.parallel.iterations);
          }
        },
      ),
      { seed: SEED + 2, numRuns: RUNS / 5, endOnFailure: true },
    );
  }, 600_000);

  it(`on ${RUNS / 2} random register-tiled schedules (seed ${SEED})`, async () => {
    const tileLoop = fc.record({ pick: fc.nat(), trip: fc.constantFrom(2, 3, 4, 5, 7, 8, 12, 16, 32) });
    await fc.assert(
      fc.asyncProperty(
        problemArb,
        fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
        fc.array(tileLoop, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (text, order, tile, relaxed) => {
          const problem = parseProblem(text.op, text.sizes);
          await expectCorrect(problem, tiledSchedule(problem, order, tile), relaxed, text);
        },
      ),
      { seed: SEED + 1, numRuns: RUNS / 2, endOnFailure: true },
    );
  }, 600_000);

  it(`on ${RUNS / 2} convolutions with window loops and too-big tiles innermost (seed ${SEED})`, async () => {
    // Window loops (kh, kw) inside the tile and tiles that the register budget splits: both must
    // show up, or this property tests nothing new.
    const seen = { windowInTile: 0, reduced: 0 };
    const convArb = fc.record({
      op: fc.constantFrom(OPS.conv.op, OPS.strided.op, 'O[co,oh,ow] += I[ci,3*oh+kh,3*ow+kw] * W[co,ci,kh,kw]'),
      co: fc.constantFrom(1, 3, 8, 17),
      ci: fc.constantFrom(1, 2, 5),
      oh: fc.constantFrom(1, 3, 6),
      ow: fc.constantFrom(1, 5, 13, 32),
      kh: fc.constantFrom(1, 2, 3),
      kw: fc.constantFrom(1, 3),
    });
    const tileArb = fc.record({
      order: fc.shuffledSubarray(['kh', 'kw', 'co', 'oh'], { minLength: 0, maxLength: 4 }),
      trips: fc.array(fc.constantFrom(1, 2, 3, 4, 6, 8), { minLength: 4, maxLength: 4 }),
      ow: fc.constantFrom(1, 4, 8, 12, 16, 32),
    });
    await fc.assert(
      fc.asyncProperty(convArb, tileArb, fc.boolean(), async (c, t, relaxed) => {
        const sizes = `co=${c.co}, ci=${c.ci}, oh=${c.oh}, ow=${c.ow}, kh=${c.kh}, kw=${c.kw}`;
        const problem = parseProblem(c.op, sizes);
        // Outer loops first, then the chosen loops (window loops whole, output loops split), ow last.
        const inner = t.order.map((v, i) =>
          v === 'kh' || v === 'kw' ? `${v}:${problem.sizes[v]}` : `${v}:${Math.min(t.trips[i], problem.sizes[v])}`,
        );
        const outer = ['co', 'oh', 'ow', 'ci', 'kh', 'kw'].filter(
          (v) => !((v === 'kh' || v === 'kw') && t.order.includes(v)),
        );
        const text = [...outer, ...inner, `ow:${Math.min(t.ow, problem.sizes.ow)}`].join(' ');
        const report = await expectCorrect(problem, parseSchedule(problem, text), relaxed, { op: c.op, sizes });
        if (report.tileLoops.some((l) => (l.variable === 'kh' || l.variable === 'kw') && l.trip >= 2))
          seen.windowInTile++;
        if (report.tileReduction) seen.reduced++;
      }),
      { seed: SEED + 2, numRuns: RUNS / 2, endOnFailure: true },
    );
    expect(seen.windowInTile).toBeGreaterThan(RUNS / 50);
    expect(seen.reduced).toBeGreaterThan(RUNS / 50);
  }, 600_000);
});
