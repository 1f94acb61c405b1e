import { formatGflops } from './format.ts';
import { Panel } from './Panel.tsx';
import type { MeasureState, PeakState } from './useMeasurement.ts';

function CorrectBadge({ correct, reason }: { correct: boolean; reason?: string }) {
  return (
    <span
      className={correct ? 'badge badge-ok' : 'badge badge-bad'}
      data-testid="correct"
      data-correct={String(correct)}
      title={correct ? 'matches the reference implementation on seeded random inputs' : reason}
    >
      {correct ? '✓ correct' : '✗ incorrect'}
    </span>
  );
}

function IsolationBadge() {
  const isolated = globalThis.crossOriginIsolated === true;
  return (
    <p className="isolation" data-testid="cross-origin-isolated" data-value={String(isolated)}>
      <span className={isolated ? 'badge badge-ok' : 'badge badge-warn'}>
        {isolated ? 'cross-origin isolated' : 'not cross-origin isolated'}
      </span>{' '}
      {isolated
        ? 'precise timers (COOP/COEP headers present)'
        : 'timers are coarse: serve the page with COOP same-origin and COEP require-corp'}
    </p>
  );
}

function statusText(kernel: MeasureState): string {
  switch (kernel.state) {
    case 'starting':
      return 'starting the worker…';
    case 'measuring':
      return 'generating, checking and timing the kernel…';
    case 'done': {
      const { generateMs, compileMs } = kernel.kernel;
      return `measured in the worker (kernel generated in ${generateMs.toFixed(1)} ms, compiled in ${compileMs.toFixed(1)} ms)`;
    }
    case 'error':
      return 'measurement failed';
  }
}

/** GFLOPS of the schedule's kernel, its correctness, and the machine's peak. */
export function PerformancePanel({ kernel, peak }: { kernel: MeasureState; peak: PeakState }) {
  const result = kernel.state === 'done' ? kernel.kernel : null;
  const peakGflops = peak.state === 'done' ? peak.peak : null;
  const gflops = result?.gflops ?? null;
  return (
    <Panel title="Performance" testId="performance-panel">
      <IsolationBadge />
      <p className="status" data-testid="measure-status" data-state={kernel.state} aria-live="polite">
        {statusText(kernel)}
      </p>
      {kernel.state === 'error' && (
        <p className="error" role="alert" data-testid="measure-error">
          {kernel.message}
        </p>
      )}
      <div className="metrics">
        <div className="metric">
          <div className="metric-label">kernel (best)</div>
          <div className="metric-value" data-testid="gflops" data-value={gflops ?? ''}>
            {gflops !== null ? formatGflops(gflops) : '–'}
            <span className="unit"> GFLOPS</span>
          </div>
          <div className="metric-sub" data-testid="gflops-median">
            median {result?.gflopsMedian != null ? formatGflops(result.gflopsMedian) : '–'}
          </div>
        </div>
        <div className="metric">
          <div className="metric-label">peak (SIMD multiply-add)</div>
          <div className="metric-value" data-testid="peak" data-value={peakGflops ?? ''}>
            {peakGflops !== null ? formatGflops(peakGflops) : '–'}
            <span className="unit"> GFLOPS</span>
          </div>
          <div className="metric-sub">
            {peak.state === 'error'
              ? `not measured: ${peak.message}`
              : gflops !== null && peakGflops
                ? `kernel at ${((100 * gflops) / peakGflops).toFixed(0)}% of peak`
                : ' '}
          </div>
        </div>
      </div>
      {result && (
        <div className="kernel-facts">
          <CorrectBadge correct={result.correct} reason={result.reason} />
          {!result.correct && result.reason && <p className="error">{result.reason}</p>}
          {result.report.notes.length > 0 && (
            <h3 className="notes-title">What the generator decided</h3>
          )}
          {result.report.notes.length > 0 && (
            <ul className="notes" data-testid="report-notes">
              {result.report.notes.map((note, i) => (
                <li key={i}>{note}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Panel>
  );
}
