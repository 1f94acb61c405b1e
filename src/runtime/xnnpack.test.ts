import { describe, expect, it } from 'vitest';
import { allocateBuffers } from './buffers.ts';
import { matmulShape, measureXnnpack } from './xnnpack.ts';
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
