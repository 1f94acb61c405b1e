// The analytic reuse estimate behind the cost model's cache features.
import { describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { reuseEstimate, tensorFootprints } from './reuseModel.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';

describe('reuse estimate', () => {
  it('gives each tensor its footprint inside every loop', () => {
    const p = parseProblem(MATMUL, 'm=64, n=64, k=32');
    const f = tensorFootprints(p, parseSchedule(p, 'm n k m:4 n:8'));
    // Inside k: C 4x8, A 4x32, B 32x8 (bytes).
    expect(f[2]).toEqual([4 * 32, 4 * 128, 4 * 256]);
    // The whole nest: every tensor whole.
    expect(f[0]).toEqual([4 * 64 * 64, 4 * 64 * 32, 4 * 32 * 64]);
  });

  it('counts compulsory traffic when everything fits, and cuts L2 misses with a k split at 2048', () => {
    const small = parseProblem(MATMUL, 'm=32, n=32, k=32');
    const e = reuseEstimate(small, parseSchedule(small, 'm n k m:4 n:8'));
    expect(e.fitsFrom).toEqual([0, 0, 0]);
    // 3 tensors of 4 KiB once, in 64-byte lines, over 32^3 multiply-adds.
    expect(e.missesPerFma[0].reduce((a, b) => a + b, 0)).toBeCloseTo((3 * 4096) / 64 / 32 ** 3, 10);
    const big = parseProblem(MATMUL, 'm=2048, n=2048, k=2048');
    const whole = reuseEstimate(big, parseSchedule(big, 'm n k m:4 n:16'));
    const split = reuseEstimate(big, parseSchedule(big, 'k m n k:64 m:4 n:16'));
    const l2 = (x: typeof whole) => x.missesPerFma[1].reduce((a, b) => a + b, 0);
    // k whole: a 2048 x 16 panel of B (128 KiB) and 4 rows of A per tile fit L2 but B's whole
    // 16 MiB does not, so B streams from L3 for every row of tiles; k:64 keeps a 64 x 2048
    // slice of B (512 KiB) in L2 while a row of tiles sweeps it.
    expect(l2(split)).toBeLessThan(l2(whole));
  });
});
