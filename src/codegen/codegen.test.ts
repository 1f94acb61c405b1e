// What the generator decides for known schedules, and the target switch for relaxed SIMD.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { loopsText, parseSchedule } from '../core/schedule.ts';
import { loadCodegen, type Codegen } from './index.ts';

const MATMUL = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=64, n=64, k=64');
const RELAXED = { relaxedSimd: true };
const PLAIN = { relaxedSimd: false };

function containsRelaxedMadd(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02) return true;
  return false;
}

describe('code generator', () => {
  let codegen: Codegen;
  beforeAll(async () => {
    codegen = await loadCodegen();
  });

  it('register-blocks m:2 n:16 and holds the accumulators across k, naming the loops by index', () => {
    const { report, bytes } = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:2 n:16'), RELAXED);
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(report.vectorizedVariable).toBe('n');
    expect(report.access).toEqual({ C: 'vector', A: 'splat', B: 'vector' });
    expect(report.horizontalSum).toBe(false);
    expect(report.tileLoops).toEqual([
      { index: 3, variable: 'm', trip: 2, tail: 0 },
      { index: 4, variable: 'n', trip: 16, tail: 0 },
    ]);
    expect(report.vectorAccumulators).toBe(8);
    expect(report.scalarAccumulators).toBe(0);
    expect(report.heldAcross).toEqual([{ index: 2, variable: 'k', trip: 64, tail: 0 }]);
    expect(report.unrolledMultiplyAdds).toBe(8);
    expect(report.relaxedFma).toBe(true);
    expect(report.bytes).toBe(bytes.length);
  });

  it('vectorizes the default order along k with gathers of B and horizontal sums', () => {
    const { report } = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k'), RELAXED);
    expect(report.vectorizedVariable).toBe('k');
    expect(report.access).toEqual({ C: 'splat', A: 'vector', B: 'gather' });
    expect(report.horizontalSum).toBe(true);
    expect(report.notes.join(' ')).toMatch(/partial sums/);
  });

  it('splits an innermost loop too long to unroll', () => {
    const big = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=8, n=512, k=8');
    const { report } = codegen.generate(big, parseSchedule(big, 'm k n'), RELAXED);
    expect(report.innermostUnroll).toBeGreaterThan(0);
    expect(report.tileLoops).toEqual([]);
    expect(report.heldAcross.map((l) => l.index)).toEqual([2]);
  });

  it('keeps tails in scalar accumulators', () => {
    const odd = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=3, n=7, k=3');
    const { report } = codegen.generate(odd, parseSchedule(odd, 'm n k m:3 n:7'), RELAXED);
    expect(loopsText(report.tileLoops)).toBe('m:3 n:7');
    expect(report.vectorAccumulators).toBe(3);
    expect(report.scalarAccumulators).toBe(9);
  });

  it('refuses to grow the tile past the register budget', () => {
    const { report } = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:8 n:16'), RELAXED);
    expect(report.tileLoops.map((l) => [l.index, l.variable])).toEqual([[4, 'n']]);
    expect(report.vectorAccumulators).toBe(4);
  });

  it('emits f32x4.relaxed_madd only for engines that validate it', () => {
    const schedule = parseSchedule(MATMUL, 'm n k m:2 n:16');
    const relaxed = codegen.generate(MATMUL, schedule, RELAXED);
    const plain = codegen.generate(MATMUL, schedule, PLAIN);
    expect(containsRelaxedMadd(relaxed.bytes)).toBe(true);
    expect(containsRelaxedMadd(plain.bytes)).toBe(false);
    expect(plain.report.relaxedFma).toBe(false);
    expect(plain.report.notes.join(' ')).toMatch(/f32x4\.mul \+ f32x4\.add/);
  });

  it('builds a peak module that runs', async () => {
    const peak = codegen.peak(PLAIN);
    const { instance } = await WebAssembly.instantiate(peak.bytes as Uint8Array<ArrayBuffer>);
    const result = (instance.exports.peak as (n: number) => number)(10);
    expect(Number.isFinite(result)).toBe(true);
    expect(peak.flopsPerIteration).toBe(96);
  });

  it('reports a schedule that does not cover the sizes instead of emitting a kernel', () => {
    const broken = { loops: [{ variable: 'm', trip: 3, tail: 0 }, { variable: 'n', trip: 64, tail: 0 }, { variable: 'k', trip: 64, tail: 0 }] };
    expect(() => codegen.generate(MATMUL, broken, RELAXED)).toThrow(/code generator refused the schedule: .*do not cover/);
  });
});
