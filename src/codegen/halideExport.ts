// A schedule as a Halide (14+) C++ program: the problem as a Func whose pure stage copies the
// output's initial values and whose update stage adds the products over an RDom of the reduction
// variables, scheduled with split / reorder / vectorize / unroll / parallel to give looplab's loop
// nest. The file compiles as it is (`g++ -std=c++17 x.cpp -lHalide -lpthread -ldl`), runs on
// looplab's seeded inputs and prints the loop nest, a checksum and the first outputs.
//
// Names: a variable's innermost loop keeps the variable's name, the loops outside it are `m0`,
// `m1`, ... outermost first (as in the pseudo-C); Halide prints them prefixed with the names they
// were split from (`m.m0`, `r.k.k0`).
import { loopSteps, loopText } from '../core/schedule.ts';
import type { Problem, Schedule, TensorAccess } from '../core/types.ts';
import { cIdentifier, exportHeader } from './exportHeader.ts';
import type { KernelReport } from './types.ts';

/** How a loop of the export's nest runs in Halide (print_loop_nest's word for it). */
export type HalideLoopKind = 'for' | 'parallel' | 'unrolled' | 'vectorized';

/** A loop as the exported Halide schedule runs it. */
export interface HalideLoop {
  /** The loop's own name (the last part of Halide's dotted name). */
  name: string;
  /** Iterations: the trip, plus one when the loop has a tail (Halide guards the partial one). */
  extent: number;
  kind: HalideLoopKind;
}

export interface HalideExport {
  /** The C++ source. */
  source: string;
  /** The update stage's loops, outermost first, as print_loop_nest shows them. */
  loops: HalideLoop[];
}

/** Innermost loops longer than this are vectorized in f32x4 pieces (one more Halide loop) rather than as one vector. */
export const MAX_WHOLE_VECTOR = 64;

/** Why this problem and schedule can't be written as a Halide pipeline, or null. */
export function halideIssue(problem: Problem, schedule: Schedule): string | null {
  const plain = problem.output.indices.every((idx) => idx.length === 1 && idx[0].coef === 1);
  if (!plain)
    return 'the output is indexed by expressions, not by single variables; Halide defines a Func at its variables';
  // Halide's GuardWithIf checks the variable's whole range, not the range of a split inside a split:
  // in `k:3 r1 k:2` the partial k:3 iteration would run into the next one's elements.
  const { loops } = schedule;
  for (let i = 0; i < loops.length; i++) {
    const first = loops.findIndex((l) => l.variable === loops[i].variable);
    const inner = loops.slice(i + 1).some((l) => l.variable === loops[i].variable);
    if (i !== first && inner && loops[i].tail > 0)
      return `${loopText(loops[i])} has a tail and a loop over ${loops[i].variable} inside it; Halide's splits guard only the whole range of ${loops[i].variable}, so the partial iteration would repeat elements (make the trip divide, or merge the inner loop)`;
  }
  return null;
}

/** A tensor's index expressions, innermost dimension first (Halide's order), in C++ names. */
function halideArgs(t: TensorAccess, name: (variable: string) => string): string {
  return [...t.indices]
    .reverse()
    .map((terms) =>
      terms.length === 0
        ? '0'
        : terms
            .map((term) => (term.coef === 1 ? name(term.variable) : `${term.coef} * ${name(term.variable)}`))
            .join(' + '),
    )
    .join(', ');
}

/**
 * The Halide program for `schedule`. With the generator's report, the loops the kernel unrolls
 * into its register tile are unrolled in Halide too; without it, only the innermost is vectorized.
 */
export function halideExport(problem: Problem, schedule: Schedule, report?: KernelReport): HalideExport {
  const issue = halideIssue(problem, schedule);
  if (issue) throw new Error(`can't export to Halide: ${issue}`);
  const { loops } = schedule;
  const n = loops.length;
  const steps = loopSteps(problem, schedule);
  const reductions = problem.reductionVariables;
  const isReduction = (v: string) => reductions.includes(v);
  const outVars = problem.variables.filter((v) => !isReduction(v));
  const varId = (v: string) => `v_${cIdentifier(v)}`;
  const out = problem.output;
  const [a, b] = problem.inputs;
  const tensorId = (t: TensorAccess) => `t_${cIdentifier(t.name)}`;

  // Loop names, as in the pseudo-C: the innermost over a variable is the variable, outer ones v0, v1, ...
  const count = new Map<string, number>();
  for (const l of loops) count.set(l.variable, (count.get(l.variable) ?? 0) + 1);
  const seen = new Map<string, number>();
  const names = loops.map((l) => {
    const k = seen.get(l.variable) ?? 0;
    seen.set(l.variable, k + 1);
    return k === (count.get(l.variable) ?? 1) - 1 ? l.variable : `${l.variable}${k}`;
  });

  // Which loops run how.
  const last = n - 1;
  const unrolled = unrolledLoops(schedule, report);
  const wholeVector = loops[last].trip + (loops[last].tail > 0 ? 1 : 0) <= MAX_WHOLE_VECTOR;
  const kinds: HalideLoopKind[] = loops.map((l, i) =>
    i === last ? 'vectorized' : l.parallel ? 'parallel' : unrolled.has(i) ? 'unrolled' : 'for',
  );
  const halideLoops: HalideLoop[] = loops.map((l, i) => ({
    name: names[i],
    extent: l.trip + (l.tail > 0 ? 1 : 0),
    kind: kinds[i],
  }));
  if (!wholeVector) {
    halideLoops[last] = { ...halideLoops[last], kind: 'for', extent: Math.ceil(halideLoops[last].extent / 4) };
    halideLoops.push({ name: 'v4', extent: 4, kind: 'vectorized' });
  }

  const L: string[] = exportHeader('Halide C++ pipeline and schedule', problem, schedule);
  L.push(
    '//',
    `// ${problem.output.name} += ${a.name} * ${b.name} as a Halide Func: the pure stage copies ${out.name}'s initial values, the update`,
    `// stage adds the products over an RDom of the reduction variables (${reductions.join(', ') || 'none'}). Tensors are`,
    "// looplab's: f32, dense, row-major, so Halide's first dimension is the last index (A[m][k] is A(k, m)).",
    '//',
    '// The loops, outermost first (Halide prints them prefixed with what they were split from):',
  );
  loops.forEach((l, i) => {
    const how = kinds[i] === 'for' ? '' : ` (${kinds[i]})`;
    const tail = l.tail > 0 ? `, then a partial iteration of ${l.tail}` : '';
    L.push(`//   ${loopText(l).padEnd(16)} ${names[i]}: ${l.trip} x ${steps[i]}${tail}${how}`);
  });
  L.push(
    '//',
    '// What Halide cannot say exactly:',
    "// - Tails. looplab runs a loop's full iterations, then one partial iteration with code specialized",
    '//   to it. Here every split is TailStrategy::GuardWithIf: Halide runs ceil(extent / step) iterations',
    '//   and guards the last with an if (its vectorized tail runs scalar). Same iterations, other code.',
    "// - The register tile. looplab's generator keeps a tile of accumulators in registers across the",
    '//   innermost loops and adds them to the output once; Halide adds into the output in every',
    '//   iteration and leaves keeping values in registers to LLVM.',
  );
  if (report) {
    L.push(
      '//   Here Halide unrolls the loops the generator unrolls whole. What the generator decided:',
      ...report.notes.map((note) => `//     ${note}`),
    );
  } else L.push("//   (Exported without the generator's report: only the innermost loop is vectorized.)");
  if (loops.some((l) => (l.packs ?? []).length > 0))
    L.push(
      '// - Packs (pack(...)): not expressed; Halide reads the inputs where they are. (Func::in() with',
      "//   compute_at would copy them, but not in looplab's layout.)",
    );
  if (!wholeVector)
    L.push(
      `// - The innermost loop is longer than ${MAX_WHOLE_VECTOR}: vectorized in pieces of 4 (f32x4), one more loop (v4) than looplab's nest.`,
    );
  else
    L.push("// - The innermost loop is vectorized whole (Halide's vector is its extent; LLVM splits it into f32x4).");
  if (isReduction(loops[last].variable))
    L.push('// - The innermost loop sums into one output element: the update is atomic() so Halide may vectorize it.');
  L.push(
    "// - Parallel loops use Halide's thread pool (HL_NUM_THREADS), not looplab's workers.",
    '',
    '#include <Halide.h>',
    '',
    '#include <cstdint>',
    '#include <cstdio>',
    '#include <vector>',
    '',
    '#ifndef LOOPLAB_NAMESPACE',
    '#define LOOPLAB_NAMESPACE looplab_export',
    '#endif',
    '',
    'namespace LOOPLAB_NAMESPACE {',
    '',
    `// Shapes, innermost dimension first.`,
  );
  for (const t of [out, a, b])
    L.push(`inline const std::vector<int> shape_${cIdentifier(t.name)} = {${[...t.shape].reverse().join(', ')}};`);
  L.push(
    '',
    `inline Halide::Func pipeline(const Halide::Buffer<float>& ${tensorId(out)}_init, const Halide::Buffer<float>& ${tensorId(a)}, const Halide::Buffer<float>& ${tensorId(b)}) {`,
    '  using namespace Halide;',
  );
  for (const v of outVars) L.push(`  Var ${varId(v)}("${v}");`);
  if (reductions.length > 0) {
    L.push(`  RDom r({${reductions.map((v) => `{0, ${problem.sizes[v]}}`).join(', ')}}, "r");`);
    for (const [i, v] of reductions.entries()) L.push(`  RVar ${varId(v)} = r[${i}];  // ${v}`);
  }
  const name = (v: string) => varId(v);
  const outArgs = halideArgs(out, name);
  L.push(
    `  Func f("${cIdentifier(out.name)}");`,
    `  f(${outArgs}) = ${tensorId(out)}_init(${outArgs});`,
    `  f(${outArgs}) += ${tensorId(a)}(${halideArgs(a, name)}) * ${tensorId(b)}(${halideArgs(b, name)});`,
  );
  for (const v of [...outVars].reverse()) L.push(`  f.bound(${varId(v)}, 0, ${problem.sizes[v]});`);
  L.push('', '  // The schedule.', '  Stage s = f.update();');
  // Splits: per variable, outermost first, each loop's step is the split factor.
  const loopId = (i: number) => `l${i}`;
  for (const v of problem.variables) {
    const mine = loops.map((l, i) => ({ l, i })).filter(({ l }) => l.variable === v);
    const type = isReduction(v) ? 'RVar' : 'Var';
    if (mine.length === 0) continue;
    if (isReduction(v)) {
      L.push(`  RVar ${loopId(mine[0].i)}_all("${v}");`);
      L.push(`  s.rename(${varId(v)}, ${loopId(mine[0].i)}_all);`);
    }
    let current = isReduction(v) ? `${loopId(mine[0].i)}_all` : varId(v);
    mine.forEach(({ i }, j) => {
      if (j === mine.length - 1) {
        L.push(`  ${type} ${loopId(i)} = ${current};  // ${loopText(loops[i])}`);
        return;
      }
      const inner = `${loopId(i)}_in`;
      L.push(
        `  ${type} ${loopId(i)}("${names[i]}"), ${inner}("${j === mine.length - 2 ? names[mine[j + 1].i] : `${v}_in${j}`}");  // ${loopText(loops[i])}`,
        `  s.split(${current}, ${loopId(i)}, ${inner}, ${steps[i]}, TailStrategy::GuardWithIf);`,
      );
      current = inner;
    });
  }
  L.push(`  s.reorder({${loops.map((_, i) => loopId(n - 1 - i)).join(', ')}});`);
  if (isReduction(loops[last].variable)) L.push('  s.atomic();');
  loops.forEach((_, i) => {
    if (kinds[i] === 'parallel') L.push(`  s.parallel(${loopId(i)});`);
    if (kinds[i] === 'unrolled') L.push(`  s.unroll(${loopId(i)});`);
  });
  L.push(
    wholeVector
      ? `  s.vectorize(${loopId(last)});`
      : `  ${isReduction(loops[last].variable) ? 'RVar' : 'Var'} lanes("v4");  // one more loop: f32x4 pieces\n` +
          `  s.split(${loopId(last)}, ${loopId(last)}, lanes, 4, TailStrategy::GuardWithIf).vectorize(lanes);`,
  );
  L.push(
    '  return f;',
    '}',
    '',
    `// ${out.name} += ${a.name} * ${b.name} on row-major arrays in looplab's layout.`,
    `inline void run(float* ${cIdentifier(out.name)}, const float* ${cIdentifier(a.name)}, const float* ${cIdentifier(b.name)}) {`,
    `  Halide::Buffer<float> out(${cIdentifier(out.name)}, shape_${cIdentifier(out.name)});`,
    '  Halide::Buffer<float> init = out.copy();',
    `  Halide::Buffer<float> in0(const_cast<float*>(${cIdentifier(a.name)}), shape_${cIdentifier(a.name)});`,
    `  Halide::Buffer<float> in1(const_cast<float*>(${cIdentifier(b.name)}), shape_${cIdentifier(b.name)});`,
    '  pipeline(init, in0, in1).realize(out);',
    '}',
    '',
    '// The loop nest Halide runs (the pure stage, then the update).',
    'inline void print_loop_nest() {',
    `  Halide::Buffer<float> init(shape_${cIdentifier(out.name)}), in0(shape_${cIdentifier(a.name)}), in1(shape_${cIdentifier(b.name)});`,
    '  pipeline(init, in0, in1).print_loop_nest();',
    '}',
    '',
    "// looplab's seeded inputs (runtime/buffers.ts, core/random.ts): mulberry32, values k / 2^23 - 1.",
    'inline void fill_random(std::vector<float>& values, uint32_t seed) {',
    '  uint32_t state = seed;',
    '  for (float& value : values) {',
    '    state += 0x6d2b79f5u;',
    '    uint32_t t = state;',
    '    t = (t ^ (t >> 15)) * (t | 1u);',
    '    t ^= t + (t ^ (t >> 7)) * (t | 61u);',
    '    double next = double(t ^ (t >> 14)) / 4294967296.0;',
    '    value = float(double(uint32_t(next * 16777216.0)) / 8388608.0 - 1.0);',
    '  }',
    '}',
    '',
    '}  // namespace LOOPLAB_NAMESPACE',
    '',
    '#ifndef LOOPLAB_NO_MAIN',
    '// Runs the pipeline on the inputs looplab measures with (seed 1), from a zeroed output.',
    'int main() {',
    '  using namespace LOOPLAB_NAMESPACE;',
    '  auto elements = [](const std::vector<int>& shape) { size_t n = 1; for (int d : shape) n *= size_t(d); return n; };',
    `  std::vector<float> out(elements(shape_${cIdentifier(out.name)}), 0.0f);`,
    `  std::vector<float> in0(elements(shape_${cIdentifier(a.name)})), in1(elements(shape_${cIdentifier(b.name)}));`,
    '  fill_random(in0, 3);  // looplab: inputSeeds(1) = [3, 4]',
    '  fill_random(in1, 4);',
    '  print_loop_nest();',
    '  run(out.data(), in0.data(), in1.data());',
    '  double sum = 0;',
    '  for (float v : out) sum += v;',
    `  std::printf("${out.name}: %zu elements, sum %.6f\\n", out.size(), sum);`,
    '  for (size_t i = 0; i < out.size() && i < 8; i++) std::printf("  [%zu] %.6f\\n", i, out[i]);',
    '  return 0;',
    '}',
    '#endif',
    '',
  );
  return { source: L.join('\n'), loops: halideLoops };
}

/**
 * The schedule loops (other than the innermost, which is vectorized) that the generator unrolls
 * whole into its register tile: every kernel loop they became is in the tile.
 */
function unrolledLoops(schedule: Schedule, report?: KernelReport): Set<number> {
  const out = new Set<number>();
  if (!report) return out;
  const { loops, tileStart } = report.plan;
  for (let i = 0; i < schedule.loops.length - 1; i++) {
    const mine = loops.map((l, at) => ({ l, at })).filter(({ l }) => l.origin === i);
    if (mine.length > 0 && mine.every(({ at }) => at >= tileStart)) out.add(i);
  }
  return out;
}
