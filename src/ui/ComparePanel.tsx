// Two loop nests side by side: the pinned schedule and the current one, loops that differ
// marked, and the measured GFLOPS of each.
import { loopText } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { useLooplab, useMeasurement } from '../store/context.tsx';
import { diffLoops, diffSummary } from '../store/diffLoops.ts';
import type { ScheduleMeasurement } from '../store/types.ts';
import { variableColor } from './colors.ts';
import { formatGflops } from '../core/format.ts';
import { Panel } from './Panel.tsx';

function figure(m: ScheduleMeasurement | undefined): string {
  if (!m) return 'not measured';
  if (m.status === 'queued' || m.status === 'measuring') return 'measuring…';
  if (m.status === 'error') return `failed: ${m.error ?? 'unknown error'}`;
  if (m.correct === false) return 'incorrect';
  return typeof m.gflops === 'number' ? `${formatGflops(m.gflops)} GFLOPS` : 'not measured';
}

function Nest({
  title,
  problem,
  schedule,
  marks,
  gflops,
  testId,
}: {
  title: string;
  problem: Pick<Problem, 'variables'>;
  schedule: Schedule;
  marks: boolean[];
  gflops: string;
  testId: string;
}) {
  return (
    <div className="ll-compare-side" data-testid={testId}>
      <h3 className="ll-compare-title">{title}</h3>
      <p className="ll-compare-gflops" data-testid={`${testId}-gflops`}>
        {gflops}
      </p>
      <ol className="ll-compare-nest">
        {schedule.loops.map((loop, i) => (
          <li
            key={i}
            className={marks[i] ? 'll-compare-loop ll-diff' : 'll-compare-loop'}
            data-diff={marks[i] ? 'true' : 'false'}
            style={{ paddingLeft: `${i * 1.1}em` }}
          >
            <code>
              for <span style={{ color: variableColor(problem, loop.variable) }}>{loopText(loop)}</span>
            </code>
            {marks[i] ? <span className="ll-diff-mark"> ≠</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function ComparePanel() {
  const pinned = useLooplab((s) => s.pinned);
  const current = useLooplab((s) => s.current.schedule);
  const problemKey = useLooplab((s) => s.problemKey);
  const problem = useLooplab((s) => s.problem);
  const pinnedM = useMeasurement(pinned?.schedule, pinned?.problemKey);
  const currentM = useMeasurement(current);
  const pinCurrent = useLooplab((s) => s.pinCurrent);
  const unpin = useLooplab((s) => s.unpin);

  if (!pinned) {
    return (
      <Panel title="Compare" testId="compare-panel">
        <p className="ll-muted">Pin the current schedule, keep changing the nest, and see both side by side.</p>
        <button type="button" data-testid="compare-pin" onClick={() => pinCurrent()}>
          Pin current schedule
        </button>
      </Panel>
    );
  }

  const sameProblem = pinned.problemKey === problemKey;
  const marks = sameProblem
    ? diffLoops(pinned.schedule, current)
    : { a: pinned.schedule.loops.map(() => true), b: current.loops.map(() => true) };

  return (
    <Panel title="Compare" testId="compare-panel">
      {sameProblem ? (
        <p className="ll-muted" data-testid="compare-summary">
          {diffSummary(marks)}
        </p>
      ) : (
        <p className="ll-compare-other" data-testid="compare-other-problem">
          The pinned schedule is for another problem ({pinned.problemKey.split('\n').join('; ')}).
        </p>
      )}
      <div className="ll-compare">
        <Nest
          title={`pinned: ${pinned.label}`}
          problem={problem}
          schedule={pinned.schedule}
          marks={marks.a}
          gflops={figure(pinnedM)}
          testId="compare-pinned"
        />
        <Nest
          title="current"
          problem={problem}
          schedule={current}
          marks={marks.b}
          gflops={figure(currentM)}
          testId="compare-current"
        />
      </div>
      <div className="ll-compare-actions">
        <button type="button" data-testid="compare-pin" onClick={() => pinCurrent()}>
          Pin current instead
        </button>
        <button type="button" data-testid="compare-unpin" onClick={unpin}>
          Unpin
        </button>
      </div>
    </Panel>
  );
}
