// The `expert` reference: the best of a fixed grid of hand-written schedules, every one measured.
//
// (Batched) matmul: register tiles a x b (a rows of the non-contiguous output variable, m; b
// floats of the contiguous one, n) for (a, b) in (1,32), (2,16), (3,16), (4,8), (4,16), (6,8),
// each untiled (`m n k m:a n:b`, `b m n k m:a n:b`) and with k split by 32 and 64
// (`k m n k:32 m:a n:b`): 18 schedules.
// Convolution: register tiles co x oh x ow over the output (`co oh ow ci kh kw co:c oh:h ow:w`),
// the 16 of CONV_TILES, chosen to hold 4 to 16 f32x4 accumulators (the multiply-add latency
// needs >= 4 independent chains; x64 has 16 SIMD registers), with ow (contiguous in O and I)
// innermost as 4 to 16 floats, and shapes from weight reuse (tall in co: one input vector feeds
// several output channels) to input reuse (tall in oh/ow: one weight feeds several pixels).
// Entries are fitted to a problem's sizes as a person would: a factor larger than its variable
// is cut to the variable's size (the tile covers it whole), a loop that would run once is
// dropped (`m:1` above `m:4` when m = 4), and a k split that covers all of k is the untiled
// entry again; entries that come out the same are measured once. A loop running once with a
// tail (`ow:1 r3` for `ow:4` when ow = 7) is kept: that is what the hand-written tile gives.
// Large (batched) matmuls, every side at least LARGE_MATMUL_SIDE, also get the cache-blocked,
// packed schedules of PACKED_BLOCKS, in BLIS's loop order: a KC-long slice of k whose panel of B
// (KC x NC, laid out as NR-wide micro-panels; NC all of n when 0) is packed once per slice, MC rows
// of A (packed per row block as MR-wide micro-panels, or read in place) swept across the panel's
// micro-panels, then the MR x NR register tile over the slice.
import { convShape } from '../core/convShape.ts';
import { defaultSchedule, parseSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import type { GflopsOracle } from './oracle.ts';
import type { SearchPoint, SearchResult } from './search.ts';
import {
  isLargeMatmul,
  mainReduction,
  outputVariables,
  tileSchedule,
  vectorVariable,
  type TileSpec,
} from './tileSpace.ts';

/** (rows, floats) of the matmul register tiles. */
export const MATMUL_TILES: ReadonlyArray<readonly [number, number]> = [
  [1, 32],
  [2, 16],
  [3, 16],
  [4, 8],
  [4, 16],
  [6, 8],
];
export const MATMUL_K_SPLITS = [0, 32, 64] as const;

/** (co, oh, ow) of the convolution register tiles, by accumulators (co * oh * ow / 4). */
export const CONV_TILES: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 16], // 4
  [4, 1, 4], // 4
  [1, 2, 16], // 8
  [1, 4, 8], // 8
  [2, 1, 16], // 8
  [2, 2, 8], // 8
  [4, 1, 8], // 8
  [4, 2, 4], // 8
  [8, 1, 4], // 8
  [3, 1, 16], // 12
  [4, 3, 4], // 12
  [6, 1, 8], // 12
  [2, 4, 8], // 16
  [4, 2, 8], // 16
  [4, 4, 4], // 16
  [8, 1, 8], // 16
];

/**
 * The packed entries: register tile MR x NR, KC floats of k per slice, MC rows of A and NC columns
 * of B per block (0: all of n, B's whole KC-row slice packed at once), and whether A is packed too
 * (B always is). Measured on one Zen 4 core (docs/benchmarks.md): packing A as well costs at
 * 1024-2048 with panels of n, since a 4-row panel of A already streams from L2; without panels
 * (BLIS with NC >= n: B's 2 MiB slice from L3, 96 rows of A packed into 96 KiB of L2) the 3 x 12
 * tile gains 2-3 points at 2048^3, whose rows of A, 8 KiB apart, share L1 sets when read in place.
 * The 6 x 8 tile in the same blocking is the page's best in Chromium (94% of peak at 1024^3-2048^3,
 * `npm run bench -- --engine chromium`), whose compiler holds its 12 accumulators, B's 2 vectors
 * and one splat of A; Node 20's TurboFan loads all 6 splats first, so there it is split (and slower).
 */
export const PACKED_BLOCKS: ReadonlyArray<{
  mr: number;
  nr: number;
  kc: number;
  mc: number;
  nc: number;
  packA: boolean;
}> = [
  { mr: 4, nr: 8, kc: 128, mc: 4, nc: 128, packA: true },
  { mr: 4, nr: 8, kc: 256, mc: 4, nc: 128, packA: true },
  { mr: 4, nr: 8, kc: 128, mc: 64, nc: 256, packA: true },
  { mr: 2, nr: 16, kc: 128, mc: 2, nc: 128, packA: true },
  { mr: 2, nr: 16, kc: 256, mc: 32, nc: 256, packA: true },
  { mr: 6, nr: 8, kc: 128, mc: 6, nc: 128, packA: true },
  { mr: 4, nr: 8, kc: 128, mc: 4, nc: 128, packA: false },
  { mr: 4, nr: 8, kc: 128, mc: 16, nc: 128, packA: false },
  { mr: 4, nr: 8, kc: 256, mc: 4, nc: 256, packA: false },
  { mr: 3, nr: 12, kc: 128, mc: 12, nc: 192, packA: false },
  { mr: 3, nr: 12, kc: 256, mc: 96, nc: 0, packA: true },
  { mr: 6, nr: 8, kc: 256, mc: 96, nc: 0, packA: true },
];

/** Register tiles (rows, floats) of the large matmul's cache-blocked entries. */
export const BLOCKED_TILES: ReadonlyArray<readonly [number, number]> = [
  [4, 8],
  [2, 16],
  [4, 16],
];
/** Slices of k of the large matmul's cache-blocked entries: a KC x 256 panel of B is 128-256 KiB (L2). */
export const BLOCKED_K_SPLITS = [128, 256] as const;
/** The n panel of the large matmul's cache-blocked entries, in floats. */
export const BLOCKED_N_PANEL = 256;
/** Splits of ci for convolutions with at least LARGE_CONV_CHANNELS input channels. */
export const LARGE_CONV_CI_SPLIT = 64;
export const LARGE_CONV_CHANNELS = 128;

/**
 * The cache-blocked specs of a large (batched) matmul, every side at least LARGE_MATMUL_SIDE, in
 * the agent's own layout (tileSpace.ts), so the agent can reach each of them: for each register
 * tile of BLOCKED_TILES and k slice of BLOCKED_K_SPLITS, the k split alone (`k m n k:128 m:4 n:8`),
 * and within panels of BLOCKED_N_PANEL floats of n, unpacked (`n k m n:32 k:128 m:4 n:8`) and
 * packed (`n k pack(B) m pack(A) n:32 k:128 m:4 n:8`): 18 specs. None for other problems.
 */
export function blockedSpecs(problem: Problem): TileSpec[] {
  if (!isLargeMatmul(problem)) return [];
  const outs = outputVariables(problem);
  const n = vectorVariable(problem);
  const m = outs[outs.length - 2];
  const base = Object.fromEntries(outs.map((v) => [v, 1]));
  const out: TileSpec[] = [];
  for (const [a, b] of BLOCKED_TILES)
    for (const kc of BLOCKED_K_SPLITS) {
      const tile = { ...base, [m]: a, [n]: b };
      out.push({ tile, reductionTile: kc });
      out.push({ tile, reductionTile: kc, panel: { [n]: BLOCKED_N_PANEL / b } });
      out.push({ tile, reductionTile: kc, panel: { [n]: BLOCKED_N_PANEL / b }, pack: true });
    }
  return out;
}

/**
 * A packed entry in the agent's layout (tileSpace.ts): the register tile, the k slice, the panels
 * (NC / NR tiles of n, MC / MR of m), both inputs packed or B alone, and with a block of rows
 * (MC > MR) n's tiles outside m's, BLIS's order. Its schedule is the entry's (expert.test.ts).
 */
export function packedBlockSpec(problem: Problem, block: (typeof PACKED_BLOCKS)[number]): TileSpec {
  const outs = outputVariables(problem);
  const n = vectorVariable(problem);
  const m = outs[outs.length - 2];
  const { mr, nr, kc, mc, nc, packA } = block;
  return {
    tile: { ...Object.fromEntries(outs.map((v) => [v, 1])), [m]: mr, [n]: nr },
    reductionTile: kc,
    panel: { ...(nc > 0 ? { [n]: nc / nr } : {}), ...(mc > mr ? { [m]: mc / mr } : {}) },
    ...(packA ? { pack: true } : { packB: true }),
    ...(mc > mr ? { blisOrder: true } : {}),
  };
}

/** The packed, cache-blocked entries for a large (batched) matmul; none for other problems. */
export function packedEntries(problem: Problem): Schedule[] {
  return packedExpertEntries(problem).map((e) => e.schedule);
}

/** The packed entries with their specs in the agent's layout (packedBlockSpec). */
export function packedExpertEntries(problem: Problem): ExpertEntry[] {
  const outs = outputVariables(problem);
  const r = mainReduction(problem);
  if (!isLargeMatmul(problem) || r === null) return [];
  const n = vectorVariable(problem);
  const m = outs[outs.length - 2];
  const batch = outs.slice(0, -2);
  const [a, b] = problem.inputs.map((t) => t.name);
  const sizes = problem.sizes;
  const out: ExpertEntry[] = [];
  for (const block of PACKED_BLOCKS) {
    const { mr, nr, kc, mc, nc, packA } = block;
    if (sizes[r] < 2 * kc || sizes[m] < 2 * mc || sizes[n] < 2 * nc) continue;
    const loops = [
      ...batch,
      ...(nc > 0 ? [n] : []),
      `${r} pack(${b})`,
      packA ? `${m} pack(${a})` : m,
      nc > 0 ? `${n}:${nc / nr}` : n,
      ...(mc > mr ? [`${m}:${mc / mr}`] : []),
      `${r}:${kc}`,
      `${m}:${mr}`,
      `${n}:${nr}`,
    ];
    const schedule = parseSchedule(problem, loops.join(' '));
    // A block larger than its side would leave a loop that runs once: not a schedule to offer.
    if (schedule.loops.every((loop) => loop.trip >= 2 || loop.tail > 0))
      out.push({ spec: packedBlockSpec(problem, block), schedule });
  }
  return out;
}

/** Slices of ci (floats) of the packed NHWC convolution entries: the weights' micro-panel stays in L1. */
export const PACKED_CONV_CI_SLICES = [8, 16] as const;

/**
 * The packed entries of an NHWC convolution (O[oh,ow,co] += I[oh+kh,ow+kw,ci] * W[kh,kw,ci,co],
 * stride 1) with at least LARGE_CONV_CHANNELS input channels: per slice of ci the image's slice is
 * packed once (every window the tiles read, in their order) and, per 16 output channels, the
 * weights' KH x KW x slice x 16 micro-panel; the register tile is 2 pixels of a row x 16 channels
 * (8 accumulators, 6 loads per 8 multiply-adds). The deep 7x7 layer goes from 61% to 77% of peak
 * with them (docs/benchmarks.md). None for other problems.
 */
export function packedConvEntries(problem: Problem): Schedule[] {
  const shape = convShape(problem);
  if (shape?.layout !== 'hwc' || shape.coInner !== null || shape.stride !== 1) return [];
  const { ci, co, oh, ow, kh, kw } = shape;
  const sizes = problem.sizes;
  if (sizes[ci] < LARGE_CONV_CHANNELS || sizes[co] < 32 || sizes[ow] < 2) return [];
  const [image, weights] = shape.imageInput === 0 ? problem.inputs : [problem.inputs[1], problem.inputs[0]];
  return PACKED_CONV_CI_SLICES.filter((slice) => sizes[ci] >= 2 * slice).map((slice) =>
    parseSchedule(
      problem,
      [
        `${ci} pack(${image.name})`,
        `${co} pack(${weights.name})`,
        ow,
        oh,
        kh,
        kw,
        `${ci}:${slice}`,
        `${ow}:2`,
        `${co}:16`,
      ].join(' '),
    ),
  );
}

/** Input channels per slice of the blocked-weight convolution's sliced entry. */
export const BLOCKED_CONV_CI_SLICE = 16;

/**
 * The entries of an HWC convolution whose weights are blocked in micro-panels of 16 output
 * channels (O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,..,cv], stride 1; core/convShape.ts), the
 * layout XNNPACK packs its weights into once: nothing is packed per call, the 2-pixel x 16-channel
 * tile reads W's micro-panel in its memory order, over all of ci (`cb ow oh kh kw ci ow:2 cv`) and
 * per slice of 16 input channels (`ci cb ow oh kh kw ci:16 ow:2 cv`). The 512-channel 7x7 layer
 * 77-81% of peak, the 256-channel 14x14 one 91-92% (docs/benchmarks.md). None for other problems.
 */
export function blockedConvEntries(problem: Problem): Schedule[] {
  const shape = convShape(problem);
  if (shape?.coInner == null || shape.stride !== 1) return [];
  const { ci, co, oh, ow, coInner } = shape;
  const sizes = problem.sizes;
  if (sizes[coInner] !== 16 || sizes[ow] < 2) return [];
  const reduction = (slice: string) => shape.filterVars.slice(1, 4).map((v) => (v === ci ? slice : v));
  const whole = [co, ow, oh, ...reduction(ci), `${ow}:2`, coInner];
  const out = [whole];
  if (sizes[ci] >= 2 * BLOCKED_CONV_CI_SLICE)
    out.push([ci, co, ow, oh, ...reduction(`${ci}:${BLOCKED_CONV_CI_SLICE}`), `${ow}:2`, coInner]);
  return out.map((loops) => parseSchedule(problem, loops.join(' ')));
}

/** The trip of the innermost loop over reduction `r` when it does not cover all of r (the spec's split); 0 otherwise. */
function innerReductionSplit(problem: Problem, schedule: Schedule, r: string | null): number {
  const inner = [...schedule.loops].reverse().find((l) => l.variable === r);
  return inner && inner.trip < problem.sizes[inner.variable] ? inner.trip : 0;
}

export interface ExpertEntry {
  spec: TileSpec;
  /** As a person writes it, e.g. `k m n k:32 m:4 n:8`. */
  schedule: Schedule;
}

/**
 * The grid for a problem, legal entries only, each schedule once. Matmul-shaped problems (one
 * reduction, output [.., m, n]) get the matmul grid, everything else with three output
 * variables the convolution grid.
 */
export function expertGrid(problem: Problem): ExpertEntry[] {
  const outs = outputVariables(problem);
  const vec = vectorVariable(problem);
  const specs: TileSpec[] = [];
  const base = Object.fromEntries(outs.map((v) => [v, 1]));
  if (problem.reductionVariables.length === 1) {
    const row = outs[outs.length - 2] ?? vec;
    for (const split of MATMUL_K_SPLITS) {
      for (const [a, b] of MATMUL_TILES) specs.push({ tile: { ...base, [row]: a, [vec]: b }, reductionTile: split });
    }
    specs.push(...blockedSpecs(problem));
  } else {
    const [c, h] = outs.filter((v) => v !== vec);
    const r = mainReduction(problem);
    // Many input channels: also each tile with ci split, so a slice of the weights and the input
    // rows stays in L1 across the tile's passes.
    const splits = r !== null && problem.sizes[r] >= LARGE_CONV_CHANNELS ? [0, LARGE_CONV_CI_SPLIT] : [0];
    for (const split of splits)
      for (const [co, oh, ow] of CONV_TILES)
        specs.push({
          tile: { ...base, ...(c ? { [c]: co } : {}), ...(h ? { [h]: oh } : {}), [vec]: ow },
          reductionTile: split,
        });
  }
  const r = mainReduction(problem);
  const seen = new Set<string>();
  const out: ExpertEntry[] = [];
  for (const spec of specs) {
    const tile = Object.fromEntries(Object.entries(spec.tile).map(([v, f]) => [v, Math.min(f, problem.sizes[v])]));
    const split = r !== null && spec.reductionTile < problem.sizes[r] ? spec.reductionTile : 0;
    const s: TileSpec = { ...spec, tile, reductionTile: split };
    const schedule = tileSchedule(problem, s, { allowOnceWithTail: true });
    if (!schedule) continue;
    const key = printSchedule(schedule);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ spec: s, schedule });
  }
  for (const entry of packedExpertEntries(problem)) {
    const key = printSchedule(entry.schedule);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(entry);
  }
  for (const schedule of [...packedConvEntries(problem), ...blockedConvEntries(problem)]) {
    const key = printSchedule(schedule);
    if (seen.has(key)) continue;
    seen.add(key);
    const tile = schedule.loops.slice(-2);
    out.push({
      spec: {
        tile: {
          ...Object.fromEntries(outs.map((v) => [v, 1])),
          ...Object.fromEntries(tile.map((l) => [l.variable, l.trip])),
        },
        reductionTile: innerReductionSplit(problem, schedule, r),
      },
      schedule,
    });
  }
  return out;
}

/** Measures every entry of the grid and answers with the fastest (the default schedule when none is legal). */
export async function expertTune(
  problem: Problem,
  oracle: GflopsOracle,
  now: () => number = () => performance.now(),
): Promise<SearchResult> {
  const start = now();
  const grid = expertGrid(problem);
  let best: SearchPoint | null = null;
  const trace: SearchPoint[] = [];
  for (const entry of grid) {
    const gflops = await oracle.gflops(problem, entry.schedule);
    if (!best || gflops > best.gflops) {
      best = { schedule: entry.schedule, gflops, actions: [], elapsedMs: now() - start };
      trace.push(best);
    }
  }
  if (!best) {
    const schedule = defaultSchedule(problem);
    const gflops = await oracle.gflops(problem, schedule);
    best = { schedule, gflops, actions: [], elapsedMs: now() - start };
    trace.push(best);
  }
  return {
    ...best,
    defaultGflops: 0,
    evaluations: Math.max(1, grid.length),
    totalMs: now() - start,
    trace,
    budgetSpent: false,
  };
}
