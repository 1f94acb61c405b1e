// The agent in the page: its policy (the shipped one or files it is given), "let the agent drive"
// and the rollout player.
//
// A rollout runs in the agent's worker from the current schedule and cursor; its steps stream
// into `agentRun` as they are measured. When it is done its actions enter the history like a
// person's (by 'agent'), so undo, links and sessions hold them, and the player rewinds to the
// rollout's start and plays it: every step is a jump in the history, so the nest, the graph and
// the GFLOPS chart follow. A rollout whose schedule changed while it ran is set aside; once the
// history no longer holds the rollout (another problem, an action over it, a restored link) the
// run is dropped.
import { printSchedule } from '../core/schedule.ts';
import { SHIPPED_POLICY_LABEL } from '../agent/shippedPolicy.ts';

export { SHIPPED_POLICY_LABEL } from '../agent/shippedPolicy.ts';
import type { LooplabStore } from './createStore.ts';
import type { SliceCreator } from './sliceCreator.ts';
import { measurementKey } from './measureSlice.ts';
import type { AgentRun, AgentSlice, LooplabState } from './types.ts';
import { errorMessage } from '../core/errors.ts';

export const DEFAULT_PLAYER_SPEED = 2;
/** The speeds the panel offers (steps per second). */
export const PLAYER_SPEEDS = [0.5, 1, 2, 4, 8];
const MIN_SPEED = 0.1;
const MAX_SPEED = 30;

/** Whether the history still holds the rollout at its place (same problem, the agent's entries). */
export function rolloutInHistory(s: Pick<LooplabState, 'problemKey' | 'log'>, run: AgentRun): boolean {
  if (run.problemKey !== s.problemKey || s.log.length < run.startPosition + run.steps.length) return false;
  return run.steps.every((step, i) => {
    const entry = s.log[run.startPosition + i];
    return entry.by === 'agent' && entry.action === step.action;
  });
}

export const createAgentSlice: SliceCreator<AgentSlice> = (set, get, { agent }) => {
  /** Bumped by every policy request, so that only the newest answer counts. */
  let policyGeneration = 0;
  let policyRequested = false;
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
    const i = Math.max(0, Math.min(run.steps.length, Math.trunc(index)));
    get().jumpTo(run.startPosition + i);
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
      if (!run || !seek(get().player.index + 1) || get().player.index >= run.steps.length) {
        pause();
        return;
      }
      schedule(generation);
    }, 1000 / get().player.speed);
  };

  return {
    agentPolicy: agent
      ? { status: 'loading', label: SHIPPED_POLICY_LABEL }
      : { status: 'error', label: SHIPPED_POLICY_LABEL, error: 'the agent is not available in this page' },
    agentPolicyFiles: null,
    agentRun: null,
    player: { index: 0, playing: false, speed: DEFAULT_PLAYER_SPEED },

    setAgentPolicy(files, label) {
      requestPolicy(files, label);
    },

    prepareAgent() {
      if (!policyRequested && agent) requestPolicy(get().agentPolicyFiles, get().agentPolicy.label);
    },

    driveAgent() {
      const s = get();
      if (!agent) {
        s.notify('error', 'the agent is not available in this page');
        return;
      }
      if (s.agentRun?.status === 'running') return;
      // A policy that failed to load is asked for again (the worker's queue runs it first).
      if (!policyRequested || s.agentPolicy.status === 'error') requestPolicy(s.agentPolicyFiles, s.agentPolicy.label);
      pause();
      const generation = ++runGeneration;
      const { problemKey, position: startPosition, current: start } = s;
      const scheduleText = printSchedule(start.schedule);
      // The performance panel's checked figure of the start saves the rollout its slowest kernel.
      const known = s.measurements[measurementKey(problemKey, scheduleText)];
      const startGflops = known?.status === 'done' && known.correct && known.gflops ? known.gflops : undefined;
      set({
        agentRun: { problemKey, startPosition, steps: [], status: 'running' },
        player: { ...get().player, index: 0, playing: false },
      });
      const stillRunning = () => {
        const run = get().agentRun;
        return generation === runGeneration && run?.status === 'running' ? run : null;
      };
      agent
        .tune(problemKey, { scheduleText, cursor: start.cursor, gflops: startGflops }, (step) => {
          const run = stillRunning();
          if (run) set({ agentRun: { ...run, steps: [...run.steps, step] } });
        })
        .then((result) => {
          const run = stillRunning();
          if (!run) return;
          const now = get();
          if (now.problemKey !== problemKey || now.position !== startPosition || now.current !== start) {
            set({ agentRun: null });
            now.notify('info', "the agent's rollout was set aside: the problem or the schedule changed while it ran");
            return;
          }
          for (const step of result.steps) {
            if (!get().act(step.action, 'agent')) {
              throw new Error(
                `the core refused the agent's action ${step.action}: ${get().refusal?.reason ?? 'unknown reason'}`,
              );
            }
          }
          const done: AgentRun = {
            ...run,
            steps: result.steps,
            status: 'done',
            startGflops: result.startGflops,
            tuningMs: result.tuningMs,
          };
          set({ agentRun: done });
          get().jumpTo(startPosition);
          setPlayer({ index: 0 });
          get().playerPlay();
        })
        .catch((error: unknown) => {
          const run = stillRunning();
          if (!run) return;
          const message = errorMessage(error);
          set({ agentRun: { ...run, status: 'error', error: message } });
          get().notify('error', `the agent could not tune this problem: ${message}`);
        });
    },

    playerStep(delta) {
      pause();
      seek(get().player.index + delta);
    },

    playerSeek(index) {
      seek(index);
    },

    playerPlay() {
      const run = doneRun();
      if (!run || run.steps.length === 0) return;
      if (get().player.index >= run.steps.length) seek(0);
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
    const index = Math.max(0, Math.min(run.steps.length, s.position - run.startPosition));
    if (index !== s.player.index) store.setState({ player: { ...s.player, index } });
  });
}
