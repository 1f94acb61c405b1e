// The memory panel's state: which machine's caches to simulate and the simulated figures of the
// schedules seen, asked of the kernel worker one at a time (after the measurement the worker is
// running, so the GFLOPS figure never waits for a simulation), only while the panel is shown, and
// those an open lesson grades on (on its machine, whether the panel is shown or not).
import { DEFAULT_MACHINE_ID, machineById } from '../core/cache/machines.ts';
import { errorMessage } from '../core/errors.ts';
import { printSchedule } from '../core/schedule.ts';
import { currentMeasurement } from './measurement.ts';
import type { SliceCreator } from './sliceCreator.ts';
import type { MemoryEntry, MemorySlice } from './types.ts';

export function memoryKey(problemKey: string, scheduleText: string, machineId: string): string {
  return `${problemKey}\n@ ${scheduleText}\n# ${machineId}`;
}

export function currentMemoryKey(s: {
  problemKey: string;
  current: { schedule: import('../core/types.ts').Schedule };
  memoryMachine: string;
}): string {
  return memoryKey(s.problemKey, printSchedule(s.current.schedule), s.memoryMachine);
}

/** One schedule of a problem to simulate on a machine. */
interface LessonSimulation {
  problemKey: string;
  scheduleText: string;
  machineId: string;
}

const lessonMemoryKey = (w: LessonSimulation) => memoryKey(w.problemKey, w.scheduleText, w.machineId);

/** `fixedMachine`: a teacher's link fixed the machine (every student sees the same figures). */
export const createMemorySlice =
  (fixedMachine?: string): SliceCreator<MemorySlice> =>
  (set, get, { measurer }) => {
    let running = false;
    const put = (key: string, entry: MemoryEntry) => set({ memory: { ...get().memory, [key]: entry } });

    /** Schedules an open lesson grades on simulated misses (simulateForLesson), in the order asked. */
    let lessonWants: LessonSimulation[] = [];

    /** What to simulate next: the panel's current schedule first, then what the lesson asked for. */
    const nextJob = (s: ReturnType<typeof get>): LessonSimulation | null => {
      if (s.panels.memory && !s.memory[currentMemoryKey(s)])
        return {
          problemKey: s.problemKey,
          scheduleText: printSchedule(s.current.schedule),
          machineId: s.memoryMachine,
        };
      // A lesson's simulations wait for the current schedule's figure: they never delay it.
      const figure = currentMeasurement(s)?.status;
      if (figure !== 'done' && figure !== 'error') return null;
      return lessonWants.find((w) => w.problemKey === s.problemKey && !s.memory[lessonMemoryKey(w)]) ?? null;
    };

    const pump = async (): Promise<void> => {
      const s = get();
      if (running) return;
      const job = nextJob(s);
      if (!job) return;
      const key = lessonMemoryKey(job);
      if (!measurer?.simulateCache) {
        put(key, { status: 'error', error: 'this page cannot simulate caches' });
        return;
      }
      running = true;
      put(key, { status: 'running' });
      try {
        const figures = await measurer.simulateCache(job.problemKey, job.scheduleText, job.machineId);
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
        void pump();
      },
      simulateForLesson(machineId, scheduleTexts) {
        const problemKey = get().problemKey;
        lessonWants = scheduleTexts.map((scheduleText) => ({ problemKey, scheduleText, machineId }));
        void pump();
      },
    };
  };
