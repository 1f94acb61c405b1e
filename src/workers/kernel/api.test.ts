// The worker's API in Node, with the real code generator (what the page gets through comlink).
import { describe, expect, it } from 'vitest';
import {
  callsPerSample,
  createKernelApi,
  progressClock,
  PROGRESS_EVERY_MS,
  THREADED_SAMPLE_MS,
  THREADED_WARMUP_MS,
} from './api.ts';
import { loadTfWasm } from '../../runtime/xnnpack.ts';
import { createNodeThreadPool } from '../../runtime/nodeThreads.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]\nm=33, n=40, k=17';
const fast = { samples: 2, minSampleMs: 1 };

describe('createKernelApi', () => {
  const api = createKernelApi();

  it('initializes with the detected target', async () => {
    const target = await api.init();
    expect(typeof target.relaxedSimd).toBe('boolean');
  });

  it('measures the default and a tiled schedule (with tails) as correct', async () => {
    for (const text of ['m n k', 'm n k m:2 n:16', 'k:3 r2 m:16 r1 n:2 r8 k:5 m:2 n:16']) {
      const m = await api.measure(MATMUL, text, fast);
      expect(m.correct, `${text}: ${m.reason}`).toBe(true);
      expect(m.checked).toBe('full');
      expect(m.gflops).toBeGreaterThan(0);
      expect(m.gflopsMedian).toBeGreaterThan(0);
      expect(m.flops).toBe(2 * 33 * 40 * 17);
      expect(m.report.vectorizedVariable).toBeTruthy();
    }
  });

  it("answers with the measured kernel's bytes and a report that names the tile loops by index", async () => {
    const m = await api.measure(MATMUL, 'm n k m:2 n:16', fast);
    expect(WebAssembly.validate(m.kernelBytes as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(m.kernelBytes.length).toBe(m.report.bytes);
    expect(m.report.tileLoops.map((l) => [l.index, l.variable, l.trip])).toEqual([
      [3, 'm', 2],
      [4, 'n', 16],
    ]);
    expect(m.report.heldAcross.map((l) => [l.index, l.variable])).toEqual([[2, 'k']]);
  });

  it('can only check', async () => {
    const m = await api.measure(
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]\nco=4, ci=3, oh=5, ow=6, kh=3, kw=2',
      'co oh ow ci kh kw',
      {
        checkOnly: true,
      },
    );
    expect(m.correct).toBe(true);
    expect(m.gflops).toBeNull();
  });

  it('rejects bad problem and schedule text with named errors', async () => {
    await expect(api.measure('C[m,n] += A[m,q] * B[k,n]\nm=2, n=2, k=2', 'm n k')).rejects.toMatchObject({
      name: 'DslError',
    });
    await expect(api.measure(MATMUL, 'm n z')).rejects.toMatchObject({ name: 'ScheduleError' });
  });

  it('measures the peak', async () => {
    expect(await api.peak()).toBeGreaterThan(0);
  });

  it('reports the progress of the timing, ending at 1', async () => {
    const seen: number[] = [];
    const m = await api.measure(MATMUL, 'm n k', { samples: 1000, minSampleMs: 5, budgetMs: 400 }, (f) => seen.push(f));
    expect(m.correct).toBe(true);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(m.samples!.length).toBeGreaterThan(7);
  });

  it('refines a measured kernel: kernel samples between reference samples, with the flops of both', async () => {
    await api.measure(MATMUL, 'm n k m:2 n:16', fast);
    const r = await api.refine(MATMUL, 'm n k m:2 n:16', { pairs: 3, minSampleMs: 1, referenceSampleMs: 1 });
    expect(r.kernelSeconds).toHaveLength(3);
    expect(r.referenceSeconds).toHaveLength(4);
    for (const t of [...r.kernelSeconds, ...r.referenceSeconds]) expect(t).toBeGreaterThan(0);
    expect(r.flops).toBe(2 * 33 * 40 * 17);
    expect(r.referenceFlops).toBeGreaterThan(0);
    expect(r.threads).toBe(1);
    // A kernel this worker has not measured (e.g. after a restart) is loaded again.
    const fresh = await createKernelApi().refine(MATMUL, 'm k n', { pairs: 1, minSampleMs: 1, referenceSampleMs: 1 });
    expect(fresh.kernelSeconds).toHaveLength(1);
  });

  it('stops refining once the shared stop flag is set, returning the samples so far', async () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(stop, 0, 1);
    const none = await api.refine(MATMUL, 'm n k m:2 n:16', { pairs: 5, stop });
    expect(none.kernelSeconds).toEqual([]);
    expect(none.referenceSeconds).toEqual([]);
    Atomics.store(stop, 0, 0);
    const all = await api.refine(MATMUL, 'm n k m:2 n:16', { pairs: 2, stop, minSampleMs: 1, referenceSampleMs: 1 });
    expect(all.kernelSeconds).toHaveLength(2);
  });

  it('measures the memory bandwidth', async () => {
    expect(await api.bandwidth()).toBeGreaterThan(1e8);
  });
});

describe('createKernelApi xnnpack', () => {
  it('checks and times tfjs matMul for matmul-shaped problems, with the loader it is given', async () => {
    let loads = 0;
    const api = createKernelApi({
      loadTf: () => {
        loads++;
        return loadTfWasm();
      },
    });
    expect(await api.xnnpack('C[i] += A[i] * B[i]\ni=64')).toBeNull();
    expect(loads).toBe(0); // tfjs is not loaded for problems it can't run
    const r = await api.xnnpack(MATMUL);
    expect(r).toMatchObject({ correct: true });
    expect(r!.gflops).toBeGreaterThan(0);
    // The kernel measured afterwards on the same (shared) buffers is still correct.
    expect((await api.measure(MATMUL, 'm n k', fast)).correct).toBe(true);
  });
});

describe('callsPerSample', () => {
  it('fills a sample with calls; on threads a sample of at least THREADED_SAMPLE_MS', () => {
    expect(callsPerSample(5, 10, false)).toBe(2);
    expect(callsPerSample(30, 10, false)).toBe(1);
    expect(callsPerSample(5, 10, true)).toBe(Math.ceil(THREADED_SAMPLE_MS / 5));
    expect(callsPerSample(0.1, 1, true)).toBe(Math.ceil(THREADED_SAMPLE_MS / 0.1));
    expect(callsPerSample(5, 60, true)).toBe(12);
    expect(callsPerSample(300, 10, true)).toBe(1);
    expect(callsPerSample(0, 10, false)).toBe(10_000);
  });
});

describe('progressClock', () => {
  it('reports the fraction of the budget at most every PROGRESS_EVERY_MS, below 1', () => {
    let t = 1000;
    const seen: number[] = [];
    const clock = progressClock(
      1000,
      (f) => seen.push(f),
      () => t,
    );
    expect(clock()).toBe(1000);
    t += PROGRESS_EVERY_MS / 2;
    clock();
    t += PROGRESS_EVERY_MS / 2;
    clock();
    t += 5000;
    clock();
    expect(seen).toEqual([0, PROGRESS_EVERY_MS / 1000, 0.99]);
  });

  it('measures a parallel schedule on the threads asked for, checked first, and on one thread without shared memory', async () => {
    const threaded = createKernelApi({ createPool: (n) => createNodeThreadPool(n), threadsUnavailable: () => null });
    const m = await threaded.measure(MATMUL, '||m n k m:2 n:16', { ...fast, threads: 2 });
    expect(m.correct, m.reason).toBe(true);
    expect(m.checked).toBe('full');
    expect(m.threads).toBe(2);
    expect(m.gflops).toBeGreaterThan(0);
    // Asked for 1 ms samples, a kernel on threads still gets samples of THREADED_SAMPLE_MS (the
    // last calibration run reached it; a sample may come out a little faster).
    expect(m.callsPerSample! * Math.max(...m.samples!) * 1000).toBeGreaterThan(THREADED_SAMPLE_MS * 0.75);
    // No parallel loop: one thread, whatever was asked.
    expect((await threaded.measure(MATMUL, 'm n k', { ...fast, threads: 2 })).threads).toBe(1);
    const isolatedless = createKernelApi({
      createPool: () => {
        throw new Error('no pool may start without shared memory');
      },
      threadsUnavailable: () => 'threads are off',
    });
    const single = await isolatedless.measure(MATMUL, '||m n k', { ...fast, threads: 4 });
    expect(single.correct).toBe(true);
    expect(single.threads).toBe(1);
    // Refining a parallel kernel runs it on the threads again, after another kernel took them.
    // Loaded again, it is warmed up as long as a kernel on threads is in `measure`.
    await threaded.measure(MATMUL, '||n m k', { ...fast, threads: 2 });
    const t0 = performance.now();
    const r = await threaded.refine(MATMUL, '||m n k m:2 n:16', { threads: 2, pairs: 2, minSampleMs: 1 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(THREADED_WARMUP_MS);
    expect(r.threads).toBe(2);
    expect(r.kernelSeconds).toHaveLength(2);
  });
});
