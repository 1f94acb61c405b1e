// Every tuning method by name (the CLIs' --method): the agent's greedy rollout, or a search.
import type { Problem } from '../core/types.ts';
import type { GflopsOracle } from './oracle.ts';
import type { FeatureMlp } from './policy.ts';
import { agentTune } from './rollout.ts';
import { SEARCH_METHODS, runSearch, type SearchMethod, type SearchResult } from './search.ts';

export const METHODS = ['agent', ...SEARCH_METHODS] as const;
export type Method = (typeof METHODS)[number];

/** LoopTune gave its searches 60 s; so do the beam and random searches here unless told otherwise. */
export const DEFAULT_SEARCH_BUDGET_MS = 60_000;

export interface TuneOptions {
  /** Required for 'agent'. */
  policy?: FeatureMlp;
  steps?: number;
  /** Wall-time budget of a search (default: none for greedy, 60 s for beam and random; the agent has none). */
  budgetMs?: number;
  seed?: number;
}

export function needsBudget(method: Method): boolean {
  return method.startsWith('beam') || method === 'random';
}

export async function tune(method: Method, problem: Problem, oracle: GflopsOracle, options: TuneOptions = {}): Promise<SearchResult> {
  if (method === 'agent') {
    if (!options.policy) throw new Error('the agent needs a policy');
    return agentTune(options.policy, problem, oracle, { steps: options.steps });
  }
  const budgetMs = options.budgetMs ?? (needsBudget(method) ? DEFAULT_SEARCH_BUDGET_MS : undefined);
  return runSearch(method as SearchMethod, problem, oracle, { steps: options.steps, budgetMs, seed: options.seed });
}
