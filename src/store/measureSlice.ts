// Measurement orchestration. One job runs at a time; when the runner is free it measures what
// is wanted NOW, in this order: the current schedule (if not cached), a requested long run of the
// current schedule, the machine's peak (once), XNNPACK for the current problem. So the latest
// schedule always wins: a schedule that stopped being current while waiting is dropped, and
// nothing waits on the page. Every failure becomes a status with its message (and a notice),
// never an unhandled rejection.
import { printSchedule } from '../core/schedule.ts';
import type { Schedule } from '../core/types.ts';
import type { GetState, SetState, SliceCreator } from './sliceCreator.ts';
import type { MeasureSlice, Measurer, ScheduleMeasurement } from './types.ts';
import { PARALLEL_MARK } from '../core/schedule.ts';
import { clampThreads, effectiveThreads, threadsOffReason, type ThreadSupport } from '../runtime/threadSupport.ts';
import { MAX_THREADS } from '../runtime/threads.ts';

/** The most threads a parallel loop may be given. */
export const MAX_PAGE_THREADS = MAX_THREADS;

/** Why parallel loops run on one thread on this page, or null when threads are on. */
export function threadsOff(state: Pick<MeasureSlice, 'threadSupport'>): string | null {
  return threadsOffReason(state.threadSupport);
}
import { errorMessage } from '../core/errors.ts';

/** Without a measurer that says otherwise: no shared memory, one processor. */
export const NO_THREADS: ThreadSupport = { isolated: false, hardware: 1 };

/**
 * The cache key of a schedule's measurement: canonical problem text + schedule text, + the
 * threads when the schedule has a parallel loop and runs on more than one.
 */
export function measurementKey(problemKey: string, scheduleText: string, threads = 1): string {
  const base = `${problemKey}\n@ ${scheduleText}`;
  return threads > 1 && scheduleText.includes(PARALLEL_MARK) ? `${base}\n# ${threads} threads` : base;
}

type ThreadState = Partial<Pick<MeasureSlice, 'threadsChosen' | 'threadSupport'>>;

/** The threads parallel loops run on in this state (1 when it does not say). */
export function stateThreads(state: ThreadState): number {
  return effectiveThreads(state.threadsChosen ?? null, state.threadSupport ?? NO_THREADS);
}

/** The key of the store's current schedule. */
export function currentKey(state: { problemKey: string; current: { schedule: Schedule } } & ThreadState): string {
  return measurementKey(state.problemKey, printSchedule(state.current.schedule), stateThreads(state));
}

interface Job {
  key: string;
  problemKey: string;
  scheduleText: string;
  threads: number;
}

function currentJob(get: GetState): Job {
  const s = get();
  const scheduleText = printSchedule(s.current.schedule);
  const threads = scheduleText.includes(PARALLEL_MARK) ? stateThreads(s) : 1;
  return { key: measurementKey(s.problemKey, scheduleText, threads), problemKey: s.problemKey, scheduleText, threads };
}

function withMeasurement(set: SetState, get: GetState, m: ScheduleMeasurement): void {
  set({ measurements: { ...get().measurements, [m.key]: m } });
}

function withoutMeasurement(set: SetState, get: GetState, key: string): void {
  const { [key]: _dropped, ...rest } = get().measurements;
  set({ measurements: rest });
}

type MeasureResult = Awaited<ReturnType<Measurer['measure']>>;

function fromResult(key: string, r: MeasureResult, long: boolean): ScheduleMeasurement {
  const m: ScheduleMeasurement = {
    key,
    status: 'done',
    gflops: r.gflops,
    gflopsMedian: r.gflopsMedian,
    correct: r.correct,
  };
  if (r.maxError !== undefined) m.maxError = r.maxError;
  if (r.report !== undefined) m.report = r.report;
  if (r.kernelBytes !== undefined) m.kernelBytes = r.kernelBytes;
  if (r.generateMs !== undefined) m.generateMs = r.generateMs;
  if (r.compileMs !== undefined) m.compileMs = r.compileMs;
  if (!r.correct) m.error = r.reason ?? 'the kernel computed wrong values';
  if (long) m.long = true;
  if (r.threads !== undefined) m.threads = r.threads;
  return m;
}

export const createMeasureSlice: SliceCreator<MeasureSlice> = (set, get, { measurer }) => {
  let busy = false;
  /** The key marked 'queued' while another job ran (dropped if it is no longer current). */
  let queued: string | null = null;
  /** A long run asked for (dropped when its schedule is no longer current). */
  let longWanted: Job | null = null;

  const fail = (message: string) => get().notify('error', message);

  const finish = () => {
    busy = false;
    if (queued !== null && queued !== currentJob(get).key && get().measurements[queued]?.status === 'queued') {
      withoutMeasurement(set, get, queued);
    }
    queued = null;
    pump();
  };

  /** Runs `body` as the one job in flight; its errors are handled by `onError`. */
  const run = (body: () => Promise<void>, onError: (message: string) => void) => {
    busy = true;
    let started: Promise<void>;
    try {
      started = body(); // starts the call now (async bodies never throw, but be sure)
    } catch (error) {
      started = Promise.reject(error);
    }
    started
      .catch((error: unknown) => onError(errorMessage(error)))
      .finally(finish)
      .catch(() => {}); // finish never throws in practice; a bug there must not become unhandled
  };

  const pump = () => {
    if (!measurer || busy) return;
    const job = currentJob(get);
    const s = get();
    if (longWanted && longWanted.key !== job.key) {
      longWanted = null;
      set({ longRun: null });
    }
    const cached = s.measurements[job.key];
    if (!cached || cached.status === 'queued') {
      withMeasurement(set, get, { key: job.key, status: 'measuring' });
      run(
        async () => {
          const r = await measurer.measure(job.problemKey, job.scheduleText, { threads: job.threads });
          withMeasurement(set, get, fromResult(job.key, r, false));
        },
        (message) => {
          withMeasurement(set, get, { key: job.key, status: 'error', error: message });
          fail(message);
        },
      );
      return;
    }
    if (longWanted) {
      const long = longWanted;
      longWanted = null;
      run(
        async () => {
          const r = await measurer.measure(long.problemKey, long.scheduleText, {
            long: true,
            threads: long.threads,
            onProgress: (fraction) => {
              if (get().longRun?.key === long.key)
                set({ longRun: { key: long.key, progress: Math.max(0, Math.min(1, fraction)) } });
            },
          });
          withMeasurement(set, get, fromResult(long.key, r, true));
          if (get().longRun?.key === long.key) set({ longRun: null });
        },
        (message) => {
          // The short measurement stays: a failed long run does not erase a good figure.
          if (get().longRun?.key === long.key) set({ longRun: null });
          fail(`the long run failed: ${message}`);
        },
      );
      return;
    }
    if (s.peak.status === 'queued') {
      set({ peak: { status: 'measuring' } });
      run(
        async () => {
          const gflops = await measurer.peak();
          set({ peak: { status: 'done', gflops } });
        },
        (message) => {
          set({ peak: { status: 'error', error: message } });
          fail(`the peak could not be measured: ${message}`);
        },
      );
      return;
    }
    const xnnpack = measurer.xnnpack;
    if (xnnpack && !s.xnnpack[job.problemKey]) {
      const problemKey = job.problemKey;
      const put = (v: MeasureSlice['xnnpack'][string]) => set({ xnnpack: { ...get().xnnpack, [problemKey]: v } });
      put({ status: 'measuring' });
      run(
        async () => {
          const gflops = await xnnpack.call(measurer, problemKey);
          put({ status: 'done', gflops });
        },
        (message) => {
          put({ status: 'error', error: message });
          fail(`XNNPACK could not be measured: ${message}`);
        },
      );
    }
  };

  return {
    measurements: {},
    peak: { status: 'queued' },
    xnnpack: {},
    longRun: null,
    threadsChosen: null,
    threadSupport: measurer?.threadSupport ?? NO_THREADS,

    setThreads(threads) {
      set({ threadsChosen: threads === null ? null : clampThreads(threads) });
      get().measureCurrent();
    },

    measureCurrent() {
      if (!measurer) return;
      const job = currentJob(get);
      if (busy && !get().measurements[job.key]) {
        if (queued !== null && queued !== job.key && get().measurements[queued]?.status === 'queued') {
          withoutMeasurement(set, get, queued);
        }
        queued = job.key;
        withMeasurement(set, get, { key: job.key, status: 'queued' });
      }
      pump();
    },

    startLongRun() {
      if (!measurer) return;
      const job = currentJob(get);
      longWanted = job;
      set({ longRun: { key: job.key, progress: 0 } });
      pump();
    },
  };
};
