// The simulated misses of the agent's candidates: which schedules of the search's step on screen
// the cache worker is asked to simulate (after the rollout is measured, through memorySlice's one
// queue), and the figures and sentence the candidates table shows for them.
import type { CacheFigures } from '../core/cache/figures.ts';
import { missesChangeSentence } from '../core/cache/missesChange.ts';
import { agentAnswerHidden } from './agentRun.ts';
import type { AgentSearchResult, LooplabState, SearchStepView } from './types.ts';

/** How many measured candidates of a step are simulated (the fastest measured first). */
export const SIMULATED_CANDIDATES = 8;

/** The search step whose candidates the agent panel shows at player `index`, and the schedule its state holds. */
export function shownSearchStep(
  search: AgentSearchResult,
  index: number,
): { step: SearchStepView; at: number; before: string } | null {
  const n = search.steps.length;
  if (n === 0) return null;
  const at = Math.max(0, Math.min(index, n - 1));
  return { step: search.steps[at], at, before: at > 0 ? search.steps[at - 1].scheduleText : search.startScheduleText };
}

/**
 * The schedules whose simulated misses the candidates table shows now, in the order to ask: the
 * state's schedule and the chosen candidate (for the sentence), then the measured candidates,
 * fastest first. None while the rollout runs, for another problem, or while the lesson hides it.
 */
export function candidateMissesWanted(s: LooplabState): string[] {
  const run = s.agentRun;
  if (!s.panels.agent || !run || run.status !== 'done' || !run.search || run.problemKey !== s.problemKey) return [];
  if (agentAnswerHidden(s)) return [];
  const shown = shownSearchStep(run.search, s.player.index);
  if (!shown || shown.step.candidates.length === 0) return [];
  const { step, before } = shown;
  const chosen = step.candidates.find((c) => c.chosen);
  const measured = step.candidates
    .filter((c) => c.measured !== undefined)
    .sort((a, b) => (b.measured as number) - (a.measured as number))
    .slice(0, SIMULATED_CANDIDATES)
    .map((c) => c.scheduleText);
  const out: string[] = [];
  for (const text of [before, chosen?.scheduleText, ...measured])
    if (text !== undefined && !out.includes(text)) out.push(text);
  return out;
}

/** A candidate's simulated misses per 1,000 multiply-adds in its first two levels, as the table shows them. */
export interface SimulatedMisses {
  levels: { name: string; perKFma: number }[];
  machine: string;
  sampled: boolean;
}

export function simulatedMisses(figures: CacheFigures): SimulatedMisses {
  return {
    levels: figures.levels.slice(0, 2).map((l) => ({ name: l.name, perKFma: l.total.missesPer1000Fma })),
    machine: figures.machine.name,
    sampled: figures.method === 'sampled',
  };
}

/** The chosen candidate's largest change of simulated misses from the state's schedule, in the memory view's words. */
export function chosenMissesSentence(
  before: CacheFigures | undefined,
  chosen: CacheFigures | undefined,
): string | null {
  return before && chosen ? missesChangeSentence(before, chosen, 1) : null;
}
