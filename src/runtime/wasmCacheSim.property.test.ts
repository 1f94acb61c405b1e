// Property: the compiled cache simulator (wasm/cachesim, runtime/wasmCacheSim.ts) gives exactly
// the TypeScript simulator's figures (core/cache/simulator.ts, the reference), counter by counter,
// reuse included: on random schedules of matmul, batched matmul and convolutions with strides,
// awkward sizes that leave tails, packed inputs, on small random caches (1 to 3 levels, any
// associativity, sets not a power of two) and the named machines; exact, and sampled with a small
// budget (the sampler's record, replay, forget and write-back run in the compiled module then).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Codegen, loadCodegen } from '../codegen/index.ts';
import { packSome, problemArb, walk } from '../codegen/testSchedules.ts';
import type { Machine } from '../core/cache/machines.ts';
import { MACHINES } from '../core/cache/machines.ts';
import { parseProblem } from '../core/problem.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import { simulateCache } from './cacheSim.ts';
import { type CacheSimModule, loadCacheSim } from './wasmCacheSim.ts';

const SEED = Number(process.env.LOOPLAB_PROPERTY_SEED ?? 20261207);
const RUNS = Number(process.env.LOOPLAB_PROPERTY_RUNS ?? 120);

const smallMachine = fc
  .array(fc.record({ sets: fc.constantFrom(1, 2, 3, 4, 5, 8, 16), ways: fc.integer({ min: 1, max: 6 }) }), {
    minLength: 1,
    maxLength: 3,
  })
  .chain((levels) =>
    fc.constantFrom(16, 32, 64).map(
      (lineBytes): Machine => ({
        ...MACHINES[0],
        id: 'random',
        fillBandwidth: undefined,
        lineBytes,
        levels: levels.map((l, i) => ({
          name: `L${i + 1}`,
          // Each level at least as large as the one before, as real hierarchies are (not required).
          bytes: l.sets * l.ways * lineBytes * (i + 1),
          ways: l.ways,
        })),
      }),
    ),
  );

const withoutTime = ({ simulateMs: _ms, ...figures }: { simulateMs: number }) => figures;

describe('the compiled cache simulator', () => {
  let codegen: Codegen;
  let compiled: CacheSimModule;
  beforeAll(async () => {
    codegen = await loadCodegen();
    compiled = await loadCacheSim();
  });

  it(`equals the TypeScript simulator, counter by counter, on ${RUNS} random schedules and caches (seed ${SEED})`, () => {
    const covered = { packed: 0, sampled: 0, threeLevels: 0 };
    fc.assert(
      fc.property(
        problemArb(40_000),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.oneof(smallMachine, fc.constantFrom(...MACHINES)),
        fc.boolean(),
        fc.constantFrom(0, 300, 3000),
        ({ op, sizes }, start, picks, packs, machine, reuse, budget) => {
          const problem = parseProblem(op, sizes);
          const state = packSome(problem, walk(problem, start, picks), packs);
          const schedule = state.schedule;
          const where = `${op} (${sizes}), ${printSchedule(schedule)}, ${JSON.stringify(machine.levels)} ${machine.lineBytes} B lines, budget ${budget}`;
          const options = budget > 0 ? { reuse, budget } : { reuse, exact: true };
          const reference = simulateCache(codegen, problem, schedule, machine, options);
          const fast = simulateCache(codegen, problem, schedule, machine, { ...options, compiled });
          expect(withoutTime(fast), where).toEqual(withoutTime(reference));
          covered.packed += schedule.loops.some((l) => (l.packs ?? []).length > 0) ? 1 : 0;
          covered.sampled += reference.method === 'sampled' ? 1 : 0;
          covered.threeLevels += machine.levels.length === 3 ? 1 : 0;
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    for (const [what, n] of Object.entries(covered)) expect(n, what).toBeGreaterThan(0);
  }, 240_000);

  it('equals it on a register-tiled, a packed and a sampled 128^3 matmul on zen4', () => {
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=128, n=128, k=128');
    const zen4 = MACHINES.find((m) => m.id === 'zen4') as Machine;
    for (const [text, options] of [
      ['k:16 m:32 n:16 k:8 m:4 n:8', { reuse: true, exact: true }],
      ['n:4 k:2 pack(B) m pack(A) n:4 k:64 m:4 n:8', { reuse: true, exact: true }],
      ['k:8 m n k:16 m:4 n:8', { reuse: true, budget: 50_000 }],
    ] as const) {
      const schedule = parseSchedule(problem, text);
      const reference = simulateCache(codegen, problem, schedule, zen4, options);
      const fast = simulateCache(codegen, problem, schedule, zen4, { ...options, compiled });
      expect(withoutTime(fast), text).toEqual(withoutTime(reference));
      if ('budget' in options) expect(fast.method).toBe('sampled');
    }
  });

  it('equals it on the 256^3 register-tiled matmul the docs time (3.7 M accesses) and a packed one, exact, on zen4', () => {
    const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=256, n=256, k=256');
    const zen4 = MACHINES.find((m) => m.id === 'zen4') as Machine;
    for (const text of ['k:16 m:64 n:32 k:16 m:4 n:8', 'n:2 k:2 pack(B) m pack(A) n:16 k:128 m:4 n:8']) {
      const schedule = parseSchedule(problem, text);
      const options = { reuse: true, exact: true };
      const reference = simulateCache(codegen, problem, schedule, zen4, options);
      const fast = simulateCache(codegen, problem, schedule, zen4, { ...options, compiled });
      expect(fast.instructions, text).toBeGreaterThan(3_000_000);
      expect(withoutTime(fast), text).toEqual(withoutTime(reference));
    }
  }, 60_000);
});
