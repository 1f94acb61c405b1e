import type { Problem, Schedule } from '../core/types.ts';
import { loopNestLines } from './loopNest.ts';

/** The schedule as indented pseudo-code loops around the statement. */
export function LoopNestView({ problem, schedule }: { problem: Problem; schedule: Schedule }) {
  const lines = loopNestLines(problem, schedule);
  return (
    <pre className="loop-nest" data-testid="loop-nest">
      {lines.map((line, i) => (
        <div key={i} className={line.loop < 0 ? 'nest-line nest-body' : 'nest-line'}>
          {'    '.repeat(line.depth)}
          {line.text}
        </div>
      ))}
    </pre>
  );
}
