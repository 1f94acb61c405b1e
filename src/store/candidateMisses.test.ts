// The agent's candidates and their simulated misses: asked of the cache worker only after the
// rollout is measured and the current figure is in, for the measured candidates (fastest first)
// and the chosen one with its state's schedule, one at a time; the figures reach the table; a
// rollout the page moved away from asks for nothing more.
import { describe, expect, it, vi } from 'vitest';
import type { CacheFigures } from '../core/cache/figures.ts';
import type { AgentSearchResult, SearchCandidateView } from '../workers/agent/protocol.ts';
import { chosenMissesSentence, candidateMissesWanted, simulatedMisses } from './candidateMisses.ts';
import { createLooplabStore } from './createStore.ts';
import { memoryEntryOf } from './memorySlice.ts';
import { PANEL_IDS, type PanelId } from './panels.ts';
import type { LooplabStore } from './storeApi.ts';
import type { AgentDriver, Measurer } from './types.ts';

const PROBLEM = 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64';
const START = 'm:64 n:64 k:64';
const STEP1 = 'm n:8 k n:8';
const STEP2 = 'm:16 n:8 k m:4 n:8';
const FAST = 'k m n k:32 m:4 n:8';
const SLOW = 'm n k:16';
const UNMEASURED = 'n m k';

/** Figures with one tensor per level: B's misses at L1d and L2. */
function figures(l1: number, l2: number, sampled = false): CacheFigures {
  const level = (name: string, misses: number) => ({
    name,
    tensors: [{ tensor: 'B', misses, missesPer1000Fma: misses / 262.144 }],
    total: { misses, missesPer1000Fma: misses / 262.144 },
  });
  return {
    machine: { id: 'zen4', name: 'Zen 4' },
    method: sampled ? 'sampled' : 'exact',
    levels: [level('L1d', l1), level('L2', l2)],
  } as unknown as CacheFigures;
}

function candidate(
  action: string,
  scheduleText: string,
  extra: Partial<SearchCandidateView> = {},
): SearchCandidateView {
  return { action, scheduleText, predicted: 0.5, predictedGflops: 10, chosen: false, ...extra };
}

const RESULT: AgentSearchResult = {
  startScheduleText: START,
  from: 'untiled',
  outcome: 'improved',
  steps: [
    { index: 1, action: 'tile_n_8', scheduleText: STEP1, candidates: [] },
    {
      index: 2,
      action: 'tile_m_4',
      scheduleText: STEP2,
      measured: 25,
      candidates: [
        candidate('rtile_16', SLOW, { measured: 20 }),
        candidate('tile_m_4', STEP2, { chosen: true }),
        candidate('rtile_32', FAST, { measured: 30 }),
        candidate('swap', UNMEASURED),
      ],
    },
  ],
  best: { scheduleText: STEP2, gflops: 25 },
  measured: [],
  scaleGflops: 30,
  scored: 4,
  tuningMs: 100,
  setupMs: 0,
};

function setup() {
  const calls: string[] = [];
  const sims: Array<(f: CacheFigures) => void> = [];
  const measurements: Array<() => void> = [];
  const figure = { gflops: 1, gflopsMedian: 1, correct: true, maxError: 0, kernelBytes: new Uint8Array(8) };
  const measurer: Measurer = {
    measure: () => new Promise((resolve) => measurements.push(() => resolve(figure))),
    peak: () => Promise.resolve(10),
    simulateCache(_problem, schedule) {
      calls.push(schedule);
      return new Promise<CacheFigures>((resolve) => sims.push(resolve));
    },
  };
  let finish: (r: AgentSearchResult) => void = () => {};
  const agent = {
    loadCostModel: () => Promise.resolve(),
    search: () => new Promise<AgentSearchResult>((resolve) => (finish = resolve)),
  } as unknown as AgentDriver;
  const s = createLooplabStore({ measurer, agent, initial: { problemText: PROBLEM } });
  return { s, calls, sims, measurements, finish: (r: AgentSearchResult) => finish(r) };
}

/** Lets the measure queue and the slices' promises run. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

function showOnly(s: LooplabStore, ...ids: PanelId[]) {
  s.setState({ panels: Object.fromEntries(PANEL_IDS.map((id) => [id, ids.includes(id)])) as Record<PanelId, boolean> });
}

async function measureAll(measurements: Array<() => void>) {
  for (let round = 0; round < 4; round++) {
    while (measurements.length > 0) measurements.shift()?.();
    await settle();
  }
}

describe("the agent's candidates' simulated misses", () => {
  it('are asked after the rollout and its GFLOPS figure, measured ones fastest first, one at a time, and reach the table', async () => {
    const { s, calls, sims, measurements, finish } = setup();
    showOnly(s, 'agent');
    s.getState().driveAgent('agent');
    await measureAll(measurements);
    expect(calls).toEqual([]); // nothing to simulate while the search runs
    finish(RESULT);
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
    s.getState().playerBest(); // stops the player on the last step: its candidates are shown
    expect(s.getState().player.index).toBe(2);
    expect(candidateMissesWanted(s.getState())).toEqual([STEP1, STEP2, FAST, SLOW]);
    await settle();
    expect(calls).toEqual([]); // the GFLOPS figure of the schedule on screen comes first
    await measureAll(measurements);
    expect(calls).toEqual([STEP1]);
    sims.shift()?.(figures(32_800, 4_000));
    await settle();
    expect(calls).toEqual([STEP1, STEP2]);
    sims.shift()?.(figures(1_020, 500, true));
    await settle();
    // The chosen one's largest change from the state's schedule, in the memory view's words.
    const fig = (text: string) => memoryEntryOf(s.getState(), text)?.figures;
    expect(chosenMissesSentence(fig(STEP1), fig(STEP2))).toBe("B's L1d misses: 32.8 k → 1.02 k (simulated on Zen 4)");
    expect(simulatedMisses(fig(STEP2)!)).toEqual({
      levels: [
        { name: 'L1d', perKFma: 1_020 / 262.144 },
        { name: 'L2', perKFma: 500 / 262.144 },
      ],
      machine: 'Zen 4',
      sampled: true,
    });
    expect(calls).toEqual([STEP1, STEP2, FAST]);
    sims.shift()?.(figures(900, 400));
    await settle();
    expect(calls).toEqual([STEP1, STEP2, FAST, SLOW]);
    sims.shift()?.(figures(2_000, 800));
    await settle();
    // The unmeasured option is not simulated.
    expect(calls).toHaveLength(4);
    expect(memoryEntryOf(s.getState(), SLOW)?.status).toBe('done');
  });

  it('asks for nothing more once the problem changes (the rollout is dropped), nor while the agent panel is hidden', async () => {
    const { s, calls, sims, measurements, finish } = setup();
    showOnly(s);
    s.getState().driveAgent('agent');
    finish(RESULT);
    await vi.waitFor(() => expect(s.getState().agentRun?.status).toBe('done'));
    s.getState().playerBest();
    await measureAll(measurements);
    expect(calls).toEqual([]);
    showOnly(s, 'agent');
    await measureAll(measurements);
    expect(calls).toEqual([STEP1]);
    s.getState().setProblemText('C[m,n] += A[m,k] * B[k,n]\nm=32, n=32, k=32');
    expect(s.getState().agentRun).toBeNull();
    sims.shift()?.(figures(32_800, 4_000));
    await measureAll(measurements);
    expect(calls).toEqual([STEP1]);
    expect(candidateMissesWanted(s.getState())).toEqual([]);
  });
});
