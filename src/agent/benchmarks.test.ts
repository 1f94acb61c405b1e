import { describe, expect, it } from 'vitest';
import { bmmSet, benchmarkProblem, convSet, matmulSet, oddBenchmarks, samplePerFamily, splitBenchmarks } from './benchmarks.ts';

describe('benchmark sets', () => {
  it("matmul is LoopTune's grid: m, k, n in 64, 80, ..., 256", () => {
    const all = matmulSet();
    expect(all).toHaveLength(13 ** 3);
    expect(all[0]).toMatchObject({ id: 'matmul m=64,n=64,k=64', sizes: 'm=64, n=64, k=64', op: 'C[m,n] += A[m,k] * B[k,n]' });
    expect(new Set(all.map((b) => b.id)).size).toBe(all.length);
    expect(benchmarkProblem(all[all.length - 1]).sizes).toEqual({ m: 256, n: 256, k: 256 });
  });

  it('batched matmul and convolution grids parse', () => {
    expect(bmmSet()).toHaveLength(3 * 7 ** 3);
    expect(convSet()).toHaveLength(4 * 4 * 6 * 2);
    for (const b of [...samplePerFamily(bmmSet(), 5), ...samplePerFamily(convSet(), 5)]) expect(benchmarkProblem(b).flops).toBeGreaterThan(0);
  });

  it('splits 90/10 by seed, with a validation slice taken from the train part', () => {
    const a = splitBenchmarks(1);
    const b = splitBenchmarks(1);
    const c = splitBenchmarks(2);
    expect(a).toEqual(b);
    expect(a.test).not.toEqual(c.test);
    const total = 13 ** 3 + 3 * 7 ** 3 + 192;
    expect(a.train.length + a.validation.length + a.test.length).toBe(total);
    expect(a.test.filter((x) => x.family === 'matmul')).toHaveLength(220);
    const ids = [...a.train, ...a.validation, ...a.test].map((x) => x.id);
    expect(new Set(ids).size).toBe(total);
  });

  it('odd sizes are off every grid and parse', () => {
    const odd = oddBenchmarks(1);
    expect(odd).toHaveLength(12);
    const grid = new Set([...matmulSet(), ...bmmSet(), ...convSet()].map((b) => b.id));
    for (const b of odd) {
      expect(grid.has(b.id)).toBe(false);
      expect(benchmarkProblem(b).flops).toBeGreaterThan(0);
    }
  });
});
