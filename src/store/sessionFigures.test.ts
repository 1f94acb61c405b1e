import { describe, expect, it } from 'vitest';
import { printSchedule } from '../core/schedule.ts';
import { createLooplabStore } from './createStore.ts';
import { measurementKey } from './measureSlice.ts';
import { bestFigure, onThreads, sessionFigures } from './sessionFigures.ts';

describe('sessionFigures (the handout figures)', () => {
  it("a parallel schedule's figure is the one at the page's thread count, and says so", () => {
    const store = createLooplabStore();
    store.setState({ threadSupport: { isolated: true, hardware: 4 } });
    const { act } = store.getState();
    act('split_16');
    act('parallel');
    const s = store.getState();
    const key = (schedule: string, threads: number) => measurementKey(s.problemKey, schedule, threads);
    const start = 'm:256 n:256 k:256';
    const split = 'm:16 m:16 n:256 k:256';
    const parallel = printSchedule(s.current.schedule);
    expect(parallel).toBe('||m:16 m:16 n:256 k:256');
    store.setState({
      measurements: {
        [key(start, 1)]: { key: key(start, 1), status: 'done', gflops: 1.5, correct: true },
        [key(split, 1)]: { key: key(split, 1), status: 'done', gflops: 2, correct: true },
        // Measured earlier on 1 thread, and now on the page's 4.
        [key(parallel, 1)]: { key: key(parallel, 1), status: 'done', gflops: 2.1, correct: true, threads: 1 },
        [key(parallel, 4)]: { key: key(parallel, 4), status: 'done', gflops: 7.9, correct: true, threads: 4 },
      },
    });
    const rows = sessionFigures(store.getState());
    expect(rows).toEqual([
      { schedule: start, gflops: 1.5, threads: 1, correct: true },
      { schedule: split, gflops: 2, threads: 1, correct: true },
      { schedule: parallel, gflops: 7.9, threads: 4, correct: true },
    ]);
    expect(bestFigure(rows)).toMatchObject({ gflops: 7.9, threads: 4 });
    expect(onThreads(4)).toBe('on 4 threads');
    expect(onThreads(1)).toBe('on 1 thread');

    // Two threads chosen: not measured there yet, so no figure (not the 1- or 4-thread one).
    store.getState().setThreads(2);
    const at2 = sessionFigures(store.getState());
    expect(at2[2]).toEqual({ schedule: parallel, gflops: null, threads: 1, correct: null });
    expect(bestFigure(at2)).toMatchObject({ gflops: 2, threads: 1 });
  });
});
