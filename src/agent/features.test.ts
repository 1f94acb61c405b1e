// LoopTune's loop tensor for known schedules, computed by hand (see the stride tables below).
import { describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { defaultSchedule, parseSchedule } from '../core/schedule.ts';
import { EXTENDED_COLUMNS, LOOPTUNE_COLUMNS, encodeFeatures, featureSize, loopTuneTensor } from './features.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const third = 1 / 3;

/** A 20-column row: cursor, trip, tail, in-nest flag, then {bucket: value} for the histogram. */
function row(cursor: number, trip: number, tail: number, buckets: Record<number, number>): number[] {
  const r = [cursor, trip, tail, 1, ...new Array(16).fill(0)];
  for (const [b, v] of Object.entries(buckets)) r[4 + Number(b)] = v;
  return r;
}

function rows(t: Float32Array): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < 10; i++) out.push(Array.from(t.subarray(i * LOOPTUNE_COLUMNS, (i + 1) * LOOPTUNE_COLUMNS)));
  return out;
}

function expectRows(actual: Float32Array, expected: number[][]) {
  const got = rows(actual);
  const zero = new Array(LOOPTUNE_COLUMNS).fill(0);
  for (let i = 0; i < 10; i++) {
    const want = expected[i] ?? zero;
    want.forEach((v, c) => {
      expect(got[i][c], `row ${i} column ${c}`).toBeCloseTo(v, 6);
    });
  }
}

describe('loopTuneTensor', () => {
  // m=64, n=32, k=16. Element strides: C[m,n]: m 32, n 1; A[m,k]: m 16, k 1; B[k,n]: k 32, n 1.
  const p = parseProblem(MATMUL, 'm=64, n=32, k=16');

  it('default schedule m n k, cursor on m', () => {
    const t = loopTuneTensor(p, { schedule: defaultSchedule(p), cursor: 0 });
    expectRows(t, [
      // m (step 1): C 32 -> bucket 5, A 16 -> bucket 4, B 0 -> none
      row(1, 64, 0, { 5: third, 4: third }),
      // n: C 1 and B 1 -> bucket 0 twice, A 0
      row(0, 32, 0, { 0: 2 * third }),
      // k: A 1 -> bucket 0, B 32 -> bucket 5, C 0
      row(0, 16, 0, { 0: third, 5: third }),
    ]);
  });

  it('a tiled schedule with a tail and a non-power-of-two stride', () => {
    // m=30, n=48, k=16. Strides: C: m 48, n 1; A: m 16, k 1; B: k 48, n 1.
    const q = parseProblem(MATMUL, 'm=30, n=48, k=16');
    const schedule = parseSchedule(q, 'm n k m:4 n:8');
    const t = loopTuneTensor(q, { schedule, cursor: 3 });
    expectRows(t, [
      // m:7 r2, step 4: C 48*4 = 192 -> ceil(log2 192) = 8; A 16*4 = 64 -> 6
      row(0, 7, 2, { 8: third, 6: third }),
      // n:6, step 8: C 8 and B 8 -> bucket 3 twice
      row(0, 6, 0, { 3: 2 * third }),
      // k:16, step 1: A 1 -> 0; B 48 -> ceil(log2 48) = 6
      row(0, 16, 0, { 0: third, 6: third }),
      // m:4 (cursor), step 1: C 48 -> 6; A 16 -> 4
      row(1, 4, 0, { 6: third, 4: third }),
      // n:8, step 1: C 1, B 1 -> 0 twice
      row(0, 8, 0, { 0: 2 * third }),
    ]);
  });

  it('convolution: strides along oh+kh, and strides of 2^16 or more are dropped', () => {
    // O[co,oh,ow] (shape 2x3x4): co 12, oh 4, ow 1. I[ci,oh+kh,ow+kw] (shape 5x5x6): ci 30,
    // oh 6, kh 6, ow 1, kw 1. W[co,ci,kh,kw] (shape 2x5x3x3): co 45, ci 9, kh 3, kw 1.
    const c = parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=2, oh=3, ow=4, ci=5, kh=3, kw=3');
    const t = loopTuneTensor(c, { schedule: defaultSchedule(c), cursor: 5 });
    expectRows(t, [
      row(0, 2, 0, { 4: third, 6: third }), // co: O 12 -> 4, W 45 -> 6
      row(0, 3, 0, { 2: third, 3: third }), // oh: O 4 -> 2, I 6 -> 3
      row(0, 4, 0, { 0: 2 * third }), // ow: O 1, I 1
      row(0, 5, 0, { 5: third, 4: third }), // ci: I 30 -> 5, W 9 -> 4
      row(0, 3, 0, { 3: third, 2: third }), // kh: I 6 -> 3, W 3 -> 2
      row(1, 3, 0, { 0: 2 * third }), // kw: I 1, W 1
    ]);
    // A stride of 2^16 or more has no bucket (LoopTune's histogram has 16).
    const big = parseProblem(MATMUL, 'm=4, n=65536, k=2');
    const u = loopTuneTensor(big, { schedule: defaultSchedule(big), cursor: 0 });
    // m: C 65536 -> bucket 16 (dropped), A 2 -> bucket 1
    expect(rows(u)[0].slice(4)).toEqual([0, third, ...new Array(14).fill(0)].map((x) => Math.fround(x)));
  });
});

describe('encodeFeatures', () => {
  const p = parseProblem(MATMUL, 'm=64, n=32, k=16');
  const state = { schedule: parseSchedule(p, 'm n k n:8'), cursor: 1 };

  it('looptune: the tensor with trip and tail scaled to log2(1 + x) / 8', () => {
    const f = encodeFeatures(p, state, 'looptune');
    expect(f).toHaveLength(featureSize('looptune'));
    const raw = loopTuneTensor(p, state);
    for (let i = 0; i < f.length; i++) {
      const c = i % LOOPTUNE_COLUMNS;
      const want = c === 1 || c === 2 ? Math.log2(1 + raw[i]) / 8 : raw[i];
      expect(f[i]).toBeCloseTo(want, 6);
    }
  });

  it('extended: step, extent, reduction flag, depth from the bottom, per-tensor stride flags, steps left', () => {
    const f = encodeFeatures(p, state, 'extended', 7);
    expect(f).toHaveLength(10 * EXTENDED_COLUMNS + 1);
    const extra = (i: number) =>
      Array.from(f.subarray(i * EXTENDED_COLUMNS + LOOPTUNE_COLUMNS, (i + 1) * EXTENDED_COLUMNS));
    const s = (x: number) => Math.log2(1 + x) / 8;
    // loops: m:64 (step 1), n:4 (step 8, extent 32), k:16, n:8 (step 1, extent 8)
    // stride flags (zero, unit) for C, A, B: m: C 32, A 16, B 0; n: C 1, A 0, B 1; k: C 0, A 1, B 32
    const want = [
      [s(1), s(64), 0, 0.3, 0, 0, 0, 0, 1, 0],
      [s(8), s(32), 0, 0.2, 0, 1, 1, 0, 0, 1],
      [s(1), s(16), 1, 0.1, 1, 0, 0, 1, 0, 0],
      [s(1), s(8), 0, 0, 0, 1, 1, 0, 0, 1],
    ];
    want.forEach((w, i) => {
      w.forEach((v, c) => {
        expect(extra(i)[c], `loop ${i} extra ${c}`).toBeCloseTo(v, 6);
      });
    });
    expect(extra(4).every((x) => x === 0)).toBe(true);
    expect(f[f.length - 1]).toBeCloseTo(0.7, 6);
    // The first 20 columns of each row are the looptune features.
    const base = encodeFeatures(p, state, 'looptune');
    for (let i = 0; i < 10; i++) {
      expect(Array.from(f.subarray(i * EXTENDED_COLUMNS, i * EXTENDED_COLUMNS + LOOPTUNE_COLUMNS))).toEqual(
        Array.from(base.subarray(i * LOOPTUNE_COLUMNS, (i + 1) * LOOPTUNE_COLUMNS)),
      );
    }
  });
});
