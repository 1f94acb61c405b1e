// Property: kernels with packed inputs (`k:8 pack(B)`) compute what the reference computes, on
// random schedules with packs at random legal loops, on matmul, batched matmul and (strided)
// convolution with awkward sizes and tails; whole and on a slice of the outermost loop; and with a
// parallel loop on 2-3 threads, each thread packing into its own scratch.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_ACTIONS, applyAction } from '../core/actions.ts';
import { parseProblem } from '../core/problem.ts';
import { defaultSchedule, packIssue, parseSchedule, printSchedule, withPacks } from '../core/schedule.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';
import { detectTarget, loadCodegen, type Codegen, type Target } from '../codegen/index.ts';
import { allocateBuffers } from './buffers.ts';
import { checkOutput } from './check.ts';
import { buffersFor, instantiateKernel, measureSchedule } from './measure.ts';
import { allocateSharedBuffers, loadOnThreads } from './measureThreads.ts';
import { createNodeThreadPool } from './nodeThreads.ts';
import { splitIterations } from './threads.ts';

const SEED = Number(process.env.LOOPLAB_PROPERTY_SEED ?? 20261207);
const RUNS = Number(process.env.LOOPLAB_PROPERTY_RUNS ?? 400);

let codegen: Codegen;
let target: Target;
beforeAll(async () => {
  codegen = await loadCodegen();
  target = detectTarget();
});

const PROBLEMS: [string, string][] = [
  ['C[m,n] += A[m,k] * B[k,n]', 'm=37, n=45, k=29'],
  ['C[m,n] += A[m,k] * B[k,n]', 'm=64, n=48, k=40'],
  ['C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=3, m=9, n=21, k=13'],
  ['O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=10, oh=7, ow=11, ci=5, kh=3, kw=2'],
  ['O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]', 'co=6, oh=5, ow=9, ci=4, kh=3, kw=3'],
];

function randomState(problem: Problem, actions: number[]): NestState {
  let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
  const noParallel = ALL_ACTIONS.filter((a) => a !== 'parallel');
  for (const a of actions) {
    const r = applyAction(problem, state, noParallel[a % noParallel.length]);
    if (r.ok) state = r.state;
  }
  return state;
}

function withPackAt(schedule: Schedule, loop: number, tensor: string): Schedule {
  return { loops: schedule.loops.map((l, i) => (i === loop ? withPacks(l, [...(l.packs ?? []), tensor]) : l)) };
}

describe('packed kernels', () => {
  it(`match the reference on ${RUNS} random schedules with packs (seed ${SEED})`, async () => {
    let packed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: PROBLEMS.length - 1 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 14 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 2 }),
        async (p, actions, packs) => {
          const problem = parseProblem(...PROBLEMS[p]);
          let schedule = randomState(problem, actions).schedule;
          for (const [at, second] of packs) {
            const name = problem.inputs[second ? 1 : 0].name;
            const next = withPackAt(schedule, at % schedule.loops.length, name);
            if (packIssue(problem, next.loops) === null) schedule = next;
          }
          if (!schedule.loops.some((l) => l.packs)) return true;
          packed++;
          const text = printSchedule(problem, schedule);
          expect(printSchedule(problem, parseSchedule(problem, text))).toBe(text);
          const compiled = await codegen.compile(problem, schedule, target);
          expect(compiled.report.scratchBytes).toBeGreaterThan(0);
          const buffers = buffersFor(problem, compiled, undefined, 5);
          const run = await instantiateKernel(compiled.module, buffers);
          const check = checkOutput(problem, buffers, run);
          if (!check.correct)
            throw new Error(`${problem.op} ${JSON.stringify(problem.sizes)} ${text}: ${check.reason}`);
          return true;
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
    expect(packed).toBeGreaterThan(RUNS / 3);
  });

  it('BLIS order on matmul: B packed per k block, A per m block, whole and on a slice', async () => {
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=200, n=192, k=160');
    const schedule = parseSchedule(problem, 'k:5 pack(B) m:25 pack(A) n:12 k:32 m:8 n:16');
    expect(printSchedule(problem, schedule)).toBe('k:5 pack(B) m:25 pack(A) n:12 k:32 m:8 n:16');
    const compiled = await codegen.compile(problem, schedule, target);
    // B's panel: k:32 x n:12 x n:16 floats; A's: k:32 x m:8.
    expect(compiled.report.packs).toEqual([
      { loop: 1, tensor: 'A', elements: 32 * 8 },
      { loop: 0, tensor: 'B', elements: 12 * 32 * 16 },
    ]);
    expect(compiled.report.access).toMatchObject({ A: 'splat', B: 'vector' });
    const m = await measureSchedule(codegen, problem, schedule, target, {
      buffers: allocateBuffers(problem, 2),
      timing: { samples: 1, minSampleMs: 1, warmupMs: 0, minWarmupCalls: 1 },
    });
    expect(m.correct).toBe(true);
  });

  it('packing turns a strided convolution input into vector loads', async () => {
    const problem = parseProblem(
      'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
      'co=8, oh=6, ow=16, ci=4, kh=3, kw=3',
    );
    const plain = parseSchedule(problem, 'co oh ow ci kh kw co:4 ow:8');
    const packedI = parseSchedule(problem, 'co oh ow pack(I) ci kh kw co:4 ow:8');
    expect(codegen.generate(problem, plain, target).report.access.I).toBe('gather');
    expect(codegen.generate(problem, packedI, target).report.access.I).toBe('vector');
  });
});

describe('packed kernels on threads', () => {
  it('match the reference with a parallel loop outside or inside the pack, on 2 and 3 threads', async () => {
    const cases: [number, string, string][] = [
      [0, '||m pack(B) n k m:2 n:16', "B packed in each thread's iterations"],
      [0, 'n ||m k pack(A) n:16 m:2', 'A packed per k, inside the parallel loop'],
      [2, '||b m pack(B) n k m:3 n:4', 'batched: B per batch and row block'],
      [3, '||co oh pack(I) ow ci kh kw co:2 ow:4', 'conv: I per output channel and row'],
    ];
    for (const threads of [2, 3]) {
      const pool = createNodeThreadPool(threads);
      try {
        for (const [p, text] of cases) {
          const problem = parseProblem(...PROBLEMS[p]);
          const schedule = parseSchedule(problem, text);
          const loaded = await loadOnThreads(
            codegen,
            problem,
            schedule,
            target,
            pool,
            allocateSharedBuffers(problem, 4),
          );
          expect(loaded.buffers.scratchBytes).toBeGreaterThanOrEqual(threads * loaded.compiled.report.scratchBytes);
          // Each thread packs into its own part of the scratch, after the one before it.
          const scratchArgs = loaded.argsFor(splitIterations(threads, threads)).map((a) => a[5]);
          for (let t = 1; t < threads; t++) {
            expect(scratchArgs[t] - scratchArgs[t - 1]).toBeGreaterThanOrEqual(loaded.compiled.report.scratchBytes);
          }
          const check = checkOutput(problem, loaded.buffers, loaded.run);
          if (!check.correct) throw new Error(`${text} on ${threads} threads: ${check.reason}`);
        }
      } finally {
        pool.terminate();
      }
    }
  });
});

describe('pack in schedule text', () => {
  const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=64, n=64, k=64');
  it('is refused in words where it cannot be generated', () => {
    expect(() => parseSchedule(problem, 'pack(B) m n k')).toThrow(/follows no loop/);
    expect(() => parseSchedule(problem, 'm n k pack(B)')).toThrow(/innermost loop has no loops inside/);
    expect(() => parseSchedule(problem, 'm pack(C) n k')).toThrow(/only inputs can be packed, and C is the output/);
    expect(() => parseSchedule(problem, 'm pack(Q) n k')).toThrow(/there is no input Q; the inputs are A and B/);
    expect(() => parseSchedule(problem, 'm pack(B) n pack(B) k')).toThrow(/B is packed twice/);
  });
  it('moves with its loop, and an action that would leave it innermost is refused', () => {
    const state: NestState = { schedule: parseSchedule(problem, 'm n pack(B) k'), cursor: 1 };
    const swapped = applyAction(problem, state, 'swap_up');
    expect(swapped.ok && printSchedule(problem, swapped.state.schedule)).toBe('n:64 pack(B) m:64 k:64');
    const down = applyAction(problem, state, 'swap_down');
    expect(down.ok).toBe(false);
    expect(!down.ok && down.reason).toMatch(/can't swap n:64 pack\(B\) down: .*innermost loop/);
    const split = applyAction(problem, state, 'split_4');
    expect(split.ok && printSchedule(problem, split.state.schedule)).toBe('m:64 n:16 pack(B) n:4 k:64');
  });
});
