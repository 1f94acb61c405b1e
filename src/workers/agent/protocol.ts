// What the page and the agent worker say to each other: types only (the imports are types, erased
// at build time), so the store can name them without pulling tfjs or the generator into the page.
import type { Action } from '../../core/actions.ts';
import type { ModelFiles } from '../../agent/policy.ts';

/**
 * What the bars show: a DQN policy's Q-values, or a PPO policy's probabilities (softmax of its
 * logits over the legal actions).
 */
export type AgentValueKind = 'q-value' | 'probability';

/** One action's value in one state, as the page shows it. */
export interface AgentActionValue {
  action: Action;
  /** Its Q-value or probability (see the step's `valueKind`). */
  value: number;
  /** The network's output for it (the Q-value again, or the logit the probability came from). */
  output: number;
  legal: boolean;
  /** Why the core refuses the action (illegal ones only). */
  reason?: string;
}

/** One step of a rollout, as it travels to the page. */
export interface AgentStepView {
  /** 0-based. */
  index: number;
  action: Action;
  /** Every action of the policy's action space, in its order, in the state the action was chosen in. */
  values: AgentActionValue[];
  valueKind: AgentValueKind;
  /** The schedule after the action (printSchedule) and the cursor. */
  scheduleText: string;
  cursor: number;
  /** GFLOPS of the schedule after the action (quick timing, no check). */
  gflops: number;
  /** Time since the rollout started, ms. */
  elapsedMs: number;
}

export interface AgentTuneResult {
  /** GFLOPS of the start schedule. */
  startGflops: number;
  steps: AgentStepView[];
  /** The rollout: policy forward passes, generating, compiling and timing kernels (ms). */
  tuningMs: number;
  /** One-time work before the rollout in this call (code generator, tfjs, policy), ms. */
  setupMs: number;
}

export interface AgentPolicyInfo {
  featureSet: string;
  actions: Action[];
  /** Episode length the policy was trained for (the rollout's length). */
  steps: number;
}

/** Where a rollout starts: a schedule (DSL notation) and the cursor's loop index. */
export interface AgentStart {
  scheduleText: string;
  cursor: number;
  /** Its GFLOPS, when the page has measured it already (checked, quick figure): not timed again. */
  gflops?: number;
}

export interface AgentWorkerApi {
  /** Loads a policy (null: the shipped one) for the next rollouts; rejects with a message when it is missing or damaged. */
  loadPolicy(files: ModelFiles | null): Promise<AgentPolicyInfo>;
  /** Rolls the current policy out on the problem (DSL text) from `start` (null: the default schedule, cursor 0). */
  tune(problemText: string, start: AgentStart | null, onStep?: (step: AgentStepView) => void): Promise<AgentTuneResult>;
}
