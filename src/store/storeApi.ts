// The store's type on its own, so that slices which subscribe to the whole store (agent, lessons)
// name it without importing the factory that composes them.
import type { StoreApi } from 'zustand/vanilla';
import type { LooplabState } from './types.ts';

export type LooplabStore = StoreApi<LooplabState>;
