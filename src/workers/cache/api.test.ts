// The cache worker's API in Node: figures for a named machine, the same on a second request,
// sampled (and saying so) for a kernel too long to simulate access by access, and bad input
// refused in words.
import { describe, expect, it } from 'vitest';
import { loadCodegen } from '../../codegen/index.ts';
import { machineById } from '../../core/cache/machines.ts';
import { parseProblemText } from '../../core/problem.ts';
import { parseSchedule } from '../../core/schedule.ts';
import { simulateCache } from '../../runtime/cacheSim.ts';
import { loadCacheSim } from '../../runtime/wasmCacheSim.ts';
import { createCacheApi } from './api.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]\nm=33, n=40, k=17';
const LARGE = 'C[m,n] += A[m,k] * B[k,n]\nm=1024, n=1024, k=1024';
const withoutTime = ({ simulateMs: _ms, ...figures }: { simulateMs: number }) => figures;

describe('cache worker api', () => {
  const api = createCacheApi();

  it("simulates a named machine's caches on the kernel, exactly, the same on a second request", async () => {
    const f = await api.simulateCache(MATMUL, 'm n k m:2 n:16', 'teaching');
    expect(f.machine.id).toBe('teaching');
    expect(f.method).toBe('exact');
    expect(f.levels.map((l) => l.name)).toEqual(['L1']);
    expect(f.fmas).toBe(33 * 40 * 17);
    expect(f.levels[0].total.misses).toBeGreaterThan(0);
    expect(f.reuse?.map((r) => r.tensor)).toEqual(['C', 'A', 'B']);
    const again = await api.simulateCache(MATMUL, 'm n k m:2 n:16', 'teaching');
    expect(withoutTime(again)).toEqual(withoutTime(f));
  });

  it('samples a kernel of a billion accesses, says which loops, and gives the same figures twice', async () => {
    const f = await api.simulateCache(LARGE, 'm n k m:4 n:8', 'zen4');
    expect(f.method).toBe('sampled');
    expect(f.instructions).toBeGreaterThan(100e6);
    expect(f.sampling?.simulated).toBeLessThan(f.instructions / 50);
    expect(f.sampling?.loops).toContain('m:256 (loop 1)');
    const l1 = f.levels[0].total;
    expect(l1.compulsory + l1.capacity + l1.conflict).toBeCloseTo(l1.misses, 3);
    const again = await api.simulateCache(LARGE, 'm n k m:4 n:8', 'zen4');
    expect(withoutTime(again)).toEqual(withoutTime(f));
  });

  it('runs the compiled simulator, loaded once, with the figures of the TypeScript one', async () => {
    let loads = 0;
    const compiledApi = createCacheApi({
      cacheSim: () => {
        loads++;
        return loadCacheSim();
      },
    });
    const f = await compiledApi.simulateCache(MATMUL, 'k m n k:5 m:2 n:8', 'zen4');
    await compiledApi.simulateCache(MATMUL, 'm n k', 'zen4');
    expect(loads).toBe(1);
    const problem = parseProblemText(MATMUL);
    const reference = simulateCache(
      await loadCodegen(),
      problem,
      parseSchedule(problem, 'k m n k:5 m:2 n:8'),
      machineById('zen4')!,
      { reuse: true },
    );
    expect(withoutTime(f)).toEqual(withoutTime(reference));
    const broken = createCacheApi({ cacheSim: () => Promise.reject(new Error('no compiled simulator here')) });
    await expect(broken.simulateCache(MATMUL, 'm n k', 'zen4')).rejects.toThrow(/no compiled simulator here/);
  });

  it('refuses an unknown machine and a bad schedule in words', async () => {
    await expect(api.simulateCache(MATMUL, 'm n k', 'cray')).rejects.toThrow(
      /unknown machine 'cray'; choose one of zen4/,
    );
    await expect(api.simulateCache(MATMUL, 'm n q', 'zen4')).rejects.toThrow(/q/);
  });
});
