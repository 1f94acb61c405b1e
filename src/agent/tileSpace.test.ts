// Tile specs: their schedules as a person writes them, the macro-actions, and no dead loops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import {
  accumulators,
  allSpecs,
  applyMacro,
  deadLoop,
  macroActions,
  mainReduction,
  MAX_ACCUMULATORS,
  tileSchedule,
  tileScheduleText,
  isLegalSpec,
  isMeasuredSpec,
  specPath,
  untiledSpec,
  vectorVariable,
} from './tileSpace.ts';

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]';
const BMM = 'C[b,m,n] += A[b,m,k] * B[b,k,n]';
const CONV = 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]';

describe('tile schedules', () => {
  it('writes the register tile innermost, vector variable last, and the reduction split outermost', () => {
    const mm = parseProblem(MATMUL, 'm=256, n=256, k=256');
    expect(vectorVariable(mm)).toBe('n');
    expect(mainReduction(mm)).toBe('k');
    expect(printSchedule(tileSchedule(mm, { tile: { m: 4, n: 8 }, reductionTile: 32 })!)).toBe(
      'k:8 m:64 n:32 k:32 m:4 n:8',
    );
    expect(printSchedule(tileSchedule(mm, { tile: { m: 1, n: 32 }, reductionTile: 0 })!)).toBe('m:256 n:8 k:256 n:32');
    const bmm = parseProblem(BMM, 'b=8, m=128, n=128, k=64');
    expect(printSchedule(tileSchedule(bmm, { tile: { b: 1, m: 2, n: 16 }, reductionTile: 0 })!)).toBe(
      'b:8 m:64 n:8 k:64 m:2 n:16',
    );
    const conv = parseProblem(CONV, 'co=64, ci=64, oh=56, ow=56, kh=3, kw=3');
    expect(vectorVariable(conv)).toBe('ow');
    expect(mainReduction(conv)).toBe('ci');
    expect(printSchedule(tileSchedule(conv, { tile: { co: 4, oh: 2, ow: 8 }, reductionTile: 16 })!)).toBe(
      'ci:4 co:16 oh:28 ow:7 ci:16 kh:3 kw:3 co:4 oh:2 ow:8',
    );
    expect(accumulators(conv, { tile: { co: 4, oh: 2, ow: 8 }, reductionTile: 0 })).toBe(16);
  });

  it('drops a loop that would run once, and refuses a loop running once with a tail or a tile larger than its variable', () => {
    const p = parseProblem(MATMUL, 'm=4, n=40, k=8');
    expect(printSchedule(tileSchedule(p, { tile: { m: 4, n: 8 }, reductionTile: 0 })!)).toBe('n:5 k:8 m:4 n:8');
    // n = 40 with n:32 leaves n:1 r8.
    expect(tileSchedule(p, { tile: { m: 1, n: 32 }, reductionTile: 0 })).toBeNull();
    expect(tileSchedule(p, { tile: { m: 1, n: 32 }, reductionTile: 0 }, { allowOnceWithTail: true })).not.toBeNull();
    expect(tileSchedule(p, { tile: { m: 6, n: 8 }, reductionTile: 0 })).toBeNull();
  });

  it('macro-actions change one decision and stay within the accumulator limit', () => {
    const p = parseProblem(MATMUL, 'm=64, n=64, k=64');
    const actions = macroActions(p);
    expect(actions).toContain('tile_m_4');
    expect(actions).toContain('tile_n_16');
    expect(actions).toContain('rtile_32');
    expect(actions[actions.length - 1]).toBe('stop');
    const start = untiledSpec(p);
    expect(applyMacro(p, start, 'tile_m_4')).toEqual({ tile: { m: 4, n: 1 }, reductionTile: 0 });
    expect(applyMacro(p, start, 'stop')).toBeNull();
    // k = 64: a split by 64 or more is no split.
    expect(applyMacro(p, start, 'rtile_64')).toBeNull();
    expect(applyMacro(p, { tile: { m: 8, n: 32 }, reductionTile: 0 }, 'tile_n_64')).toBeNull();
    for (const s of allSpecs(p)) expect(accumulators(p, s)).toBeLessThanOrEqual(MAX_ACCUMULATORS);
  });

  it('gives the schedule of its text, never with a loop of trip 1 (but over a variable of size 1)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(MATMUL, BMM, CONV),
        fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 6, maxLength: 6 }),
        (op, sizes) => {
          const names =
            op === MATMUL ? ['m', 'n', 'k'] : op === BMM ? ['b', 'm', 'n', 'k'] : ['co', 'ci', 'oh', 'ow', 'kh', 'kw'];
          const text = names
            .map((v, i) => `${v}=${v.startsWith('k') && op === CONV ? Math.min(sizes[i], 5) : sizes[i]}`)
            .join(', ');
          const p = parseProblem(op, text);
          for (const spec of allSpecs(p)) {
            const s = tileSchedule(p, spec)!;
            expect(parseSchedule(p, printSchedule(s))).toEqual(s);
            const text = tileScheduleText(p, spec);
            if (text.split(' ').length === s.loops.length)
              expect(printSchedule(s)).toBe(printSchedule(parseSchedule(p, text)));
            expect(deadLoop(p, s)).toBeNull();
            for (const loop of s.loops) if (loop.trip === 1) expect(p.sizes[loop.variable]).toBe(1);
          }
        },
      ),
      { numRuns: 12, seed: 7 },
    );
  });

  it('blocks n and m in panels around the register tile and packs the inputs in BLIS order', () => {
    const mm = parseProblem(MATMUL, 'm=1024, n=1024, k=1024');
    const blis = { tile: { m: 4, n: 8 }, reductionTile: 128, panel: { n: 16, m: 8 }, pack: true };
    expect(printSchedule(tileSchedule(mm, blis)!)).toBe('n:8 k:8 pack(B) m:32 pack(A) m:8 n:16 k:128 m:4 n:8');
    expect(tileScheduleText(mm, blis)).toBe('n k pack(B) m pack(A) m:8 n:16 k:128 m:4 n:8');
    // Without a panel of m, A is packed at m's tile loop (a 4 x 128 panel per row of tiles).
    expect(printSchedule(tileSchedule(mm, { tile: { m: 4, n: 8 }, reductionTile: 128, pack: true })!)).toBe(
      'k:8 pack(B) m:256 pack(A) n:128 k:128 m:4 n:8',
    );
    // Packing needs a reduction split (B's panel is a slice of k).
    expect(isLegalSpec(mm, { tile: { m: 4, n: 8 }, reductionTile: 0, pack: true })).toBe(false);
    // A panel as large as its variable is no panel.
    expect(isLegalSpec(mm, { tile: { m: 4, n: 8 }, reductionTile: 0, panel: { n: 128 } })).toBe(false);
    const actions = macroActions(mm);
    for (const a of ['rtile_256', 'rtile_512', 'panel_n_16', 'panel_m_8', 'pack']) expect(actions).toContain(a);
    // Convolutions get reduction splits but no panels or packs.
    const conv = parseProblem(CONV, 'co=256, ci=256, oh=14, ow=14, kh=3, kw=3');
    expect(macroActions(conv)).toContain('rtile_128');
    expect(macroActions(conv).some((a) => a.startsWith('panel_') || a.startsWith('pack') || a === 'order')).toBe(false);
  });

  it("packs B's panel alone, and runs m's tiles inside n's within the panels (BLIS's order)", () => {
    const mm = parseProblem(MATMUL, 'm=1536, n=1536, k=768');
    const spec = { tile: { m: 3, n: 12 }, reductionTile: 128, panel: { n: 16, m: 4 }, packB: true, blisOrder: true };
    expect(printSchedule(tileSchedule(mm, spec)!)).toBe('n:8 k:6 pack(B) m:128 n:16 m:4 k:128 m:3 n:12');
    expect(printSchedule(tileSchedule(mm, { ...spec, blisOrder: false })!)).toBe(
      'n:8 k:6 pack(B) m:128 m:4 n:16 k:128 m:3 n:12',
    );
    // Packing both and packing B alone replace each other.
    const both = applyMacro(mm, spec, 'pack')!;
    expect([both.pack, both.packB]).toEqual([true, undefined]);
    expect(printSchedule(tileSchedule(mm, both)!)).toBe('n:8 k:6 pack(B) m:128 pack(A) n:16 m:4 k:128 m:3 n:12');
    expect(applyMacro(mm, both, 'pack_b')).toEqual(spec);
    expect(isLegalSpec(mm, { ...spec, pack: true })).toBe(false);
    // The order needs a panel of m (without one it would change nothing of the kind).
    expect(applyMacro(mm, { ...spec, panel: { n: 16 }, blisOrder: undefined }, 'order')).toBeNull();
    expect(isLegalSpec(mm, { ...spec, panel: { n: 16 } })).toBe(false);
    expect(applyMacro(mm, spec, 'order')).toEqual({ ...spec, blisOrder: undefined });
    const path = specPath(mm, untiledSpec(mm), spec)!;
    expect([...path].sort()).toEqual([
      'order',
      'pack_b',
      'panel_m_4',
      'panel_n_16',
      'rtile_128',
      'tile_m_3',
      'tile_n_12',
    ]);
  });

  it('offers parallel only with threads, on an outermost loop over an output variable', () => {
    const mm = parseProblem(MATMUL, 'm=512, n=512, k=512');
    expect(macroActions(mm)).not.toContain('parallel');
    expect(macroActions(mm, { threads: 4 })).toContain('parallel');
    const spec = { tile: { m: 4, n: 8 }, reductionTile: 0 };
    const par = applyMacro(mm, spec, 'parallel')!;
    expect(printSchedule(tileSchedule(mm, par)!)).toBe('||m:128 n:64 k:512 m:4 n:8');
    // k split outermost: summed over, so no parallel loop.
    expect(applyMacro(mm, { ...spec, reductionTile: 32 }, 'parallel')).toBeNull();
    // With a panel of n outside the k split, the panel loop is the parallel one.
    expect(printSchedule(tileSchedule(mm, { ...spec, reductionTile: 32, panel: { n: 16 }, parallel: true })!)).toBe(
      '||n:4 k:16 m:128 n:16 k:32 m:4 n:8',
    );
    expect(applyMacro(mm, par, 'parallel')).toEqual(spec);
  });

  it('has no dead loop at large sizes either, packed and blocked', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(MATMUL, BMM),
        fc.array(fc.integer({ min: 200, max: 2100 }), { minLength: 4, maxLength: 4 }),
        fc.constantFrom(...[4, 8, 16, 24]),
        fc.constantFrom(...[1, 2, 4, 6]),
        fc.constantFrom(0, 16, 64, 256, 512),
        fc.constantFrom(0, 2, 8, 32),
        fc.constantFrom(0, 2, 8, 32),
        fc.constantFrom('none', 'both', 'B'),
        fc.boolean(),
        (op, sizes, nr, mr, kc, pn, pm, packs, blisOrder) => {
          const text =
            op === MATMUL
              ? `m=${sizes[0]}, n=${sizes[1]}, k=${sizes[2]}`
              : `b=${2 + (sizes[3] % 4)}, m=${sizes[0]}, n=${sizes[1]}, k=${sizes[2]}`;
          const p = parseProblem(op, text);
          const base: Record<string, number> = op === MATMUL ? {} : { b: 1 };
          const spec = {
            tile: { ...base, m: mr, n: nr },
            reductionTile: kc,
            panel: { n: pn, m: pm },
            pack: packs === 'both',
            packB: packs === 'B',
            blisOrder,
          };
          const s = tileSchedule(p, spec);
          if (!s) return;
          expect(parseSchedule(p, printSchedule(s))).toEqual(s);
          expect(deadLoop(p, s)).toBeNull();
          for (const loop of s.loops) if (loop.trip === 1) expect(p.sizes[loop.variable]).toBe(1);
          if (packs !== 'none')
            expect(s.loops.flatMap((l) => l.packs ?? []).sort()).toEqual(packs === 'both' ? ['A', 'B'] : ['B']);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });
});

describe('specPath', () => {
  it('finds macro-actions from one spec to another through legal specs only', () => {
    const mm = parseProblem(MATMUL, 'm=1024, n=1024, k=1024');
    const to = { tile: { m: 4, n: 8 }, reductionTile: 128, panel: { n: 32 }, pack: true };
    const path = specPath(mm, untiledSpec(mm), to)!;
    expect([...path].sort()).toEqual(['pack', 'panel_n_32', 'rtile_128', 'tile_m_4', 'tile_n_8']);
    let spec = untiledSpec(mm);
    for (const a of path) spec = applyMacro(mm, spec, a)!;
    expect(tileSchedule(mm, spec)).toEqual(tileSchedule(mm, to));
    // pack needs the reduction split first: the path orders them so.
    expect(path.indexOf('rtile_128')).toBeLessThan(path.indexOf('pack'));
    // A factor no action offers has no path.
    expect(specPath(mm, untiledSpec(mm), { tile: { m: 5, n: 8 }, reductionTile: 0 })).toBeNull();
  });
});

describe('panels of a batched matmul', () => {
  it('keep the batch outermost, each matrix blocked on its own', () => {
    const bmm = parseProblem(BMM, 'b=4, m=512, n=512, k=512');
    const spec = { tile: { b: 1, m: 4, n: 8 }, reductionTile: 128, panel: { n: 16 }, pack: true };
    expect(printSchedule(tileSchedule(bmm, spec)!)).toBe('b:4 n:4 k:4 pack(B) m:128 pack(A) n:16 k:128 m:4 n:8');
    // Without panels the batch stays where it was, inside the reduction's outer loop.
    expect(printSchedule(tileSchedule(bmm, { tile: { b: 1, m: 4, n: 8 }, reductionTile: 128 })!)).toBe(
      'k:4 b:4 m:128 n:64 k:128 m:4 n:8',
    );
  });
});

describe('isMeasuredSpec', () => {
  it("measures 4-12 accumulators, and 16 when a large matmul's inputs are packed", () => {
    const p = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=768, n=1536, k=640');
    expect(isMeasuredSpec(p, { tile: { m: 4, n: 8 }, reductionTile: 128 })).toBe(true);
    expect(isMeasuredSpec(p, { tile: { m: 1, n: 8 }, reductionTile: 128 })).toBe(false);
    expect(isMeasuredSpec(p, { tile: { m: 4, n: 16 }, reductionTile: 128 })).toBe(false);
    expect(isMeasuredSpec(p, { tile: { m: 4, n: 16 }, reductionTile: 128, pack: true })).toBe(true);
    // Not on a matmul with a side under 512.
    const small = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=768, n=1536, k=256');
    expect(isMeasuredSpec(small, { tile: { m: 4, n: 16 }, reductionTile: 128, pack: true })).toBe(false);
  });
});
