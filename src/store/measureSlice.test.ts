import { describe, expect, it } from 'vitest';
import { createLooplabStore } from './createStore.ts';
import { currentKey, measurementKey } from './measureSlice.ts';
import type { Measurer } from './types.ts';

interface Call {
  problemText: string;
  scheduleText: string;
  long: boolean;
  threads?: number;
  onProgress?: (f: number) => void;
  resolve(gflops: number): void;
  reject(error: unknown): void;
}

/** Stand-in bytes of a measured kernel module. */
const KERNEL_BYTES = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

/** A measurer whose calls wait until the test settles them. */
function fakeMeasurer(opts: { xnnpack?: boolean; threadSupport?: Measurer['threadSupport'] } = {}) {
  const calls: Call[] = [];
  const peaks: { resolve(v: number): void; reject(e: unknown): void }[] = [];
  const xnn: string[] = [];
  const measurer: Measurer = {
    measure(problemText, scheduleText, options = {}) {
      return new Promise((resolve, reject) => {
        calls.push({
          problemText,
          scheduleText,
          long: !!options.long,
          threads: options.threads,
          onProgress: options.onProgress,
          resolve: (gflops) =>
            resolve({ gflops, gflopsMedian: gflops * 0.9, correct: true, maxError: 0, kernelBytes: KERNEL_BYTES }),
          reject,
        });
      });
    },
    peak() {
      return new Promise((resolve, reject) => peaks.push({ resolve, reject }));
    },
  };
  if (opts.threadSupport) measurer.threadSupport = opts.threadSupport;
  if (opts.xnnpack) {
    measurer.xnnpack = async (problemText) => {
      xnn.push(problemText);
      return 42;
    };
  }
  return { measurer, calls, peaks, xnn };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

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
    expect(s.getState().peak).toEqual({ status: 'done', gflops: 100 });

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

  it('a long run re-measures the current schedule with progress', async () => {
    const f = fakeMeasurer();
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    s.getState().startLongRun();
    expect(s.getState().longRun).toEqual({ key, progress: 0 });
    f.calls[0].resolve(10); // the short one first
    await tick();
    expect(f.calls[1].long).toBe(true);
    f.calls[1].onProgress?.(0.5);
    expect(s.getState().longRun).toEqual({ key, progress: 0.5 });
    expect(s.getState().measurements[key].gflops).toBe(10);
    f.calls[1].resolve(12);
    await tick();
    expect(s.getState().measurements[key]).toMatchObject({ status: 'done', gflops: 12, long: true });
    expect(s.getState().longRun).toBeNull();
  });

  it('a long run for a schedule that is no longer current is dropped; a failed one keeps the figure', async () => {
    const f = fakeMeasurer();
    const s = createLooplabStore({ measurer: f.measurer });
    const key = currentKey(s.getState());
    s.getState().startLongRun();
    s.getState().act('split_2');
    f.calls[0].resolve(10);
    await tick();
    expect(s.getState().longRun).toBeNull();
    expect(f.calls[1].long).toBe(false);
    f.calls[1].resolve(11);
    await tick();
    s.getState().undo();
    s.getState().startLongRun();
    f.peaks[0].resolve(1);
    await tick();
    const long = f.calls.find((c) => c.long);
    expect(long).toBeDefined();
    long!.reject(new Error('worker gone'));
    await tick();
    expect(s.getState().measurements[key]).toMatchObject({ status: 'done', gflops: 10 });
    expect(s.getState().longRun).toBeNull();
    expect(s.getState().notices.at(-1)?.text).toBe('the long run failed: worker gone');
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
    s.getState().setThreads(2);
    await tick();
    expect(s.getState().threadsChosen).toBe(2);
    expect(f.calls[f.calls.length - 1].threads).toBe(2);
    expect(currentKey(s.getState())).toMatch(/# 2 threads$/);
    s.getState().setThreads(1000);
    expect(s.getState().threadsChosen).toBe(64);
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
