import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyAction, legalActions, type Action } from '../core/actions.ts';
import { parseProblemText } from '../core/problem.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState } from '../core/types.ts';
import type {
  AgentSearchResult,
  AgentStart,
  AgentStepView,
  AgentTuneResult,
  SearchStepView,
} from '../workers/agent/protocol.ts';
import type { ModelFiles } from '../agent/policy.ts';
import { measurementKey } from './measureSlice.ts';
import { createLooplabStore } from './createStore.ts';
import type { AgentDriver } from './types.ts';

const ACTIONS: Action[] = ['up', 'down', 'swap_up', 'swap_down', 'split_4', 'split_8', 'split_16'];

/** Steps as the worker reports them: the given actions applied from `start`, legality from the core. */
function stepsFor(problemText: string, start: AgentStart, actions: Action[]): AgentStepView[] {
  const problem = parseProblemText(problemText);
  let state: NestState = { schedule: parseSchedule(problem, start.scheduleText), cursor: start.cursor };
  return actions.map((action, index) => {
    const values = legalActions(problem, state, ACTIONS).map((l, i) => ({
      action: l.action,
      value: l.action === action ? 1 : i / 10,
      output: l.action === action ? 1 : i / 10,
      legal: l.ok,
      ...(l.reason ? { reason: l.reason } : {}),
    }));
    const r = applyAction(problem, state, action);
    if (!r.ok) throw new Error(r.reason);
    state = r.state;
    return {
      index,
      action,
      values,
      valueKind: 'q-value' as const,
      scheduleText: printSchedule(state.schedule),
      cursor: state.cursor,
      gflops: 10 + index,
      elapsedMs: 5 * (index + 1),
    };
  });
}

interface Search {
  problemText: string;
  start: AgentStart | null;
  /** Answers with a path through these schedules (text the problem parses), the last the fastest. */
  finish(schedules: string[], outcome?: AgentSearchResult['outcome']): AgentSearchResult;
}

interface Tune {
  problemText: string;
  start: AgentStart | null;
  onStep?: (s: AgentStepView) => void;
  finish(actions: Action[]): AgentStepView[];
  fail(error: unknown): void;
}

/** An agent whose rollouts wait until the test finishes them with chosen actions. */
function fakeAgent() {
  const tunes: Tune[] = [];
  const searches: Search[] = [];
  let costModelLoads = 0;
  const loads: { files: ModelFiles | null; resolve(): void; reject(e: unknown): void }[] = [];
  const agent: AgentDriver = {
    loadPolicy(files) {
      return new Promise((resolve, reject) =>
        loads.push({ files, resolve: () => resolve({ featureSet: 'extended', actions: ACTIONS, steps: 10 }), reject }),
      );
    },
    tune(problemText, start, onStep) {
      return new Promise<AgentTuneResult>((resolve, reject) => {
        tunes.push({
          problemText,
          start,
          onStep,
          finish(actions) {
            const steps = stepsFor(problemText, start!, actions);
            for (const s of steps) onStep?.(s);
            resolve({ startGflops: 2, steps, tuningMs: 123, setupMs: 0 });
            return steps;
          },
          fail: reject,
        });
      });
    },
    loadCostModel() {
      costModelLoads++;
      return Promise.resolve();
    },
    search(problemText, start) {
      return new Promise<AgentSearchResult>((resolve) => {
        searches.push({
          problemText,
          start,
          finish(schedules, outcome = 'improved') {
            const problem = parseProblemText(problemText);
            const steps: SearchStepView[] = schedules.map((text, i) => ({
              index: i + 1,
              action: `tile_n_${4 * (i + 1)}`,
              scheduleText: printSchedule(parseSchedule(problem, text)),
              predicted: 0.5 + i / 10,
              predictedGflops: 10 + i,
              ...(i === schedules.length - 1 ? { measured: 30 } : {}),
              candidates: [],
            }));
            const r: AgentSearchResult = {
              startScheduleText: start!.scheduleText,
              startGflops: outcome === 'kept-start' ? 40 : start?.gflops,
              from: 'untiled',
              outcome,
              steps: outcome === 'kept-start' ? [] : steps,
              best:
                outcome === 'kept-start'
                  ? { scheduleText: start!.scheduleText, gflops: 40 }
                  : { scheduleText: steps.at(-1)!.scheduleText, gflops: 30 },
              measured: [{ scheduleText: steps.at(-1)?.scheduleText ?? '', gflops: 30, predictedGflops: 12 }],
              scaleGflops: 30,
              scored: 50,
              tuningMs: 321,
              setupMs: 0,
            };
            resolve(r);
            return r;
          },
        });
      });
    },
  };
  return { agent, tunes, loads, searches, costModelLoads: () => costModelLoads };
}

const flush = () => new Promise<void>((r) => queueMicrotask(r)).then(() => Promise.resolve());
const ROLLOUT: Action[] = ['down', 'swap_down', 'split_4', 'up'];

async function drive(f = fakeAgent()) {
  const s = createLooplabStore({
    agent: f.agent,
    initial: { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64' },
  });
  s.getState().driveAgent('looptune');
  const tune = f.tunes[0];
  const steps = tune.finish(ROLLOUT);
  await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
  return { s, f, tune, steps };
}

describe('agent slice', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('is unavailable without an agent, and says so', () => {
    const s = createLooplabStore();
    expect(s.getState().agentPolicy).toMatchObject({
      status: 'error',
      error: 'the agent is not available in this page',
    });
    s.getState().driveAgent('looptune');
    expect(s.getState().agentRun).toBeNull();
    expect(s.getState().notices.map((n) => n.text)).toContain('the agent is not available in this page');
  });

  it('loads the shipped policy on request, then a given one; only the newest answer counts', async () => {
    const f = fakeAgent();
    const s = createLooplabStore({ agent: f.agent });
    expect(s.getState().agentPolicy).toEqual({ status: 'loading', label: 'shipped policy' });
    expect(f.loads).toHaveLength(0); // nothing loads before it is wanted
    // The agent (the default) prepares its cost model once.
    s.getState().prepareAgent();
    s.getState().prepareAgent();
    expect(f.costModelLoads()).toBe(1);
    expect(f.loads).toHaveLength(0);
    s.getState().setAgentMethod('looptune');
    s.getState().prepareAgent();
    s.getState().prepareAgent();
    expect(f.loads).toHaveLength(1);
    expect(f.loads[0].files).toBeNull();
    const files = { modelJson: {} as ModelFiles['modelJson'], weights: new ArrayBuffer(4) };
    s.getState().setAgentPolicy(files, 'fine-tuned on matmul 64');
    expect(s.getState().agentPolicyFiles).toBe(files);
    f.loads[0].resolve(); // stale: the fine-tuned one was asked for since
    await flush();
    expect(s.getState().agentPolicy.status).toBe('loading');
    f.loads[1].reject(new Error('the model takes 200 inputs, but extended features have 301'));
    await flush();
    expect(s.getState().agentPolicy).toEqual({
      status: 'error',
      label: 'fine-tuned on matmul 64',
      error: 'the model takes 200 inputs, but extended features have 301',
    });
    expect(s.getState().notices.at(-1)?.text).toBe('the model takes 200 inputs, but extended features have 301');
    s.getState().setAgentPolicy(null, 'shipped policy');
    f.loads[2].resolve();
    await flush();
    expect(s.getState().agentPolicy).toEqual({ status: 'ready', label: 'shipped policy' });
    expect(s.getState().agentPolicyFiles).toBeNull();
  });

  it('drives from the current schedule: steps stream in, then enter the history as the agent', async () => {
    const f = fakeAgent();
    const s = createLooplabStore({
      agent: f.agent,
      initial: { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64' },
    });
    s.getState().act('split_4');
    s.getState().act('down');
    s.getState().driveAgent('looptune');
    s.getState().driveAgent('looptune'); // ignored while running
    expect(f.tunes).toHaveLength(1);
    expect(f.loads).toHaveLength(1); // the policy was asked for first
    const tune = f.tunes[0];
    expect(tune.problemText).toBe(s.getState().problemKey);
    expect(tune.start).toEqual({ scheduleText: 'm:16 m:4 n:64 k:64', cursor: 1 });
    expect(s.getState().agentRun).toMatchObject({ status: 'running', startPosition: 2, steps: [] });
    const steps = stepsFor(tune.problemText, tune.start!, ['swap_down', 'up']);
    tune.onStep?.(steps[0]);
    expect(s.getState().agentRun?.steps).toEqual([steps[0]]);
    expect(s.getState().position).toBe(2); // the history waits for the whole rollout
    tune.finish(['swap_down', 'up']);
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
    const st = s.getState();
    expect(st.agentRun).toMatchObject({ startPosition: 2, tuningMs: 123, startGflops: 2 });
    expect(st.agentRun?.steps).toEqual(steps);
    expect(st.log).toEqual([
      { action: 'split_4', by: 'person' },
      { action: 'down', by: 'person' },
      { action: 'swap_down', by: 'agent' },
      { action: 'up', by: 'agent' },
    ]);
    // Rewound to the rollout's start and playing.
    expect(st.position).toBe(2);
    expect(st.player).toMatchObject({ index: 0, playing: true });
    vi.advanceTimersByTime(500);
    expect(s.getState().position).toBe(3);
    expect(printSchedule(s.getState().current.schedule)).toBe(steps[0].scheduleText);
    vi.advanceTimersByTime(500);
    expect(s.getState().player).toMatchObject({ index: 2, playing: false });
    expect(printSchedule(s.getState().current.schedule)).toBe(steps[1].scheduleText);
    expect(s.getState().current.cursor).toBe(steps[1].cursor);
  });

  it("hands the rollout the performance panel's checked figure of the start schedule", () => {
    const f = fakeAgent();
    const s = createLooplabStore({
      agent: f.agent,
      initial: { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64' },
    });
    const key = measurementKey(s.getState().problemKey, 'm:64 n:64 k:64');
    s.setState({ measurements: { [key]: { key, status: 'done', gflops: 7.5, correct: true } } });
    s.getState().driveAgent('looptune');
    expect(f.tunes[0].start).toEqual({ scheduleText: 'm:64 n:64 k:64', cursor: 0, gflops: 7.5 });
    // An incorrect kernel's figure is not handed on.
    s.setState({ agentRun: null, measurements: { [key]: { key, status: 'done', gflops: 7.5, correct: false } } });
    s.getState().driveAgent('looptune');
    expect(f.tunes[1].start?.gflops).toBeUndefined();
  });

  it('the player steps, seeks, plays at a speed and follows undo', async () => {
    const { s, steps } = await drive();
    s.getState().playerPause();
    expect(s.getState().player.playing).toBe(false);
    vi.advanceTimersByTime(5000);
    expect(s.getState().position).toBe(0);
    s.getState().playerStep(1);
    s.getState().playerStep(1);
    expect(s.getState().player.index).toBe(2);
    expect(printSchedule(s.getState().current.schedule)).toBe(steps[1].scheduleText);
    s.getState().playerStep(-1);
    expect(s.getState().position).toBe(1);
    s.getState().playerSeek(99);
    expect(s.getState().player.index).toBe(4);
    expect(s.getState().position).toBe(4);
    s.getState().playerSeek(-3);
    expect(s.getState().position).toBe(0);
    s.getState().playerSeek(NaN);
    expect(s.getState().position).toBe(0);
    // Undo/redo move the player too.
    s.getState().redo();
    expect(s.getState().position).toBeGreaterThan(0);
    expect(s.getState().player.index).toBe(s.getState().position);
    // Play at 8 steps/s from the end restarts from the start.
    s.getState().playerSeek(4);
    s.getState().setPlayerSpeed(8);
    s.getState().playerPlay();
    expect(s.getState().player.index).toBe(0);
    vi.advanceTimersByTime(125);
    expect(s.getState().player.index).toBe(1);
    s.getState().setPlayerSpeed(1);
    vi.advanceTimersByTime(999);
    expect(s.getState().player.index).toBe(1);
    vi.advanceTimersByTime(1);
    expect(s.getState().player.index).toBe(2);
    s.getState().setPlayerSpeed(-1); // ignored
    s.getState().setPlayerSpeed(Infinity);
    expect(s.getState().player.speed).toBe(1);
    s.getState().playerStep(1); // stepping pauses
    expect(s.getState().player).toMatchObject({ index: 3, playing: false });
    vi.advanceTimersByTime(5000);
    expect(s.getState().player.index).toBe(3);
  });

  it('drops the run once the history no longer holds it', async () => {
    const { s } = await drive();
    s.getState().playerPause();
    s.getState().playerSeek(2);
    s.getState().act('up'); // a person's action over the rollout's tail
    expect(s.getState().agentRun).toBeNull();
    expect(s.getState().player).toMatchObject({ index: 0, playing: false });
    s.getState().playerStep(1); // nothing to play
    expect(s.getState().position).toBe(3);

    const again = await drive();
    again.s.getState().loadPreset('matmul-128');
    expect(again.s.getState().agentRun).toBeNull();
  });

  it('sets a rollout aside when the schedule changed while it ran, and reports failures', async () => {
    const f = fakeAgent();
    const s = createLooplabStore({ agent: f.agent });
    s.getState().driveAgent('looptune');
    s.getState().act('split_4');
    f.tunes[0].finish(ROLLOUT);
    await vi.waitFor(() => expect(s.getState().agentRun).toBeNull());
    expect(s.getState().log).toEqual([{ action: 'split_4', by: 'person' }]);
    expect(s.getState().notices.at(-1)?.text).toMatch(/set aside/);

    s.getState().driveAgent('looptune');
    f.tunes[1].fail(new Error('the agent ran longer than 60 s; its worker was stopped'));
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('error'));
    expect(s.getState().agentRun?.error).toBe('the agent ran longer than 60 s; its worker was stopped');
    expect(s.getState().notices.at(-1)?.text).toBe(
      'the agent could not tune this problem: the agent ran longer than 60 s; its worker was stopped',
    );
    s.getState().playerPlay(); // nothing to play
    expect(s.getState().player.playing).toBe(false);
  });

  it("drives with the cost-model search by default: each step of its path enters the history as the agent's schedule", async () => {
    const f = fakeAgent();
    const s = createLooplabStore({
      agent: f.agent,
      initial: { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64' },
    });
    expect(s.getState().agentMethod).toBe('agent');
    s.getState().driveAgent();
    expect(f.tunes).toHaveLength(0);
    expect(f.searches).toHaveLength(1);
    expect(f.loads).toHaveLength(0); // LoopTune's policy is not needed
    expect(f.searches[0].start).toEqual({ scheduleText: 'm:64 n:64 k:64', cursor: 0 });
    const r = f.searches[0].finish(['m n:8 k n:8', 'm:16 n:8 k m:4 n:8', 'k m n k:32 m:4 n:8']);
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
    const run = s.getState().agentRun!;
    expect(run).toMatchObject({ method: 'agent', startPosition: 0, bestIndex: 3, tuningMs: 321 });
    expect(run.search).toBe(r);
    expect(run.positions[0]).toBe(0);
    expect(run.positions).toHaveLength(4);
    // Every entry is the agent's; each step's schedule is where its position is.
    expect(s.getState().log.length).toBe(run.positions[3]);
    expect(s.getState().log.every((e) => e.by === 'agent')).toBe(true);
    for (let i = 1; i <= 3; i++) {
      expect(printSchedule(s.getState().states[run.positions[i]].schedule)).toBe(r.steps[i - 1].scheduleText);
    }
    // Rewound and playing; the player follows the steps, not the entries.
    expect(s.getState().player).toMatchObject({ index: 0, playing: true });
    vi.advanceTimersByTime(500);
    expect(s.getState().position).toBe(run.positions[1]);
    s.getState().playerStep(1);
    expect(s.getState().player).toMatchObject({ index: 2, playing: false });
    // Undo inside a step's entries shows the step before it.
    s.getState().jumpTo(run.positions[3] - 1);
    expect(s.getState().player.index).toBe(2);
    s.getState().playerBest();
    expect(s.getState().position).toBe(run.positions[3]);
    expect(s.getState().player.index).toBe(3);
  });

  it('taking over keeps the problems before the rollout (undo still reaches them)', async () => {
    const f = fakeAgent();
    const s = createLooplabStore({ agent: f.agent });
    s.getState().act('split_4');
    s.getState().setProblemText('C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64');
    s.getState().driveAgent('looptune');
    f.tunes[0].finish(ROLLOUT);
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
    s.getState().takeOver(2);
    s.getState().jumpTo(0);
    s.getState().undo();
    expect(s.getState().presetId).toBe('matmul-256');
    expect(s.getState().log).toEqual([{ action: 'split_4', by: 'person' }]);
  });

  it("undoes the search's steps one schedule at a time (each step is one step of the history)", async () => {
    const f = fakeAgent();
    const s = createLooplabStore({
      agent: f.agent,
      initial: { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64' },
    });
    s.getState().driveAgent();
    const r = f.searches[0].finish(['m n:8 k n:8', 'm:16 n:8 k m:4 n:8', 'k m n k:32 m:4 n:8']);
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
    s.getState().playerBest();
    expect(s.getState().log.length).toBeGreaterThan(3);
    for (const i of [1, 0]) {
      s.getState().undo();
      expect(printSchedule(s.getState().current.schedule)).toBe(r.steps[i].scheduleText);
      expect(s.getState().player.index).toBe(i + 1);
    }
    s.getState().undo();
    expect(printSchedule(s.getState().current.schedule)).toBe('m:64 n:64 k:64');
    s.getState().redo();
    expect(printSchedule(s.getState().current.schedule)).toBe(r.steps[0].scheduleText);
    // The player still seeks every step.
    s.getState().playerSeek(2);
    expect(printSchedule(s.getState().current.schedule)).toBe(r.steps[1].scheduleText);
  });

  it('plays to the end, then ends on the best step', async () => {
    const f = fakeAgent();
    const s = createLooplabStore({
      agent: f.agent,
      initial: { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64' },
    });
    s.getState().driveAgent('looptune');
    const steps = f.tunes[0].finish(ROLLOUT); // GFLOPS 10, 11, 12, 13
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
    expect(s.getState().agentRun?.bestIndex).toBe(4);
    // A run whose best is in the middle.
    s.setState({ agentRun: { ...s.getState().agentRun!, bestIndex: 2 } });
    s.getState().playerSeek(0);
    s.getState().playerPlay();
    vi.advanceTimersByTime(4 * 500);
    expect(s.getState().player).toMatchObject({ index: 4, playing: true });
    vi.advanceTimersByTime(500);
    expect(s.getState().player).toMatchObject({ index: 2, playing: false });
    expect(printSchedule(s.getState().current.schedule)).toBe(steps[1].scheduleText);
  });

  it("takes over at a step: the history is cut there, the agent's entries stay, the person goes on", async () => {
    const { s, steps } = await drive();
    s.getState().playerPause();
    s.getState().takeOver(2);
    const st = s.getState();
    expect(st.log).toEqual([
      { action: 'down', by: 'agent' },
      { action: 'swap_down', by: 'agent' },
    ]);
    expect(st.position).toBe(2);
    expect(printSchedule(st.current.schedule)).toBe(steps[1].scheduleText);
    expect(st.agentRun).toMatchObject({ takenOverAt: 2, positions: [0, 1, 2] });
    expect(st.agentRun?.steps).toHaveLength(2);
    expect(st.notices.at(-1)?.text).toBe('you took over at step 2: the history was cut there; go on by hand');
    expect(s.getState().act('split_8')).toBe(true);
    expect(s.getState().log.at(-1)).toEqual({ action: 'split_8', by: 'person' });
    // The rollout's part stays on show while the person goes on; undo returns into it.
    expect(s.getState().agentRun?.takenOverAt).toBe(2);
    s.getState().undo();
    expect(s.getState().position).toBe(2);
  });

  it("continues from a person's schedule; when nothing beats it, the history stays and the notice says so", async () => {
    const f = fakeAgent();
    const s = createLooplabStore({
      agent: f.agent,
      initial: { problemText: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64' },
    });
    s.getState().act('split_4', 'person');
    s.getState().driveAgent();
    expect(f.searches[0].start).toEqual({ scheduleText: 'm:16 m:4 n:64 k:64', cursor: 0 });
    f.searches[0].finish(['m n k n:8'], 'kept-start');
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
    expect(s.getState().log).toEqual([{ action: 'split_4', by: 'person' }]);
    expect(s.getState().position).toBe(1);
    expect(s.getState().agentRun).toMatchObject({ positions: [1], entries: [], bestIndex: 0 });
    expect(s.getState().notices.at(-1)?.text).toBe(
      'none of the 1 schedule the agent measured beat yours (40.0 GFLOPS in its timing): your schedule stays',
    );
  });
});
