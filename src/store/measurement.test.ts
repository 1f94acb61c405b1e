// The pure side of measurements: the lookup panels use, the record of a quick figure, and the
// folding of refining rounds into a refined figure.
import { describe, expect, it } from 'vitest';
import {
  measurementKey,
  measurementOf,
  quickMeasurement,
  REFINE_SAMPLES,
  refiningOf,
  withRound,
} from './measurement.ts';
import type { ScheduleMeasurement } from './types.ts';

const P = 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64';

describe('measurementOf', () => {
  const one: ScheduleMeasurement = { key: measurementKey(P, '||m n k'), status: 'done', gflops: 3, gflopsMedian: 3 };
  const two: ScheduleMeasurement = { key: measurementKey(P, '||m n k', 2), status: 'done', gflops: 5, gflopsMedian: 5 };
  const plain: ScheduleMeasurement = { key: measurementKey(P, 'm n k'), status: 'done', gflops: 4, gflopsMedian: 4 };
  const measurements = { [one.key]: one, [two.key]: two, [plain.key]: plain };
  const isolated = { isolated: true, hardware: 2 };

  it('finds a parallel schedule at the threads the page runs it on, any other at one', () => {
    expect(measurementOf({ problemKey: P, measurements, threadSupport: isolated }, '||m n k')).toBe(two);
    expect(measurementOf({ problemKey: P, measurements, threadSupport: isolated, threadsChosen: 1 }, '||m n k')).toBe(
      one,
    );
    expect(measurementOf({ problemKey: P, measurements }, '||m n k')).toBe(one); // no shared memory
    expect(measurementOf({ problemKey: P, measurements, threadSupport: isolated }, 'm n k')).toBe(plain);
  });

  it("looks in another problem's figures when asked, and finds nothing never measured", () => {
    expect(measurementOf({ problemKey: 'other', measurements }, 'm n k', P)).toBe(plain);
    expect(measurementOf({ problemKey: 'other', measurements }, 'm n k')).toBeUndefined();
  });
});

describe('quickMeasurement', () => {
  it('keeps the figure as the quick one; an incorrect kernel gets its reason as the error', () => {
    expect(quickMeasurement('k', { gflops: 7, gflopsMedian: 6, correct: true, threads: 2 })).toEqual({
      key: 'k',
      status: 'done',
      gflops: 7,
      gflopsMedian: 6,
      correct: true,
      threads: 2,
      stage: 'quick',
      quickGflops: 7,
    });
    expect(
      quickMeasurement('k', { gflops: null, gflopsMedian: null, correct: false, reason: 'C[0,0] is 1, not 2' }),
    ).toMatchObject({ status: 'done', correct: false, error: 'C[0,0] is 1, not 2' });
    expect(quickMeasurement('k', { gflops: null, gflopsMedian: null, correct: false }).error).toBe(
      'the kernel computed wrong values',
    );
  });
});

describe('withRound', () => {
  const quick = quickMeasurement('k', { gflops: 7, gflopsMedian: 7, correct: true });
  // Kernel samples twice as long as the reference beside them; the reference (1e7 flops) runs at
  // the peak, 100 GFLOPS, in 1e-4 s, so the kernel (2e6 flops) runs at 10 GFLOPS.
  const round = (pairs: number) => ({
    kernelSeconds: Array.from({ length: pairs }, () => 2e-3),
    referenceSeconds: Array.from({ length: pairs + 1 }, () => 1e-3),
    flops: 2e6,
    referenceFlops: 1e7,
    threads: 1,
  });

  it('adds samples with progress until the target, then gives the refined figure', () => {
    let m = quick;
    const rounds = REFINE_SAMPLES / 4;
    for (let i = 1; i < rounds; i++) {
      const r = withRound(m, refiningOf(m, false), round(4), 100, 0);
      expect(r.progress).toBeCloseTo((4 * i) / REFINE_SAMPLES, 9);
      expect(r.measurement).toMatchObject({ stage: 'quick', gflops: 7 });
      m = r.measurement;
    }
    const done = withRound(m, refiningOf(m, false), round(4), 100, 1234);
    expect(done.progress).toBe(1);
    expect(done.measurement).toMatchObject({
      stage: 'refined',
      samples: REFINE_SAMPLES,
      refinedAt: 1234,
      quickGflops: 7,
    });
    expect(done.measurement.gflops).toBeCloseTo(10, 9);
    expect(done.measurement.refining).toBeUndefined();
    expect(done.measurement.long).toBeUndefined();
  });

  it("a long run starts its own samples, not the short refinement's", () => {
    const half = withRound(quick, refiningOf(quick, false), round(4), 100, 0).measurement;
    expect(refiningOf(half, false).relative).toHaveLength(4);
    expect(refiningOf(half, true)).toMatchObject({ relative: [], long: true });
  });
});
