// The explanation generator on known schedules, checked against the facts it states. The kernel
// reports come from the real code generator (the sentences must match what it decided).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCodegen, type Codegen } from '../codegen/index.ts';
import { applyAction, type Action } from './actions.ts';
import { explainChange, factsSummary } from './explain.ts';
import { CACHE, L1_SETS, footprint, scheduleFacts } from './facts.ts';
import { formatBytes, parseProblem } from './problem.ts';
import { parseSchedule, printSchedule } from './schedule.ts';
import type { NestState, Problem, Schedule } from './types.ts';

const mm = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
const odd = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=97, n=97, k=97');
const S = (p: Problem, text: string) => parseSchedule(p, text);
const LINE_FLOATS = CACHE.lineBytes / 4;
/** A sentence as it would read mid-text (the first one starts with a capital). */
const mid = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Applies one action at a cursor; fails the test when it is illegal. */
function act(p: Problem, schedule: string, cursor: number, action: Action): NestState {
  const r = applyAction(p, { schedule: S(p, schedule), cursor }, action);
  if (!r.ok) throw new Error(r.reason);
  return r.state;
}

describe('scheduleFacts', () => {
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
    const conv = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=4, ci=2, oh=30, ow=30, kh=3, kw=3');
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

describe('explainChange', () => {
  let codegen: Codegen;
  beforeAll(async () => {
    codegen = await loadCodegen();
  });
  const report = (p: Problem, s: Schedule) => codegen.generate(p, s, { relaxedSimd: true }).report;
  const explain = (p: Problem, before: Schedule, after: Schedule, gb?: number, ga?: number) =>
    explainChange(p, before, after, report(p, before), report(p, after), gb, ga);

  it('swap to m k n: names B with stride 1 in the innermost loop, the vectorized n, and B\'s old stride', () => {
    const before = S(mm, 'm n k');
    const after = act(mm, 'm n k', 1, 'swap_down').schedule;
    expect(printSchedule(after)).toBe('m:256 k:256 n:256');
    const e = explain(mm, before, after, 1.6, 12.8);
    expect(e.topics[0]).toBe('innermost');
    const s = e.sentences[0];
    expect(s).toMatch(/^1\.60 → 12\.8 GFLOPS \(8\.0× faster\): /);
    expect(s).toContain('the innermost loop is now n:256 (was k:256)');
    expect(s).toContain(`vectorized along ${report(mm, after).vectorizedVariable}`);
    expect(report(mm, after).vectorizedVariable).toBe('n');
    expect(s).toMatch(/C and B move by 1 float \(contiguous: one v128 load per 4 values of n\)/);
    expect(s).toContain('A stays put (stride 0');
    expect(s).toContain('before, B moved by 256 floats (1 KiB) per step');
    expect(e.after.strides.find((t) => t.tensor === 'B')?.elements).toBe(1);
    expect(e.sentences.length).toBeLessThanOrEqual(2);
  });

  it('a split that makes the inner loops fit L1 says so with the byte counts', () => {
    const beforeText = 'm n k m:2 n:16';
    const after = act(mm, beforeText, 2, 'split_32').schedule;
    expect(printSchedule(after)).toBe('m:128 n:16 k:8 k:32 m:2 n:16');
    const e = explain(mm, S(mm, beforeText), after);
    const i = e.topics.indexOf('l1');
    expect(i).toBeGreaterThanOrEqual(0);
    const s = mid(e.sentences[i]);
    // k:32 m:2 n:16 touches A 2x32 floats (2 lines per row), B 32 rows (1 line each), C 2 lines.
    const bytes = (2 * 2 + 32 + 2) * CACHE.lineBytes;
    expect(e.after.levels[e.after.l1From!].bytes).toBe(bytes);
    expect(s).toContain(`the inner loops k:32 m:2 n:16 fit the ${formatBytes(CACHE.l1Bytes)} L1 with ${formatBytes(bytes)} per run`);
    // Before: only the tile fit; k:256 m:2 n:16 needed (2 + 32 + 256) lines with B crowding 4 sets.
    expect(s).toContain(`before, only m:2 n:16 fit with ${formatBytes(5 * CACHE.lineBytes)} per run`);
    expect(s).toContain(`${formatBytes((2 + 32 + 256) * CACHE.lineBytes)}, and 256 lines of B would crowd 64 into one of L1's 64 sets of 8 ways`);
    expect(s).toMatch(/roughly \S+ MiB instead of \S+ MiB come into L1/);
  });

  it('a merge that undoes the split explains the reverse', () => {
    const split = act(mm, 'm n k m:2 n:16', 2, 'split_32');
    const merged = applyAction(mm, { schedule: split.schedule, cursor: 3 }, 'merge');
    if (!merged.ok) throw new Error(merged.reason);
    expect(printSchedule(merged.state.schedule)).toBe('m:128 n:16 k:256 m:2 n:16');
    const e = explain(mm, split.schedule, merged.state.schedule);
    const s = mid(e.sentences[e.topics.indexOf('l1')]);
    expect(s).toContain('the inner loops m:2 n:16 fit');
    expect(s).toContain('before, only k:32 m:2 n:16 fit');
  });

  it('a merge that lengthens the innermost loop gives its vectors', () => {
    const before = S(mm, 'm k n:16 n:16');
    const r = applyAction(mm, { schedule: before, cursor: 3 }, 'merge');
    if (!r.ok) throw new Error(r.reason);
    const e = explainChange(mm, before, r.state.schedule);
    expect(e.topics[0]).toBe('innermost');
    expect(mid(e.sentences[0])).toContain('the innermost loop is now n:256 (was n:16), with the same strides');
    expect(e.sentences[0]).toContain(`${256 / 4} f32x4 vectors (was ${16 / 4} f32x4 vectors)`);
  });

  it('a register tile: the accumulators the generator reports, and what it kept as a loop when they exceed the registers', () => {
    const before = S(mm, 'm n k m:2 n:4');
    const tiled = S(mm, 'm n k m:2 n:16');
    const big = S(mm, 'm n k m:4 n:16');
    const e = explain(mm, before, tiled);
    const r = report(mm, tiled);
    const s = mid(e.sentences[e.topics.indexOf('tile')]);
    expect(s).toContain(`the unrolled tile ${r.tileLoops} keeps ${r.vectorAccumulators} accumulators`);
    expect(s).toContain(`held in registers across ${r.heldAcross}`);
    expect(s).not.toContain('spill');
    const rb = report(mm, big);
    const spill = explain(mm, tiled, big);
    const t = mid(spill.sentences[spill.topics.indexOf('tile')]);
    expect(rb.vectorAccumulators).toBe(8);
    expect(t).toContain('the unrolled tile m:4 n:8 keeps 8 accumulators');
    expect(t).toContain('the m:4 n:16 tile needs 16 accumulators + 5 operands = 21 > 15 registers: n:16 stays a loop of 2 x 8');
  });

  it('a split of an odd size reports the tail', () => {
    const after = act(odd, 'm n k', 0, 'split_4').schedule;
    expect(printSchedule(after)).toBe('m:24 r1 m:4 n:97 k:97');
    const e = explainChange(odd, S(odd, 'm n k'), after);
    const s = mid(e.sentences[e.topics.indexOf('tails')]);
    expect(s).toContain('the loop m:24 r1 leaves 1 of 97 m values to partial iterations');
    expect(s).toContain(`${((1 / 97) * 100).toFixed(1)}% of the multiply-adds run in tail code (was 0.0%)`);
  });

  it('cursor moves do not change the kernel and say so', () => {
    for (const action of ['down', 'up'] as const) {
      const before = S(mm, 'm n k');
      const r = applyAction(mm, { schedule: before, cursor: 1 }, action);
      if (!r.ok) throw new Error(r.reason);
      const e = explain(mm, before, r.state.schedule, 1.6, 1.6);
      expect(e.topics).toEqual(['cursor']);
      expect(e.sentences[0]).toContain('only the cursor moved; the schedule m:256 n:256 k:256 and so its kernel are unchanged');
    }
  });

  it('swapping outer loops only: the inner facts are as before, and a small change is noise', () => {
    const before = S(mm, 'm k n');
    const after = act(mm, 'm k n', 0, 'swap_down').schedule;
    expect(printSchedule(after)).toBe('k:256 m:256 n:256');
    const e = explain(mm, before, after, 10, 10.4);
    expect(e.topics).toEqual(['outer']);
    expect(e.sentences[0]).toContain('the innermost loop n:256 with its strides (C and B move by 1 float (contiguous) and A stays put (stride 0))');
    expect(e.sentences[0]).toContain('within the noise of a quick figure');
  });

  it('a re-blocking that moves the L1 block but not the bytes says both', () => {
    const p = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=128, n=128, k=128');
    const before = S(p, 'm k n:64 n:2');
    const after = act(p, 'm k n:64 n:2', 2, 'split_16').schedule;
    expect(printSchedule(after)).toBe('m:128 k:128 n:4 n:16 n:2');
    const e = explainChange(p, before, after);
    expect(e.topics).toEqual(['outer']);
    expect(e.sentences[0]).toContain('The innermost loop n:2 with its strides');
    expect(e.sentences[0]).toContain('the inner loops that fit L1 are now n:4 n:16 n:2 (was n:64 n:2)');
    expect(e.sentences[0]).not.toContain('the inner loops that fit L1 (');
  });

  it('a convolution: moving ow innermost makes O and I contiguous and W reused, as the generator reports', () => {
    const conv = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=8, ci=8, oh=14, ow=14, kh=3, kw=3');
    const before = S(conv, 'co oh ci kh kw ow');
    const after = S(conv, 'co oh ow ci kh kw');
    // One swap at a time: walk ow from the innermost place up above ci.
    let state: NestState = { schedule: before, cursor: 5 };
    for (let i = 0; i < 3; i++) state = act(conv, printSchedule(state.schedule), state.cursor, 'swap_up');
    expect(printSchedule(state.schedule)).toBe(printSchedule(after));
    const e = explain(conv, after, before);
    const r = report(conv, before);
    expect(r.vectorizedVariable).toBe('ow');
    expect(r.access).toEqual({ O: 'vector', I: 'vector', W: 'splat' });
    const s = mid(e.sentences[0]);
    expect(s).toContain('the innermost loop is now ow:14 (was kw:3), vectorized along ow');
    expect(s).toContain('O and I move by 1 float');
    expect(s).toContain('W stays put (stride 0');
  });

  it('works without reports or figures (before the worker answers)', () => {
    const e = explainChange(mm, S(mm, 'm n k'), S(mm, 'm k n'));
    expect(e.sentences[0]).toMatch(/^The innermost loop is now n:256/);
    expect(e.sentences[0]).toContain('vectorized along n');
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
