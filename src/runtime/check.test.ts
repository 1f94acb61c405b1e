import { describe, expect, it } from 'vitest';
import { allocateBuffers, type KernelBuffers } from './buffers.ts';
import { checkOutput, elementName, elementReference, sampleOutputIndices, tolerance } from './check.ts';
import { instantiateKernel } from './measure.ts';
import { elementwiseKernelBytes, plainProblem, type ElementwiseVariant } from './testKernels.ts';

const matmul = (m: number, n: number, k: number) =>
  plainProblem(['C', 'm', 'n'], ['A', 'm', 'k'], ['B', 'k', 'n'], { m, n, k });

/**
 * A float32 matmul "kernel" in JS that sums k in `lanes` interleaved partial sums, then adds the
 * lanes (what a vectorized kernel with a horizontal sum does): correct up to reassociation.
 */
function reassociatedMatmul(b: KernelBuffers, m: number, n: number, k: number, lanes = 4) {
  const f = Math.fround;
  return () => {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const acc = new Array<number>(lanes).fill(0);
        for (let p = 0; p < k; p++) acc[p % lanes] = f(acc[p % lanes] + f(b.in0[i * k + p] * b.in1[p * n + j]));
        let s = 0;
        for (const a of acc) s = f(s + a);
        b.out[i * n + j] = f(b.out[i * n + j] + s);
      }
    }
  };
}

describe('checkOutput', () => {
  it('accepts a correct kernel that sums in another order', () => {
    const [m, n, k] = [9, 11, 300];
    const p = matmul(m, n, k);
    const b = allocateBuffers(p, 3);
    const r = checkOutput(p, b, reassociatedMatmul(b, m, n, k));
    expect(r).toMatchObject({ correct: true, checked: 'full', checkedElements: m * n });
    expect(r.maxError).toBeGreaterThanOrEqual(0);
    expect(r.maxError).toBeLessThan(1e-3);
    expect(r.firstMismatch).toBeUndefined();
    // The output is left zeroed for the caller.
    expect(b.out.every((x) => x === 0)).toBe(true);
  });

  it('accepts reassociation over a long reduction', () => {
    const [m, n, k] = [2, 3, 20000];
    const p = matmul(m, n, k);
    const b = allocateBuffers(p, 5);
    expect(checkOutput(p, b, reassociatedMatmul(b, m, n, k, 16)).correct).toBe(true);
  });

  it('catches one corrupted output element and names it', () => {
    const [m, n, k] = [6, 7, 8];
    const p = matmul(m, n, k);
    const b = allocateBuffers(p);
    const good = reassociatedMatmul(b, m, n, k);
    const r = checkOutput(p, b, () => {
      good();
      b.out[2 * n + 3] += 0.01;
    });
    expect(r.correct).toBe(false);
    expect(r.firstMismatch?.index).toBe(2 * n + 3);
    expect(r.firstMismatch?.got).not.toBeCloseTo(r.firstMismatch!.expected, 3);
    expect(r.maxError).toBeGreaterThan(0.005);
    expect(r.reason).toMatch(/^wrong value at C\[2,3\]: got .*, expected .*tolerance/);
  });

  it('catches a missing term of the reduction', () => {
    const [m, n, k] = [4, 4, 64];
    const p = matmul(m, n, k);
    const b = allocateBuffers(p);
    const r = checkOutput(p, b, () => {
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++)
          for (let q = 0; q < k - 1; q++) b.out[i * n + j] += b.in0[i * k + q] * b.in1[q * n + j];
    });
    expect(r.correct).toBe(false);
    expect(r.firstMismatch?.index).toBe(0);
  });

  it('treats NaN as wrong', () => {
    const p = matmul(3, 3, 3);
    const b = allocateBuffers(p);
    const good = reassociatedMatmul(b, 3, 3, 3);
    const r = checkOutput(p, b, () => {
      good();
      b.out[8] = NaN;
    });
    expect(r.correct).toBe(false);
    expect(r.maxError).toBe(Infinity);
    expect(r.firstMismatch?.index).toBe(8);
  });

  it('reports a trap as incorrect', () => {
    const p = matmul(3, 3, 3);
    const b = allocateBuffers(p);
    const r = checkOutput(p, b, () => {
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    });
    expect(r.correct).toBe(false);
    expect(r.reason).toBe('the kernel trapped: RuntimeError: memory access out of bounds');
  });

  it('catches writes to an input and restores the input', () => {
    const p = matmul(5, 5, 5);
    const b = allocateBuffers(p);
    const before = b.in1.slice();
    const good = reassociatedMatmul(b, 5, 5, 5);
    const r = checkOutput(p, b, () => {
      good();
      b.in1[3] = 123;
    });
    expect(r.correct).toBe(false);
    expect(r.reason).toBe('the kernel wrote to the input B');
    expect(b.in1).toEqual(before);
  });

  it('checks a deterministic sample of large problems', () => {
    const [m, n, k] = [40, 50, 30];
    const p = matmul(m, n, k);
    const b = allocateBuffers(p);
    const good = reassociatedMatmul(b, m, n, k);
    const ok = checkOutput(p, b, good, { fullCheckMaxFlops: 0, samples: 100 });
    expect(ok).toMatchObject({ correct: true, checked: 'sampled', checkedElements: 100 });
    // The last element (where tails end) is always sampled.
    const bad = checkOutput(
      p,
      b,
      () => {
        good();
        b.out[m * n - 1] -= 1;
      },
      { fullCheckMaxFlops: 0, samples: 100 },
    );
    expect(bad.correct).toBe(false);
    expect(bad.checked).toBe('sampled');
    expect(bad.firstMismatch?.index).toBe(m * n - 1);
  });

  it('checks other shapes (transposed, batched, convolution-like outputs)', () => {
    const bmm = plainProblem(['C', 'b', 'm', 'n'], ['A', 'b', 'k', 'm'], ['B', 'b', 'n', 'k'], {
      b: 3,
      m: 4,
      n: 5,
      k: 6,
    });
    const buf = allocateBuffers(bmm);
    const run = () => {
      for (let x = 0; x < 3; x++)
        for (let i = 0; i < 4; i++)
          for (let j = 0; j < 5; j++)
            for (let q = 5; q >= 0; q--)
              buf.out[(x * 4 + i) * 5 + j] += buf.in0[(x * 6 + q) * 4 + i] * buf.in1[(x * 5 + j) * 6 + q];
    };
    expect(checkOutput(bmm, buf, run).correct).toBe(true);
    expect(checkOutput(bmm, buf, run, { fullCheckMaxFlops: 0, samples: 10 }).correct).toBe(true);
  });
});

describe('hand-written wasm kernels', () => {
  const n = 37;
  const problem = plainProblem(['C', 'i'], ['A', 'i'], ['B', 'i'], { i: n });

  async function check(variant: ElementwiseVariant) {
    const buffers = allocateBuffers(problem, 9);
    const module = await WebAssembly.compile(elementwiseKernelBytes(n, variant) as Uint8Array<ArrayBuffer>);
    const run = await instantiateKernel(module, buffers);
    const result = checkOutput(problem, buffers, run);
    return { result, buffers };
  }

  it('accepts the correct kernel', async () => {
    const { result } = await check('correct');
    expect(result).toMatchObject({ correct: true, maxError: 0, checked: 'full', checkedElements: n });
  });

  it('catches a kernel that skips the last element', async () => {
    const { result } = await check('skipLast');
    expect(result.correct).toBe(false);
    expect(result.firstMismatch).toMatchObject({ index: n - 1, got: 0 });
    expect(result.reason).toMatch(/^wrong value at C\[36\]/);
  });

  it('catches a kernel that writes past the end of its output, and repairs the guard', async () => {
    const { result, buffers } = await check('overrun');
    expect(result.correct).toBe(false);
    expect(result.reason).toBe('the kernel wrote to memory outside the tensors');
    expect(buffers.guardsIntact()).toBe(true);
  });

  it('catches a kernel that writes its input', async () => {
    const { result } = await check('writeInput');
    expect(result.correct).toBe(false);
    expect(result.reason).toBe('the kernel wrote to the input A');
  });

  it('reports a trapping kernel', async () => {
    const { result } = await check('trap');
    expect(result.correct).toBe(false);
    expect(result.reason).toMatch(/^the kernel trapped: RuntimeError: unreachable/);
  });
});

describe('helpers', () => {
  it('elementName gives coordinates', () => {
    expect(elementName(matmul(3, 4, 5), 7)).toBe('C[1,3]');
  });

  it('elementReference sums products in float64 with the sum of magnitudes', () => {
    const p = matmul(2, 2, 3);
    const in0 = new Float32Array([1, -2, 3, 4, 5, 6]);
    const in1 = new Float32Array([1, 0, 1, 0, 1, 0]);
    expect(elementReference(p, in0, in1, { m: 0, n: 0 })).toEqual({ value: 2, sumAbs: 6 });
    expect(elementReference(p, in0, in1, { m: 1, n: 1 })).toEqual({ value: 0, sumAbs: 0 });
  });

  it('tolerance grows with the sum of magnitudes', () => {
    expect(tolerance(0)).toBe(1e-5);
    expect(tolerance(100)).toBeCloseTo(1e-2 + 1e-5, 12);
  });

  it('samples distinct sorted in-range indices, deterministically, with both ends', () => {
    const a = sampleOutputIndices([30, 40], 50);
    expect(a).toEqual(sampleOutputIndices([30, 40], 50));
    expect(a).toHaveLength(50);
    expect(a[0]).toBe(0);
    expect(a[a.length - 1]).toBe(1199);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
    expect(sampleOutputIndices([3, 2], 50)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
