import { sizesText } from '../core/problem.ts';
import type { Problem } from '../core/types.ts';
import { formatFlops } from './format.ts';
import { Panel } from './Panel.tsx';

/** The computation: statement, sizes, tensor shapes and work. */
export function ProblemPanel({ name, problem }: { name: string; problem: Problem }) {
  const tensors = [problem.output, ...problem.inputs];
  return (
    <Panel title="Problem" testId="problem-panel">
      <p className="problem-name">{name}</p>
      <pre className="code problem-op" data-testid="problem-op">{problem.op}</pre>
      <pre className="code problem-sizes" data-testid="problem-sizes">{sizesText(problem)}</pre>
      <table className="facts">
        <tbody>
          {tensors.map((t) => (
            <tr key={t.name}>
              <th>{t.name}</th>
              <td>
                f32[{t.shape.join(' × ')}]
              </td>
            </tr>
          ))}
          <tr>
            <th>reductions</th>
            <td>{problem.reductionVariables.join(', ') || 'none'}</td>
          </tr>
          <tr>
            <th>work</th>
            <td data-testid="flops">{formatFlops(problem.flops)}</td>
          </tr>
        </tbody>
      </table>
    </Panel>
  );
}
