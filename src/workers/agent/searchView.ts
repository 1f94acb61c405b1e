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
import { CACHE_LEVELS, reuseEstimate } from '../../agent/reuseModel.ts';
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

/** Smallest factor of change in one tensor's estimated misses worth saying. */
const MISSES_CHANGE_WORTH = 1.5;

/**
 * The largest change of one tensor's estimated misses at one level from `before` to `after`
 * ("B's L2 misses ÷8", "A's L1 misses ×2"), or undefined when none changes by MISSES_CHANGE_WORTH.
 */
export function missesChange(problem: Problem, before: Schedule, after: Schedule): string | undefined {
  const a = reuseEstimate(problem, before).missesPerFma;
  const b = reuseEstimate(problem, after).missesPerFma;
  const names = [problem.output.name, ...problem.inputs.map((t) => t.name)];
  let best: { ratio: number; text: string } | undefined;
  CACHE_LEVELS.forEach((level, l) => {
    names.forEach((name, t) => {
      const x = a[l][t];
      const y = b[l][t];
      if (!(x > 0 && y > 0)) return;
      const ratio = Math.max(x / y, y / x);
      if (ratio < MISSES_CHANGE_WORTH || (best && ratio <= best.ratio)) return;
      const factor = ratio >= 10 ? Math.round(ratio).toString() : ratio.toFixed(1).replace(/\.0$/, '');
      best = { ratio, text: `${name}'s ${level.name} misses ${x > y ? '÷' : '×'}${factor}` };
    });
  });
  return best?.text;
}

/** Estimated misses per 1,000 multiply-adds at each level (all tensors). */
function missesPerKFma(problem: Problem, schedule: Schedule): number[] {
  return reuseEstimate(problem, schedule).missesPerFma.map((perTensor) => 1000 * perTensor.reduce((s, x) => s + x, 0));
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
          missesPerKFma: missesPerKFma(problem, c.schedule),
        };
        const change = missesChange(problem, tileSchedule(problem, spec) as Schedule, c.schedule);
        if (change) view.missesChange = change;
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
