// The shortest action sequence from one nest state to a given schedule: what a person would have
// typed to get there. A* over the core's actions, with splits limited to the factors the target
// uses for the loop's variable (the trips of its inner loops) and no more loops than either end
// has, so the search stays small; past `maxStates` states it gives up and the caller sets the
// schedule in one step instead.
import { type Action, applyAction, splitFactor } from './actions.ts';
import type { NestState, Problem, Schedule } from './types.ts';

export interface ActionPathOptions {
  /**
   * States explored before giving up (default 20 000, some 50 ms: enough for a matmul register
   * tile, e.g. 13 actions to `k m n k:32 m:2 n:16`; a conv tile of three loops moved below three
   * reduction loops takes about 25 actions and more states).
   */
  maxStates?: number;
}

export const DEFAULT_MAX_PATH_STATES = 20_000;

function scheduleKey(schedule: Schedule): string {
  return schedule.loops.map((l) => `${l.parallel ? '||' : ''}${l.variable}:${l.trip}r${l.tail}`).join(' ');
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

/** Loop labels `v#i` (the i-th loop over v from the outside), for matching loops across schedules. */
function labels(schedule: Schedule): string[] {
  const count = new Map<string, number>();
  return schedule.loops.map((l) => {
    const i = count.get(l.variable) ?? 0;
    count.set(l.variable, i + 1);
    return `${l.variable}#${i}`;
  });
}

/**
 * A lower bound on the actions left: every missing or extra loop takes a split or a merge, every
 * pair of loops in the wrong order a swap (one swap fixes one pair), a parallel mark in the wrong
 * place a `parallel`.
 */
function estimate(
  schedule: Schedule,
  target: Schedule,
  targetLabels: string[],
  targetRank: Map<string, number>,
): number {
  const here = labels(schedule);
  let cost = Math.abs(target.loops.length - schedule.loops.length);
  const ranks = here.map((l) => targetRank.get(l)).filter((r): r is number => r !== undefined);
  for (let i = 0; i < ranks.length; i++) for (let j = i + 1; j < ranks.length; j++) if (ranks[i] > ranks[j]) cost++;
  const p = schedule.loops.findIndex((l) => l.parallel);
  const q = target.loops.findIndex((l) => l.parallel);
  if (p < 0 !== q < 0 || (p >= 0 && here[p] !== targetLabels[q])) cost++;
  return cost;
}

interface Node {
  key: string;
  state: NestState;
  cost: number;
  priority: number;
}

/** A binary min-heap on `priority` (ties: the older node first, which keeps paths stable). */
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
    return x.node.priority < y.node.priority || (x.node.priority === y.node.priority && x.order < y.order);
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
  const goal = scheduleKey(target);
  if (scheduleKey(from.schedule) === goal) return [];
  const factors = targetFactors(target);
  const allFactors = [...new Set([...factors.values()].flatMap((f) => [...f]))];
  const actions: Action[] = [
    'up',
    'down',
    'swap_up',
    'swap_down',
    'merge',
    'parallel',
    ...allFactors.map((f): Action => `split_${f}`),
  ];
  const maxLoops = Math.max(target.loops.length, from.schedule.loops.length);
  const targetLabels = labels(target);
  const targetRank = new Map(targetLabels.map((l, i) => [l, i]));
  const parent = new Map<string, { prev: string; action: Action } | null>();
  const best = new Map<string, number>();
  const startKey = `${scheduleKey(from.schedule)}@${from.cursor}`;
  parent.set(startKey, null);
  best.set(startKey, 0);
  const frontier = new Frontier();
  frontier.push({
    key: startKey,
    state: from,
    cost: 0,
    priority: estimate(from.schedule, target, targetLabels, targetRank),
  });
  while (frontier.size > 0) {
    const { key, state, cost } = frontier.pop();
    if (cost > (best.get(key) ?? Number.POSITIVE_INFINITY)) continue;
    if (key.slice(0, key.lastIndexOf('@')) === goal) return pathTo(parent, key);
    for (const action of actions) {
      const f = splitFactor(action);
      if (f !== null && !factors.get(state.schedule.loops[state.cursor].variable)?.has(f)) continue;
      const r = applyAction(problem, state, action);
      if (!r.ok || r.state.schedule.loops.length > maxLoops) continue;
      const childKey = `${scheduleKey(r.state.schedule)}@${r.state.cursor}`;
      const childCost = cost + 1;
      if (childCost >= (best.get(childKey) ?? Number.POSITIVE_INFINITY)) continue;
      best.set(childKey, childCost);
      parent.set(childKey, { prev: key, action });
      if (best.size >= maxStates) return null;
      frontier.push({
        key: childKey,
        state: r.state,
        cost: childCost,
        priority: childCost + estimate(r.state.schedule, target, targetLabels, targetRank),
      });
    }
  }
  return null;
}

function pathTo(parent: Map<string, { prev: string; action: Action } | null>, key: string): Action[] {
  const path: Action[] = [];
  for (let step = parent.get(key); step; step = parent.get(step.prev)) path.push(step.action);
  return path.reverse();
}
