// The C export (wasm_simd128.h) compiles with Emscripten and computes what the generator's kernel
// computes: bit for bit (same operations in the same order, both with f32x4.mul + f32x4.add), and
// within the check's tolerance of the reference, for random schedules of matmul, batched matmul
// and (strided) convolution with awkward sizes. All exports go into one module, compiled once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { fillRandom } from '../core/random.ts';
import { referenceCompute } from '../core/reference.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { compileCKernels, emccAvailable } from './compileC.ts';
import { loadCodegen } from './index.ts';
import { simdCExport } from './simdCExport.ts';
import { markParallel, packSome, problemArb, tiledSchedule, walk } from './testSchedules.ts';
import type { KernelReport } from './types.ts';

const SEED = Number(process.env.LOOPLAB_PROPERTY_SEED ?? 20261207);
const RUNS = Number(process.env.LOOPLAB_C_EXPORT_RUNS ?? 60);

function cases(): { problem: Problem; schedule: Schedule; where: string; relaxed: boolean }[] {
  const arb = fc.oneof(
    fc
      .tuple(
        problemArb(200_000),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 16 }),
        fc.nat(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 2 }),
      )
      .map(([text, start, picks, par, relaxed, packs]) => {
        const problem = parseProblem(text.op, text.sizes);
        const state = packSome(problem, markParallel(problem, walk(problem, start, picks), par), packs);
        return { text, problem, relaxed, schedule: state.schedule };
      }),
    fc
      .tuple(
        problemArb(200_000),
        fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
        fc.array(fc.record({ pick: fc.nat(), trip: fc.constantFrom(2, 3, 4, 5, 8, 16) }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.boolean(),
      )
      .map(([text, order, tile, relaxed]) => {
        const problem = parseProblem(text.op, text.sizes);
        return { text, problem, relaxed, schedule: tiledSchedule(problem, order, tile) };
      }),
  );
  return fc.sample(arb, { seed: SEED, numRuns: RUNS }).map(({ text, problem, schedule, relaxed }) => ({
    problem,
    schedule,
    relaxed,
    where: `${text.op} with ${text.sizes}, schedule ${printSchedule(schedule)}`,
  }));
}

/** Runs the generator's kernel (its own memory) on the inputs; returns the output. */
async function runGenerated(
  bytes: Uint8Array,
  scratchBytes: number,
  problem: Problem,
  start: Float32Array,
  in0: Float32Array,
  in1: Float32Array,
) {
  const bytesNeeded = 4 * (problem.output.elements + in0.length + in1.length) + scratchBytes + 256;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytesNeeded / 65536) + 1 });
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, { env: { memory } });
  const outPtr = 64;
  const in0Ptr = outPtr + 4 * problem.output.elements + 64;
  const in1Ptr = in0Ptr + 4 * in0.length + 64;
  new Float32Array(memory.buffer, outPtr, start.length).set(start);
  new Float32Array(memory.buffer, in0Ptr, in0.length).set(in0);
  new Float32Array(memory.buffer, in1Ptr, in1.length).set(in1);
  const scratchPtr = in1Ptr + 4 * in1.length + 64;
  (instance.exports.kernel as (o: number, a: number, b: number, s: number) => void)(outPtr, in0Ptr, in1Ptr, scratchPtr);
  return new Float32Array(memory.buffer, outPtr, problem.output.elements).slice();
}

const reductionLength = (p: Problem) => p.reductionVariables.reduce((n, v) => n * p.sizes[v], 1);

describe('the C export with wasm SIMD intrinsics', () => {
  it(`compiles with emcc and gives the generator's numbers, for ${RUNS} random schedules (seed ${SEED})`, async () => {
    expect(emccAvailable(), 'emcc is not installed: apt-get install emscripten (.ci/run does)').toBe(true);
    const codegen = await loadCodegen();
    const fixed = [
      ['C[m,n] += A[m,k] * B[k,n]', 'm=17, n=13, k=11', '||m n k m:3 n:8'],
      ['C[m,n] += A[m,k] * B[k,n]', 'm=5, n=3, k=131', 'm n k:32 r3 k:4'],
      [
        'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
        'co=5, oh=3, ow=7, ci=2, kh=3, kw=3',
        'co oh ci kh kw co:2 ow',
      ],
      [
        'O[co,oh,ow] += I[ci,3*oh+kh,3*ow+kw] * W[co,ci,kh,kw]',
        'co=3, oh=2, ow=9, ci=2, kh=2, kw=3',
        'co oh ci kh kw ow',
      ],
      ['C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=5, n=3, k=97', 'b m n k k:8'],
      ['C[m,n] += A[m,k] * B[k,n]', 'm=17, n=37, k=23', 'm n k pack(B) m:3 n:4 pack(A) k:7'],
      // Tail tiles run two output iterations at a time (jammed), the last alone with two partial sums.
      [
        'O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,ci,cv]',
        'oh=5, ow=5, cb=2, cv=16, ci=6, kh=3, kw=3',
        'cb ow:2 r1 oh kh kw ci ow:2 cv',
      ],
      ['C[m,n] += A[m,k] * B[k,n]', 'm=19, n=28, k=9', 'n:2 r4 m:6 r1 k m:3 n:12'],
      [
        'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
        'co=5, oh=3, ow=9, ci=3, kh=3, kw=2',
        'co ci pack(I) pack(W) oh kh kw co:2 ow',
      ],
    ].map(([op, sizes, text]) => {
      const problem = parseProblem(op, sizes);
      return {
        problem,
        schedule: parseSchedule(problem, text),
        where: `${op} with ${sizes}, schedule ${text}`,
        relaxed: true,
      };
    });
    const all = [...fixed, ...cases()].map((c, i) => {
      // The C's multiply-adds are mul + add unless the toolchain has the relaxed intrinsic (clang 16+),
      // so its numbers are compared with the generator's mul + add kernel.
      const plain = codegen.generate(c.problem, c.schedule, { relaxedSimd: false });
      const report: KernelReport = c.relaxed
        ? codegen.generate(c.problem, c.schedule, { relaxedSimd: true }).report
        : plain.report;
      return { ...c, report, bytes: plain.bytes, name: `kernel_${i}`, bitExact: true };
    });
    // The two flavours' plans can differ (the mul + add temporary takes a register), and with
    // them where a tile keeps two partial sums, which changes the rounding: such a relaxed export
    // is held to the reference, and the export of the mul + add plan to the kernel, bit for bit.
    const samePlan = (a: KernelReport, b: KernelReport) => JSON.stringify(a.plan) === JSON.stringify(b.plan);
    const exported = all.flatMap((c) => {
      if (!c.relaxed) return [c];
      const plain = codegen.generate(c.problem, c.schedule, { relaxedSimd: false }).report;
      if (samePlan(plain, c.report)) return [c];
      return [
        { ...c, bitExact: false },
        { ...c, report: plain, name: `${c.name}_plain`, where: `${c.where} (the mul + add plan)` },
      ];
    });
    expect(exported.length - all.length, 'relaxed exports whose mul + add plan differs').toBeLessThan(all.length / 4);
    expect(exported.filter((c) => c.report.packs.length > 0).length, 'schedules with packs').toBeGreaterThan(5);
    const partialSums = exported.filter((c) => c.bitExact && c.report.partialSumCopies > 0);
    expect(partialSums.length, 'tiles with two partial sums, checked bit for bit').toBeGreaterThan(3);
    expect(exported.filter((c) => c.report.jammedCopies > 0).length, 'jammed tail tiles').toBeGreaterThan(1);
    const kernels = await compileCKernels(
      exported.map((c) => ({ name: c.name, source: simdCExport(c.problem, c.schedule, c.report, { name: c.name }) })),
      { relaxed: true, memoryBytes: 64 * 2 ** 20 },
    );
    for (const [i, c] of exported.entries()) {
      const { problem, where } = c;
      const in0 = new Float32Array(problem.inputs[0].elements);
      const in1 = new Float32Array(problem.inputs[1].elements);
      fillRandom(in0, 2 * i + 1);
      fillRandom(in1, 2 * i + 2);
      const outPtr = kernels.malloc(4 * problem.output.elements);
      const in0Ptr = kernels.malloc(4 * in0.length);
      const in1Ptr = kernels.malloc(4 * in1.length);
      // The kernels add to the output: it starts non-zero.
      const start = new Float32Array(problem.output.elements);
      fillRandom(start, 1000 + i);
      new Float32Array(kernels.memory.buffer, outPtr, problem.output.elements).set(start);
      new Float32Array(kernels.memory.buffer, in0Ptr, in0.length).set(in0);
      new Float32Array(kernels.memory.buffer, in1Ptr, in1.length).set(in1);
      kernels.kernel(c.name)(outPtr, in0Ptr, in1Ptr);
      const out = new Float32Array(kernels.memory.buffer, outPtr, problem.output.elements).slice();

      const expected = start.slice();
      referenceCompute(problem, expected, in0, in1);
      const tolerance = 1e-5 * (1 + reductionLength(problem));
      const generated = await runGenerated(c.bytes, c.report.scratchBytes, problem, start, in0, in1);
      for (let e = 0; e < expected.length; e++) {
        if (!(Math.abs(out[e] - expected[e]) <= tolerance))
          expect.fail(`${where}: element ${e} is ${out[e]}, the reference ${expected[e]}`);
        if (c.bitExact && !Object.is(out[e], generated[e]))
          expect.fail(`${where}: element ${e} is ${out[e]}, the generator's kernel gives ${generated[e]}`);
      }
    }
  }, 120_000);
});

describe('the C export file', () => {
  const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=64, n=48, k=32');

  it('carries the problem, the schedule, the looplab version, and the accumulators by name', async () => {
    const codegen = await loadCodegen();
    const schedule = parseSchedule(problem, 'm:16 n:3 k m:4 n:16');
    const { report } = codegen.generate(problem, schedule, { relaxedSimd: true });
    const c = simdCExport(problem, schedule, report);
    const head = c.split('\n').slice(0, 4);
    expect(head[0]).toMatch(/^\/\/ C with WebAssembly SIMD intrinsics, written by looplab \d+\.\d+\.\d+/);
    expect(head.slice(1)).toEqual([
      '// problem: C[m,n] += A[m,k] * B[k,n]',
      '// sizes: m=64, n=48, k=32',
      '// schedule: m:16 n:3 k:32 m:4 n:16',
    ]);
    expect(c).toContain('#include <wasm_simd128.h>');
    const accumulators = c.match(/v128_t acc\d+ = wasm_f32x4_splat\(0\.0f\);/g) ?? [];
    expect(accumulators.length).toBe(report.vectorAccumulators);
    expect(c).toContain('LOOPLAB_RELAXED_MADD(');
  });

  it('copies packed panels into a scratch array of the size the generator gives', async () => {
    const codegen = await loadCodegen();
    const schedule = parseSchedule(problem, 'm:16 n:3 k pack(B) m:4 n:16');
    const { report } = codegen.generate(problem, schedule, { relaxedSimd: false });
    const c = simdCExport(problem, schedule, report);
    expect(c).toContain(`static float kernel_scratch[${report.scratchBytes / 4}] __attribute__((aligned(16)));`);
    expect(c).toContain('// pack(B): the part of B the loops inside read, in their order');
  });
});
