import type { Problem } from '../core/types.ts';
import { variableColor } from './colors.ts';

/** A schedule in the DSL notation with each loop in its variable's colour. */
export function ScheduleText({
  problem,
  text,
  className = 'perf-schedule',
}: {
  problem: Problem;
  text: string;
  className?: string;
}) {
  return (
    <code className={className}>
      {text.split(' ').map((token, i) => (
        <span key={i} style={{ color: variableColor(problem, token.split(':')[0]) }}>
          {i > 0 ? ' ' : ''}
          {token}
        </span>
      ))}
    </code>
  );
}
