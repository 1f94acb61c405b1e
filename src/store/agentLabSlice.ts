// The agent lab: the agent against the searches on the current problem (best GFLOPS against
// tuning time, streamed from the lab's worker), fine-tuning the agent's policy on the current
// problem (episode returns streamed, then the greedy rollout's GFLOPS before and after, to keep
// or discard), and the shipped policy's learning curve. One run at a time; `cancelLab` stops it.
//
// A method's best schedule can be applied to the playground: the history becomes its actions from
// the default schedule (by 'agent': a tuner took them, not the person), so undo, links and
// sessions hold it. Keeping a fine-tuned policy hands its files to the agent slice
// (setAgentPolicy), so "let the agent drive" and later races use it; the agent's policy can be
// saved in the browser (savedPolicies.ts) and used again after a reload.
import { onFirstUse } from '../workers/onFirstUse.ts';
import { DEFAULT_RACE_METHODS, type FineTuneEvent, type LabFineTuneOptions, type LabFineTuneResult, type RaceEvent, type RaceMethod, type RaceOptions, type RacePoint, type RaceResult } from '../workers/lab/protocol.ts';
import type { ModelFiles } from '../agent/policy.ts';
import { messageOf, type SliceCreator } from './internal.ts';
import { indexedDbPolicies, listPolicies, loadPolicy, savePolicy, type PolicyStorage, type SavedPolicyMeta } from './savedPolicies.ts';
import { resolveSnapshot } from './snapshot.ts';

export { DEFAULT_RACE_METHODS, type RaceMethod, type RacePoint } from '../workers/lab/protocol.ts';

/** What the slice needs of the lab (its worker and the learning curve's file in the page; a fake in tests). */
export interface LabService {
  race(problemText: string, options: RaceOptions, onEvent?: (e: RaceEvent) => void): Promise<RaceResult>;
  fineTune(problemText: string, options: LabFineTuneOptions, onEvent?: (e: FineTuneEvent) => void): Promise<LabFineTuneResult>;
  cancel(): void;
  /** The shipped policy's learning-curve CSV text. */
  learningCurve(): Promise<string>;
  /** Saved policies (IndexedDB in the page); without it nothing can be saved. */
  policies?: PolicyStorage;
}

export type LabStatus = 'running' | 'done' | 'cancelled' | 'error';

export interface LabMethodState {
  method: RaceMethod;
  status: 'waiting' | 'running' | 'done' | 'cancelled' | 'error';
  trace: RacePoint[];
  /** Tuning time so far, or in all once done (ms). */
  elapsedMs: number;
  evaluations?: number;
  budgetSpent?: boolean;
  error?: string;
}

export interface LabRace {
  status: LabStatus;
  problemKey: string;
  /** Budget of each search, ms. */
  budgetMs: number;
  /** The agent's policy in this race. */
  policyLabel: string;
  /**
   * The default schedule's GFLOPS: the best of its measurements in the race (once before it, then
   * by every method as its start). Interference only slows a kernel down, so the best is the
   * least disturbed; one measurement taken while the page was busy would inflate every speedup.
   */
  defaultGflops: number | null;
  methods: LabMethodState[];
  error?: string;
}

export interface LabFineTune {
  status: LabStatus | 'kept' | 'discarded';
  problemKey: string;
  budgetSec: number;
  /** The policy it started from. */
  fromLabel: string;
  /** 'before': the greedy rollout of the starting policy; 'training': episodes; then the result. */
  phase: 'before' | 'training' | 'finished';
  /** Each episode's return ((final - default) GFLOPS / peak, discounted). */
  returns: number[];
  elapsedSec: number;
  result?: Omit<LabFineTuneResult, 'files'>;
  error?: string;
}

export interface LearningCurveRow {
  wall_s: number;
  val_speedup: number;
  val_final_speedup: number;
  train_return: number;
  episode: number;
}

export interface AgentLabSlice {
  labRace: LabRace | null;
  labFineTune: LabFineTune | null;
  labCurve: { status: 'loading' | 'ready' | 'error'; rows: LearningCurveRow[]; error?: string } | null;
  /** Races the agent and the searches on the current problem, each search with `budgetMs`. */
  startRace(budgetMs: number, methods?: RaceMethod[]): void;
  /** Fine-tunes the current policy on the current problem for about `budgetSec`. */
  startFineTune(budgetSec: number): void;
  /** Stops the race or the fine-tuning in progress. */
  cancelLab(): void;
  /** Makes a method's best schedule of the race the playground's (the history becomes its actions). */
  applyRaceBest(method: RaceMethod): void;
  /** Uses the fine-tuned policy from now on (the agent slice's setAgentPolicy). */
  keepFineTune(): void;
  discardFineTune(): void;
  loadLearningCurve(): void;
  savedPolicies: SavedPolicyMeta[];
  refreshSavedPolicies(): Promise<void>;
  /** Saves the agent's current policy (not the shipped one) under its label. */
  saveAgentPolicy(): Promise<void>;
  /** Makes a saved policy the agent's. */
  useSavedPolicy(id: string): Promise<void>;
  deleteSavedPolicy(id: string): Promise<void>;
}

export const RACE_BUDGETS_MS = [5_000, 10_000, 30_000, 60_000];
export const FINE_TUNE_BUDGETS_SEC = [15, 30, 60];

/** Parses the learning curve CSV (train.ts's columns); throws with a message on a bad file. */
export function parseLearningCurve(text: string): LearningCurveRow[] {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0]?.split(',').map((h) => h.trim()) ?? [];
  const need: (keyof LearningCurveRow)[] = ['wall_s', 'val_speedup', 'val_final_speedup', 'train_return', 'episode'];
  const missing = need.filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`the learning curve has no column ${missing.join(', ')}`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`the learning curve's row ${i + 2} has ${cells.length} cells, not ${header.length}`);
    const row = {} as LearningCurveRow;
    // Blank cells (no loss before learning starts) read as NaN.
    for (const c of need) row[c] = cells[header.indexOf(c)].trim() === '' ? NaN : Number(cells[header.indexOf(c)]);
    return row;
  });
}

/** What a fine-tuned policy is called: after the preset, or the problem's sizes. */
export function fineTunedLabel(problemKey: string, presetId: string | null): string {
  return `fine-tuned on ${presetId ?? problemKey.split('\n').slice(1).join(' ')}`;
}

const UNAVAILABLE = 'the agent lab is not available here (no worker)';

export const createAgentLabSlice: SliceCreator<AgentLabSlice> = (set, get, { lab }) => {
  /** The fine-tuned files waiting for keep or discard (kept out of the state: binary data). */
  let pending: ModelFiles | null = null;
  let running = false;

  const busy = (): boolean => {
    if (!lab) {
      get().notify('error', UNAVAILABLE);
      return true;
    }
    if (running) {
      get().notify('info', 'the agent lab is busy: cancel the run first');
      return true;
    }
    return false;
  };

  const setRace = (patch: Partial<LabRace>) => {
    const race = get().labRace;
    if (race) set({ labRace: { ...race, ...patch } });
  };
  const setMethod = (method: RaceMethod, patch: (m: LabMethodState) => Partial<LabMethodState>) => {
    const race = get().labRace;
    if (!race) return;
    set({ labRace: { ...race, methods: race.methods.map((m) => (m.method === method ? { ...m, ...patch(m) } : m)) } });
  };
  const setTune = (patch: Partial<LabFineTune>) => {
    const t = get().labFineTune;
    if (t) set({ labFineTune: { ...t, ...patch } });
  };

  const seeDefault = (gflops: number) => setRace({ defaultGflops: Math.max(get().labRace?.defaultGflops ?? 0, gflops) });

  const onRaceEvent = (e: RaceEvent) => {
    switch (e.kind) {
      case 'default':
        return seeDefault(e.gflops);
      case 'start':
        return setMethod(e.method, () => ({ status: 'running' }));
      case 'improve':
        if (e.point.actions.length === 0) seeDefault(e.point.gflops);
        return setMethod(e.method, (m) => ({ trace: [...m.trace, e.point], elapsedMs: Math.max(m.elapsedMs, e.point.elapsedMs) }));
      case 'tick':
        return setMethod(e.method, (m) => ({ elapsedMs: Math.max(m.elapsedMs, e.elapsedMs) }));
      case 'done': {
        const r = e.run;
        return setMethod(r.method, () => ({
          status: r.error ? 'error' : r.cancelled ? 'cancelled' : 'done',
          trace: r.trace,
          elapsedMs: r.totalMs,
          evaluations: r.evaluations,
          budgetSpent: r.budgetSpent,
          ...(r.error ? { error: r.error } : {}),
        }));
      }
    }
  };

  return {
    labRace: null,
    labFineTune: null,
    labCurve: null,

    startRace(budgetMs, methods = DEFAULT_RACE_METHODS) {
      if (busy() || !lab) return;
      const s = get();
      running = true;
      set({
        labRace: {
          status: 'running',
          problemKey: s.problemKey,
          budgetMs,
          policyLabel: s.agentPolicy.label,
          defaultGflops: null,
          methods: methods.map((method) => ({ method, status: 'waiting', trace: [], elapsedMs: 0 })),
        },
      });
      lab.race(s.problemKey, { methods, budgetMs, policy: s.agentPolicyFiles }, onRaceEvent).then(
        (r) => {
          running = false;
          setRace({ status: r.cancelled ? 'cancelled' : 'done' });
          // Methods the race never reached stay 'waiting'; say they were cancelled.
          const race = get().labRace;
          if (race && r.cancelled) set({ labRace: { ...race, methods: race.methods.map((m) => (m.status === 'waiting' || m.status === 'running' ? { ...m, status: 'cancelled' } : m)) } });
        },
        (error: unknown) => {
          running = false;
          const message = messageOf(error);
          setRace({ status: 'error', error: message });
          get().notify('error', `the race stopped: ${message}`);
        },
      );
    },

    startFineTune(budgetSec) {
      if (busy() || !lab) return;
      const s = get();
      running = true;
      pending = null;
      set({
        labFineTune: { status: 'running', problemKey: s.problemKey, budgetSec, fromLabel: s.agentPolicy.label, phase: 'before', returns: [], elapsedSec: 0 },
      });
      const onEvent = (e: FineTuneEvent) => {
        if (e.kind === 'phase') setTune({ phase: e.phase });
        else {
          const t = get().labFineTune;
          if (t) set({ labFineTune: { ...t, phase: 'training', returns: [...t.returns, e.ret], elapsedSec: e.wallSec } });
        }
      };
      lab.fineTune(s.problemKey, { budgetSec, policy: s.agentPolicyFiles }, onEvent).then(
        ({ files, ...result }) => {
          running = false;
          // A cancelled run is dropped: only a finished one may be kept.
          pending = result.cancelled ? null : files;
          setTune({ status: result.cancelled ? 'cancelled' : 'done', phase: 'finished', result, elapsedSec: result.wallSec });
        },
        (error: unknown) => {
          running = false;
          const message = messageOf(error);
          setTune({ status: 'error', error: message });
          get().notify('error', `fine-tuning stopped: ${message}`);
        },
      );
    },

    cancelLab() {
      if (running) lab?.cancel();
    },

    applyRaceBest(method) {
      const race = get().labRace;
      const m = race?.methods.find((x) => x.method === method);
      const best = m?.trace[m.trace.length - 1];
      if (!race || !best) return;
      if (race.problemKey !== get().problemKey) {
        get().notify('error', "the race was run on another problem; run it again on this one to apply its schedules");
        return;
      }
      const r = resolveSnapshot({ problemText: race.problemKey, log: best.actions.map((action) => ({ action, by: 'agent' })) }, `${method}'s`);
      if (!r.ok) {
        get().notify('error', r.error);
        return;
      }
      get().restore(r.value);
      get().notify('info', `${method}'s best schedule (${best.gflops.toPrecision(3)} GFLOPS in the race) is now the playground's: ${best.actions.length} actions from the default schedule`);
    },

    keepFineTune() {
      const t = get().labFineTune;
      if (!t || t.status !== 'done' || !pending) return;
      const files = pending;
      pending = null;
      get().setAgentPolicy(files, fineTunedLabel(t.problemKey, get().presetId));
      setTune({ status: 'kept' });
    },

    discardFineTune() {
      const t = get().labFineTune;
      if (!t || t.status !== 'done') return;
      pending = null;
      setTune({ status: 'discarded' });
    },

    savedPolicies: [],

    async refreshSavedPolicies() {
      if (!lab?.policies) return;
      try {
        set({ savedPolicies: await listPolicies(lab.policies) });
      } catch (error) {
        get().notify('error', `could not read the saved policies: ${messageOf(error)}`);
      }
    },

    async saveAgentPolicy() {
      const { agentPolicyFiles: files, agentPolicy } = get();
      if (!lab?.policies || !files) return;
      try {
        await savePolicy(lab.policies, agentPolicy.label, files);
        get().notify('info', `saved '${agentPolicy.label}' in this browser`);
      } catch (error) {
        get().notify('error', `could not save the policy: ${messageOf(error)}`);
      }
      await get().refreshSavedPolicies();
    },

    async useSavedPolicy(id) {
      if (!lab?.policies) return;
      try {
        const { label, files } = await loadPolicy(lab.policies, id);
        get().setAgentPolicy(files, label);
      } catch (error) {
        get().notify('error', messageOf(error));
      }
    },

    async deleteSavedPolicy(id) {
      if (!lab?.policies) return;
      try {
        await lab.policies.delete(id);
      } catch (error) {
        get().notify('error', `could not delete the policy: ${messageOf(error)}`);
      }
      await get().refreshSavedPolicies();
    },

    loadLearningCurve() {
      const current = get().labCurve;
      if (!lab || current?.status === 'loading' || current?.status === 'ready') return;
      set({ labCurve: { status: 'loading', rows: [] } });
      lab
        .learningCurve()
        .then(parseLearningCurve)
        .then(
          (rows) => set({ labCurve: { status: 'ready', rows } }),
          (error: unknown) => set({ labCurve: { status: 'error', rows: [], error: messageOf(error) } }),
        );
    },
  };
};

/** The page's lab: the lab worker's client, loaded on first use (its worker and tfjs start then). */
export function createPageLab(curveUrl: string): LabService & { terminate(): void } {
  const client = onFirstUse(() => import('../workers/lab/client.ts').then((m) => m.createLabClient()));
  return {
    race: (text, options, onEvent) => client.get().then((c) => c.race(text, options, onEvent)),
    fineTune: (text, options, onEvent) => client.get().then((c) => c.fineTune(text, options, onEvent)),
    cancel: () => client.loaded()?.cancel(),
    async learningCurve() {
      const r = await fetch(curveUrl);
      if (!r.ok) throw new Error(`could not fetch the learning curve (${curveUrl}): ${r.status} ${r.statusText}`.trimEnd());
      return r.text();
    },
    terminate: () => client.loaded()?.terminate(),
    policies: indexedDbPolicies(),
  };
}
