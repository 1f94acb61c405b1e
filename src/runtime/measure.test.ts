// measureSchedule's flow (check first; an incorrect kernel is not timed) with a stand-in code
// generator that hands out hand-written kernels. The real generator is exercised by
// workerApi.test.ts (measure through the worker's API) and kernels.property.test.ts.
import { describe, expect, it } from 'vitest';
import type { Codegen, KernelReport } from '../codegen/index.ts';
import type { Schedule } from '../core/types.ts';
import { allocateBuffers } from './buffers.ts';
import { measureSchedule, timeSchedule } from './measure.ts';
import { measurePeak } from './peak.ts';
import { elementwiseKernelBytes, plainProblem, toyPeakBytes, type ElementwiseVariant } from './testKernels.ts';

const n = 1000;
const problem = plainProblem(['C', 'i'], ['A', 'i'], ['B', 'i'], { i: n });
const schedule: Schedule = { loops: [{ variable: 'i', trip: n, tail: 0 }] };
const target = { relaxedSimd: false };
const timing = { samples: 3, minSampleMs: 1, warmupMs: 1 };

function standIn(variant: ElementwiseVariant): Codegen {
  const report = { vectorizedVariable: 'i', notes: ['hand-written'] } as unknown as KernelReport;
  return {
    generate: () => ({ bytes: elementwiseKernelBytes(n, variant), report }),
    compile: async () => ({
      module: await WebAssembly.compile(elementwiseKernelBytes(n, variant) as Uint8Array<ArrayBuffer>),
      bytes: elementwiseKernelBytes(n, variant),
      report,
      generateMs: 0.1,
      compileMs: 0.2,
    }),
    peak: () => ({ bytes: toyPeakBytes(), flopsPerIteration: 2 }),
  };
}

describe('measureSchedule', () => {
  it('checks, then times a correct kernel', async () => {
    const m = await measureSchedule(standIn('correct'), problem, schedule, target, { timing });
    expect(m).toMatchObject({
      correct: true,
      checked: 'full',
      maxError: 0,
      generateMs: 0.1,
      compileMs: 0.2,
      flops: 2 * n,
    });
    expect(m.schedule).toMatch(/^i/);
    expect(m.gflops).toBeGreaterThan(0);
    expect(m.gflops!).toBeGreaterThanOrEqual(m.gflopsMedian!);
    expect(m.samples).toHaveLength(3);
    expect(m.report.notes).toEqual(['hand-written']);
    expect(m.kernelBytes).toEqual(elementwiseKernelBytes(n, 'correct'));
  });

  it('does not time an incorrect kernel: gflops are null', async () => {
    const m = await measureSchedule(standIn('skipLast'), problem, schedule, target, { timing });
    expect(m.correct).toBe(false);
    expect(m.gflops).toBeNull();
    expect(m.gflopsMedian).toBeNull();
    expect(m.firstMismatch?.index).toBe(n - 1);
    expect(m.reason).toMatch(/wrong value at C\[999\]/);
    expect(m.samples).toBeUndefined();
  });

  it('reuses buffers and leaves them clean', async () => {
    const buffers = allocateBuffers(problem, 7);
    const inputs = buffers.in0.slice();
    for (const v of ['overrun', 'correct'] as const) {
      const m = await measureSchedule(standIn(v), problem, schedule, target, { timing, buffers });
      expect(m.correct).toBe(v === 'correct');
    }
    expect(buffers.in0).toEqual(inputs);
    expect(buffers.out.every((x) => x === 0)).toBe(true);
    expect(buffers.guardsIntact()).toBe(true);
  });

  it('can only check', async () => {
    const m = await measureSchedule(standIn('correct'), problem, schedule, target, { checkOnly: true });
    expect(m.correct).toBe(true);
    expect(m.gflops).toBeNull();
  });
});

describe('timeSchedule', () => {
  it('times without checking (even a kernel the check would reject) and leaves the output zeroed', async () => {
    const buffers = allocateBuffers(problem, 3);
    const t = await timeSchedule(standIn('skipLast'), problem, schedule, target, { timing, buffers });
    expect(t.gflops).toBeGreaterThan(0);
    expect(t.gflops).toBeGreaterThanOrEqual(t.gflopsMedian);
    expect(t.samples).toHaveLength(3);
    expect(t).toMatchObject({ schedule: 'i:1000', flops: 2 * n });
    // Generated, then compiled here (a slice would compile only its ranged kernel).
    expect(t.generateMs).toBeGreaterThanOrEqual(0);
    expect(t.compileMs).toBeGreaterThan(0);
    expect(buffers.out.every((x) => x === 0)).toBe(true);
  });
});

describe('measurePeak', () => {
  it('times the peak module with the kernel timer', async () => {
    const p = await measurePeak(standIn('correct'), target, timing);
    expect(p.gflops).toBeGreaterThan(0);
    expect(p.flopsPerIteration).toBe(2);
    expect(p.iterationsPerCall).toBe(5e6);
  });
});
