// The schedules the new agent and the expert reference choose from, and the agent's macro-actions.
//
// A tile spec names a schedule by what a person decides when writing one by hand:
//   - a register tile: a factor per output variable (1 = not tiled); the output's contiguous
//     variable (`vectorVariable`, e.g. n of a matmul, ow of a convolution) is the innermost loop,
//     which the generator vectorizes, so its factor is a number of floats (4 per f32x4);
//   - optionally, a split of the main reduction variable (the largest one: k, or ci) by a factor;
//   - for a matmul-shaped problem (one reduction, an output [.., m, n]), the cache level: a panel
//     (cache block) of n and of m around the register tile, a number of register tiles, and
//     whether the inputs are packed (BLIS: B's KC x NC panel at the reduction's outer loop, A's
//     rows at m's outer loop) or B's panel alone (A read in place), and in which order the
//     tiles of a panel run (m's tiles inside n's: BLIS's order, one NR-wide micro-panel of B
//     stays in L1 while the MC rows of the block pass).
// Its schedule (`tileSchedule`) is
//     [batch, with panels] [n panels] [r] [m panels] <output variables: tiles of the panel, or
//       whole; m before n, or n before m in BLIS's order>  <r:t or r>  <other reductions>
//       <tile loops, vector last>
// e.g. `k m n k:32 m:4 n:8`, `b m n k m:2 n:16`, `co oh ow ci kh kw co:4 oh:2 ow:8`, and with
// panels and packing `n k pack(B) m pack(A) n:16 m:8 k:128 m:4 n:8` (BLIS's loop order).
// Without panels it is the first form: the register-tile schedules are what they were.
// A factor equal to the whole size drops the outer loop (it would run once). A spec whose schedule
// has a loop running once with a tail (`ow:1 r4`) or a tile larger than the size is illegal:
// so no schedule from here has a loop of trip 1, except over a variable of size 1 (`kh` of a 1x1
// convolution).
//
// Macro-actions change one decision: `tile_<v>_<f>` makes f the register-tile factor of v,
// `rtile_<f>` splits the main reduction by f (`rtile_0` undoes it), `panel_<v>_<p>` blocks v in
// panels of p register tiles (`panel_<v>_0` undoes it), `pack` packs the inputs or no longer,
// `pack_b` packs B's panel alone or no longer (each replaces the other), `order` puts m's tiles
// inside n's within the panels or back (needs a panel of m),
// `parallel` runs the outermost loop on threads or no longer (offered only when threads are
// available), `stop` ends the episode.
import { MAX_LOOPS } from '../core/limits.ts';
import { packIssue, parallelIssue } from '../core/schedule.ts';
import type { Loop, Problem, Schedule } from '../core/types.ts';

export interface TileSpec {
  /** Register-tile factor per output variable (1 = not tiled). */
  tile: Record<string, number>;
  /** Split factor of the main reduction variable (0 = not split). */
  reductionTile: number;
  /** Panel per output variable (matmul-shaped problems, PANEL_VARIABLES), in register tiles (absent or 0 = none). */
  panel?: Record<string, number>;
  /** Pack the inputs: B at the reduction's outer loop, A at m's outermost loop (needs a reduction split). */
  pack?: boolean;
  /** Pack B alone at the reduction's outer loop, A read in place (not with `pack`). */
  packB?: boolean;
  /** Within the panels, n's tiles outside m's (BLIS's order; needs a panel of m). */
  blisOrder?: boolean;
  /** The outermost loop runs on threads (it must loop over an output variable). */
  parallel?: boolean;
}

export type MacroAction =
  | `tile_${string}_${number}`
  | `rtile_${number}`
  | `panel_${string}_${number}`
  | 'pack'
  | 'pack_b'
  | 'order'
  | 'parallel'
  | 'stop';

/** Factors a register tile may take along the vectorized variable (floats). */
export const VECTOR_FACTORS = [4, 8, 12, 16, 24, 32, 48, 64] as const;
/** Factors along the other output variables. */
export const OTHER_FACTORS = [1, 2, 3, 4, 6, 8] as const;
/** Splits of the main reduction (0: none): 16-128 keep a slice in L1/L2 at small sizes, 256-512 at large ones. */
export const REDUCTION_FACTORS = [0, 16, 32, 64, 128, 256, 512] as const;
/** Panels of an output variable, in register tiles (0: none): e.g. 16 tiles of 8 floats = a 128-wide panel of B. */
export const PANEL_FACTORS = [0, 2, 4, 8, 16, 32, 64] as const;
/** The most f32x4 accumulators a tile may hold (x64 has 16 SIMD registers; beyond that it spills). */
export const MAX_ACCUMULATORS = 16;
/**
 * The fewest accumulators of a schedule worth measuring: a multiply-add has a latency of about 4
 * cycles, so fewer than 4 independent chains leave the unit idle. Smaller tiles are only steps
 * on the way (the untiled start has 1).
 */
export const MIN_MEASURED_ACCUMULATORS = 4;
/**
 * The most accumulators of a schedule worth measuring. In the cost model's measurements (951
 * problems with at least 5 schedules each, this machine), the fastest schedule measured held 8
 * accumulators in 677 problems, 6 in 109, 9 in 65, 4 in 34, 12 in 40 and 16 in only 22: tiles of
 * 16 leave too few registers for the inputs. They stay reachable as steps.
 */
export const MAX_MEASURED_ACCUMULATORS = 12;

/** Sides from which a matmul is large: B alone is 1 MiB at 512, past this machine's L2. */
export const LARGE_MATMUL_SIDE = 512;

/** A (batched) matmul whose m, n and reduction are all at least LARGE_MATMUL_SIDE. */
export function isLargeMatmul(problem: Problem): boolean {
  const outs = outputVariables(problem);
  const r = mainReduction(problem);
  if (problem.reductionVariables.length !== 1 || r === null || outs.length < 2) return false;
  const sides = [outs[outs.length - 2], vectorVariable(problem), r];
  return sides.every((v) => problem.sizes[v] >= LARGE_MATMUL_SIDE);
}

/**
 * Whether the search measures a spec (or training samples it as one the search would measure):
 * MIN_MEASURED_ACCUMULATORS to MAX_MEASURED_ACCUMULATORS accumulators, or up to MAX_ACCUMULATORS
 * when a large matmul's inputs are packed (the tile then loads from contiguous micro-panels and
 * needs few registers for them: BLIS's 4 x 16 and 6 x 16 kernels; the expert's packed 4 x 16 is
 * the best of its grid on large matmuls such as 768x1536x640, while at 128^3 a packed 2 x 32
 * measured 0.93 of the best there).
 */
export function isMeasuredSpec(problem: Problem, spec: TileSpec): boolean {
  const n = accumulators(problem, spec);
  const most = (spec.pack || spec.packB) && isLargeMatmul(problem) ? MAX_ACCUMULATORS : MAX_MEASURED_ACCUMULATORS;
  return n >= MIN_MEASURED_ACCUMULATORS && n <= most;
}

/** The output's contiguous variable (its last index), which the tile keeps innermost. */
export function vectorVariable(problem: Problem): string {
  const last = problem.output.indices[problem.output.indices.length - 1];
  return last[0].variable;
}

export function outputVariables(problem: Problem): string[] {
  return problem.variables.filter((v) => !problem.reductionVariables.includes(v));
}

/** The reduction variable a reduction tile splits: the largest (first on ties). */
export function mainReduction(problem: Problem): string | null {
  let best: string | null = null;
  for (const v of problem.reductionVariables) if (best === null || problem.sizes[v] > problem.sizes[best]) best = v;
  return best;
}

/**
 * The output variables that may be blocked in panels: m and n of a matmul-shaped problem (one
 * reduction, an output of at least two variables, m the row above the vectorized n); none otherwise.
 */
export function panelVariables(problem: Problem): string[] {
  const outs = outputVariables(problem);
  if (problem.reductionVariables.length !== 1 || outs.length < 2) return [];
  return [outs[outs.length - 2], outs[outs.length - 1]];
}

/** The inputs a pack copies, [A, B]: A is not indexed by the vectorized variable, B not by the row (m). */
export function packedInputs(problem: Problem): [string, string] | null {
  const pv = panelVariables(problem);
  if (pv.length === 0 || problem.inputs.length !== 2) return null;
  const [row, vec] = pv;
  const a = problem.inputs.find((t) => !(t.strides[vec] ?? 0) && (t.strides[row] ?? 0));
  const b = problem.inputs.find((t) => !(t.strides[row] ?? 0) && (t.strides[vec] ?? 0));
  return a && b ? [a.name, b.name] : null;
}

/** The untiled spec (its schedule is the default loop order). */
export function untiledSpec(problem: Problem): TileSpec {
  return { tile: Object.fromEntries(outputVariables(problem).map((v) => [v, 1])), reductionTile: 0 };
}

/** f32x4 accumulators of the spec's register tile. */
export function accumulators(problem: Problem, spec: TileSpec): number {
  const vec = vectorVariable(problem);
  let n = 1;
  for (const v of outputVariables(problem)) n *= v === vec ? Math.ceil((spec.tile[v] ?? 1) / 4) : (spec.tile[v] ?? 1);
  return n;
}

interface PlannedLoop {
  variable: string;
  /** `v`, `v:t`: how a person writes it (the outermost loop of a variable covers it whole). */
  text: string;
  trip: number;
  tail: number;
  packs?: string[];
}

/**
 * The spec's loops, outermost first, before dead loops are dropped (see the module comment for
 * the layout), or null when a factor does not fit its variable.
 */
function planLoops(problem: Problem, spec: TileSpec): PlannedLoop[] | null {
  const outs = outputVariables(problem);
  const vec = vectorVariable(problem);
  const r = mainReduction(problem);
  const rt = r !== null && spec.reductionTile > 0 ? spec.reductionTile : 0;
  const pv = panelVariables(problem);
  const panelOf = (v: string) => (pv.includes(v) ? (spec.panel?.[v] ?? 0) : 0);
  const tileOf = (v: string) => spec.tile[v] ?? 1;
  const sizes = problem.sizes;
  // Each output variable: [panel loop] [tiles of the panel, or the whole variable] [tile loop].
  const outer = new Map<string, PlannedLoop>();
  const middle = new Map<string, PlannedLoop>();
  const tileLoops: PlannedLoop[] = [];
  for (const v of outs) {
    const t = tileOf(v);
    const p = panelOf(v);
    const size = sizes[v];
    if (!Number.isInteger(t) || t < 1 || t > size) return null;
    if (p > 0) {
      if (!Number.isInteger(p) || p < 2 || p * t > size) return null;
      outer.set(v, { variable: v, text: v, trip: Math.floor(size / (p * t)), tail: size % (p * t) });
      middle.set(v, { variable: v, text: `${v}:${p}`, trip: p, tail: 0 });
    } else {
      middle.set(v, { variable: v, text: v, trip: Math.floor(size / t), tail: size % t });
    }
  }
  for (const v of [...outs.filter((v) => v !== vec && tileOf(v) > 1), ...(tileOf(vec) > 1 ? [vec] : [])])
    tileLoops.push({ variable: v, text: `${v}:${tileOf(v)}`, trip: tileOf(v), tail: 0 });
  const loops: PlannedLoop[] = [];
  let rOuter: PlannedLoop | null = null;
  let rInner: PlannedLoop | null = null;
  if (rt > 0) {
    const size = sizes[r as string];
    if (!Number.isInteger(rt) || rt < 1 || rt > size) return null;
    rOuter = { variable: r as string, text: r as string, trip: Math.floor(size / rt), tail: size % rt };
    rInner = { variable: r as string, text: `${r}:${rt}`, trip: rt, tail: 0 };
  }
  const [row] = pv;
  // With panels, a batch stays outermost (each matrix blocked on its own, as BLIS does).
  const batchFirst = outer.size > 0 ? outs.filter((v) => !pv.includes(v)) : [];
  for (const v of batchFirst) loops.push(middle.get(v) as PlannedLoop);
  if (outer.has(vec)) loops.push(outer.get(vec) as PlannedLoop);
  if (rOuter) loops.push(rOuter);
  if (row !== undefined && outer.has(row)) loops.push(outer.get(row) as PlannedLoop);
  if (spec.blisOrder && (row === undefined || !outer.has(row))) return null;
  const middleOrder = spec.blisOrder ? [...outs.filter((v) => v !== row), row as string] : outs;
  for (const v of middleOrder) if (!batchFirst.includes(v)) loops.push(middle.get(v) as PlannedLoop);
  for (const v of problem.reductionVariables)
    loops.push(v === r && rInner ? rInner : { variable: v, text: v, trip: sizes[v], tail: 0 });
  loops.push(...tileLoops);
  // The outermost loop of a variable covers it whole: its text is the bare variable.
  const seen = new Set<string>();
  for (const l of loops) {
    if (!seen.has(l.variable)) l.text = l.variable;
    seen.add(l.variable);
  }
  if (spec.pack || spec.packB) {
    const inputs = packedInputs(problem);
    if (!inputs || !rOuter || row === undefined || (spec.pack && spec.packB)) return null;
    const [a, b] = inputs;
    rOuter.packs = [b];
    if (spec.pack) {
      const rowLoop = outer.get(row) ?? (middle.get(row) as PlannedLoop);
      rowLoop.packs = [...(rowLoop.packs ?? []), a];
    }
  }
  return loops;
}

/** The schedule text of a spec, before dead loops are dropped (e.g. `k m n k:32 m:4 n:8`). */
export function tileScheduleText(problem: Problem, spec: TileSpec): string {
  const loops = planLoops(problem, spec);
  if (!loops) return '';
  return loops
    .map((l, i) => {
      const packs = (l.packs ?? []).map((t) => ` pack(${t})`).join('');
      return `${i === 0 && spec.parallel ? '||' : ''}${l.text}${packs}`;
    })
    .join(' ');
}

/** Why a schedule has a dead loop (a loop of trip 1 that is not a variable's only loop), or null. */
export function deadLoop(problem: Problem, schedule: Schedule): string | null {
  for (const loop of schedule.loops) {
    if (loop.trip !== 1 || problem.sizes[loop.variable] === 1) continue;
    return `${loop.variable}:1${loop.tail ? ` r${loop.tail}` : ''} runs once`;
  }
  return null;
}

/**
 * The spec's schedule: loops that would run exactly once are dropped; null when the spec is
 * illegal for the problem's sizes (a tile or panel larger than its variable, a loop left running
 * once with a tail, more than the nest's loop limit, a pack on the innermost loop, a parallel
 * outermost loop that is summed over). `allowOnceWithTail` keeps schedules with a loop like
 * `ow:1 r3` (the expert grid writes what a person writes).
 */
export function tileSchedule(
  problem: Problem,
  spec: TileSpec,
  options: { allowOnceWithTail?: boolean } = {},
): Schedule | null {
  // Built directly (the same loops parseSchedule gives for tileScheduleText, see the tests):
  // the search calls this for every candidate.
  const planned = planLoops(problem, spec);
  if (!planned) return null;
  const loops: Loop[] = planned.map((l) => ({
    variable: l.variable,
    trip: l.trip,
    tail: l.tail,
    ...(l.packs ? { packs: l.packs } : {}),
  }));
  // A loop that would run once is dropped when a loop over its variable remains inside it
  // (a pack on it moves to the next loop inside).
  const kept: Loop[] = [];
  let carried: string[] = [];
  loops.forEach((l, i) => {
    const drop = l.trip === 1 && l.tail === 0 && loops.some((o, j) => j > i && o.variable === l.variable);
    if (drop) {
      carried = [...carried, ...(l.packs ?? [])];
      return;
    }
    const packs = [...carried, ...(l.packs ?? [])];
    carried = [];
    const { packs: _, ...rest } = l;
    kept.push(packs.length > 0 ? { ...rest, packs } : rest);
  });
  if (carried.length > 0 || kept.length > MAX_LOOPS) return null;
  if ((spec.pack || spec.packB) && packIssue(problem, kept) !== null) return null;
  if (spec.parallel) {
    if (kept[0].trip < 2 || parallelIssue(problem, kept, 0) !== null) return null;
    kept[0] = { ...kept[0], parallel: true };
  }
  const out = { loops: kept };
  return options.allowOnceWithTail || deadLoop(problem, out) === null ? out : null;
}

const specKey = (spec: TileSpec) =>
  `${Object.entries(spec.tile)
    .map(([v, f]) => `${v}${f}`)
    .join(',')}/${spec.reductionTile}/${Object.entries(spec.panel ?? {})
    .filter(([, p]) => p > 0)
    .map(([v, p]) => `${v}${p}`)
    .join(',')}/${spec.pack ? 'p' : ''}${spec.packB ? 'b' : ''}${spec.blisOrder ? 'o' : ''}${spec.parallel ? '|' : ''}`;

/** Options of the action space: threads make `parallel` an action. */
export interface ActionSpaceOptions {
  /** Threads the kernels run on (default 1: no `parallel`). */
  threads?: number;
}

/** Every macro-action of a problem (the agent's action space; `stop` last). */
export function macroActions(problem: Problem, options: ActionSpaceOptions = {}): MacroAction[] {
  const vec = vectorVariable(problem);
  const out: MacroAction[] = [];
  for (const v of outputVariables(problem)) {
    const factors = new Set<number>(v === vec ? VECTOR_FACTORS : OTHER_FACTORS);
    // A tile over the whole variable (no outer loop), for small sizes.
    const size = problem.sizes[v];
    if (size <= (v === vec ? 64 : 8)) factors.add(size);
    for (const f of [...factors].sort((a, b) => a - b)) out.push(`tile_${v}_${f}`);
  }
  if (mainReduction(problem) !== null) for (const f of REDUCTION_FACTORS) out.push(`rtile_${f}`);
  for (const v of panelVariables(problem)) for (const p of PANEL_FACTORS) out.push(`panel_${v}_${p}`);
  if (panelVariables(problem).length > 0) out.push('order');
  if (packedInputs(problem)) out.push('pack', 'pack_b');
  if ((options.threads ?? 1) > 1) out.push('parallel');
  out.push('stop');
  return out;
}

/** The spec after an action, or null when the action changes nothing or leads off the legal space. */
export function applyMacro(problem: Problem, spec: TileSpec, action: MacroAction): TileSpec | null {
  if (action === 'stop') return null;
  let next: TileSpec;
  const t = /^tile_(.+)_(\d+)$/.exec(action);
  const p = /^panel_(.+)_(\d+)$/.exec(action);
  if (t) {
    const [, v, f] = t;
    if (!(v in spec.tile) || spec.tile[v] === Number(f)) return null;
    next = { ...spec, tile: { ...spec.tile, [v]: Number(f) } };
  } else if (p) {
    const [, v, f] = p;
    if (!panelVariables(problem).includes(v) || (spec.panel?.[v] ?? 0) === Number(f)) return null;
    const panel = { ...spec.panel, [v]: Number(f) };
    if (Number(f) === 0) delete panel[v];
    next = { ...spec, tile: { ...spec.tile } };
    if (Object.keys(panel).length > 0) next.panel = panel;
    else delete next.panel;
  } else if (action === 'pack' || action === 'pack_b' || action === 'order' || action === 'parallel') {
    const field = action === 'pack_b' ? 'packB' : action === 'order' ? 'blisOrder' : action;
    next = { ...spec, tile: { ...spec.tile } };
    if (spec[field]) delete next[field];
    else next[field] = true;
    // Packing both inputs and packing B alone replace each other.
    if (next[field] && field === 'pack') delete next.packB;
    if (next[field] && field === 'packB') delete next.pack;
  } else {
    const r = /^rtile_(\d+)$/.exec(action);
    if (!r || Number(r[1]) === spec.reductionTile) return null;
    next = { ...spec, tile: { ...spec.tile }, reductionTile: Number(r[1]) };
  }
  return isLegalSpec(problem, next) ? next : null;
}

/** A spec the agent may reach: a vectorizable register tile of at most MAX_ACCUMULATORS accumulators, with a schedule. */
export function isLegalSpec(problem: Problem, spec: TileSpec): boolean {
  if (accumulators(problem, spec) > MAX_ACCUMULATORS) return false;
  const r = mainReduction(problem);
  // A reduction split that covers the whole reduction is the unsplit schedule again.
  if (spec.reductionTile > 0 && (r === null || spec.reductionTile >= problem.sizes[r])) return false;
  // A panel as large as its variable is no panel (the same schedule as without it).
  for (const [v, p] of Object.entries(spec.panel ?? {}))
    if (p > 0 && p * (spec.tile[v] ?? 1) >= problem.sizes[v]) return false;
  return tileSchedule(problem, spec) !== null;
}

/**
 * A random legal spec (seeded by `random`): every decision drawn uniformly from what the
 * macro-actions offer (a panel or a pack only half of the time), redrawn until legal and
 * `accept`ed; null after `tries` draws. For sampling spaces too large to enumerate (allSpecs).
 */
export function randomSpec(
  problem: Problem,
  random: () => number,
  options: ActionSpaceOptions & { accept?: (spec: TileSpec) => boolean; tries?: number } = {},
): TileSpec | null {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const vec = vectorVariable(problem);
  const factors = new Map<string, number[]>();
  for (const a of macroActions(problem, options)) {
    const t = /^tile_(.+)_(\d+)$/.exec(a);
    if (t) factors.set(t[1], [...(factors.get(t[1]) ?? [1]), Number(t[2])]);
  }
  const panels = panelVariables(problem);
  const r = mainReduction(problem);
  for (let i = 0; i < (options.tries ?? 200); i++) {
    const spec: TileSpec = {
      tile: Object.fromEntries(outputVariables(problem).map((v) => [v, pick(factors.get(v) ?? [1])])),
      reductionTile: r === null ? 0 : pick(REDUCTION_FACTORS),
    };
    if (spec.tile[vec] === 1 && random() < 0.9) continue;
    if (panels.length > 0 && random() < 0.5) {
      const panel: Record<string, number> = {};
      for (const v of panels) {
        const p = pick(PANEL_FACTORS);
        if (p > 0) panel[v] = p;
      }
      if (Object.keys(panel).length > 0) spec.panel = panel;
      if (packedInputs(problem) && random() < 0.5) {
        if (random() < 0.5) spec.pack = true;
        else spec.packB = true;
      }
      if (panel[panels[0]] && random() < 0.5) spec.blisOrder = true;
    }
    if ((options.threads ?? 1) > 1 && random() < 0.5) spec.parallel = true;
    if (isLegalSpec(problem, spec) && (options.accept?.(spec) ?? true)) return spec;
  }
  return null;
}

/**
 * Macro-actions leading from `from` to `to` through legal specs only (one per decision that
 * differs: a tile factor, the reduction split, a panel, pack, parallel), or null when no order of
 * them stays legal throughout or a decision is not among the actions.
 */
export function specPath(
  problem: Problem,
  from: TileSpec,
  to: TileSpec,
  options: ActionSpaceOptions = {},
): MacroAction[] | null {
  const offered = new Set<string>(macroActions(problem, options));
  const needed: MacroAction[] = [];
  for (const v of Object.keys(to.tile)) if ((from.tile[v] ?? 1) !== to.tile[v]) needed.push(`tile_${v}_${to.tile[v]}`);
  if (from.reductionTile !== to.reductionTile) needed.push(`rtile_${to.reductionTile}`);
  for (const v of new Set([...Object.keys(from.panel ?? {}), ...Object.keys(to.panel ?? {})]))
    if ((from.panel?.[v] ?? 0) !== (to.panel?.[v] ?? 0)) needed.push(`panel_${v}_${to.panel?.[v] ?? 0}`);
  if (!!from.pack !== !!to.pack) needed.push('pack');
  if (!!from.packB !== !!to.packB) needed.push('pack_b');
  if (!!from.blisOrder !== !!to.blisOrder) needed.push('order');
  if (!!from.parallel !== !!to.parallel) needed.push('parallel');
  if (needed.some((a) => !offered.has(a))) return null;
  const goal = specKey(to);
  const search = (spec: TileSpec, left: MacroAction[]): MacroAction[] | null => {
    if (left.length === 0) return specKey(spec) === goal ? [] : null;
    for (const [i, a] of left.entries()) {
      const next = applyMacro(problem, spec, a);
      if (!next) continue;
      const rest = search(next, [...left.slice(0, i), ...left.slice(i + 1)]);
      if (rest) return [a, ...rest];
    }
    return null;
  };
  return search(from, needed);
}

/** Every legal spec reachable by macro-actions (for exhaustive checks on small problems). */
export function allSpecs(problem: Problem, options: ActionSpaceOptions = {}): TileSpec[] {
  const seen = new Map<string, TileSpec>();
  const start = untiledSpec(problem);
  const queue = [start];
  seen.set(specKey(start), start);
  const actions = macroActions(problem, options);
  for (let at = 0; at < queue.length; at++) {
    const s = queue[at];
    for (const a of actions) {
      const n = applyMacro(problem, s, a);
      if (n && !seen.has(specKey(n))) {
        seen.set(specKey(n), n);
        queue.push(n);
      }
    }
  }
  return [...seen.values()];
}

export { specKey };
