// Slices with the real generator: a slice computes exactly the same part of the output as a full
// run (outermost output loops) or the same partial sums (an outermost reduction loop), its check
// catches a wrong value inside the slice and a stray write outside it, and measureSchedule times
// a slow kernel on a labelled slice unless asked for the full run.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { referenceCompute } from '../core/reference.ts';
import { parseSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { detectTarget, loadCodegen, type Codegen, type Target } from '../codegen/index.ts';
import { allocateBuffers, type KernelBuffers } from './buffers.ts';
import { checkOutput } from './check.ts';
import {
  deeperOrKept,
  FLOOR_MIN_PROBE_MS,
  instantiateKernel,
  measureSchedule,
  type PreparedSlice,
  timeSchedule,
} from './measure.ts';
import { allocateSharedBuffers, measureScheduleOnThreads } from './measureThreads.ts';
import { createNodeThreadPool } from './nodeThreads.ts';
import { splitIterations } from './threads.ts';
import {
  minSliceIterations,
  planSlice,
  rangeSchedule,
  sameDecisions,
  sliceableLoop,
  sliceBytes,
  sliceIterations,
  sliceLabel,
  sliceLoopOrder,
  sliceLoops,
  slicedProblem,
  sliceView,
  SLICE_MIN_BYTES,
  SLICE_OUTERMOST_FACTOR,
  SLICE_PLAN_GFLOPS,
  SLICE_TARGET_MS,
} from './slice.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
let codegen: Codegen;
let target: Target;
beforeAll(async () => {
  codegen = await loadCodegen();
  target = await detectTarget();
});

type RangeFn = (o: number, a: number, b: number, begin: number, end: number) => void;

async function rangeKernel(problem: Problem, schedule: Schedule, buffers: KernelBuffers) {
  const compiled = await codegen.compile(problem, rangeSchedule(schedule, 0), target);
  const instance = await WebAssembly.instantiate(compiled.module, { env: { memory: buffers.memory } });
  const range = instance.exports.kernel_range as RangeFn;
  return (iterations: number) => range(buffers.outPtr, buffers.in0Ptr, buffers.in1Ptr, 0, iterations);
}

const CASES: [string, string, string][] = [
  ['C[m,n] += A[m,k] * B[k,n]', 'm=37, n=23, k=19', 'm:9 n k m:4 n:8'],
  ['C[m,n] += A[m,k] * B[k,n]', 'm=40, n=33, k=50', 'k:6 m n k:8 m:2 n:16'],
  ['C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=3, m=9, n=20, k=7', 'b m n k m:3 n:4'],
  [
    'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
    'co=6, oh=5, ow=7, ci=3, kh=3, kw=2',
    'ci co oh ow kh kw co:2 ow:4',
  ],
];

describe('a slice runs part of the kernel with its own code', () => {
  it.each(CASES)('%s (%s) %s: equals the restricted reference, nothing outside the slice', async (op, sizes, text) => {
    const problem = parseProblem(op, sizes);
    const schedule = parseSchedule(problem, text);
    const buffers = allocateBuffers(problem, 3);
    const run = await rangeKernel(problem, schedule, buffers);
    for (let iterations = 1; iterations <= schedule.loops[0].trip; iterations++) {
      const slice = planSlice(problem, schedule, 0, iterations);
      buffers.resetOutput();
      run(iterations);
      const expected = new Float32Array(problem.output.elements);
      referenceCompute(slicedProblem(problem, slice), expected, buffers.in0, buffers.in1);
      for (let i = 0; i < expected.length; i++) {
        const tol = 1e-4 * Math.abs(expected[i]) + 1e-4;
        if (!(Math.abs(buffers.out[i] - expected[i]) <= tol)) {
          throw new Error(`${iterations} iterations: element ${i} is ${buffers.out[i]}, expected ${expected[i]}`);
        }
      }
    }
  });

  it('a slice over an output loop equals the same rows of a full run (property, random sizes)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 5, max: 70 }),
        fc.integer({ min: 9, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (outer, n, k, take) => {
          const m = outer * 4 + (n % 3);
          const problem = parseProblem(MATMUL, `m=${m}, n=${n}, k=${k}`);
          const schedule = parseSchedule(problem, `m n k m:4 n:8`);
          const iterations = Math.min(take, schedule.loops[0].trip);
          const buffers = allocateBuffers(problem, n + k);
          const full = await instantiateKernel((await codegen.compile(problem, schedule, target)).module, buffers);
          buffers.resetOutput();
          full();
          const fullOut = buffers.out.slice();
          const run = await rangeKernel(problem, schedule, buffers);
          buffers.resetOutput();
          run(iterations);
          const rows = planSlice(problem, schedule, 0, iterations).covered;
          for (let i = 0; i < m * n; i++) {
            const want = i < rows * n ? fullOut[i] : 0;
            if (buffers.out[i] !== want) return false;
          }
          return true;
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });

  it('the check of a slice catches a wrong value inside it and a write outside it', async () => {
    const problem = parseProblem(MATMUL, 'm=32, n=16, k=8');
    const schedule = parseSchedule(problem, 'm n k n:16');
    const buffers = allocateBuffers(problem, 1);
    const run = await rangeKernel(problem, schedule, buffers);
    const slice = planSlice(problem, schedule, 0, 5);
    const restricted = slicedProblem(problem, slice);
    expect(checkOutput(restricted, buffers, () => run(5)).correct).toBe(true);
    const inside = checkOutput(restricted, buffers, () => {
      run(5);
      buffers.out[4 * 16 + 3] += 1;
    });
    expect(inside.correct).toBe(false);
    expect(inside.reason).toMatch(/C\[4,3\]/);
    const outside = checkOutput(restricted, buffers, () => {
      run(5);
      buffers.out[20 * 16] = 1;
    });
    expect(outside.correct).toBe(false);
    expect(outside.reason).toMatch(/C\[20,0\]/);
    // Sampled mode (as for large problems) checks inside the slice too.
    const sampled = checkOutput(
      restricted,
      buffers,
      () => {
        run(5);
        buffers.out[0] += 1;
      },
      { fullCheckMaxFlops: 0 },
    );
    expect(sampled).toMatchObject({ correct: false, checked: 'sampled' });
  });
});

describe('what a slice is', () => {
  const problem = parseProblem(MATMUL, 'm=1000, n=64, k=64');

  it('the outermost loop, with its step, and the tail never in it', () => {
    const schedule = parseSchedule(problem, 'm n k m:16 n:16');
    expect(sliceableLoop(schedule)).toBe(0);
    const slice = planSlice(problem, schedule, 0, 3);
    expect(slice).toMatchObject({ variable: 'm', iterations: 3, of: 63, covered: 48, size: 1000 });
    expect(slice.fraction).toBeCloseTo(0.048);
    expect(sliceLabel(slice)).toBe('on 3 of 63 iterations of m (m < 48 of 1000)');
    expect(sliceLabel(planSlice(problem, parseSchedule(problem, 'm n k'), 0, 64))).toBe(
      'on 64 of 1000 iterations of m',
    );
    expect(slicedProblem(problem, slice).flops).toBe(2 * 48 * 64 * 64);
  });

  it('no slice of a loop with one iteration, or when another loop is parallel', () => {
    expect(sliceableLoop(parseSchedule(problem, 'm:1 n k m:1000'))).toBeNull();
    expect(sliceableLoop(parseSchedule(problem, 'n ||m k'))).toBeNull();
    expect(sliceableLoop(parseSchedule(problem, '||m n k'))).toBe(0);
  });

  it('sizes a slice to the target time, within the loop', () => {
    expect(sliceIterations(SLICE_TARGET_MS / 4, 100)).toBe(4);
    expect(sliceIterations(SLICE_TARGET_MS * 3, 100)).toBe(1);
    expect(sliceIterations(0.001, 100)).toBe(100);
  });

  it('the range changes none of the generator decisions on an ordinary schedule', async () => {
    const schedule = parseSchedule(problem, 'k:2 m n k:32 m:2 n:16');
    const plain = codegen.generate(problem, schedule, target).report;
    const ranged = codegen.generate(problem, rangeSchedule(schedule, 0), target).report;
    expect(sameDecisions(plain, ranged)).toBe(true);
    const other = codegen.generate(problem, parseSchedule(problem, 'k:2 m n k:32 m:4 n:8'), target).report;
    expect(sameDecisions(plain, other)).toBe(false);
  });
});

describe('measureSchedule on a slice', () => {
  // About 0.3 GFLOP: the default schedule runs at 1-2 GFLOPS, far over the 50 ms of a full run.
  const problem = parseProblem(MATMUL, 'm=512, n=512, k=512');
  const timing = { samples: 3, minSampleMs: 5, warmupMs: 5 };

  it('times a slow kernel on a checked, labelled slice', async () => {
    const m = await measureSchedule(codegen, problem, parseSchedule(problem, 'm n k'), target, { timing });
    expect(m.correct).toBe(true);
    expect(m.slice).toBeDefined();
    expect(m.slice!.iterations).toBeLessThan(512);
    expect(m.flops).toBe(problem.flops);
    expect(m.schedule).toBe('m:512 n:512 k:512');
    expect(m.gflops).toBeGreaterThan(0);
  });

  it('runs the whole kernel when asked, or when it is fast', async () => {
    const mid = parseProblem(MATMUL, 'm=300, n=256, k=256');
    const whole = await measureSchedule(codegen, mid, parseSchedule(mid, 'm n k'), target, {
      timing: { samples: 1, minSampleMs: 1, warmupMs: 0, minWarmupCalls: 1 },
      full: true,
    });
    expect(whole.slice).toBeUndefined();
    const small = parseProblem(MATMUL, 'm=64, n=64, k=64');
    const fast = await measureSchedule(codegen, small, parseSchedule(small, 'm n k m:2 n:16'), target, { timing });
    expect(fast.slice).toBeUndefined();
  });
});

describe('timeSchedule with slicing options (the agent searches on short slices)', () => {
  it('slices a kernel far faster than the default threshold when asked, to about the target', async () => {
    const problem = parseProblem(MATMUL, 'm=128, n=256, k=256');
    const schedule = parseSchedule(problem, 'm n k m:2 n:16');
    const timing = { samples: 1, minSampleMs: 0.1, warmupMs: 0, minWarmupCalls: 1 };
    const plain = await timeSchedule(codegen, problem, schedule, target, { timing });
    expect(plain.slice).toBeUndefined();
    const sliced = await timeSchedule(codegen, problem, schedule, target, {
      timing,
      slicing: { fullRunMs: 0.001, targetMs: 0.001 },
    });
    expect(sliced.slice).toBeDefined();
    // A target below one iteration's time runs one iteration.
    expect(sliced.slice!.iterations).toBe(1);
    expect(sliced.gflops).toBeGreaterThan(0);
  });
});

describe('measureScheduleOnThreads on a slice', () => {
  // 1024 rows of 0.5 MFLOP each: a full run takes far more than 50 ms on 2 threads.
  const problem = parseProblem(MATMUL, 'm=1024, n=512, k=512');
  const timing = { samples: 3, minSampleMs: 5, warmupMs: 5 };

  it('splits a slice of the outermost parallel loop among the threads, checked and labelled', async () => {
    const pool = createNodeThreadPool(2);
    try {
      const buffers = allocateSharedBuffers(problem, 1);
      const m = await measureScheduleOnThreads(codegen, problem, parseSchedule(problem, '||m n k'), target, pool, {
        buffers,
        timing,
      });
      expect(m.correct).toBe(true);
      expect(m.slice).toBeDefined();
      const s = m.slice!;
      expect(s.iterations).toBeGreaterThanOrEqual(2);
      expect(s.iterations).toBeLessThan(1024);
      expect(m.ranges).toEqual(splitIterations(s.iterations, 2));
      expect(m.ranges!.flat()).toEqual([0, m.ranges![0][1], m.ranges![0][1], s.iterations]);
      expect(m.flops).toBe(problem.flops);
    } finally {
      pool.terminate();
    }
  });
});

const DEEP_CASES: [string, string, string, number][] = [
  // One iteration of n (and of k), a few of m inside: a blocked, packed matmul with tails.
  [MATMUL, 'm=37, n=40, k=50', 'n k pack(B) m pack(A) n:2 k:16 m:4 m:2 n:8', 2],
  [MATMUL, 'm=37, n=40, k=50', 'n k pack(B) m pack(A) n:2 k:16 m:4 m:2 n:8', 1],
  // The sliced loop over the variable of a loop outside it.
  [MATMUL, 'm=40, n=33, k=20', 'm:2 m:5 n k m:4 n:8', 1],
  ['C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=3, m=9, n=20, k=7', 'b m:3 n k m:3 n:4', 1],
  [
    'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
    'co=6, oh=5, ow=7, ci=3, kh=3, kw=2',
    'ci co:3 oh ow kh kw co:2 ow:4',
    1,
  ],
];

describe('a slice inside the outermost loop (the first iteration of the loops outside it)', () => {
  it.each(DEEP_CASES)(
    '%s (%s) %s, loop %i: equals the restricted reference, nothing outside',
    async (op, sizes, text, loop) => {
      const problem = parseProblem(op, sizes);
      const schedule = parseSchedule(problem, text);
      expect(sliceLoops(schedule)).toContain(loop);
      const buffers = allocateBuffers(problem, 5, { scratchBytes: 1 << 16 });
      const plain = await codegen.compile(problem, schedule, target);
      const view = sliceView(problem, schedule, loop);
      const ranged = await codegen.compile(view.problem, view.schedule, target);
      expect(sameDecisions(plain.report, ranged.report)).toBe(true);
      const instance = await WebAssembly.instantiate(ranged.module, { env: { memory: buffers.memory } });
      const range = instance.exports.kernel_range as (...args: number[]) => void;
      for (let iterations = 1; iterations <= schedule.loops[loop].trip; iterations++) {
        const slice = planSlice(problem, schedule, loop, iterations);
        expect(slice.fraction).toBeLessThan(iterations / schedule.loops[loop].trip);
        const restricted = slicedProblem(problem, slice);
        const check = checkOutput(restricted, buffers, () =>
          range(buffers.outPtr, buffers.in0Ptr, buffers.in1Ptr, 0, iterations, buffers.scratchPtr),
        );
        if (!check.correct) throw new Error(`${iterations} iterations: ${check.reason}`);
        expect(slice.fraction * problem.flops).toBeCloseTo(restricted.flops, 0);
      }
    },
  );

  it('what it covers, and its label', () => {
    const problem = parseProblem(MATMUL, 'm=2048, n=2048, k=2048');
    const schedule = parseSchedule(problem, 'n k pack(B) m pack(A) n:16 m:16 k:128 m:4 n:8');
    const slice = planSlice(problem, schedule, 1, 3);
    expect(slice).toMatchObject({ loop: 1, variable: 'k', iterations: 3, of: 16, covered: 384, size: 2048 });
    expect(slice.within).toEqual([{ loop: 0, variable: 'n', covered: 128, size: 2048 }]);
    expect(slice.fraction).toBeCloseTo((384 / 2048) * (128 / 2048));
    expect(sliceLabel(slice)).toBe(
      'on 3 of 16 iterations of k (k < 384 of 2048), within the first iteration of the loops outside (n < 128 of 2048)',
    );
    expect(slicedProblem(problem, slice).sizes).toEqual({ m: 2048, n: 128, k: 384 });
    // A: 2048 x 384, B: 384 x 128, C: 2048 x 128 floats.
    expect(sliceBytes(problem, slice)).toBe(4 * (2048 * 384 + 384 * 128 + 2048 * 128));
  });

  it('goes as deep as a short slice needs, no deeper than 2 MiB a call and a quarter of a packing iteration', () => {
    const problem = parseProblem(MATMUL, 'm=2048, n=2048, k=2048');
    // BLIS order: one n panel (1 GFLOP) is too long for 3 ms; one k slice inside it is 67 MFLOP.
    const blis = parseSchedule(problem, 'n k pack(B) m pack(A) n:16 m:16 k:128 m:4 n:8');
    expect(sliceLoops(blis)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sliceLoopOrder(problem, blis, 3)).toEqual([1, 0]);
    // At 25 ms (1.25 GFLOP at SLICE_PLAN_GFLOPS) one n panel is short enough.
    expect(sliceLoopOrder(problem, blis, 25)).toEqual([0]);
    // k outermost, B packed there: m inside it, at least a quarter of the k iteration.
    const kOuter = parseSchedule(problem, 'k:32 pack(B) m:170 r8 pack(A) m:4 n:170 r8 k:64 m:3 n:12');
    const quarter = minSliceIterations(problem, kOuter, 1);
    expect(quarter).toBe(Math.ceil(170 / 4));
    expect(sliceLoopOrder(problem, kOuter, 3)).toEqual([1, 0]);
    // Slices of 4 rows of C: under 2 MiB inside k:64, so the search's slice stays outermost.
    const rows = parseSchedule(problem, 'k:32 m n k:64 m:4 n:8');
    expect(sliceBytes(problem, planSlice(problem, rows, 1, 1))).toBeLessThan(SLICE_MIN_BYTES);
    expect(
      sliceBytes(problem, planSlice(problem, rows, 1, minSliceIterations(problem, rows, 1))),
    ).toBeGreaterThanOrEqual(SLICE_MIN_BYTES);
    // At the speed a probe showed (5 GFLOPS, not the 50 planned for), the n panel is too long again.
    expect(sliceLoopOrder(problem, blis, 25, 5)).toEqual([1, 0]);
    // The outermost loop is sliced alone when one iteration is short enough.
    expect(sliceLoopOrder(problem, parseSchedule(problem, 'm n k m:4 n:8'), 3)).toEqual([0]);
    // No deeper slice with a parallel loop.
    expect(sliceLoops(parseSchedule(problem, '||m n k m:4 n:8'))).toEqual([0]);
  });

  it('keeps the outermost loop up to SLICE_OUTERMOST_FACTOR times the target: a deeper slice runs a shallower kernel', () => {
    const bmm = parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=4, m=512, n=512, k=512');
    // One b iteration (268 MFLOP, 5.4 ms at SLICE_PLAN_GFLOPS) is over the search's 3 ms but within 3x of it:
    // a slice of n inside it leaves the b loop out of the kernel and read 1.26x the full run.
    const schedule = parseSchedule(bmm, 'b:4 n:2 k:4 m:128 n:32 k:128 m:4 n:8');
    const one = planSlice(bmm, schedule, 0, 1).fraction * bmm.flops;
    expect(one).toBeGreaterThan(3 * SLICE_PLAN_GFLOPS * 1e6);
    expect(one).toBeLessThanOrEqual(SLICE_OUTERMOST_FACTOR * 3 * SLICE_PLAN_GFLOPS * 1e6);
    expect(sliceLoopOrder(bmm, schedule, 3)).toEqual([0]);
    // A loop deeper is still sliced when the outermost's iteration is longer than that (the target at 1 ms).
    expect(sliceLoopOrder(bmm, schedule, 1)[0]).toBeGreaterThan(0);
  });
});

describe('timeSchedule on a slice inside the outermost loop', () => {
  it('times a 1024^3 blocked matmul on a few k slices of one n panel', async () => {
    const problem = parseProblem(MATMUL, 'm=1024, n=1024, k=1024');
    const schedule = parseSchedule(problem, 'n k pack(B) m pack(A) n:16 m:16 k:64 m:4 n:8');
    const buffers = allocateBuffers(problem, 1, { scratchBytes: 1 << 20 });
    const t = await timeSchedule(codegen, problem, schedule, target, {
      buffers,
      timing: { samples: 1, minSampleMs: 0.1, warmupMs: 0, minWarmupCalls: 1 },
      slicing: { fullRunMs: 1, targetMs: 0.5 },
    });
    expect(t.slice).toMatchObject({ loop: 1, variable: 'k', within: [{ variable: 'n', covered: 128 }] });
    expect(t.gflops).toBeGreaterThan(0);
    // Only the ranged kernel was compiled.
    expect(t.compileMs).toBe(0);
  });
});

describe('timeSchedule after the probe', () => {
  const problem = parseProblem(MATMUL, 'm=1024, n=1024, k=1024');
  const timing = { samples: 2, minSampleMs: 1 };
  const slicing = { fullRunMs: 10, targetMs: 3 };

  it('slices a loop deeper when one outer iteration runs far over the target', async () => {
    // A 1 x 4 tile runs near 10-15 GFLOPS: one n panel (134 MFLOP), planned at 2.7 ms, within
    // SLICE_OUTERMOST_FACTOR times a 1.5-ms target, takes 9-13 ms, over that.
    const short = { ...slicing, targetMs: 1.5 };
    const schedule = parseSchedule(problem, 'n k pack(B) m pack(A) n:16 m:16 k:64 m:1 n:4');
    expect(sliceLoopOrder(problem, schedule, short.targetMs)).toEqual([0]);
    const buffers = allocateBuffers(problem, 1, { scratchBytes: 1 << 22 });
    const t = await timeSchedule(codegen, problem, schedule, target, { buffers, timing, slicing: short });
    expect(t.slice).toMatchObject({ loop: 1, variable: 'k', within: [{ variable: 'n' }] });
    expect(t.slice!.iterations).toBeLessThan(16);
    expect(t.gflops).toBeGreaterThan(0);
  });

  it('stops at the probe when it shows the kernel below the floor', async () => {
    // One n panel, the probe, runs for several ms (a probe under FLOOR_MIN_PROBE_MS never stops it).
    const schedule = parseSchedule(problem, 'n k pack(B) m pack(A) n:16 m:16 k:64 m:1 n:4');
    const buffers = allocateBuffers(problem, 1, { scratchBytes: 1 << 22 });
    // Once timed, an identical module starts on V8's optimized code, which the floor needs.
    const timed = await timeSchedule(codegen, problem, schedule, target, { buffers, timing, slicing });
    expect(timed.belowFloor).toBeUndefined();
    const low = await timeSchedule(codegen, problem, schedule, target, {
      buffers,
      timing,
      slicing,
      floorGflops: 1e6,
    });
    expect(low).toMatchObject({ belowFloor: true, samples: [] });
    expect(low.phases.timingMs).toBe(0);
    expect(low.gflops).toBeGreaterThan(0);
    expect(low.gflops).toBeLessThan(1e6);
    const above = await timeSchedule(codegen, problem, schedule, target, {
      buffers,
      timing,
      slicing,
      floorGflops: 0.01,
    });
    expect(above.belowFloor).toBeUndefined();
    expect(above.samples.length).toBeGreaterThanOrEqual(2);
  });
});

describe('a slice a loop deeper', () => {
  const prepared = (variable: string, iterations: number, of: number): PreparedSlice => ({
    slice: { loop: 0, variable, iterations, of, covered: iterations, size: of, fraction: iterations / of },
    problem: parseProblem(MATMUL, 'm=8, n=8, k=8'),
    run: () => {},
    probeMs: 1,
    optimized: true,
  });

  it('is kept when it covers part of its loop, and gives way to the outer slice when it covers all of it', () => {
    const outer = prepared('n', 1, 8);
    const part = prepared('k', 3, 8);
    const all = prepared('k', 8, 8);
    expect(deeperOrKept(outer, part)).toBe(part);
    expect(deeperOrKept(outer, all)).toBe(outer);
    expect(deeperOrKept(null, all)).toBe(all);
    expect(deeperOrKept(outer, null)).toBeNull();
  });
});

describe('the floor and a short probe', () => {
  it('a probe under FLOOR_MIN_PROBE_MS does not stop the measurement', async () => {
    const problem = parseProblem(MATMUL, 'm=1024, n=1024, k=1024');
    // One row pair of C a probe: 4 MFLOP, a tenth of a millisecond.
    const schedule = parseSchedule(problem, 'm n k m:2 n:16');
    const buffers = allocateBuffers(problem, 1);
    const options = { buffers, timing: { samples: 2, minSampleMs: 1 }, slicing: { fullRunMs: 10, targetMs: 3 } };
    await timeSchedule(codegen, problem, schedule, target, options);
    const t = await timeSchedule(codegen, problem, schedule, target, { ...options, floorGflops: 1e6 });
    expect(t.phases.probeMs).toBeLessThan(FLOOR_MIN_PROBE_MS);
    expect(t.belowFloor).toBeUndefined();
    expect(t.samples.length).toBeGreaterThanOrEqual(2);
  });
});
