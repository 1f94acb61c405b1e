// The agent in the page: which agent drives (the cost model's search, or LoopTune's policy
// rollout), its policy, "let the agent drive", the rollout player and "take over here".
//
// A run starts from the current schedule in the agent's worker (LoopTune's steps stream into
// `agentRun` as they are measured). When it is done its steps enter the history as the agent's
// (LoopTune's as its core actions; the search's each as a whole schedule, setSchedule), so undo,
// links and sessions hold them, and the player rewinds to the run's start and plays it, ending on
// its best step: every step is a jump in the history, so the nest, the graph and the GFLOPS chart
// follow. A run whose schedule changed while it ran is set aside; once the history no longer holds
// the run (another problem, an action over it, a restored link) it is dropped. "Take over here"
// cuts the history at a step: the person goes on by hand from the agent's schedule there.
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import { SHIPPED_POLICY_LABEL } from '../agent/shippedPolicy.ts';

export { SHIPPED_POLICY_LABEL } from '../agent/shippedPolicy.ts';
export { SEARCH_SLICING_NOTE } from '../agent/searchSlicing.ts';
import type { LooplabStore } from './storeApi.ts';
import type { SliceCreator } from './sliceCreator.ts';
import { measurementKey } from './measureSlice.ts';
import type { AgentMethod, AgentRun, AgentSlice, LooplabState } from './types.ts';
import { bestStepIndex } from './agentRun.ts';
import { errorMessage } from '../core/errors.ts';
import { formatGflops } from '../core/format.ts';

export const DEFAULT_PLAYER_SPEED = 2;
/** The speeds the panel offers (steps per second). */
export const PLAYER_SPEEDS = [0.5, 1, 2, 4, 8];
const MIN_SPEED = 0.1;
const MAX_SPEED = 30;

/** Whether the history still holds the rollout at its place (same problem, the entries it wrote). */
export function rolloutInHistory(s: Pick<LooplabState, 'problemKey' | 'log'>, run: AgentRun): boolean {
  if (run.problemKey !== s.problemKey || s.log.length < run.startPosition + run.entries.length) return false;
  return run.entries.every((e, i) => {
    const entry = s.log[run.startPosition + i];
    return entry.by === e.by && entry.action === e.action;
  });
}

/** The step of a done run whose schedule is at history `position` (the last step at or before it). */
export function stepAtPosition(run: AgentRun, position: number): number {
  let at = 0;
  run.positions.forEach((p, i) => {
    if (p <= position) at = i;
  });
  return at;
}

export const createAgentSlice: SliceCreator<AgentSlice> = (set, get, { agent }) => {
  /** Bumped by every policy request, so that only the newest answer counts. */
  let policyGeneration = 0;
  let policyRequested = false;
  let costModelRequested = false;
  /** Bumped by every rollout, so that a stale one's steps and result are ignored. */
  let runGeneration = 0;
  /** Bumped by play and pause: a timer tick of an older play does nothing. */
  let playGeneration = 0;

  const requestPolicy = (files: AgentSlice['agentPolicyFiles'], label: string) => {
    policyRequested = true;
    const generation = ++policyGeneration;
    set({ agentPolicyFiles: files, agentPolicy: { status: 'loading', label } });
    if (!agent) return;
    agent.loadPolicy(files).then(
      () => {
        if (generation === policyGeneration) set({ agentPolicy: { status: 'ready', label } });
      },
      (error: unknown) => {
        if (generation !== policyGeneration) return;
        const message = errorMessage(error);
        set({ agentPolicy: { status: 'error', label, error: message } });
        get().notify('error', message);
      },
    );
  };

  const doneRun = (): AgentRun | null => {
    const run = get().agentRun;
    return run && run.status === 'done' && rolloutInHistory(get(), run) ? run : null;
  };

  const setPlayer = (patch: Partial<AgentSlice['player']>) => set({ player: { ...get().player, ...patch } });

  const seek = (index: number): boolean => {
    const run = doneRun();
    if (!run || !Number.isFinite(index)) return false;
    const i = Math.max(0, Math.min(run.positions.length - 1, Math.trunc(index)));
    get().jumpTo(run.positions[i]);
    setPlayer({ index: i });
    return true;
  };

  const pause = () => {
    playGeneration++;
    if (get().player.playing) setPlayer({ playing: false });
  };

  const schedule = (generation: number) => {
    setTimeout(() => {
      if (generation !== playGeneration || !get().player.playing) return;
      const run = doneRun();
      if (!run) return pause();
      const n = run.positions.length - 1;
      // At the end the player returns to the best step: the rollout ends on its best schedule.
      if (get().player.index >= n) {
        seek(run.bestIndex);
        return pause();
      }
      if (!seek(get().player.index + 1)) return pause();
      if (get().player.index >= n && run.bestIndex === n) return pause();
      schedule(generation);
    }, 1000 / get().player.speed);
  };

  return {
    agentPolicy: agent
      ? { status: 'loading', label: SHIPPED_POLICY_LABEL }
      : { status: 'error', label: SHIPPED_POLICY_LABEL, error: 'the agent is not available in this page' },
    agentPolicyFiles: null,
    agentMethod: 'agent',
    agentRun: null,
    player: { index: 0, playing: false, speed: DEFAULT_PLAYER_SPEED },

    setAgentPolicy(files, label) {
      requestPolicy(files, label);
    },

    prepareAgent() {
      if (!agent) return;
      if (get().agentMethod === 'looptune') {
        if (!policyRequested) requestPolicy(get().agentPolicyFiles, get().agentPolicy.label);
        return;
      }
      if (costModelRequested) return;
      costModelRequested = true;
      // A failure is reported by the search that needs it (and it is asked for again then).
      agent.loadCostModel().catch(() => {
        costModelRequested = false;
      });
    },

    setAgentMethod(method) {
      set({ agentMethod: method });
      // Chosen: what it needs loads now, in the worker's queue.
      get().prepareAgent();
    },

    driveAgent(method) {
      const s = get();
      const m: AgentMethod = method ?? s.agentMethod;
      if (!agent) {
        s.notify('error', 'the agent is not available in this page');
        return;
      }
      if (s.agentRun?.status === 'running') return;
      // A policy that failed to load is asked for again (the worker's queue runs it first).
      if (m === 'looptune' && (!policyRequested || s.agentPolicy.status === 'error'))
        requestPolicy(s.agentPolicyFiles, s.agentPolicy.label);
      pause();
      const generation = ++runGeneration;
      const { problemKey, position: startPosition, current: start } = s;
      const scheduleText = printSchedule(start.schedule);
      // The performance panel's checked figure of the start saves the rollout its slowest kernel.
      const known = s.measurements[measurementKey(problemKey, scheduleText)];
      const startGflops = known?.status === 'done' && known.correct && known.gflops ? known.gflops : undefined;
      set({
        agentRun: {
          method: m,
          problemKey,
          startPosition,
          steps: [],
          status: 'running',
          positions: [],
          entries: [],
          bestIndex: 0,
        },
        player: { ...get().player, index: 0, playing: false },
      });
      const stillRunning = () => {
        const run = get().agentRun;
        return generation === runGeneration && run?.status === 'running' ? run : null;
      };
      /** The running run, unless it is stale or the schedule moved while it ran (then it is set aside). */
      const settled = () => {
        const run = stillRunning();
        if (!run) return null;
        const now = get();
        if (now.problemKey !== problemKey || now.position !== startPosition || now.current !== start) {
          set({ agentRun: null });
          now.notify('info', "the agent's rollout was set aside: the problem or the schedule changed while it ran");
          return null;
        }
        return run;
      };
      const finish = (done: AgentRun) => {
        set({ agentRun: done });
        get().jumpTo(startPosition);
        setPlayer({ index: 0 });
        get().playerPlay();
      };
      const fail = (error: unknown) => {
        const run = stillRunning();
        if (!run) return;
        const message = errorMessage(error);
        set({ agentRun: { ...run, status: 'error', error: message } });
        get().notify('error', `the agent could not tune this problem: ${message}`);
      };
      const start0 = { scheduleText, cursor: start.cursor, gflops: startGflops };

      if (m === 'looptune') {
        agent
          .tune(problemKey, start0, (step) => {
            const run = stillRunning();
            if (run) set({ agentRun: { ...run, steps: [...run.steps, step] } });
          })
          .then((result) => {
            const run = settled();
            if (!run) return;
            const positions = [startPosition];
            for (const step of result.steps) {
              if (!get().act(step.action, 'agent')) {
                throw new Error(
                  `the core refused the agent's action ${step.action}: ${get().refusal?.reason ?? 'unknown reason'}`,
                );
              }
              positions.push(get().position);
            }
            finish({
              ...run,
              steps: result.steps,
              status: 'done',
              startGflops: result.startGflops,
              tuningMs: result.tuningMs,
              positions,
              entries: get().log.slice(startPosition),
              bestIndex: bestStepIndex({ startGflops: result.startGflops }, result.steps),
            });
          })
          .catch(fail);
        return;
      }

      agent
        .search(problemKey, start0)
        .then((result) => {
          const run = settled();
          if (!run) return;
          const positions = [startPosition];
          for (const step of result.steps) {
            const schedule = parseSchedule(get().problem, step.scheduleText);
            if (!get().setSchedule(schedule, 'agent')) {
              throw new Error(
                `the agent's schedule ${step.scheduleText} was refused: ${get().refusal?.reason ?? 'unknown reason'}`,
              );
            }
            positions.push(get().position);
          }
          const done: AgentRun = {
            ...run,
            search: result,
            status: 'done',
            startGflops: result.startGflops ?? startGflops,
            tuningMs: result.tuningMs,
            positions,
            entries: get().log.slice(startPosition),
            // The path ends on the fastest schedule measured (or, kept, on the person's).
            bestIndex: result.steps.length,
          };
          if (result.outcome === 'kept-start') {
            get().notify(
              'info',
              `none of the ${result.measured.length} schedule${result.measured.length === 1 ? '' : 's'} the agent measured beat yours (${formatGflops(result.best.gflops)} GFLOPS in its timing): your schedule stays`,
            );
          }
          finish(done);
        })
        .catch(fail);
    },

    playerStep(delta) {
      pause();
      seek(get().player.index + delta);
    },

    playerSeek(index) {
      seek(index);
    },

    playerBest() {
      pause();
      const run = doneRun();
      if (run) seek(run.bestIndex);
    },

    takeOver(index) {
      const s = get();
      const run = doneRun();
      if (!run) {
        s.notify('error', 'there is no rollout to take over: let the agent drive first');
        return;
      }
      pause();
      const i = Math.max(0, Math.min(run.positions.length - 1, Math.trunc(index ?? s.player.index)));
      const at = run.positions[i];
      s.restore({
        problemText: s.problemText,
        problem: s.problem,
        problemKey: s.problemKey,
        presetId: s.presetId,
        base: s.base,
        log: s.log.slice(0, at),
        states: s.states.slice(0, at + 1),
        position: at,
        earlier: s.earlier,
      });
      const taken: AgentRun = {
        ...run,
        steps: run.steps.slice(0, i),
        ...(run.search ? { search: { ...run.search, steps: run.search.steps.slice(0, i) } } : {}),
        positions: run.positions.slice(0, i + 1),
        entries: run.entries.slice(0, at - run.startPosition),
        bestIndex: Math.min(run.bestIndex, i),
        takenOverAt: i,
      };
      set({ agentRun: taken, player: { ...get().player, index: i, playing: false } });
      get().notify('info', `you took over at step ${i}: the history was cut there; go on by hand`);
    },

    playerPlay() {
      const run = doneRun();
      if (!run || run.positions.length <= 1) return;
      if (get().player.index >= run.positions.length - 1) seek(0);
      const generation = ++playGeneration;
      setPlayer({ playing: true });
      schedule(generation);
    },

    playerPause() {
      pause();
    },

    setPlayerSpeed(stepsPerSecond) {
      if (!Number.isFinite(stepsPerSecond) || stepsPerSecond <= 0) return;
      setPlayer({ speed: Math.max(MIN_SPEED, Math.min(MAX_SPEED, stepsPerSecond)) });
      if (get().player.playing) {
        const generation = ++playGeneration;
        schedule(generation);
      }
    },
  };
};

/**
 * Keeps the player on the history: its index follows undo, redo and chart jumps within the
 * rollout, and a run the history no longer holds is dropped (with its playing stopped).
 */
export function followAgentRun(store: LooplabStore): () => void {
  return store.subscribe((s, prev) => {
    const run = s.agentRun;
    if (!run || (s.problemKey === prev.problemKey && s.log === prev.log && s.position === prev.position)) return;
    if (run.status === 'running') return; // set aside when it finishes, if the schedule moved
    if (run.status === 'error' || !rolloutInHistory(s, run)) {
      store.setState({ agentRun: null, player: { ...s.player, index: 0, playing: false } });
      return;
    }
    const index = stepAtPosition(run, s.position);
    if (index !== s.player.index) store.setState({ player: { ...s.player, index } });
  });
}
