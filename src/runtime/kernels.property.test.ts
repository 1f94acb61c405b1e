// Property: for random legal action sequences from the default schedule, on matmul, batched
// matmul and (strided) convolution with awkward sizes, every generated kernel matches the
// independent reference. Reproducible: LOOPLAB_PROPERTY_SEED picks the seed, LOOPLAB_PROPERTY_RUNS
// the number of schedules; a failure prints the problem and the schedule text. Schedules with a
// parallel loop also run on 1-4 threads sharing one memory, each thread a range of its iterations.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { detectTarget, loadCodegen, type Codegen } from '../codegen/index.ts';
import { markParallel, OPS, problemArb as problemArbOf, tiledSchedule, walk } from '../codegen/testSchedules.ts';
import { allocateBuffers } from './buffers.ts';
import { checkOutput } from './check.ts';
import { instantiateKernel } from './measure.ts';
import { allocateSharedBuffers, measureScheduleOnThreads } from './measureThreads.ts';
import { createNodeThreadPool } from './nodeThreads.ts';
import type { ThreadPool } from './threads.ts';

const SEED = Number(process.env.LOOPLAB_PROPERTY_SEED ?? 20261124);
const RUNS = Number(process.env.LOOPLAB_PROPERTY_RUNS ?? 1000);
/** Keeps the naive reference fast: multiply-adds per problem. */
const MAX_MACS = 600_000;
const problemArb = problemArbOf(MAX_MACS);

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
