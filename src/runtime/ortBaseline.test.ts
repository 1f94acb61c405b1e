import { describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { allocateBuffers } from './buffers.ts';
import { measureOrt } from './ortBaseline.ts';
import { plainProblem } from './testKernels.ts';

const timing = { samples: 2, minSampleMs: 1, warmupMs: 1 };

describe('measureOrt (onnxruntime-web on 2 threads)', () => {
  it("runs ORT's MatMul for matmuls and its Conv for convolutions (CHW and HWC, stride 1 and 2), checked against the reference", async () => {
    for (const p of [
      plainProblem(['C', 'm', 'n'], ['B', 'n', 'k'], ['A', 'k', 'm'], { m: 13, n: 17, k: 19 }),
      parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=5, ci=3, oh=7, ow=6, kh=3, kw=2'),
      parseProblem('O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]', 'co=4, ci=2, oh=5, ow=3, kh=3, kw=3'),
      parseProblem('O[co,oh,ow] += W[co,ci,kh,kw] * I[ci,oh+kh,ow+kw]', 'co=3, ci=4, oh=4, ow=4, kh=1, kw=1'),
      parseProblem('O[oh,ow,co] += I[oh+kh,ow+kw,ci] * W[kh,kw,ci,co]', 'co=5, ci=3, oh=7, ow=6, kh=3, kw=2'),
      parseProblem('O[oh,ow,co] += W[kh,kw,ci,co] * I[2*oh+kh,2*ow+kw,ci]', 'co=4, ci=2, oh=5, ow=3, kh=3, kw=3'),
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
