// Measuring for the cost model: random problems, random specs plus expert entries, or what a
// scorer proposes, within the time budget, through the oracle.
import { describe, expect, it } from 'vitest';
import { printSchedule } from '../core/schedule.ts';
import { collectMeasurements } from './costData.ts';
import { functionOracle } from './oracle.ts';

describe('collectMeasurements', () => {
  it('measures a dozen schedules per problem until the budget is spent, the same ones for the same seed', async () => {
    const run = async () => {
      let clock = 0;
      const seen: string[] = [];
      const oracle = functionOracle((p, s) => {
        clock += 100;
        seen.push(`${p.op} ${printSchedule(s)}`);
        return 10;
      });
      const r = await collectMeasurements(oracle, { seed: 4, budgetSec: 5, now: () => clock });
      return { r, seen };
    };
    const a = await run();
    expect(a.r.measured).toBe(50);
    expect(a.seen).toHaveLength(50);
    expect(a.r.problems).toBeGreaterThanOrEqual(4);
    expect((await run()).seen).toEqual(a.seen);
  });

  it("measures the scorer's best proposals when given one", async () => {
    let clock = 0;
    const measured: string[] = [];
    const oracle = functionOracle((_, s) => {
      clock += 10;
      measured.push(printSchedule(s));
      return 10;
    });
    // Proposes the schedules with the most loops.
    const scorer = (_: unknown, schedules: readonly { loops: unknown[] }[]) => schedules.map((s) => s.loops.length);
    await collectMeasurements(oracle, {
      seed: 1,
      budgetSec: 0.05,
      randomPerProblem: 4,
      proposedPerProblem: 4,
      expertPerProblem: 0,
      scorer,
      now: () => clock,
    });
    expect(measured.length).toBeGreaterThan(0);
    for (const s of measured.slice(0, 4))
      expect(s.split(' ').filter((w) => !w.startsWith('r')).length).toBeGreaterThanOrEqual(6);
  });

  it('takes every problem from the large ranges with largeShare 1, and none with 0', async () => {
    const sizesSeen = async (largeShare: number) => {
      let clock = 0;
      const seen: Record<string, number>[] = [];
      const oracle = functionOracle((p) => {
        clock += 100;
        seen.push(p.sizes);
        return 10;
      });
      await collectMeasurements(oracle, { seed: 2, budgetSec: 6, largeShare, now: () => clock });
      return seen;
    };
    // The large ranges: matmul sides from 512, bmm from 256, conv channels from 128.
    const large = (s: Record<string, number>) =>
      s.ci !== undefined
        ? s.ci >= 128 && s.co >= 128
        : s.b !== undefined
          ? s.m >= 256 && s.n >= 256 && s.k >= 256
          : s.m >= 512 && s.n >= 512 && s.k >= 512;
    const all = await sizesSeen(1);
    expect(all.length).toBe(60);
    expect(all.every(large)).toBe(true);
    expect((await sizesSeen(0)).some((s) => !large(s))).toBe(true);
  });
});
