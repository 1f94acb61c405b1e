// Waiting for V8's optimized code: the poll logic on a fake clock, and the generator's warm-up
// rounds on the real engine (they touch no memory, and their optimized code is seen running).
import { beforeAll, describe, expect, it } from 'vitest';
import { detectTarget, loadCodegen, type Codegen, type Target } from '../codegen/index.ts';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { allocateBuffers } from './buffers.ts';
import { rangeSchedule } from './slice.ts';
import { awaitOptimizedCode, OPTIMIZED_NS_PER_ROUND, POLL_ROUNDS, TRIGGER_ROUNDS } from './tierUp.ts';

/** Warm-up rounds on a fake clock: `nsPerRound(call)` for each call in turn. */
function fakeRounds(nsPerRound: (call: number) => number) {
  let t = 0;
  const calls: number[] = [];
  return {
    now: () => t,
    rounds: (n: number) => {
      t += (n * nsPerRound(calls.length)) / 1e6;
      calls.push(n);
    },
    calls,
  };
}

describe('awaitOptimizedCode', () => {
  it('polls until a round runs far faster than on the first call', () => {
    // 30 ns a round on the baseline code for the trigger and three polls, then 0.5 ns.
    const f = fakeRounds((call) => (call < 5 ? 30 : 0.5));
    const r = awaitOptimizedCode(f.rounds, f.now, 100, () => {});
    expect(r.optimized).toBe(true);
    expect(f.calls).toEqual([1, TRIGGER_ROUNDS, POLL_ROUNDS, POLL_ROUNDS, POLL_ROUNDS, POLL_ROUNDS, POLL_ROUNDS]);
    expect(r.ms).toBeCloseTo((30 + TRIGGER_ROUNDS * 30 + 3 * POLL_ROUNDS * 30 + 2 * POLL_ROUNDS * 0.5) / 1e6, 9);
  });

  it('does not take one fast poll between slow ones for the optimized code (a jittered clock)', () => {
    // Baseline throughout, but the third poll reads as nothing.
    const f = fakeRounds((call) => (call === 4 ? 0 : 30));
    const r = awaitOptimizedCode(f.rounds, f.now, 2, () => {});
    expect(r.optimized).toBe(false);
  });

  it('takes code that is fast from the first call as optimized (a module compiled before)', () => {
    const f = fakeRounds(() => 0.5);
    const r = awaitOptimizedCode(f.rounds, f.now, 100, () => {});
    expect(r).toMatchObject({ optimized: true, firstCallMs: (TRIGGER_ROUNDS * 0.5) / 1e6 });
    expect(f.calls).toEqual([1, TRIGGER_ROUNDS]);
  });

  it('gives up after maxMs when the code stays on the baseline', () => {
    const f = fakeRounds(() => 30);
    const slept: number[] = [];
    const r = awaitOptimizedCode(f.rounds, f.now, 5, (ms) => slept.push(ms));
    expect(r.optimized).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(5);
    expect(r.ms).toBeLessThan(5 + (POLL_ROUNDS * 30) / 1e6 + 1e-6);
    expect(slept.length).toBe(f.calls.length - 3);
  });
});

describe('the generator warm-up rounds on V8', () => {
  let codegen: Codegen;
  let target: Target;
  beforeAll(async () => {
    codegen = await loadCodegen();
    target = detectTarget();
  });

  it('leave memory untouched, and their optimized code is seen running, the kernel then right', async () => {
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=96, n=64, k=80');
    // A schedule no other test compiles, so that V8 holds no optimized code for it yet.
    const schedule = rangeSchedule(parseSchedule(problem, 'm:3 k:5 pack(B) n m:8 k:16 m:4 n:16'), 0);
    const compiled = await codegen.compile(problem, schedule, target);
    const buffers = allocateBuffers(problem, 7, { scratchBytes: compiled.report.scratchBytes ?? 0 });
    const memory = new Uint8Array(buffers.memory.buffer).slice();
    const instance = await WebAssembly.instantiate(compiled.module, { env: { memory: buffers.memory } });
    type Range = (o: number, a: number, b: number, begin: number, end: number, s: number) => void;
    const range = instance.exports.kernel_range as Range;
    const { outPtr, in0Ptr, in1Ptr, scratchPtr } = buffers;
    const rounds = (n: number) => range(outPtr, in0Ptr, in1Ptr, n, 0, scratchPtr);
    // A loaded machine may take a while to compile in the background.
    const r = awaitOptimizedCode(rounds, undefined, 10_000);
    // The rounds ran on the baseline code first (the additions take time there), then optimized.
    expect(r.firstCallMs).toBeGreaterThan((TRIGGER_ROUNDS * OPTIMIZED_NS_PER_ROUND) / 1e6);
    expect(r.optimized).toBe(true);
    const t0 = performance.now();
    rounds(TRIGGER_ROUNDS);
    expect(performance.now() - t0).toBeLessThan(r.firstCallMs / 4);
    expect(new Uint8Array(buffers.memory.buffer)).toEqual(memory);
    // The optimized kernel still computes the product.
    range(outPtr, in0Ptr, in1Ptr, 0, 3, scratchPtr);
    const { referenceCompute } = await import('../core/reference.ts');
    const expected = new Float32Array(problem.output.elements);
    referenceCompute(problem, expected, buffers.in0, buffers.in1);
    for (let i = 0; i < expected.length; i++) expect(buffers.out[i]).toBeCloseTo(expected[i], 3);
  });
});
