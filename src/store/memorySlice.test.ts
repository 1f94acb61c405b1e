// The memory panel's simulations: asked of the measurer only while the panel is shown, once per
// (problem, schedule, machine), one at a time, the latest schedule after the one running.
import { describe, expect, it } from 'vitest';
import type { CacheFigures } from '../core/cache/figures.ts';
import { printSchedule } from '../core/schedule.ts';
import { createLooplabStore } from './createStore.ts';
import { currentMemoryKey, memoryEntryOf, memoryWanted } from './memorySlice.ts';
import { PANEL_IDS, type PanelId } from './panels.ts';
import type { LooplabStore } from './storeApi.ts';
import type { Measurer } from './types.ts';

function fakeMeasurer(opts: { holdMeasurements?: boolean } = {}) {
  const calls: string[] = [];
  const pending: Array<() => void> = [];
  const measurements: Array<() => void> = [];
  const figure = { gflops: 1, gflopsMedian: 1, correct: true, maxError: 0, kernelBytes: new Uint8Array(8) };
  const measurer: Measurer = {
    measure: () =>
      opts.holdMeasurements
        ? new Promise((resolve) => measurements.push(() => resolve(figure)))
        : Promise.resolve(figure),
    peak: () => Promise.resolve(10),
    simulateCache(_problem, schedule, machine) {
      calls.push(`${schedule} on ${machine}`);
      return new Promise<CacheFigures>((resolve) =>
        pending.push(() => resolve({ machine: { id: machine } } as unknown as CacheFigures)),
      );
    },
  };
  return { measurer, calls, pending, measurements };
}

/** Lets the measure queue and the slice's promises run. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

/** Only these panels shown. */
function showOnly(s: LooplabStore, ...ids: PanelId[]) {
  s.setState({ panels: Object.fromEntries(PANEL_IDS.map((id) => [id, ids.includes(id)])) as Record<PanelId, boolean> });
}

describe('memoryWanted', () => {
  it('asks for what the shown panels cite: the current schedule, the one before the change, the pinned one, the handout rows', () => {
    const s = createLooplabStore();
    const start = printSchedule(s.getState().current.schedule);
    showOnly(s);
    expect(memoryWanted(s.getState())).toEqual([]);
    s.getState().act('split_8');
    const split = printSchedule(s.getState().current.schedule);
    const key = s.getState().problemKey;
    const want = (...schedules: string[]) =>
      schedules.map((schedule) => ({ problemKey: key, schedule, machineId: 'zen4' }));
    showOnly(s, 'memory');
    expect(memoryWanted(s.getState())).toEqual(want(split));
    showOnly(s, 'perf');
    expect(memoryWanted(s.getState())).toEqual(want(split));
    // The explanation in the nest panel cites the change from the start.
    showOnly(s, 'nest');
    expect(memoryWanted(s.getState())).toEqual(want(split, start));
    // Compare: the pinned schedule too.
    s.getState().pinCurrent();
    s.getState().act('split_4');
    const now = printSchedule(s.getState().current.schedule);
    showOnly(s, 'compare');
    expect(memoryWanted(s.getState())).toEqual(want(now, split));
    // The filled-in handout: every schedule of the session.
    showOnly(s);
    s.setState({ handoutOpen: true, handoutFilled: true });
    expect(memoryWanted(s.getState())).toEqual(want(now, start, split));
    s.setState({ handoutFilled: false });
    expect(memoryWanted(s.getState())).toEqual([]);
  });
});

describe('memory slice', () => {
  it('simulates what is shown, once per schedule and machine, the latest after the running one', async () => {
    const { measurer, calls, pending } = fakeMeasurer();
    const s = createLooplabStore({ measurer });
    showOnly(s);
    const start = printSchedule(s.getState().current.schedule);
    s.getState().act('split_8');
    await settle();
    expect(calls).toEqual([]);
    s.getState().togglePanel('memory');
    const split = printSchedule(s.getState().current.schedule);
    expect(calls).toEqual([`${split} on zen4`]);
    expect(s.getState().memory[currentMemoryKey(s.getState())].status).toBe('running');
    // Two more steps while it runs: only the last is simulated next.
    s.getState().undo();
    s.getState().act('split_4');
    await settle();
    pending.shift()?.();
    await settle();
    const now = printSchedule(s.getState().current.schedule);
    expect(calls).toEqual([`${split} on zen4`, `${now} on zen4`]);
    pending.shift()?.();
    await settle();
    expect(s.getState().memory[currentMemoryKey(s.getState())].status).toBe('done');
    expect(memoryEntryOf(s.getState(), now)?.status).toBe('done');
    // Undo shows the start (simulated now); the split again: already simulated, nothing new.
    s.getState().undo();
    await settle();
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

  it("waits for the current schedule's figure before asking for a simulation", async () => {
    const { measurer, calls, measurements } = fakeMeasurer({ holdMeasurements: true });
    const s = createLooplabStore({ measurer });
    showOnly(s, 'memory');
    s.getState().act('split_8');
    await settle();
    expect(calls).toEqual([]);
    for (let round = 0; round < 3; round++) {
      while (measurements.length > 0) measurements.shift()?.();
      await settle();
    }
    expect(calls).toEqual([`${printSchedule(s.getState().current.schedule)} on zen4`]);
  });

  it('warms the cache worker up once, after the first figure is in, while no simulation is wanted yet', async () => {
    const { measurer, calls, measurements } = fakeMeasurer({ holdMeasurements: true });
    measurer.warmCache = () => calls.push('warm-up');
    // A measurer that refines, whose refinement never ends: the roofline's simulation waits for it.
    measurer.refine = () => new Promise(() => {});
    const s = createLooplabStore({ measurer });
    showOnly(s, 'nest', 'perf');
    await settle();
    // The first figure is being measured: nothing shares the processor with it.
    expect(calls).toEqual([]);
    measurements.shift()?.();
    await settle();
    expect(calls).toEqual(['warm-up']);
    s.getState().act('split_8');
    await settle();
    while (measurements.length > 0) measurements.shift()?.();
    await settle();
    s.getState().togglePanel('memory');
    await settle();
    expect(calls).toEqual(['warm-up', `${printSchedule(s.getState().current.schedule)} on zen4`]);
  });

  it('leaves the warm-up out when a simulation is wanted as soon as the first figure is in', async () => {
    const { measurer, calls, measurements } = fakeMeasurer({ holdMeasurements: true });
    measurer.warmCache = () => calls.push('warm-up');
    const s = createLooplabStore({ measurer });
    showOnly(s, 'memory');
    await settle();
    expect(calls).toEqual([]);
    measurements.shift()?.();
    await settle();
    expect(calls).toEqual([`${printSchedule(s.getState().current.schedule)} on zen4`]);
  });

  it('asks for the figures other panels cite only once the current figure is refined; the memory panel right after the quick one', async () => {
    const { measurer, calls } = fakeMeasurer();
    // A measurer that refines, whose refinement never ends: the current figure stays quick.
    measurer.refine = () => new Promise(() => {});
    const s = createLooplabStore({ measurer });
    showOnly(s, 'nest', 'perf');
    s.getState().act('split_8');
    await settle();
    expect(calls).toEqual([]);
    s.getState().togglePanel('memory');
    await settle();
    expect(calls).toEqual([`${printSchedule(s.getState().current.schedule)} on zen4`]);
  });

  it('simulates the schedule before the change while the explanation is shown', async () => {
    const { measurer, calls, pending } = fakeMeasurer();
    const s = createLooplabStore({ measurer });
    showOnly(s, 'nest');
    const start = printSchedule(s.getState().current.schedule);
    await settle();
    pending.shift()?.();
    await settle();
    s.getState().act('split_8');
    await settle();
    const split = printSchedule(s.getState().current.schedule);
    pending.shift()?.();
    await settle();
    expect(calls).toEqual([`${start} on zen4`, `${split} on zen4`]);
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

  it('simulates every access of the current schedule on request, once, apart from the figures the other panels use', async () => {
    const { measurer } = fakeMeasurer();
    const exactCalls: string[] = [];
    const finish: Array<(f: CacheFigures) => void> = [];
    measurer.simulateExactly = (_problem, schedule, machine) => {
      exactCalls.push(`${schedule} on ${machine}`);
      return new Promise<CacheFigures>((resolve) => finish.push(resolve));
    };
    const s = createLooplabStore({ measurer });
    showOnly(s);
    const key = currentMemoryKey(s.getState());
    const schedule = printSchedule(s.getState().current.schedule);
    s.getState().simulateExactly();
    s.getState().simulateExactly();
    expect(exactCalls).toEqual([`${schedule} on zen4`]);
    expect(s.getState().exactRuns[key]).toEqual({ status: 'running' });
    const figures = { machine: { id: 'zen4' }, method: 'exact' } as unknown as CacheFigures;
    finish[0](figures);
    await settle();
    expect(s.getState().exactRuns[key]).toEqual({ status: 'done', figures });
    // Not the figures the panels and the lessons read.
    expect(s.getState().memory[key]).toBeUndefined();
    s.getState().simulateExactly();
    expect(exactCalls).toHaveLength(1);
  });

  it('says why when every access cannot be simulated', async () => {
    const { measurer } = fakeMeasurer();
    measurer.simulateExactly = () => Promise.reject(new Error('the kernel makes 9,000 million memory accesses'));
    const s = createLooplabStore({ measurer });
    const key = currentMemoryKey(s.getState());
    s.getState().simulateExactly();
    await settle();
    expect(s.getState().exactRuns[key]).toEqual({
      status: 'error',
      error: 'the kernel makes 9,000 million memory accesses',
    });
    const bare = createLooplabStore();
    bare.getState().simulateExactly();
    expect(bare.getState().exactRuns[currentMemoryKey(bare.getState())]).toEqual({
      status: 'error',
      error: 'this page cannot simulate every access',
    });
  });
});
