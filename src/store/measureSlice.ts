// Measurement orchestration. One job runs at a time; when the runner is free it does what is
// wanted NOW, in this order: a quick figure of the current schedule (if it has none), the
// machine's peak (read from the device's store, measured only when missing, damaged or asked
// for), a long run of the current schedule, refining the current schedule's figure, XNNPACK for
// the current problem, then refining schedules a lesson compares with. So the latest schedule
// always wins: a schedule that stopped being current while waiting is dropped.
//
// Refining: the quick figure is provisional. Once the page has been idle for REFINE_IDLE_MS, the
// worker takes rounds of a few kernel samples interleaved with samples of a fixed reference
// kernel (the peak kernel); each kernel sample's time relative to its neighbouring reference
// samples, scaled by the reference's known speed (the peak), is one sample of the refined figure.
// The figure is their median, with a 95% interval. Rounds are short, so a new action waits for
// at most one; an older schedule's rounds stop when it is no longer current and resume if it
// comes back. Every failure becomes a status with its message (and a notice), never an
// unhandled rejection.
import { printSchedule } from '../core/schedule.ts';
import type { Schedule } from '../core/types.ts';
import type { GetState, SetState, SliceCreator } from './sliceCreator.ts';
import type { MeasureSlice, Measurer, PeakRecord, RefineNeed, ScheduleMeasurement } from './types.ts';
import { PARALLEL_MARK } from '../core/schedule.ts';
import { clampThreads, effectiveThreads, threadsOffReason, type ThreadSupport } from '../runtime/threadSupport.ts';
import { MAX_THREADS } from '../runtime/threads.ts';
import { relativeTimes } from '../runtime/interleave.ts';
import { medianInterval, medianOf, relativeSpread } from '../core/spread.ts';

/** Kernel samples per refining round (each between two reference samples): ~35 ms of work. */
export const REFINE_PAIRS_PER_ROUND = 2;
/** A kernel whose call takes longer (s) is refined one sample per round. */
export const SLOW_CALL_SECONDS = 0.05;
/** Samples of a refined figure. */
export const REFINE_SAMPLES = 12;
/** Samples of a long run's refined figure (`b`). */
export const LONG_REFINE_SAMPLES = 60;
/** Refining waits until the current schedule has stayed put this long (ms): a person pressing keys in a row gets quick figures only, and no refine round in the way. */
export const REFINE_IDLE_MS = 500;
/** A machine whose reference samples spread at most this much (±5%) is called steady. */
export const STEADY_SPREAD = 0.05;
/** Reference samples the machine's noise is read from (the latest). */
export const NOISE_WINDOW = 24;
/** The stored peak's id: the peak on one thread. */
export const PEAK_RECORD_ID = 'peak-1t';

/** A refined figure and its interval, from samples relative to the reference (see the module comment). */
export function refinedFigure(
  basis: NonNullable<ScheduleMeasurement['basis']>,
  peakGflops: number | null,
): { gflops: number; low: number; high: number } {
  // Seconds of one reference call at its usual speed: from the peak when known, else this run's.
  const referenceSeconds =
    peakGflops !== null && peakGflops > 0 ? basis.referenceFlops / (peakGflops * 1e9) : basis.referenceSeconds;
  const toGflops = (relative: number) => basis.flops / (relative * referenceSeconds) / 1e9;
  const interval = medianInterval(basis.relative);
  return {
    gflops: toGflops(medianOf(basis.relative)),
    low: toGflops(interval.high),
    high: toGflops(interval.low),
  };
}

/** Checks a stored peak record: the record, or why it can't be used. */
export function checkPeakRecord(value: unknown): PeakRecord | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a peak record';
  const r = value as Partial<Record<keyof PeakRecord, unknown>>;
  if (typeof r.gflops !== 'number' || !Number.isFinite(r.gflops) || r.gflops <= 0)
    return 'its GFLOPS is not a positive number';
  if (typeof r.measuredAt !== 'number' || !Number.isFinite(r.measuredAt)) return 'it has no time of measurement';
  return { id: PEAK_RECORD_ID, gflops: r.gflops, measuredAt: r.measuredAt };
}

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

function fromResult(key: string, r: MeasureResult): ScheduleMeasurement {
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
  if (r.threads !== undefined) m.threads = r.threads;
  if (r.correct && r.gflops !== null) {
    m.stage = 'quick';
    m.quickGflops = r.gflops;
  }
  return m;
}

/** A correct kernel with a figure: refining applies. */
const refinable = (m: ScheduleMeasurement | undefined): m is ScheduleMeasurement =>
  m?.status === 'done' && m.correct === true && typeof m.gflops === 'number' && m.refineError === undefined;

/** Refining is under way or its figure is quick or older than `after`. */
const wantsRefining = (m: ScheduleMeasurement, after = 0) =>
  m.refining !== undefined || m.stage !== 'refined' || (m.refinedAt ?? 0) < after;

export const createMeasureSlice: SliceCreator<MeasureSlice> = (set, get, { measurer, peakStorage }) => {
  let busy = false;
  /** The key marked 'queued' while another job ran (dropped if it is no longer current). */
  let queued: string | null = null;
  /** A long run asked for (dropped when its schedule is no longer current). */
  let longWanted: Job | null = null;
  /** When the current schedule last changed (refining waits for REFINE_IDLE_MS after it). */
  let changedAt = 0;
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Schedules something waits for refined figures of (see wantRefined). */
  let needs: RefineNeed[] = [];
  /** The latest reference samples (seconds per call), for the machine's noise. */
  let referenceWindow: number[] = [];
  let bandwidthAsked = false;

  const fail = (message: string) => get().notify('error', message);
  const peakGflops = () => {
    const p = get().peak;
    return p.status === 'done' && typeof p.gflops === 'number' ? p.gflops : null;
  };

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

  const quick = (job: Job) => {
    if (!measurer) return;
    withMeasurement(set, get, { key: job.key, status: 'measuring' });
    run(
      async () => {
        const r = await measurer.measure(job.problemKey, job.scheduleText, { threads: job.threads });
        withMeasurement(set, get, fromResult(job.key, r));
      },
      (message) => {
        withMeasurement(set, get, { key: job.key, status: 'error', error: message });
        fail(message);
      },
    );
  };

  const measurePeakOnThreads = (threads: number) => {
    if (!measurer) return;
    const put = (v: MeasureSlice['peaksOnThreads'][number]) =>
      set({ peaksOnThreads: { ...get().peaksOnThreads, [threads]: v } });
    put({ status: 'measuring' });
    run(
      async () => put({ status: 'done', gflops: await measurer.peak(threads) }),
      (message) => {
        put({ status: 'error', error: message });
        fail(`the peak on ${threads} threads could not be measured: ${message}`);
      },
    );
  };

  const measurePeak = () => {
    if (!measurer) return;
    set({ peak: { status: 'measuring' } });
    run(
      async () => {
        const gflops = await measurer.peak();
        const record: PeakRecord = { id: PEAK_RECORD_ID, gflops, measuredAt: Date.now() };
        set({ peak: { status: 'done', gflops, measuredAt: record.measuredAt, stored: false } });
        rescaleRefined();
        if (peakStorage) {
          await peakStorage
            .put(record)
            .catch((error: unknown) =>
              fail(
                `the peak could not be kept for this device (it is measured again next time): ${errorMessage(error)}`,
              ),
            );
        }
      },
      (message) => {
        set({ peak: { status: 'error', error: message } });
        fail(`the peak could not be measured: ${message}`);
      },
    );
  };

  /** A new peak changes the reference's speed: refined figures follow it. */
  const rescaleRefined = () => {
    const peak = peakGflops();
    const next = { ...get().measurements };
    let changed = false;
    for (const [key, m] of Object.entries(next)) {
      if (m.stage !== 'refined' || !m.basis) continue;
      const f = refinedFigure(m.basis, peak);
      next[key] = { ...m, gflops: f.gflops, gflopsMedian: f.gflops, interval: { low: f.low, high: f.high } };
      changed = true;
    }
    if (changed) set({ measurements: next });
  };

  const noteReference = (seconds: number[]) => {
    referenceWindow = [...referenceWindow, ...seconds].slice(-NOISE_WINDOW);
    if (referenceWindow.length >= 3) {
      set({ machineNoise: { spread: relativeSpread(referenceWindow), samples: referenceWindow.length } });
    }
  };

  /** One refining round of `job` (see the module comment); `long` for a long run. */
  const refineRound = (job: Job, long: boolean) => {
    const refine = measurer?.refine;
    const m = get().measurements[job.key];
    if (!refine || !measurer || !m) return;
    const target = long ? LONG_REFINE_SAMPLES : REFINE_SAMPLES;
    const pending =
      m.refining && m.refining.long === long ? m.refining : { relative: [], referenceSeconds: [], target, long };
    run(
      async () => {
        // A kernel whose call is long gets one sample per round, so that a new action waits less.
        const callSeconds = get().problem.flops / ((m.quickGflops ?? m.gflops ?? Infinity) * 1e9);
        const r = await refine.call(measurer, job.problemKey, job.scheduleText, {
          threads: job.threads,
          pairs: callSeconds > SLOW_CALL_SECONDS ? 1 : REFINE_PAIRS_PER_ROUND,
        });
        noteReference(r.referenceSeconds);
        const now = get().measurements[job.key];
        if (!refinable(now)) return; // dropped or replaced meanwhile
        const relative = [...pending.relative, ...relativeTimes(r)];
        const referenceSeconds = [...pending.referenceSeconds, ...r.referenceSeconds];
        if (relative.length < pending.target) {
          withMeasurement(set, get, { ...now, refining: { ...pending, relative, referenceSeconds } });
          if (long && get().longRun?.key === job.key)
            set({ longRun: { key: job.key, progress: relative.length / pending.target } });
          return;
        }
        const basis = {
          relative,
          flops: r.flops,
          referenceFlops: r.referenceFlops,
          referenceSeconds: medianOf(referenceSeconds),
        };
        const f = refinedFigure(basis, peakGflops());
        const { refining: _done, ...rest } = now;
        withMeasurement(set, get, {
          ...rest,
          stage: 'refined',
          gflops: f.gflops,
          gflopsMedian: f.gflops,
          interval: { low: f.low, high: f.high },
          samples: relative.length,
          refinedAt: Date.now(),
          basis,
          ...(long ? { long: true } : {}),
        });
        if (long) {
          longWanted = null;
          if (get().longRun?.key === job.key) set({ longRun: null });
        }
      },
      (message) => {
        if (long) longWanted = null;
        const now = get().measurements[job.key];
        if (now) {
          const { refining: _dropped, ...rest } = now;
          withMeasurement(set, get, { ...rest, refineError: message });
        }
        if (get().longRun?.key === job.key) set({ longRun: null });
        fail(`${long ? 'the long run' : 'refining the figure'} failed: ${message}`);
      },
    );
  };

  /** Whether the page has been idle long enough to refine; if not, pumps again when it has. */
  const idle = () => {
    const wait = changedAt + REFINE_IDLE_MS - Date.now();
    if (wait <= 0) return true;
    if (idleTimer === null) {
      idleTimer = setTimeout(() => {
        idleTimer = null;
        pump();
      }, wait);
    }
    return false;
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
      quick(job);
      return;
    }
    if (s.peak.status === 'queued') {
      measurePeak();
      return;
    }
    const onThreads = cached.status === 'done' ? (cached.threads ?? 1) : 1;
    if (onThreads > 1 && !s.peaksOnThreads[onThreads]) {
      measurePeakOnThreads(onThreads);
      return;
    }
    if (measurer.bandwidth && !bandwidthAsked && s.peak.status !== 'loading') {
      bandwidthAsked = true;
      const bandwidth = measurer.bandwidth;
      run(
        async () => {
          await bandwidth.call(measurer);
        },
        () => {}, // the measurer publishes the failure; the roofline leaves its memory line out
      );
      return;
    }
    // Refined figures are scaled by the peak: wait while the kept one is read.
    const refining = measurer.refine !== undefined && s.peak.status !== 'loading';
    if (longWanted && refining) {
      const long = longWanted;
      if (!refinable(cached)) {
        longWanted = null;
        set({ longRun: null });
        fail('the long run needs a correct kernel with a figure');
      } else {
        refineRound(long, true);
        return;
      }
    }
    if (refining && refinable(cached) && wantsRefining(cached) && idle()) {
      refineRound(job, false);
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
      return;
    }
    if (!refining) return;
    const threads = stateThreads(s);
    for (const wanted of needs) {
      // Keyed at the threads the page runs parallel loops on now.
      const t = wanted.scheduleText.includes(PARALLEL_MARK) ? threads : 1;
      const need: Job = {
        key: measurementKey(s.problemKey, wanted.scheduleText, t),
        problemKey: s.problemKey,
        scheduleText: wanted.scheduleText,
        threads: t,
      };
      const m = s.measurements[need.key];
      if (!m && idle()) {
        quick(need);
        return;
      }
      if (refinable(m) && wantsRefining(m, wanted.after) && idle()) {
        if (m.stage === 'refined' && !m.refining) {
          // Too old: a fresh figure, close in time to the one it is compared with.
          withMeasurement(set, get, {
            ...m,
            refining: { relative: [], referenceSeconds: [], target: REFINE_SAMPLES, long: false },
          });
        }
        refineRound(need, false);
        return;
      }
    }
  };

  const loadPeak = () => {
    if (!peakStorage || !measurer) return;
    peakStorage
      .get(PEAK_RECORD_ID)
      .then(
        (value) => {
          if (value === undefined || value === null) return { status: 'queued' as const };
          const r = checkPeakRecord(value);
          if (typeof r === 'string') {
            fail(`the peak kept for this device is damaged (${r}); it is measured again`);
            return { status: 'queued' as const };
          }
          return { status: 'done' as const, gflops: r.gflops, measuredAt: r.measuredAt, stored: true };
        },
        (error: unknown) => {
          fail(`the peak kept for this device could not be read (${errorMessage(error)}); it is measured again`);
          return { status: 'queued' as const };
        },
      )
      .then((peak) => {
        if (get().peak.status === 'loading') set({ peak });
        pump();
      })
      .catch(() => {});
  };
  queueMicrotask(loadPeak);

  return {
    measurements: {},
    peak: { status: peakStorage && measurer ? 'loading' : 'queued' },
    peaksOnThreads: {},
    machineNoise: null,
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
      changedAt = Date.now();
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
      const m = get().measurements[job.key];
      if (m?.refineError !== undefined) {
        const { refineError: _cleared, ...rest } = m;
        withMeasurement(set, get, rest);
      }
      if (!measurer.refine) {
        fail('this page cannot refine figures, so there is no long run');
        return;
      }
      longWanted = job;
      set({ longRun: { key: job.key, progress: 0 } });
      pump();
    },

    remeasurePeak() {
      const status = get().peak.status;
      if (!measurer || status === 'measuring' || status === 'loading') return;
      set({ peak: { status: 'queued' } });
      pump();
    },

    wantRefined(list: RefineNeed[]) {
      needs = list;
      pump();
    },
  };
};
