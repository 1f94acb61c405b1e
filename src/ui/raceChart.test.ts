import { describe, expect, it } from 'vitest';
import {
  decades,
  formatMs,
  MIN_T,
  methodColor,
  raceDomains,
  raceRows,
  raceSeries,
  type RaceMethodData,
} from './raceChart.ts';

const agent: RaceMethodData = {
  method: 'agent',
  status: 'done',
  elapsedMs: 400,
  trace: [
    { gflops: 2, elapsedMs: 30, schedule: 'm n k' },
    { gflops: 9, elapsedMs: 250, schedule: 'm k n' },
  ],
};
const random: RaceMethodData = {
  method: 'random',
  status: 'running',
  elapsedMs: 4200,
  trace: [
    { gflops: 2.1, elapsedMs: 0.2, schedule: 'm n k' },
    { gflops: 5, elapsedMs: 3000, schedule: 'n m k' },
  ],
};
const waiting: RaceMethodData = { method: 'greedy1', status: 'waiting', elapsedMs: 0, trace: [] };
const failed: RaceMethodData = { method: 'agent', status: 'error', elapsedMs: 3, trace: [], error: 'no policy' };

describe('raceSeries', () => {
  it('steps through the improvements and runs on to the time so far; the best is the last improvement', () => {
    const [a, r] = raceSeries([agent, random, waiting]);
    expect(a.points).toEqual([
      { t: 30, gflops: 2 },
      { t: 250, gflops: 9 },
      { t: 400, gflops: 9 },
    ]);
    expect(a.best).toEqual({ t: 250, gflops: 9 });
    expect(a.running).toBe(false);
    // Times below 1 ms sit at 1 ms (log axis).
    expect(r.points[0]).toEqual({ t: MIN_T, gflops: 2.1 });
    expect(r.points.at(-1)).toEqual({ t: 4200, gflops: 5 });
    expect(r.running).toBe(true);
    expect(r.color).toBe(methodColor('random'));
    expect(a.color).not.toBe(r.color);
  });

  it('draws nothing for a method without a measurement', () => {
    expect(raceSeries([waiting])).toEqual([]);
  });
});

describe('raceRows', () => {
  it('gives each method its best, speedup over the default and time to best', () => {
    const rows = raceRows([agent, random, waiting], 2);
    expect(rows.map((r) => [r.method, r.best, r.speedup, r.timeToBestMs, r.totalMs, r.schedule])).toEqual([
      ['agent', 9, 4.5, 250, 400, 'm k n'],
      ['random', 5, 2.5, 3000, 4200, 'n m k'],
      ['greedy1', null, null, null, 0, null],
    ]);
    expect(raceRows([agent], null)[0].speedup).toBeNull();
    expect(raceRows([failed], 2)[0]).toMatchObject({ best: null, status: 'error', error: 'no policy' });
  });
});

describe('raceDomains', () => {
  it('spans whole decades of time from 1 ms and of GFLOPS around every value and the default', () => {
    const d = raceDomains(raceSeries([agent, random]), 1.5);
    expect(d.x).toEqual([1, 10_000]);
    expect(d.y).toEqual([1, 100]);
    expect(raceDomains([], null)).toEqual({ x: [1, 1000], y: [1, 100] });
  });

  it('lists the decades for the time axis and formats times', () => {
    expect(decades([1, 10_000])).toEqual([1, 10, 100, 1000, 10_000]);
    expect(formatMs(1)).toBe('1 ms');
    expect(formatMs(250)).toBe('250 ms');
    expect(formatMs(10_000)).toBe('10 s');
    expect(formatMs(1500)).toBe('1.5 s');
  });
});
