// The agent's benchmark sets, generated like LoopTune's matmul set (m, k, n each in 64, 80, ..., 256),
// plus batched-matmul and convolution sets generated the same way (a grid of sizes), each split
// 90/10 into train and test by a seeded shuffle. A few odd-sized problems, off every grid, check
// that the policy generalizes beyond the sizes it trained on.
import { parseProblem } from '../core/problem.ts';
import { seededRandom } from '../core/random.ts';
import type { Problem } from '../core/types.ts';

export type Family = 'matmul' | 'bmm' | 'conv';

export const FAMILY_OPS: Record<Family, string> = {
  matmul: 'C[m,n] += A[m,k] * B[k,n]',
  bmm: 'C[b,m,n] += A[b,m,k] * B[b,k,n]',
  conv: 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]',
};

export interface Benchmark {
  /** e.g. `matmul m=64,n=80,k=96`. */
  id: string;
  family: Family;
  op: string;
  /** Sizes text, e.g. `m=64, n=80, k=96`. */
  sizes: string;
}

/** 64, 80, ..., 256 (LoopTune's matmul sizes). */
export const LOOPTUNE_SIZES = range(64, 256, 16);

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x += step) out.push(x);
  return out;
}

function benchmark(family: Family, sizes: Record<string, number>): Benchmark {
  const text = Object.entries(sizes)
    .map(([v, n]) => `${v}=${n}`)
    .join(', ');
  return { id: `${family} ${text.replace(/ /g, '')}`, family, op: FAMILY_OPS[family], sizes: text };
}

/** Every matmul with m, k, n in 64, 80, ..., 256 (2197 problems). */
export function matmulSet(): Benchmark[] {
  const out: Benchmark[] = [];
  for (const m of LOOPTUNE_SIZES)
    for (const n of LOOPTUNE_SIZES) for (const k of LOOPTUNE_SIZES) out.push(benchmark('matmul', { m, n, k }));
  return out;
}

/** Batched matmuls: b in 2, 4, 8 and m, n, k in 32, 48, ..., 128 (1029 problems). */
export function bmmSet(): Benchmark[] {
  const sizes = range(32, 128, 16);
  const out: Benchmark[] = [];
  for (const b of [2, 4, 8])
    for (const m of sizes) for (const n of sizes) for (const k of sizes) out.push(benchmark('bmm', { b, m, n, k }));
  return out;
}

/**
 * 2-D convolutions (valid, stride 1): co, ci in 16, 32, 48, 64; square outputs oh = ow in
 * 8, 12, ..., 28; square kernels kh = kw in 1, 3 (192 problems).
 */
export function convSet(): Benchmark[] {
  const channels = range(16, 64, 16);
  const out: Benchmark[] = [];
  for (const co of channels) {
    for (const ci of channels) {
      for (const o of range(8, 28, 4)) {
        for (const kk of [1, 3]) out.push(benchmark('conv', { co, oh: o, ow: o, ci, kh: kk, kw: kk }));
      }
    }
  }
  return out;
}

export function familySet(family: Family): Benchmark[] {
  return family === 'matmul' ? matmulSet() : family === 'bmm' ? bmmSet() : convSet();
}

export const FAMILIES: Family[] = ['matmul', 'bmm', 'conv'];

/** Fisher-Yates shuffle with core's seeded generator (a copy; the input is untouched). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const next = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface Split {
  train: Benchmark[];
  /** Held out of training; the last part of the train shuffle, used to pick the best checkpoint. */
  validation: Benchmark[];
  test: Benchmark[];
}

/**
 * The 90/10 train/test split of every family by a seeded shuffle (the test part is the first
 * tenth of the shuffle). `validation` is a small slice of the train part (about 2%, at least
 * 4 per family), removed from `train`, for choosing checkpoints without looking at the test set.
 */
export function splitBenchmarks(seed: number, families: Family[] = FAMILIES): Split {
  const split: Split = { train: [], validation: [], test: [] };
  families.forEach((family, f) => {
    const all = seededShuffle(familySet(family), seed * 7919 + f);
    const nTest = Math.round(all.length / 10);
    const nVal = Math.max(4, Math.round(all.length / 50));
    split.test.push(...all.slice(0, nTest));
    split.validation.push(...all.slice(nTest, nTest + nVal));
    split.train.push(...all.slice(nTest + nVal));
  });
  return split;
}

/**
 * Problems off every grid, with odd sizes (seeded): matmuls with sizes in 33..299, batched
 * matmuls, and convolutions with odd channel counts and 5x5 kernels.
 */
export function oddBenchmarks(seed: number, perFamily = 4): Benchmark[] {
  const next = seededRandom(seed * 104729 + 17);
  const odd = (lo: number, hi: number) => {
    const x = lo + Math.floor(next() * (hi - lo + 1));
    return x % 2 === 1 ? x : x + 1;
  };
  const out: Benchmark[] = [];
  for (let i = 0; i < perFamily; i++)
    out.push(benchmark('matmul', { m: odd(33, 299), n: odd(33, 299), k: odd(33, 299) }));
  for (let i = 0; i < perFamily; i++)
    out.push(benchmark('bmm', { b: odd(2, 7), m: odd(25, 139), n: odd(25, 139), k: odd(25, 139) }));
  for (let i = 0; i < perFamily; i++) {
    const o = odd(7, 29);
    const kk = i % 2 === 0 ? 3 : 5;
    out.push(benchmark('conv', { co: odd(9, 63), oh: o, ow: o, ci: odd(9, 63), kh: kk, kw: kk }));
  }
  return out;
}

const parsed = new Map<string, Problem>();

/** The parsed problem of a benchmark (memoized). */
export function benchmarkProblem(b: Benchmark): Problem {
  let p = parsed.get(b.id);
  if (!p) {
    p = parseProblem(b.op, b.sizes);
    parsed.set(b.id, p);
  }
  return p;
}

/**
 * An evenly spread, deterministic selection of `count` benchmarks per family (all of them when
 * a family has fewer), keeping the input order within each family.
 */
export function samplePerFamily(benchmarks: readonly Benchmark[], count: number): Benchmark[] {
  const out: Benchmark[] = [];
  for (const family of FAMILIES) {
    const members = benchmarks.filter((b) => b.family === family);
    if (members.length <= count) {
      out.push(...members);
      continue;
    }
    for (let i = 0; i < count; i++) out.push(members[Math.floor((i * members.length) / count)]);
  }
  return out;
}

/**
 * Draws training problems: a family by its weight (1 when not given), then one of its problems,
 * uniformly; two draws of `random` per problem.
 */
export function problemPicker(
  train: readonly Benchmark[],
  familyWeights: Partial<Record<Family, number>>,
  random: () => number,
): () => Benchmark {
  const byFamily = new Map<Family, Benchmark[]>();
  for (const b of train) byFamily.set(b.family, [...(byFamily.get(b.family) ?? []), b]);
  const families = [...byFamily.keys()];
  const weights = families.map((f) => familyWeights[f] ?? 1);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  return () => {
    let x = random() * weightSum;
    let i = 0;
    while (i < families.length - 1 && x >= weights[i]) x -= weights[i++];
    const list = byFamily.get(families[i]) as Benchmark[];
    return list[Math.floor(random() * list.length)];
  };
}

const STRIDED_CONV = 'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]';

/**
 * The `expert` set of `npm run eval -- --set expert`: the problems the agent is held against the
 * expert grid on. Matmuls up to 512 and odd-sized, batched matmuls (attention-shaped and odd),
 * convolutions 3x3 and 1x1 with 64 channels at 56x56 and 28x28, strided (stride 2) and odd
 * (5x5, odd channels). None is trained on (costTrainingProblem skips them).
 */
export function expertBenchmarks(): Benchmark[] {
  const strided = (sizes: Record<string, number>): Benchmark => {
    const b = benchmark('conv', sizes);
    return { ...b, id: b.id.replace(/^conv /, 'conv-stride2 '), op: STRIDED_CONV };
  };
  return [
    benchmark('matmul', { m: 128, n: 128, k: 128 }),
    benchmark('matmul', { m: 256, n: 256, k: 256 }),
    benchmark('matmul', { m: 512, n: 512, k: 512 }),
    benchmark('matmul', { m: 320, n: 192, k: 448 }),
    benchmark('matmul', { m: 197, n: 233, k: 151 }),
    benchmark('matmul', { m: 97, n: 301, k: 77 }),
    benchmark('bmm', { b: 8, m: 128, n: 128, k: 64 }),
    benchmark('bmm', { b: 4, m: 96, n: 96, k: 96 }),
    benchmark('bmm', { b: 3, m: 77, n: 131, k: 45 }),
    benchmark('bmm', { b: 5, m: 49, n: 33, k: 127 }),
    benchmark('conv', { co: 64, oh: 56, ow: 56, ci: 64, kh: 3, kw: 3 }),
    benchmark('conv', { co: 64, oh: 28, ow: 28, ci: 64, kh: 3, kw: 3 }),
    benchmark('conv', { co: 64, oh: 56, ow: 56, ci: 64, kh: 1, kw: 1 }),
    strided({ co: 128, oh: 28, ow: 28, ci: 64, kh: 3, kw: 3 }),
    benchmark('conv', { co: 27, oh: 19, ow: 19, ci: 13, kh: 5, kw: 5 }),
    benchmark('conv', { co: 48, oh: 13, ow: 13, ci: 32, kh: 3, kw: 3 }),
  ];
}

/**
 * The `large` set of `npm run eval -- --set large`: where cache blocking and packing pay. Matmuls
 * 1024^3 and 2048^3, odd sizes between 600 and 2000 on every side (and the 768x1536x640 of issue
 * 20), batched matmuls of 512x512 matrices, convolutions with 128-512 channels at 7x7 to 56x56,
 * 3x3 and 1x1. None is trained on (costTrainingProblem skips them).
 */
export function largeBenchmarks(): Benchmark[] {
  return [
    benchmark('matmul', { m: 1024, n: 1024, k: 1024 }),
    benchmark('matmul', { m: 2048, n: 2048, k: 2048 }),
    benchmark('matmul', { m: 768, n: 1536, k: 640 }),
    benchmark('matmul', { m: 1100, n: 900, k: 1300 }),
    benchmark('matmul', { m: 1999, n: 613, k: 1031 }),
    benchmark('matmul', { m: 677, n: 1871, k: 1523 }),
    benchmark('bmm', { b: 4, m: 512, n: 512, k: 512 }),
    benchmark('bmm', { b: 2, m: 512, n: 512, k: 64 }),
    benchmark('conv', { co: 128, oh: 56, ow: 56, ci: 128, kh: 3, kw: 3 }),
    benchmark('conv', { co: 256, oh: 28, ow: 28, ci: 256, kh: 3, kw: 3 }),
    benchmark('conv', { co: 512, oh: 7, ow: 7, ci: 512, kh: 3, kw: 3 }),
    benchmark('conv', { co: 256, oh: 56, ow: 56, ci: 128, kh: 1, kw: 1 }),
    benchmark('conv', { co: 512, oh: 14, ow: 14, ci: 256, kh: 1, kw: 1 }),
  ];
}

/** Share of the cost model's training problems drawn from the large ranges (costTrainingProblem). */
export const LARGE_TRAINING_SHARE = 0.3;
/** The largest training problem (flops of one call): a 2048^3 matmul. */
export const MAX_TRAINING_FLOPS = 1.8e10;

/** A random large problem: a matmul of sides 512-2048, a bmm of 256-512 sides, a conv of 128-512 channels at 7-56, 1x1 or 3x3. */
function largeTrainingProblem(random: () => number): Benchmark {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const family = pick(FAMILIES);
  if (family === 'matmul') {
    const s = () => 512 + Math.floor(random() * 1537);
    return benchmark('matmul', { m: s(), n: s(), k: s() });
  }
  if (family === 'bmm') {
    const s = () => 256 + Math.floor(random() * 257);
    return benchmark('bmm', { b: 2 + Math.floor(random() * 7), m: s(), n: s(), k: s() });
  }
  const o = 7 + Math.floor(random() * 50);
  const kk = pick([1, 3]);
  return benchmark('conv', {
    co: pick([128, 192, 256, 384, 512]),
    oh: o,
    ow: o,
    ci: pick([128, 192, 256, 384, 512]),
    kh: kk,
    kw: kk,
  });
}

/**
 * A random problem for the cost model's measurements (seeded by `random`): a family (uniformly),
 * then one of its train-split problems, or, half of the time, one from wider ranges than the agent's training grids (matmuls
 * up to 512, convolutions up to 56x56 and 128 channels, 1x1 to 5x5, stride 1 or 2), so that the
 * model sees the sizes it is asked about; `largeShare` of the time (LARGE_TRAINING_SHARE) one of
 * the large ranges (largeTrainingProblem: matmuls to 2048, convolutions to 512 channels), measured
 * on slices. Problems of the test split, the expert set and the large set are never returned, nor
 * problems over 300 MFLOP from the small ranges.
 */
export function costTrainingProblem(
  train: readonly Benchmark[],
  excluded: ReadonlySet<string>,
  random: () => number,
  largeShare = LARGE_TRAINING_SHARE,
): Benchmark {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  for (;;) {
    let b: Benchmark;
    const family = pick(FAMILIES);
    const ofFamily = train.filter((t) => t.family === family);
    const large = random() < largeShare;
    if (large) b = largeTrainingProblem(random);
    else if (random() < 0.5 && ofFamily.length > 0) b = pick(ofFamily);
    else {
      if (family === 'matmul') {
        const s = () => 32 + Math.floor(random() * 481);
        b = benchmark('matmul', { m: s(), n: s(), k: s() });
      } else if (family === 'bmm') {
        const s = () => 16 + Math.floor(random() * 177);
        b = benchmark('bmm', { b: 2 + Math.floor(random() * 11), m: s(), n: s(), k: s() });
      } else {
        const o = 5 + Math.floor(random() * 52);
        const kk = pick([1, 3, 3, 5]);
        const sizes = {
          co: pick([8, 16, 24, 32, 48, 64, 96, 128]),
          oh: o,
          ow: o,
          ci: pick([3, 8, 16, 32, 64, 128]),
          kh: kk,
          kw: kk,
        };
        b = random() < 0.25 ? { ...benchmark('conv', sizes), op: STRIDED_CONV } : benchmark('conv', sizes);
        if (b.op === STRIDED_CONV) b = { ...b, id: b.id.replace(/^conv /, 'conv-stride2 ') };
      }
    }
    const flops = 2 * b.sizes.split(',').reduce((acc, kv) => acc * Number(kv.split('=')[1]), 1);
    // Larger problems of the small ranges cost seconds per measurement of a slow schedule; the
    // large ones are measured on slices (a part of the outermost loop).
    if (!excluded.has(b.id) && flops <= (large ? MAX_TRAINING_FLOPS : 3e8)) return b;
  }
}
