// Actions on a loop nest with a cursor (LoopTune's action space plus what a person needs).
// Each action yields a new state or a reason it is illegal, worded for a person.
//
// `parallel` toggles the parallel mark of the loop under the cursor. One loop at a time: marking a
// loop moves the mark from the loop that had it (the new state's `note` says so). The mark stays
// with its loop: a swap carries it along (and is refused when it would put the parallel loop
// inside a reduction loop), a split keeps it on the outer loop, a merge keeps it on the merged loop.
//
// A split by the loop's whole trip is refused: its outer loop would run exactly once (`m:16` by 16
// gives `m:1 m:16`, the same nest). With a tail the outer loop still runs twice and is allowed.
import { MAX_LOOPS } from './limits.ts';
import {
  loopExtents,
  loopSteps,
  loopText,
  packIssue,
  parallelIssue,
  parallelLoopIndex,
  withMark,
  withPacks,
} from './schedule.ts';
import type { Loop, NestState, Problem } from './types.ts';

export { MAX_LOOPS } from './limits.ts';

export type Action = 'up' | 'down' | 'swap_up' | 'swap_down' | 'merge' | 'parallel' | `split_${number}` | PackAction;

/**
 * Packing the first or the second input at the cursor loop (`k:8 pack(B)`), or no longer: a
 * person's actions, kept out of ALL_ACTIONS (the searches' and LoopTune's space).
 */
export type PackAction = 'pack_in0' | 'pack_in1';
export const PACK_ACTIONS: readonly PackAction[] = ['pack_in0', 'pack_in1'];

export const SPLIT_FACTORS = [2, 4, 8, 16, 32, 64, 128, 256] as const;

export const ALL_ACTIONS: Action[] = [
  'up',
  'down',
  'swap_up',
  'swap_down',
  ...SPLIT_FACTORS.map((f): Action => `split_${f}`),
  'merge',
  'parallel',
];

/** LoopTune's seven actions. */
export const AGENT_ACTIONS: Action[] = ['up', 'down', 'swap_up', 'swap_down', 'split_4', 'split_8', 'split_16'];

/** `note`: what else the action did that a person should know (e.g. the parallel mark moved). */
export type ActionResult = { ok: true; state: NestState; note?: string } | { ok: false; reason: string };

export interface ActionLegality {
  action: Action;
  ok: boolean;
  reason?: string;
}

/** The factor of a `split_F` action, or null for other actions. */
export function splitFactor(action: string): number | null {
  const m = /^split_(.+)$/.exec(action);
  return m ? Number(m[1]) : null;
}

function fail(reason: string): ActionResult {
  return { ok: false, reason };
}

function withLoops(loops: Loop[], cursor: number): ActionResult {
  return { ok: true, state: { schedule: { loops }, cursor } };
}

/** withLoops, refused in words when the loops' packs can't be generated (a pack moved innermost, ...). */
function withPackedLoops(problem: Problem, loops: Loop[], cursor: number, what: () => string): ActionResult {
  const why = packIssue(problem, loops);
  return why ? fail(`can't ${what()}: ${why}`) : withLoops(loops, cursor);
}

/** Applies one action; never mutates `state`. */
export function applyAction(problem: Problem, state: NestState, action: Action): ActionResult {
  const loops = state.schedule.loops;
  const n = loops.length;
  const c = state.cursor;
  if (!Number.isInteger(c) || c < 0 || c >= n) return fail('the cursor is not on a loop');
  const here = loops[c];
  // Only a refusal needs the loop's text.
  const name = () => loopText(here);
  const copy = () => loops.map((l) => ({ ...l }));

  switch (action) {
    case 'up':
      if (c === 0) return fail('the cursor is already on the outermost loop');
      return withLoops(copy(), c - 1);
    case 'down':
      if (c === n - 1) return fail('the cursor is already on the innermost loop');
      return withLoops(copy(), c + 1);
    case 'swap_up':
    case 'swap_down': {
      const up = action === 'swap_up';
      const other = up ? c - 1 : c + 1;
      if (other < 0) return fail(`can't swap ${name()} up: it is already the outermost loop`);
      if (other >= n) return fail(`can't swap ${name()} down: it is already the innermost loop`);
      const there = loops[other];
      if (there.variable === here.variable) {
        const [outer, inner] = up ? [there, here] : [here, there];
        return fail(
          `can't swap ${name()} ${up ? 'above' : 'below'} ${loopText(there)}: both loop over ${here.variable}, and the inner one (${loopText(inner)}) must stay inside ${loopText(outer)}`,
        );
      }
      const next = copy();
      next[c] = { ...there };
      next[other] = { ...here };
      const p = parallelLoopIndex({ loops: next });
      const why = p >= 0 ? parallelIssue(problem, next, p) : null;
      if (why) {
        const marked = loopText(here.parallel ? here : there);
        return fail(
          `can't swap ${name()} ${up ? 'above' : 'below'} ${loopText(there)}: ${why}; run ${marked} on one thread first (parallel on it again)`,
        );
      }
      return withPackedLoops(problem, next, other, () => `swap ${name()} ${up ? 'up' : 'down'}`);
    }
    case 'merge': {
      let j = c - 1;
      while (j >= 0 && loops[j].variable !== here.variable) j--;
      if (j < 0) return fail(`can't merge ${name()}: no enclosing loop over ${here.variable} to merge it into`);
      const extents = loopExtents(problem, state.schedule);
      const steps = loopSteps(problem, state.schedule);
      const step = steps[c];
      const extent = extents[j];
      const next = copy();
      next[j] = withPacks(
        withMark(
          { variable: here.variable, trip: Math.floor(extent / step), tail: extent % step },
          loops[j].parallel || here.parallel,
        ),
        [...(loops[j].packs ?? []), ...(here.packs ?? [])],
      );
      next.splice(c, 1);
      const p = parallelLoopIndex({ loops: next });
      const why = p >= 0 ? parallelIssue(problem, next, p) : null;
      if (why) return fail(`can't merge ${name()}: the parallel loop ${loopText(next[p])} would be left where ${why}`);
      return withPackedLoops(problem, next, j, () => `merge ${name()}`);
    }
    case 'parallel': {
      if (here.parallel) {
        const next = copy();
        delete next[c].parallel;
        return withLoops(next, c);
      }
      const why = parallelIssue(problem, loops, c);
      if (why) return fail(`can't run ${name()} in parallel: ${why}`);
      const was = parallelLoopIndex(state.schedule);
      const next = copy();
      if (was >= 0) delete next[was].parallel;
      next[c].parallel = true;
      const result = withPackedLoops(problem, next, c, () => `run ${name()} in parallel`);
      if (was >= 0 && result.ok)
        result.note = `${loopText(loops[was])} runs on one thread again: one loop at a time runs in parallel`;
      return result;
    }
    case 'pack_in0':
    case 'pack_in1': {
      const tensor = problem.inputs[action === 'pack_in0' ? 0 : 1].name;
      const next = copy();
      if ((here.packs ?? []).includes(tensor)) {
        next[c] = withPacks(
          next[c],
          (here.packs ?? []).filter((t) => t !== tensor),
        );
        return withLoops(next, c);
      }
      const was = next.findIndex((l) => (l.packs ?? []).includes(tensor));
      if (was >= 0)
        next[was] = withPacks(
          next[was],
          (next[was].packs ?? []).filter((t) => t !== tensor),
        );
      next[c] = withPacks(next[c], [...(next[c].packs ?? []), tensor]);
      const result = withPackedLoops(problem, next, c, () => `pack ${tensor} at ${name()}`);
      if (was >= 0 && result.ok)
        result.note = `${tensor} is no longer packed at ${loopText({ ...loops[was], packs: [] })}: an input is packed at one loop`;
      return result;
    }
    default: {
      const f = splitFactor(action);
      if (f === null) return fail(`unknown action '${String(action)}'`);
      if (!Number.isInteger(f)) return fail(`can't split ${name()} by ${f}: the factor must be a whole number`);
      if (f < 2) return fail(`can't split ${name()} by ${f}: the factor must be at least 2`);
      if (n >= MAX_LOOPS) return fail(`can't split: the nest already has ${MAX_LOOPS} loops, the most allowed`);
      if (f > here.trip) {
        return fail(`can't split ${name()} by ${f}: the loop only runs ${here.trip} time${here.trip === 1 ? '' : 's'}`);
      }
      const step = loopSteps(problem, state.schedule)[c];
      const extent = loopExtents(problem, state.schedule)[c];
      const outerStep = f * step;
      if (Math.floor(extent / outerStep) === 1 && extent % outerStep === 0) {
        return fail(
          `can't split ${name()} by ${f}: the outer loop would run once (${here.variable}:1) and change nothing; ${f > 2 ? `split by a factor below ${f}` : 'a loop that runs twice has no split'}`,
        );
      }
      const next = copy();
      next.splice(
        c,
        1,
        withPacks(
          withMark(
            { variable: here.variable, trip: Math.floor(extent / outerStep), tail: extent % outerStep },
            here.parallel,
          ),
          here.packs,
        ),
        { variable: here.variable, trip: f, tail: 0 },
      );
      return withPackedLoops(problem, next, c, () => `split ${name()} by ${f}`);
    }
  }
}

/** Legality of each action in the current state, with the reason when it is illegal. */
export function legalActions(
  problem: Problem,
  state: NestState,
  actions: readonly Action[] = ALL_ACTIONS,
): ActionLegality[] {
  return actions.map((action) => {
    const r = applyAction(problem, state, action);
    return r.ok ? { action, ok: true } : { action, ok: false, reason: r.reason };
  });
}

/** One boolean per action: true when legal (the agent's action mask). */
export function actionMask(problem: Problem, state: NestState, actions: readonly Action[] = ALL_ACTIONS): boolean[] {
  return actions.map((action) => applyAction(problem, state, action).ok);
}
