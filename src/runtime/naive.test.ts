import { describe, expect, it } from 'vitest';
import { allocateBuffers } from './buffers.ts';
import { checkOutput } from './check.ts';
import { compileNaive, measureNaive, naiveSource } from './naive.ts';
import { plainProblem } from './testKernels.ts';

describe('naive-js', () => {
  const problem = plainProblem(['C', 'm', 'n'], ['A', 'k', 'm'], ['B', 'n', 'k'], { m: 5, n: 6, k: 7 });

  it('nests the loops in the default order (output variables, then reductions) with baked-in strides', () => {
    const src = naiveSource(problem);
    const loops = [...src.matchAll(/for \(let (i\d)/g)].map((m) => m[1]);
    expect(loops).toEqual(['i0', 'i1', 'i2']);
    expect(src).toContain('i0 < 5; i0++, o0 += 6, a0 += 1, b0 += 0');
    expect(src).toContain('i2 < 7; i2++, o2 += 0, a2 += 5, b2 += 1');
    expect(src).toContain('out[o2] += in0[a2] * in1[b2];');
  });

  it('computes the problem', () => {
    const b = allocateBuffers(problem);
    const naive = compileNaive(problem);
    expect(checkOutput(problem, b, () => naive(b.out, b.in0, b.in1)).correct).toBe(true);
  });

  it('is checked and timed like a kernel', () => {
    const b = allocateBuffers(problem);
    const r = measureNaive(problem, b, { timing: { samples: 2, minSampleMs: 1, warmupMs: 1 } });
    expect(r.check.correct).toBe(true);
    expect(r.gflops).toBeGreaterThan(0);
    expect(r.gflopsMedian).toBeGreaterThan(0);
    expect(r.gflops!).toBeGreaterThanOrEqual(r.gflopsMedian!);
    expect(b.out.every((x) => x === 0)).toBe(true);
  });
});
