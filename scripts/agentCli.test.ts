// The final measurement of eval and tune: every schedule checked, duplicates timed once, and the
// figures of a batch taken together.
import { describe, expect, it } from 'vitest';
import { detectTarget, loadCodegen } from '../src/codegen/index.ts';
import { parseProblem } from '../src/core/problem.ts';
import { defaultSchedule, parseSchedule } from '../src/core/schedule.ts';
import { finalMeasurer } from './agentCli.ts';

describe('finalMeasurer', () => {
  it('checks and times every schedule of a batch, a repeated one once', async () => {
    const measure = await finalMeasurer(await loadCodegen(), detectTarget(), 2);
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=33, n=40, k=17');
    const fast = parseSchedule(problem, 'm k n:10 n:4');
    const [def, tuned, again] = await measure(problem, [defaultSchedule(problem), fast, defaultSchedule(problem)]);
    for (const m of [def, tuned, again]) {
      expect(m.correct).toBe(true);
      expect(m.gflops).toBeGreaterThan(0);
    }
    expect(again).toEqual(def);
    expect(again).not.toBe(def);
  });
});
