// The measurement queue on its own: a plain state object as its host, a fake measurer whose calls
// wait until the test settles them, and an injected clock (the store-level behaviour is in
// measureSlice.test.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseProblemText, problemText } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { MeasureQueue, type QueueState } from './measureQueue.ts';
import {
  LONG_REFINE_SAMPLES,
  measurementKey,
  REFINE_IDLE_MS,
  REFINE_PAIRS_PER_ROUND,
  THREADED_PAIRS_PER_ROUND,
} from './measurement.ts';
import type { Measurer } from './types.ts';

const problem = parseProblemText('C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64');
const problemKey = problemText(problem);
const keyOf = (scheduleText: string, threads = 1) => measurementKey(problemKey, scheduleText, threads);

interface Pending {
  what: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

function setup() {
  const pending: Pending[] = [];
  const call = (what: string) =>
    new Promise<never>((resolve, reject) => pending.push({ what, resolve: resolve as never, reject }));
  const measurer: Measurer = {
    measure: (_p, scheduleText, options) => call(`measure ${scheduleText} on ${options?.threads ?? 1}`),
    peak: (threads) => call(`peak ${threads ?? 1}`),
    refine: (_p, scheduleText, options) => call(`refine ${scheduleText} x${options.pairs}`),
  };
  const notices: string[] = [];
  let state: QueueState = {
    problemKey,
    problem,
    current: { schedule: parseSchedule(problem, 'm n k'), cursor: 0 },
    notify: (_kind, text) => notices.push(text),
    measurements: {},
    peak: { status: 'queued' },
    peaksOnThreads: {},
    machineNoise: null,
    xnnpack: {},
    longRun: null,
    threadsChosen: null,
    threadSupport: { isolated: true, hardware: 2 },
  };
  let clock = 1_000_000;
  const host = {
    get: () => state,
    set: (patch: Partial<QueueState>) => {
      state = { ...state, ...patch };
    },
  };
  const queue = new MeasureQueue(host, { measurer, now: () => clock });
  const go = (scheduleText: string) => {
    host.set({ current: { schedule: parseSchedule(problem, scheduleText), cursor: 0 } });
    queue.currentChanged();
  };
  /** Settles the oldest pending call with `value` and lets the queue move on. */
  const answer = async (value: unknown) => {
    const p = pending.shift();
    if (!p) throw new Error('no call pending');
    p.resolve(value);
    await vi.advanceTimersByTimeAsync(0);
    return p.what;
  };
  const figure = (gflops: number, threads = 1) => ({ gflops, gflopsMedian: gflops, correct: true, threads });
  return {
    queue,
    pending,
    notices,
    state: () => state,
    go,
    answer,
    figure,
    tick: (ms: number) => {
      clock += ms;
      return vi.advanceTimersByTimeAsync(ms);
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('MeasureQueue', () => {
  it('measures the newest schedule first; one left waiting in line meanwhile is never measured', async () => {
    const q = setup();
    q.go('m n k');
    q.go('n m k'); // while 'm n k' runs: waits in line
    q.go('k m n'); // replaces it in line
    expect(q.state().measurements[keyOf('n:64 m:64 k:64')]).toBeUndefined();
    expect(q.state().measurements[keyOf('k:64 m:64 n:64')]?.status).toBe('queued');
    expect(await q.answer(q.figure(5))).toBe('measure m:64 n:64 k:64 on 1');
    expect(q.pending.map((p) => p.what)).toEqual(['measure k:64 m:64 n:64 on 1']);
    await q.answer(q.figure(6));
    expect(q.state().measurements[keyOf('k:64 m:64 n:64')]).toMatchObject({
      status: 'done',
      gflops: 6,
      stage: 'quick',
    });
    expect(q.pending.map((p) => p.what)).toEqual(['peak 1']);
  });

  it('caches by problem, schedule and threads: a parallel schedule on other threads is measured again', async () => {
    const q = setup();
    q.go('||m n k');
    await q.answer(q.figure(5, 2));
    await q.answer(50); // the peak
    expect(q.pending.map((p) => p.what)).toEqual(['peak 2']);
    await q.answer(90);
    q.state().threadsChosen = 1;
    q.queue.currentChanged();
    expect(q.pending.map((p) => p.what)).toEqual(['measure ||m:64 n:64 k:64 on 1']);
    await q.answer(q.figure(3));
    q.state().threadsChosen = 2;
    q.queue.currentChanged(); // cached on 2 threads: nothing is measured
    expect(q.pending).toHaveLength(0);
    expect(Object.keys(q.state().measurements).sort()).toEqual(
      [keyOf('||m:64 n:64 k:64', 2), keyOf('||m:64 n:64 k:64')].sort(),
    );
  });

  it(`refines only once the schedule has stayed put ${REFINE_IDLE_MS} ms`, async () => {
    const q = setup();
    q.go('m n k');
    await q.answer(q.figure(5));
    await q.answer(50);
    await q.tick(REFINE_IDLE_MS - 100);
    q.go('n m k'); // a new action restarts the wait
    await q.answer(q.figure(4));
    await q.tick(REFINE_IDLE_MS - 50);
    expect(q.pending).toHaveLength(0);
    await q.tick(60);
    expect(q.pending.map((p) => p.what)).toEqual(['refine n:64 m:64 k:64 x2']);
  });

  it(`refines a kernel on threads in rounds of ${THREADED_PAIRS_PER_ROUND} samples, one on one thread in rounds of ${REFINE_PAIRS_PER_ROUND}`, async () => {
    const q = setup();
    q.go('||m n k');
    await q.answer(q.figure(5, 2));
    await q.answer(50);
    await q.answer(90);
    await q.tick(REFINE_IDLE_MS);
    expect(q.pending.map((p) => p.what)).toEqual([`refine ||m:64 n:64 k:64 x${THREADED_PAIRS_PER_ROUND}`]);
    const one = setup();
    one.state().threadsChosen = 1;
    one.go('||m n k');
    await one.answer(one.figure(5));
    await one.answer(50);
    await one.tick(REFINE_IDLE_MS);
    expect(one.pending.map((p) => p.what)).toEqual([`refine ||m:64 n:64 k:64 x${REFINE_PAIRS_PER_ROUND}`]);
  });

  it('a runaway kernel (the measurer stops it) becomes an error with its message, and the queue goes on', async () => {
    const q = setup();
    q.go('m n k');
    q.pending.shift()!.reject(new Error('the kernel ran longer than 10 s; the worker was restarted'));
    await vi.advanceTimersByTimeAsync(0);
    expect(q.state().measurements[keyOf('m:64 n:64 k:64')]).toMatchObject({
      status: 'error',
      error: 'the kernel ran longer than 10 s; the worker was restarted',
    });
    expect(q.notices).toEqual(['the kernel ran longer than 10 s; the worker was restarted']);
    expect(q.pending.map((p) => p.what)).toEqual(['peak 1']);
  });

  it('a long run takes rounds until it has its samples, with progress, then ends', async () => {
    const q = setup();
    q.go('m n k');
    await q.answer(q.figure(5));
    await q.answer(50);
    q.queue.startLongRun();
    const round = {
      kernelSeconds: [2e-3, 2e-3],
      referenceSeconds: [1e-3, 1e-3, 1e-3],
      flops: 2e6,
      referenceFlops: 1e7,
      threads: 1,
    };
    await q.answer(round);
    expect(q.state().longRun?.progress).toBeCloseTo(2 / LONG_REFINE_SAMPLES, 6);
    for (let i = 1; i < LONG_REFINE_SAMPLES / 2; i++) await q.answer(round);
    expect(q.state().longRun).toBeNull();
    expect(q.state().measurements[keyOf('m:64 n:64 k:64')]).toMatchObject({
      stage: 'refined',
      long: true,
      samples: LONG_REFINE_SAMPLES,
    });
    // A reference call (1e7 flops) at the peak (50 GFLOPS) takes 2e-4 s; the kernel takes twice
    // that for 2e6 flops: 5 GFLOPS.
    expect(q.state().measurements[keyOf('m:64 n:64 k:64')].gflops).toBeCloseTo(5, 6);
  });
});
