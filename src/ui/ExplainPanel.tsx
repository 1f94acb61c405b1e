// "Why did that change?": after each action, undo, redo or jump, one or two sentences from
// src/core/explain.ts on the change from the schedule it left to the current one, with the
// generator's reports and the measured GFLOPS once the worker has them, and the change of the
// simulated misses on the memory view's machine once both simulations are in. The working sets are
// held against that machine's L1 and L2. A move that only moved the cursor keeps the explanation
// of the last schedule change.
import { useMemo } from 'react';
import { explainChange, factsSummary } from '../core/explain.ts';
import { machineById, type Machine, MACHINES } from '../core/cache/machines.ts';
import { missesChangeSentence } from '../core/cache/missesChange.ts';
import { cacheOfMachine, scheduleFacts } from '../core/facts.ts';
import { formatBytes } from '../core/problem.ts';
import { useLooplab, useMeasurement, useShallow } from '../store/context.tsx';
import { entryText } from '../store/log.ts';
import { memoryEntryOf } from '../store/memorySlice.ts';
import type { MemoryEntry } from '../store/types.ts';
import { explainedMove } from '../store/explainedMove.ts';
import type { HistoryEntry } from '../store/types.ts';
import { Panel } from './Panel.tsx';
import { errorMessage } from '../core/errors.ts';

/** Which caches the working sets are held against, in words. */
export function cacheNote(machine: Machine): string {
  const c = cacheOfMachine(machine);
  const l2 = c.l2Bytes !== null ? ` and L2 ${formatBytes(c.l2Bytes)}` : ', no L2';
  return `Caches assumed: ${machine.name}, L1 ${formatBytes(c.l1Bytes)} (${c.l1Ways}-way, ${c.lineBytes}-byte lines)${l2} (the memory view's machine).`;
}

/** The change of simulated misses from `before` to `after`, or what it waits for. */
function missesText(before: MemoryEntry | undefined, after: MemoryEntry | undefined): string | null {
  if (before?.status === 'done' && after?.status === 'done' && before.figures && after.figures)
    return `${missesChangeSentence(before.figures, after.figures)}.`;
  if (before?.status === 'error' || after?.status === 'error') return null;
  return 'Simulated misses: on their way (simulated after the GFLOPS figure)…';
}

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
  const move = useLooplab(useShallow(explainedMove));
  const from = move.from;
  const before = useLooplab((s) => (from !== null ? s.states[from].schedule : null));
  const after = useLooplab((s) => s.current.schedule);
  const mBefore = useMeasurement(before);
  const mAfter = useMeasurement(after);
  const machineId = useLooplab((s) => s.memoryMachine);
  const machine = machineById(machineId) ?? MACHINES[0];
  const cache = useMemo(() => cacheOfMachine(machine), [machine]);
  const simBefore = useLooplab((s) => (before ? memoryEntryOf(s, before) : undefined));
  const simAfter = useLooplab((s) => memoryEntryOf(s, after));

  const explanation = useMemo(() => {
    if (!before) return null;
    try {
      return explainChange(
        problem,
        before,
        after,
        mBefore?.report,
        mAfter?.report,
        mBefore?.gflops,
        mAfter?.gflops,
        cache,
      );
    } catch (e) {
      return { error: errorMessage(e) };
    }
  }, [problem, before, after, mBefore, mAfter, cache]);
  const misses = before ? missesText(simBefore, simAfter) : null;

  const summary = useMemo(() => {
    try {
      return factsSummary(scheduleFacts(problem, after, cache));
    } catch {
      return null;
    }
  }, [problem, after, cache]);

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
          {misses ? (
            <p
              className="explain-sentence explain-misses"
              data-testid="explain-misses"
              data-state={simBefore?.status === 'done' && simAfter?.status === 'done' ? 'done' : 'waiting'}
            >
              {misses}
            </p>
          ) : null}
        </div>
      )}
      {summary ? (
        <p className="explain-facts" data-testid="explain-facts">
          now: {summary}
        </p>
      ) : null}
      <p className="explain-note" data-testid="explain-cache-note" title={machine.source}>
        {cacheNote(machine)}
      </p>
    </Panel>
  );
}
