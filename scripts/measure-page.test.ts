import { describe, expect, it } from 'vitest';
import { applyAction } from '../src/core/actions.ts';
import { parseProblemText } from '../src/core/problem.ts';
import { defaultSchedule, printSchedule } from '../src/core/schedule.ts';
import type { NestState } from '../src/core/types.ts';
import { percentile, plannedSteps, traceTasks } from './measure-page.ts';
import { traceSpans, workerTaskIn } from './pageCacheTimings.ts';

describe('plannedSteps', () => {
  it('plans legal actions that each reach a schedule not seen before, mixing swaps, splits and merges', () => {
    const steps = plannedSteps(30, 1);
    expect(steps).toHaveLength(30);
    const problem = parseProblemText('C[m,n] += A[m,k] * B[k,n]\nm=256, n=256, k=256');
    let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
    const seen = new Set([printSchedule(state.schedule)]);
    for (const step of steps) {
      for (const action of [...step.moves, step.action]) {
        const r = applyAction(problem, state, action);
        expect(r.ok, `${action} on ${printSchedule(state.schedule)}`).toBe(true);
        if (r.ok) state = r.state;
      }
      expect(printSchedule(state.schedule)).toBe(step.schedule);
      expect(seen.has(step.schedule)).toBe(false);
      seen.add(step.schedule);
    }
    const kinds = new Set(steps.map((s) => s.action.replace(/_\d+$/, '').replace(/_(up|down)$/, '')));
    expect([...kinds].sort()).toEqual(['merge', 'split', 'swap']);
    // Seeded: the same plan every time.
    expect(plannedSteps(30, 1)).toEqual(steps);
  });
});

describe('percentile', () => {
  it('is the nearest-rank percentile', () => {
    const v = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(v, 50)).toBe(5);
    expect(percentile(v, 95)).toBe(10);
    expect(percentile(v, 90)).toBe(9);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('traceTasks', () => {
  it("takes the page's main thread (the one that got key presses) and its longest tasks by wall and CPU time", () => {
    const meta = (pid: number, tid: number, name: string) => ({
      name: 'thread_name',
      ph: 'M',
      pid,
      tid,
      ts: 0,
      args: { name },
    });
    const task = (pid: number, dur: number, tdur: number) => ({
      name: 'RunTask',
      ph: 'X',
      pid,
      tid: 1,
      ts: 10,
      dur: dur * 1000,
      tdur: tdur * 1000,
    });
    const events = [
      meta(1, 1, 'CrRendererMain'),
      meta(2, 1, 'CrRendererMain'), // another renderer (e.g. a worker's or an extension's page)
      { name: 'EventDispatch', ph: 'X', pid: 1, tid: 1, ts: 5, dur: 100, args: { data: { type: 'keydown' } } },
      task(1, 60, 30),
      task(1, 20, 19),
      task(1, 51, 50),
      task(2, 500, 500),
    ];
    expect(traceTasks(events)).toEqual({ longestWallMs: 60, longestCpuMs: 50, over50Wall: 2, over50Cpu: 1 });
    expect(traceTasks([])).toEqual({ longestWallMs: 0, longestCpuMs: 0, over50Wall: 0, over50Cpu: 0 });
  });
});

describe('the cache simulations in a trace', () => {
  // The cache worker (thread 7) names itself by a span of its own; thread 8 is another worker.
  const worker = { name: 'looplab:cache-worker-simulation', ph: 'b', pid: 1, tid: 7, ts: 2_500 };
  const task = (tid: number, ts: number, dur: number, tdur: number) => ({
    name: 'RunTask',
    ph: 'X',
    pid: 1,
    tid,
    ts,
    dur,
    tdur,
  });
  const span = (ph: string, ts: number) => ({ name: 'looplab:cache-simulation', ph, pid: 1, tid: 1, ts });

  it("pairs a User Timing span's begin and end, and finds the worker's longest task started in it", () => {
    const events = [
      worker,
      span('b', 1000),
      span('e', 60_000),
      span('b', 100_000),
      span('e', 150_000),
      task(7, 2_000, 40_000, 30_000),
      task(7, 45_000, 16_000, 1_000),
      task(1, 3_000, 50_000, 50_000),
      task(8, 3_000, 50_000, 50_000),
      task(7, 101_000, 52_000, 45_000),
    ];
    const spans = traceSpans(events, 'looplab:cache-simulation');
    expect(spans).toEqual([
      { start: 1000, end: 60_000 },
      { start: 100_000, end: 150_000 },
    ]);
    // The main thread's and the other worker's longer tasks are not the cache worker's; a task may end after the page has its answer.
    expect(workerTaskIn(events, spans[0])).toEqual({ wallMs: 40, cpuMs: 30 });
    expect(workerTaskIn(events, spans[1])).toEqual({ wallMs: 52, cpuMs: 45 });
    expect(workerTaskIn(events, { start: 200_000, end: 300_000 })).toBeNull();
  });
});
