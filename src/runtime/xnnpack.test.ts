import { describe, expect, it } from 'vitest';
import { allocateBuffers } from './buffers.ts';
import { measureXnnpack } from './xnnpack.ts';
import { convLayoutProblems, plainProblem } from './testKernels.ts';

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

describe('measureXnnpack on convolutions', () => {
  it('runs tf.conv2d at stride 1 and 2, CHW and HWC, checks it against the reference and times it', async () => {
    for (const p of convLayoutProblems()) {
      const b = allocateBuffers(p);
      const r = await measureXnnpack(p, b, { timing: { samples: 2, minSampleMs: 1, warmupMs: 1 } });
      expect(r?.check.correct, r?.check.reason).toBe(true);
      expect(r?.check.checked).toBe('full');
      expect(r?.gflops).toBeGreaterThan(0);
      expect(b.out.every((x) => x === 0)).toBe(true);
    }
  });
});
