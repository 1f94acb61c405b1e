// Explanations of schedule changes with the generator's real reports of both kernels (the
// sentences must match what it decided), checked against the facts they state.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCodegen, type Codegen } from './index.ts';
import { applyAction, type Action } from '../core/actions.ts';
import { explainChange } from '../core/explain.ts';
import { CACHE } from '../core/facts.ts';
import { formatBytes, parseProblem } from '../core/problem.ts';
import { loopsText, parseSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';

const mm = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
const odd = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=97, n=97, k=97');
const S = (p: Problem, text: string) => parseSchedule(p, text);
/** A sentence as it would read mid-text (the first one starts with a capital). */
const mid = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Applies one action at a cursor; fails the test when it is illegal. */
function act(p: Problem, schedule: string, cursor: number, action: Action): NestState {
  const r = applyAction(p, { schedule: S(p, schedule), cursor }, action);
  if (!r.ok) throw new Error(r.reason);
  return r.state;
}

describe('explainChange', () => {
  let codegen: Codegen;
  beforeAll(async () => {
    codegen = await loadCodegen();
  });
  const report = (p: Problem, s: Schedule) => codegen.generate(p, s, { relaxedSimd: true }).report;
  const explain = (p: Problem, before: Schedule, after: Schedule, gb?: number, ga?: number) =>
    explainChange(p, before, after, report(p, before), report(p, after), gb, ga);

  it("swap to m k n: names B with stride 1 in the innermost loop, the vectorized n, and B's old stride", () => {
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
    expect(s).toContain(
      `the inner loops k:32 m:2 n:16 fit the ${formatBytes(CACHE.l1Bytes)} L1 with ${formatBytes(bytes)} per run`,
    );
    // Before: only the tile fit; k:256 m:2 n:16 needed (2 + 32 + 256) lines with B crowding 4 sets.
    expect(s).toContain(`before, only m:2 n:16 fit with ${formatBytes(5 * CACHE.lineBytes)} per run`);
    expect(s).toContain(
      `${formatBytes((2 + 32 + 256) * CACHE.lineBytes)}, and 256 lines of B would crowd 64 into one of L1's 64 sets of 8 ways`,
    );
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
    expect(s).toContain(`the unrolled tile ${loopsText(r.tileLoops)} keeps ${r.vectorAccumulators} accumulators`);
    expect(s).toContain(`held in registers across ${loopsText(r.heldAcross)}`);
    expect(s).not.toContain('spill');
    const rb = report(mm, big);
    const spill = explain(mm, tiled, big);
    const t = mid(spill.sentences[spill.topics.indexOf('tile')]);
    expect(rb.vectorAccumulators).toBe(8);
    expect(t).toContain('the unrolled tile m:4 n:8 keeps 8 accumulators');
    expect(t).toContain(
      'the m:4 n:16 tile needs 16 accumulators + 5 operands = 21 > 15 registers: n:16 stays a loop of 2 x 8',
    );
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
      expect(e.sentences[0]).toContain(
        'only the cursor moved; the schedule m:256 n:256 k:256 and so its kernel are unchanged',
      );
    }
  });

  it('swapping outer loops only: the inner facts are as before, and a small change is noise', () => {
    const before = S(mm, 'm k n');
    const after = act(mm, 'm k n', 0, 'swap_down').schedule;
    expect(printSchedule(after)).toBe('k:256 m:256 n:256');
    const e = explain(mm, before, after, 10, 10.4);
    expect(e.topics).toEqual(['outer']);
    expect(e.sentences[0]).toContain(
      'the innermost loop n:256 with its strides (C and B move by 1 float (contiguous) and A stays put (stride 0))',
    );
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
    const conv = parseProblem(
      'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
      'co=8, ci=8, oh=14, ow=14, kh=3, kw=3',
    );
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
