// What the generator decides for known schedules, and the target switch for relaxed SIMD.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { loopsText, parseSchedule } from '../core/schedule.ts';
import { loadCodegen, type Codegen } from './index.ts';

const MATMUL = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=64, n=64, k=64');
const RELAXED = { relaxedSimd: true };
const PLAIN = { relaxedSimd: false };
/** Node 20's V8 (TurboFan): every input value of a tile holds a register at once. */
const HOISTED = { relaxedSimd: true, hoistsLoads: true };

function containsRelaxedMadd(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++)
    if (bytes[i] === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02) return true;
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
    const { report } = codegen.generate(odd, parseSchedule(odd, 'm n k m:1 n:7'), RELAXED);
    expect(loopsText(report.tileLoops)).toBe('m:1 n:7');
    expect(report.vectorAccumulators).toBe(1);
    expect(report.scalarAccumulators).toBe(3);
  });

  it('counts the operands with the accumulators against the registers', () => {
    // 8 accumulators + 4 vectors of B live across m + 1 splat of A at a time.
    const fits = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:2 n:16'), RELAXED).report;
    expect([fits.registers, fits.registerBudget, loopsText(fits.tileLoops)]).toEqual([13, 15, 'm:2 n:16']);
    expect(fits.notes.join(' ')).toContain('Registers: 13 of 15 (8 accumulators + 5 operands).');
    // f32x4.mul + f32x4.add needs one more register for the product.
    expect(codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:2 n:16'), PLAIN).report.registers).toBe(14);
    // Where the engine loads all of a pass's values first, all 2 + 4 hold a register.
    expect(codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:2 n:16'), HOISTED).report.registers).toBe(14);
  });

  it('keeps part of a tile too big for the registers as a loop outside the reduction, and says so', () => {
    const { report } = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:4 n:16'), RELAXED);
    expect(loopsText(report.tileLoops)).toBe('m:4 n:8');
    expect(report.tileLoops.map((l) => l.index)).toEqual([3, 4]);
    expect(loopsText(report.heldAcross)).toBe('k:64');
    expect(report.registers).toBeLessThanOrEqual(15);
    expect(report.tileReduction).toBe(
      'the m:4 n:16 tile needs 16 accumulators + 5 operands = 21 > 15 registers: n:16 stays a loop of 2 x 8 outside k:64',
    );
    expect(report.notes.join(' ')).toContain(`Registers: ${report.tileReduction}, instead of spilling.`);
    const hoisted = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:4 n:16'), HOISTED).report;
    expect(hoisted.tileReduction).toBe(
      'the m:4 n:16 tile needs 16 accumulators + 8 operands = 24 > 15 registers: n:16 stays a loop of 2 x 8 outside k:64',
    );
    // The most accumulators that fit, then the fewest loads per multiply-add.
    const big = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:8 n:16'), RELAXED).report;
    expect(loopsText(big.tileLoops)).toBe('m:2 n:16');
    expect(big.vectorAccumulators).toBe(8);
    expect(big.tileReduction).toMatch(/m:8 stays a loop of 4 x 2 outside k:64$/);
  });

  it('budgets for the engine: a 6x8 tile fits where values live from load to last use, not where all are loaded first', () => {
    const live = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:6 n:8'), RELAXED).report;
    expect([loopsText(live.tileLoops), live.registers, live.tileReduction]).toEqual(['m:6 n:8', 15, undefined]);
    expect(loopsText(codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:6 n:8'), HOISTED).report.tileLoops)).toBe(
      'm:3 n:8',
    );
  });

  it('prefers equal passes, and splits into a smaller last pass only when equal ones hold far fewer accumulators', () => {
    const six = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:6 n:8'), HOISTED).report;
    expect(loopsText(six.tileLoops)).toBe('m:3 n:8');
    expect(six.tileReduction).toMatch(/m:6 stays a loop of 2 x 3 outside k:64$/);
    // 13 is prime: equal passes would hold 1 accumulator each.
    const prime = codegen.generate(MATMUL, parseSchedule(MATMUL, 'm n k m:13 n:4'), HOISTED).report;
    expect(loopsText(prime.tileLoops)).toBe('m:7 n:4');
    expect(prime.tileReduction).toMatch(/m:13 stays a loop of 1 x 7 \+ 1 x 6 outside k:64$/);
  });

  it('keeps a convolution tile within the registers, the window loops above it', () => {
    const conv = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=8,ci=4,oh=6,ow=16,kh=3,kw=3');
    const { report } = codegen.generate(conv, parseSchedule(conv, 'co oh ow ci kh kw co:4 ow:16'), RELAXED);
    expect(loopsText(report.tileLoops)).toBe('co:4 ow:8');
    expect(loopsText(report.heldAcross)).toBe('ci:4 kh:3 kw:3');
    expect(report.tileReduction).toBe(
      'the co:4 ow:16 tile needs 16 accumulators + 5 operands = 21 > 15 registers: ow:16 stays a loop of 2 x 8 outside ci:4 kh:3 kw:3',
    );
  });

  it('unrolls window loops of 1 into the tile; of 3 they stay loops, since 3 x 3 passes of values would not fit', () => {
    const conv = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=8,ci=4,oh=6,ow=16,kh=3,kw=3');
    for (const target of [RELAXED, HOISTED]) {
      const r = codegen.generate(conv, parseSchedule(conv, 'co oh ow ci kh kw co:4 ow:8'), target).report;
      expect([loopsText(r.tileLoops), loopsText(r.heldAcross)]).toEqual(['co:4 ow:8', 'ci:4 kh:3 kw:3']);
    }
    const oneByOne = parseProblem(
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
      'co=8,ci=4,oh=6,ow=16,kh=1,kw=1',
    );
    const r = codegen.generate(oneByOne, parseSchedule(oneByOne, 'co oh ow ci kh kw co:4 ow:8'), RELAXED).report;
    expect([loopsText(r.tileLoops), loopsText(r.heldAcross)]).toEqual(['kh:1 kw:1 co:4 ow:8', 'ci:4']);
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
    const broken = {
      loops: [
        { variable: 'm', trip: 3, tail: 0 },
        { variable: 'n', trip: 64, tail: 0 },
        { variable: 'k', trip: 64, tail: 0 },
      ],
    };
    expect(() => codegen.generate(MATMUL, broken, RELAXED)).toThrow(
      /code generator refused the schedule: .*do not cover/,
    );
  });
});
