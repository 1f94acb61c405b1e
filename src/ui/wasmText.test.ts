import { describe, expect, it } from 'vitest';
import { loadCodegen } from '../codegen/index.ts';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { instructionCounts, wasmToText } from './wasmText.ts';

const mm = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=64, n=64, k=64');

describe('wasmToText (wabt)', () => {
  it('disassembles a generated kernel with SIMD instructions', async () => {
    const codegen = await loadCodegen();
    const { bytes } = codegen.generate(mm, parseSchedule(mm, 'm n k m:2 n:16'), { relaxedSimd: false });
    const text = await wasmToText(bytes);
    expect(text).toMatch(/^\(module/);
    expect(text).toContain('(import "env" "memory"');
    expect(text).toContain('v128.load');
    expect(text).toContain('f32x4.mul');
    expect(text).toContain('f32x4.add');
    expect(text).not.toContain('relaxed_madd');
    const counts = instructionCounts(text);
    expect(counts.find((c) => c.op === 'f32x4.mul')?.count).toBeGreaterThanOrEqual(8);
    expect(counts.find((c) => c.op === 'v128.load')?.count).toBeGreaterThan(0);
  });

  it('reads relaxed SIMD (f32x4.relaxed_madd) with the relaxed_simd feature', async () => {
    const codegen = await loadCodegen();
    const { bytes } = codegen.generate(mm, parseSchedule(mm, 'm n k m:2 n:16'), { relaxedSimd: true });
    const text = await wasmToText(bytes);
    expect(text).toContain('f32x4.relaxed_madd');
  });

  it('counts instructions by name', () => {
    expect(instructionCounts('  v128.load offset=16\n  f32x4.mul\n  v128.load\n  local.get $l1\n  f32.load\n')).toEqual([
      { op: 'v128.load', count: 2 },
      { op: 'f32.load', count: 1 },
      { op: 'f32x4.mul', count: 1 },
    ]);
  });
});
