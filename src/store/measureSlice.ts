// The measurement slice: the cache of figures by problem + schedule + threads, the peak, the
// machine's noise, XNNPACK, and the thread choice. Its actions hand the work to one MeasureQueue
// (measureQueue.ts); what a measurement is, and how panels look one up, is measurement.ts.
import { clampThreads } from '../runtime/threadSupport.ts';
import { MeasureQueue } from './measureQueue.ts';
import { errorMessage } from '../core/errors.ts';
import { jobOf, NO_THREADS } from './measurement.ts';
import type { SliceCreator } from './sliceCreator.ts';
import type { MeasureSlice } from './types.ts';

// Modules (and other branches) import these from here.
export {
  checkPeakRecord,
  currentKey,
  sliceLabel,
  LONG_REFINE_SAMPLES,
  MAX_PAGE_THREADS,
  measurementKey,
  measurementOf,
  NO_THREADS,
  NOISE_WINDOW,
  PEAK_RECORD_ID,
  REFINE_IDLE_MS,
  REFINE_PAIRS_PER_ROUND,
  REFINE_SAMPLES,
  refinedFigure,
  SLOW_CALL_SECONDS,
  STEADY_SPREAD,
  stateThreads,
  THREADED_PAIRS_PER_ROUND,
  threadsOff,
} from './measurement.ts';

export const createMeasureSlice: SliceCreator<MeasureSlice> = (set, get, { measurer, peakStorage }) => {
  const queue = measurer ? new MeasureQueue({ get, set }, { measurer, peakStorage }) : null;
  if (queue && peakStorage) queueMicrotask(() => queue.loadPeak());

  return {
    measurements: {},
    peak: MeasureQueue.initialPeak(queue !== null && peakStorage !== undefined),
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
    measureCurrent: () => queue?.currentChanged(),
    startLongRun: () => queue?.startLongRun(),
    remeasurePeak: () => queue?.remeasurePeak(),
    wantRefined: (needs) => queue?.wantRefined(needs),
    wholeRuns: {},
    measureWhole() {
      if (!measurer) return;
      const job = jobOf(get(), get().current.schedule);
      if (get().wholeRuns[job.key]?.status === 'measuring') return;
      const put = (run: MeasureSlice['wholeRuns'][string]) =>
        set({ wholeRuns: { ...get().wholeRuns, [job.key]: run } });
      put({ status: 'measuring' });
      // In the measurer's own worker when it has one: the queue's quick figures go on meanwhile.
      const whole =
        measurer.measureWhole && queue
          ? queue.aside(measurer.measureWhole(job.problemKey, job.scheduleText, { threads: job.threads }))
          : measurer.measure(job.problemKey, job.scheduleText, { threads: job.threads, full: true });
      whole.then(
        (figure) =>
          put(
            figure.correct
              ? { status: 'done', gflops: figure.gflops }
              : { status: 'error', error: figure.reason ?? 'the whole kernel did not match the reference' },
          ),
        (error: unknown) => put({ status: 'error', error: errorMessage(error) }),
      );
    },
  };
};
