import { describe, expect, it } from 'vitest';
import { parseProblem } from './problem.ts';
import { DEFAULT_SCHEDULE_GFLOPS, defaultScheduleSeconds, slowProblemWarning } from './slowProblem.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';

describe('slowProblemWarning', () => {
  it('warns that a 4096^3 default schedule takes minutes, from its FLOPs at a conservative speed', () => {
    const p = parseProblem(MATMUL, 'm=4096, n=4096, k=4096');
    expect(defaultScheduleSeconds(p)).toBeCloseTo(p.flops / (DEFAULT_SCHEDULE_GFLOPS * 1e9));
    expect(slowProblemWarning(p)).toBe(
      'one whole run of its default schedule (137 GFLOP) takes about 2 minutes at the ~1 GFLOPS a default schedule gets. The page times large kernels on a slice of their outermost loop, so its figures come sooner; its "run the whole kernel" stops after 10 s, so time this schedule whole with npm run bench -- --full, or tile it first.',
    );
  });
  it('says seconds below two minutes, and nothing for problems that run in a few seconds', () => {
    expect(slowProblemWarning(parseProblem(MATMUL, 'm=2048, n=2048, k=2048'))).toMatch(/takes about 17 s at/);
    expect(slowProblemWarning(parseProblem(MATMUL, 'm=1024, n=1024, k=1024'))).toBeNull();
    expect(slowProblemWarning(parseProblem(MATMUL, 'm=256, n=256, k=256'))).toBeNull();
  });
});
