// Performance of the current schedule, read from the store (measurement runs in the worker; the
// page only shows what arrives): best and median GFLOPS, correctness, % of the measured peak, the
// XNNPACK line for matmul- and convolution-shaped problems, a long run (`b`, handled by the page's keyboard module
// through store.startLongRun) with its progress, GFLOPS over the action history (click a point to
// jump there) and a roofline.
import { levelIntensities } from '../core/cache/levelRoofs.ts';
import { memoryEntryOf } from '../store/memorySlice.ts';
import { useDeferredValue, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { printSchedule } from '../core/schedule.ts';
import { xnnpackOp } from '../core/xnnpackOp.ts';
import { agentAnswerHidden } from '../store/agentRun.ts';
import { useLooplab, useLooplabStore, useMeasurementLookup } from '../store/context.tsx';
import {
  LONG_REFINE_SAMPLES,
  MAX_PAGE_THREADS,
  STEADY_SPREAD,
  stateThreads,
  threadsOff,
} from '../store/measureSlice.ts';
import { currentKey, currentMeasurement, sliceLabel } from '../store/measurement.ts';
import type { LooplabState, ScheduleMeasurement } from '../store/types.ts';
import { machineFacts } from '../store/workerMeasurer.ts';
import { formatGflops } from '../core/format.ts';
import { formatSpread } from '../core/spread.ts';
import { createHistoryChart, historyPoints, pointLabel, type HistoryChart, type HistoryModel } from './historyChart.ts';
import { Panel } from './Panel.tsx';
import { ScheduleText } from './ScheduleText.tsx';
import {
  arithmeticIntensity,
  cacheRooflineSentences,
  createRooflineChart,
  rooflineCaption,
  type RooflineChart,
  type RooflineModel,
} from './rooflineChart.ts';

function IsolationBadge() {
  const isolated = globalThis.crossOriginIsolated === true;
  return (
    <p className="isolation" data-testid="cross-origin-isolated" data-value={String(isolated)}>
      <span className={isolated ? 'badge badge-ok' : 'badge badge-warn'}>
        {isolated ? 'cross-origin isolated' : 'not cross-origin isolated'}
      </span>{' '}
      {isolated
        ? 'precise timers (COOP/COEP headers present)'
        : globalThis.top !== globalThis.self
          ? 'timers are coarse: a frame is isolated only when the page around it is'
          : 'timers are coarse: serve the page with COOP same-origin and COEP require-corp, or let its service worker add them (allow service workers and reload)'}
    </p>
  );
}

function CorrectBadge({ m }: { m: ScheduleMeasurement }) {
  const correct = m.correct === true;
  return (
    <span
      className={correct ? 'badge badge-ok' : 'badge badge-bad'}
      data-testid="correct"
      data-correct={String(correct)}
      title={correct ? 'matches the reference implementation on seeded random inputs' : m.error}
    >
      {correct ? '✓ correct' : '✗ incorrect'}
    </span>
  );
}

function statusText(m: ScheduleMeasurement | undefined, longRunning: boolean): string {
  if (longRunning) return `long run: refining with ${LONG_REFINE_SAMPLES} samples against the reference kernel…`;
  switch (m?.status ?? 'queued') {
    case 'queued':
      return 'waiting for the worker…';
    case 'measuring':
      return 'generating, checking and timing the kernel in the worker…';
    case 'error':
      return 'measurement failed';
    case 'done': {
      const times =
        m?.generateMs !== undefined && m.compileMs !== undefined
          ? ` (generated in ${m.generateMs.toFixed(1)} ms, compiled in ${m.compileMs.toFixed(1)} ms)`
          : '';
      if (m?.correct !== true) return `checked against the reference${times}`;
      if (m.stage === 'refined')
        return `refined: median of ${m.samples ?? '?'} samples, each timed between two samples of a reference kernel${times}; press b for a long run`;
      if (m.refineError) return `quick figure only: refining failed (${m.refineError})${times}`;
      const so = m.refining ? ` (${m.refining.relative.length} of ${m.refining.target} samples)` : '';
      return `quick figure, provisional; refining against the reference kernel${so}${times}`;
    }
  }
}

/** How steady the machine is now: the spread of the reference kernel's latest samples. */
function MachineNoise() {
  const noise = useLooplab((s) => s.machineNoise);
  if (!noise || !Number.isFinite(noise.spread)) {
    return (
      <p className="perf-noise muted" data-testid="machine-noise" data-state="unknown">
        machine noise: not known until a figure is refined
      </p>
    );
  }
  const steady = noise.spread <= STEADY_SPREAD;
  return (
    <p
      className="perf-noise"
      data-testid="machine-noise"
      data-state={steady ? 'steady' : 'busy'}
      data-value={noise.spread}
      title={`spread of the reference kernel's last ${noise.samples} samples (10th to 90th percentile)`}
    >
      <span className={steady ? 'badge badge-ok' : 'badge badge-warn'}>
        {steady
          ? `machine steady (${formatSpread(noise.spread)})`
          : `machine busy: figures ${formatSpread(noise.spread)}`}
      </span>{' '}
      <span className="muted">
        {steady
          ? 'figures can be compared'
          : 'other work on this computer slows the kernels unevenly; compare refined figures'}
      </span>
    </p>
  );
}

/** When the peak was measured, and a button to measure it again. */
function PeakSource({ peak }: { peak: LooplabState['peak'] }) {
  const store = useLooplabStore();
  const busy = peak.status === 'measuring' || peak.status === 'loading' || peak.status === 'queued';
  const when =
    peak.status === 'done' && peak.measuredAt !== undefined
      ? `${peak.stored ? 'kept for this device, measured' : 'measured'} ${new Date(peak.measuredAt).toLocaleString()}`
      : peak.status === 'loading'
        ? 'reading the peak kept for this device…'
        : busy
          ? 'measuring…'
          : '';
  return (
    <span className="perf-peak-source" data-testid="peak-source" data-stored={String(peak.stored === true)}>
      {when}{' '}
      <button
        type="button"
        className="lesson-small-btn"
        data-testid="peak-remeasure"
        disabled={busy}
        onClick={() => store.getState().remeasurePeak()}
        title="Measure the machine's peak again (for instance after closing other programs) and keep it for this device"
      >
        re-measure
      </button>
    </span>
  );
}

/**
 * Says that the figure is a slice's (a full run would take over 50 ms) and offers the whole run,
 * with its figure once measured.
 */
function SliceNote({ label }: { label: string }) {
  const key = useLooplab(currentKey);
  const whole = useLooplab((s) => s.wholeRuns[key]);
  const measureWhole = useLooplab((s) => s.measureWhole);
  return (
    <span className="perf-slice" data-testid="slice-figure">
      {' '}
      · timed {label} (a full run would take over 50 ms){' '}
      {whole?.status === 'done' ? (
        <span data-testid="whole-figure">
          · whole kernel: {whole.gflops != null ? formatGflops(whole.gflops) : '–'} GFLOPS
        </span>
      ) : whole?.status === 'error' ? (
        <span data-testid="whole-error">· whole run failed: {whole.error}</span>
      ) : (
        <button
          type="button"
          className="lesson-small-btn"
          data-testid="measure-whole"
          disabled={whole?.status === 'measuring'}
          onClick={() => measureWhole()}
          title="Check and time the whole kernel once (it may take seconds; a run over the kernel time limit is stopped)"
        >
          {whole?.status === 'measuring' ? 'running the whole kernel…' : 'run the whole kernel'}
        </button>
      )}
    </span>
  );
}

/** How many threads parallel loops get: one per processor by default, or a chosen number; or why none. */
function ThreadsControl() {
  const store = useLooplabStore();
  const support = useLooplab((s) => s.threadSupport);
  const chosen = useLooplab((s) => s.threadsChosen);
  const threads = useLooplab(stateThreads);
  const off = threadsOff({ threadSupport: support });
  if (off) {
    return (
      <p className="perf-threads" data-testid="threads-off">
        <span className="badge badge-warn">one thread</span> {off}.
      </p>
    );
  }
  // A count chosen by a link or a session may lie above the usual list: it is listed too.
  const most = Math.min(MAX_PAGE_THREADS, Math.max(8, support.hardware, chosen ?? 0));
  return (
    <p className="perf-threads">
      <label>
        parallel loops run on{' '}
        <select
          data-testid="threads-select"
          value={chosen === null ? '' : String(chosen)}
          onChange={(e) => store.getState().setThreads(e.target.value === '' ? null : Number(e.target.value))}
        >
          <option value="">{support.hardware} (one per processor)</option>
          {Array.from({ length: most }, (_, i) => i + 1).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>{' '}
        thread{threads === 1 ? '' : 's'}
      </label>{' '}
      <span className="muted">(mark a loop with p; the figure covers dispatch to join)</span>
    </p>
  );
}

// ----------------------------------------------------------------- charts (d3 views in React)

function HistoryChartView({
  model,
  onSelect,
  onHover,
}: {
  model: HistoryModel;
  onSelect(p: number): void;
  onHover(p: number | null): void;
}) {
  const ref = useRef<SVGSVGElement>(null);
  const chart = useRef<HistoryChart | null>(null);
  const handlers = useRef({ onSelect, onHover });
  handlers.current = { onSelect, onHover };
  useEffect(() => {
    const c = createHistoryChart(ref.current!, {
      onSelect: (p) => handlers.current.onSelect(p),
      onHover: (p) => handlers.current.onHover(p),
    });
    chart.current = c;
    return () => {
      c.destroy();
      chart.current = null;
    };
  }, []);
  useEffect(() => chart.current?.update(model), [model]);
  return <svg ref={ref} data-testid="history-chart" aria-label="GFLOPS over the action history" />;
}

function RooflineChartView({ model }: { model: RooflineModel }) {
  const ref = useRef<SVGSVGElement>(null);
  const chart = useRef<RooflineChart | null>(null);
  useEffect(() => {
    const c = createRooflineChart(ref.current!);
    chart.current = c;
    return () => {
      c.destroy();
      chart.current = null;
    };
  }, []);
  useEffect(() => chart.current?.update(model), [model]);
  return <svg ref={ref} data-testid="roofline-chart" aria-label={rooflineCaption(model)} />;
}

// ----------------------------------------------------------------- the panel

/** Takes no props: everything comes from the store. */
export function PerformancePanel() {
  const store = useLooplabStore();
  const problem = useLooplab((s) => s.problem);
  const states = useLooplab((s) => s.states);
  const position = useLooplab((s) => s.position);
  const peak = useLooplab((s) => s.peak);
  const xnn = useLooplab((s) => s.xnnpack[s.problemKey]);
  const longRun = useLooplab((s) => s.longRun);
  const m = useLooplab(currentMeasurement);
  const status = m?.status ?? 'queued';
  const done = status === 'done' ? m : undefined;
  const gflops = done?.gflops ?? null;
  const median = done?.gflopsMedian ?? null;
  const refined = done?.stage === 'refined';
  const quick = gflops !== null && !refined;
  const peakGflops = peak.status === 'done' && peak.gflops !== undefined ? peak.gflops : null;
  // A figure on N threads is held against the peak on N threads (measured after the first one).
  const figureThreads = done?.threads ?? 1;
  const peakOnThreads = useLooplab((s) => (figureThreads > 1 ? s.peaksOnThreads[figureThreads] : undefined));
  const figurePeak = figureThreads > 1 ? (peakOnThreads?.gflops ?? null) : peakGflops;
  const percent = gflops !== null && figurePeak ? (100 * gflops) / figurePeak : null;
  const xnnOp = useMemo(() => xnnpackOp(problem), [problem]);
  const xnnGflops = xnn?.status === 'done' && typeof xnn.gflops === 'number' ? xnn.gflops : null;
  const longRunning = longRun !== null && longRun.key === m?.key;
  const scheduleText = useMemo(() => printSchedule(states[position].schedule), [states, position]);

  return (
    <Panel title="Performance" testId="performance-panel">
      <IsolationBadge />
      <p className="status" data-testid="measure-status" data-state={status} aria-live="polite">
        {statusText(m, longRunning)}
      </p>
      {status === 'error' && (
        <p className="error" role="alert" data-testid="measure-error">
          {m?.error ?? 'the measurement failed'}
        </p>
      )}
      <div className="metrics">
        <div className="metric">
          <div className="metric-label">this schedule</div>
          <div
            className={`metric-value${status === 'measuring' || status === 'queued' ? ' is-pending' : ''}${quick ? ' is-quick' : ''}`}
            data-testid="gflops"
            data-value={gflops ?? ''}
            data-stage={gflops !== null ? (done?.stage ?? 'quick') : ''}
            data-schedule={scheduleText}
          >
            {gflops !== null ? `${quick ? '≈ ' : ''}${formatGflops(gflops)}` : status === 'error' || done ? '–' : '…'}
            <span className="unit"> GFLOPS{quick ? ' (quick)' : ''}</span>
          </div>
          <div className="metric-sub" data-testid="gflops-median" data-value={median ?? ''}>
            {refined && done.interval ? (
              <span data-testid="gflops-interval" data-low={done.interval.low} data-high={done.interval.high}>
                median of {done.samples} samples, 95% within {formatGflops(done.interval.low)}–
                {formatGflops(done.interval.high)}
              </span>
            ) : (
              <>median {median !== null ? formatGflops(median) : '–'}</>
            )}
            {done && (
              <span data-testid="threads-figure" data-value={done.threads ?? 1}>
                {' '}
                on {done.threads ?? 1} thread{(done.threads ?? 1) === 1 ? '' : 's'}
              </span>
            )}
            {done?.slice && <SliceNote label={sliceLabel(done.slice)} />}
            {done?.long && refined && (
              <span
                className="badge badge-info perf-long-badge"
                data-testid="long-run-badge"
                title={`refined with ${done.samples} samples`}
              >
                long run
              </span>
            )}
          </div>
        </div>
        <div className="metric">
          <div className="metric-label">peak (SIMD multiply-add)</div>
          <div className="metric-value" data-testid="peak" data-value={peakGflops ?? ''}>
            {peakGflops !== null ? formatGflops(peakGflops) : peak.status === 'error' ? '–' : '…'}
            <span className="unit"> GFLOPS</span>
          </div>
          <div className="metric-sub">
            <PeakSource peak={peak} />
          </div>
          {figureThreads > 1 && (
            <div
              className="metric-sub"
              data-testid="peak-on-threads"
              data-threads={figureThreads}
              data-value={peakOnThreads?.gflops ?? ''}
            >
              on {figureThreads} threads:{' '}
              {peakOnThreads?.gflops !== undefined
                ? `${formatGflops(peakOnThreads.gflops)} GFLOPS`
                : peakOnThreads?.status === 'error'
                  ? `not measured: ${peakOnThreads.error ?? 'unknown error'}`
                  : 'measuring…'}
            </div>
          )}
          <div className="metric-sub" data-testid="percent-of-peak" data-value={percent ?? ''}>
            {peak.status === 'error'
              ? `not measured: ${peak.error ?? 'unknown error'}`
              : percent !== null
                ? `this schedule at ${quick ? '≈ ' : ''}${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}% of peak${figureThreads > 1 ? ` on ${figureThreads} threads` : ''}`
                : ' '}
          </div>
        </div>
      </div>

      <MachineNoise />

      <ThreadsControl />

      <div className="perf-facts">
        {done && <CorrectBadge m={done} />}
        {done && done.correct === false && (
          <p className="error" data-testid="incorrect-reason">
            {done.error}
          </p>
        )}
        <p
          className="perf-xnnpack"
          data-testid="xnnpack"
          data-state={xnnOp ? (xnn?.status ?? 'queued') : 'n/a'}
          data-value={xnnGflops ?? ''}
        >
          {!xnnOp ? (
            <span className="muted">XNNPACK baseline: only for matmul- and convolution-shaped problems</span>
          ) : xnn?.status === 'done' && xnnGflops !== null ? (
            <>
              <span className="perf-xnnpack-key" aria-hidden="true" /> XNNPACK (tfjs-backend-wasm {xnnOp}, one thread):{' '}
              <strong>{formatGflops(xnnGflops)} GFLOPS</strong>
              {gflops !== null && <> — this schedule runs at {(gflops / xnnGflops).toFixed(2)}× of it</>}
            </>
          ) : xnn?.status === 'error' ? (
            <span className="muted">XNNPACK could not be measured: {xnn.error}</span>
          ) : (
            <span className="muted">XNNPACK: measuring in a worker of its own (loads tfjs there)…</span>
          )}
        </p>
      </div>

      <div className="perf-long">
        <button
          type="button"
          data-testid="long-run-button"
          onClick={() => store.getState().startLongRun()}
          disabled={longRunning}
          title={`Refine this schedule again with ${LONG_REFINE_SAMPLES} samples against the reference kernel (key b)`}
        >
          Long run <kbd>b</kbd>
        </button>
        {longRunning ? (
          <div
            className="perf-progress"
            role="progressbar"
            aria-label="long run progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(longRun.progress * 100)}
            data-testid="long-run-progress"
            data-value={longRun.progress}
          >
            <div className="perf-progress-bar" style={{ width: `${(longRun.progress * 100).toFixed(1)}%` }} />
          </div>
        ) : (
          <span className="muted perf-long-hint">more samples, a narrower interval</span>
        )}
      </div>
    </Panel>
  );
}

/** The second part of the performance panel: GFLOPS over the history and the roofline. */
export function PerformanceCharts() {
  const store = useLooplabStore();
  const problem = useLooplab((s) => s.problem);
  const states = useLooplab((s) => s.states);
  const log = useLooplab((s) => s.log);
  const position = useLooplab((s) => s.position);
  const peak = useLooplab((s) => s.peak);
  const xnn = useLooplab((s) => s.xnnpack[s.problemKey]);
  const measurementAt = useMeasurementLookup();
  const facts = useSyncExternalStore(machineFacts.subscribe, machineFacts.get);
  const [hovered, setHovered] = useState<number | null>(null);

  const m = useLooplab(currentMeasurement);
  const done = m?.status === 'done' ? m : undefined;
  const gflops = done?.gflops ?? null;
  const peakGflops = peak.status === 'done' && peak.gflops !== undefined ? peak.gflops : null;
  // A figure on N threads is held against the peak on N threads (as in the figures above).
  const figureThreads = done?.threads ?? 1;
  const peakOnThreads = useLooplab((s) => (figureThreads > 1 ? s.peaksOnThreads[figureThreads] : undefined));
  const figurePeak = figureThreads > 1 ? (peakOnThreads?.gflops ?? null) : peakGflops;
  const xnnGflops = xnn?.status === 'done' && typeof xnn.gflops === 'number' ? xnn.gflops : null;
  // The schedule text of every position, recomputed only when the history changes.
  const schedules = useMemo(() => states.map((st) => printSchedule(st.schedule)), [states]);
  // While the agent lesson asks for a prediction, the points after this one would give it away.
  const hideAhead = useLooplab(agentAnswerHidden);
  const history = useMemo<HistoryModel>(
    () => ({
      points: historyPoints({
        count: hideAhead ? Math.min(schedules.length, position + 1) : schedules.length,
        measurementOf: (i) => measurementAt(schedules[i]),
        scheduleOf: (i) => schedules[i],
        actionOf: (i) => (i === 0 ? null : (log[i - 1]?.action ?? null)),
      }),
      current: position,
      peak: peakGflops,
      xnnpack: xnnGflops,
    }),
    [schedules, measurementAt, log, position, peakGflops, xnnGflops, hideAhead],
  );
  const simulated = useLooplab((s) => memoryEntryOf(s, s.current.schedule));
  const cacheFigures = simulated?.status === 'done' ? simulated.figures : undefined;
  const roofline = useMemo<RooflineModel>(() => {
    const bandwidth = facts.bandwidth.status === 'done' ? (facts.bandwidth.bytesPerSecond ?? null) : null;
    return {
      intensity: arithmeticIntensity(problem),
      gflops,
      peak: figurePeak,
      bandwidth,
      xnnpack: xnnGflops,
      levels: cacheFigures ? levelIntensities(cacheFigures, bandwidth) : [],
      machineName: cacheFigures?.machine.name,
    };
  }, [problem, gflops, figurePeak, facts, xnnGflops, cacheFigures]);
  const cacheSentences = cacheRooflineSentences(roofline);
  // The d3 charts redraw after the figures are on screen, in tasks of their own.
  const shownHistory = useDeferredValue(history);
  const shownRoofline = useDeferredValue(roofline);
  const hoveredPoint = hovered !== null ? history.points[hovered] : undefined;

  return (
    <Panel title="Performance over the history" testId="performance-charts">
      <h3 className="perf-chart-title">GFLOPS over the history</h3>
      <HistoryChartView model={shownHistory} onSelect={(p) => store.getState().visit(p)} onHover={setHovered} />
      <p className="perf-chart-readout" data-testid="history-readout">
        {hoveredPoint ? (
          <>
            {hoveredPoint.position === 0 ? 'start' : `step ${hoveredPoint.position}`}:{' '}
            <ScheduleText problem={problem} text={hoveredPoint.schedule} /> — {pointLabel(hoveredPoint).split(' — ')[1]}
          </>
        ) : (
          <span className="muted">
            ● measured (faint: quick figure, not refined yet) · ○ being measured / not measured · ✕ failed; dashed:
            peak, dotted: XNNPACK. Click a point to jump there.
          </span>
        )}
      </p>

      <h3 className="perf-chart-title">Roofline</h3>
      <RooflineChartView model={shownRoofline} />
      <p className="perf-chart-caption" data-testid="roofline-caption">
        {rooflineCaption(roofline)}
        {facts.bandwidth.status === 'error' && ` (bandwidth: ${facts.bandwidth.error})`}
      </p>
      {cacheSentences.length > 0 ? (
        <ul className="perf-chart-caption roofline-cache" data-testid="roofline-cache">
          {cacheSentences.map((sentence) => (
            <li key={sentence}>{sentence}</li>
          ))}
        </ul>
      ) : simulated?.status === 'running' ? (
        <p className="perf-chart-caption" data-testid="roofline-cache-pending">
          The simulated caches' points are on their way.
        </p>
      ) : null}
    </Panel>
  );
}
