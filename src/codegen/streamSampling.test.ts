// The set period of a sampled loop (streamSampling.ts): after how many iterations its moving lines
// fall in the same sets of every cache level again.
import { describe, expect, it } from 'vitest';
import { MAX_PERIOD, setPeriod } from './streamSampling.ts';

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
