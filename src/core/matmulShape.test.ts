import { describe, expect, it } from 'vitest';
import { matmulShape } from './matmulShape.ts';
import { parseProblem } from './problem.ts';

describe('matmulShape', () => {
  it('recognizes matmul under any names and layouts', () => {
    expect(matmulShape(parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=2, n=3, k=4'))).toEqual({
      batch: null,
      m: 'm',
      n: 'n',
      k: 'k',
      aInput: 0,
      transposeA: false,
      transposeB: false,
    });
    expect(matmulShape(parseProblem('Y[i,j] += X[r,i] * W[j,r]', 'i=2, j=3, r=4'))).toMatchObject({
      m: 'i',
      n: 'j',
      k: 'r',
      aInput: 0,
      transposeA: true,
      transposeB: true,
    });
    // Inputs in the other order: A is the second input.
    expect(matmulShape(parseProblem('C[m,n] += B[k,n] * A[m,k]', 'm=2, n=3, k=4'))).toMatchObject({
      aInput: 1,
      transposeA: false,
      transposeB: false,
    });
  });

  it('recognizes batched matmul with the batch variable first', () => {
    expect(matmulShape(parseProblem('C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=2, n=3, k=4'))).toMatchObject({
      batch: 'b',
      m: 'm',
      n: 'n',
      k: 'k',
    });
    expect(matmulShape(parseProblem('C[m,b,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=2, n=3, k=4'))).toBeNull();
  });

  it('rejects other contractions', () => {
    // Two reductions.
    expect(matmulShape(parseProblem('C[m] += A[m,k,l] * B[k,l]', 'm=2, k=3, l=4'))).toBeNull();
    // Elementwise.
    expect(matmulShape(parseProblem('C[i] += A[i] * B[i]', 'i=3'))).toBeNull();
    // Outer product (no reduction).
    expect(matmulShape(parseProblem('C[m,n] += A[m] * B[n]', 'm=3, n=4'))).toBeNull();
    // A convolution's index sums.
    expect(matmulShape(parseProblem('O[co,oh] += I[ci,oh+kh] * W[co,ci,kh]', 'co=2, ci=2, oh=4, kh=3'))).toBeNull();
  });
});
