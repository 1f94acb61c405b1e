import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import {
  bmmSet,
  benchmarkProblem,
  convSet,
  matmulSet,
  oddBenchmarks,
  problemPicker,
  samplePerFamily,
  splitBenchmarks,
} from './benchmarks.ts';

describe('benchmark sets', () => {
  it("matmul is LoopTune's grid: m, k, n in 64, 80, ..., 256", () => {
    const all = matmulSet();
    expect(all).toHaveLength(13 ** 3);
    expect(all[0]).toMatchObject({
      id: 'matmul m=64,n=64,k=64',
      sizes: 'm=64, n=64, k=64',
      op: 'C[m,n] += A[m,k] * B[k,n]',
    });
    expect(new Set(all.map((b) => b.id)).size).toBe(all.length);
    expect(benchmarkProblem(all[all.length - 1]).sizes).toEqual({ m: 256, n: 256, k: 256 });
  });

  it('batched matmul and convolution grids parse', () => {
    expect(bmmSet()).toHaveLength(3 * 7 ** 3);
    expect(convSet()).toHaveLength(4 * 4 * 6 * 2);
    for (const b of [...samplePerFamily(bmmSet(), 5), ...samplePerFamily(convSet(), 5)])
      expect(benchmarkProblem(b).flops).toBeGreaterThan(0);
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

describe('problemPicker', () => {
  it('draws a family by its weight, then one of its problems', () => {
    const train = splitBenchmarks(1).train;
    const pick = problemPicker(train, { matmul: 0.5, bmm: 0.25, conv: 0.25 }, seededRandom(7));
    const counts: Record<string, number> = { matmul: 0, bmm: 0, conv: 0 };
    const seen = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      const b = pick();
      counts[b.family]++;
      seen.add(b.id);
      expect(train).toContain(b);
    }
    expect(counts.matmul / 4000).toBeCloseTo(0.5, 1);
    expect(counts.bmm / 4000).toBeCloseTo(0.25, 1);
    expect(counts.conv / 4000).toBeCloseTo(0.25, 1);
    // Convolutions are few (about 170), so 1000 draws see most of them.
    expect([...seen].filter((id) => id.startsWith('conv')).length).toBeGreaterThan(120);
    const again = problemPicker(train, { matmul: 0.5, bmm: 0.25, conv: 0.25 }, seededRandom(7));
    const first = problemPicker(train, { matmul: 0.5, bmm: 0.25, conv: 0.25 }, seededRandom(7));
    expect(Array.from({ length: 20 }, () => again().id)).toEqual(Array.from({ length: 20 }, () => first().id));
  });
});

describe('expertBenchmarks and costTrainingProblem', () => {
  it('the expert set has every family, matmuls up to 512, odd sizes and 56x56 convolutions with 64 channels, ids unique', async () => {
    const { expertBenchmarks } = await import('./benchmarks.ts');
    const set = expertBenchmarks();
    expect(new Set(set.map((b) => b.id)).size).toBe(set.length);
    expect(set.some((b) => b.id === 'matmul m=512,n=512,k=512')).toBe(true);
    expect(set.some((b) => b.id === 'conv co=64,oh=56,ow=56,ci=64,kh=3,kw=3')).toBe(true);
    expect(set.some((b) => b.id.startsWith('conv-stride2') && b.op.includes('2*oh'))).toBe(true);
    for (const b of set) expect(benchmarkProblem(b).flops).toBeGreaterThan(0);
  });

  it('never draws a test-split or expert-set problem, nor one over 300 MFLOP', async () => {
    const { costTrainingProblem, expertBenchmarks, splitBenchmarks } = await import('./benchmarks.ts');
    const { seededRandom } = await import('../core/random.ts');
    const split = splitBenchmarks(1);
    const excluded = new Set([...split.test, ...expertBenchmarks()].map((b) => b.id));
    // Exclude a drawn problem to see it is never drawn again.
    const random = seededRandom(3);
    const first = costTrainingProblem(split.train, excluded, random, 0);
    excluded.add(first.id);
    const families = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const b = costTrainingProblem(split.train, excluded, random, 0);
      expect(excluded.has(b.id)).toBe(false);
      expect(benchmarkProblem(b).flops).toBeLessThanOrEqual(3e8);
      families.add(b.id.split(' ')[0]);
    }
    expect([...families].sort()).toEqual(['bmm', 'conv', 'conv-stride2', 'matmul']);
  });

  it('draws large problems (to a 2048^3 matmul, 512 channels) a share of the time, never one of the large set', async () => {
    const { costTrainingProblem, largeBenchmarks, LARGE_TRAINING_SHARE, MAX_TRAINING_FLOPS } = await import(
      './benchmarks.ts'
    );
    const { seededRandom } = await import('../core/random.ts');
    const large = largeBenchmarks();
    expect(new Set(large.map((b) => b.id)).size).toBe(large.length);
    expect(large.some((b) => b.id === 'matmul m=2048,n=2048,k=2048')).toBe(true);
    const excluded = new Set(large.map((b) => b.id));
    const random = seededRandom(5);
    let big = 0;
    for (let i = 0; i < 400; i++) {
      const b = costTrainingProblem([], excluded, random);
      expect(excluded.has(b.id)).toBe(false);
      const flops = benchmarkProblem(b).flops;
      expect(flops).toBeLessThanOrEqual(MAX_TRAINING_FLOPS);
      if (flops > 3e8) big++;
    }
    expect(big / 400).toBeGreaterThan(LARGE_TRAINING_SHARE / 2);
  });
});
