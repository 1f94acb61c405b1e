import { describe, expect, it } from 'vitest';
import { parseProblem } from './problem.ts';
import { fillRandom, seededRandom } from './random.ts';
import { flopCount, reduceElement, reductionWalk, referenceCompute } from './reference.ts';

describe('referenceCompute', () => {
  it('matches a hand-written matmul triple loop', () => {
    const [M, N, K] = [5, 7, 3];
    const p = parseProblem('C[m,n] += A[m,k] * B[k,n]', `m=${M}, n=${N}, k=${K}`);
    const a = new Float32Array(M * K);
    const b = new Float32Array(K * N);
    fillRandom(a, 1);
    fillRandom(b, 2);
    const c = new Float32Array(M * N).fill(0.5);
    referenceCompute(p, c, a, b);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[m * K + k] * b[k * N + n];
        expect(c[m * N + n]).toBeCloseTo(0.5 + s, 6);
      }
    }
    expect(flopCount(p)).toBe(2 * M * N * K);
    expect(flopCount(p)).toBe(p.flops);
  });

  it('batched matmul', () => {
    const p = parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=3, n=2, k=4');
    const a = new Float32Array(24);
    const bb = new Float32Array(16);
    fillRandom(a, 3);
    fillRandom(bb, 4);
    const c = new Float32Array(12);
    referenceCompute(p, c, a, bb);
    for (let b = 0; b < 2; b++)
      for (let m = 0; m < 3; m++)
        for (let n = 0; n < 2; n++) {
          let s = 0;
          for (let k = 0; k < 4; k++) s += a[b * 12 + m * 4 + k] * bb[b * 8 + k * 2 + n];
          expect(c[b * 6 + m * 2 + n]).toBeCloseTo(s, 6);
        }
  });

  it('a tiny conv computed by hand', () => {
    // One channel in and out, 3x3 input, 2x2 kernel, 2x2 output.
    const p = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=1, ci=1, oh=2, ow=2, kh=2, kw=2');
    const input = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = new Float32Array([1, 0, 0, -1]); // x[i][j] - x[i+1][j+1]
    const out = new Float32Array(4);
    referenceCompute(p, out, input, w);
    expect(Array.from(out)).toEqual([1 - 5, 2 - 6, 4 - 8, 5 - 9]);
  });

  it('a tiny strided conv with two channels computed by hand', () => {
    // co=1, ci=2, oh=ow=2, kh=kw=1, stride 2: O[0,i,j] = I[0,2i,2j]*W0 + I[1,2i,2j]*W1 over a 3x3 input.
    const p = parseProblem(
      'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
      'co=1, ci=2, oh=2, ow=2, kh=1, kw=1',
    );
    expect(p.inputs[0].shape).toEqual([2, 3, 3]);
    const input = new Float32Array(18).map((_, i) => i);
    const w = new Float32Array([2, 10]);
    const out = new Float32Array(4);
    referenceCompute(p, out, input, w);
    const at = (c: number, y: number, x: number) => c * 9 + y * 3 + x;
    expect(Array.from(out)).toEqual([
      2 * at(0, 0, 0) + 10 * at(1, 0, 0),
      2 * at(0, 0, 2) + 10 * at(1, 0, 2),
      2 * at(0, 2, 0) + 10 * at(1, 2, 0),
      2 * at(0, 2, 2) + 10 * at(1, 2, 2),
    ]);
  });

  it('accumulates in float64 and adds once per output element', () => {
    const p = parseProblem('C[m] += A[m,k] * B[k]', 'm=1, k=3');
    const out = new Float32Array([1]);
    // 2^24 + 1 - 2^24 is exact in float64 but not when accumulated in f32.
    referenceCompute(p, out, new Float32Array([16777216, 1, -16777216]), new Float32Array([1, 1, 1]));
    expect(out[0]).toBe(2);
  });

  it('handles problems without reductions', () => {
    const p = parseProblem('C[m,n] += A[m,n] * B[n,m]', 'm=2, n=3');
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const b = new Float32Array([1, 10, 100, 1000, 10000, 100000]);
    const c = new Float32Array(6);
    referenceCompute(p, c, a, b);
    // C[m,n] = A[m*3+n] * B[n*2+m]
    expect(Array.from(c)).toEqual([1, 200, 30000, 40, 5000, 600000]);
  });

  it('refuses buffers that are too small', () => {
    const p = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=2, n=2, k=2');
    expect(() => referenceCompute(p, new Float32Array(3), new Float32Array(4), new Float32Array(4))).toThrow(
      'out holds 3 elements, the problem needs 4',
    );
  });
});

describe('reduceElement', () => {
  it('walks every reduction variable from the element offsets, the last variable fastest', () => {
    // X[m] += A[m,k,j] * B[k,j], m=2 k=2 j=2: A's element m=1 starts at offset 4.
    const p = parseProblem('X[m] += A[m,k,j] * B[k,j]', 'm=2, k=2, j=2');
    const walk = reductionWalk(p);
    expect(walk).toEqual({ sizes: [2, 2], strides0: [2, 1], strides1: [2, 1] });
    const a = new Float32Array([9, 9, 9, 9, 1, -2, 3, -4]);
    const b = new Float32Array([1, 10, 100, 1000]);
    // 1*1 - 2*10 + 3*100 - 4*1000
    expect(reduceElement(walk, a, b, 4, 0)).toEqual({ value: -3719, sumAbs: 4321 });
    expect(reduceElement(walk, a, b, 0, 0)).toEqual({ value: 9999, sumAbs: 9999 });
  });

  it('is one product without reduction variables', () => {
    const p = parseProblem('C[m,n] += A[m] * B[n]', 'm=2, n=2');
    expect(reduceElement(reductionWalk(p), new Float32Array([3, -2]), new Float32Array([5, 7]), 1, 0)).toEqual({
      value: -10,
      sumAbs: 10,
    });
  });
});

describe('random', () => {
  it('is seeded and reproducible', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(seededRandom(43)()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('fillRandom gives values in [-1, 1), exact in f32, roughly uniform', () => {
    const arr = new Float32Array(20000);
    fillRandom(arr, 7);
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const x of arr) {
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThan(1);
    expect(min).toBeLessThan(-0.99);
    expect(max).toBeGreaterThan(0.99);
    expect(Math.abs(sum / arr.length)).toBeLessThan(0.03);
    const again = new Float32Array(20000);
    fillRandom(again, 7);
    expect(again).toEqual(arr);
  });
});
