// React access to the store: one provider per page (or test), selectors through `useLooplab`.
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { LooplabStore } from './createStore.ts';
import type { LooplabState } from './types.ts';

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
