// Public surface of the store.
export type * from './types.ts';
export { PANEL_IDS } from './types.ts';
export { createLooplabStore, DEFAULT_PRESET } from './createStore.ts';
export type { LooplabStore, LooplabStoreOptions } from './createStore.ts';
export { LooplabProvider, useLooplab, useLooplabStore, useShallow } from './context.tsx';
export { measurementKey, currentKey } from './measureSlice.ts';
export { DEFAULT_PANELS } from './uiSlice.ts';
export { isAction, entryText, parseEntryText } from './log.ts';
export { resolveSnapshot } from './snapshot.ts';
export type { Snapshot, ResolvedSnapshot } from './snapshot.ts';
export { indexedDbSessions, memorySessions } from './sessions.ts';
export type { SessionStorage, SessionRecord } from './sessions.ts';
export { createWorkerMeasurer } from './workerMeasurer.ts';
export { createPageStore } from './page.ts';
export { stateToHash, parseHash, syncWithUrl } from './url.ts';
