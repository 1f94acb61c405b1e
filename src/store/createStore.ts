// The playground's store: one zustand vanilla store composed of slices, made by a factory (no
// module singleton) so that every page and every test gets its own.
import { createStore } from 'zustand/vanilla';
import { PRESETS } from '../core/problem.ts';
import { createAgentLabSlice } from './agentLabSlice.ts';
import type { LabService } from './agentLabTypes.ts';
import { createAgentSlice, followAgentRun } from './agentSlice.ts';
import { createCompareSlice } from './compareSlice.ts';
import { createHistorySlice } from './historySlice.ts';
import type { SliceDeps } from './sliceCreator.ts';
import { createMeasureSlice } from './measureSlice.ts';
import { createMemorySlice, memoryInputsChanged } from './memorySlice.ts';
import { createProblemSlice } from './problemSlice.ts';
import type { SessionStorage } from './sessions.ts';
import { createSessionsSlice } from './sessionsSlice.ts';
import { resolveSnapshot, type ResolvedSnapshot } from './snapshot.ts';
import type { AgentDriver, HistoryEntry, LooplabState, Measurer, PanelId, PeakStorage } from './types.ts';
import { createUiSlice } from './uiSlice.ts';
import { createLessonSlice, watchLessons } from './lessonSlice.ts';
import type { ProgressStorage } from '../teach/progress.ts';
import type { TeacherOptions } from '../teach/teacherLink.ts';

/** The problem a fresh page shows. */
export const DEFAULT_PRESET = 'matmul-256';

export interface LooplabStoreOptions {
  /** Measures schedules (the worker in the page); without it nothing is measured. */
  measurer?: Measurer;
  /** Where the state starts; checked like a link (an invalid one falls back to the default, with a notice). */
  initial?: Partial<{
    problemText: string;
    /** Schedule text the log starts from (default: the problem's default schedule). */
    base: string;
    log: HistoryEntry[];
    position: number;
    panels: Partial<Record<PanelId, boolean>>;
  }>;
  /** The peak kept per device (IndexedDB in the page); without it the peak is measured on every load. */
  peakStorage?: PeakStorage;
  /** Saved sessions (IndexedDB in the page); without it the sessions list stays empty. */
  persistence?: SessionStorage;
  /** A teacher's link options (lesson, fixed problem, hidden panels and actions, present mode). */
  teacher?: TeacherOptions;
  /** Lesson progress (IndexedDB in the page); without it progress lasts until the page closes. */
  progress?: ProgressStorage;
  /** The agent (its worker in the page); without it "let the agent drive" says it is unavailable. */
  agent?: AgentDriver;
  /** The agent lab (its worker in the page): the race against the searches and fine-tuning. */
  lab?: LabService;
}

export type { LooplabStore } from './storeApi.ts';
import type { LooplabStore } from './storeApi.ts';

function defaultSnapshot(): ResolvedSnapshot {
  const preset = PRESETS.find((p) => p.id === DEFAULT_PRESET) ?? PRESETS[0];
  const r = resolveSnapshot({ problemText: preset.text }, 'the default');
  if (!r.ok) throw new Error(`looplab: the default problem is invalid: ${r.error}`);
  return r.value;
}

export function createLooplabStore(options: LooplabStoreOptions = {}): LooplabStore {
  let initial = defaultSnapshot();
  let initialError: string | null = null;
  if (options.initial) {
    const given = options.initial;
    const r = resolveSnapshot(
      { ...given, problemText: given.problemText ?? initial.problemText },
      "the initial state's",
    );
    if (r.ok) initial = r.value;
    else initialError = r.error;
  }
  const deps: SliceDeps = {
    initial,
    measurer: options.measurer,
    peakStorage: options.peakStorage,
    persistence: options.persistence,
    agent: options.agent,
    lab: options.lab,
  };

  const store = createStore<LooplabState>()((set, get) => ({
    ...createProblemSlice(set, get, deps),
    ...createHistorySlice(set, get, deps),
    ...createMeasureSlice(set, get, deps),
    ...createMemorySlice(options.teacher?.machine)(set, get, deps),
    ...createUiSlice(set, get, deps),
    ...createSessionsSlice(set, get, deps),
    ...createCompareSlice(set, get, deps),
    ...createLessonSlice({ teacher: options.teacher, progress: options.progress })(set, get, deps),
    ...createAgentSlice(set, get, deps),
    ...createAgentLabSlice(set, get, deps),
  }));

  if (initialError) store.getState().notify('error', initialError);

  // Measure whenever the current schedule or the problem changes (cached schedules cost nothing).
  store.subscribe((s, prev) => {
    if (s.current !== prev.current || s.problemKey !== prev.problemKey) s.measureCurrent();
  });
  store.subscribe((s, prev) => {
    if (s.current.schedule !== prev.current.schedule || s.problemKey !== prev.problemKey) s.dropStaleNotices();
  });
  // Simulate the caches of the schedules the page shows (memorySlice.ts memoryWanted).
  store.subscribe((s, prev) => {
    if (memoryInputsChanged(s, prev)) s.simulateMemory();
  });
  followAgentRun(store);
  // A teacher's link to the agent lesson opens it without openLesson: it predicts LoopTune's actions.
  if (store.getState().lessonId === 'agent') store.setState({ agentMethod: 'looptune' });
  watchLessons(store, options.progress);
  if (options.progress) void store.getState().refreshProgress();
  store.getState().measureCurrent();
  if (options.persistence) void store.getState().refreshSessions();
  return store;
}
