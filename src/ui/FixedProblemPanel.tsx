// The problem panel when a teacher's link fixes the problem: the problem, read-only.
import { formatBytes, problemBytes } from '../core/problem.ts';
import { useLooplab } from '../store/context.tsx';
import { formatFlops } from '../core/format.ts';
import { Panel } from './Panel.tsx';
import { ProblemStatement } from './ProblemPanel.tsx';

export function FixedProblemPanel() {
  const problem = useLooplab((s) => s.problem);
  return (
    <Panel title="Problem" testId="problem-panel">
      <p className="dsl-hint" data-testid="problem-fixed">
        this lesson fixes the problem
      </p>
      <ProblemStatement problem={problem} />
      <p className="dsl-hint">
        {formatFlops(problem.flops)} · {formatBytes(problemBytes(problem))}
      </p>
    </Panel>
  );
}
