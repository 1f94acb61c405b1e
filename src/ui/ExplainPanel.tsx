// "Why did that change?": after each action, undo, redo or jump, one or two sentences from
// src/core/explain.ts on the change from the schedule it left to the current one, with the
// generator's reports and the measured GFLOPS once the worker has them. A move that only moved the
// cursor keeps the explanation of the last schedule change.
import { useMemo } from 'react';
import { explainChange, factsSummary } from '../core/explain.ts';
import { CACHE, scheduleFacts } from '../core/facts.ts';
import { formatBytes } from '../core/problem.ts';
import { printSchedule } from '../core/schedule.ts';
import { useLooplab, useMeasurement, useShallow } from '../store/context.tsx';
import { entryText } from '../store/log.ts';
import { lastScheduleChange } from '../store/historySlice.ts';
import type { HistoryEntry } from '../store/types.ts';
import { Panel } from './Panel.tsx';
import { errorMessage } from '../core/errors.ts';

export const CACHE_NOTE = `Caches assumed: L1 ${formatBytes(CACHE.l1Bytes)} (${CACHE.l1Ways}-way, ${CACHE.lineBytes}-byte lines) and L2 ${formatBytes(CACHE.l2Bytes)} per core.`;

/** What moved the playground from step `from` to step `to` of the log. */
function MoveText({ from, to, log }: { from: number; to: number; log: readonly HistoryEntry[] }) {
  const where = to < log.length ? ` (step ${to} of ${log.length})` : '';
  if (from === to - 1) {
    return (
      <>
        after <code>{entryText(log[to - 1])}</code>
        {where}
      </>
    );
  }
  if (from === to + 1) {
    return (
      <>
        undid <code>{entryText(log[to])}</code>
        {where}
      </>
    );
  }
  if (to > from + 1) {
    // Forward over several entries: a typed schedule's actions, or a jump from the chart.
    const entries = log.slice(from, to).map(entryText);
    const shown = entries.length <= 4 ? entries.join(', ') : `${entries.slice(0, 2).join(', ')}, …, ${entries.at(-1)}`;
    return (
      <>
        after <code>{shown}</code> (steps {from + 1} to {to} of {log.length})
      </>
    );
  }
  return (
    <>
      jumped from step {from} to step {to} of {log.length}
    </>
  );
}

export function ExplainPanel() {
  const problem = useLooplab((s) => s.problem);
  const position = useLooplab((s) => s.position);
  const log = useLooplab((s) => s.log);
  // Explain the last move (from the position it came from: an action, undo, redo, a chart jump) when
  // it changed the schedule; otherwise the last schedule change that led here.
  const move = useLooplab(
    useShallow((s) => {
      const came = s.cameFrom !== null && s.cameFrom < s.states.length ? s.cameFrom : null;
      if (came !== null && printSchedule(s.states[came].schedule) !== printSchedule(s.current.schedule)) {
        return { from: came, to: s.position };
      }
      const change = lastScheduleChange(s.states, s.position);
      return change < 0 ? { from: null, to: s.position } : { from: change, to: change + 1 };
    }),
  );
  const from = move.from;
  const before = useLooplab((s) => (from !== null ? s.states[from].schedule : null));
  const after = useLooplab((s) => s.current.schedule);
  const mBefore = useMeasurement(before);
  const mAfter = useMeasurement(after);

  const explanation = useMemo(() => {
    if (!before) return null;
    try {
      return explainChange(problem, before, after, mBefore?.report, mAfter?.report, mBefore?.gflops, mAfter?.gflops);
    } catch (e) {
      return { error: errorMessage(e) };
    }
  }, [problem, before, after, mBefore, mAfter]);

  const summary = useMemo(() => {
    try {
      return factsSummary(scheduleFacts(problem, after));
    } catch {
      return null;
    }
  }, [problem, after]);

  // The previous schedule may never be measured (skipped while newer ones were wanted): wait only for this one.
  const pending = !!before && mAfter?.status !== 'done' && mAfter?.status !== 'error';
  return (
    <Panel title="Why did that change?" testId="explain-panel">
      {!explanation || from === null ? (
        <p className="explain-empty" data-testid="explain-empty">
          Change the schedule (swap, split, merge, parallel) and this says what it changed: strides in the innermost
          loop, the vectorized variable, the register tile, the working set against the caches, tails.
        </p>
      ) : 'error' in explanation ? (
        <p className="error" role="alert">
          no explanation for this step: {explanation.error}
        </p>
      ) : (
        <div data-testid="explain" data-topics={explanation.topics.join(' ')} data-position={position}>
          <p className="explain-action" data-testid="explain-action">
            <MoveText from={from} to={move.to} log={log} />
            {pending ? <span className="explain-pending"> (the figure is still coming from the worker)</span> : null}
          </p>
          {explanation.sentences.map((s, i) => (
            <p key={i} className="explain-sentence" data-testid="explain-sentence" data-topic={explanation.topics[i]}>
              {s}
            </p>
          ))}
        </div>
      )}
      {summary ? (
        <p className="explain-facts" data-testid="explain-facts">
          now: {summary}
        </p>
      ) : null}
      <p className="explain-note">{CACHE_NOTE}</p>
    </Panel>
  );
}
