// The worker's API in Node, with the real code generator (what the page gets through comlink).
import { describe, expect, it } from 'vitest';
import { createWorkerApi } from './workerApi.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]\nm=33, n=40, k=17';
const fast = { samples: 2, minSampleMs: 1 };

describe('createWorkerApi', () => {
  const api = createWorkerApi();

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

  it('can only check', async () => {
    const m = await api.measure('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]\nco=4, ci=3, oh=5, ow=6, kh=3, kw=2', 'co oh ow ci kh kw', {
      checkOnly: true,
    });
    expect(m.correct).toBe(true);
    expect(m.gflops).toBeNull();
  });

  it('rejects bad problem and schedule text with named errors', async () => {
    await expect(api.measure('C[m,n] += A[m,q] * B[k,n]\nm=2, n=2, k=2', 'm n k')).rejects.toMatchObject({ name: 'DslError' });
    await expect(api.measure(MATMUL, 'm n z')).rejects.toMatchObject({ name: 'ScheduleError' });
  });

  it('measures the peak', async () => {
    expect(await api.peak()).toBeGreaterThan(0);
  });
});
