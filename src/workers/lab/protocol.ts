// What the page and the agent lab's worker say to each other: types and the methods the page races
// by default. The imports are types (erased at build time): no tfjs, no generator in the page.
import type { Action } from '../../core/actions.ts';
import type { FineTuneEpisode, FineTuneResult } from '../../agent/fineTune.ts';
import type { ModelFiles } from '../../agent/policy.ts';
import type { SearchMethod } from '../../agent/search.ts';

/** The agent (cost model + search), LoopTune's agent (the PPO policy's rollout), the expert grid, or a search. */
export type RaceMethod = 'agent' | 'looptune' | 'expert' | SearchMethod;
/** What the page races unless told otherwise. */
export const DEFAULT_RACE_METHODS: RaceMethod[] = [
  'agent',
  'looptune',
  'expert',
  'greedy1',
  'greedy2',
  'beam4bfs',
  'random',
];
/** The methods whose tuning is limited by the race's budget (the others have their own: the agent's 1 s, none for LoopTune and the expert). */
export const BUDGETED_RACE_METHODS: readonly RaceMethod[] = [
  'greedy1',
  'greedy2',
  'beam2dfs',
  'beam4dfs',
  'beam2bfs',
  'beam4bfs',
  'random',
];

export interface RacePoint {
  gflops: number;
  /** Ms since the method started tuning. */
  elapsedMs: number;
  schedule: string;
  /**
   * Core actions from the default schedule (cursor on the outermost loop) for LoopTune and the
   * searches; none for the agent and the expert, whose schedules are whole tile specs.
   */
  actions: Action[];
}

export interface MethodRun {
  method: RaceMethod;
  /** Every improvement of the best schedule, in order (the last one is the best). */
  trace: RacePoint[];
  /** Tuning time of the whole run, ms. */
  totalMs: number;
  evaluations: number;
  budgetSpent: boolean;
  cancelled: boolean;
  /** Why the method failed, if it did (the race goes on with the next one). */
  error?: string;
}

export type RaceEvent =
  | { kind: 'default'; gflops: number }
  | { kind: 'start'; method: RaceMethod }
  | { kind: 'improve'; method: RaceMethod; point: RacePoint }
  /** Sent while a method runs (at most every TICK_MS): its tuning time so far. */
  | { kind: 'tick'; method: RaceMethod; elapsedMs: number }
  | { kind: 'done'; run: MethodRun };

export interface RaceOptions {
  methods?: RaceMethod[];
  /** Wall-time budget of each search, ms (the agent has its own 1 s; LoopTune's rollout and the expert none). */
  budgetMs: number;
  /** LoopTune's policy; null for the shipped one. */
  policy?: ModelFiles | null;
  seed?: number;
}

export interface RaceResult {
  /** GFLOPS of the default schedule, measured once before the race. */
  defaultGflops: number;
  runs: MethodRun[];
  cancelled: boolean;
}

/** 'before': the greedy rollout of the policy as it is; 'training': the first episode is done. */
export type FineTuneEvent = { kind: 'phase'; phase: 'before' | 'training' } | ({ kind: 'episode' } & FineTuneEpisode);

export interface LabFineTuneOptions {
  policy?: ModelFiles | null;
  budgetSec: number;
  seed?: number;
}

/** fineTune's answer without the live policy (it stays in the worker), plus the peak used for rewards. */
export type LabFineTuneResult = Omit<FineTuneResult, 'policy'> & { peakGflops: number };

export interface LabWorkerApi {
  race(problemText: string, options: RaceOptions, onEvent?: (e: RaceEvent) => void): Promise<RaceResult>;
  fineTune(
    problemText: string,
    options: LabFineTuneOptions,
    onEvent?: (e: FineTuneEvent) => void,
  ): Promise<LabFineTuneResult>;
  /** Stops the run in progress (no-op when none runs). */
  cancel(): void;
}
