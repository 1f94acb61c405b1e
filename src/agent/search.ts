// LoopTune's search baselines over the agent's action space, from the default schedule (cursor
// on the outermost loop), ranked by measured GFLOPS, within an episode of `steps` (10) actions.
// Every search returns the best schedule it measured and the actions that reach it.
//
//   greedyN   Look ahead: measure every state reachable in 1..N actions (N capped by the steps
//             left); if the best is strictly faster than the current state, take the first
//             action of its path (all of them when the path ends the episode), else stop.
//             (LoopTune's greedy_search with lookahead 1 and 2 and unlimited width.) The
//             lookahead visits successors fastest first, depth first, and ties go to the path
//             found first (so a direct improvement beats moving the cursor towards an equal one).
//   beamKdfs  The tree in which every state's children are its K fastest successors (all
//             successors measured, ties in action order), walked depth first to depth `steps`.
//   beamKbfs  The same tree walked breadth first (LoopTune's beam_search_dfs / _bfs --width=K):
//             under a time budget, DFS reaches deep schedules early, BFS covers shallow ones.
//   random    Random walks of `steps` legal actions (uniform), each visited state measured,
//             until the budget is spent.
//
// A state already expanded with at least as many steps left is not expanded again, and a
// schedule is measured once per search (the cursor does not change the kernel). The budget
// (wall time and/or number of measurements) is checked before every measurement; once spent,
// the search returns the best so far.
import { AGENT_ACTIONS, applyAction, type Action } from '../core/actions.ts';
import { seededRandom } from '../core/random.ts';
import { defaultSchedule, printSchedule } from '../core/schedule.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';
import { EPISODE_STEPS } from './env.ts';
import type { GflopsOracle } from './oracle.ts';

export const SEARCH_METHODS = ['greedy1', 'greedy2', 'beam2dfs', 'beam4dfs', 'beam2bfs', 'beam4bfs', 'random'] as const;
export type SearchMethod = (typeof SEARCH_METHODS)[number];

/** Budget of the random search when none is given (LoopTune's 60 s). */
export const DEFAULT_RANDOM_BUDGET_MS = 60_000;

export interface SearchOptions {
  /** Actions per episode (default 10). */
  steps?: number;
  actions?: readonly Action[];
  /** Wall-time budget in ms (default: none, except random: 60 s). */
  budgetMs?: number;
  /** At most this many measurements (default: no limit). */
  maxEvaluations?: number;
  /** Seed of the random search (default 1). */
  seed?: number;
  /** Clock in ms (default performance.now). */
  now?: () => number;
  /** Called whenever the best schedule improves. */
  onImprove?: (best: SearchPoint) => void;
}

export interface SearchPoint {
  schedule: Schedule;
  gflops: number;
  /** Actions from the default schedule (cursor on the outermost loop). */
  actions: Action[];
  /** Ms since the search started. */
  elapsedMs: number;
}

export interface SearchResult extends SearchPoint {
  defaultGflops: number;
  /** Distinct schedules measured. */
  evaluations: number;
  /** Wall time of the whole search. */
  totalMs: number;
  /** Every improvement of the best schedule, in order (GFLOPS against tuning time). */
  trace: SearchPoint[];
  /** The budget ran out before the search finished. */
  budgetSpent: boolean;
}

interface Node {
  state: NestState;
  path: Action[];
  gflops: number;
}

const stateKey = (s: NestState) => `${printSchedule(s.schedule)}@${s.cursor}`;

/** Measurement with memo, budget and best-so-far bookkeeping shared by all searches. */
class Search {
  readonly steps: number;
  readonly actions: readonly Action[];
  private memo = new Map<string, number>();
  private start: number;
  private now: () => number;
  private budgetMs: number;
  private maxEvaluations: number;
  evaluations = 0;
  spent = false;
  best!: Node;
  bestAt = 0;
  trace: SearchPoint[] = [];

  constructor(
    readonly problem: Problem,
    private oracle: GflopsOracle,
    private options: SearchOptions,
    defaultBudgetMs = Infinity,
  ) {
    this.steps = options.steps ?? EPISODE_STEPS;
    this.actions = options.actions ?? AGENT_ACTIONS;
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.budgetMs = options.budgetMs ?? (options.maxEvaluations === undefined ? defaultBudgetMs : Infinity);
    this.maxEvaluations = options.maxEvaluations ?? Infinity;
  }

  /** GFLOPS of a schedule, or null once the budget is spent (the search should stop). */
  private async measure(schedule: Schedule): Promise<number | null> {
    const key = printSchedule(schedule);
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    if (this.evaluations >= this.maxEvaluations || this.now() - this.start >= this.budgetMs) {
      this.spent = true;
      return null;
    }
    this.evaluations++;
    const g = await this.oracle.gflops(this.problem, schedule);
    this.memo.set(key, g);
    return g;
  }

  /** The GFLOPS of a schedule measured earlier in this search. */
  known(schedule: Schedule): number | undefined {
    return this.memo.get(printSchedule(schedule));
  }

  /** The root node; null only when the budget allows no measurement at all. */
  async root(): Promise<Node | null> {
    const state: NestState = { schedule: defaultSchedule(this.problem), cursor: 0 };
    const g = await this.measure(state.schedule);
    if (g === null) return null;
    const node = { state, path: [], gflops: g };
    this.best = node;
    this.record(node);
    return node;
  }

  private record(node: Node) {
    this.bestAt = this.now() - this.start;
    const point = { schedule: node.state.schedule, gflops: node.gflops, actions: node.path, elapsedMs: this.bestAt };
    this.trace.push(point);
    this.options.onImprove?.(point);
  }

  /** Measures a successor; null when the budget is spent. */
  async child(node: Node, action: Action, state: NestState): Promise<Node | null> {
    const g = await this.measure(state.schedule);
    if (g === null) return null;
    const child = { state, path: [...node.path, action], gflops: g };
    if (g > this.best.gflops) {
      this.best = child;
      this.record(child);
    }
    return child;
  }

  /** Legal successors of a state, in action order (not measured). */
  successors(state: NestState): Array<{ action: Action; state: NestState }> {
    const out: Array<{ action: Action; state: NestState }> = [];
    for (const action of this.actions) {
      const r = applyAction(this.problem, state, action);
      if (r.ok) out.push({ action, state: r.state });
    }
    return out;
  }

  /** All successors measured, fastest first (stable: ties keep action order); null if the budget ran out. */
  async ranked(node: Node): Promise<Node[] | null> {
    const children: Node[] = [];
    for (const s of this.successors(node.state)) {
      const c = await this.child(node, s.action, s.state);
      if (c === null) return null;
      children.push(c);
    }
    return children.sort((a, b) => b.gflops - a.gflops);
  }

  result(defaultGflops: number): SearchResult {
    return {
      schedule: this.best.state.schedule,
      gflops: this.best.gflops,
      actions: this.best.path,
      elapsedMs: this.bestAt,
      defaultGflops,
      evaluations: this.evaluations,
      totalMs: this.now() - this.start,
      trace: this.trace,
      budgetSpent: this.spent,
    };
  }

  /** The result when not even the default schedule could be measured. */
  empty(): SearchResult {
    return {
      schedule: defaultSchedule(this.problem),
      gflops: 0,
      actions: [],
      elapsedMs: 0,
      defaultGflops: 0,
      evaluations: 0,
      totalMs: this.now() - this.start,
      trace: [],
      budgetSpent: true,
    };
  }
}

/** greedyN (N = lookahead). */
export async function greedySearch(
  problem: Problem,
  oracle: GflopsOracle,
  lookahead: number,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const ctx = new Search(problem, oracle, options);
  const root = await ctx.root();
  if (!root) return ctx.empty();
  let current = root;
  let t = 0;
  while (t < ctx.steps && !ctx.spent) {
    const horizon = Math.min(lookahead, ctx.steps - t);
    let bestLocal: Node | null = null;
    const explore = async (node: Node, depth: number): Promise<boolean> => {
      const children = await ctx.ranked(node);
      if (children === null) return false;
      for (const c of children) {
        if (c.gflops > (bestLocal?.gflops ?? current.gflops)) bestLocal = c;
        if (depth + 1 < horizon && !(await explore(c, depth + 1))) return false;
      }
      return true;
    };
    const base = current.path.length;
    await explore(current, 0);
    const found = bestLocal as Node | null;
    if (!found || ctx.spent) break;
    const rest = found.path.slice(base);
    const take = t + rest.length >= ctx.steps ? rest : rest.slice(0, 1);
    let state = current.state;
    for (const a of take) {
      const r = applyAction(problem, state, a);
      if (!r.ok) throw new Error(`greedy search replayed an illegal action ${a}: ${r.reason}`);
      state = r.state;
    }
    // Every state on the path was measured while looking ahead.
    current = { state, path: [...current.path, ...take], gflops: ctx.known(state.schedule) as number };
    t += take.length;
  }
  return ctx.result(root.gflops);
}

/** beamKdfs / beamKbfs (K = width). */
export async function beamSearch(
  problem: Problem,
  oracle: GflopsOracle,
  width: number,
  order: 'dfs' | 'bfs',
  options: SearchOptions = {},
): Promise<SearchResult> {
  const ctx = new Search(problem, oracle, options);
  const root = await ctx.root();
  if (!root) return ctx.empty();
  // Steps left with which a state was expanded.
  const expanded = new Map<string, number>();
  const shouldExpand = (node: Node) => {
    const left = ctx.steps - node.path.length;
    const key = stateKey(node.state);
    if (left <= 0 || (expanded.get(key) ?? -1) >= left) return false;
    expanded.set(key, left);
    return true;
  };
  if (order === 'dfs') {
    const visit = async (node: Node): Promise<boolean> => {
      if (!shouldExpand(node)) return true;
      const children = await ctx.ranked(node);
      if (children === null) return false;
      for (const c of children.slice(0, width)) if (!(await visit(c))) return false;
      return true;
    };
    await visit(root);
  } else {
    let frontier = [root];
    for (let depth = 0; depth < ctx.steps && frontier.length > 0 && !ctx.spent; depth++) {
      const next: Node[] = [];
      for (const node of frontier) {
        if (!shouldExpand(node)) continue;
        const children = await ctx.ranked(node);
        if (children === null) break;
        next.push(...children.slice(0, width));
      }
      frontier = next;
    }
  }
  return ctx.result(root.gflops);
}

/** Random walks until the budget is spent (default 60 s), or 1000 walks in a row find nothing new. */
export async function randomSearch(
  problem: Problem,
  oracle: GflopsOracle,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const ctx = new Search(problem, oracle, options, DEFAULT_RANDOM_BUDGET_MS);
  const root = await ctx.root();
  if (!root) return ctx.empty();
  const next = seededRandom(options.seed ?? 1);
  let idle = 0;
  while (!ctx.spent && idle < 1000) {
    const before = ctx.evaluations;
    let node = root;
    for (let t = 0; t < ctx.steps; t++) {
      const moves = ctx.successors(node.state);
      if (moves.length === 0) break;
      const pick = moves[Math.floor(next() * moves.length)];
      const c = await ctx.child(node, pick.action, pick.state);
      if (c === null) break;
      node = c;
    }
    idle = ctx.evaluations === before ? idle + 1 : 0;
  }
  return ctx.result(root.gflops);
}

/** Runs a search by its LoopTune name. */
export function runSearch(
  method: SearchMethod,
  problem: Problem,
  oracle: GflopsOracle,
  options: SearchOptions = {},
): Promise<SearchResult> {
  switch (method) {
    case 'greedy1':
      return greedySearch(problem, oracle, 1, options);
    case 'greedy2':
      return greedySearch(problem, oracle, 2, options);
    case 'beam2dfs':
      return beamSearch(problem, oracle, 2, 'dfs', options);
    case 'beam4dfs':
      return beamSearch(problem, oracle, 4, 'dfs', options);
    case 'beam2bfs':
      return beamSearch(problem, oracle, 2, 'bfs', options);
    case 'beam4bfs':
      return beamSearch(problem, oracle, 4, 'bfs', options);
    case 'random':
      return randomSearch(problem, oracle, options);
  }
}
