// Every tuning method by name (the CLIs' --method): the agent (the cost model's beam search over
// macro-actions, tileSearch.ts), LoopTune's agent (the greedy rollout of the policy), the expert
// grid (expert.ts), or one of LoopTune's searches.
import type { Problem, Schedule } from '../core/types.ts';
import { expertGrid, expertTune } from './expert.ts';
import type { GflopsOracle } from './oracle.ts';
import type { FeatureMlp } from './policy.ts';
import { agentTune } from './rollout.ts';
import { SEARCH_METHODS, runSearch, type SearchMethod } from './search.ts';
import { tileSearch, type Scorer, type TileSearchOptions } from './tileSearch.ts';

export const METHODS = ['agent', 'looptune', 'expert', ...SEARCH_METHODS] as const;
export type Method = (typeof METHODS)[number];

/** LoopTune gave its searches 60 s; so do the beam and random searches here unless told otherwise. */
export const DEFAULT_SEARCH_BUDGET_MS = 60_000;

export interface TuneOptions {
  /** Required for 'looptune'. */
  policy?: FeatureMlp;
  /** Required for 'agent': the cost model's predicted GFLOPS. */
  scorer?: Scorer;
  /** The agent's search settings (its budget is `budgetMs`). */
  agentSearch?: Omit<TileSearchOptions, 'budgetMs'>;
  steps?: number;
  /** Wall-time budget of a search (default: none for greedy, 60 s for beam and random, 1 s for the agent; LoopTune's agent and the expert have none). */
  budgetMs?: number;
  seed?: number;
}

/** What every method answers. */
export interface TuneResult {
  schedule: Schedule;
  gflops: number;
  /** The actions (LoopTune's, or the agent's macro-actions) from the default schedule; none for the expert. */
  actions: readonly string[];
  /** Kernels measured. */
  evaluations: number;
  totalMs: number;
  /** Readying the oracle before the clock started (the agent's search: buffers, the process's first kernel). */
  setupMs?: number;
  budgetSpent: boolean;
}

export function needsBudget(method: Method): boolean {
  return method.startsWith('beam') || method === 'random';
}

/** Methods whose tuning is limited by --budget-s (the agent has its own 1-s default). */
export function takesBudget(method: Method): boolean {
  return needsBudget(method) || method.startsWith('greedy');
}

export async function tune(
  method: Method,
  problem: Problem,
  oracle: GflopsOracle,
  options: TuneOptions = {},
): Promise<TuneResult> {
  switch (method) {
    case 'agent':
      if (!options.scorer) throw new Error('the agent needs a cost model');
      return tileSearch(problem, oracle, options.scorer, {
        seeds: expertGrid(problem).map((e) => e.spec),
        ...options.agentSearch,
        ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
      });
    case 'looptune':
      if (!options.policy) throw new Error("LoopTune's agent needs a policy");
      return agentTune(options.policy, problem, oracle, { steps: options.steps });
    case 'expert':
      return expertTune(problem, oracle);
    default: {
      const budgetMs = options.budgetMs ?? (needsBudget(method) ? DEFAULT_SEARCH_BUDGET_MS : undefined);
      return runSearch(method as SearchMethod, problem, oracle, { steps: options.steps, budgetMs, seed: options.seed });
    }
  }
}
