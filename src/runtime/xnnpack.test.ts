import { describe, expect, it } from 'vitest';
import { allocateBuffers } from './buffers.ts';
import { parseProblem } from '../core/problem.ts';
import { convShape, matmulShape, measureXnnpack, xnnpackOp } from './xnnpack.ts';
import { plainProblem } from './testKernels.ts';

describe('matmulShape', () => {
  it('recognizes matmul under any names and layouts', () => {
    expect(matmulShape(plainProblem(['C', 'm', 'n'], ['A', 'm', 'k'], ['B', 'k', 'n'], { m: 2, n: 3, k: 4 }))).toEqual({
      batch: null, m: 'm', n: 'n', k: 'k', aInput: 0, transposeA: false, transposeB: false,
    });
    expect(matmulShape(plainProblem(['Y', 'i', 'j'], ['X', 'r', 'i'], ['W', 'j', 'r'], { i: 2, j: 3, r: 4 }))).toMatchObject({
      m: 'i', n: 'j', k: 'r', aInput: 0, transposeA: true, transposeB: true,
    });
    // Inputs in the other order: A is the second input.
    expect(matmulShape(plainProblem(['C', 'm', 'n'], ['B', 'k', 'n'], ['A', 'm', 'k'], { m: 2, n: 3, k: 4 }))).toMatchObject({
      aInput: 1, transposeA: false, transposeB: false,
    });
  });

  it('recognizes batched matmul with the batch variable first', () => {
    expect(matmulShape(plainProblem(['C', 'b', 'm', 'n'], ['A', 'b', 'm', 'k'], ['B', 'b', 'k', 'n'], { b: 2, m: 2, n: 3, k: 4 }))).toMatchObject({
      batch: 'b', m: 'm', n: 'n', k: 'k',
    });
    expect(matmulShape(plainProblem(['C', 'm', 'b', 'n'], ['A', 'b', 'm', 'k'], ['B', 'b', 'k', 'n'], { b: 2, m: 2, n: 3, k: 4 }))).toBeNull();
  });

  it('rejects other contractions', () => {
    // Two reductions.
    expect(matmulShape(plainProblem(['C', 'm'], ['A', 'm', 'k', 'l'], ['B', 'k', 'l'], { m: 2, k: 3, l: 4 }))).toBeNull();
    // Elementwise.
    expect(matmulShape(plainProblem(['C', 'i'], ['A', 'i'], ['B', 'i'], { i: 3 }))).toBeNull();
    // Outer product (no reduction).
    expect(matmulShape(plainProblem(['C', 'm', 'n'], ['A', 'm'], ['B', 'n'], { m: 3, n: 4 }))).toBeNull();
  });
});

describe('measureXnnpack', () => {
  it('runs tf.matMul on the wasm backend, checks it and times it', async () => {
    for (const p of [
      plainProblem(['C', 'm', 'n'], ['A', 'm', 'k'], ['B', 'k', 'n'], { m: 13, n: 17, k: 19 }),
      plainProblem(['C', 'm', 'n'], ['B', 'n', 'k'], ['A', 'k', 'm'], { m: 13, n: 17, k: 19 }),
      plainProblem(['C', 'b', 'm', 'n'], ['A', 'b', 'k', 'm'], ['B', 'b', 'k', 'n'], { b: 3, m: 5, n: 6, k: 7 }),
    ]) {
      const b = allocateBuffers(p);
      const r = await measureXnnpack(p, b, { timing: { samples: 2, minSampleMs: 1, warmupMs: 1 } });
      expect(r?.check.correct).toBe(true);
      expect(r?.gflops).toBeGreaterThan(0);
      expect(b.out.every((x) => x === 0)).toBe(true);
    }
  });

  it('returns null for problems that are not matmul-shaped', async () => {
    const p = plainProblem(['C', 'i'], ['A', 'i'], ['B', 'i'], { i: 3 });
    expect(await measureXnnpack(p, allocateBuffers(p))).toBeNull();
  });
});

describe('convShape', () => {
  const CONV = 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]';
  it('recognizes CHW / OIHW convolutions with a stride, under any names and input order', () => {
    expect(convShape(parseProblem(CONV, 'co=4, ci=3, oh=5, ow=6, kh=3, kw=3'))).toEqual({
      co: 'co', ci: 'ci', oh: 'oh', ow: 'ow', kh: 'kh', kw: 'kw', stride: 1, imageInput: 0,
    });
    expect(convShape(parseProblem('Y[f,y,x] += K[f,c,r,s] * X[c,2*y+r,2*x+s]', 'f=4, c=3, y=5, x=6, r=3, s=3'))).toMatchObject({
      co: 'f', ci: 'c', kh: 'r', kw: 's', stride: 2, imageInput: 1,
    });
    expect(xnnpackOp(parseProblem(CONV, 'co=4, ci=3, oh=5, ow=6, kh=1, kw=1'))).toBe('conv2d');
  });

  it('rejects what tf.conv2d cannot run as is', () => {
    // Different strides along the two axes.
    expect(convShape(parseProblem('O[co,oh,ow] += I[ci,2*oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=2, ci=2, oh=3, ow=3, kh=2, kw=2'))).toBeNull();
    // Filter not in OIHW order.
    expect(convShape(parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[ci,co,kh,kw]', 'co=2, ci=2, oh=3, ow=3, kh=2, kw=2'))).toBeNull();
    expect(xnnpackOp(parseProblem('C[i] += A[i] * B[i]', 'i=8'))).toBeNull();
  });
});

describe('measureXnnpack on convolutions', () => {
  it('runs tf.conv2d at stride 1 and 2, checks it against the reference and times it', async () => {
    for (const p of [
      parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=5, ci=3, oh=7, ow=6, kh=3, kw=2'),
      parseProblem('O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]', 'co=4, ci=2, oh=5, ow=3, kh=3, kw=3'),
      parseProblem('O[co,oh,ow] += W[co,ci,kh,kw] * I[ci,oh+kh,ow+kw]', 'co=3, ci=4, oh=4, ow=4, kh=1, kw=1'),
    ]) {
      const b = allocateBuffers(p);
      const r = await measureXnnpack(p, b, { timing: { samples: 2, minSampleMs: 1, warmupMs: 1 } });
      expect(r?.check.correct, r?.check.reason).toBe(true);
      expect(r?.check.checked).toBe('full');
      expect(r?.gflops).toBeGreaterThan(0);
      expect(b.out.every((x) => x === 0)).toBe(true);
    }
  });
});
