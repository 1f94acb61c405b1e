// Reading an agent run the same way whichever agent made it: how many steps, each step's label,
// schedule and figure, and the best one. LoopTune's steps are core actions; the search's are
// macro-actions, each a whole schedule.
import type { AgentRun, LooplabState } from './types.ts';

export interface RunStep {
  /** 'start', a core action or a macro-action. */
  label: string;
  /** Schedule text after the step (undefined for the start: the history's schedule there). */
  scheduleText?: string;
  /** Measured GFLOPS (quick timing) when the run measured it. */
  gflops?: number;
  /** The cost model's predicted GFLOPS (the search only). */
  predictedGflops?: number;
  /** Ms since the run started (LoopTune's streamed steps). */
  elapsedMs?: number;
}

/** The run's steps after the start, in order. */
export function runSteps(run: AgentRun): RunStep[] {
  if (run.method === 'looptune')
    return run.steps.map((s) => ({
      label: s.action,
      scheduleText: s.scheduleText,
      gflops: s.gflops,
      elapsedMs: s.elapsedMs,
    }));
  return (run.search?.steps ?? []).map((s) => ({
    label: s.action,
    scheduleText: s.scheduleText,
    gflops: s.measured,
    predictedGflops: s.predictedGflops,
  }));
}

export function runLength(run: AgentRun): number {
  return run.method === 'looptune' ? run.steps.length : (run.search?.steps.length ?? 0);
}

/** The first step with the fastest measured schedule (0: the start), or 0 when nothing is measured. */
export function bestStepIndex(run: Pick<AgentRun, 'startGflops'>, steps: readonly { gflops?: number }[]): number {
  let best = run.startGflops ?? -Infinity;
  let at = 0;
  steps.forEach((s, i) => {
    if (s.gflops !== undefined && s.gflops > best) {
      best = s.gflops;
      at = i + 1;
    }
  });
  return at;
}

/**
 * Whether the agent lesson waits for a prediction of the rollout's next step: the page shows
 * nothing of the steps ahead (the agent panel's answer, the GFLOPS chart's later points).
 */
export function agentAnswerHidden(s: Pick<LooplabState, 'lessonId' | 'agentRun' | 'player'>): boolean {
  const run = s.agentRun;
  return s.lessonId === 'agent' && run !== null && run.status === 'done' && s.player.index < runLength(run);
}
