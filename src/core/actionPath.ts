// The shortest action sequence from one nest state to a given schedule: what a person would have
// typed to get there. A* over the core's actions, with splits limited to the factors the target
// uses for the loop's variable (the trips of its inner loops) and no more loops than either end
// has, so the search stays small; past `maxStates` states it gives up and the caller sets the
// schedule in one step instead. Within that space the path found is a shortest one: the estimate
// never exceeds the actions left and drops by at most one per action (see `estimate`).
import { type Action, applyAction } from './actions.ts';
import type { Loop, NestState, Problem, Schedule } from './types.ts';

export interface ActionPathOptions {
  /**
   * States explored before giving up (default 6 000, a few ms here: typing a schedule the search
   * can't reach must not hold the page up; enough for a matmul register tile, e.g. 13 actions to
   * `k m n k:32 m:2 n:16`).
   */
  maxStates?: number;
}

export const DEFAULT_MAX_PATH_STATES = 6_000;

function scheduleKey(loops: readonly Loop[]): string {
  let key = '';
  for (const l of loops) {
    key += l.parallel ? `||${l.variable}:${l.trip}r${l.tail}` : `${l.variable}:${l.trip}r${l.tail}`;
    key += l.packs && l.packs.length > 0 ? `p${l.packs.join('+')} ` : ' ';
  }
  return key;
}

/** The inputs packed somewhere in the nest, sorted: no action adds or drops one (they move with their loops). */
function packedInputs(schedule: Schedule): string {
  return schedule.loops
    .flatMap((l) => l.packs ?? [])
    .sort()
    .join(' ');
}

/** Per variable, the split factors that can lead to `target`: the trips of its loops below the outermost. */
function targetFactors(target: Schedule): Map<string, Set<number>> {
  const factors = new Map<string, Set<number>>();
  for (const loop of target.loops) {
    const known = factors.get(loop.variable);
    if (!known) factors.set(loop.variable, new Set());
    else if (loop.trip >= 2) known.add(loop.trip);
  }
  return factors;
}

/** What the estimate compares with: per variable (by index) its loops, the rank of its outermost loop; the parallel variable. */
interface Goal {
  index: Map<string, number>;
  counts: number[];
  parallel: number;
}

function goalOf(target: Schedule): Goal {
  const index = new Map<string, number>();
  const counts: number[] = [];
  let parallel = -1;
  for (const l of target.loops) {
    let v = index.get(l.variable);
    if (v === undefined) {
      v = index.size;
      index.set(l.variable, v);
      counts.push(0);
    }
    counts[v]++;
    if (l.parallel) parallel = v;
  }
  return { index, counts, parallel };
}

/**
 * A lower bound on the actions left, by three kinds of action that no other kind can stand in for:
 * - a split adds one loop over its variable and a merge removes one (nothing else changes the
 *   counts): at least the difference in loops per variable;
 * - the outermost loop over a variable is never created nor removed (a split puts the new loop
 *   inside, a merge removes the inner one), and only a swap of two of them changes their order: at
 *   least one swap per pair of variables whose outermost loops are in the wrong order;
 * - only `parallel` puts the mark on a loop of another variable or takes it off: one more when the
 *   marked variable differs.
 * Each action changes at most one of the three, by one, so the bound is consistent and A* with it
 * returns a shortest path. (Variables of the target are numbered in the order of their outermost
 * loops, so that number is also the rank.)
 */
function estimate(loops: readonly Loop[], goal: Goal): number {
  const counts = new Array<number>(goal.counts.length).fill(0);
  const outermost: number[] = [];
  let parallel = -1;
  for (const l of loops) {
    const v = goal.index.get(l.variable) ?? 0;
    if (counts[v]++ === 0) outermost.push(v);
    if (l.parallel) parallel = v;
  }
  let cost = parallel === goal.parallel ? 0 : 1;
  for (let v = 0; v < counts.length; v++) cost += Math.abs(goal.counts[v] - counts[v]);
  for (let i = 0; i < outermost.length; i++)
    for (let j = i + 1; j < outermost.length; j++) if (outermost[i] > outermost[j]) cost++;
  return cost;
}

interface Node {
  key: string;
  /** `key` without the cursor: the schedule's key. */
  loopsKey: string;
  state: NestState;
  cost: number;
  priority: number;
}

/** A binary min-heap on `priority` (ties: the deeper node, then the older one, which keeps paths stable). */
class Frontier {
  private heap: { node: Node; order: number }[] = [];
  private pushed = 0;

  get size(): number {
    return this.heap.length;
  }

  push(node: Node): void {
    const h = this.heap;
    h.push({ node, order: this.pushed++ });
    for (let i = h.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!this.less(i, up)) break;
      [h[i], h[up]] = [h[up], h[i]];
      i = up;
    }
  }

  pop(): Node {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(l, m)) m = l;
        if (r < h.length && this.less(r, m)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top.node;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    if (x.node.priority !== y.node.priority) return x.node.priority < y.node.priority;
    if (x.node.cost !== y.node.cost) return x.node.cost > y.node.cost;
    return x.order < y.order;
  }
}

/**
 * The shortest list of actions taking `from` to a state whose schedule is `target` (any cursor),
 * [] when it is there already, or null when no sequence is found within `maxStates` states.
 * A* search: the estimate never exceeds the actions left, so the path found is a shortest.
 */
export function actionPath(
  problem: Problem,
  from: NestState,
  target: Schedule,
  options: ActionPathOptions = {},
): Action[] | null {
  const maxStates = options.maxStates ?? DEFAULT_MAX_PATH_STATES;
  const goalKey = scheduleKey(target.loops);
  if (scheduleKey(from.schedule.loops) === goalKey) return [];
  if (packedInputs(from.schedule) !== packedInputs(target)) return null;
  if (!chainsReachable(problem, from.schedule, target)) return null;
  const goal = goalOf(target);
  const splits = new Map(
    [...targetFactors(target)].map(([v, f]) => [v, [...f].map((x) => ({ action: `split_${x}` as Action, factor: x }))]),
  );
  const maxLoops = Math.max(target.loops.length, from.schedule.loops.length);
  const parent = new Map<string, { prev: string; action: Action } | null>();
  const best = new Map<string, number>();
  const startLoopsKey = scheduleKey(from.schedule.loops);
  const startKey = `${startLoopsKey}@${from.cursor}`;
  parent.set(startKey, null);
  best.set(startKey, 0);
  const frontier = new Frontier();
  frontier.push({
    key: startKey,
    loopsKey: startLoopsKey,
    state: from,
    cost: 0,
    priority: estimate(from.schedule.loops, goal),
  });
  const reach = (node: Node, action: Action, state: NestState, loopsKey: string, priority: () => number): boolean => {
    const childKey = `${loopsKey}@${state.cursor}`;
    const childCost = node.cost + 1;
    if (childCost >= (best.get(childKey) ?? Number.POSITIVE_INFINITY)) return true;
    best.set(childKey, childCost);
    parent.set(childKey, { prev: node.key, action });
    if (best.size >= maxStates) return false;
    frontier.push({ key: childKey, loopsKey, state, cost: childCost, priority: childCost + priority() });
    return true;
  };
  const tryAction = (node: Node, action: Action): boolean => {
    const r = applyAction(problem, node.state, action);
    if (!r.ok) return true;
    const loops = r.state.schedule.loops;
    return reach(node, action, r.state, scheduleKey(loops), () => estimate(loops, goal));
  };
  // A cursor move keeps the schedule (and so its key and estimate): no need to build a new one.
  const move = (node: Node, action: 'up' | 'down'): boolean => {
    const { schedule, cursor } = node.state;
    const state = { schedule, cursor: cursor + (action === 'up' ? -1 : 1) };
    return reach(node, action, state, node.loopsKey, () => node.priority - node.cost);
  };
  while (frontier.size > 0) {
    const node = frontier.pop();
    const { state, cost } = node;
    if (cost > (best.get(node.key) ?? Number.POSITIVE_INFINITY)) continue;
    if (node.loopsKey === goalKey) return pathTo(parent, node.key);
    // Only what the core would not refuse for a plain reason (saves building its message).
    const { loops } = state.schedule;
    const c = state.cursor;
    const here = loops[c];
    const n = loops.length;
    let merges = false;
    for (let i = 0; i < c && !merges; i++) merges = loops[i].variable === here.variable;
    const ok =
      (c > 0 ? move(node, 'up') : true) &&
      (c < n - 1 ? move(node, 'down') : true) &&
      (c > 0 && loops[c - 1].variable !== here.variable ? tryAction(node, 'swap_up') : true) &&
      (c < n - 1 && loops[c + 1].variable !== here.variable ? tryAction(node, 'swap_down') : true) &&
      (merges ? tryAction(node, 'merge') : true) &&
      tryAction(node, 'parallel') &&
      (n < maxLoops
        ? (splits.get(here.variable) ?? []).every((s) => s.factor > here.trip || tryAction(node, s.action))
        : true);
    if (!ok) return null;
  }
  return null;
}

/** Most chain states `chainsReachable` looks at per variable before it assumes the chain reachable. */
const MAX_CHAIN_STATES = 2_000;

/**
 * False when, for some variable, no splits (by the target's factors) and merges turn the loops over
 * it in `from` into those in `target`, so that the search need not run to its bound. A variable's
 * trips and tails depend only on its own loops, and the other variables keep at least one loop
 * each: a relaxation of the search, so false means out of reach. True when unsure.
 */
function chainsReachable(problem: Problem, from: Schedule, target: Schedule): boolean {
  const factors = targetFactors(target);
  const maxLoops = Math.max(target.loops.length, from.loops.length);
  const chain = (s: Schedule, v: string): Loop[] =>
    s.loops.filter((l) => l.variable === v).map((l) => ({ variable: v, trip: l.trip, tail: l.tail }));
  for (const [v, f] of factors) {
    const longest = maxLoops - (factors.size - 1);
    const goal = scheduleKey(chain(target, v));
    const start = chain(from, v);
    const seen = new Set([scheduleKey(start)]);
    const queue = [start];
    let found = seen.has(goal);
    for (let i = 0; i < queue.length && !found && seen.size < MAX_CHAIN_STATES; i++) {
      const loops = queue[i];
      for (let c = 0; c < loops.length && !found; c++) {
        const moves: Action[] = c > 0 ? ['merge'] : [];
        if (loops.length < longest) for (const x of f) if (x <= loops[c].trip) moves.push(`split_${x}`);
        for (const action of moves) {
          const r = applyAction(problem, { schedule: { loops }, cursor: c }, action);
          if (!r.ok) continue;
          const key = scheduleKey(r.state.schedule.loops);
          if (seen.has(key)) continue;
          seen.add(key);
          queue.push(r.state.schedule.loops);
          if (key === goal) found = true;
        }
      }
    }
    if (!found && seen.size < MAX_CHAIN_STATES) return false;
  }
  return true;
}

function pathTo(parent: Map<string, { prev: string; action: Action } | null>, key: string): Action[] {
  const path: Action[] = [];
  for (let step = parent.get(key); step; step = parent.get(step.prev)) path.push(step.action);
  return path.reverse();
}
