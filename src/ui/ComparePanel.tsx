// Two loop nests side by side: the pinned schedule and the current one, loops that differ
// marked, the measured GFLOPS of each and beside it its simulated misses per tensor and level on
// the memory view's machine (the same on every computer).
import { missesSummary } from '../core/cache/missesChange.ts';
import { machineById } from '../core/cache/machines.ts';
import { loopText } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { useLooplab, useMeasurement } from '../store/context.tsx';
import { diffLoops, diffSummary } from '../store/diffLoops.ts';
import { memoryEntryOf } from '../store/memorySlice.ts';
import type { MemoryEntry, ScheduleMeasurement } from '../store/types.ts';
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

/** The simulated misses of one side, or what became of its simulation. */
function Misses({ entry, testId }: { entry: MemoryEntry | undefined; testId: string }) {
  const machine = useLooplab((s) => machineById(s.memoryMachine)?.name ?? s.memoryMachine);
  if (!entry || entry.status === 'running')
    return <p className="ll-compare-misses ll-muted">simulated misses on {machine}: simulating…</p>;
  if (entry.status === 'error' || !entry.figures)
    return <p className="ll-compare-misses ll-muted">not simulated: {entry.error}</p>;
  const figures = entry.figures;
  return (
    <div className="ll-compare-misses" data-testid={`${testId}-misses`} data-machine={figures.machine.id}>
      {missesSummary(figures).map((line, l) => (
        <p
          key={line}
          data-level={figures.levels[l].name}
          data-values={figures.levels[l].tensors.map((t) => `${t.tensor}=${t.misses}`).join(' ')}
        >
          {line}
        </p>
      ))}
      <p className="ll-muted">simulated on {figures.machine.name}</p>
    </div>
  );
}

function Nest({
  title,
  problem,
  schedule,
  marks,
  gflops,
  misses,
  testId,
}: {
  title: string;
  problem: Pick<Problem, 'variables'>;
  schedule: Schedule;
  marks: boolean[];
  gflops: string;
  misses: MemoryEntry | undefined;
  testId: string;
}) {
  return (
    <div className="ll-compare-side" data-testid={testId}>
      <h3 className="ll-compare-title">{title}</h3>
      <p className="ll-compare-gflops" data-testid={`${testId}-gflops`}>
        {gflops}
      </p>
      <Misses entry={misses} testId={testId} />
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
  const pinnedSim = useLooplab((s) => (pinned ? memoryEntryOf(s, pinned.schedule, pinned.problemKey) : undefined));
  const currentSim = useLooplab((s) => memoryEntryOf(s, s.current.schedule));
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
          misses={pinnedSim}
          testId="compare-pinned"
        />
        <Nest
          title="current"
          problem={problem}
          schedule={current}
          marks={marks.b}
          gflops={figure(currentM)}
          misses={currentSim}
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
