// React access to the store: one provider per page (or test), selectors through `useLooplab`.
import { createContext, useCallback, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { LooplabStore } from './createStore.ts';
import type { Schedule } from '../core/types.ts';
import { measurementOf } from './measurement.ts';
import type { LooplabState, ScheduleMeasurement } from './types.ts';

export { useShallow } from 'zustand/react/shallow';

const LooplabContext = createContext<LooplabStore | null>(null);

export function LooplabProvider({ store, children }: { store: LooplabStore; children?: ReactNode }) {
  return <LooplabContext.Provider value={store}>{children}</LooplabContext.Provider>;
}

/** The store itself, for imperative access (event handlers, effects). */
export function useLooplabStore(): LooplabStore {
  const store = useContext(LooplabContext);
  if (!store) throw new Error('useLooplab/useLooplabStore must be used inside <LooplabProvider store={...}>');
  return store;
}

/**
 * Reads the store: re-renders when the selected value changes (Object.is). A selector that
 * builds a new object or array each time must be wrapped in `useShallow`.
 */
export function useLooplab<T>(selector: (state: LooplabState) => T): T {
  return useStore(useLooplabStore(), selector);
}

/**
 * The measurement of `schedule` (loops or text) at the threads parallel loops run on now, of the
 * current problem unless `problemKey` is given; undefined when there is none (or no schedule).
 */
export function useMeasurement(
  schedule: Schedule | string | null | undefined,
  problemKey?: string,
): ScheduleMeasurement | undefined {
  return useLooplab((s) => (schedule ? measurementOf(s, schedule, problemKey) : undefined));
}

/** A lookup of measurements as useMeasurement makes them, for a list of schedules (a chart's points, a handout's rows). */
export function useMeasurementLookup(): (
  schedule: Schedule | string,
  problemKey?: string,
) => ScheduleMeasurement | undefined {
  const state = useLooplab(
    useShallow((s) => ({
      problemKey: s.problemKey,
      measurements: s.measurements,
      threadsChosen: s.threadsChosen,
      threadSupport: s.threadSupport,
    })),
  );
  return useCallback((schedule, problemKey) => measurementOf(state, schedule, problemKey), [state]);
}
