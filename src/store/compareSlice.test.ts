import { describe, expect, it } from 'vitest';
import { printSchedule } from '../core/schedule.ts';
import { createLooplabStore } from './createStore.ts';

describe('compare', () => {
  it('pins a copy of the current schedule, opens the panel, and unpins', () => {
    const s = createLooplabStore();
    expect(s.getState().panels.compare).toBe(false);
    s.getState().act('split_8');
    s.getState().pinCurrent();
    const pinned = s.getState().pinned!;
    expect(pinned.problemKey).toBe(s.getState().problemKey);
    expect(printSchedule(pinned.schedule)).toBe('m:32 m:8 n:256 k:256');
    expect(pinned.label).toBe('step 1');
    expect(s.getState().panels.compare).toBe(true);
    s.getState().act('merge'); // cursor on m:32, nothing to merge into: refused
    s.getState().act('down');
    s.getState().act('merge');
    expect(printSchedule(s.getState().pinned!.schedule)).toBe('m:32 m:8 n:256 k:256');
    s.getState().pinCurrent('  mine ');
    expect(s.getState().pinned!.label).toBe('mine');
    s.getState().unpin();
    expect(s.getState().pinned).toBeNull();
  });
});
