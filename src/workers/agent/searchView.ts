// The agent's search (tileSearch.ts) as the page shows it: the path of macro-actions to its
// answer, and at each step every option it had in that state with the cost model's prediction and,
// where measured, the measured figure.
//
// The cost model predicts a schedule's share of the problem's best schedule, not GFLOPS; the page
// shows it as GFLOPS by one scale, the fastest schedule measured in the search (the best the
// search knows of): predicted GFLOPS = predicted share x fastest measured.
import { printSchedule } from '../../core/schedule.ts';
import type { Problem, Schedule } from '../../core/types.ts';
import type { Candidate, TileSearchResult } from '../../agent/tileSearch.ts';
import { applyMacro, macroActions, specKey, tileSchedule, type TileSpec } from '../../agent/tileSpace.ts';
import {
  NEAREST_SPEC_STEP,
  type AgentSearchResult,
  type SearchCandidateView,
  type SearchStepView,
} from './protocol.ts';

export interface SearchViewInput {
  problem: Problem;
  start: Schedule;
  /** The spec the search started from. */
  root: TileSpec;
  from: AgentSearchResult['from'];
  /** GFLOPS of the start: measured by the search ('nearest') or the page's figure. */
  startGflops?: number;
  result: TileSearchResult;
  tuningMs: number;
  setupMs: number;
}

export function searchView(input: SearchViewInput): AgentSearchResult {
  const { problem, start, root, from, startGflops, result } = input;
  const startText = printSchedule(start);
  const keptStart = from === 'nearest' && startGflops !== undefined && startGflops >= result.gflops;
  const scale = Math.max(result.gflops, keptStart ? (startGflops as number) : 0);
  const scored = new Map<string, Candidate>();
  for (const c of result.rounds.flat()) scored.set(specKey(c.spec), c);
  const figures = (c: Candidate | undefined) =>
    c ? { predicted: c.predicted, predictedGflops: c.predicted * scale, measured: c.measured } : {};
  const actions = macroActions(problem).filter((a) => a !== 'stop');

  const steps: SearchStepView[] = [];
  if (!keptStart) {
    const rootText = printSchedule(tileSchedule(problem, root) as Schedule);
    if (rootText !== startText) {
      steps.push({
        index: 1,
        action: NEAREST_SPEC_STEP,
        scheduleText: rootText,
        ...figures(scored.get(specKey(root))),
        candidates: [],
      });
    }
    let spec = root;
    for (const action of result.actions) {
      const candidates: SearchCandidateView[] = [];
      for (const a of actions) {
        const next = applyMacro(problem, spec, a);
        const c = next && scored.get(specKey(next));
        if (!c) continue;
        const view: SearchCandidateView = {
          action: a,
          scheduleText: printSchedule(c.schedule),
          predicted: c.predicted,
          predictedGflops: c.predicted * scale,
          chosen: a === action,
        };
        if (c.measured !== undefined) view.measured = c.measured;
        candidates.push(view);
      }
      candidates.sort((a, b) => b.predicted - a.predicted);
      const next = applyMacro(problem, spec, action) as TileSpec;
      const c = scored.get(specKey(next));
      steps.push({
        index: steps.length + 1,
        action,
        scheduleText: printSchedule(tileSchedule(problem, next) as Schedule),
        ...figures(c),
        candidates,
      });
      spec = next;
    }
  }
  const view: AgentSearchResult = {
    startScheduleText: startText,
    from,
    outcome: keptStart ? 'kept-start' : 'improved',
    steps,
    best: keptStart
      ? { scheduleText: startText, gflops: startGflops as number }
      : { scheduleText: printSchedule(result.schedule), gflops: result.gflops },
    measured: result.measuredCandidates.map((c) => ({
      scheduleText: printSchedule(c.schedule),
      gflops: c.measured as number,
      predictedGflops: c.predicted * scale,
    })),
    scaleGflops: scale,
    scored: result.scored,
    tuningMs: input.tuningMs,
    setupMs: input.setupMs,
  };
  if (startGflops !== undefined) view.startGflops = startGflops;
  return view;
}
