import { describe, expect, it } from 'vitest';
import { tensorGrid } from '../core/accessTrace.ts';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule } from '../core/schedule.ts';
import { AccessModel, MAX_CELLS, RECENT, sampling } from './accessCanvas.ts';

const mm = (sizes: string) => parseProblem('C[m,n] += A[m,k] * B[k,n]', sizes);

describe('sampling', () => {
  it('draws every element up to 64 a side and blocks of elements beyond', () => {
    expect(sampling(tensorGrid(mm('m=64, n=3, k=2').output, 'output'))).toEqual({
      block: 1,
      rows: 64,
      cols: 3,
      window: false,
    });
    expect(sampling(tensorGrid(mm('m=256, n=256, k=8').output, 'output'))).toEqual({
      block: 4,
      rows: 64,
      cols: 64,
      window: false,
    });
    // 100 needs blocks of 2: 50 cells; 97 columns likewise (the last block is partial).
    expect(sampling(tensorGrid(mm('m=100, n=97, k=8').output, 'output'))).toEqual({
      block: 2,
      rows: 50,
      cols: 49,
      window: false,
    });
    expect(sampling(tensorGrid(mm('m=100, n=30, k=8').output, 'output'), 'window')).toEqual({
      block: 1,
      rows: 64,
      cols: 30,
      window: true,
    });
    expect(sampling(tensorGrid(mm('m=60, n=30, k=8').output, 'output'), 'window')).toEqual({
      block: 1,
      rows: 60,
      cols: 30,
      window: false,
    });
    const big = sampling(tensorGrid(mm('m=1024, n=1000, k=8').output, 'output'));
    expect(Math.max(big.rows, big.cols)).toBeLessThanOrEqual(MAX_CELLS);
  });
});

describe('AccessModel', () => {
  it('records when each cell was last used and the latest distinct cells', () => {
    const p = mm('m=2, n=3, k=2');
    const model = new AccessModel(p, parseSchedule(p, 'm n k'));
    expect(model.advance(3)).toBe(3);
    const [c, a, b] = model.grids;
    expect(Array.from(c.lastTouch.get(0)!)).toEqual([2, 3, 0, 0, 0, 0]);
    expect(Array.from(a.lastTouch.get(0)!)).toEqual([3, 2, 0, 0]);
    expect(Array.from(b.lastTouch.get(0)!)).toEqual([1, 3, 0, 2, 0, 0]);
    expect(b.recent).toEqual([
      [0, 1],
      [1, 0],
      [0, 0],
    ]);
    expect(model.advance(100)).toBe(9);
    expect(model.done).toBe(true);
    model.reset();
    expect(model.position).toBe(0);
    expect(model.grids[0].lastTouch.size).toBe(0);
  });

  it('a downsampled cell lights when any of its elements is used; recent cells are capped', () => {
    const p = mm('m=256, n=256, k=256');
    const model = new AccessModel(p, parseSchedule(p, 'm n k'));
    model.advance(8); // k = 0..7 of A's row 0: A cells (0,0) and (0,1) of the 4x4 blocks
    const a = model.grids[1];
    const touched = Array.from(a.lastTouch.get(0)!).flatMap((w, i) => (w > 0 ? [i] : []));
    expect(touched).toEqual([0, 1]);
    expect(a.recent).toHaveLength(RECENT);
  });

  it('a window draws only the elements inside it', () => {
    const p = mm('m=2, n=1, k=100');
    const model = new AccessModel(p, parseSchedule(p, 'm n k'), 'window');
    model.advance(100); // A's row 0: k = 0..99, only 0..63 inside the window
    const a = model.grids[1];
    expect([a.rows, a.cols, a.window]).toEqual([2, 64, true]);
    const row0 = Array.from(a.lastTouch.get(0)!).slice(0, 64);
    expect(row0).toEqual(Array.from({ length: 64 }, (_, k) => k + 1));
    expect(a.recent[0]).toEqual([0, 99]);
  });
});
