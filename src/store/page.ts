// The page's store: the runtime worker as measurer, sessions in IndexedDB, state in the URL.
// Call once at start-up (main.tsx or App) and hand the store to <LooplabProvider>.
import { createLooplabStore, type LooplabStore } from './createStore.ts';
import { indexedDbSessions } from './sessions.ts';
import { createWorkerMeasurer } from './workerMeasurer.ts';

export interface PageStore {
  store: LooplabStore;
  /** Stops the worker and the URL sync (tests, hot reload). */
  dispose(): void;
}

export function createPageStore(): PageStore {
  const measurer = createWorkerMeasurer();
  const store = createLooplabStore({ measurer, persistence: indexedDbSessions() });
  return {
    store,
    dispose() {
      measurer.dispose();
    },
  };
}
