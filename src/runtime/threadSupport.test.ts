import { describe, expect, it } from 'vitest';
import { MAX_THREADS } from './threads.ts';
import { clampThreads, effectiveThreads, threadSupportHere, threadsOffReason } from './threadSupport.ts';

describe('thread count', () => {
  const isolated = { isolated: true, hardware: 6 };
  it('defaults to one thread per processor, capped by the pool', () => {
    expect(effectiveThreads(null, isolated)).toBe(6);
    expect(effectiveThreads(null, { isolated: true, hardware: 500 })).toBe(MAX_THREADS);
    expect(effectiveThreads(null, { isolated: true, hardware: 0 })).toBe(1);
  });
  it('takes the chosen number within 1..MAX_THREADS', () => {
    expect(effectiveThreads(3, isolated)).toBe(3);
    expect(clampThreads(0)).toBe(1);
    expect(clampThreads(2.7)).toBe(2);
    expect(clampThreads(Number.NaN)).toBe(1);
    expect(clampThreads(1e6)).toBe(MAX_THREADS);
  });
  it('is one thread without shared memory, and says why', () => {
    const off = threadSupportHere({ crossOriginIsolated: false, navigator: { hardwareConcurrency: 8 } });
    expect(off).toEqual({ isolated: false, hardware: 8 });
    expect(effectiveThreads(4, off)).toBe(1);
    expect(threadsOffReason(off)).toMatch(/not cross-origin isolated.*COOP\/COEP/);
    expect(threadsOffReason(isolated)).toBeNull();
    expect(threadSupportHere({ crossOriginIsolated: true }).hardware).toBe(1);
  });
  it('says when the page is an embed whose frame keeps it from being isolated', () => {
    const page = {};
    const framed = threadSupportHere({ crossOriginIsolated: false, top: {}, self: page });
    expect(framed.framed).toBe(true);
    expect(threadsOffReason(framed)).toMatch(/embed is not cross-origin isolated.*page around it/);
    const tab = threadSupportHere({ crossOriginIsolated: false, top: page, self: page });
    expect(tab.framed).toBeUndefined();
    expect(threadsOffReason(tab)).toMatch(/COOP\/COEP.*service worker/);
  });
});
