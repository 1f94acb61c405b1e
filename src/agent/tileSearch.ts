// The agent (`--method agent`): a beam search over the macro-actions of tileSpace.ts, ranked by a
// scorer (the learned cost model's prediction), that measures only the best few.
//
// From the untiled spec, every state of the beam is expanded by every macro-action (register
// tile, reduction split, panels, pack; parallel when threads are available); the new specs are
// scored in one batch and the `beamWidth` best form the next beam, for `depth` rounds
// (a spec already scored is not scored again; no round starts that would end, taking as long as
// the last, past half the time budget). Then
// the scored specs with MIN_MEASURED_ACCUMULATORS to MAX_MEASURED_ACCUMULATORS accumulators (4 to
// 12; 16 when packed, isMeasuredSpec) are measured, best predicted first but taking turns between groups (a reduction split and a
// tile width along the vectorized variable) predicted within 65% of the best (the best unsplit
// 8-wide one, the best 16-wide one split by 32, ..., then the second best of each: whether a
// long reduction wants splitting and how wide the vector part should be are what the cost model
// is least sure of, and a measurement settles it), with 3 seeds (the expert grid's entries, when
// the agent passes them: the best predicted whole-reduction, split and blocked one) taking turns
// with that order at its head, at most
// `measure` (16) of them, while the time budget
// allows another measurement 1.5 times as long as the longest of the last 3 (at least one is
// always measured; past MIN_MEASURED, only while the two best could be measured again after it).
// With time left after those (a small problem: EXTRA_SHARE of the budget), up to `extraMeasure`
// (16) more: the seeds not measured yet taking turns with the ranking's next.
// Each candidate's measurement stops at its probe when that shows it below half the best so far
// (FLOOR_SHARE). Then the best 3 measured are measured again, as time allows (each keeps its
// better figure), and the two best of those second figures take turns again while within 5% of
// each other; when all 3 were measured again, their figures become the best of those taken
// again (taken close together, so a burst of load hits them alike). The fastest figure is the answer. Every round is recorded (what was considered, with its
// predicted and, once measured, measured figure) for people watching.
import type { Problem, Schedule } from '../core/types.ts';
import type { GflopsOracle } from './oracle.ts';
import type { SearchPoint } from './search.ts';
import {
  applyMacro,
  isLegalSpec,
  specPath,
  macroActions,
  isMeasuredSpec,
  specKey,
  tileSchedule,
  untiledSpec,
  vectorVariable,
  type MacroAction,
  type TileSpec,
} from './tileSpace.ts';

/** Predicted GFLOPS of schedules of one problem (higher is better; only the order matters). */
export type Scorer = (problem: Problem, schedules: readonly Schedule[]) => number[];

export interface TileSearchOptions {
  /** States kept per round (default 6). */
  beamWidth?: number;
  /** Rounds of expansion, i.e. macro-actions per path (default 4). */
  depth?: number;
  /**
   * At most this many schedules measured (default 16: a small problem's kernels take a few ms each,
   * and measuring more of the close calls costs less than a wrong ranking; a large problem's run
   * out of the time budget first).
   */
  measure?: number;
  /** Wall-time budget of the whole search in ms (default 1000). */
  budgetMs?: number;
  /** The best this many measured are measured again when time is left, keeping the better figure (default 3). */
  remeasure?: number;
  now?: () => number;
  /** The spec the search starts from (default: the untiled spec; the page continues from a person's schedule). */
  root?: TileSpec;
  /**
   * Threads the oracle's kernels run on (default 1). With more, `parallel` is an action and the
   * figure the search maximizes is the oracle's, i.e. the GFLOPS on that many threads.
   */
  threads?: number;
  /**
   * Specs scored with the root before the first round, each reached by its path of
   * macro-actions (specPath; those without one are left out), so the beam can start from them:
   * the agent passes the expert grid's (a person's first guesses, which the cost model ranks
   * with everything else and the search refines and measures like any candidate).
   */
  seeds?: readonly TileSpec[];
  /**
   * The best predicted this many seeds are measured among the first, taking turns with the
   * ranking (default 3; see withSeedsFirst).
   */
  seedsMeasured?: number;
  /**
   * After the first `measure`, at most this many more (default 16) while the search is within
   * EXTRA_SHARE of its budget: the seeds not measured yet taking turns with the ranking's next.
   */
  extraMeasure?: number;
}

export interface Candidate {
  spec: TileSpec;
  schedule: Schedule;
  /** Macro-actions from the untiled spec. */
  actions: MacroAction[];
  predicted: number;
  /** Set once measured. */
  measured?: number;
}

export interface TileSearchResult {
  schedule: Schedule;
  gflops: number;
  actions: MacroAction[];
  /** Ms since the search started when the best was measured. */
  elapsedMs: number;
  /** Kernels timed: the candidates measured and the finalists measured again. */
  evaluations: number;
  /** Candidates scored by the cost model. */
  scored: number;
  totalMs: number;
  /** Readying the oracle before the clock started (GflopsOracle.prepare: buffers, the process's first kernel). */
  setupMs: number;
  /** Ms of the budget spent scoring (the beam's rounds) before the first measurement. */
  scoringMs: number;
  budgetSpent: boolean;
  /** Per round, the candidates it scored, best predicted first. */
  rounds: Candidate[][];
  /** Measured candidates in the order measured. */
  measuredCandidates: Candidate[];
  trace: SearchPoint[];
}

/** The share of the budget after which no further round is scored. */
export const SCORING_SHARE = 0.5;

/**
 * Six rounds reach a blocked, packed spec from the untiled one (register tile m and n, a
 * reduction split, panels of n and m, pack); a beam of 5 keeps scoring within half the budget.
 */
export const DEFAULT_TILE_SEARCH = {
  beamWidth: 5,
  depth: 6,
  measure: 16,
  budgetMs: 1000,
  remeasure: 3,
  seedsMeasured: 3,
  extraMeasure: 16,
} as const;

/**
 * Extra candidates (past `measure`) are measured only within this share of the budget: a small
 * problem's 16 take 0.3-0.4 s, and the expert grid it is held against measures 16-47 schedules, so
 * the rest of the grid and the ranking's next are measured too, leaving time for the finalists.
 */
export const EXTRA_SHARE = 0.6;

/**
 * Another measurement starts only if one this many times the longest so far still fits the
 * budget: a kernel not measured yet may compile longer (a packed 16-accumulator tile at 1024^3:
 * 20-27 ms of its 40) or meet a burst of load (the large set's 1024^3 once ended at 1.05 s).
 */
export const MEASURE_MARGIN = 1.5;

/**
 * At least this many candidates are measured before the search keeps time to measure the two
 * best again (while one more measurement fits the budget).
 */
export const MIN_MEASURED = 6;

/**
 * A candidate is measured with a floor of this share of the best so far: one whose probe (one
 * iteration, runtime/measure.ts) runs below it gets the probe's figure and is not timed further.
 */
export const FLOOR_SHARE = 0.5;

/** The budget's margin follows the longest of this many last measurements. */
export const RECENT = 3;

/** The two best measured take turns again while the second is within this share of the first. */
export const CLOSE_SHARE = 0.95;

/** At most this many extra turns of the two best. */
export const CLOSE_TURNS = 2;

/** A group (reduction split, vector width) takes turns only if its best prediction is at least this share of the best. */
export const TURN_SHARE = 0.65;

/**
 * Best predicted first, taking turns between the groups whose best prediction is close to the
 * best (TURN_SHARE; groups in order of their best), then everything else by prediction. A group
 * is a reduction split and, given `vectorVariable`, a width of the tile along it: whether a long
 * reduction wants splitting and how wide the vector part of the tile should be (16 floats with a
 * tail, or the whole row of 19) are what the cost model is least sure of, and measuring the best
 * of each settles it.
 */
export function measurementOrder(candidates: Candidate[], vectorVariable?: string): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.predicted - a.predicted);
  const groups = new Map<string, Candidate[]>();
  for (const c of sorted) {
    const key = `${c.spec.reductionTile}/${vectorVariable ? (c.spec.tile[vectorVariable] ?? 1) : ''}`;
    const g = groups.get(key) ?? [];
    g.push(c);
    groups.set(key, g);
  }
  const top = sorted[0]?.predicted ?? 0;
  const lists = [...groups.values()].filter((g) => g[0].predicted >= TURN_SHARE * top);
  const out: Candidate[] = [];
  const longest = Math.max(0, ...lists.map((g) => g.length));
  for (let i = 0; i < longest; i++) for (const g of lists) if (i < g.length) out.push(g[i]);
  const taken = new Set(out);
  return [...out, ...sorted.filter((c) => !taken.has(c))];
}

/** A seed's family in the expert grid: the reduction whole, split, or cache-blocked (panels, packs). */
export function seedFamily(spec: TileSpec): 'whole' | 'split' | 'blocked' {
  if (spec.pack || spec.packB || Object.values(spec.panel ?? {}).some((p) => p > 0)) return 'blocked';
  return spec.reductionTile > 0 ? 'split' : 'whole';
}

/**
 * `count` seeds, the best predicted of each family first (families in order of their best, then
 * the second best of each, ...), take turns with the ranking at its head (ranking, seed, ranking,
 * seed, ...), each measured once. The beam's deeper rounds reach specs the cost model overrates,
 * and which family wins at a size it saw little of is what it is least sure of (at
 * 768x1536x640 it ranks the grid's packed entries, the fastest measured, at half its unsplit
 * ones): a person's first guesses of each kind are a floor under what a search that measures
 * only a few returns.
 */
export function withSeedsFirst(ranked: Candidate[], seeds: Candidate[], count: number): Candidate[] {
  const families = new Map<string, Candidate[]>();
  for (const c of [...seeds].sort((a, b) => b.predicted - a.predicted)) {
    const key = seedFamily(c.spec);
    families.set(key, [...(families.get(key) ?? []), c]);
  }
  const byFamily: Candidate[] = [];
  const longest = Math.max(0, ...[...families.values()].map((f) => f.length));
  for (let i = 0; i < longest; i++) for (const f of families.values()) if (i < f.length) byFamily.push(f[i]);
  const first = byFamily.slice(0, count);
  const out: Candidate[] = [];
  const taken = new Set<Candidate>();
  const add = (c: Candidate) => {
    if (taken.has(c)) return;
    taken.add(c);
    out.push(c);
  };
  let next = 0;
  for (const seed of first) {
    while (next < ranked.length && taken.has(ranked[next])) next++;
    if (next < ranked.length) add(ranked[next++]);
    add(seed);
  }
  for (const c of ranked) add(c);
  return out;
}

export async function tileSearch(
  problem: Problem,
  oracle: GflopsOracle,
  scorer: Scorer,
  options: TileSearchOptions = {},
): Promise<TileSearchResult> {
  const now = options.now ?? (() => performance.now());
  // Buffers and the runtime's first kernel are the problem's and the process's, before the clock.
  const setupStart = now();
  await oracle.prepare?.(problem);
  const setupMs = now() - setupStart;
  const start = now();
  const beamWidth = options.beamWidth ?? DEFAULT_TILE_SEARCH.beamWidth;
  const depth = options.depth ?? DEFAULT_TILE_SEARCH.depth;
  const maxMeasure = options.measure ?? DEFAULT_TILE_SEARCH.measure;
  const budgetMs = options.budgetMs ?? DEFAULT_TILE_SEARCH.budgetMs;
  const actions = macroActions(problem, { threads: options.threads }).filter((a) => a !== 'stop');

  const seen = new Map<string, Candidate>();
  const rootSpec = options.root ?? untiledSpec(problem);
  const rootSchedule = tileSchedule(problem, rootSpec) as Schedule;
  const root: Candidate = {
    spec: rootSpec,
    schedule: rootSchedule,
    actions: [],
    predicted: scorer(problem, [rootSchedule])[0],
  };
  seen.set(specKey(rootSpec), root);
  const seeded: Candidate[] = [];
  for (const spec of options.seeds ?? []) {
    if (seen.has(specKey(spec)) || !isLegalSpec(problem, spec)) continue;
    const path = specPath(problem, rootSpec, spec, { threads: options.threads });
    if (!path) continue;
    const c: Candidate = { spec, schedule: tileSchedule(problem, spec) as Schedule, actions: path, predicted: 0 };
    seen.set(specKey(spec), c);
    seeded.push(c);
  }
  if (seeded.length > 0) {
    const scores = scorer(
      problem,
      seeded.map((c) => c.schedule),
    );
    seeded.forEach((c, i) => {
      c.predicted = scores[i];
    });
  }
  const start0 = [root, ...seeded].sort((a, b) => b.predicted - a.predicted);
  const rounds: Candidate[][] = [start0];
  // The root is always expanded (the page lists every option of the first decision), with the best seeds.
  let beam = [root, ...start0.filter((c) => c !== root).slice(0, beamWidth)];
  let lastRoundMs = 0;
  for (let d = 0; d < depth && beam.length > 0; d++) {
    // Half the budget is for measuring: on a loaded machine, scoring stops early (no round
    // starts that would end past the share if it took as long as the last one).
    const roundStart = now();
    if (d > 0 && roundStart - start + lastRoundMs > budgetMs * SCORING_SHARE) break;
    const fresh: Candidate[] = [];
    for (const parent of beam) {
      for (const a of actions) {
        const spec = applyMacro(problem, parent.spec, a);
        if (!spec || seen.has(specKey(spec))) continue;
        const c: Candidate = {
          spec,
          schedule: tileSchedule(problem, spec) as Schedule,
          actions: [...parent.actions, a],
          predicted: 0,
        };
        seen.set(specKey(spec), c);
        fresh.push(c);
      }
    }
    const scores = scorer(
      problem,
      fresh.map((c) => c.schedule),
    );
    fresh.forEach((c, i) => {
      c.predicted = scores[i];
    });
    fresh.sort((a, b) => b.predicted - a.predicted);
    rounds.push(fresh);
    beam = fresh.slice(0, beamWidth);
    lastRoundMs = now() - roundStart;
  }

  const scoringMs = now() - start;
  const worthMeasuring = [...seen.values()].filter((c) => isMeasuredSpec(problem, c.spec));
  // A problem too small for 4 accumulators measures everything it has.
  const ranked = withSeedsFirst(
    measurementOrder(worthMeasuring.length > 0 ? worthMeasuring : [...seen.values()], vectorVariable(problem)),
    seeded.filter((c) => isMeasuredSpec(problem, c.spec)),
    options.seedsMeasured ?? DEFAULT_TILE_SEARCH.seedsMeasured,
  );
  const measuredCandidates: Candidate[] = [];
  const trace: SearchPoint[] = [];
  let best = null as Candidate | null;
  let bestAt = 0;
  let budgetSpent = false;
  // The longest of the last RECENT measurements: one slow measurement (a burst of load, a first
  // kernel) does not end the search, while the margin still follows the machine's current pace.
  const recent: number[] = [];
  let longest = 0;
  let evaluations = 0;
  const finalists = Math.max(0, options.remeasure ?? DEFAULT_TILE_SEARCH.remeasure);
  const measure = async (c: Candidate, floor: number): Promise<number> => {
    const t0 = now();
    const g = await oracle.gflops(problem, c.schedule, floor > 0 ? { floorGflops: floor } : {});
    recent.push(now() - t0);
    if (recent.length > RECENT) recent.shift();
    longest = Math.max(...recent);
    evaluations++;
    c.measured = c.measured === undefined ? g : Math.max(c.measured, g);
    if (!best || c.measured > (best.measured as number)) {
      best = c;
      bestAt = now() - start;
      trace.push({ schedule: c.schedule, gflops: c.measured, actions: [], elapsedMs: bestAt });
    }
    return g;
  };
  const fits = (measurements: number) => now() - start + measurements * MEASURE_MARGIN * longest <= budgetMs;
  // Past MIN_MEASURED, a candidate is measured only if the two best can still be measured again after it.
  const reserve = () => (measuredCandidates.length >= MIN_MEASURED && finalists >= 2 ? 2 : 0);
  for (const c of ranked) {
    if (measuredCandidates.length >= maxMeasure) break;
    if (measuredCandidates.length > 0 && !fits(1 + reserve())) {
      budgetSpent = true;
      break;
    }
    await measure(c, FLOOR_SHARE * (best?.measured ?? 0));
    measuredCandidates.push(c);
  }
  // Time left (a small problem): the seeds not measured yet, taking turns with the ranking's next.
  const most = maxMeasure + Math.max(0, options.extraMeasure ?? DEFAULT_TILE_SEARCH.extraMeasure);
  if (!budgetSpent && measuredCandidates.length >= maxMeasure && most > maxMeasure) {
    const done = new Set(measuredCandidates);
    const seedsLeft = seeded.filter((c) => !done.has(c) && isMeasuredSpec(problem, c.spec));
    const extra = withSeedsFirst(
      ranked.filter((c) => !done.has(c)),
      seedsLeft,
      seedsLeft.length,
    );
    for (const c of extra) {
      if (measuredCandidates.length >= most || now() - start > EXTRA_SHARE * budgetMs || !fits(1 + reserve())) break;
      await measure(c, FLOOR_SHARE * (best?.measured ?? 0));
      measuredCandidates.push(c);
    }
  }
  // The best few measured are measured again, runner-up before the best, and while the two best
  // of these second figures stay within CLOSE_SHARE of each other they take turns again, as time
  // allows. When every finalist was measured again, their figures become the best of these
  // alone (taken close together, a burst of load hits them alike, where a first-pass figure taken
  // in a quiet moment would win against a better schedule measured in a busy one); the answer is
  // the fastest figure.
  if (measuredCandidates.length > 1 && finalists > 0) {
    const chosen = [...measuredCandidates]
      .sort((a, b) => (b.measured as number) - (a.measured as number))
      .slice(0, finalists);
    const again = new Map<Candidate, number>();
    const measureAgain = async (c: Candidate) => {
      const g = await measure(c, 0);
      again.set(c, Math.max(again.get(c) ?? 0, g));
    };
    for (const c of [...chosen].reverse()) {
      if (!fits(1)) break;
      await measureAgain(c);
    }
    const byAgain = () => [...again.keys()].sort((a, b) => (again.get(b) as number) - (again.get(a) as number));
    for (let turn = 0; turn < CLOSE_TURNS && again.size >= 2; turn++) {
      const [first, second] = byAgain();
      if ((again.get(second) as number) < CLOSE_SHARE * (again.get(first) as number) || !fits(2)) break;
      await measureAgain(second);
      await measureAgain(first);
    }
    if (again.size === chosen.length && chosen.length >= 2) {
      // The finalists' figures become those taken again; the answer is still the fastest figure.
      for (const [c, g] of again) c.measured = g;
      const winner = [...measuredCandidates].sort((a, b) => (b.measured as number) - (a.measured as number))[0];
      if (winner !== best) {
        best = winner;
        bestAt = now() - start;
        trace.push({ schedule: winner.schedule, gflops: winner.measured as number, actions: [], elapsedMs: bestAt });
      }
    }
  }
  const winner = best as Candidate;
  return {
    schedule: winner.schedule,
    gflops: winner.measured as number,
    actions: winner.actions,
    elapsedMs: bestAt,
    evaluations,
    scored: seen.size,
    totalMs: now() - start,
    setupMs,
    scoringMs,
    budgetSpent,
    rounds,
    measuredCandidates,
    trace,
  };
}
