// The agent lab: the agent against the searches on the current problem (best GFLOPS against
// tuning time, streamed from the lab's worker), fine-tuning the agent's policy on the current
// problem (episode returns streamed, then the greedy rollout's GFLOPS before and after, to keep
// or discard), and the shipped policy's learning curve. One run at a time; `cancelLab` stops it.
//
// A method's best schedule can be applied to the playground: it is appended to the history
// (setSchedule: the shortest action path from the current schedule, or one set: entry), credited
// to the method (e.g. `greedy2:split_4` in links), so undo returns to the person's schedule and
// links and sessions hold it. Keeping a fine-tuned policy hands its files to the agent slice
// (setAgentPolicy), so "let the agent drive" and later races use it; the agent's policy can be
// saved in the browser (savedPolicies.ts) and used again after a reload.
import { onFirstUse } from '../workers/onFirstUse.ts';
import { DEFAULT_RACE_METHODS, type FineTuneEvent, type RaceEvent } from '../workers/lab/protocol.ts';
import type { ModelFiles } from '../agent/policy.ts';
import type { SliceCreator } from './sliceCreator.ts';
import type { AgentLabSlice, LabFineTune, LabMethodState, LabRace, LabService, RaceMethod } from './agentLabTypes.ts';
import { parseLearningCurve } from './learningCurve.ts';
import { indexedDbPolicies, listPolicies, loadPolicy, savePolicy } from './savedPolicies.ts';
import { defaultSchedule, parseSchedule, printSchedule } from '../core/schedule.ts';
import type { Schedule } from '../core/types.ts';
import { errorMessage } from '../core/errors.ts';
import { formatGflops } from '../core/format.ts';

export {
  BUDGETED_RACE_METHODS,
  DEFAULT_RACE_METHODS,
  type RaceMethod,
  type RacePoint,
} from '../workers/lab/protocol.ts';

export const RACE_BUDGETS_MS = [5_000, 10_000, 30_000, 60_000];
export const FINE_TUNE_BUDGETS_SEC = [15, 30, 60];

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

  /** The race's default schedule (text): the first point of LoopTune and of every search. */
  let raceDefault = '';
  const seeDefault = (gflops: number) =>
    setRace({ defaultGflops: Math.max(get().labRace?.defaultGflops ?? 0, gflops) });

  const onRaceEvent = (e: RaceEvent) => {
    switch (e.kind) {
      case 'default':
        return seeDefault(e.gflops);
      case 'start':
        return setMethod(e.method, () => ({ status: 'running' }));
      case 'improve':
        // The agent's and the expert's points are tile schedules, never the default.
        if (e.point.actions.length === 0 && e.point.schedule === raceDefault) seeDefault(e.point.gflops);
        return setMethod(e.method, (m) => ({
          trace: [...m.trace, e.point],
          elapsedMs: Math.max(m.elapsedMs, e.point.elapsedMs),
        }));
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
      raceDefault = printSchedule(defaultSchedule(get().problem));
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
          if (race && r.cancelled)
            set({
              labRace: {
                ...race,
                methods: race.methods.map((m) =>
                  m.status === 'waiting' || m.status === 'running' ? { ...m, status: 'cancelled' } : m,
                ),
              },
            });
        },
        (error: unknown) => {
          running = false;
          const message = errorMessage(error);
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
        labFineTune: {
          status: 'running',
          problemKey: s.problemKey,
          budgetSec,
          fromLabel: s.agentPolicy.label,
          phase: 'before',
          returns: [],
          elapsedSec: 0,
        },
      });
      const onEvent = (e: FineTuneEvent) => {
        if (e.kind === 'phase') setTune({ phase: e.phase });
        else {
          const t = get().labFineTune;
          if (t)
            set({ labFineTune: { ...t, phase: 'training', returns: [...t.returns, e.ret], elapsedSec: e.wallSec } });
        }
      };
      lab.fineTune(s.problemKey, { budgetSec, policy: s.agentPolicyFiles }, onEvent).then(
        ({ files, ...result }) => {
          running = false;
          // A cancelled run is dropped: only a finished one may be kept.
          pending = result.cancelled ? null : files;
          setTune({
            status: result.cancelled ? 'cancelled' : 'done',
            phase: 'finished',
            result,
            elapsedSec: result.wallSec,
          });
        },
        (error: unknown) => {
          running = false;
          const message = errorMessage(error);
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
        get().notify('error', 'the race was run on another problem; run it again on this one to apply its schedules');
        return;
      }
      let schedule: Schedule;
      try {
        schedule = parseSchedule(get().problem, best.schedule);
      } catch (error) {
        get().notify(
          'error',
          `${method}'s schedule ${best.schedule} does not fit this problem: ${errorMessage(error)}`,
        );
        return;
      }
      // Appended to the history as one step (one undo returns to the person's schedule), credited to the method.
      const before = get().position;
      if (!get().setSchedule(schedule, method)) {
        get().notify('error', `${method}'s schedule was refused: ${get().refusal?.reason ?? 'unknown reason'}`);
        return;
      }
      const added = get().position - before;
      get().notify(
        'info',
        `${method}'s best schedule (${formatGflops(best.gflops)} GFLOPS in the race) is now the playground's: ${added} ${added === 1 ? 'entry' : 'entries'} by ${method} added to the history as one step (undo returns to yours)`,
      );
    },

    keepFineTune() {
      const t = get().labFineTune;
      if (t?.status !== 'done' || !pending) return;
      const files = pending;
      pending = null;
      get().setAgentPolicy(files, fineTunedLabel(t.problemKey, get().presetId));
      setTune({ status: 'kept' });
    },

    discardFineTune() {
      const t = get().labFineTune;
      if (t?.status !== 'done') return;
      pending = null;
      setTune({ status: 'discarded' });
    },

    savedPolicies: [],

    async refreshSavedPolicies() {
      if (!lab?.policies) return;
      try {
        set({ savedPolicies: await listPolicies(lab.policies) });
      } catch (error) {
        get().notify('error', `could not read the saved policies: ${errorMessage(error)}`);
      }
    },

    async saveAgentPolicy() {
      const { agentPolicyFiles: files, agentPolicy } = get();
      if (!lab?.policies || !files) return;
      try {
        await savePolicy(lab.policies, agentPolicy.label, files);
        get().notify('info', `saved '${agentPolicy.label}' in this browser`);
      } catch (error) {
        get().notify('error', `could not save the policy: ${errorMessage(error)}`);
      }
      await get().refreshSavedPolicies();
    },

    async useSavedPolicy(id) {
      if (!lab?.policies) return;
      try {
        const { label, files } = await loadPolicy(lab.policies, id);
        get().setAgentPolicy(files, label);
      } catch (error) {
        get().notify('error', errorMessage(error));
      }
    },

    async deleteSavedPolicy(id) {
      if (!lab?.policies) return;
      try {
        await lab.policies.delete(id);
      } catch (error) {
        get().notify('error', `could not delete the policy: ${errorMessage(error)}`);
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
          (error: unknown) => set({ labCurve: { status: 'error', rows: [], error: errorMessage(error) } }),
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
      if (!r.ok)
        throw new Error(`could not fetch the learning curve (${curveUrl}): ${r.status} ${r.statusText}`.trimEnd());
      return r.text();
    },
    terminate: () => client.loaded()?.terminate(),
    policies: indexedDbPolicies(),
  };
}
