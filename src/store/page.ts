// The page's store: the kernel worker as measurer, sessions in IndexedDB, state in the URL.
// Call once at start-up (main.tsx or App) and hand the store to <LooplabProvider>.
import { onFirstUse } from '../workers/onFirstUse.ts';
import { printSchedule } from '../core/schedule.ts';
import { createPageLab } from './agentLabSlice.ts';
import { createLooplabStore, type LooplabStore, type LooplabStoreOptions } from './createStore.ts';
import { indexedDbSessions } from './sessions.ts';
import { PROGRESS_DB, PROGRESS_STORE, type LessonProgress } from '../teach/progress.ts';
import { indexedDbRecords } from './recordStorage.ts';
import { linearHistory } from './chapters.ts';
import { isDefaultBase, type ResolvedSnapshot } from './snapshot.ts';
import type { AgentDriver, PeakRecord } from './types.ts';
import { parseHash, snapshotHash, syncLessonQuery, syncWithUrl, teacherLinkStart } from './url.ts';
import { createWorkerMeasurer } from './workerMeasurer.ts';

/** Where the page keeps the machine's peak, once per device (see measureSlice.ts). */
export const PEAK_DB = 'looplab-machine';
export const PEAK_STORE = 'peak';

export interface PageStore {
  store: LooplabStore;
  /** Stops the URL sync and the worker (tests, hot reload). */
  dispose(): void;
}

/** The store's `initial` option for a checked snapshot. */
export function initialOf(s: ResolvedSnapshot): NonNullable<LooplabStoreOptions['initial']> {
  const history = linearHistory(s);
  return {
    problemText: history.problemText,
    ...(isDefaultBase(history.first.problem, history.base) ? {} : { base: printSchedule(history.base) }),
    log: history.log,
    position: history.position,
    ...(s.panels ? { panels: s.panels } : {}),
  };
}

export function createPageStore(win: Window = window): PageStore {
  const measurer = createWorkerMeasurer();
  // The agent's client (and its worker, with tfjs) loads on the first rollout or policy load.
  const agentClient = onFirstUse(() => import('../workers/agent/client.ts').then((m) => m.createAgentClient()));
  const agent: AgentDriver & { terminate(): void } = {
    loadPolicy: (files) => agentClient.get().then((c) => c.loadPolicy(files)),
    tune: (problemText, start, onStep) => agentClient.get().then((c) => c.tune(problemText, start, onStep)),
    search: (problemText, start) => agentClient.get().then((c) => c.search(problemText, start)),
    loadCostModel: () => agentClient.get().then((c) => c.loadCostModel()),
    terminate: () => agentClient.loaded()?.terminate(),
  };
  const lab = createPageLab(new URL(`${import.meta.env.BASE_URL}agent/learning-curve.csv`, win.location.href).href);
  // Start from the link's state, so the first measurement is of the right schedule (syncWithUrl
  // reports an invalid link).
  const fromLink = parseHash(win.location.hash);
  // A teacher's link (?lesson=...&hide=...) may start from the lesson's start instead; then the
  // hash is rewritten to it, so that syncWithUrl restores that.
  const link = teacherLinkStart(win.location.search, win.location.hash);
  if (link.replaceHash && link.snapshot) win.history.replaceState(win.history.state, '', snapshotHash(link.snapshot));
  // An embed keeps nothing on the device: a frame inside another site's page is often refused
  // storage (third-party storage blocking), and a slide should start the same every time.
  const keeps = link.teacher.embed !== true;
  const store = createLooplabStore({
    measurer,
    agent,
    lab,
    persistence: keeps ? indexedDbSessions() : undefined,
    initial: link.snapshot
      ? initialOf(link.snapshot)
      : fromLink.ok && fromLink.value
        ? initialOf(fromLink.value)
        : undefined,
    teacher: link.teacher,
    progress: keeps ? indexedDbRecords<LessonProgress>(PROGRESS_DB, PROGRESS_STORE, 'lessonId') : undefined,
    peakStorage: keeps ? indexedDbRecords<PeakRecord>(PEAK_DB, PEAK_STORE, 'id') : undefined,
  });
  for (const error of link.errors) store.getState().notify('error', error);
  const stopUrl = syncWithUrl(store, win);
  const stopQuery = syncLessonQuery(store, win);
  return {
    store,
    dispose() {
      stopUrl();
      stopQuery();
      measurer.dispose();
      agent.terminate();
      lab.terminate();
    },
  };
}
