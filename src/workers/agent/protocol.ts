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

/** The page's two agents: the cost model's search over tile macro-actions, or LoopTune's PPO rollout. */
export type AgentMethod = 'agent' | 'looptune';

/** One option the search had in a state: a macro-action and the schedule it leads to. */
export interface SearchCandidateView {
  /** A macro-action (`tile_m_4`, `rtile_32`). */
  action: string;
  scheduleText: string;
  /** The cost model's prediction: the share of the problem's best schedule (about 0..1). */
  predicted: number;
  /** `predicted` x the fastest GFLOPS measured in this search (see AgentSearchResult.scaleGflops). */
  predictedGflops: number;
  /** GFLOPS when the search measured it (quick timing, no check). */
  measured?: number;
  /** The action the path takes from this state. */
  chosen: boolean;
  /**
   * Estimated cache misses per 1,000 multiply-adds at L1, L2 and L3 (the analytic reuse estimate
   * the cost model reads, src/agent/reuseModel.ts; not the simulator's count).
   */
  missesPerKFma?: number[];
  /** The largest change in one tensor's estimated misses at one level from the state's schedule, e.g. "B's L2 misses ÷8". */
  missesChange?: string;
}

/** One step of the search's path to its answer. */
export interface SearchStepView {
  /** 1-based: step i leads from the schedule of step i-1 (0: the start) to this one. */
  index: number;
  /** A macro-action, or NEAREST_SPEC_STEP (from a person's schedule to its nearest tile spec). */
  action: string;
  scheduleText: string;
  predicted?: number;
  predictedGflops?: number;
  measured?: number;
  /** What the search considered in the state before this step, best predicted first. */
  candidates: SearchCandidateView[];
}

/** The first step of a search continued from a person's schedule that is not a tile spec. */
export const NEAREST_SPEC_STEP = 'nearest tile spec';

export interface AgentSearchResult {
  startScheduleText: string;
  /**
   * GFLOPS of the start: measured by the search when it continues from a person's schedule (a
   * candidate like the others), else the page's figure when it had one.
   */
  startGflops?: number;
  /** 'untiled': the search started from the untiled spec; 'nearest': from the nearest tile spec of the person's schedule. */
  from: 'untiled' | 'nearest';
  /** 'improved': the path's end is the fastest measured; 'kept-start': nothing measured beat the person's schedule (no steps). */
  outcome: 'improved' | 'kept-start';
  steps: SearchStepView[];
  best: { scheduleText: string; gflops: number };
  /** Every schedule measured, in the order measured. */
  measured: { scheduleText: string; gflops: number; predictedGflops: number }[];
  /** The fastest GFLOPS measured: predicted shares of the best are shown as GFLOPS by this scale. */
  scaleGflops: number;
  /** Candidates scored by the cost model. */
  scored: number;
  /** Search: scoring, generating, compiling and timing kernels, ms. */
  tuningMs: number;
  /** One-time work before it in this call (code generator, tfjs, the cost model), ms. */
  setupMs: number;
}

export interface AgentWorkerApi {
  /** Loads a policy (null: the shipped one) for the next rollouts; rejects with a message when it is missing or damaged. */
  loadPolicy(files: ModelFiles | null): Promise<AgentPolicyInfo>;
  /** Rolls the current policy out on the problem (DSL text) from `start` (null: the default schedule, cursor 0). */
  tune(problemText: string, start: AgentStart | null, onStep?: (step: AgentStepView) => void): Promise<AgentTuneResult>;
  /**
   * The agent's search (cost model + beam search over macro-actions, the best few measured within
   * 1 s) from `start` (null: the default schedule). From a person's schedule it measures that
   * schedule and starts from its nearest tile spec; the answer is never slower than the start.
   */
  search(problemText: string, start: AgentStart | null): Promise<AgentSearchResult>;
  /** Loads the shipped cost model and warms the search up (the page calls it while idle); rejects with the reason. */
  loadCostModel(): Promise<void>;
}
