// A schedule pinned to compare with the current one; pinning opens the compare panel.
import type { SliceCreator } from './sliceCreator.ts';
import type { CompareSlice } from './types.ts';

export const createCompareSlice: SliceCreator<CompareSlice> = (set, get) => ({
  pinned: null,
  pinCurrent(label) {
    const s = get();
    const schedule = s.current.schedule;
    set({
      pinned: {
        problemKey: s.problemKey,
        schedule: { loops: schedule.loops.map((l) => ({ ...l })) },
        label: label?.trim() || `step ${s.position}`,
      },
      panels: { ...s.panels, compare: true },
    });
  },
  unpin() {
    set({ pinned: null });
  },
});
