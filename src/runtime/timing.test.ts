import { describe, expect, it } from 'vitest';
import { gflops, measureThroughput, median, timeThunk } from './timing.ts';

/** A fake clock: each thunk call advances time by the next duration of a script (ms). */
function fakeClock(durations: (call: number) => number) {
  let t = 0;
  let calls = 0;
  return {
    now: () => t,
    thunk: () => {
      t += durations(calls);
      calls++;
    },
    get calls() {
      return calls;
    },
  };
}

describe('median', () => {
  it('handles odd and even counts and does not reorder its input', () => {
    const v = [5, 1, 3];
    expect(median(v)).toBe(3);
    expect(v).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('gflops', () => {
  it('is flops / seconds / 1e9', () => {
    expect(gflops(2e9, 0.5)).toBe(4);
  });
});

describe('timeThunk', () => {
  it('warms up for at least 3 calls and 20 ms, then samples >= 10 ms each', () => {
    const clock = fakeClock(() => 1); // every call takes 1 ms
    const r = timeThunk(clock.thunk, { now: clock.now, samples: 7 });
    expect(r.warmupCalls).toBe(20);
    expect(r.callsPerSample).toBeGreaterThanOrEqual(10);
    expect(r.samples).toHaveLength(7);
    for (const s of r.samples) expect(s).toBeCloseTo(1e-3, 12);
    expect(r.bestSeconds).toBeCloseTo(1e-3, 12);
    expect(r.medianSeconds).toBeCloseTo(1e-3, 12);
  });

  it('does at least 3 warm-up calls of a slow thunk', () => {
    const clock = fakeClock(() => 50);
    const r = timeThunk(clock.thunk, { now: clock.now, samples: 3 });
    expect(r.warmupCalls).toBe(3);
    expect(r.callsPerSample).toBe(1);
    expect(r.samples).toHaveLength(3);
    // 3 warm-up calls, no calibration run (one call is a whole sample), 3 samples.
    expect(clock.calls).toBe(6);
  });

  it('needs only 2 warm-up calls when each call is long', () => {
    const clock = fakeClock(() => 1000);
    const r = timeThunk(clock.thunk, { now: clock.now, samples: 3 });
    expect(r.warmupCalls).toBe(2);
    expect(clock.calls).toBe(5);
  });

  it('counts a prior call (the correctness check) as the first warm-up call', () => {
    const clock = fakeClock(() => 30);
    const r = timeThunk(clock.thunk, { now: clock.now, samples: 1, minWarmupCalls: 1, warmupMs: 15, priorCallMs: 30 });
    expect(r.warmupCalls).toBe(1);
    // No warm-up call and no calibration: the one sample is the only call.
    expect(clock.calls).toBe(1);
    expect(r.samples).toEqual([0.03]);
  });

  it('still warms up after a short prior call', () => {
    const clock = fakeClock(() => 1);
    const r = timeThunk(clock.thunk, { now: clock.now, samples: 1, minWarmupCalls: 1, warmupMs: 15, priorCallMs: 1 });
    expect(r.warmupCalls).toBe(15);
  });

  it('warms optimized code up with one call and takes a call of a whole sample as a sample', () => {
    const clock = fakeClock(() => 3);
    const r = timeThunk(clock.thunk, {
      now: clock.now,
      samples: 3,
      minSampleMs: 2,
      warmupMs: 5,
      minWarmupCalls: 3,
      optimized: true,
    });
    expect(r.warmupCalls).toBe(1);
    expect(r.callsPerSample).toBe(1);
    // One warm-up call, no calibration run (3 ms >= the 2-ms sample), 3 samples.
    expect(clock.calls).toBe(4);
  });

  it('counts a prior call as the one warm-up call of optimized code', () => {
    const clock = fakeClock(() => 3);
    const r = timeThunk(clock.thunk, { now: clock.now, samples: 3, minSampleMs: 2, optimized: true, priorCallMs: 3 });
    expect(r.warmupCalls).toBe(1);
    expect(clock.calls).toBe(3);
  });

  it('reports the best and the median sample', () => {
    // Warm-up and calibration at 1 ms per call; then the samples get per-call times 3,1,2,5,4 ms.
    const sampleCost = [3, 1, 2, 5, 4];
    let sampling = -1;
    const clock = fakeClock(() => (sampling >= 0 ? sampleCost[sampling] : 1));
    let beforeSampleCalls = 0;
    const r = timeThunk(clock.thunk, {
      now: clock.now,
      samples: 5,
      minSampleMs: 10,
      beforeSample: () => {
        beforeSampleCalls++;
        // The first beforeSample call precedes calibration; the next ones precede samples.
        if (beforeSampleCalls >= 2) sampling++;
      },
    });
    expect(r.samples.map((s) => s * 1e3)).toEqual(sampleCost.map((c) => expect.closeTo(c, 9)));
    expect(r.bestSeconds * 1e3).toBeCloseTo(1, 9);
    expect(r.medianSeconds * 1e3).toBeCloseTo(3, 9);
  });

  it('grows calls per sample until a sample lasts the minimum', () => {
    const clock = fakeClock(() => 0.01); // 10 us per call
    const r = timeThunk(clock.thunk, { now: clock.now, samples: 2, minSampleMs: 10 });
    expect(r.callsPerSample * 0.01).toBeGreaterThanOrEqual(10);
  });

  it('stops early when the budget is spent but keeps the minimum number of samples', () => {
    const clock = fakeClock(() => 100);
    const r = timeThunk(clock.thunk, { now: clock.now, samples: 7, maxTotalMs: 500, minSamples: 3 });
    expect(r.samples).toHaveLength(3);
  });
});

describe('measureThroughput', () => {
  it('converts seconds per call into GFLOPS', () => {
    const clock = fakeClock(() => 2); // 2 ms per call
    const t = measureThroughput(clock.thunk, 2e7, { now: clock.now, samples: 3 });
    expect(t.gflops).toBeCloseTo(10, 9);
    expect(t.gflopsMedian).toBeCloseTo(10, 9);
  });
});
