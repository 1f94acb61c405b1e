import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FineTuneEvent, LabFineTuneResult, RaceEvent, RaceResult } from '../workers/lab/protocol.ts';
import type { ModelFiles } from '../agent/policy.ts';
import { applyAction, type Action } from '../core/actions.ts';
import { parseProblemText } from '../core/problem.ts';
import { defaultSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState } from '../core/types.ts';
import { fineTunedLabel } from './agentLabSlice.ts';
import type { LabService } from './agentLabTypes.ts';
import { parseLearningCurve } from './learningCurve.ts';
import { createLooplabStore } from './createStore.ts';
import { memoryPolicies } from './savedPolicies.ts';

interface Pending<E, R> {
  problemText: string;
  options: unknown;
  emit(e: E): void;
  resolve(r: R): void;
  reject(e: unknown): void;
}

/** A lab whose runs wait for the test to emit their events and finish them. */
function fakeLab(curve = 'episode,wall_s,train_return,val_speedup,val_final_speedup\n10,120,0.1,3.5,3\n') {
  const races: Pending<RaceEvent, RaceResult>[] = [];
  const tunes: Pending<FineTuneEvent, LabFineTuneResult>[] = [];
  let cancels = 0;
  const lab: LabService = {
    race: (problemText, options, onEvent) =>
      new Promise((resolve, reject) =>
        races.push({ problemText, options, emit: (e) => onEvent?.(e), resolve, reject }),
      ),
    fineTune: (problemText, options, onEvent) =>
      new Promise((resolve, reject) =>
        tunes.push({ problemText, options, emit: (e) => onEvent?.(e), resolve, reject }),
      ),
    cancel: () => void cancels++,
    learningCurve: async () => curve,
  };
  return { lab, races, tunes, cancels: () => cancels };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** The schedule text after `actions` from the default of the store's problem. */
function scheduleAfter(problemText: string, actions: Action[]): string {
  const p = parseProblemText(problemText);
  let s: NestState = { schedule: defaultSchedule(p), cursor: 0 };
  for (const a of actions) {
    const r = applyAction(p, s, a);
    if (!r.ok) throw new Error(r.reason);
    s = r.state;
  }
  return printSchedule(s.schedule);
}

describe('the race', () => {
  it('streams each method into its line, and applies a best schedule to the history', async () => {
    const f = fakeLab();
    const store = createLooplabStore({ lab: f.lab });
    const s = () => store.getState();
    s().startRace(5000, ['agent', 'greedy1']);
    expect(f.races).toHaveLength(1);
    const race = f.races[0];
    expect(race.problemText).toBe(s().problemKey);
    expect(race.options).toMatchObject({ methods: ['agent', 'greedy1'], budgetMs: 5000, policy: null });
    expect(s().labRace?.methods.map((m) => m.status)).toEqual(['waiting', 'waiting']);

    const actions: Action[] = ['down', 'down', 'swap_up'];
    const best = scheduleAfter(s().problemKey, actions);
    race.emit({ kind: 'default', gflops: 1.5 });
    race.emit({ kind: 'start', method: 'agent' });
    // The default measured again, faster: the race's default is the best of its measurements.
    const defaultText = printSchedule(defaultSchedule(parseProblemText(s().problemKey)));
    race.emit({
      kind: 'improve',
      method: 'agent',
      point: { gflops: 2, elapsedMs: 20, schedule: defaultText, actions: [] },
    });
    race.emit({ kind: 'improve', method: 'agent', point: { gflops: 8, elapsedMs: 150, schedule: best, actions } });
    race.emit({
      kind: 'done',
      run: {
        method: 'agent',
        trace: s().labRace!.methods[0].trace,
        totalMs: 300,
        evaluations: 11,
        budgetSpent: false,
        cancelled: false,
      },
    });
    race.emit({ kind: 'start', method: 'greedy1' });
    race.emit({ kind: 'tick', method: 'greedy1', elapsedMs: 400 });
    // A whole tile schedule (the agent's or the expert's first point) is not the default.
    race.emit({
      kind: 'improve',
      method: 'greedy1',
      point: { gflops: 50, elapsedMs: 410, schedule: 'm n k m:4 n:8', actions: [] },
    });
    let r = s().labRace!;
    expect(r.defaultGflops).toBe(2);
    expect(r.methods[0]).toMatchObject({ status: 'done', elapsedMs: 300, evaluations: 11 });
    expect(r.methods[0].trace.map((p) => p.gflops)).toEqual([2, 8]);
    expect(r.methods[1]).toMatchObject({ status: 'running', elapsedMs: 410 });
    expect(r.status).toBe('running');

    race.resolve({ defaultGflops: 2, runs: [], cancelled: false });
    await tick();
    r = s().labRace!;
    expect(r.status).toBe('done');

    s().applyRaceBest('agent');
    // The shortest way there from the current schedule, credited to the agent.
    expect(s().log.length).toBeGreaterThan(0);
    expect(s().log.length).toBeLessThanOrEqual(actions.length);
    expect(s().log.every((e) => e.by === 'agent')).toBe(true);
    expect(s().position).toBe(s().log.length);
    expect(printSchedule(s().current.schedule)).toBe(best);
  });

  it("applying a method's best keeps the person's history (undo returns) and credits the method (issue 13)", async () => {
    const f = fakeLab();
    const store = createLooplabStore({ lab: f.lab });
    const s = () => store.getState();
    // The person's own work first.
    s().act('down', 'person');
    s().act('split_8', 'person');
    const mine = printSchedule(s().current.schedule);
    const before = s().log;
    s().startRace(5000, ['greedy2']);
    const actions: Action[] = ['down', 'split_4', 'swap_up'];
    const best = scheduleAfter(s().problemKey, actions);
    f.races[0].emit({
      kind: 'improve',
      method: 'greedy2',
      point: { gflops: 9, elapsedMs: 5, schedule: best, actions },
    });
    f.races[0].resolve({ defaultGflops: 2, runs: [], cancelled: false });
    await tick();
    s().applyRaceBest('greedy2');
    expect(printSchedule(s().current.schedule)).toBe(best);
    // Appended after the person's entries, credited to greedy2 (not to the agent).
    expect(s().log.slice(0, before.length)).toEqual(before);
    const added = s().log.slice(before.length);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((e) => e.by === 'greedy2')).toBe(true);
    // One undo gets back to the person's schedule (the result is one step), their entries kept.
    s().undo();
    expect(printSchedule(s().current.schedule)).toBe(mine);
    expect(s().position).toBe(before.length);
    expect(s().log.slice(0, before.length)).toEqual(before);
    s().redo();
    expect(printSchedule(s().current.schedule)).toBe(best);
  });

  it('cancels through the lab, marks the methods it never reached, and runs one thing at a time', async () => {
    const f = fakeLab();
    const store = createLooplabStore({ lab: f.lab });
    const s = () => store.getState();
    s().startRace(10_000, ['agent', 'random']);
    s().startRace(10_000);
    s().startFineTune(30);
    expect(f.races).toHaveLength(1);
    expect(f.tunes).toHaveLength(0);
    expect(s().notices.map((n) => n.text)).toContain('the agent lab is busy: cancel the run first');
    s().cancelLab();
    expect(f.cancels()).toBe(1);
    f.races[0].resolve({ defaultGflops: 2, runs: [], cancelled: true });
    await tick();
    expect(s().labRace?.status).toBe('cancelled');
    expect(s().labRace?.methods.map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    s().startRace(5000);
    expect(f.races).toHaveLength(2);
  });

  it('reports a failed race and refuses to apply a race of another problem', async () => {
    const f = fakeLab();
    const store = createLooplabStore({ lab: f.lab });
    const s = () => store.getState();
    s().startRace(5000, ['greedy1']);
    f.races[0].emit({
      kind: 'improve',
      method: 'greedy1',
      point: { gflops: 3, elapsedMs: 5, schedule: 'x', actions: ['down'] },
    });
    f.races[0].reject(new Error('the worker failed'));
    await tick();
    expect(s().labRace).toMatchObject({ status: 'error', error: 'the worker failed' });
    expect(s().notices.at(-1)?.text).toBe('the race stopped: the worker failed');
    s().loadPreset('matmul-64');
    const log = s().log;
    s().applyRaceBest('greedy1');
    expect(s().log).toBe(log);
    expect(s().notices.at(-1)?.text).toMatch(/another problem/);
  });

  it('says so when there is no lab', () => {
    const store = createLooplabStore();
    store.getState().startRace(5000);
    expect(store.getState().labRace).toBeNull();
    expect(store.getState().notices.at(-1)?.text).toMatch(/not available/);
  });
});

describe('fine-tuning', () => {
  const files: ModelFiles = {
    modelJson: { modelTopology: {}, weightsManifest: [] } as unknown as ModelFiles['modelJson'],
    weights: new ArrayBuffer(8),
  };
  const result = (cancelled: boolean): LabFineTuneResult => ({
    files,
    before: { gflops: 5, defaultGflops: 2, actions: ['down'] },
    after: { gflops: 7, defaultGflops: 2, actions: ['down', 'swap_up'] },
    episodes: 3,
    updates: 20,
    wallSec: 30.5,
    loss: 0.01,
    cancelled,
    improved: true,
    peakGflops: 50,
  });

  it('grows the reward curve episode by episode; keep hands the files to the agent under a new label', async () => {
    const f = fakeLab();
    const store = createLooplabStore({ lab: f.lab });
    const s = () => store.getState();
    const startLabel = s().agentPolicy.label;
    s().startFineTune(30);
    expect(f.tunes[0].options).toMatchObject({ budgetSec: 30, policy: null });
    expect(s().labFineTune).toMatchObject({ status: 'running', phase: 'before', returns: [], fromLabel: startLabel });
    f.tunes[0].emit({ kind: 'phase', phase: 'before' });
    f.tunes[0].emit({ kind: 'episode', episode: 1, ret: 0.1, epsilon: 0.3, wallSec: 1.5 });
    f.tunes[0].emit({ kind: 'episode', episode: 2, ret: 0.25, epsilon: 0.29, wallSec: 2.5 });
    expect(s().labFineTune).toMatchObject({ phase: 'training', returns: [0.1, 0.25], elapsedSec: 2.5 });
    s().keepFineTune(); // not finished yet: nothing to keep
    expect(s().agentPolicyFiles).toBeNull();
    f.tunes[0].resolve(result(false));
    await tick();
    expect(s().labFineTune).toMatchObject({ status: 'done', phase: 'finished', elapsedSec: 30.5 });
    expect(s().labFineTune?.result?.after.gflops).toBe(7);
    s().keepFineTune();
    expect(s().agentPolicyFiles).toBe(files);
    expect(s().agentPolicy.label).toBe(fineTunedLabel(s().problemKey, s().presetId));
    expect(s().agentPolicy.label).toBe('fine-tuned on matmul-256');
    expect(s().labFineTune?.status).toBe('kept');
    // The next run starts from the kept policy.
    s().startFineTune(15);
    expect(f.tunes[1].options).toMatchObject({ budgetSec: 15, policy: files });
  });

  it('discard leaves the policy as it was; a cancelled run cannot be kept', async () => {
    const f = fakeLab();
    const store = createLooplabStore({ lab: f.lab });
    const s = () => store.getState();
    const label = s().agentPolicy.label;
    s().startFineTune(30);
    f.tunes[0].resolve(result(false));
    await tick();
    s().discardFineTune();
    expect(s().labFineTune?.status).toBe('discarded');
    s().keepFineTune();
    expect(s().agentPolicyFiles).toBeNull();
    expect(s().agentPolicy.label).toBe(label);

    s().startFineTune(30);
    s().cancelLab();
    expect(f.cancels()).toBe(1);
    f.tunes[1].resolve(result(true));
    await tick();
    expect(s().labFineTune?.status).toBe('cancelled');
    s().keepFineTune();
    expect(s().agentPolicyFiles).toBeNull();
  });
});

describe('the learning curve', () => {
  it('reads the shipped CSV', async () => {
    const text = readFileSync(new URL('../../public/agent/learning-curve.csv', import.meta.url), 'utf8');
    const rows = parseLearningCurve(text);
    expect(rows.length).toBe(text.trim().split('\n').length - 1);
    for (const r of rows) {
      expect(r.wall_s).toBeGreaterThan(0);
      expect(r.val_speedup).toBeGreaterThan(0);
    }
    const f = fakeLab(text);
    const store = createLooplabStore({ lab: f.lab });
    store.getState().loadLearningCurve();
    expect(store.getState().labCurve?.status).toBe('loading');
    await tick();
    await tick();
    expect(store.getState().labCurve).toEqual({ status: 'ready', rows });
  });

  it('says what is wrong with a bad file', async () => {
    expect(() => parseLearningCurve('a,b\n1,2')).toThrow(/no column wall_s, val_speedup/);
    expect(() => parseLearningCurve('episode,wall_s,train_return,val_speedup,val_final_speedup\n1,2,3')).toThrow(
      /row 2 has 3 cells, not 5/,
    );
    const store = createLooplabStore({ lab: fakeLab('oops').lab });
    store.getState().loadLearningCurve();
    await tick();
    await tick();
    expect(store.getState().labCurve).toMatchObject({ status: 'error', error: expect.stringMatching(/no column/) });
  });
});

describe('saved policies', () => {
  /** A policy file pair that passes checkModelFiles: one float32 weight of 2 values (8 bytes). */
  const files: ModelFiles = {
    modelJson: {
      modelTopology: {},
      weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }],
      userDefinedMetadata: { looplab: { actions: ['up'], featureSet: 'extended' } },
    } as unknown as ModelFiles['modelJson'],
    weights: new Float32Array([1, 2]).buffer,
  };

  it("saves the agent's policy under its label, uses it again and deletes it", async () => {
    const policies = memoryPolicies();
    const store = createLooplabStore({ lab: { ...fakeLab().lab, policies } });
    const s = () => store.getState();
    await s().saveAgentPolicy(); // the shipped policy: nothing to save
    expect(policies.records.size).toBe(0);
    s().setAgentPolicy(files, 'fine-tuned on matmul-64');
    await s().saveAgentPolicy();
    expect(s().savedPolicies.map((p) => p.label)).toEqual(['fine-tuned on matmul-64']);
    expect(s().savedPolicies[0].damaged).toBeUndefined();
    s().setAgentPolicy(null, 'shipped policy');
    await s().useSavedPolicy(s().savedPolicies[0].id);
    expect(s().agentPolicy.label).toBe('fine-tuned on matmul-64');
    expect(new Float32Array(s().agentPolicyFiles!.weights)).toEqual(new Float32Array([1, 2]));
    await s().deleteSavedPolicy(s().savedPolicies[0].id);
    expect(s().savedPolicies).toEqual([]);
  });

  it('lists a damaged record and says what is wrong when it is used', async () => {
    const policies = memoryPolicies();
    policies.records.set('x', {
      id: 'x',
      label: 'broken',
      savedAt: 5,
      modelJson: files.modelJson,
      weights: new ArrayBuffer(3),
    });
    const store = createLooplabStore({ lab: { ...fakeLab().lab, policies } });
    const s = () => store.getState();
    await s().refreshSavedPolicies();
    expect(s().savedPolicies[0]).toMatchObject({
      id: 'x',
      label: 'broken',
      damaged: expect.stringMatching(/weights.bin has 3 bytes but model.json describes 8/),
    });
    const label = s().agentPolicy.label;
    await s().useSavedPolicy('x');
    expect(s().agentPolicy.label).toBe(label);
    expect(s().notices.at(-1)?.text).toMatch(/weights.bin has 3 bytes/);
    await s().useSavedPolicy('gone');
    expect(s().notices.at(-1)?.text).toMatch(/gone/);
  });
});
