// The agent lab's worker API in Node with a function oracle: the race streams every method's
// improvements and ends with one run per method, cancel keeps what was found, fine-tuning streams
// episodes and answers with files; bad input is refused in words.
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ACTIONS, applyAction } from '../../core/actions.ts';
import { parseProblemText } from '../../core/problem.ts';
import { defaultSchedule, parseSchedule, printSchedule } from '../../core/schedule.ts';
import type { NestState } from '../../core/types.ts';
import { loadTfWasm } from '../../runtime/xnnpack.ts';
import { createLabApi } from './api.ts';
import { CLOSE_TURNS, DEFAULT_TILE_SEARCH } from '../../agent/tileSearch.ts';
import type { FineTuneEvent, RaceEvent } from './protocol.ts';
import { functionOracle } from '../../agent/oracle.ts';
import { FeatureMlp, type ModelFiles } from '../../agent/policy.ts';

const TEXT = 'C[m,n] += A[m,k] * B[k,n]\nm=16, n=32, k=8';
let shipped: ModelFiles;

beforeAll(async () => {
  await loadTfWasm();
  shipped = await FeatureMlp.create({ featureSet: 'extended', hidden: [16], actions: [...AGENT_ACTIONS] }, 3).toFiles();
});

/** The fake machine's speed as a share of 13 GFLOPS (its best within reach). */
const shareOf = (s: { loops: { variable: string }[] }) =>
  (1 + s.loops.length + (s.loops[s.loops.length - 1].variable === 'n' ? 4 : 0)) / 13;

/** Faster with more loops and with n innermost; every measurement takes `delayMs`. */
function api(delayMs = 0, fetchShipped = async () => shipped) {
  const f = functionOracle((_, s) => 1 + s.loops.length + (s.loops[s.loops.length - 1].variable === 'n' ? 4 : 0));
  const oracle = {
    async gflops(...args: Parameters<typeof f.gflops>) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return f.gflops(...args);
    },
  };
  return createLabApi({
    loadTf: loadTfWasm,
    fetchShipped,
    // A cost model that knows the machine above.
    scorer: async () => (_, schedules) => schedules.map(shareOf),
    measuring: async () => ({ oracle, peakGflops: async () => 20 }),
  });
}

function replay(actions: readonly string[]): string {
  const p = parseProblemText(TEXT);
  let s: NestState = { schedule: defaultSchedule(p), cursor: 0 };
  for (const a of actions) {
    const r = applyAction(p, s, a as (typeof AGENT_ACTIONS)[number]);
    if (!r.ok) throw new Error(r.reason);
    s = r.state;
  }
  return printSchedule(s.schedule);
}

describe('race', () => {
  it('runs every method in turn and streams its improvements, each replayable from the default', async () => {
    const events: RaceEvent[] = [];
    const r = await api().race(TEXT, { methods: ['looptune', 'greedy1', 'beam4bfs', 'random'], budgetMs: 300 }, (e) =>
      events.push(e),
    );
    expect(r.cancelled).toBe(false);
    expect(r.defaultGflops).toBe(4);
    expect(r.runs.map((x) => x.method)).toEqual(['looptune', 'greedy1', 'beam4bfs', 'random']);
    for (const run of r.runs) {
      expect(run.error).toBeUndefined();
      expect(run.trace.length).toBeGreaterThan(0);
      // The first point is the default schedule; each later one is strictly faster.
      expect(run.trace[0].gflops).toBe(4);
      for (let i = 1; i < run.trace.length; i++) {
        expect(run.trace[i].gflops).toBeGreaterThan(run.trace[i - 1].gflops);
        expect(run.trace[i].elapsedMs).toBeGreaterThanOrEqual(run.trace[i - 1].elapsedMs);
      }
      for (const p of run.trace) expect(replay(p.actions)).toBe(p.schedule);
      const streamed = events
        .filter((e) => e.kind === 'improve' && e.method === run.method)
        .map((e) => (e as { point: unknown }).point);
      expect(streamed).toEqual(run.trace);
    }
    // beam4bfs looks at every schedule within reach: it finds n innermost (>= 8 GFLOPS).
    expect(r.runs[2].trace.at(-1)!.gflops).toBeGreaterThanOrEqual(8);
    expect(events[0]).toEqual({ kind: 'default', gflops: 4 });
    expect(events.filter((e) => e.kind === 'start').length).toBe(4);
    expect(events.filter((e) => e.kind === 'done').length).toBe(4);
  });

  it('races the agent (cost model + search) and the expert grid: whole schedules, faster than the default', async () => {
    const events: RaceEvent[] = [];
    const r = await api().race(TEXT, { methods: ['agent', 'expert'], budgetMs: 300 }, (e) => events.push(e));
    expect(r.runs.map((x) => [x.method, x.error])).toEqual([
      ['agent', undefined],
      ['expert', undefined],
    ]);
    const problem = parseProblemText(TEXT);
    for (const run of r.runs) {
      expect(run.trace.length).toBeGreaterThan(0);
      expect(run.trace.at(-1)!.gflops).toBeGreaterThan(r.defaultGflops);
      for (const p of run.trace) {
        expect(p.actions).toEqual([]);
        expect(printSchedule(parseSchedule(problem, p.schedule))).toBe(p.schedule);
      }
    }
    // The candidates measured (and more while time is left), then the best few measured again and
    // the two best in turns, as time allows.
    expect(r.runs[0].evaluations).toBeLessThanOrEqual(
      DEFAULT_TILE_SEARCH.measure + DEFAULT_TILE_SEARCH.extraMeasure + DEFAULT_TILE_SEARCH.remeasure + 2 * CLOSE_TURNS,
    );
    expect(events.filter((e) => e.kind === 'improve' && e.method === 'expert').length).toBe(r.runs[1].trace.length);
  });

  it('says why the agent did not run when its cost model cannot be loaded; the others still race', async () => {
    const lab = createLabApi({
      loadTf: loadTfWasm,
      fetchShipped: async () => shipped,
      scorer: () => Promise.reject(new Error("could not fetch the agent's model.json: 404")),
      measuring: async () => ({ oracle: functionOracle(() => 3), peakGflops: async () => 20 }),
    });
    const r = await lab.race(TEXT, { methods: ['agent', 'greedy1'], budgetMs: 100 });
    expect(r.runs[0]).toMatchObject({
      method: 'agent',
      error: "the agent's cost model could not be loaded: could not fetch the agent's model.json: 404",
      trace: [],
    });
    expect(r.runs[1].trace.length).toBeGreaterThan(0);
  });

  it('stops at cancel, keeping what each method found so far', async () => {
    const lab = api(2);
    let cancelled = false;
    const r = await lab.race(TEXT, { methods: ['greedy1', 'random', 'beam4bfs'], budgetMs: 5000 }, (e) => {
      if (e.kind === 'start' && e.method === 'random' && !cancelled) {
        cancelled = true;
        setTimeout(() => lab.cancel(), 50);
      }
    });
    expect(r.cancelled).toBe(true);
    expect(r.runs.map((x) => x.method)).toEqual(['greedy1', 'random']);
    expect(r.runs[1].cancelled).toBe(true);
    expect(r.runs[1].totalMs).toBeLessThan(2000);
    expect(r.runs[1].trace.length).toBeGreaterThan(0);
    // The lab is free again.
    const again = await lab.race(TEXT, { methods: ['greedy1'], budgetMs: 100 });
    expect(again.runs).toHaveLength(1);
  });

  it("races the searches when the policy cannot be loaded, and says why LoopTune's agent did not run", async () => {
    const r = await api(0, () => Promise.reject(new Error('could not fetch the agent model.json: 404'))).race(TEXT, {
      methods: ['looptune', 'greedy1'],
      budgetMs: 100,
    });
    expect(r.runs[0]).toMatchObject({
      method: 'looptune',
      error: 'could not fetch the agent model.json: 404',
      trace: [],
    });
    expect(r.runs[1].error).toBeUndefined();
    expect(r.runs[1].trace.length).toBeGreaterThan(0);
  });

  it('answers a race cancelled before its first measurement as cancelled, with no runs', async () => {
    // Cancelled while the policy loads.
    const lab = api(0, () => new Promise((resolve) => setTimeout(() => resolve(shipped), 200)));
    const run = lab.race(TEXT, { methods: ['looptune', 'greedy1'], budgetMs: 1000 });
    setTimeout(() => lab.cancel(), 50);
    expect(await run).toEqual({ defaultGflops: 0, runs: [], cancelled: true });
  });

  it('refuses unknown methods and budgets that are not positive', async () => {
    await expect(api().race(TEXT, { methods: ['nope' as 'agent'], budgetMs: 100 })).rejects.toThrow(
      /unknown method 'nope'/,
    );
    await expect(api().race(TEXT, { budgetMs: 0 })).rejects.toThrow(/budget must be positive/);
    await expect(api().race('C[m] +=', { budgetMs: 10 })).rejects.toThrow();
  });
});

describe('fineTune', () => {
  it('streams episodes and answers with loadable files and before/after figures', async () => {
    const events: FineTuneEvent[] = [];
    const r = await api().fineTune(TEXT, { budgetSec: 1.5 }, (e) => events.push(e));
    expect(r.cancelled).toBe(false);
    expect(r.episodes).toBeGreaterThan(0);
    const episodes = events.filter((e) => e.kind === 'episode');
    expect(episodes).toHaveLength(r.episodes);
    expect(events[0]).toEqual({ kind: 'phase', phase: 'before' });
    expect(r.before.defaultGflops).toBe(4);
    expect(r.after.gflops).toBeGreaterThanOrEqual(4);
    expect(r.peakGflops).toBe(20);
    const policy = await FeatureMlp.fromFiles(r.files);
    expect(policy.metadata.fineTunedOn).toBe(TEXT);
  });

  it('ends early at cancel, and refuses a second run while one is going', async () => {
    const lab = api();
    const run = lab.fineTune(TEXT, { budgetSec: 60 }, (e) => {
      if (e.kind === 'episode' && e.episode === 2) lab.cancel();
    });
    await expect(lab.race(TEXT, { budgetMs: 10 })).rejects.toThrow(/already running/);
    const r = await run;
    expect(r.cancelled).toBe(true);
    expect(r.episodes).toBe(2);
  });
});
