// The measurement queue: one job runs at a time; when the runner is free it does what is wanted
// NOW, in this order: a quick figure of the current schedule (if it has none), the machine's peak
// (read from the device's store, measured only when missing, damaged or asked for), the peak on
// the threads of the current figure, the memory bandwidth (once), a long run of the current
// schedule, refining the current schedule's figure, XNNPACK for the current problem, then
// refining schedules a lesson compares with. When the measurer runs XNNPACK (or a whole kernel) in a
// worker of its own, the queue takes only quick figures until it ends: the next schedule's figure
// never waits for it on a large problem, and no refined sample shares the processor with it.
// So the newest schedule always wins: a schedule that
// stopped being current while waiting is dropped.
//
// Refining: the quick figure is provisional. Once the current schedule has stayed put for
// REFINE_IDLE_MS, the worker takes rounds of a few kernel samples interleaved with samples of a
// fixed reference kernel (the peak kernel); see measurement.ts refinedFigure. Rounds are short
// (a kernel on threads gets longer ones, see pairsPerRound) and a new measurement cuts the one in
// flight short, so a new action hardly waits; an older schedule's rounds stop when it is no longer
// current and resume if it comes back. A runaway kernel is stopped by the measurer (the kernel
// worker's 10 s limit) and arrives here as a rejection. Every failure becomes a status with its
// message (and a notice), never an unhandled rejection.
import { MEASUREMENT_ENTRY, recordTiming } from '../core/cache/timings.ts';
import { errorMessage } from '../core/errors.ts';
import { relativeSpread } from '../core/spread.ts';
import {
  checkPeakRecord,
  jobOf,
  type Job,
  NOISE_WINDOW,
  pairsPerRound,
  PEAK_RECORD_ID,
  quickMeasurement,
  REFINE_IDLE_MS,
  REFINE_SAMPLES,
  refinable,
  refiningOf,
  wantsRefining,
  withRefinedFigure,
  withRound,
} from './measurement.ts';
import type { LooplabState, Measurer, PeakStorage, RefineNeed, ScheduleMeasurement } from './types.ts';

/** What the queue reads and writes of the store. */
export type QueueState = Pick<
  LooplabState,
  | 'problemKey'
  | 'problem'
  | 'current'
  | 'notify'
  | 'measurements'
  | 'peak'
  | 'peaksOnThreads'
  | 'machineNoise'
  | 'xnnpack'
  | 'longRun'
  | 'threadsChosen'
  | 'threadSupport'
>;

export interface QueueHost {
  get(): QueueState;
  set(patch: Partial<QueueState>): void;
}

export interface MeasureQueueOptions {
  measurer: Measurer;
  /** Where the peak is kept per device; without it the peak is measured on every load. */
  peakStorage?: PeakStorage;
  /** Clock in ms since the epoch (default Date.now). */
  now?: () => number;
}

export class MeasureQueue {
  private readonly measurer: Measurer;
  private readonly peakStorage: PeakStorage | undefined;
  private readonly now: () => number;
  private busy = false;
  /** A long run asked for (dropped when its schedule is no longer current). */
  private longWanted: Job | null = null;
  /** When the current schedule last changed (refining waits for REFINE_IDLE_MS after it). */
  private changedAt = 0;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Schedules something waits for refined figures of (see wantRefined). */
  private needs: RefineNeed[] = [];
  /** The latest reference samples (seconds per call), for the machine's noise. */
  private referenceWindow: number[] = [];
  private bandwidthAsked = false;
  /** Runs in workers of their own (XNNPACK, a whole kernel) in flight: meanwhile only quick figures are taken. */
  private apart = 0;

  constructor(
    private readonly host: QueueHost,
    options: MeasureQueueOptions,
  ) {
    this.measurer = options.measurer;
    this.peakStorage = options.peakStorage;
    this.now = options.now ?? Date.now;
  }

  /** The state the queue's part of the store starts in. */
  static initialPeak(hasStorage: boolean): QueueState['peak'] {
    return { status: hasStorage ? 'loading' : 'queued' };
  }

  // ---------------------------------------------------------------- what the store asks for

  /** The current schedule (or its threads) changed: measure it unless its figure is cached. */
  currentChanged(): void {
    const job = this.currentJob();
    this.changedAt = this.now();
    if (this.busy && !this.host.get().measurements[job.key]) {
      this.dropQueued(job.key);
      this.put({ key: job.key, status: 'queued' });
    }
    this.pump();
  }

  /** Refines the current schedule again with LONG_REFINE_SAMPLES samples. */
  startLongRun(): void {
    const job = this.currentJob();
    const m = this.host.get().measurements[job.key];
    if (m?.refineError !== undefined) {
      const { refineError: _cleared, ...rest } = m;
      this.put(rest);
    }
    if (!this.measurer.refine) {
      this.fail('this page cannot refine figures, so there is no long run');
      return;
    }
    this.longWanted = job;
    this.host.set({ longRun: { key: job.key, progress: 0 } });
    this.pump();
  }

  remeasurePeak(): void {
    const status = this.host.get().peak.status;
    if (status === 'measuring' || status === 'loading') return;
    this.host.set({ peak: { status: 'queued' } });
    this.pump();
  }

  /**
   * A run in a worker of its own (a whole kernel): the queue goes on taking quick figures meanwhile,
   * but no peak, bandwidth or refined sample, which sharing the processor with it would skew.
   */
  aside<T>(run: Promise<T>): Promise<T> {
    this.apart++;
    const done = () => {
      this.apart--;
      this.pump();
    };
    run.then(done, done);
    return run;
  }

  wantRefined(needs: RefineNeed[]): void {
    this.needs = needs;
    this.pump();
  }

  /** Reads the peak kept for this device (the peak stays `loading` until then). */
  loadPeak(): void {
    const storage = this.peakStorage;
    if (!storage) return;
    storage
      .get(PEAK_RECORD_ID)
      .then(
        (value): QueueState['peak'] => {
          if (value === undefined || value === null) return { status: 'queued' };
          const r = checkPeakRecord(value);
          if (typeof r === 'string') {
            this.fail(`the peak kept for this device is damaged (${r}); it is measured again`);
            return { status: 'queued' };
          }
          return { status: 'done', gflops: r.gflops, measuredAt: r.measuredAt, stored: true };
        },
        (error: unknown): QueueState['peak'] => {
          this.fail(`the peak kept for this device could not be read (${errorMessage(error)}); it is measured again`);
          return { status: 'queued' };
        },
      )
      .then((peak) => {
        if (this.host.get().peak.status === 'loading') this.host.set({ peak });
        this.pump();
      })
      .catch(() => {});
  }

  // ---------------------------------------------------------------- choosing the next job

  private pump(): void {
    if (!this.busy) this.next()?.();
  }

  /** The job wanted now (see the module comment), or null when there is nothing to do. */
  private next(): (() => void) | null {
    const job = this.currentJob();
    const s = this.host.get();
    if (this.longWanted && this.longWanted.key !== job.key) {
      this.longWanted = null;
      this.host.set({ longRun: null });
    }
    const cached = s.measurements[job.key];
    if (!cached || cached.status === 'queued') return () => this.quick(job);
    if (this.apart > 0) return null;
    if (s.peak.status === 'queued') return () => this.measurePeak();
    const onThreads = cached.status === 'done' ? (cached.threads ?? 1) : 1;
    if (onThreads > 1 && !s.peaksOnThreads[onThreads]) return () => this.measurePeakOnThreads(onThreads);
    if (this.measurer.bandwidth && !this.bandwidthAsked && s.peak.status !== 'loading')
      return () => this.measureBandwidth();
    // Refined figures are scaled by the peak: wait while the kept one is read.
    const refining = this.measurer.refine !== undefined && s.peak.status !== 'loading';
    const long = this.longWanted;
    if (long && refining) {
      if (refinable(cached)) return () => this.refineRound(long, true);
      this.longWanted = null;
      this.host.set({ longRun: null });
      this.fail('the long run needs a correct kernel with a figure');
    }
    if (refining && refinable(cached) && wantsRefining(cached) && this.idle())
      return () => this.refineRound(job, false);
    if (this.measurer.xnnpack && !s.xnnpack[job.problemKey]) return () => this.measureXnnpack(job.problemKey);
    return refining ? this.nextNeed() : null;
  }

  /** Quick figures, then refined ones, of the schedules a lesson compares with (at the threads of now). */
  private nextNeed(): (() => void) | null {
    const s = this.host.get();
    for (const wanted of this.needs) {
      const need = jobOf(s, wanted.scheduleText);
      const m = s.measurements[need.key];
      if (!m && this.idle()) return () => this.quick(need);
      if (refinable(m) && wantsRefining(m, wanted.after) && this.idle()) {
        return () => {
          if (m.stage === 'refined' && !m.refining) {
            // Too old: a fresh figure, close in time to the one it is compared with.
            this.put({ ...m, refining: { relative: [], referenceSeconds: [], target: REFINE_SAMPLES, long: false } });
          }
          this.refineRound(need, false);
        };
      }
    }
    return null;
  }

  /** Whether the current schedule has stayed put long enough to refine; if not, pumps again when it has. */
  private idle(): boolean {
    const wait = this.changedAt + REFINE_IDLE_MS - this.now();
    if (wait <= 0) return true;
    this.idleTimer ??= setTimeout(() => {
      this.idleTimer = null;
      this.pump();
    }, wait);
    return false;
  }

  // ---------------------------------------------------------------- the jobs

  /** Runs `body` as the one job in flight; its errors go to `onError`, then the next job starts. */
  private run(body: () => Promise<void>, onError: (message: string) => void): void {
    this.busy = true;
    let started: Promise<void>;
    try {
      started = body(); // starts the call now (async bodies never throw, but be sure)
    } catch (error) {
      started = Promise.reject(error);
    }
    started
      .catch((error: unknown) => onError(errorMessage(error)))
      .finally(() => {
        this.busy = false;
        this.dropQueued(this.currentJob().key);
        this.pump();
      })
      .catch(() => {}); // the step above never throws in practice; a bug there must not become unhandled
  }

  private quick(job: Job): void {
    this.put({ key: job.key, status: 'measuring' });
    const asked = performance.now();
    this.run(
      async () => {
        const figure = await this.measurer.measure(job.problemKey, job.scheduleText, { threads: job.threads });
        recordTiming(MEASUREMENT_ENTRY, asked, { schedule: job.scheduleText, threads: job.threads });
        this.put(quickMeasurement(job.key, figure));
      },
      (message) => {
        this.put({ key: job.key, status: 'error', error: message });
        this.fail(message);
      },
    );
  }

  private measurePeak(): void {
    this.host.set({ peak: { status: 'measuring' } });
    this.run(
      async () => {
        const gflops = await this.measurer.peak();
        const measuredAt = this.now();
        this.host.set({ peak: { status: 'done', gflops, measuredAt, stored: false } });
        this.rescaleRefined();
        await this.peakStorage
          ?.put({ id: PEAK_RECORD_ID, gflops, measuredAt })
          .catch((error: unknown) =>
            this.fail(
              `the peak could not be kept for this device (it is measured again next time): ${errorMessage(error)}`,
            ),
          );
      },
      (message) => {
        this.host.set({ peak: { status: 'error', error: message } });
        this.fail(`the peak could not be measured: ${message}`);
      },
    );
  }

  private measurePeakOnThreads(threads: number): void {
    const put = (v: QueueState['peaksOnThreads'][number]) =>
      this.host.set({ peaksOnThreads: { ...this.host.get().peaksOnThreads, [threads]: v } });
    put({ status: 'measuring' });
    this.run(
      async () => put({ status: 'done', gflops: await this.measurer.peak(threads) }),
      (message) => {
        put({ status: 'error', error: message });
        this.fail(`the peak on ${threads} threads could not be measured: ${message}`);
      },
    );
  }

  private measureBandwidth(): void {
    this.bandwidthAsked = true;
    const measurer = this.measurer;
    this.run(
      async () => {
        await measurer.bandwidth?.();
      },
      () => {}, // the measurer publishes the failure; the roofline leaves its memory line out
    );
  }

  private measureXnnpack(problemKey: string): void {
    const put = (v: QueueState['xnnpack'][string]) =>
      this.host.set({ xnnpack: { ...this.host.get().xnnpack, [problemKey]: v } });
    put({ status: 'measuring' });
    const measurer = this.measurer;
    const body = async () => put({ status: 'done', gflops: (await measurer.xnnpack?.(problemKey)) ?? null });
    const onError = (message: string) => {
      put({ status: 'error', error: message });
      this.fail(`XNNPACK could not be measured: ${message}`);
    };
    if (!measurer.xnnpackApart) {
      this.run(body, onError);
      return;
    }
    // In a worker of its own: the queue goes on with quick figures meanwhile.
    this.aside(body()).catch((error: unknown) => onError(errorMessage(error)));
  }

  /** One refining round of `job`; `long` for a long run. */
  private refineRound(job: Job, long: boolean): void {
    const measurer = this.measurer;
    const m = this.host.get().measurements[job.key];
    if (!measurer.refine || !m) return;
    const pending = refiningOf(m, long);
    this.run(
      async () => {
        const callSeconds = this.host.get().problem.flops / ((m.quickGflops ?? m.gflops ?? Infinity) * 1e9);
        const r = await measurer.refine!(job.problemKey, job.scheduleText, {
          threads: job.threads,
          pairs: pairsPerRound(callSeconds, job.threads),
        });
        this.noteReference(r.referenceSeconds);
        const now = this.host.get().measurements[job.key];
        if (!refinable(now)) return; // dropped or replaced meanwhile
        const { measurement, progress } = withRound(now, pending, r, this.peakGflops(), this.now());
        this.put(measurement);
        if (long && progress < 1 && this.host.get().longRun?.key === job.key)
          this.host.set({ longRun: { key: job.key, progress } });
        if (long && progress >= 1) this.endLongRun(job.key);
      },
      (message) => {
        const now = this.host.get().measurements[job.key];
        if (now) {
          const { refining: _dropped, ...rest } = now;
          this.put({ ...rest, refineError: message });
        }
        if (long) this.endLongRun(job.key);
        else if (this.host.get().longRun?.key === job.key) this.host.set({ longRun: null });
        this.fail(`${long ? 'the long run' : 'refining the figure'} failed: ${message}`);
      },
    );
  }

  // ---------------------------------------------------------------- helpers

  private currentJob(): Job {
    const s = this.host.get();
    return jobOf(s, s.current.schedule);
  }

  private put(m: ScheduleMeasurement): void {
    this.host.set({ measurements: { ...this.host.get().measurements, [m.key]: m } });
  }

  /** Drops a measurement still waiting in line ('queued') for another schedule than `keep`. */
  private dropQueued(keep: string): void {
    const measurements = this.host.get().measurements;
    const stale = Object.keys(measurements).filter((k) => k !== keep && measurements[k].status === 'queued');
    if (stale.length === 0) return;
    const rest = { ...measurements };
    for (const k of stale) delete rest[k];
    this.host.set({ measurements: rest });
  }

  private endLongRun(key: string): void {
    this.longWanted = null;
    if (this.host.get().longRun?.key === key) this.host.set({ longRun: null });
  }

  private fail(message: string): void {
    this.host.get().notify('error', message);
  }

  private peakGflops(): number | null {
    const p = this.host.get().peak;
    return p.status === 'done' && typeof p.gflops === 'number' ? p.gflops : null;
  }

  /** A new peak changes the reference's speed: refined figures follow it. */
  private rescaleRefined(): void {
    const peak = this.peakGflops();
    const next = { ...this.host.get().measurements };
    let changed = false;
    for (const [key, m] of Object.entries(next)) {
      if (m.stage !== 'refined' || !m.basis) continue;
      next[key] = withRefinedFigure(m, m.basis, peak);
      changed = true;
    }
    if (changed) this.host.set({ measurements: next });
  }

  private noteReference(seconds: number[]): void {
    this.referenceWindow = [...this.referenceWindow, ...seconds].slice(-NOISE_WINDOW);
    if (this.referenceWindow.length >= 3) {
      this.host.set({
        machineNoise: { spread: relativeSpread(this.referenceWindow), samples: this.referenceWindow.length },
      });
    }
  }
}
