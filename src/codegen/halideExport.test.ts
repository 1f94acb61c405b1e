// The Halide export compiles against Halide (JIT, on the host's g++), gives the reference's numbers
// on looplab's inputs, and Halide's print_loop_nest() shows looplab's nest: for random schedules
// of matmul, batched matmul and (strided) convolution with awkward sizes. Several exports go into
// one program (each in its own namespace), compiled once. Needs Halide 14 (`libhalide14-0-dev`,
// which .ci/run installs); without it the test fails and says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProblem } from '../core/problem.ts';
import { fillRandom } from '../core/random.ts';
import { referenceCompute } from '../core/reference.ts';
import { parseSchedule, printSchedule } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { halideExport, halideIssue, type HalideLoop } from './halideExport.ts';
import { loadCodegen } from './index.ts';
import { markParallel, problemArb, tiledSchedule, walk } from './testSchedules.ts';

const HALIDE_INCLUDE = process.env.LOOPLAB_HALIDE_INCLUDE ?? '/usr/include/halide14';
const HALIDE_LIB = process.env.LOOPLAB_HALIDE_LIB ?? 'Halide14';
const SEED = Number(process.env.LOOPLAB_PROPERTY_SEED ?? 20261207);
const RUNS = Number(process.env.LOOPLAB_HALIDE_RUNS ?? 24);

interface Case {
  problem: Problem;
  schedule: Schedule;
  loops: HalideLoop[];
  where: string;
}

/** The update stage's loops in print_loop_nest's text: after the pure stage's statement. */
function parseLoopNest(text: string): HalideLoop[] {
  const lines = text.split('\n');
  const firstStatement = lines.findIndex((l) => /\(\.\.\.\) = /.test(l));
  const loops: HalideLoop[] = [];
  for (const line of lines.slice(firstStatement + 1)) {
    const m = /^\s*(for|parallel|unrolled|vectorized) ([^ ]+) in \[(-?\d+), (-?\d+)\]:/.exec(line);
    if (m)
      loops.push({
        kind: m[1] as HalideLoop['kind'],
        name: m[2].split('.').at(-1) as string,
        extent: Number(m[4]) - Number(m[3]) + 1,
      });
  }
  return loops;
}

/** Schedules drawn like the kernels' property test: walks, register tiles, parallel loops. */
function cases(): { problem: Problem; schedule: Schedule; where: string }[] {
  const arb = fc.oneof(
    fc
      .tuple(problemArb(200_000), fc.nat(), fc.array(fc.nat(), { maxLength: 16 }), fc.nat())
      .map(([text, start, picks, par]) => {
        const problem = parseProblem(text.op, text.sizes);
        return { text, problem, schedule: markParallel(problem, walk(problem, start, picks), par).schedule };
      }),
    fc
      .tuple(
        problemArb(200_000),
        fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
        fc.array(fc.record({ pick: fc.nat(), trip: fc.constantFrom(2, 3, 4, 5, 8, 16) }), {
          minLength: 1,
          maxLength: 3,
        }),
      )
      .map(([text, order, tile]) => {
        const problem = parseProblem(text.op, text.sizes);
        return { text, problem, schedule: tiledSchedule(problem, order, tile) };
      }),
  );
  return fc.sample(arb, { seed: SEED, numRuns: RUNS }).map(({ text, problem, schedule }) => ({
    problem,
    schedule,
    where: `${text.op} with ${text.sizes}, schedule ${printSchedule(schedule)}`,
  }));
}

function readFloats(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Iterations of the reduction per output element (the error bound grows with it). */
const reductionLength = (p: Problem) => p.reductionVariables.reduce((n, v) => n * p.sizes[v], 1);

describe('the Halide export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'looplab-halide-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`compiles, matches the reference and runs looplab's nest, for ${RUNS} random schedules (seed ${SEED})`, async () => {
    expect(
      existsSync(join(HALIDE_INCLUDE, 'Halide.h')),
      `Halide is not installed (no ${HALIDE_INCLUDE}/Halide.h): apt-get install libhalide14-0-dev (.ci/run does), or set LOOPLAB_HALIDE_INCLUDE and LOOPLAB_HALIDE_LIB`,
    ).toBe(true);
    const codegen = await loadCodegen();
    const all: Case[] = [];
    const fixed = [
      ['C[m,n] += A[m,k] * B[k,n]', 'm=17, n=13, k=11', '||m n k k:2 m:3 n:4'],
      [
        'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
        'co=5, oh=3, ow=7, ci=2, kh=3, kw=3',
        'co oh ci kh kw co:2 ow',
      ],
      ['C[b,m,n] += A[b,m,k] * B[b,k,n]', 'b=2, m=5, n=3, k=97', 'b m n k k:8'],
      // Innermost loops longer than MAX_WHOLE_VECTOR: vectorized in f32x4 pieces, a sum among them.
      ['C[m,n] += A[m,k] * B[k,n]', 'm=3, n=97, k=2', 'm k n'],
      ['C[m,n] += A[m,k] * B[k,n]', 'm=2, n=3, k=131', 'm n k'],
    ].map(([op, sizes, text]) => {
      const problem = parseProblem(op, sizes);
      return { problem, schedule: parseSchedule(problem, text), where: `${op} with ${sizes}, schedule ${text}` };
    });
    const includes: string[] = [];
    const refused = [...fixed, ...cases()].filter((c) => halideIssue(c.problem, c.schedule) !== null);
    const exported = [...fixed, ...cases()].filter((c) => halideIssue(c.problem, c.schedule) === null);
    expect(refused.length, 'most random schedules can be exported').toBeLessThan(exported.length / 4);
    exported.forEach(({ problem, schedule, where }, i) => {
      const { report } = codegen.generate(problem, schedule, { relaxedSimd: false });
      const { source, loops } = halideExport(problem, schedule, report);
      writeFileSync(join(dir, `export${i}.cpp`), source);
      const in0 = new Float32Array(problem.inputs[0].elements);
      const in1 = new Float32Array(problem.inputs[1].elements);
      fillRandom(in0, 2 * i + 1);
      fillRandom(in1, 2 * i + 2);
      writeFileSync(join(dir, `${i}.in0`), in0);
      writeFileSync(join(dir, `${i}.in1`), in1);
      includes.push(
        `#define LOOPLAB_NAMESPACE s${i}`,
        '#define LOOPLAB_NO_MAIN',
        `#include "export${i}.cpp"`,
        '#undef LOOPLAB_NAMESPACE',
      );
      all.push({ problem, schedule, loops, where });
    });
    const calls = all.map(
      ({ problem }, i) =>
        `  std::cerr << "=== nest ${i}" << std::endl; s${i}::print_loop_nest(); std::cerr << "=== end" << std::endl;\n` +
        `  run_one(${i}, ${problem.output.elements}, ${problem.inputs[0].elements}, ${problem.inputs[1].elements}, s${i}::run);`,
    );
    // One export as it is, main included (renamed, so that the harness has the only main).
    const standalone = {
      problem: parseProblem(
        'O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]',
        'co=3, oh=4, ow=5, ci=2, kh=3, kw=3',
      ),
      text: 'co oh ci kh kw co:3 ow',
    };
    writeFileSync(
      join(dir, 'standalone.cpp'),
      halideExport(standalone.problem, parseSchedule(standalone.problem, standalone.text)).source,
    );
    writeFileSync(
      join(dir, 'harness.cpp'),
      [
        ...includes,
        '#undef LOOPLAB_NO_MAIN',
        '#define main standalone_main',
        '#define LOOPLAB_NAMESPACE standalone',
        '#include "standalone.cpp"',
        '#undef main',
        '#include <fstream>',
        '#include <iostream>',
        '#include <string>',
        'static std::vector<float> read(const std::string& path, size_t n) {',
        '  std::vector<float> v(n); std::ifstream f(path, std::ios::binary);',
        '  f.read(reinterpret_cast<char*>(v.data()), std::streamsize(n * sizeof(float))); return v;',
        '}',
        'template <class Run> static void run_one(int i, size_t out, size_t in0, size_t in1, Run run) {',
        '  std::vector<float> o(out, 0.0f);',
        '  auto a = read(std::to_string(i) + ".in0", in0), b = read(std::to_string(i) + ".in1", in1);',
        '  run(o.data(), a.data(), b.data());',
        '  std::ofstream(std::to_string(i) + ".out", std::ios::binary).write(reinterpret_cast<const char*>(o.data()), std::streamsize(out * sizeof(float)));',
        '}',
        'int main() {',
        '  std::cout << "=== standalone" << std::endl; standalone_main(); std::cout << "=== end" << std::endl;',
        ...calls,
        '  return 0;',
        '}',
        '',
      ].join('\n'),
    );
    const gxx = spawnSync(
      'g++',
      [
        '-std=c++17',
        '-O0',
        `-I${HALIDE_INCLUDE}`,
        'harness.cpp',
        '-o',
        'harness',
        `-l${HALIDE_LIB}`,
        '-lpthread',
        '-ldl',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(gxx.status, `g++ failed on the exports:\n${gxx.stderr.slice(0, 3000)}`).toBe(0);
    // print_loop_nest writes to stderr.
    const run = spawnSync('./harness', { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, `the harness failed: ${run.error?.message ?? ''}\n${run.stderr.slice(-2000)}`).toBe(0);
    const printed = run.stderr;

    // The export's own main: looplab's inputs for seed 1 (inputSeeds: 3 and 4), from a zeroed output.
    {
      const { problem } = standalone;
      const said = run.stdout.split('=== standalone\n')[1].split('=== end')[0];
      const in0 = new Float32Array(problem.inputs[0].elements);
      const in1 = new Float32Array(problem.inputs[1].elements);
      fillRandom(in0, 3);
      fillRandom(in1, 4);
      const expected = new Float32Array(problem.output.elements);
      referenceCompute(problem, expected, in0, in1);
      const values = [...said.matchAll(/^ {2}\[(\d+)\] (-?[\d.]+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
      expect(values.length, said).toBe(8);
      for (const [e, value] of values) expect(Math.abs(value - expected[e]), `main's element ${e}`).toBeLessThan(1e-5);
      expect(Number(/sum (-?[\d.]+)/.exec(said)?.[1])).toBeCloseTo(
        expected.reduce((a, b) => a + b, 0),
        4,
      );
    }

    all.forEach(({ problem, loops, where }, i) => {
      // Numbers: the same as the reference's on the same inputs.
      const out = readFloats(join(dir, `${i}.out`));
      const expected = new Float32Array(problem.output.elements);
      const in0 = readFloats(join(dir, `${i}.in0`));
      const in1 = readFloats(join(dir, `${i}.in1`));
      referenceCompute(problem, expected, in0, in1);
      const tolerance = 1e-5 * (1 + reductionLength(problem));
      let worst = 0;
      let at = 0;
      for (let e = 0; e < expected.length; e++) {
        const d = Math.abs(out[e] - expected[e]);
        if (!(d <= worst)) [worst, at] = [d, e];
      }
      expect(worst <= tolerance, `${where}: element ${at} is ${out[at]}, the reference ${expected[at]}`).toBe(true);
      // Nest: the same loops, in the same order, with the same extents (Halide drops loops of one iteration).
      const text = printed.split(`=== nest ${i}\n`)[1].split('=== end')[0];
      const halide = parseLoopNest(text);
      expect(halide, `${where}: Halide's nest\n${text}`).toEqual(loops.filter((l) => l.extent > 1));
    });
  }, 120_000);
});

describe('the Halide export file', () => {
  const problem = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=64, n=48, k=32');
  const schedule = parseSchedule(problem, '||m:16 n:3 k m:4 n:16');

  it('carries the problem, the schedule and the looplab version', () => {
    const { source } = halideExport(problem, schedule);
    const head = source.split('\n').slice(0, 4);
    expect(head[0]).toMatch(/^\/\/ Halide C\+\+ pipeline and schedule, written by looplab \d+\.\d+\.\d+/);
    expect(head.slice(1)).toEqual([
      '// problem: C[m,n] += A[m,k] * B[k,n]',
      '// sizes: m=64, n=48, k=32',
      '// schedule: ||m:16 n:3 k:32 m:4 n:16',
    ]);
  });

  it('refuses a tail with a split inside it, saying why', () => {
    const tailed = parseSchedule(problem, 'm n k:2 k:5 r1 k:3');
    expect(halideIssue(problem, tailed)).toMatch(/k:5 r1 has a tail and a loop over k inside it/);
    expect(() => halideExport(problem, tailed)).toThrow(/can't export to Halide: k:5 r1 has a tail/);
  });
});
