// The problem panel when a teacher's link fixes the problem: the problem, read-only.
import { formatBytes, problemBytes, sizesText } from '../core/problem.ts';
import { useLooplab } from '../store/context.tsx';
import { formatFlops } from './format.ts';
import { VarText } from './LoopNestPanel.tsx';
import { Panel } from './Panel.tsx';

export function FixedProblemPanel() {
  const problem = useLooplab((s) => s.problem);
  return (
    <Panel title="Problem" testId="problem-panel">
      <p className="dsl-hint" data-testid="problem-fixed">
        this lesson fixes the problem
      </p>
      <pre className="code problem-op" data-testid="problem-op">
        <VarText problem={problem} text={problem.op} />
      </pre>
      <pre className="code problem-sizes" data-testid="problem-sizes">
        <VarText problem={problem} text={sizesText(problem)} />
      </pre>
      <p className="dsl-hint">
        {formatFlops(problem.flops)} · {formatBytes(problemBytes(problem))}
      </p>
    </Panel>
  );
}
