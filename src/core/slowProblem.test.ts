import { describe, expect, it } from 'vitest';
import { parseProblem } from './problem.ts';
import { DEFAULT_SCHEDULE_GFLOPS, defaultScheduleSeconds, slowProblemWarning } from './slowProblem.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';

describe('slowProblemWarning', () => {
  it('warns that a 4096^3 default schedule takes minutes, from its FLOPs at a conservative speed', () => {
    const p = parseProblem(MATMUL, 'm=4096, n=4096, k=4096');
    expect(defaultScheduleSeconds(p)).toBeCloseTo(p.flops / (DEFAULT_SCHEDULE_GFLOPS * 1e9));
    expect(slowProblemWarning(p, 10)).toBe(
      'its default schedule (137 GFLOP) may take about 2 minutes per run at the ~1 GFLOPS a default schedule gets, past the 10 s a kernel may run here: its measurement will be stopped. Tile it first (or let the agent tune it), or make it smaller.',
    );
  });
  it('says seconds below two minutes, and nothing for problems well within the limit', () => {
    const p = parseProblem(MATMUL, 'm=2048, n=2048, k=2048');
    expect(slowProblemWarning(p, 10)).toMatch(/about 17 s per run/);
    expect(slowProblemWarning(p, 60)).toBeNull();
    expect(slowProblemWarning(parseProblem(MATMUL, 'm=1024, n=1024, k=1024'), 10)).toBeNull();
    expect(slowProblemWarning(parseProblem(MATMUL, 'm=256, n=256, k=256'), 10)).toBeNull();
  });
});
