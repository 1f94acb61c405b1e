// The memory panel's simulations: asked of the measurer only while the panel is shown, once per
// (problem, schedule, machine), one at a time, the latest schedule after the one running.
import { describe, expect, it } from 'vitest';
import type { CacheFigures } from '../core/cache/figures.ts';
import { printSchedule } from '../core/schedule.ts';
import { createLooplabStore } from './createStore.ts';
import { currentMemoryKey } from './memorySlice.ts';
import type { Measurer } from './types.ts';

function fakeMeasurer() {
  const calls: string[] = [];
  const pending: Array<() => void> = [];
  const measurer: Measurer = {
    measure: () => new Promise(() => {}),
    peak: () => new Promise(() => {}),
    simulateCache(_problem, schedule, machine) {
      calls.push(`${schedule} on ${machine}`);
      return new Promise<CacheFigures>((resolve) =>
        pending.push(() => resolve({ machine: { id: machine } } as unknown as CacheFigures)),
      );
    },
  };
  return { measurer, calls, pending };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('memory slice', () => {
  it('simulates only while the panel is shown, once per schedule and machine, the latest after the running one', async () => {
    const { measurer, calls, pending } = fakeMeasurer();
    const s = createLooplabStore({ measurer });
    const start = printSchedule(s.getState().current.schedule);
    s.getState().act('split_8');
    expect(calls).toEqual([]);
    s.getState().togglePanel('memory');
    const split = printSchedule(s.getState().current.schedule);
    expect(calls).toEqual([`${split} on zen4`]);
    expect(s.getState().memory[currentMemoryKey(s.getState())].status).toBe('running');
    // Two more steps while it runs: only the last is simulated next.
    s.getState().undo();
    s.getState().act('split_4');
    pending.shift()?.();
    await settle();
    const now = printSchedule(s.getState().current.schedule);
    expect(calls).toEqual([`${split} on zen4`, `${now} on zen4`]);
    pending.shift()?.();
    await settle();
    expect(s.getState().memory[currentMemoryKey(s.getState())].status).toBe('done');
    // Undo shows the start (simulated now); the split again: already simulated, nothing new.
    s.getState().undo();
    expect(calls.at(-1)).toBe(`${start} on zen4`);
    pending.shift()?.();
    await settle();
    s.getState().act('split_8');
    expect(printSchedule(s.getState().current.schedule)).toBe(split);
    expect(calls.length).toBe(3);
    // Another machine: simulated again.
    s.getState().setMemoryMachine('teaching');
    expect(calls.at(-1)).toBe(`${split} on teaching`);
  });

  it('says so when the page cannot simulate, and refuses an unknown machine', () => {
    const s = createLooplabStore();
    s.getState().togglePanel('memory');
    expect(s.getState().memory[currentMemoryKey(s.getState())]).toEqual({
      status: 'error',
      error: 'this page cannot simulate caches',
    });
    s.getState().setMemoryMachine('cray');
    expect(s.getState().memoryMachine).toBe('zen4');
    expect(s.getState().notices.at(-1)?.text).toBe("unknown machine 'cray'");
  });

  it("keeps the machine a teacher's link fixed", () => {
    const s = createLooplabStore({
      teacher: {
        lesson: null,
        fixed: [],
        hide: [],
        hideActions: [],
        present: false,
        handout: false,
        machine: 'teaching',
      },
    });
    expect(s.getState().memoryMachine).toBe('teaching');
    s.getState().setMemoryMachine('zen4');
    expect(s.getState().memoryMachine).toBe('teaching');
    expect(s.getState().notices.at(-1)?.text).toBe(
      "the teacher's link fixes the machine to Teaching cache: 1 KiB direct-mapped, 32-byte lines",
    );
  });
});
