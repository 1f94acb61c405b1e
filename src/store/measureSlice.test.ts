import { describe, expect, it } from 'vitest';
import { createLooplabStore } from './createStore.ts';
import { memoryRecords } from './recordStorage.ts';
import {
  currentKey,
  LONG_REFINE_SAMPLES,
  measurementKey,
  PEAK_RECORD_ID,
  REFINE_IDLE_MS,
  REFINE_PAIRS_PER_ROUND,
  REFINE_SAMPLES,
} from './measureSlice.ts';
import type { Measurer, PeakRecord, RefineSamples } from './types.ts';

interface Call {
  problemText: string;
  scheduleText: string;
  threads?: number;
  full?: boolean;
  resolve(gflops: number): void;
  reject(error: unknown): void;
}

interface RefineCall {
  scheduleText: string;
  pairs: number;
  /** Answers with these kernel and reference seconds per call (flops 2e6, reference flops 1e7). */
  resolve(kernelSeconds: number[], referenceSeconds: number[]): void;
  reject(error: unknown): void;
}

/** Stand-in bytes of a measured kernel module. */
const KERNEL_BYTES = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

/** A measurer whose calls wait until the test settles them. */
function fakeMeasurer(opts: { xnnpack?: boolean; threadSupport?: Measurer['threadSupport']; refine?: boolean } = {}) {
  const calls: Call[] = [];
  const refines: RefineCall[] = [];
  const peaks: { threads?: number; resolve(v: number): void; reject(e: unknown): void }[] = [];
  const xnn: string[] = [];
  const measurer: Measurer = {
    measure(problemText, scheduleText, options = {}) {
      return new Promise((resolve, reject) => {
        calls.push({
          problemText,
          scheduleText,
          threads: options.threads,
          full: options.full,
          resolve: (gflops) =>
            resolve({
              gflops,
              gflopsMedian: gflops * 0.9,
              correct: true,
              maxError: 0,
              kernelBytes: KERNEL_BYTES,
              ...(options.threads && options.threads > 1 && scheduleText.includes('||')
                ? { threads: options.threads }
                : {}),
            }),
          reject,
        });
      });
    },
    peak(threads) {
      return new Promise((resolve, reject) => peaks.push({ threads, resolve, reject }));
    },
  };
  if (opts.threadSupport) measurer.threadSupport = opts.threadSupport;
  if (opts.refine) {
    measurer.refine = (_problemText, scheduleText, options) =>
      new Promise<RefineSamples>((resolve, reject) => {
        refines.push({
          scheduleText,
          pairs: options.pairs,
          resolve: (kernelSeconds, referenceSeconds) =>
            resolve({ kernelSeconds, referenceSeconds, flops: 2e6, referenceFlops: 1e7, threads: 1 }),
          reject,
        });
      });
  }
  if (opts.xnnpack) {
    measurer.xnnpack = async (problemText) => {
      xnn.push(problemText);
      return 42;
    };
  }
  return { measurer, calls, peaks, xnn, refines };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const idle = () => new Promise((r) => setTimeout(r, REFINE_IDLE_MS + 30));

/** Answers refine calls until none is pending: kernel samples `kernel` s, reference samples `reference` s. */
/** The first quick figure (GFLOPS) and the peak (100 GFLOPS) answered, in that order. */
async function answerQuickAndPeak(f: ReturnType<typeof fakeMeasurer>, gflops: number) {
  f.calls[0].resolve(gflops);
  await tick();
  f.peaks[0].resolve(100);
  await tick();
}

async function answerRefines(f: ReturnType<typeof fakeMeasurer>, kernel: number, reference: number, rounds: number) {
  for (let i = 0; i < rounds; i++) {
    const call = f.refines.at(-1);
    if (!call) throw new Error('no refine call pending');
    f.refines.length = 0;
    call.resolve(
      Array.from({ length: call.pairs }, () => kernel),
      Array.from({ length: call.pairs + 1 }, () => reference),
    );
    await tick();
    await tick();
  }
}

describe('the whole kernel of a sliced figure', () => {
  it('measureWhole runs the current kernel whole once and keeps its figure beside the slice', async () => {
    const f = fakeMeasurer();
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    f.calls[0].resolve(10);
    await tick();
    s.getState().measureWhole();
    s.getState().measureWhole(); // already running: not asked twice
    expect(f.calls).toHaveLength(2);
    expect(f.calls[1]).toMatchObject({ scheduleText: 'm:256 n:256 k:256', full: true });
    expect(s.getState().wholeRuns[key]).toEqual({ status: 'measuring' });
    f.calls[1].resolve(8);
    await tick();
    expect(s.getState().wholeRuns[key]).toEqual({ status: 'done', gflops: 8 });
    // The quick figure of the schedule stays the slice's.
    expect(s.getState().measurements[key].gflops).toBe(10);
  });

  it("with the measurer's own whole runs, a schedule moved on to is measured meanwhile", async () => {
    const f = fakeMeasurer();
    const wholes: { scheduleText: string; resolve(gflops: number): void }[] = [];
    f.measurer.measureWhole = (_problemText, scheduleText) =>
      new Promise((resolve) =>
        wholes.push({
          scheduleText,
          resolve: (gflops) =>
            resolve({ gflops, gflopsMedian: gflops, correct: true, maxError: 0, kernelBytes: KERNEL_BYTES }),
        }),
      );
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    await answerQuickAndPeak(f, 10);
    s.getState().measureWhole();
    expect(wholes.map((w) => w.scheduleText)).toEqual(['m:256 n:256 k:256']);
    expect(f.calls.filter((c) => c.full)).toEqual([]);
    s.getState().act('split_4');
    await tick();
    expect(f.calls.at(-1)?.scheduleText).toBe('m:64 m:4 n:256 k:256');
    wholes[0].resolve(8);
    await tick();
    expect(s.getState().wholeRuns[key]).toEqual({ status: 'done', gflops: 8 });
  });

  it('a whole run that fails says why', async () => {
    const f = fakeMeasurer();
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    s.getState().measureWhole();
    f.calls.find((c) => c.full)?.reject(new Error('the kernel ran longer than 10 s and was stopped'));
    await tick();
    expect(s.getState().wholeRuns[key]).toEqual({
      status: 'error',
      error: 'the kernel ran longer than 10 s and was stopped',
    });
  });
});

describe('measurement orchestration', () => {
  it('measures nothing without a measurer', () => {
    const s = createLooplabStore();
    s.getState().act('split_4');
    s.getState().startLongRun();
    expect(s.getState().measurements).toEqual({});
  });

  it('measures the first schedule, then the peak once, and caches by key', async () => {
    const f = fakeMeasurer();
    const s = createLooplabStore({ measurer: f.measurer });
    const key0 = currentKey(s.getState());
    expect(key0).toBe(measurementKey(s.getState().problemKey, 'm:256 n:256 k:256'));
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0].scheduleText).toBe('m:256 n:256 k:256');
    expect(f.calls[0].problemText).toBe(s.getState().problemKey);
    expect(s.getState().measurements[key0].status).toBe('measuring');
    f.calls[0].resolve(10);
    await tick();
    expect(s.getState().measurements[key0]).toMatchObject({
      status: 'done',
      gflops: 10,
      gflopsMedian: 9,
      correct: true,
      kernelBytes: KERNEL_BYTES,
    });
    expect(f.peaks).toHaveLength(1);
    expect(s.getState().peak.status).toBe('measuring');
    f.peaks[0].resolve(100);
    await tick();
    expect(s.getState().peak).toMatchObject({ status: 'done', gflops: 100, stored: false });

    s.getState().act('down'); // same schedule: cached, nothing measured
    expect(f.calls).toHaveLength(1);
    s.getState().act('split_4');
    expect(f.calls).toHaveLength(2);
    f.calls[1].resolve(20);
    await tick();
    s.getState().undo();
    s.getState().redo();
    expect(f.calls).toHaveLength(2);
    expect(f.peaks).toHaveLength(1);
  });

  it('the latest schedule wins: queued schedules that are no longer current are dropped', async () => {
    const f = fakeMeasurer();
    const s = createLooplabStore({ measurer: f.measurer });
    const first = currentKey(s.getState());
    s.getState().act('split_2');
    const k1 = currentKey(s.getState());
    expect(s.getState().measurements[k1].status).toBe('queued');
    s.getState().act('split_4');
    const k2 = currentKey(s.getState());
    expect(s.getState().measurements[k1]).toBeUndefined();
    s.getState().act('split_8');
    const k3 = currentKey(s.getState());
    expect(s.getState().measurements[k2]).toBeUndefined();
    expect(s.getState().measurements[k3].status).toBe('queued');
    expect(f.calls).toHaveLength(1); // one in flight at a time
    f.calls[0].resolve(5);
    await tick();
    expect(s.getState().measurements[first].status).toBe('done');
    expect(f.calls).toHaveLength(2);
    expect(f.calls[1].scheduleText).toBe(
      s
        .getState()
        .current.schedule.loops.map((l) => `${l.variable}:${l.trip}`)
        .join(' '),
    );
    expect(s.getState().measurements[k3].status).toBe('measuring');
    // Going back to a dropped schedule measures it again later.
    s.getState().jumpTo(1);
    expect(s.getState().measurements[k1].status).toBe('queued');
    f.calls[1].resolve(6);
    await tick();
    expect(f.calls[2].scheduleText).toBe('m:128 m:2 n:256 k:256');
  });

  it('a schedule that stops being current while queued is dropped when the runner frees up', async () => {
    const f = fakeMeasurer();
    const s = createLooplabStore({ measurer: f.measurer });
    s.getState().act('split_2');
    const k1 = currentKey(s.getState());
    s.getState().undo(); // back to the one in flight
    expect(s.getState().measurements[k1].status).toBe('queued');
    f.calls[0].resolve(1);
    await tick();
    expect(s.getState().measurements[k1]).toBeUndefined();
    expect(f.peaks).toHaveLength(1); // peak next, not the dropped schedule
  });

  it('a rejection becomes status error with the message and a notice, never unhandled', async () => {
    const f = fakeMeasurer();
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    f.calls[0].reject(new Error('the kernel ran longer than 10 s; the worker was restarted'));
    await tick();
    expect(s.getState().measurements[key]).toEqual({
      key,
      status: 'error',
      error: 'the kernel ran longer than 10 s; the worker was restarted',
    });
    expect(s.getState().notices).toEqual([
      { id: expect.any(Number), kind: 'error', text: 'the kernel ran longer than 10 s; the worker was restarted' },
    ]);
    f.peaks[0].reject('no SIMD');
    await tick();
    expect(s.getState().peak).toEqual({ status: 'error', error: 'no SIMD' });
    // The page keeps working: the next schedule is measured.
    s.getState().act('split_2');
    expect(f.calls).toHaveLength(2);
  });

  it('a measurer that throws synchronously is handled too', async () => {
    const measurer: Measurer = {
      measure() {
        throw new Error('boom');
      },
      peak: async () => 1,
    };
    const s = createLooplabStore({ measurer });
    await tick();
    expect(s.getState().measurements[currentKey(s.getState())].status).toBe('error');
    expect(s.getState().notices[0].text).toBe('boom');
  });

  it('an incorrect kernel is done, not correct, with the reason', async () => {
    const measurer: Measurer = {
      measure: async () => ({ gflops: null, gflopsMedian: null, correct: false, reason: 'C[0,0] is 3, expected 4' }),
      peak: async () => 1,
    };
    const s = createLooplabStore({ measurer });
    await tick();
    expect(s.getState().measurements[currentKey(s.getState())]).toMatchObject({
      status: 'done',
      correct: false,
      gflops: null,
      error: 'C[0,0] is 3, expected 4',
    });
  });

  it('measures xnnpack once per problem when the measurer has it', async () => {
    const f = fakeMeasurer({ xnnpack: true });
    const s = createLooplabStore({ measurer: f.measurer });
    f.calls[0].resolve(1);
    await tick();
    f.peaks[0].resolve(50);
    await tick();
    await tick();
    const pk = s.getState().problemKey;
    expect(s.getState().xnnpack[pk]).toEqual({ status: 'done', gflops: 42 });
    s.getState().loadPreset('matmul-64');
    f.calls[1].resolve(2);
    await tick();
    await tick();
    expect(f.xnn).toEqual([pk, s.getState().problemKey]);
  });

  it("XNNPACK in the measurer's own worker: the next schedule is measured while it runs", async () => {
    const f = fakeMeasurer();
    let finish: (gflops: number) => void = () => {};
    f.measurer.xnnpack = () => new Promise((resolve) => (finish = resolve));
    f.measurer.xnnpackApart = true;
    const s = createLooplabStore({ measurer: f.measurer });
    f.calls[0].resolve(1);
    await tick();
    f.peaks[0].resolve(50);
    await tick();
    const pk = s.getState().problemKey;
    expect(s.getState().xnnpack[pk]).toEqual({ status: 'measuring' });
    s.getState().act('split_4');
    await tick();
    expect(f.calls.map((c) => c.scheduleText)).toEqual(['m:256 n:256 k:256', 'm:64 m:4 n:256 k:256']);
    finish(42);
    await tick();
    expect(s.getState().xnnpack[pk]).toEqual({ status: 'done', gflops: 42 });
  });

  it('no refined sample is taken while XNNPACK or a whole kernel runs in a worker of its own', async () => {
    const f = fakeMeasurer({ refine: true });
    let finish: (gflops: number) => void = () => {};
    f.measurer.xnnpack = () => new Promise((resolve) => (finish = resolve));
    f.measurer.xnnpackApart = true;
    let finishWhole: () => void = () => {};
    f.measurer.measureWhole = () =>
      new Promise((resolve) => {
        finishWhole = () =>
          resolve({ gflops: 1, gflopsMedian: 1, correct: true, maxError: 0, kernelBytes: KERNEL_BYTES });
      });
    const s = createLooplabStore({ measurer: f.measurer });
    f.calls[0].resolve(7);
    await tick();
    f.peaks[0].resolve(100);
    await tick(); // XNNPACK starts while the page is not idle yet
    expect(s.getState().xnnpack[s.getState().problemKey]).toEqual({ status: 'measuring' });
    await idle();
    expect(f.refines).toHaveLength(0);
    finish(42);
    await tick();
    expect(f.refines).toHaveLength(1);
    await answerRefines(f, 2e-3, 1e-3, REFINE_SAMPLES / REFINE_PAIRS_PER_ROUND);
    s.getState().startLongRun();
    await tick();
    const asked = f.refines.length;
    expect(asked).toBe(1);
    s.getState().measureWhole();
    await answerRefines(f, 2e-3, 1e-3, 1); // the round in flight ends; the next waits for the whole kernel
    await idle();
    expect(f.refines).toHaveLength(0);
    finishWhole();
    await tick();
    await tick();
    expect(f.refines).toHaveLength(1);
  });

  it('refines the quick figure once the page is idle: kernel time relative to the reference, scaled by the peak', async () => {
    const f = fakeMeasurer({ refine: true });
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    f.calls[0].resolve(7);
    await tick();
    expect(s.getState().measurements[key]).toMatchObject({ stage: 'quick', gflops: 7, quickGflops: 7 });
    f.peaks[0].resolve(100);
    await tick();
    expect(f.refines).toHaveLength(0); // not before the page has been idle
    await idle();
    expect(f.refines).toHaveLength(1);
    expect(f.refines[0]).toMatchObject({ scheduleText: 'm:256 n:256 k:256', pairs: REFINE_PAIRS_PER_ROUND });
    // The reference (1e7 flops) runs at the peak, 100 GFLOPS, when its call takes 1e-4 s; here the
    // kernel takes twice a reference call: 2e6 flops in 2e-4 s = 10 GFLOPS.
    await answerRefines(f, 2e-3, 1e-3, 1);
    expect(s.getState().measurements[key]).toMatchObject({ stage: 'quick', gflops: 7 });
    expect(s.getState().measurements[key].refining?.relative).toEqual([2, 2]);
    await answerRefines(f, 2e-3, 1e-3, REFINE_SAMPLES / REFINE_PAIRS_PER_ROUND - 1);
    const m = s.getState().measurements[key];
    expect(m).toMatchObject({ stage: 'refined', samples: REFINE_SAMPLES, quickGflops: 7 });
    expect(m.gflops).toBeCloseTo(10, 6);
    expect(m.interval?.low).toBeCloseTo(10, 6);
    expect(m.refining).toBeUndefined();
    expect(s.getState().machineNoise?.spread).toBe(0);
    await tick();
    expect(f.refines).toHaveLength(0); // refined: nothing more to do
  });

  it('a burst of load slowing kernel and reference alike moves neither the figure nor its interval; the noise shows it', async () => {
    const f = fakeMeasurer({ refine: true });
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    f.calls[0].resolve(7);
    await tick();
    f.peaks[0].resolve(100);
    await idle();
    // Rounds 2 and 3 run while the machine is three times slower: both kernels take 3x as long.
    await answerRefines(f, 2e-3, 1e-3, 1);
    await answerRefines(f, 6e-3, 3e-3, 2);
    await answerRefines(f, 2e-3, 1e-3, 3);
    const m = s.getState().measurements[key];
    expect(m.stage).toBe('refined');
    expect(m.gflops).toBeCloseTo(10, 6);
    // Every kernel sample is timed against its neighbouring reference samples, so the slow ones
    // (4 of 12, 3x the time) leave the interval as tight as the figure: timed on their own they
    // would spread it to 3.3-10 GFLOPS.
    expect(m.interval!.low).toBeCloseTo(10, 6);
    expect(m.interval!.high).toBeCloseTo(10, 6);
    // The reference's samples say the machine was busy.
    expect(s.getState().machineNoise!.spread).toBeGreaterThan(0.5);
  });

  it('a kernel slower only in some samples is a spread, reported as the interval', async () => {
    const f = fakeMeasurer({ refine: true });
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    f.calls[0].resolve(7);
    await tick();
    f.peaks[0].resolve(100);
    await idle();
    await answerRefines(f, 2e-3, 1e-3, 4);
    await answerRefines(f, 4e-3, 1e-3, 2);
    const m = s.getState().measurements[key];
    expect(m.gflops).toBeCloseTo(10, 6);
    expect(m.interval!.low).toBeCloseTo(5, 6);
    expect(m.interval!.high).toBeCloseTo(10, 6);
  });

  it('a newer action goes first: the older schedule stops refining and resumes when it comes back', async () => {
    const f = fakeMeasurer({ refine: true });
    const s = createLooplabStore({ measurer: f.measurer });
    const key0 = currentKey(s.getState());
    f.calls[0].resolve(7);
    await tick();
    f.peaks[0].resolve(100);
    await idle();
    await answerRefines(f, 2e-3, 1e-3, 1); // one round of the first schedule done, the next asked
    expect(f.refines).toHaveLength(1);
    s.getState().act('split_4');
    const key1 = currentKey(s.getState());
    expect(s.getState().measurements[key1].status).toBe('queued');
    await answerRefines(f, 2e-3, 1e-3, 1); // the round in flight ends...
    expect(f.calls).toHaveLength(2); // ...and the new schedule's quick figure comes next
    expect(f.refines).toHaveLength(0);
    f.calls[1].resolve(5);
    await tick();
    expect(f.refines).toHaveLength(0); // refining waits for the page to be idle again
    s.getState().undo();
    await idle();
    expect(f.refines).toHaveLength(1);
    expect(f.refines[0].scheduleText).toBe('m:256 n:256 k:256');
    await answerRefines(f, 2e-3, 1e-3, REFINE_SAMPLES / REFINE_PAIRS_PER_ROUND - 2);
    expect(s.getState().measurements[key0]).toMatchObject({ stage: 'refined', samples: REFINE_SAMPLES });
  });

  it('a long run refines the current schedule again with more samples and progress', async () => {
    const f = fakeMeasurer({ refine: true });
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    await answerQuickAndPeak(f, 10);
    s.getState().startLongRun();
    expect(s.getState().longRun).toEqual({ key, progress: 0 });
    await tick();
    expect(f.refines).toHaveLength(1); // a long run does not wait for idleness
    await answerRefines(f, 2e-3, 1e-3, 1);
    expect(s.getState().longRun).toEqual({ key, progress: REFINE_PAIRS_PER_ROUND / LONG_REFINE_SAMPLES });
    await answerRefines(f, 2e-3, 1e-3, LONG_REFINE_SAMPLES / REFINE_PAIRS_PER_ROUND - 1);
    expect(s.getState().measurements[key]).toMatchObject({
      stage: 'refined',
      long: true,
      samples: LONG_REFINE_SAMPLES,
    });
    expect(s.getState().longRun).toBeNull();
  });

  it('a long run for a schedule that is no longer current is dropped; a failed one keeps the figure', async () => {
    const f = fakeMeasurer({ refine: true });
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    s.getState().startLongRun();
    s.getState().act('split_2');
    f.calls[0].resolve(10);
    await tick();
    expect(s.getState().longRun).toBeNull();
    f.calls[1].resolve(11);
    await tick();
    s.getState().undo();
    f.peaks[0].resolve(100);
    await tick();
    s.getState().startLongRun();
    await tick();
    expect(f.refines).toHaveLength(1);
    f.refines[0].reject(new Error('worker gone'));
    await tick();
    await tick();
    expect(s.getState().measurements[key]).toMatchObject({ status: 'done', gflops: 10, stage: 'quick' });
    expect(s.getState().longRun).toBeNull();
    expect(s.getState().notices.at(-1)?.text).toBe('the long run failed: worker gone');
  });

  it('keeps the peak per device: a kept one is used, a missing one measured and kept', async () => {
    const storage = memoryRecords<PeakRecord>('id');
    const f = fakeMeasurer();
    const s = createLooplabStore({ measurer: f.measurer, peakStorage: storage });
    expect(s.getState().peak.status).toBe('loading');
    f.calls[0].resolve(7);
    await tick();
    await tick();
    expect(f.peaks).toHaveLength(1);
    f.peaks[0].resolve(40);
    await tick();
    await tick();
    expect(storage.records.get(PEAK_RECORD_ID)).toMatchObject({ id: PEAK_RECORD_ID, gflops: 40 });

    const g = fakeMeasurer();
    const t = createLooplabStore({ measurer: g.measurer, peakStorage: storage });
    g.calls[0].resolve(7);
    await tick();
    await tick();
    expect(g.peaks).toHaveLength(0);
    expect(t.getState().peak).toMatchObject({ status: 'done', gflops: 40, stored: true });
    t.getState().remeasurePeak();
    await tick();
    expect(g.peaks).toHaveLength(1);
    g.peaks[0].resolve(44);
    await tick();
    await tick();
    expect(t.getState().peak).toMatchObject({ status: 'done', gflops: 44, stored: false });
    expect(storage.records.get(PEAK_RECORD_ID)).toMatchObject({ gflops: 44 });
  });

  it('a damaged kept peak is reported and measured again; nothing crashes', async () => {
    for (const damaged of [
      'garbage',
      { gflops: 'fast', measuredAt: 1 },
      { gflops: -3, measuredAt: 1 },
      { gflops: 30 },
    ]) {
      const storage = memoryRecords<PeakRecord>('id');
      storage.records.set(PEAK_RECORD_ID, damaged);
      const f = fakeMeasurer();
      const s = createLooplabStore({ measurer: f.measurer, peakStorage: storage });
      f.calls[0].resolve(7);
      await tick();
      await tick();
      expect(
        s
          .getState()
          .notices.map((n) => n.text)
          .join('\n'),
      ).toMatch(/the peak kept for this device is damaged \(.+\); it is measured again/);
      expect(f.peaks).toHaveLength(1);
      f.peaks[0].resolve(33);
      await tick();
      await tick();
      expect(storage.records.get(PEAK_RECORD_ID)).toMatchObject({ gflops: 33 });
    }
  });

  it('a new peak rescales the refined figures', async () => {
    const f = fakeMeasurer({ refine: true });
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    f.calls[0].resolve(7);
    await tick();
    f.peaks[0].resolve(100);
    await idle();
    await answerRefines(f, 2e-3, 1e-3, REFINE_SAMPLES / REFINE_PAIRS_PER_ROUND);
    expect(s.getState().measurements[key].gflops).toBeCloseTo(10, 6);
    s.getState().remeasurePeak();
    await tick();
    f.peaks[1].resolve(50);
    await tick();
    expect(s.getState().measurements[key].gflops).toBeCloseTo(5, 6);
  });

  it('bandwidth is asked for once, after the peak', async () => {
    const f = fakeMeasurer();
    let asked = 0;
    f.measurer.bandwidth = async () => {
      asked++;
      return 4e10;
    };
    const s = createLooplabStore({ measurer: f.measurer });
    f.calls[0].resolve(7);
    await tick();
    expect(asked).toBe(0);
    f.peaks[0].resolve(100);
    await tick();
    await tick();
    s.getState().act('split_2');
    f.calls[1].resolve(7);
    await tick();
    expect(asked).toBe(1);
  });

  it('keys a parallel schedule by its threads, and only a parallel one', () => {
    expect(measurementKey('P', '||m n k', 4)).toBe('P\n@ ||m n k\n# 4 threads');
    expect(measurementKey('P', '||m n k', 1)).toBe('P\n@ ||m n k');
    expect(measurementKey('P', 'm n k', 4)).toBe(measurementKey('P', 'm n k'));
  });

  it('measures a parallel loop on one thread per processor, or on the threads chosen', async () => {
    const f = fakeMeasurer({ threadSupport: { isolated: true, hardware: 4 } });
    const s = createLooplabStore({ measurer: f.measurer });
    expect(s.getState().threadsChosen).toBeNull();
    await tick();
    f.calls[0].resolve(1);
    await tick();
    expect(f.calls[0].threads).toBe(1);
    f.peaks[0]?.resolve(100);
    await tick();
    expect(s.getState().act('parallel')).toBe(true);
    await tick();
    const call = f.calls[f.calls.length - 1];
    expect(call.scheduleText).toMatch(/^\|\|/);
    expect(call.threads).toBe(4);
    expect(currentKey(s.getState())).toMatch(/# 4 threads$/);
    call.resolve(8);
    await tick();
    // Then the peak on 4 threads (once); the next figure waits for it.
    expect(f.peaks.at(-1)?.threads).toBe(4);
    f.peaks.at(-1)?.resolve(180);
    await tick();
    s.getState().setThreads(2);
    await tick();
    expect(s.getState().threadsChosen).toBe(2);
    expect(f.calls[f.calls.length - 1].threads).toBe(2);
    expect(currentKey(s.getState())).toMatch(/# 2 threads$/);
    s.getState().setThreads(1000);
    expect(s.getState().threadsChosen).toBe(64);
  });

  it('measures the peak on N threads once, after the first figure on N threads', async () => {
    const f = fakeMeasurer({ threadSupport: { isolated: true, hardware: 2 } });
    const s = createLooplabStore({ measurer: f.measurer });
    await tick();
    f.calls[0].resolve(1);
    await tick();
    f.peaks[0]?.resolve(50);
    await tick();
    expect(f.peaks.map((p) => p.threads ?? 1)).toEqual([1]);
    s.getState().act('parallel');
    await tick();
    f.calls[f.calls.length - 1].resolve(80);
    await tick();
    expect(f.peaks.map((p) => p.threads ?? 1)).toEqual([1, 2]);
    expect(s.getState().peaksOnThreads[2]).toEqual({ status: 'measuring' });
    f.peaks[1].resolve(99);
    await tick();
    expect(s.getState().peaksOnThreads[2]).toEqual({ status: 'done', gflops: 99 });
    // Another parallel schedule on 2 threads: no second 2-thread peak.
    s.getState().act('down');
    s.getState().act('parallel');
    await tick();
    f.calls[f.calls.length - 1].resolve(70);
    await tick();
    await tick();
    expect(f.peaks.filter((p) => p.threads === 2)).toHaveLength(1);
  });

  it('measures on one thread when the page has no shared memory', async () => {
    const f = fakeMeasurer({ threadSupport: { isolated: false, hardware: 8 } });
    const s = createLooplabStore({ measurer: f.measurer });
    await tick();
    f.calls[0].resolve(1);
    await tick();
    f.peaks[0]?.resolve(100);
    await tick();
    s.getState().act('parallel');
    s.getState().setThreads(4);
    await tick();
    expect(f.calls[f.calls.length - 1].threads).toBe(1);
    expect(currentKey(s.getState())).not.toMatch(/threads/);
  });
});
