// The environment with a deterministic fake oracle: rewards, episode length, legality masking.
import { describe, expect, it } from 'vitest';
import { AGENT_ACTIONS, applyAction, legalActions } from '../core/actions.ts';
import { parseProblem } from '../core/problem.ts';
import { printSchedule } from '../core/schedule.ts';
import { seededRandom } from '../core/random.ts';
import { IllegalActionError, LoopEnv } from './env.ts';
import { functionOracle } from './oracle.ts';

const matmul = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=64, n=48, k=40');
const conv = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=8, oh=6, ow=6, ci=4, kh=3, kw=3');

/** GFLOPS from the schedule text: 1 + the number of loops + 2 if the innermost loop is over n. */
const fake = functionOracle((p, s) => {
  const last = s.loops[s.loops.length - 1].variable;
  return 1 + s.loops.length + (last === 'n' ? 2 : 0) + (p === conv ? 0.5 : 0);
});

describe('LoopEnv', () => {
  it('resets to the default schedule with the cursor on the outermost loop', async () => {
    const env = new LoopEnv(fake, 10);
    const s = await env.reset(matmul);
    expect(printSchedule(s.schedule)).toBe('m:64 n:48 k:40');
    expect(s.cursor).toBe(0);
    expect(env.gflops).toBe(4);
    expect(env.t).toBe(0);
    expect(env.stepsLeft).toBe(10);
  });

  it('rewards the change in GFLOPS over the peak, and the rewards add up to (final - default) / peak', async () => {
    const env = new LoopEnv(fake, 8);
    await env.reset(matmul);
    const r1 = await env.step('split_8'); // m:8 m:8 n k -> 1 + 4 loops = 5 GFLOPS
    expect(printSchedule(r1.state.schedule)).toBe('m:8 m:8 n:48 k:40');
    expect(r1.gflops).toBe(5);
    expect(r1.reward).toBeCloseTo((5 - 4) / 8, 12);
    const r2 = await env.step('down');
    expect(r2.reward).toBe(0);
    expect(r2.state.cursor).toBe(1);
    let total = r1.reward + r2.reward;
    for (const a of ['down', 'split_16', 'down', 'swap_down'] as const) total += (await env.step(a)).reward;
    // m:8 m:8 n:3 k n:16 -> innermost n: 1 + 5 + 2 = 8 GFLOPS
    expect(printSchedule(env.state.schedule)).toBe('m:8 m:8 n:3 k:40 n:16');
    expect(env.gflops).toBe(8);
    expect(total).toBeCloseTo((8 - 4) / 8, 12);
  });

  it('ends an episode after 10 steps', async () => {
    const env = new LoopEnv(fake, 10);
    await env.reset(matmul);
    let last: Awaited<ReturnType<LoopEnv['step']>> | undefined;
    for (let i = 0; i < 10; i++) {
      expect(env.done).toBe(false);
      last = await env.step(i % 2 === 0 ? 'down' : 'up');
    }
    expect(last?.done).toBe(true);
    expect(env.done).toBe(true);
    await expect(env.step('down')).rejects.toThrow(/episode is over/);
  });

  it('refuses an illegal action with the core reason, without using a step', async () => {
    const env = new LoopEnv(fake, 10);
    await env.reset(matmul);
    const err = await env.step('up').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IllegalActionError);
    expect((err as Error).message).toMatch(/cursor is already on the outermost loop/);
    expect(env.t).toBe(0);
    await expect(env.step('merge')).rejects.toThrow(/not in the action space/);
  });

  it('takes actions by index into the action space', async () => {
    const env = new LoopEnv(fake, 10);
    await env.reset(matmul);
    const r = await env.step(AGENT_ACTIONS.indexOf('swap_down'));
    expect(r.action).toBe('swap_down');
    expect(printSchedule(r.state.schedule)).toBe('n:48 m:64 k:40');
  });

  it('masks exactly the actions the core calls illegal, along random walks', async () => {
    const next = seededRandom(42);
    const env = new LoopEnv(fake, 10);
    for (let episode = 0; episode < 40; episode++) {
      await env.reset(episode % 2 === 0 ? matmul : conv);
      while (!env.done) {
        const mask = env.mask();
        const legality = legalActions(env.problem, env.state, AGENT_ACTIONS);
        expect(mask).toEqual(legality.map((l) => l.ok));
        expect(env.legality()).toEqual(legality);
        AGENT_ACTIONS.forEach((a, i) => {
          expect(applyAction(env.problem, env.state, a).ok).toBe(mask[i]);
        });
        const legal = AGENT_ACTIONS.filter((_, i) => mask[i]);
        const illegal = AGENT_ACTIONS.filter((_, i) => !mask[i]);
        for (const a of illegal) await expect(env.step(a)).rejects.toBeInstanceOf(IllegalActionError);
        await env.step(legal[Math.floor(next() * legal.length)]);
      }
    }
  });

  it('rejects a non-positive peak', () => {
    expect(() => new LoopEnv(fake, 0)).toThrow(/peak/);
  });
});
