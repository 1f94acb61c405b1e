import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyAction, legalActions } from '../../core/actions.ts';
import { PRESETS, parseProblemText } from '../../core/problem.ts';
import { defaultSchedule, parseSchedule, printSchedule } from '../../core/schedule.ts';
import type { NestState } from '../../core/types.ts';
import { createAgentApi, stepView } from './api.ts';
import { DEFAULT_TILE_SEARCH } from '../../agent/tileSearch.ts';
import type { AgentStepView } from './protocol.ts';
import type { ModelFiles } from '../../agent/policy.ts';

function shippedFiles(sub = ''): ModelFiles {
  const dir = new URL(`../../../public/agent/${sub}`, import.meta.url);
  const bytes = readFileSync(new URL('weights.bin', dir));
  return {
    modelJson: JSON.parse(readFileSync(new URL('model.json', dir), 'utf8')),
    weights: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}

const presetText = (id: string) => {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return p.text;
};

describe('agent worker api', () => {
  const api = createAgentApi({
    fetchShipped: async () => shippedFiles(),
    fetchCostModel: async () => shippedFiles('cost-model/'),
  });

  it('searches with the shipped cost model from the default schedule: a path of macro-actions to a measured answer', async () => {
    const text = presetText('matmul-64');
    const r = await api.search(text, null);
    expect(r.from).toBe('untiled');
    expect(r.outcome).toBe('improved');
    expect(r.steps.length).toBeGreaterThan(0);
    expect(r.steps.every((s) => /^(tile_|rtile_|panel_|pack$|pack_b$|order$)/.test(s.action))).toBe(true);
    expect(r.steps.at(-1)?.scheduleText).toBe(r.best.scheduleText);
    expect(r.best.gflops).toBe(Math.max(...r.measured.map((m) => m.gflops)));
    expect(r.measured.length).toBeGreaterThan(0);
    expect(r.measured.length).toBeLessThanOrEqual(DEFAULT_TILE_SEARCH.measure + DEFAULT_TILE_SEARCH.extraMeasure);
    expect(r.scored).toBeGreaterThan(r.measured.length);
  });

  it("continues from a person's schedule, measured like the candidates, and never answers slower than it", async () => {
    const text = presetText('matmul-64');
    const r = await api.search(text, { scheduleText: 'm n k n:4 m:2', cursor: 0 });
    expect(r.from).toBe('nearest');
    expect(r.startGflops).toBeGreaterThan(0);
    expect(r.best.gflops).toBeGreaterThanOrEqual(r.startGflops as number);
    if (r.outcome === 'kept-start') expect(r.steps).toEqual([]);
    else expect(r.steps[0].action).toBe('nearest tile spec');
  });

  it('rolls the shipped policy out, streaming every step with all values and legality', async () => {
    const info = await api.loadPolicy(null);
    expect(info).toMatchObject({ featureSet: 'extended', steps: 10 });
    expect(info.actions).toHaveLength(7);
    const text = presetText('matmul-128');
    const problem = parseProblemText(text);
    const streamed: AgentStepView[] = [];
    const r = await api.tune(text, null, (s) => streamed.push(s));
    expect(r.steps).toHaveLength(10);
    expect(streamed).toEqual(r.steps);
    let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
    r.steps.forEach((s, i) => {
      expect(s.index).toBe(i);
      expect(s.values.map((v) => v.action)).toEqual(info.actions);
      for (const v of s.values) {
        const legal = applyAction(problem, state, v.action);
        expect(v.legal).toBe(legal.ok);
        if (!legal.ok) expect(v.reason).toBe(legal.reason);
        expect(Number.isFinite(v.value)).toBe(true);
      }
      // The shipped PPO policy: probabilities over the legal actions; greedy takes the most likely.
      expect(s.valueKind).toBe('probability');
      const legalValues = s.values.filter((v) => v.legal);
      expect(legalValues.reduce((sum, v) => sum + v.value, 0)).toBeCloseTo(1, 5);
      for (const v of s.values) if (!v.legal) expect(v.value).toBe(0);
      expect(s.values.find((v) => v.action === s.action)?.value).toBe(Math.max(...legalValues.map((v) => v.value)));
      const next = applyAction(problem, state, s.action);
      if (!next.ok) throw new Error(next.reason);
      state = next.state;
      expect(s.scheduleText).toBe(printSchedule(state.schedule));
      expect(s.cursor).toBe(state.cursor);
      expect(s.gflops).toBeGreaterThan(0);
      if (i > 0) expect(s.elapsedMs).toBeGreaterThanOrEqual(r.steps[i - 1].elapsedMs);
    });
    expect(r.startGflops).toBeGreaterThan(0);
    expect(r.tuningMs).toBeGreaterThan(0);
    // The policy finds a schedule faster than the default (a loose bar: timing on a shared machine).
    expect(Math.max(...r.steps.map((s) => s.gflops))).toBeGreaterThan(2 * r.startGflops);
  });

  it('starts from a given schedule and cursor', async () => {
    const text = presetText('matmul-64');
    const problem = parseProblemText(text);
    const r = await api.tune(text, { scheduleText: 'm n k m:4', cursor: 2 }, undefined);
    const first = applyAction(problem, { schedule: parseSchedule(problem, 'm n k m:4'), cursor: 2 }, r.steps[0].action);
    expect(first.ok && printSchedule(first.state.schedule)).toBe(r.steps[0].scheduleText);
  });

  it('refuses bad input with the reason', async () => {
    await expect(api.tune('C[m,n] += A[m', null)).rejects.toThrow(/./);
    await expect(api.tune(presetText('matmul-64'), { scheduleText: 'm n k', cursor: 3 })).rejects.toThrow(
      'the cursor 3 is not on a loop of m n k',
    );
    await expect(api.tune(presetText('matmul-64'), { scheduleText: 'm q k', cursor: 0 })).rejects.toThrow(/q/);
    const files = shippedFiles();
    await expect(api.loadPolicy({ modelJson: files.modelJson, weights: files.weights.slice(0, 100) })).rejects.toThrow(
      /the agent's policy could not be loaded/,
    );
    // The rollouts keep the policy they had.
    expect((await api.tune(presetText('matmul-64'), null)).steps).toHaveLength(10);
  });

  it('a failed shipped fetch says so and the next call tries again', async () => {
    let calls = 0;
    const flaky = createAgentApi({
      fetchShipped: async () => {
        calls++;
        if (calls === 1) throw new Error("could not fetch the agent's model.json (x): 404 Not Found");
        return shippedFiles();
      },
    });
    await expect(flaky.loadPolicy(null)).rejects.toThrow('404 Not Found');
    await expect(flaky.loadPolicy(null)).resolves.toMatchObject({ steps: 10 });
  });
});

describe('stepView', () => {
  const problem = parseProblemText(presetText('matmul-64'));
  const before: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
  const actions = ['up', 'down', 'split_4'] as const;
  const legality = legalActions(problem, before, actions);
  const after = applyAction(problem, before, 'down');
  if (!after.ok) throw new Error(after.reason);
  const step = {
    before,
    outputs: [5, Math.log(3), 0],
    legality,
    action: 'down' as const,
    after: after.state,
    gflops: 2,
  };

  it('shows a DQN policy its Q-values as they are', () => {
    const v = stepView(step, 0, 1, [...actions], 'q-values');
    expect(v.valueKind).toBe('q-value');
    expect(v.values.map((x) => x.value)).toEqual([5, Math.log(3), 0]);
    expect(v.values[0]).toMatchObject({ legal: false, reason: expect.stringMatching(/outermost/) });
  });

  it("shows a PPO policy's logits as probabilities over the legal actions", () => {
    const v = stepView(step, 0, 1, [...actions], 'logits');
    expect(v.valueKind).toBe('probability');
    // up is illegal (the cursor is on the outermost loop): exp(log 3) : exp(0) = 3 : 1 between the others.
    expect(v.values[0].value).toBe(0);
    expect(v.values[1].value).toBeCloseTo(0.75, 10);
    expect(v.values[2].value).toBeCloseTo(0.25, 10);
    expect(v.values.map((x) => x.output)).toEqual([5, Math.log(3), 0]);
  });
});
