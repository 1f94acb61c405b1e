// Test helpers only: random problems (matmul, batched matmul, convolution with strides, awkward
// sizes that leave tails) and random schedules for them, for the property tests of the kernels and
// of the exports.
import fc from 'fast-check';
import { ALL_ACTIONS, applyAction, legalActions, type Action } from '../core/actions.ts';
import { defaultSchedule, parseSchedule } from '../core/schedule.ts';
import type { NestState, Problem, Schedule } from '../core/types.ts';

export const AWKWARD = [1, 2, 3, 5, 17, 97, 131];

export const OPS = {
  matmul: { op: 'C[m,n] += A[m,k] * B[k,n]', vars: ['m', 'n', 'k'] },
  batched: { op: 'C[b,m,n] += A[b,m,k] * B[b,k,n]', vars: ['b', 'm', 'n', 'k'] },
  conv: { op: 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', vars: ['co', 'oh', 'ow', 'ci', 'kh', 'kw'] },
  strided: { op: 'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]', vars: ['co', 'oh', 'ow', 'ci', 'kh', 'kw'] },
} as const;

const SMALL_KERNEL_VARS = new Set(['kh', 'kw']);
const sizeOf = (v: string) => (SMALL_KERNEL_VARS.has(v) ? fc.constantFrom(1, 2, 3, 5) : fc.constantFrom(...AWKWARD));

/** A problem of one of OPS's kinds with awkward sizes, at most `maxMacs` multiply-adds: `{ op, sizes }` text. */
export function problemArb(maxMacs: number): fc.Arbitrary<{ op: string; sizes: string }> {
  return fc
    .constantFrom(...(Object.keys(OPS) as (keyof typeof OPS)[]))
    .chain((kind) =>
      fc
        .tuple(fc.constant(kind), fc.tuple(...OPS[kind].vars.map(sizeOf)))
        .filter(([, sizes]) => sizes.reduce((a, b) => a * b, 1) <= maxMacs),
    )
    .map(([kind, sizes]) => {
      const vars = OPS[kind].vars;
      return { op: OPS[kind].op, sizes: vars.map((v, i) => `${v}=${sizes[i]}`).join(', ') };
    });
}

/** Actions drawn for the walk; includes splits by factors that leave tails. */
const WALK_ACTIONS: Action[] = [
  ...ALL_ACTIONS.filter((a) => !/^split_(64|128|256)$/.test(a)),
  'split_3',
  'split_5',
  'split_6',
];

const KINDS = [/^(up|down)$/, /^swap_/, /^split_/, /^merge$/];

/** From the cursor at `start`, applies `picks` as choices of an action kind, then of a legal action of that kind. */
export function walk(problem: Problem, start: number, picks: number[]): NestState {
  const schedule = defaultSchedule(problem);
  let state: NestState = { schedule, cursor: start % schedule.loops.length };
  for (const pick of picks) {
    const legal = legalActions(problem, state, WALK_ACTIONS).filter((a) => a.ok);
    const kind = KINDS[pick % KINDS.length];
    const ofKind = legal.filter((a) => kind.test(a.action));
    const choices = ofKind.length > 0 ? ofKind : legal;
    if (choices.length === 0) break;
    const action = choices[Math.floor(pick / KINDS.length) % choices.length].action;
    const result = applyAction(problem, state, action);
    if (!result.ok) throw new Error(`legalActions allowed ${action}, applyAction refused: ${result.reason}`);
    state = result.state;
  }
  return state;
}

/**
 * A register-tiled shape: every variable once in some order, then inner loops over some of
 * them (the tile), e.g. `n k m m:3 n:8`, with trips that leave tails.
 */
export function tiledSchedule(problem: Problem, order: number[], tile: { pick: number; trip: number }[]): Schedule {
  const vars = [...problem.variables].sort(
    (a, b) => order[problem.variables.indexOf(a)] - order[problem.variables.indexOf(b)],
  );
  const inner: string[] = [];
  const used = new Set<string>();
  for (const { pick, trip } of tile) {
    const v = problem.variables[pick % problem.variables.length];
    if (used.has(v) || trip > problem.sizes[v]) continue;
    used.add(v);
    inner.push(`${v}:${trip}`);
  }
  return parseSchedule(problem, [...vars, ...inner].join(' '));
}

/** Marks the `pick`-th loop (of those that may run in parallel) parallel; unchanged when none may. */
export function markParallel(problem: Problem, state: NestState, pick: number): NestState {
  const candidates = state.schedule.loops
    .map((_, cursor) => ({ cursor, r: applyAction(problem, { ...state, cursor }, 'parallel') }))
    .filter(({ r }) => r.ok);
  if (candidates.length === 0) return state;
  const { r } = candidates[pick % candidates.length];
  return r.ok ? r.state : state;
}

/** Packs the inputs at loops picked by `picks` (each pick: an input and a loop); picks that are not legal are skipped. */
export function packSome(problem: Problem, state: NestState, picks: number[]): NestState {
  let s = state;
  for (const pick of picks) {
    const cursor = Math.floor(pick / 2) % s.schedule.loops.length;
    const r = applyAction(problem, { ...s, cursor }, pick % 2 === 0 ? 'pack_in0' : 'pack_in1');
    if (r.ok) s = { ...r.state, cursor: s.cursor };
  }
  return s;
}
