// The simulated caches of the schedules the page shows: which machine's caches to simulate, and
// the figures of every (problem, schedule, machine) seen, so each step of the history keeps its
// own. What the page needs simulated now is decided in one place (memoryWanted); the measurer is
// asked one schedule at a time, and only once the current schedule's figure is in (refined too,
// unless the memory panel itself is shown), so the GFLOPS figure never waits for a simulation.
// An open lesson graded on simulated misses also asks for its schedules on its own machine
// (simulateForLesson), whatever the panels show. The agent's measured candidates come after the
// panels' schedules (candidateMisses.ts), once its rollout is done and the current figure is in.
// The cache worker is warmed up once (Measurer.warmCache) as soon as the page's first figure is
// in (not before: its start would share the two cores with the first measurement), unless a
// simulation is wanted at that moment (the memory panel shown): then that one starts the worker.
import { DEFAULT_MACHINE_ID, machineById } from '../core/cache/machines.ts';
import { CACHE_SIMULATION_ENTRY, type CacheSimulationTiming, recordTiming } from '../core/cache/timings.ts';
import { errorMessage } from '../core/errors.ts';
import { printSchedule } from '../core/schedule.ts';
import type { Schedule } from '../core/types.ts';
import { candidateMissesWanted } from './candidateMisses.ts';
import { explainedMove } from './explainedMove.ts';
import { currentMeasurement } from './measurement.ts';
import { sessionFigures } from './sessionFigures.ts';
import type { SliceCreator } from './sliceCreator.ts';
import type { LooplabState, MemoryEntry, MemorySlice } from './types.ts';

export function memoryKey(problemKey: string, scheduleText: string, machineId: string): string {
  return `${problemKey}\n@ ${scheduleText}\n# ${machineId}`;
}

export function currentMemoryKey(s: {
  problemKey: string;
  current: { schedule: Schedule };
  memoryMachine: string;
}): string {
  return memoryKey(s.problemKey, printSchedule(s.current.schedule), s.memoryMachine);
}

/** The simulated figures of a schedule of the current problem on the chosen machine (a selector's helper). */
export function memoryEntryOf(
  s: Pick<LooplabState, 'memory' | 'problemKey' | 'memoryMachine'>,
  schedule: Schedule | string,
  problemKey = s.problemKey,
): MemoryEntry | undefined {
  const text = typeof schedule === 'string' ? schedule : printSchedule(schedule);
  return s.memory[memoryKey(problemKey, text, s.memoryMachine)];
}

/** A schedule the page wants simulated, on a machine. */
export interface MemoryWant {
  problemKey: string;
  schedule: string;
  machineId: string;
}

/**
 * The schedules whose simulated figures the page shows now, the one on screen first: the current
 * one for the memory panel and the roofline; the one before the last change for "Why did that
 * change?" (in the nest panel); the pinned one in compare; the session's schedules and the open
 * lesson's done tasks' schedules on the filled-in handout.
 */
export function memoryWanted(s: LooplabState): MemoryWant[] {
  const out: MemoryWant[] = [];
  const add = (problemKey: string, schedule: string) => {
    if (!out.some((w) => w.problemKey === problemKey && w.schedule === schedule))
      out.push({ problemKey, schedule, machineId: s.memoryMachine });
  };
  const handout = s.handoutOpen && s.handoutFilled;
  const { memory, perf, nest, compare } = s.panels;
  if (memory || perf || nest || handout || (compare && s.pinned)) add(s.problemKey, printSchedule(s.current.schedule));
  if (nest) {
    const move = explainedMove(s);
    if (move.from !== null) add(s.problemKey, printSchedule(s.states[move.from].schedule));
  }
  if (compare && s.pinned) add(s.pinned.problemKey, printSchedule(s.pinned.schedule));
  if (handout) {
    for (const row of sessionFigures(s)) add(s.problemKey, row.schedule);
    const tasks = s.lessonId ? s.lessonProgress[s.lessonId]?.tasks : undefined;
    for (const task of Object.values(tasks ?? {})) add(s.problemKey, task.schedule);
  }
  return out;
}

/** Whether a change of state may change what memoryWanted asks, or let a waiting simulation start. */
export function memoryInputsChanged(s: LooplabState, prev: LooplabState): boolean {
  return (
    s.current !== prev.current ||
    s.problemKey !== prev.problemKey ||
    s.panels !== prev.panels ||
    s.pinned !== prev.pinned ||
    s.handoutOpen !== prev.handoutOpen ||
    s.handoutFilled !== prev.handoutFilled ||
    s.memoryMachine !== prev.memoryMachine ||
    s.cameFrom !== prev.cameFrom ||
    s.states !== prev.states ||
    s.measurements !== prev.measurements ||
    s.agentRun !== prev.agentRun ||
    s.player.index !== prev.player.index ||
    s.lessonId !== prev.lessonId
  );
}

/**
 * Whether a simulation asked now holds up no figure: the current schedule's figure is in (or
 * failed), and refined too when `refined` (a measurer that refines keeps the worker busy until then).
 */
function measurementSettled(s: LooplabState, refined: boolean): boolean {
  const m = currentMeasurement(s);
  if (!m) return true;
  if (m.status === 'error') return true;
  if (m.status !== 'done') return false;
  return !refined || m.correct === false || (m.stage !== 'quick' && m.refining === undefined);
}

/** `fixedMachine`: a teacher's link fixed the machine (every student sees the same figures). */
export const createMemorySlice =
  (fixedMachine?: string): SliceCreator<MemorySlice> =>
  (set, get, { measurer }) => {
    let running = false;
    let warmAsked = false;
    const put = (key: string, entry: MemoryEntry) => set({ memory: { ...get().memory, [key]: entry } });

    /** The schedules the open lesson grades on (simulateForLesson), on its machine. */
    let lessonWants: MemoryWant[] = [];

    const nextWant = (s: LooplabState): MemoryWant | undefined => {
      const missing = (w: MemoryWant) => !s.memory[memoryKey(w.problemKey, w.schedule, w.machineId)];
      // The memory panel's own figures come right after the quick figure; the figures other panels
      // cite wait until the current figure is refined (on a measurer that refines).
      const settled = measurementSettled(s, !s.panels.memory && measurer?.refine !== undefined);
      // The agent's candidates after them: the rollout is measured by then (candidateMissesWanted).
      const shown = settled
        ? (memoryWanted(s).find(missing) ??
          candidateMissesWanted(s)
            .map((schedule) => ({ problemKey: s.problemKey, schedule, machineId: s.memoryMachine }))
            .find(missing))
        : undefined;
      // A lesson grades its tasks on its simulations: they come right after the quick figure too.
      return (
        shown ??
        (currentMeasurement(s) !== undefined && measurementSettled(s, false)
          ? lessonWants.find((w) => w.problemKey === s.problemKey && missing(w))
          : undefined)
      );
    };

    const pump = async (): Promise<void> => {
      const s = get();
      if (running) return;
      const want = nextWant(s);
      if (!want) return;
      const key = memoryKey(want.problemKey, want.schedule, want.machineId);
      if (!measurer?.simulateCache) {
        put(key, { status: 'error', error: 'this page cannot simulate caches' });
        return;
      }
      running = true;
      put(key, { status: 'running' });
      try {
        const asked = performance.now();
        const figures = await measurer.simulateCache(want.problemKey, want.schedule, want.machineId);
        recordTiming(CACHE_SIMULATION_ENTRY, asked, {
          schedule: want.schedule,
          machine: want.machineId,
          method: figures.method ?? 'exact',
          simulateMs: figures.simulateMs ?? Number.NaN,
        } satisfies CacheSimulationTiming);
        put(key, { status: 'done', figures });
      } catch (e) {
        put(key, { status: 'error', error: errorMessage(e) });
      } finally {
        running = false;
      }
      void pump();
    };

    return {
      memoryMachine: fixedMachine ?? DEFAULT_MACHINE_ID,
      memoryMachineFixed: fixedMachine !== undefined,
      memory: {},
      exactRuns: {},
      simulateExactly() {
        const s = get();
        const key = currentMemoryKey(s);
        if (s.exactRuns[key]?.status === 'running' || s.exactRuns[key]?.status === 'done') return;
        const putExact = (entry: MemoryEntry) => set({ exactRuns: { ...get().exactRuns, [key]: entry } });
        if (!measurer?.simulateExactly) {
          putExact({ status: 'error', error: 'this page cannot simulate every access' });
          return;
        }
        putExact({ status: 'running' });
        measurer.simulateExactly(s.problemKey, printSchedule(s.current.schedule), s.memoryMachine).then(
          (figures) => putExact({ status: 'done', figures }),
          (e: unknown) => putExact({ status: 'error', error: errorMessage(e) }),
        );
      },
      setMemoryMachine(id) {
        if (get().memoryMachineFixed && id !== get().memoryMachine) {
          get().notify('error', `the teacher's link fixes the machine to ${machineById(get().memoryMachine)?.name}`);
          return;
        }
        if (!machineById(id)) {
          get().notify('error', `unknown machine '${id}'`);
          return;
        }
        set({ memoryMachine: id });
        get().simulateMemory();
      },
      simulateMemory() {
        if (!warmAsked && measurer?.warmCache) {
          const first = currentMeasurement(get());
          if (first && (first.status === 'done' || first.status === 'error')) {
            warmAsked = true;
            // A simulation wanted now starts the worker itself: a warm-up would only hold it up.
            if (!nextWant(get())) measurer.warmCache();
          }
        }
        void pump();
      },
      simulateForLesson(machineId, scheduleTexts) {
        const problemKey = get().problemKey;
        lessonWants = scheduleTexts.map((schedule) => ({ problemKey, schedule, machineId }));
        // After the change that made the lesson ask has asked for its measurement.
        queueMicrotask(() => void pump());
      },
    };
  };
