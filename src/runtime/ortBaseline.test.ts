import { describe, expect, it } from 'vitest';
import { allocateBuffers } from './buffers.ts';
import { measureOrt } from './ortBaseline.ts';
import { convLayoutProblems, plainProblem } from './testKernels.ts';

const timing = { samples: 2, minSampleMs: 1, warmupMs: 1 };

describe('measureOrt (onnxruntime-web on 2 threads)', () => {
  it("runs ORT's MatMul for matmuls and its Conv for convolutions (CHW and HWC, stride 1 and 2), checked against the reference", async () => {
    for (const p of [
      plainProblem(['C', 'm', 'n'], ['B', 'n', 'k'], ['A', 'k', 'm'], { m: 13, n: 17, k: 19 }),
      ...convLayoutProblems(),
    ]) {
      const b = allocateBuffers(p);
      const r = await measureOrt(p, b, 2, { timing });
      expect(r?.check.correct, `${p.op}: ${r?.check.reason}`).toBe(true);
      expect(r?.check.checked).toBe('full');
      expect(r?.threads).toBe(2);
      expect(r?.gflops).toBeGreaterThan(0);
      expect(b.out.every((x) => x === 0)).toBe(true);
    }
  }, 60_000);

  it('returns null for a problem that is neither', async () => {
    const p = plainProblem(['C', 'i'], ['A', 'i'], ['B', 'i'], { i: 3 });
    expect(await measureOrt(p, allocateBuffers(p), 2)).toBeNull();
  });
});
