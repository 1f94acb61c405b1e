// The page's store: the runtime worker as measurer, sessions in IndexedDB, state in the URL.
// Call once at start-up (main.tsx or App) and hand the store to <LooplabProvider>.
import { printSchedule } from '../core/schedule.ts';
import { createLooplabStore, type LooplabStore, type LooplabStoreOptions } from './createStore.ts';
import { indexedDbSessions } from './sessions.ts';
import { isDefaultBase, type ResolvedSnapshot } from './snapshot.ts';
import { parseHash, syncWithUrl } from './url.ts';
import { createWorkerMeasurer } from './workerMeasurer.ts';

export interface PageStore {
  store: LooplabStore;
  /** Stops the URL sync and the worker (tests, hot reload). */
  dispose(): void;
}

/** The store's `initial` option for a checked snapshot. */
export function initialOf(s: ResolvedSnapshot): NonNullable<LooplabStoreOptions['initial']> {
  return {
    problemText: s.problemText,
    ...(isDefaultBase(s.problem, s.base) ? {} : { base: printSchedule(s.base) }),
    log: s.log,
    position: s.position,
    ...(s.panels ? { panels: s.panels } : {}),
  };
}

export function createPageStore(win: Window = window): PageStore {
  const measurer = createWorkerMeasurer();
  // Start from the link's state, so the first measurement is of the right schedule (syncWithUrl
  // reports an invalid link).
  const fromLink = parseHash(win.location.hash);
  const store = createLooplabStore({
    measurer,
    persistence: indexedDbSessions(),
    initial: fromLink.ok && fromLink.value ? initialOf(fromLink.value) : undefined,
  });
  const stopUrl = syncWithUrl(store, win);
  return {
    store,
    dispose() {
      stopUrl();
      measurer.dispose();
    },
  };
}
