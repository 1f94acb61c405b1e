import { describe, expect, it } from 'vitest';
import { interleavedSamples, relativeTimes } from './interleave.ts';

describe('samples interleaved with a reference', () => {
  it('takes reference, kernel, ..., reference, each sample timing its calls', () => {
    let t = 0;
    const order: string[] = [];
    const r = interleavedSamples(
      () => {
        order.push('k');
        t += 2;
      },
      () => {
        order.push('r');
        t += 1;
      },
      { pairs: 2, callsPerSample: 3, referenceCallsPerSample: 2, now: () => t },
    );
    expect(order.join('')).toBe('rrkkkrrkkkrr');
    expect(r.kernelSeconds).toEqual([0.002, 0.002]);
    expect(r.referenceSeconds).toEqual([0.001, 0.001, 0.001]);
  });

  it('stops before the next kernel sample once asked', () => {
    let pairs = 0;
    const r = interleavedSamples(
      () => pairs++,
      () => {},
      { pairs: 5, callsPerSample: 1, referenceCallsPerSample: 1, stop: () => pairs >= 2 },
    );
    expect(r.kernelSeconds).toHaveLength(2);
    expect(r.referenceSeconds).toHaveLength(3);
    expect(relativeTimes({ kernelSeconds: [], referenceSeconds: [] })).toEqual([]);
  });

  it('relates each kernel sample to the mean of its two neighbours', () => {
    expect(relativeTimes({ kernelSeconds: [4, 6], referenceSeconds: [1, 3, 3] })).toEqual([2, 2]);
    expect(() => relativeTimes({ kernelSeconds: [4], referenceSeconds: [1] })).toThrow(/expected 2 reference samples/);
  });
});
