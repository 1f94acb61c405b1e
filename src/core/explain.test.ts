// The explanation generator's facts and summaries on known schedules, checked against numbers by hand.
import { describe, expect, it } from 'vitest';
import { explainChange, factsSummary } from './explain.ts';
import { machineById } from './cache/machines.ts';
import { CACHE, cacheOfMachine, L1_SETS, footprint, scheduleFacts } from './facts.ts';
import { formatBytes, parseProblem } from './problem.ts';
import { parseSchedule } from './schedule.ts';
import type { Problem } from './types.ts';

const mm = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
const odd = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=97, n=97, k=97');
const S = (p: Problem, text: string) => parseSchedule(p, text);
const LINE_FLOATS = CACHE.lineBytes / 4;

describe('scheduleFacts', () => {
  it("holds the working sets against the chosen machine's L1 and L2", () => {
    const golden = cacheOfMachine(machineById('golden-cove')!);
    expect(golden).toEqual({ lineBytes: 64, l1Bytes: 48 * 1024, l1Ways: 12, l2Bytes: 1.25 * 1024 * 1024 });
    // k:32 m:2 n:16 ... with n:256 inside: 34.3 KiB, over a 32 KiB L1 and under a 48 KiB one.
    const s = S(mm, 'm n:1 k:8 k:32 n:256');
    const level = scheduleFacts(mm, s).levels[3];
    expect(level.bytes).toBeGreaterThan(CACHE.l1Bytes);
    expect(level.fitsL1).toBe(false);
    expect(scheduleFacts(mm, s, golden).levels[3].fitsL1).toBe(true);
    // The teaching cache: 32-byte lines, 32 sets of one way, no L2.
    const teaching = cacheOfMachine(machineById('teaching')!);
    expect(teaching).toEqual({ lineBytes: 32, l1Bytes: 1024, l1Ways: 1, l2Bytes: null });
    const f = scheduleFacts(mm, S(mm, 'm n k'), teaching);
    expect(f.levels.every((l) => !l.fitsL2)).toBe(true);
    expect(f.levels[2].perTensor.find((t) => t.tensor === 'A')?.lines).toBe(256 / 8);
    const change = explainChange(mm, S(mm, 'm n k'), S(mm, 'm k n'), undefined, undefined, null, null, teaching);
    expect(change.sentences.join(' ')).not.toContain('L2');
  });

  it('strides of each tensor in the innermost loop', () => {
    const f = scheduleFacts(mm, S(mm, 'm n k'));
    expect(f.innermost.text).toBe('k:256');
    expect(f.strides.map((s) => [s.tensor, s.elements, s.access])).toEqual([
      ['C', 0, 'splat'],
      ['A', 1, 'vector'],
      ['B', 256, 'gather'],
    ]);
    expect(scheduleFacts(mm, S(mm, 'm k n')).strides.map((s) => s.elements)).toEqual([1, 0, 1]);
  });

  it('working set of the inner loops in cache lines, by hand, and B crowding L1 sets', () => {
    const f = scheduleFacts(mm, S(mm, 'm n k m:2 n:16'));
    const level = f.levels[2]; // k:256 m:2 n:16
    expect(level.loopsText).toBe('k:256 m:2 n:16');
    // A: 2 rows of 256 floats; B: 256 rows of 16 floats (one line each); C: 2 rows of 16 floats.
    const lines = { C: 2, A: 2 * (256 / LINE_FLOATS), B: 256 };
    expect(Object.fromEntries(level.perTensor.map((t) => [t.tensor, t.lines]))).toEqual(lines);
    expect(level.bytes).toBe((2 + 32 + 256) * CACHE.lineBytes);
    // B's rows are 1 KiB = 16 lines apart: its 256 lines use only 64/16 = 4 of the 64 sets.
    expect(level.setConflict).toEqual({ tensor: 'B', perSet: 256 / (L1_SETS / 16) });
    expect(level.fitsL1).toBe(false);
    expect(level.bytes).toBeLessThan(CACHE.l1Bytes);
    expect(f.l1From).toBe(3);
    expect(f.levels[3].runs).toBe(128 * 16 * 256);
  });

  it('footprint of a conv window spans oh+kh', () => {
    const conv = parseProblem(
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
      'co=4, ci=2, oh=30, ow=30, kh=3, kw=3',
    );
    // oh in 0..3, kh and kw whole, ow one: rows oh+kh in 0..5 of one channel, columns 0..2.
    const fp = footprint(conv.inputs[0], { oh: 4, kh: 3, kw: 3 });
    expect(fp.lines).toBe(6); // 6 rows of 32 floats (128 B) starting at multiples of 128 B
  });

  it('tails: values left to partial iterations and their share of the multiply-adds', () => {
    const f = scheduleFacts(odd, S(odd, 'm:24 r1 n k m:4'));
    expect(f.tails.loops).toEqual([{ index: 0, text: 'm:24 r1', tail: 1 }]);
    expect(f.tails.perVariable.find((v) => v.variable === 'm')?.tailValues).toBe(1);
    expect(f.tails.share).toBeCloseTo(1 / 97, 12);
    const p = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=10, n=6, k=1');
    // m: step 4 blocks cover 0..7, 8..9 is the partial block; n:6 has no tail but its innermost
    // loop (6 values) is 1 vector and 2 scalar values.
    const g = scheduleFacts(p, S(p, 'm:2 r2 m:2 m:2 k n'));
    expect(g.tails.perVariable.map((v) => v.tailValues)).toEqual([2, 0, 0]);
    expect(g.tails.share).toBeCloseTo(2 / 10, 12);
    expect([g.vectors, g.scalarRest]).toEqual([1, 2]);
  });
});

describe('factsSummary', () => {
  it('states innermost strides, vectors, the L1 block and tails', () => {
    expect(factsSummary(scheduleFacts(mm, S(mm, 'm k n')))).toBe(
      `innermost n:256: C stride 1, A stride 0, B stride 1; 64 × f32x4 (4 lanes); n:256 fit L1 (${formatBytes((16 + 1 + 16) * CACHE.lineBytes)})`,
    );
    expect(factsSummary(scheduleFacts(odd, S(odd, 'm:24 r1 n k m:4')))).toMatch(/; 1\.0% in tails$/);
  });
});

describe('explainChange with packs', () => {
  const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
  it('says which panel is copied where, in which layout and how big, and when a pack goes', () => {
    const before = parseSchedule(problem, 'k:2 m n k:128 m:2 n:16');
    const after = parseSchedule(problem, 'k:2 pack(B) m n k:128 m:2 n:16');
    const e = explainChange(problem, before, after);
    expect(e.topics[0]).toBe('pack');
    expect(e.sentences[0]).toBe(
      'B is now packed at each iteration of k:2: the 128 KiB the loops inside read are copied, laid out n:16 x k:128 x n:16 as they read them, so the tile reads one contiguous panel; the copy costs one pass over it per iteration.',
    );
    expect(explainChange(problem, after, before).sentences[0]).toMatch(
      /^B is no longer packed: the loops inside k:2 read it where it lies again/,
    );
  });
});
