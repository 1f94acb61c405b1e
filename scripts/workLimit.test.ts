// The work limits of the command-line runs: the FLOP limit names its flag, naive-js's smaller
// problem stays under its budget, progress goes to its writer only when asked.
import { describe, expect, it } from 'vitest';
import { UsageError } from './cli.ts';
import { Progress, checkWork, naiveSampleSizes } from './workLimit.ts';

describe('checkWork', () => {
  it('refuses a call over the limit, naming the limit and the flag that lifts it', () => {
    const flops = 2 * 2048 ** 3;
    expect(() => checkWork(flops, 10, 'timing every row')).toThrow(UsageError);
    expect(() => checkWork(flops, 10, 'timing every row')).toThrow(
      'the problem takes 17.2 GFLOP a call, over the limit of 10 GFLOP: timing every row would run for minutes; use smaller sizes, or pass --max-gflop 18 to run it anyway',
    );
    expect(() => checkWork(flops, 18, 'timing every row')).not.toThrow();
    expect(() => checkWork(2 * 1024 ** 3, 10, 'x')).not.toThrow();
  });
});

describe('naiveSampleSizes', () => {
  const flopsOf = (s: Record<string, number>) => 2 * Object.values(s).reduce((p, x) => p * x, 1);

  it('leaves a small problem alone', () => {
    expect(naiveSampleSizes(['m', 'n', 'k'], { m: 64, n: 64, k: 64 }, 2 * 64 ** 3, 1e9)).toBeNull();
  });

  it('shrinks the outermost variable first, to fit the budget', () => {
    const sizes = { m: 1024, n: 1024, k: 1024 };
    const s = naiveSampleSizes(['m', 'n', 'k'], sizes, flopsOf(sizes), 5e8)!;
    expect(s).toEqual({ m: 238, n: 1024, k: 1024 });
    expect(flopsOf(s)).toBeLessThanOrEqual(5e8);
  });

  it('goes on to the next variables when one row is already too much', () => {
    const sizes = { co: 512, oh: 112, ow: 112, ci: 512, kh: 3, kw: 3 };
    const s = naiveSampleSizes(['co', 'oh', 'ow', 'ci', 'kh', 'kw'], sizes, flopsOf(sizes), 1e6)!;
    expect(s.co).toBe(1);
    expect(flopsOf(s)).toBeLessThanOrEqual(1e6);
    expect(flopsOf(s)).toBeGreaterThan(1e6 / 112);
    expect([s.ci, s.kh, s.kw]).toEqual([512, 3, 3]);
  });
});

describe('Progress', () => {
  it('writes a line per step with its time when enabled, nothing otherwise', () => {
    let t = 0;
    const out: string[] = [];
    const on = new Progress(
      'bench',
      2,
      true,
      (x) => void out.push(x),
      () => t,
    );
    on.start(1, 'naive-js');
    t = 1500;
    on.done();
    expect(out.join('')).toBe('bench: [1/2] naive-js ... 1.5 s\n');
    const quiet: string[] = [];
    const off = new Progress(
      'bench',
      2,
      false,
      (x) => void quiet.push(x),
      () => t,
    );
    off.start(1, 'naive-js');
    off.done();
    expect(quiet).toEqual([]);
  });
});
