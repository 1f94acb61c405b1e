import { describe, expect, it } from 'vitest';
import { ALIGN_BYTES, BufferSizeError, GUARD_BYTES, PAGE_BYTES, allocateBuffers, layoutBuffers } from './buffers.ts';
import { plainProblem } from './testKernels.ts';

const matmul = (m: number, n: number, k: number) =>
  plainProblem(['C', 'm', 'n'], ['A', 'm', 'k'], ['B', 'k', 'n'], { m, n, k });

describe('layoutBuffers', () => {
  it('places out, in0, in1 in order, 64-byte aligned, with guard gaps, and counts pages', () => {
    for (const [m, n, k] of [
      [1, 1, 1],
      [3, 5, 7],
      [64, 64, 64],
      [100, 33, 17],
      [128, 256, 300],
    ]) {
      const p = matmul(m, n, k);
      const l = layoutBuffers(p);
      expect(l.outPtr % ALIGN_BYTES).toBe(0);
      expect(l.in0Ptr % ALIGN_BYTES).toBe(0);
      expect(l.in1Ptr % ALIGN_BYTES).toBe(0);
      expect(l.outPtr).toBeGreaterThanOrEqual(GUARD_BYTES);
      expect(l.in0Ptr).toBeGreaterThanOrEqual(l.outPtr + m * n * 4 + GUARD_BYTES);
      expect(l.in1Ptr).toBeGreaterThanOrEqual(l.in0Ptr + m * k * 4 + GUARD_BYTES);
      expect(l.usedBytes).toBeGreaterThanOrEqual(l.in1Ptr + k * n * 4 + GUARD_BYTES);
      expect(l.pages).toBe(Math.ceil(l.usedBytes / PAGE_BYTES));
      expect([l.outElements, l.in0Elements, l.in1Elements]).toEqual([m * n, m * k, k * n]);
    }
  });
});

describe('allocateBuffers', () => {
  it('gives views at the layout offsets, a zero output and seeded random inputs', () => {
    const p = matmul(13, 17, 19);
    const b = allocateBuffers(p, 42);
    expect(b.memory.buffer.byteLength).toBe(b.pages * PAGE_BYTES);
    expect(b.out.byteOffset).toBe(b.outPtr);
    expect(b.in0.byteOffset).toBe(b.in0Ptr);
    expect(b.in1.byteOffset).toBe(b.in1Ptr);
    expect([b.out.length, b.in0.length, b.in1.length]).toEqual([13 * 17, 13 * 19, 19 * 17]);
    expect(b.out.every((x) => x === 0)).toBe(true);
    expect(b.in0.some((x) => x !== 0)).toBe(true);
    expect(b.in1.some((x) => x !== 0)).toBe(true);
    expect(b.in0.every(Number.isFinite) && b.in1.every(Number.isFinite)).toBe(true);
    // The two inputs are different streams.
    expect(Array.from(b.in0.subarray(0, 8))).not.toEqual(Array.from(b.in1.subarray(0, 8)));

    const again = allocateBuffers(p, 42);
    expect(again.in0).toEqual(b.in0);
    expect(again.in1).toEqual(b.in1);
    const other = allocateBuffers(p, 43);
    expect(other.in0).not.toEqual(b.in0);
  });

  it('resets the output', () => {
    const b = allocateBuffers(matmul(4, 4, 4));
    b.out.fill(3);
    b.resetOutput();
    expect(b.out.every((x) => x === 0)).toBe(true);
  });

  it('notices writes into the guards and can restore them', () => {
    const b = allocateBuffers(matmul(5, 6, 7));
    expect(b.guardsIntact()).toBe(true);
    // Tensor writes are fine.
    b.out.fill(1);
    expect(b.guardsIntact()).toBe(true);
    // One element past the end of the output.
    new Float32Array(b.memory.buffer, b.outPtr + b.out.length * 4, 1)[0] = 1;
    expect(b.guardsIntact()).toBe(false);
    b.restoreGuards();
    expect(b.guardsIntact()).toBe(true);
    // One element before in1.
    new Float32Array(b.memory.buffer, b.in1Ptr - 4, 1)[0] = 0;
    expect(b.guardsIntact()).toBe(false);
  });

  it('refuses tensors that cannot fit in a wasm memory, with a readable message', () => {
    expect(() => allocateBuffers(matmul(40000, 40000, 4))).toThrow(BufferSizeError);
    expect(() => allocateBuffers(matmul(40000, 40000, 4))).toThrow(/MiB.*smaller sizes/);
  });
});
