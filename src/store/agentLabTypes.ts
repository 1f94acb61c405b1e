// The agent lab's state in the store, and what the store needs of the lab (agentLabSlice.ts).
import type { LabFineTuneResult, LabWorkerApi, RaceMethod, RacePoint } from '../workers/lab/protocol.ts';
import type { PolicyStorage, SavedPolicyMeta } from './savedPolicies.ts';

export type { RaceMethod, RacePoint } from '../workers/lab/protocol.ts';

/** What the slice needs of the lab (its worker and the learning curve's file in the page; a fake in tests). */
export interface LabService extends LabWorkerApi {
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
  /** Makes a method's best schedule of the race the playground's: appended to the history, credited to the method. */
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
