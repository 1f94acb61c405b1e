// Property: the access stream modelled from the generator's plan (codegen/accessStream.ts) is,
// memory instruction by memory instruction, what the trace build of the same kernel does, on
// random schedules of matmul, batched matmul and convolutions (stride 1 and 2) with awkward
// sizes, parallel loops and packed inputs included (`kernel` runs a parallel loop's iterations in
// order; a pack copies the panel, then the tile reads the copy); and the trace build
// still computes the right result.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_ACTIONS, applyAction, legalActions } from '../core/actions.ts';
import { parseProblem } from '../core/problem.ts';
import { defaultSchedule, packIssue, printSchedule, withPacks } from '../core/schedule.ts';
import type { NestState, Problem } from '../core/types.ts';
import { accessCode, accessStream, eachAccess } from '../codegen/accessStream.ts';
import { detectTarget, loadCodegen, type Codegen, type Target } from '../codegen/index.ts';
import { allocateBuffers } from './buffers.ts';
import { checkOutput } from './check.ts';

const SEED = Number(process.env.LOOPLAB_PROPERTY_SEED ?? 20261206);
const RUNS = Number(process.env.LOOPLAB_PROPERTY_RUNS ?? 150);

const OPS = [
  { op: 'C[m,n] += A[m,k] * B[k,n]', vars: ['m', 'n', 'k'] },
  { op: 'C[b,m,n] += A[b,m,k] * B[b,k,n]', vars: ['b', 'm', 'n', 'k'] },
  { op: 'O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', vars: ['co', 'oh', 'ow', 'ci', 'kh', 'kw'] },
  { op: 'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]', vars: ['co', 'oh', 'ow', 'ci', 'kh', 'kw'] },
];
const MAX_MACS = 60_000;

const problems = fc
  .record({
    which: fc.nat(OPS.length - 1),
    sizes: fc.array(fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 13, 16, 17, 33, 70), { minLength: 6, maxLength: 6 }),
  })
  .map(({ which, sizes }) => {
    const { op, vars } = OPS[which];
    const small = (v: string, s: number) => (v === 'kh' || v === 'kw' ? Math.min(s, 3) : s);
    return parseProblem(op, vars.map((v, i) => `${v}=${small(v, sizes[i])}`).join(', '));
  })
  .filter((p) => p.flops / 2 <= MAX_MACS);

const ACTIONS = [...ALL_ACTIONS, 'split_3', 'split_5', 'split_6'] as const;

/** A random walk of legal actions from the default schedule (splits, swaps, merges, cursor moves). */
function walk(problem: Problem, picks: number[]): NestState {
  let state: NestState = { schedule: defaultSchedule(problem), cursor: 0 };
  for (const pick of picks) {
    const legal = legalActions(problem, state, [...ACTIONS]).filter((a) => a.ok);
    if (legal.length === 0) break;
    const result = applyAction(problem, state, legal[pick % legal.length].action);
    if (result.ok) state = result.state;
  }
  return state;
}

/** Packs an input at a loop where the generator can (`k:8 pack(B)`); unchanged where it can't. */
function withPack(problem: Problem, state: NestState, pack: { at: number; second: boolean } | null): NestState {
  if (!pack) return state;
  const name = problem.inputs[pack.second ? 1 : 0].name;
  const at = pack.at % state.schedule.loops.length;
  const loops = state.schedule.loops.map((l, i) => (i === at ? withPacks(l, [...(l.packs ?? []), name]) : l));
  return packIssue(problem, loops) === null ? { ...state, schedule: { loops } } : state;
}

describe('the modelled access stream', () => {
  let codegen: Codegen;
  beforeAll(async () => {
    codegen = await loadCodegen();
  });

  async function traced(problem: Problem, state: NestState, target: Target) {
    const schedule = state.schedule;
    const { bytes, report } = codegen.generate(problem, schedule, { ...target, trace: true });
    const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    const buffers = allocateBuffers(problem, 3, { scratchBytes: report.scratchBytes });
    let seen: number[] = [];
    const access = (address: number, code: number) => {
      seen.push(address, code);
    };
    const instance = await WebAssembly.instantiate(module, { env: { memory: buffers.memory, access } });
    const kernel = instance.exports.kernel as (o: number, a: number, b: number, scratch: number) => void;
    const check = checkOutput(problem, buffers, () => {
      seen = [];
      kernel(buffers.outPtr, buffers.in0Ptr, buffers.in1Ptr, buffers.scratchPtr);
    });
    const modelled: number[] = [];
    const stream = accessStream(problem, report.plan);
    stream.run(
      [buffers.outPtr, buffers.in0Ptr, buffers.in1Ptr, buffers.scratchPtr],
      eachAccess((tensor, write, address, width) => modelled.push(address, accessCode(tensor, write, width))),
    );
    return { seen, modelled, check, count: stream.count(), report };
  }

  it(`equals the trace build's, access by access, on ${RUNS} random schedules (seed ${SEED})`, async () => {
    const relaxed = detectTarget().relaxedSimd;
    const covered = {
      innermostSplit: 0,
      tileKeptPartly: 0,
      horizontalSum: 0,
      gather: 0,
      tails: 0,
      parallel: 0,
      packed: 0,
    };
    await fc.assert(
      fc.asyncProperty(
        problems,
        fc.array(fc.nat(), { maxLength: 14 }),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.record({ at: fc.nat(), second: fc.boolean() })),
        async (problem, picks, useRelaxed, hoistsLoads, pack) => {
          const state = withPack(problem, walk(problem, picks), pack);
          const where = `${problem.op} (${Object.entries(problem.sizes)
            .map(([v, s]) => `${v}=${s}`)
            .join(', ')}), schedule ${printSchedule(state.schedule)}`;
          const { seen, modelled, check, count, report } = await traced(problem, state, {
            relaxedSimd: useRelaxed && relaxed,
            hoistsLoads,
          });
          expect(check.correct, `${where}: ${check.reason}`).toBe(true);
          expect(count, where).toBe(seen.length / 2);
          const first = modelled.findIndex((x, i) => x !== seen[i]);
          expect(first, `${where}: first difference at access ${first >> 1}`).toBe(-1);
          expect(modelled.length, where).toBe(seen.length);
          covered.innermostSplit += report.innermostUnroll > 0 ? 1 : 0;
          covered.tileKeptPartly += report.tileReduction ? 1 : 0;
          covered.horizontalSum += report.horizontalSum ? 1 : 0;
          covered.gather += Object.values(report.access).includes('gather') ? 1 : 0;
          covered.tails += report.tailPaths > 1 ? 1 : 0;
          covered.parallel += report.parallel ? 1 : 0;
          covered.packed += report.packs.length > 0 ? 1 : 0;
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    // The random schedules reach every kind of code the generator emits.
    for (const [what, n] of Object.entries(covered)) expect(n, what).toBeGreaterThan(0);
  }, 240_000);

  it('follows a tail tile run two output iterations at a time (jammed), with its two partial sums', async () => {
    const { parseSchedule } = await import('../core/schedule.ts');
    const cases: [string, string, string][] = [
      // ow = 5 = 2 x 2 + 1: the 1-pixel tail runs two rows of oh at once, the last row alone.
      [
        'O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,ci,cv]',
        'oh=5, ow=5, cb=2, cv=16, ci=6, kh=3, kw=3',
        'cb ow:2 r1 oh kh kw ci ow:2 cv',
      ],
      // n = 28 = 2 x 12 + 4: the 3 x 4 tail runs two 3-row blocks of m at once.
      ['C[m,n] += A[m,k] * B[k,n]', 'm=19, n=28, k=9', 'n:2 r4 m:6 r1 k m:3 n:12'],
    ];
    for (const [op, sizes, text] of cases) {
      const problem = parseProblem(op, sizes);
      const state = { schedule: parseSchedule(problem, text), cursor: 0 };
      for (const hoistsLoads of [false, true]) {
        const { seen, modelled, check, report } = await traced(problem, state, { relaxedSimd: false, hoistsLoads });
        const where = `${op} (${sizes}), schedule ${text}`;
        expect(report.jammedCopies, where).toBeGreaterThan(0);
        expect(report.partialSumCopies, where).toBeGreaterThan(0);
        expect(check.correct, `${where}: ${check.reason}`).toBe(true);
        const first = modelled.findIndex((x, i) => x !== seen[i]);
        expect(first, `${where}: first difference at access ${first >> 1}`).toBe(-1);
        expect(modelled.length, where).toBe(seen.length);
      }
    }
  });

  it('follows what the generator keeps in registers: a k split above the tile reloads the accumulators', async () => {
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=8, n=16, k=16');
    const stores = async (text: string) => {
      const state = { schedule: (await import('../core/schedule.ts')).parseSchedule(problem, text), cursor: 0 };
      const { modelled } = await traced(problem, state, { relaxedSimd: false });
      let n = 0;
      for (let i = 1; i < modelled.length; i += 2) if (modelled[i] & 4) n++;
      return n;
    };
    // m:2 n:16 tile: 8 vector accumulators, stored once per (m, n) tile, or once per k:4 pass.
    expect(await stores('m n k m:2 n:16')).toBe(4 * 8);
    expect(await stores('m n k k:4 m:2 n:16')).toBe(4 * 8);
    expect(await stores('k m n k:4 m:2 n:16')).toBe(4 * 4 * 8);
  });
});
