import { describe, expect, it } from 'vitest';
import type { ScheduleMeasurement } from '../store/types.ts';
import { historyDomains, historyPoints, pointLabel, pointState, pointY, type HistoryModel } from './historyChart.ts';

const done = (gflops: number | null, extra: Partial<ScheduleMeasurement> = {}): ScheduleMeasurement => ({
  key: 'k',
  status: 'done',
  gflops,
  gflopsMedian: gflops,
  correct: true,
  ...extra,
});

describe('pointState', () => {
  it('maps measurement records to point kinds', () => {
    expect(pointState(undefined)).toBe('unmeasured');
    expect(pointState({ status: 'queued' })).toBe('pending');
    expect(pointState({ status: 'measuring' })).toBe('pending');
    expect(pointState({ status: 'error' })).toBe('failed');
    expect(pointState(done(null, { correct: false }))).toBe('failed');
    expect(pointState(done(12))).toBe('measured');
    expect(pointState(done(null))).toBe('failed');
  });
});

describe('historyPoints', () => {
  const schedules = ['m n k', 'n m k', 'n m k', 'n:4 n m k'];
  const measurements: Record<string, ScheduleMeasurement> = {
    'P@m n k': done(2, { stage: 'refined' }),
    'P@n m k': done(3, { long: true, stage: 'refined' }),
    'P@n k m': done(5, { stage: 'quick' }),
    'P@n:4 n m k': { key: 'P@n:4 n m k', status: 'measuring' },
  };
  const points = historyPoints({
    count: schedules.length,
    measurementOf: (i) => measurements[`P@${schedules[i]}`],
    scheduleOf: (i) => schedules[i],
    actionOf: (i) => [null, 'swap_down', 'down', 'split_4'][i],
  });

  it('gives one point per log position, with the figure of the schedule there', () => {
    expect(points.map((p) => [p.position, p.state, p.gflops, p.long])).toEqual([
      [0, 'measured', 2, false],
      [1, 'measured', 3, true],
      // A cursor move keeps the schedule: the same (cached) figure.
      [2, 'measured', 3, true],
      [3, 'pending', null, false],
    ]);
    expect(points[3].action).toBe('split_4');
  });

  it('labels points in words', () => {
    expect(pointLabel(points[0])).toBe('start: m n k — 2.00 GFLOPS');
    expect(pointLabel(points[1])).toBe('step 1 (swap_down): n m k — 3.00 GFLOPS (long run)');
    expect(pointLabel(points[3])).toBe('step 3 (split_4): n:4 n m k — being measured');
  });

  it('marks a quick figure as provisional until the refined one replaces it', () => {
    const [quick] = historyPoints({
      count: 1,
      measurementOf: () => measurements['P@n k m'],
      scheduleOf: () => 'n k m',
      actionOf: () => null,
    });
    expect(quick.quick).toBe(true);
    expect(points[0].quick).toBe(false);
    expect(pointLabel(quick)).toBe('start: n k m — ≈ 5.00 GFLOPS (quick)');
  });
});

describe('historyDomains and pointY', () => {
  const model = (
    values: Array<number | null>,
    peak: number | null = null,
    xnnpack: number | null = null,
  ): HistoryModel => ({
    points: values.map((g, i) => ({
      position: i,
      state: g === null ? 'pending' : 'measured',
      gflops: g,
      schedule: '',
      action: null,
      long: false,
      quick: false,
    })),
    current: 0,
    peak,
    xnnpack,
  });

  it('spans every position (at least 0..1) and whole decades around every value, peak and XNNPACK included', () => {
    expect(historyDomains(model([1.5]))).toEqual({ x: [0, 1], y: [1, 10] });
    expect(historyDomains(model([1.5, 3, null], 50, 20))).toEqual({ x: [0, 2], y: [1, 100] });
    expect(historyDomains(model([0.05, 9], 40))).toEqual({ x: [0, 1], y: [0.01, 100] });
    // Nothing measured yet.
    expect(historyDomains(model([null]))).toEqual({ x: [0, 1], y: [1, 100] });
  });

  it('draws unmeasured points at the bottom of the axis', () => {
    const m = model([2, null]);
    const d = historyDomains(m).y;
    expect(pointY(m.points[0], d)).toBe(2);
    expect(pointY(m.points[1], d)).toBe(1);
  });
});
