import { describe, expect, it } from 'vitest';
import { parseProblemText } from '../core/problem.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import { nearestTileSpec } from './nearestSpec.ts';
import { isLegalSpec, tileSchedule, untiledSpec } from './tileSpace.ts';

const matmul = parseProblemText('C[m,n] += A[m,k] * B[k,n]\nm=256, n=256, k=256');
const conv = parseProblemText(
  'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]\nco=64, ci=64, oh=56, ow=56, kh=3, kw=3',
);

describe('nearestTileSpec', () => {
  it("reads a person's register tile and reduction split back", () => {
    const s = parseSchedule(matmul, 'k m n k:32 m:4 n:8');
    expect(nearestTileSpec(matmul, s)).toEqual({ tile: { m: 4, n: 8 }, reductionTile: 32 });
  });

  it('is the untiled spec for a reordered nest without a tile', () => {
    expect(nearestTileSpec(matmul, parseSchedule(matmul, 'm k n'))).toEqual(untiledSpec(matmul));
  });

  it('ignores splits above the reduction (a cache tile is not a register tile)', () => {
    expect(nearestTileSpec(matmul, parseSchedule(matmul, 'm n n:16 k')).tile).toEqual({ m: 1, n: 1 });
  });

  it('snaps odd factors to the macro-actions and keeps the spec legal', () => {
    const s = parseSchedule(matmul, 'm n k m:3 n:9');
    const spec = nearestTileSpec(matmul, s);
    expect(spec).toEqual({ tile: { m: 3, n: 8 }, reductionTile: 0 });
    expect(isLegalSpec(matmul, spec)).toBe(true);
    expect(printSchedule(tileSchedule(matmul, spec) ?? { loops: [] })).toBe('m:85 r1 n:32 k:256 m:3 n:8');
  });

  it('drops what is illegal: a tile of too many accumulators loses its other variables', () => {
    // 8 x 64 floats would hold 128 accumulators.
    const spec = nearestTileSpec(matmul, parseSchedule(matmul, 'm n k m:8 n:64'));
    expect(isLegalSpec(matmul, spec)).toBe(true);
    expect(spec.tile.m).toBe(1);
  });

  it("reads a convolution's tile over co, oh and ow", () => {
    const s = parseSchedule(conv, 'co oh ow ci kh kw co:4 oh:2 ow:8');
    expect(nearestTileSpec(conv, s)).toEqual({ tile: { co: 4, oh: 2, ow: 8 }, reductionTile: 0 });
  });
});
