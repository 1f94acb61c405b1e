// The cache worker's API in Node: figures for a named machine, the same on a second request,
// sampled (and saying so) for a kernel too long to simulate access by access, and bad input
// refused in words.
import { describe, expect, it } from 'vitest';
import { loadCodegen } from '../../codegen/index.ts';
import { samplingGap } from '../../core/cache/figures.ts';
import { machineById } from '../../core/cache/machines.ts';
import { parseProblemText } from '../../core/problem.ts';
import { parseSchedule } from '../../core/schedule.ts';
import { simulateCache, WARM_UP } from '../../runtime/cacheSim.ts';
import { type CacheSimModule, instantiateCacheSim, loadCacheSim } from '../../runtime/wasmCacheSim.ts';
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

  it('simulates every access of a kernel it would sample when asked to, and the sampled figures come close', async () => {
    const problem = 'C[m,n] += A[m,k] * B[k,n]\nm=384, n=384, k=384';
    const sampled = await api.simulateCache(problem, 'm n k', 'zen4');
    expect(sampled.method).toBe('sampled');
    const exact = await api.simulateCache(problem, 'm n k', 'zen4', { exact: true });
    expect(exact.method).toBe('exact');
    expect(exact.sampling).toBeUndefined();
    expect(exact.instructions).toBe(sampled.instructions);
    expect(samplingGap(sampled, exact)?.relative).toBeLessThan(0.05);
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

  it('warms up once, and a simulation asked during the warm-up runs after it with the figures of a cold worker', async () => {
    // A fresh module per worker, counted; each simulation it starts is logged by its memory size in lines.
    const made: { simulations: number[] }[] = [];
    const freshModule = async (): Promise<CacheSimModule> => {
      const m = await instantiateCacheSim();
      const record = { simulations: [] as number[] };
      made.push(record);
      const create = m._sim_create;
      const counted = (...args: Parameters<CacheSimModule['_sim_create']>) => {
        record.simulations.push(args[4]);
        return create(...args);
      };
      // Emscripten's export rebinds itself on its first call: keep the counting one in place.
      Object.defineProperty(m, '_sim_create', { get: () => counted, set: () => {} });
      return m;
    };
    const tiled = 'C[m,n] += A[m,k] * B[k,n]\nm=128, n=128, k=128';
    const schedule = 'k:8 m:32 n:16 k:16 m:4 n:8';
    const warm = createCacheApi({ cacheSim: freshModule });
    const [first, figures, second] = await Promise.all([
      warm.warmUp(),
      warm.simulateCache(tiled, schedule, 'zen4'),
      warm.warmUp(),
    ]);
    expect(second).toEqual(first);
    expect(first.simulateMs).toBeGreaterThan(0);
    const cold = createCacheApi({ cacheSim: freshModule });
    const coldFigures = await cold.simulateCache(tiled, schedule, 'zen4');
    const requestLines = made[1].simulations[0];
    expect(made[1].simulations).toEqual([requestLines]);
    // One module in the warm worker: the warm-up's simulation (64^3, fewer lines) first, then the request's.
    expect(made).toHaveLength(2);
    expect(WARM_UP.problem).toContain('m=64, n=64, k=64');
    expect(made[0].simulations).toHaveLength(2);
    expect(made[0].simulations[0]).toBeLessThan(requestLines / 3);
    expect(made[0].simulations[1]).toBe(requestLines);
    expect(withoutTime(figures)).toEqual(withoutTime(coldFigures));
    expect(figures.levels[0].total.misses).toBeGreaterThan(0);
  });

  it('refuses an unknown machine and a bad schedule in words', async () => {
    await expect(api.simulateCache(MATMUL, 'm n k', 'cray')).rejects.toThrow(
      /unknown machine 'cray'; choose one of zen4/,
    );
    await expect(api.simulateCache(MATMUL, 'm n q', 'zen4')).rejects.toThrow(/q/);
  });
});
