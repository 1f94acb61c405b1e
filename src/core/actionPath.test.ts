import { describe, expect, it } from 'vitest';
import { actionPath } from './actionPath.ts';
import { applyAction } from './actions.ts';
import { parseProblem } from './problem.ts';
import { defaultSchedule, parseSchedule, printSchedule } from './schedule.ts';
import type { NestState, Problem } from './types.ts';

const mm = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
const conv = parseProblem(
  'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
  'co=64, oh=56, ow=56, ci=64, kh=3, kw=3',
);

function start(problem: Problem): NestState {
  return { schedule: defaultSchedule(problem), cursor: 0 };
}

function replayTo(problem: Problem, from: NestState, path: readonly string[]): string {
  let state = from;
  for (const action of path) {
    const r = applyAction(problem, state, action as never);
    if (!r.ok) throw new Error(r.reason);
    state = r.state;
  }
  return printSchedule(state.schedule);
}

describe('actionPath', () => {
  it('is empty when the schedule is there already, whatever the cursor', () => {
    expect(actionPath(mm, { schedule: defaultSchedule(mm), cursor: 2 }, defaultSchedule(mm))).toEqual([]);
  });

  it('finds the two actions of a split at the cursor', () => {
    const target = parseSchedule(mm, 'm n k k:16');
    const path = actionPath(mm, start(mm), target);
    expect(path).toEqual(['down', 'down', 'split_16']);
  });

  it.each([
    [mm, 'k m n k:32 m:2 n:16'],
    [mm, 'm n k m:4 n:8'],
    [mm, '||m n k m:4 n:8'],
    [conv, 'co oh ow ci kh kw ow:4'],
  ])('reaches %#: %s from the default schedule', (problem, text) => {
    const target = parseSchedule(problem, text);
    const path = actionPath(problem, start(problem), target);
    expect(path).not.toBeNull();
    expect(replayTo(problem, start(problem), path ?? [])).toBe(printSchedule(target));
  });

  it('is shortest: never longer than a known sequence', () => {
    const known = ['down', 'split_16', 'swap_up', 'down', 'swap_down'];
    const target = parseSchedule(mm, replayTo(mm, start(mm), known));
    const path = actionPath(mm, start(mm), target);
    expect(path?.length).toBeLessThanOrEqual(known.length);
    expect(replayTo(mm, start(mm), path ?? [])).toBe(printSchedule(target));
  });

  it('merges what the target does not split', () => {
    const from: NestState = { schedule: parseSchedule(mm, 'm n k k:16'), cursor: 0 };
    const path = actionPath(mm, from, defaultSchedule(mm));
    expect(path).not.toBeNull();
    expect(path).toContain('merge');
  });

  it('gives up (null) when the bound is too small to reach the target', () => {
    const target = parseSchedule(mm, 'k m n k:32 m:2 n:16');
    expect(actionPath(mm, start(mm), target, { maxStates: 50 })).toBeNull();
  });
});
