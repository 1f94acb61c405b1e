// The set period of a sampled loop (streamSampling.ts): after how many iterations its moving lines
// fall in the same sets of every cache level again; which short loops run every iteration
// (stratified); when every iteration not run replays; the marks kept of iterations begun (MarkHistory).
import { describe, expect, it } from 'vitest';
import {
  linePeriod,
  MarkHistory,
  MAX_PERIOD,
  replaysAll,
  sampledUnit,
  STRATIFY_UP_TO,
  setPeriod,
  stratified,
  WARMUP_ONE,
  warmupIterations,
} from './streamSampling.ts';

// zen4: L1d 32 KiB 8-way (4 KiB per way), L2 1 MiB 8-way (128 KiB per way).
const ZEN4_SPANS = [4096, 131072];

describe('setPeriod', () => {
  it('is the way span over the step: m of matmul 512^3 `k:32 m:128 ...` (8 KiB rows of C) repeats every 16', () => {
    expect(setPeriod([8192, 8192, 0], ZEN4_SPANS)).toBe(16);
  });

  it('takes the longest over levels and tensors (their least common multiple)', () => {
    expect(setPeriod([1024, 0, 3072], [4096, 12288])).toBe(12);
  });

  it('is a pair at least: a step of a whole way span, or no step, comes back every iteration', () => {
    expect(setPeriod([0, 0, 0], ZEN4_SPANS)).toBe(2);
    expect(setPeriod([131072, 0, 0], ZEN4_SPANS)).toBe(2);
  });

  it('says "longer than MAX_PERIOD" for small steps (a 4-byte step walks a whole way)', () => {
    expect(setPeriod([4, 4, 0], ZEN4_SPANS)).toBe(MAX_PERIOD + 1);
  });
});

describe('linePeriod and sampledUnit', () => {
  it('is the iterations until every tensor moved by part of a line is at the same place in it again', () => {
    // k of `k:256 m:4 n:8` steps A by 4 bytes: a new line every 16th iteration.
    expect(linePeriod([0, 4, 32768], 64)).toBe(16);
    // A 3 x 12 tile steps C and B by 48 bytes: C's new lines come 1, 1, 1, 0.
    expect(linePeriod([48, 0, 48], 64)).toBe(4);
    // Whole lines, and steps of more than a line, come back every iteration.
    expect(linePeriod([8192, 512, 0], 64)).toBe(1);
    expect(linePeriod([224, 232, 0], 64)).toBe(1);
  });

  it('samples by units of the line period when it is over 2 (pairs average a period of 2 out)', () => {
    expect(sampledUnit([48, 0, 48], 64)).toBe(4);
    expect(sampledUnit([0, 4, 0], 64)).toBe(16);
    expect(sampledUnit([32, 0, 32], 64)).toBe(1);
    expect(sampledUnit([0, 0, 0], 64)).toBe(1);
  });
});

describe('stratified', () => {
  // matmul 1024^3 `n:8 k:8 m:8 ...`: n:8 moves B and C by 512 bytes, k:8 moves A by 512 bytes and B
  // by 128 rows of 4 KiB (steps in the order output C, A, B).
  const n8 = [512, 0, 512];
  const k8 = [0, 512, 524288];

  it('runs every iteration of a short loop moving a tensor by what a loop around it moves another', () => {
    expect(stratified(8, k8, [n8], ZEN4_SPANS, 64)).toBe(true);
  });

  it('samples it when nothing around it lines up, or when it is longer than STRATIFY_UP_TO', () => {
    expect(stratified(8, n8, [], ZEN4_SPANS, 64)).toBe(false);
    expect(stratified(8, k8, [[0, 0, 4096]], ZEN4_SPANS, 64)).toBe(false);
    expect(stratified(STRATIFY_UP_TO + 1, k8, [n8], ZEN4_SPANS, 64)).toBe(false);
  });

  it('ignores steps within a line (a conv row walked 32 bytes at a time) and steps of whole way spans', () => {
    expect(stratified(7, [32, 32, 0], [[0, 32, 32]], ZEN4_SPANS, 64)).toBe(false);
    expect(stratified(8, [0, 131072, 0], [[131072, 0, 0]], ZEN4_SPANS, 64)).toBe(false);
  });
});

describe('replaysAll', () => {
  it('replays every iteration not run when together they pass the second level at most twice its lines', () => {
    const lines = [512, 16384];
    expect(replaysAll(8, 4096, lines)).toBe(true);
    expect(replaysAll(9, 4096, lines)).toBe(false);
    expect(replaysAll(1, 10, [512])).toBe(false);
  });
});

describe('warmupIterations', () => {
  it('buys what half the budget buys, or one iteration costing up to WARMUP_ONE of it, else none', () => {
    expect(warmupIterations(100, 512, 40, 1000, 10_000)).toBe(5);
    expect(warmupIterations(100, 512, 40, 49_000, 83_000)).toBe(1);
    expect(warmupIterations(100, 512, 40, WARMUP_ONE * 83_000 + 1, 83_000)).toBe(0);
  });
});

describe('MarkHistory', () => {
  // Iterations 0 and 1 run, 2-5 replayed in one run, 9 run; marks of two levels.
  const history = new MarkHistory();
  history.add(0, [10, 100]);
  history.add(1, [11, 110]);
  history.addRun(2, 4, Float64Array.from([12, 120, 12, 130, 12, 140, 12, 150]));
  history.add(9, [19, 190]);

  it('gives the mark of the first iteration begun after a position, inside a run or at its start', () => {
    expect(history.firstPosition()).toBe(0);
    expect(history.after(0)).toEqual([11, 110]);
    expect(history.after(1.5)).toEqual([12, 120]);
    expect(history.after(3)).toEqual([12, 140]);
    expect(history.after(3.9)).toEqual([12, 140]);
    expect(history.after(5)).toEqual([19, 190]);
    expect(history.after(7.2)).toEqual([19, 190]);
    expect(history.after(9)).toBeNull();
    expect(history.after(-1)).toEqual([10, 100]);
    expect([history.first(), history.last()]).toEqual([
      [10, 100],
      [19, 190],
    ]);
  });

  it('refuses an iteration that begins before the last one recorded', () => {
    expect(() => history.add(9, [20, 200])).toThrow(/iteration 9 begins before the last one recorded/);
  });
});
