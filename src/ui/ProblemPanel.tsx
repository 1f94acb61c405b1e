// The computation: a preset or the DSL text (with the core's error at its place), then what it
// means: statement, sizes, tensor shapes, work and memory, and a warning when a whole run of its
// default schedule would take minutes. A new problem starts from its default schedule, as a step
// of the history (undo returns to the problem before).
import { lazy, Suspense, useState } from 'react';
import { formatBytes, PRESETS, problemBytes, sizesText } from '../core/problem.ts';
import type { Problem } from '../core/types.ts';
import { useLooplab } from '../store/context.tsx';
import { formatFlops } from '../core/format.ts';
import { slowProblemWarning } from '../core/slowProblem.ts';
import { VarText } from './LoopNestPanel.tsx';
import { Panel } from './Panel.tsx';

// CodeMirror is the largest part of the page's script: the editor arrives just after the first
// paint, which shows the problem's text in its place meanwhile.
const DslEditor = lazy(() => import('./DslEditor.tsx').then((m) => ({ default: m.DslEditor })));

/** The statement and the sizes, each variable in its colour (also the fixed problem's panel). */
export function ProblemStatement({ problem }: { problem: Problem }) {
  return (
    <>
      <pre className="code problem-op" data-testid="problem-op">
        <VarText problem={problem} text={problem.op} />
      </pre>
      <pre className="code problem-sizes" data-testid="problem-sizes">
        <VarText problem={problem} text={sizesText(problem)} />
      </pre>
    </>
  );
}

export function ProblemPanel() {
  const problem = useLooplab((s) => s.problem);
  const problemText = useLooplab((s) => s.problemText);
  const problemError = useLooplab((s) => s.problemError);
  const presetId = useLooplab((s) => s.presetId);
  const setProblemText = useLooplab((s) => s.setProblemText);
  const loadPreset = useLooplab((s) => s.loadPreset);
  const [pending, setPending] = useState(false);
  const tensors = [problem.output, ...problem.inputs];
  const slow = slowProblemWarning(problem);

  return (
    <Panel title="Problem" testId="problem-panel">
      <label className="preset-row">
        <span className="preset-label">preset</span>
        <select
          className="preset-select"
          data-testid="preset-select"
          value={presetId ?? ''}
          onChange={(e) => {
            if (e.target.value) loadPreset(e.target.value);
            // Back to the page, so the arrow keys move the loop-nest cursor again.
            e.currentTarget.blur();
          }}
        >
          {presetId === null && (
            <option value="" disabled>
              custom problem
            </option>
          )}
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </label>
      <Suspense
        fallback={
          <pre className="dsl-editor dsl-editor-loading" data-testid="dsl-editor-loading">
            {problemText}
          </pre>
        }
      >
        <DslEditor
          text={problemText}
          error={problemError}
          problem={problem}
          onApply={setProblemText}
          onPendingChange={setPending}
        />
      </Suspense>
      {problemError ? (
        <p className="error problem-error" role="alert" data-testid="problem-error">
          {problemError.message}
          <span className="problem-error-keep"> · still showing the last valid problem</span>
        </p>
      ) : (
        <p className="dsl-hint" data-testid="dsl-hint">
          {pending ? (
            <>
              applies when you pause, press <kbd>Ctrl+Enter</kbd> or leave the editor
            </>
          ) : (
            <>
              edit the statement or the sizes; a new problem starts from its default schedule, and undo returns to this
              one · <kbd>Esc</kbd> leaves the editor
            </>
          )}
        </p>
      )}
      <ProblemStatement problem={problem} />
      {slow && (
        <p className="problem-slow" role="status" data-testid="problem-slow">
          Slow: {slow}
        </p>
      )}
      <table className="facts">
        <tbody>
          {tensors.map((t) => (
            <tr key={t.name}>
              <th>{t.name}</th>
              <td data-testid={`shape-${t.name}`}>f32[{t.shape.join(' × ')}]</td>
            </tr>
          ))}
          <tr>
            <th>reductions</th>
            <td>
              {problem.reductionVariables.length ? (
                <VarText problem={problem} text={problem.reductionVariables.join(', ')} />
              ) : (
                'none'
              )}
            </td>
          </tr>
          <tr>
            <th>work</th>
            <td data-testid="flops">{formatFlops(problem.flops)}</td>
          </tr>
          <tr>
            <th>memory</th>
            <td data-testid="memory">{formatBytes(problemBytes(problem))}</td>
          </tr>
        </tbody>
      </table>
    </Panel>
  );
}
