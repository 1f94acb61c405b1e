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

  it('times a quick batch in more rounds, up to three times as many, and a slow one in the rounds asked for', async () => {
    const codegen = await loadCodegen();
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=33, n=40, k=17');
    const schedules = [defaultSchedule(problem), parseSchedule(problem, 'm k n:10 n:4')];
    const quick = await (await finalMeasurer(codegen, detectTarget(), 2, 60_000))(problem, schedules);
    expect(quick.map((m) => m.rounds)).toEqual([6, 6]);
    const asked = await (await finalMeasurer(codegen, detectTarget(), 2, 0))(problem, schedules);
    expect(asked.map((m) => m.rounds)).toEqual([2, 2]);
  });
});
