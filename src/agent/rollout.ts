// The agent tuning a problem: a greedy rollout of the policy from the default schedule (cursor on
// the outermost loop; the page may start it elsewhere) for `steps` actions, taking at every step
// the legal action with the highest output (Q-value of a DQN policy, logit of a PPO one: its most
// likely action), measuring every schedule it visits, and answering with the fastest one. Every
// step is recorded with all outputs and the legality of every action (for the page's player).
import { applyAction, legalActions, type Action, type ActionLegality } from '../core/actions.ts';
import { defaultSchedule } from '../core/schedule.ts';
import type { NestState, Problem } from '../core/types.ts';
import type { GflopsOracle } from './oracle.ts';
import { bestLegal, type FeatureMlp } from './policy.ts';
import type { SearchPoint, SearchResult } from './search.ts';

export interface RolloutStep {
  /** The state the action was chosen in. */
  before: NestState;
  /** The network's output for every action of the policy's action space (illegal ones included). */
  outputs: number[];
  legality: ActionLegality[];
  action: Action;
  after: NestState;
  gflops: number;
}

export interface AgentResult extends SearchResult {
  steps: RolloutStep[];
}

export interface RolloutOptions {
  steps?: number;
  now?: () => number;
  /** Where the rollout starts (default: LoopTune's, the default schedule with the cursor on loop 0). */
  start?: NestState;
  /** Called after every step is measured (the page streams the steps to its player). */
  onStep?: (step: RolloutStep, index: number, elapsedMs: number) => void;
  /** The start schedule's GFLOPS when the caller has already measured it (the page's performance panel). */
  startGflops?: number;
}

export async function agentTune(
  policy: FeatureMlp,
  problem: Problem,
  oracle: GflopsOracle,
  options: RolloutOptions = {},
): Promise<AgentResult> {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const total = options.steps ?? policy.metadata.steps;
  let state: NestState = options.start ?? { schedule: defaultSchedule(problem), cursor: 0 };
  const measured = new Map<string, number>();
  const measure = async (s: NestState) => {
    const key = JSON.stringify(s.schedule.loops);
    let g = measured.get(key);
    if (g === undefined) {
      g = await oracle.gflops(problem, s.schedule);
      measured.set(key, g);
    }
    return g;
  };
  if (options.startGflops !== undefined) measured.set(JSON.stringify(state.schedule.loops), options.startGflops);
  const defaultGflops = await measure(state);
  let best: SearchPoint = { schedule: state.schedule, gflops: defaultGflops, actions: [], elapsedMs: now() - start };
  const trace = [best];
  const steps: RolloutStep[] = [];
  const actions: Action[] = [];
  for (let t = 0; t < total; t++) {
    const legality = legalActions(problem, state, policy.actions);
    const outputs = policy.qValues(problem, state, total - t);
    const i = bestLegal(
      outputs,
      legality.map((l) => l.ok),
    );
    if (i < 0) break;
    const action = policy.actions[i];
    const r = applyAction(problem, state, action);
    if (!r.ok) throw new Error(`the policy chose an illegal action ${action}: ${r.reason}`);
    const gflops = await measure(r.state);
    actions.push(action);
    const step: RolloutStep = { before: state, outputs, legality, action, after: r.state, gflops };
    steps.push(step);
    options.onStep?.(step, t, now() - start);
    state = r.state;
    if (gflops > best.gflops) {
      best = { schedule: state.schedule, gflops, actions: [...actions], elapsedMs: now() - start };
      trace.push(best);
    }
  }
  return {
    ...best,
    defaultGflops,
    evaluations: measured.size,
    totalMs: now() - start,
    trace,
    budgetSpent: false,
    steps,
  };
}
