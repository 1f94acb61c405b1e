// What a measurement is and where it is kept, as pure functions: the cache key (problem +
// schedule + threads), the lookup panels use (measurementOf: they never build keys), the record
// made of a kernel's quick figure, and the refined figure computed from samples interleaved with
// the reference kernel. The queue that fills the cache is measureQueue.ts.
import { PARALLEL_MARK, printSchedule } from '../core/schedule.ts';
import type { Schedule } from '../core/types.ts';
import { medianInterval, medianOf } from '../core/spread.ts';
import { effectiveThreads, threadsOffReason, type ThreadSupport } from '../runtime/threadSupport.ts';
import { MAX_THREADS } from '../runtime/threads.ts';
import type { KernelFigure } from '../workers/kernel/protocol.ts';
import { relativeTimes } from '../runtime/interleave.ts';
import type { MeasureSlice, PeakRecord, RefineSamples, ScheduleMeasurement } from './types.ts';

/** Kernel samples per refining round (each between two reference samples): ~35 ms of work. */
export const REFINE_PAIRS_PER_ROUND = 2;
/**
 * Kernel samples per round on threads (of >= 20 ms each, see the kernel worker's
 * THREADED_SAMPLE_MS): the page redraws after every round, on a core the threads need, so a round
 * of many samples leaves at most its first one disturbed; a new measurement still cuts a round short.
 */
export const THREADED_PAIRS_PER_ROUND = 6;
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
/** The most threads a parallel loop may be given. */
export const MAX_PAGE_THREADS = MAX_THREADS;
/** Without a measurer that says otherwise: no shared memory, one processor. */
export const NO_THREADS: ThreadSupport = { isolated: false, hardware: 1 };

type ThreadState = Partial<Pick<MeasureSlice, 'threadsChosen' | 'threadSupport'>>;

/** What a lookup of a measurement reads from the store's state. */
export type LookupState = { problemKey: string; measurements: MeasureSlice['measurements'] } & ThreadState;

/**
 * The cache key of a schedule's measurement: canonical problem text + schedule text, + the
 * threads when the schedule has a parallel loop and runs on more than one.
 */
export function measurementKey(problemKey: string, scheduleText: string, threads = 1): string {
  const base = `${problemKey}\n@ ${scheduleText}`;
  return threads > 1 && scheduleText.includes(PARALLEL_MARK) ? `${base}\n# ${threads} threads` : base;
}

/** The threads parallel loops run on in this state (1 when it does not say). */
export function stateThreads(state: ThreadState): number {
  return effectiveThreads(state.threadsChosen ?? null, state.threadSupport ?? NO_THREADS);
}

/** Why parallel loops run on one thread on this page, or null when threads are on. */
export function threadsOff(state: Pick<MeasureSlice, 'threadSupport'>): string | null {
  return threadsOffReason(state.threadSupport);
}

/** What the queue measures: a schedule of a problem on some threads, and its cache key. */
export interface Job {
  key: string;
  problemKey: string;
  scheduleText: string;
  threads: number;
}

/** The job of `schedule` in this state: of the current problem unless `problemKey` says otherwise. */
export function jobOf(
  state: ThreadState & { problemKey: string },
  schedule: Schedule | string,
  problemKey?: string,
): Job {
  const scheduleText = typeof schedule === 'string' ? schedule : printSchedule(schedule);
  const pk = problemKey ?? state.problemKey;
  const threads = scheduleText.includes(PARALLEL_MARK) ? stateThreads(state) : 1;
  return { key: measurementKey(pk, scheduleText, threads), problemKey: pk, scheduleText, threads };
}

/** The key of the store's current schedule. */
export function currentKey(state: { problemKey: string; current: { schedule: Schedule } } & ThreadState): string {
  return jobOf(state, state.current.schedule).key;
}

/**
 * The measurement of `schedule` (text or loops) at the threads parallel loops run on now, of the
 * current problem unless `problemKey` is given; undefined when it was never asked for.
 */
export function measurementOf(
  state: LookupState,
  schedule: Schedule | string,
  problemKey?: string,
): ScheduleMeasurement | undefined {
  return state.measurements[jobOf(state, schedule, problemKey).key];
}

/** The measurement of the store's current schedule (a selector). */
export function currentMeasurement(
  state: LookupState & { current: { schedule: Schedule } },
): ScheduleMeasurement | undefined {
  return measurementOf(state, state.current.schedule);
}

/** The record of a kernel's quick figure: done, with the reason as its error when incorrect. */
export function quickMeasurement(key: string, figure: KernelFigure): ScheduleMeasurement {
  const m: ScheduleMeasurement = { key, status: 'done', ...figure };
  if (!figure.correct) m.error = figure.reason ?? 'the kernel computed wrong values';
  if (figure.correct && figure.gflops !== null) {
    m.stage = 'quick';
    m.quickGflops = figure.gflops;
  }
  return m;
}

/** Kernel samples of one refining round of a kernel whose call takes `callSeconds` on `threads`. */
export function pairsPerRound(callSeconds: number, threads: number): number {
  if (callSeconds > SLOW_CALL_SECONDS) return 1;
  return threads > 1 ? THREADED_PAIRS_PER_ROUND : REFINE_PAIRS_PER_ROUND;
}

/** A correct kernel with a figure: refining applies. */
export const refinable = (m: ScheduleMeasurement | undefined): m is ScheduleMeasurement =>
  m?.status === 'done' && m.correct === true && typeof m.gflops === 'number' && m.refineError === undefined;

/** Refining is under way or its figure is quick or older than `after`. */
export const wantsRefining = (m: ScheduleMeasurement, after = 0): boolean =>
  m.refining !== undefined || m.stage !== 'refined' || (m.refinedAt ?? 0) < after;

/**
 * A refined figure and its interval from samples relative to the reference: each kernel sample's
 * time over its neighbouring reference samples', scaled by the reference's known speed (the peak
 * when known, else this run's own reference time).
 */
export function refinedFigure(
  basis: NonNullable<ScheduleMeasurement['basis']>,
  peakGflops: number | null,
): { gflops: number; low: number; high: number } {
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

/** A measurement with its figure refined from `basis` (the figure, its interval, the sample count). */
export function withRefinedFigure(
  m: ScheduleMeasurement,
  basis: NonNullable<ScheduleMeasurement['basis']>,
  peakGflops: number | null,
): ScheduleMeasurement {
  const f = refinedFigure(basis, peakGflops);
  return {
    ...m,
    stage: 'refined',
    gflops: f.gflops,
    gflopsMedian: f.gflops,
    interval: { low: f.low, high: f.high },
    basis,
  };
}

type Refining = NonNullable<ScheduleMeasurement['refining']>;

/** The refinement a round of `m` adds to: its own when of the same kind (long or not), else a new one. */
export function refiningOf(m: ScheduleMeasurement, long: boolean): Refining {
  if (m.refining && m.refining.long === long) return m.refining;
  return { relative: [], referenceSeconds: [], target: long ? LONG_REFINE_SAMPLES : REFINE_SAMPLES, long };
}

/**
 * `m` with one refining round's samples added to `pending`: still refining, with its progress
 * (0..1), or, once `pending.target` samples are in, refined (progress 1) at `refinedAt`.
 */
export function withRound(
  m: ScheduleMeasurement,
  pending: Refining,
  round: RefineSamples,
  peakGflops: number | null,
  refinedAt: number,
): { measurement: ScheduleMeasurement; progress: number } {
  const relative = [...pending.relative, ...relativeTimes(round)];
  const referenceSeconds = [...pending.referenceSeconds, ...round.referenceSeconds];
  if (relative.length < pending.target) {
    return {
      measurement: { ...m, refining: { ...pending, relative, referenceSeconds } },
      progress: relative.length / pending.target,
    };
  }
  const basis = {
    relative,
    flops: round.flops,
    referenceFlops: round.referenceFlops,
    referenceSeconds: medianOf(referenceSeconds),
  };
  const { refining: _done, ...rest } = m;
  return {
    measurement: {
      ...withRefinedFigure(rest, basis, peakGflops),
      samples: relative.length,
      refinedAt,
      ...(pending.long ? { long: true } : {}),
    },
    progress: 1,
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
