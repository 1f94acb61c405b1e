// The kernel the generator emits, as C with WebAssembly SIMD intrinsics (wasm_simd128.h): written
// from the generator's plan the way wasm/src/lower.cpp lowers it. Loops run their full iterations,
// then a copy of their body specialized to the partial one (a tail); the accumulator tile is named
// locals, zeroed where the kernel zeroes them and added to the output where it adds them; the
// unrolled tile is straight-line loads (vector, splat, gather), each input value loaded once, and
// multiply-adds (relaxed madd or mul + add, as the generator chose); packed inputs are copied into
// a static scratch array where the kernel packs them. Same operations in the same order, so the
// numbers are the generator kernel's, bit for bit, when both are built for the same SIMD flavour.
import { loopText } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { cIdentifier, exportHeader } from './exportHeader.ts';
import { LANES, planGeometry, type TileOp } from './planGeometry.ts';
import type { KernelReport } from './types.ts';

export interface SimdCOptions {
  /** Name of the C function (default `kernel`). */
  name?: string;
}

interface Pointers {
  name: [string, string, string];
  bias: [number, number, number];
}

/** A pointer and a constant offset from it (elements). */
interface Place {
  name: string;
  bias: number;
}

interface Accumulator {
  offset: number;
  vector: boolean;
  partial: number;
  name: string;
}

/** The kernel as C (wasm_simd128.h), for the plan in `report` (from the generator, for this problem and schedule). */
export function simdCExport(
  problem: Problem,
  schedule: Schedule,
  report: KernelReport,
  options: SimdCOptions = {},
): string {
  const plan = report.plan;
  const loops = plan.loops;
  const n = loops.length;
  const g = planGeometry(problem, plan);
  const vars = problem.variables;
  const tensors = [problem.output, problem.inputs[0], problem.inputs[1]];
  const tensorC = tensors.map((t) => cIdentifier(t.name));
  const fn = cIdentifier(options.name ?? 'kernel');
  const relaxed = report.relaxedFma;
  const scratch = `${fn}_scratch`;

  let out: string[] = [];
  const emit = (depth: number, line: string) => out.push(`${'  '.repeat(depth)}${line}`);
  const at = (p: Pointers, t: number, offset: number): string => {
    const e = p.bias[t] + offset;
    return e === 0 ? p.name[t] : `${p.name[t]} + ${e}`;
  };
  const element = (p: Pointers, t: number, offset: number): string => `${p.name[t]}[${p.bias[t] + offset}]`;
  const shifted = (p: Pointers, l: number, iterations: number): Pointers => ({
    name: p.name,
    bias: [0, 1, 2].map((t) => p.bias[t] + iterations * g.iterStride(t, l)) as [number, number, number],
  });
  const loopName = (l: number) => `${cIdentifier(vars[loops[l].variable])}_${l}`;
  const planLoopText = (l: number) => {
    const loop = loops[l];
    return loopText({ variable: vars[loop.variable], trip: loop.trip, tail: loop.tail });
  };

  let accumulators: Map<string, Accumulator> | null = null;
  // A region copy running `jamCount` iterations of loop `jamLoop` at once (planGeometry's jam).
  let jamLoop = 0;
  let jamCount = 1;

  function level(l: number, extent: number[], p: Pointers, d: number): void {
    if (l === plan.accStart && accumulators === null) region(l, extent, p, d);
    else if (l === plan.tileStart) tile(l, extent, p, d);
    else loop(l, extent, p, d);
  }

  function loop(l: number, extent: number[], p: Pointers, d: number): void {
    const x = loops[l].variable;
    const st = g.step[l];
    const full = Math.floor(extent[x] / st);
    const rem = extent[x] % st;
    const next = extent.slice();
    next[x] = st;
    // A small copy of the tile runs two iterations of the output loop above its region at once.
    const jam = accumulators === null && full >= 2 && l === plan.accStart - 1 ? g.jam(l, next) : 1;
    const rounds = Math.floor(full / jam);
    const left = full % jam;
    const what = `${planLoopText(l)}: ${full} x ${st}${jam > 1 ? `, ${jam} iterations at a time in one tile` : ''}${rem > 0 ? `, then a partial iteration of ${rem}` : ''}`;
    const pairs = accumulators !== null && l === plan.tileStart - 1 ? partialSumPairs(next) : [];
    // Two partial sums per accumulator: each full iteration adds into one set, then the sets swap.
    const swap = (depth: number) => {
      for (const [a, b] of pairs)
        emit(depth, `{ ${a.vector ? 'v128_t' : 'float'} t = ${a.name}; ${a.name} = ${b.name}; ${b.name} = t; }`);
    };
    const body = (q: Pointers, depth: number) => {
      if (jam > 1) {
        jamLoop = l;
        jamCount = jam;
        enter(l, next, q, depth);
        jamCount = 1;
      } else {
        enter(l, next, q, depth);
        swap(depth);
      }
    };
    if (rounds === 1) {
      emit(d, `// ${what}`);
      body(p, d);
    } else if (rounds > 1) {
      const moving = [0, 1, 2].filter((t) => g.iterStride(t, l) !== 0);
      const inner: Pointers = { name: [...p.name], bias: [...p.bias] };
      emit(d, `{  // ${what}`);
      for (const t of moving) {
        inner.name[t] = `${tensorC[t]}_${l}`;
        inner.bias[t] = 0;
        emit(d + 1, `${t === 0 ? 'float' : 'const float'} *${inner.name[t]} = ${at(p, t, 0)};`);
      }
      const i = loopName(l);
      const steps = moving.map((t) => `${inner.name[t]} += ${jam * g.iterStride(t, l)}`);
      emit(d + 1, `for (int ${i} = 0; ${i} < ${rounds}; ${[`${i}++`, ...steps].join(', ')}) {`);
      body(inner, d + 2);
      emit(d + 1, '}');
      emit(d, '}');
    }
    if (left > 0) {
      emit(d, `// ${planLoopText(l)}: the last full iteration, alone`);
      enter(l, next, shifted(p, l, rounds * jam), d);
    }
    if (rem > 0) {
      next[x] = rem;
      emit(d, `// ${planLoopText(l)}: the partial iteration (${rem} of ${st})`);
      enter(l, next, shifted(p, l, full), d);
    }
  }

  /**
   * The accumulator pairs (partial sums 0 and 1) of the tile copy over `extent` when it keeps two
   * partial sums (KernelPlan.partialSumLimit), else none; both sets are declared from here on.
   */
  function partialSumPairs(extent: number[]): [Accumulator, Accumulator][] {
    const ops = g.jammedTile(extent, jamLoop, jamCount);
    if (g.partialSums(ops) === 1) return [];
    const outputs = new Map<string, TileOp>();
    for (const op of ops) outputs.set(`${op.offset[0]},${op.vector}`, op);
    return [...outputs.values()].map((op) => [accumulator(op, 0), accumulator(op, 1)]);
  }

  /** The accumulator of an op's output element (partial sum `partial`), named when first met. */
  function accumulator(op: TileOp, partial: number): Accumulator {
    const keys = accumulators as Map<string, Accumulator>;
    const key = `${op.offset[0]},${op.vector},${partial}`;
    let acc = keys.get(key);
    if (!acc) {
      acc = { offset: op.offset[0], vector: op.vector, partial, name: `acc${keys.size}` };
      keys.set(key, acc);
    }
    return acc;
  }

  /** One iteration of loop l: its packs (the panels the loops inside read, copied to the scratch), then the loops inside. */
  function enter(l: number, extent: number[], p: Pointers, d: number): void {
    const mask = loops[l].pack;
    if (!mask) {
      level(l + 1, extent, p, d);
      return;
    }
    const inside: Pointers = { name: [...p.name], bias: [...p.bias] };
    for (const t of [1, 2]) {
      if (!(mask & (1 << t))) continue;
      emit(d, `// pack(${tensors[t].name}): the part of ${tensors[t].name} the loops inside read, in their order`);
      pack(t, l + 1, extent, { name: p.name[t], bias: p.bias[t] }, { name: scratch, bias: plan.scratchOffset[t] }, d);
      inside.name[t] = scratch;
      inside.bias[t] = plan.scratchOffset[t];
    }
    level(l + 1, extent, inside, d);
  }

  /** Copies input t's elements that loops d.. read into the packed layout (Plan::iter_stride), splitting tails as the kernel does. */
  function pack(t: number, from: number, extent: number[], src: Place, dst: Place, depth: number): void {
    let d = from;
    while (d < n && g.stride[t][loops[d].variable] === 0) d++;
    const ref = (p: Place, offset: number) => `${p.name}[${p.bias + offset}]`;
    const addr = (p: Place, offset: number) => (p.bias + offset === 0 ? p.name : `${p.name} + ${p.bias + offset}`);
    if (d === n) {
      emit(depth, `${ref(dst, 0)} = ${ref(src, 0)};`);
      return;
    }
    const x = loops[d].variable;
    const st = g.step[d];
    const full = Math.floor(extent[x] / st);
    const rem = extent[x] % st;
    const source = st * g.stride[t][x];
    const packed = g.iterStride(t, d);
    const next = extent.slice();
    next[x] = st;
    let last = true;
    for (let e = d + 1; e < n; e++) last &&= g.stride[t][loops[e].variable] === 0;
    const at = (p: Place, offset: number): Place => ({ name: p.name, bias: p.bias + offset });
    if (last && st === 1 && source === 1 && full >= LANES) {
      // Contiguous on both sides: whole vectors, then single elements.
      const vectors = Math.floor(full / LANES);
      const v = `v${d}`;
      emit(depth, `for (int ${v} = 0; ${v} < ${vectors * LANES}; ${v} += 4)`);
      emit(depth + 1, `wasm_v128_store(${addr(dst, 0)} + ${v}, wasm_v128_load(${addr(src, 0)} + ${v}));`);
      for (let i = vectors * LANES; i < full; i++) pack(t, d + 1, next, at(src, i), at(dst, i), depth);
    } else if (full <= 2) {
      for (let i = 0; i < full; i++) pack(t, d + 1, next, at(src, i * source), at(dst, i * packed), depth);
    } else {
      const from = `${tensorC[t]}_src${d}`;
      const to = `${tensorC[t]}_dst${d}`;
      const i = `${loopName(d)}_pack`;
      emit(depth, `{`);
      emit(depth + 1, `const float *${from} = ${addr(src, 0)};`);
      emit(depth + 1, `float *${to} = ${addr(dst, 0)};`);
      emit(depth + 1, `for (int ${i} = 0; ${i} < ${full}; ${i}++, ${from} += ${source}, ${to} += ${packed}) {`);
      pack(t, d + 1, next, { name: from, bias: 0 }, { name: to, bias: 0 }, depth + 2);
      emit(depth + 1, '}');
      emit(depth, '}');
    }
    if (rem > 0) {
      next[x] = rem;
      pack(t, d + 1, next, at(src, full * source), at(dst, full * packed), depth);
    }
  }

  /** Loops whose accumulators stay in locals: their body first, to know the accumulators. */
  function region(l: number, extent: number[], p: Pointers, d: number): void {
    const outer = out;
    out = [];
    accumulators = new Map();
    level(l, extent, p, d + 1);
    const body = out;
    out = outer;
    const all = [...accumulators.values()].sort(
      (a, b) => a.offset - b.offset || Number(a.vector) - Number(b.vector) || a.partial - b.partial,
    );
    accumulators = null;
    const held = loops
      .slice(l, plan.tileStart)
      .map((_, i) => planLoopText(l + i))
      .join(' ');
    emit(d, `{  // ${all.length} accumulators${held ? `, held across ${held}` : ''}`);
    for (const acc of all) {
      const where = `${tensors[0].name}[+${acc.offset}${acc.vector ? ` +${g.stride[0][plan.vecVar]}*(0..3)` : ''}]`;
      const part = (plan.horizontalSum && acc.vector) || acc.partial ? `, partial sum ${acc.partial}` : '';
      emit(
        d + 1,
        `${acc.vector ? 'v128_t' : 'float'} ${acc.name} = ${acc.vector ? 'wasm_f32x4_splat(0.0f)' : '0.0f'};  // ${where}${part}`,
      );
    }
    out.push(...body);
    store(all, p, d + 1);
    emit(d, '}');
  }

  function store(all: Accumulator[], p: Pointers, d: number): void {
    const laneStride = g.stride[0][plan.vecVar];
    if (!plan.horizontalSum) {
      for (const acc of all) {
        if (acc.partial) continue;
        const second = all.find((b) => b.partial === 1 && b.offset === acc.offset && b.vector === acc.vector);
        // The tile's two partial sums (partialSumPairs): added first, then stored as one.
        if (second)
          emit(
            d,
            `${acc.name} = ${acc.vector ? `wasm_f32x4_add(${acc.name}, ${second.name})` : `${acc.name} + ${second.name}`};`,
          );
        if (!acc.vector) emit(d, `${element(p, 0, acc.offset)} += ${acc.name};`);
        else if (plan.access[0] === 'vector')
          emit(
            d,
            `wasm_v128_store(${at(p, 0, acc.offset)}, wasm_f32x4_add(wasm_v128_load(${at(p, 0, acc.offset)}), ${acc.name}));`,
          );
        else
          for (let lane = 0; lane < LANES; lane++)
            emit(
              d,
              `${element(p, 0, acc.offset + lane * laneStride)} += wasm_f32x4_extract_lane(${acc.name}, ${lane});`,
            );
      }
      return;
    }
    // Lanes are partial sums of one output element: add the partial vectors, then the lanes.
    const byOutput = new Map<number, Accumulator[]>();
    for (const acc of all) byOutput.set(acc.offset, [...(byOutput.get(acc.offset) ?? []), acc]);
    for (const [offset, parts] of byOutput) {
      const vectors = parts.filter((a) => a.vector).map((a) => a.name);
      const scalars = parts.filter((a) => !a.vector).map((a) => a.name);
      const terms: string[] = [];
      if (vectors.length > 0) {
        const sum = vectors.reduce((s, v) => `wasm_f32x4_add(${s}, ${v})`);
        emit(d, `{ v128_t sum = ${sum};`);
        terms.push(
          [0, 1, 2, 3].map((lane) => `wasm_f32x4_extract_lane(sum, ${lane})`).reduce((s, v) => `(${s} + ${v})`),
        );
      } else emit(d, '{');
      terms.push(...scalars);
      const value = terms.reduce((s, v) => `${s} + ${v}`);
      emit(d + 1, `${element(p, 0, offset)} += ${value}; }`);
    }
  }

  function tile(l: number, extent: number[], p: Pointers, d: number): void {
    const ops = g.jammedTile(extent, jamLoop, jamCount);
    const loaded = new Map<string, string>();
    const tileLoops = loops
      .slice(l)
      .map((_, i) => planLoopText(l + i))
      .join(' ');
    emit(d, `{  // the tile, unrolled: ${tileLoops} (${ops.length} multiply-adds)`);
    for (const op of ops) {
      const acc = accumulator(op, plan.horizontalSum && op.vector ? op.laneGroup % 4 : 0);
      const a = operand(1, op, p, loaded, d + 1);
      const b = operand(2, op, p, loaded, d + 1);
      if (op.vector && relaxed) emit(d + 1, `${acc.name} = LOOPLAB_RELAXED_MADD(${a}, ${b}, ${acc.name});`);
      else if (op.vector) emit(d + 1, `${acc.name} = wasm_f32x4_add(wasm_f32x4_mul(${a}, ${b}), ${acc.name});`);
      else emit(d + 1, `${acc.name} = ${a} * ${b} + ${acc.name};`);
    }
    emit(d, '}');
  }

  /** The input value an op multiplies: loaded into a named local the first time. */
  function operand(t: number, op: TileOp, p: Pointers, loaded: Map<string, string>, d: number): string {
    const what = `${t},${op.offset[t]},${op.vector}`;
    const known = loaded.get(what);
    if (known) return known;
    const name = `${tensorC[t]}${op.vector ? 'v' : 's'}${loaded.size}`;
    loaded.set(what, name);
    const off = op.offset[t];
    const s = g.iterStride(t, n - 1);
    let value: string;
    if (!op.vector) value = element(p, t, off);
    else if (plan.access[t] === 'vector') value = `wasm_v128_load(${at(p, t, off)})`;
    else if (plan.access[t] === 'splat') value = `wasm_v128_load32_splat(${at(p, t, off)})`;
    else if (s === 2 || s === 3)
      // Lanes 0, s, 2s, 3s from two overlapping vector loads: no read past the last lane.
      value = `wasm_i32x4_shuffle(wasm_v128_load(${at(p, t, off)}), wasm_v128_load(${at(p, t, off + 3 * s - 3)}), 0, ${s}, ${7 - s}, 7)`;
    else value = `wasm_f32x4_make(${[0, 1, 2, 3].map((lane) => element(p, t, off + lane * s)).join(', ')})`;
    emit(d, `const ${op.vector ? 'v128_t' : 'float'} ${name} = ${value};`);
    return name;
  }

  const root: Pointers = { name: [tensorC[0], tensorC[1], tensorC[2]], bias: [0, 0, 0] };
  level(
    0,
    vars.map((v) => problem.sizes[v]),
    root,
    1,
  );
  const body = out;

  const flags = relaxed ? '-msimd128 -mrelaxed-simd' : '-msimd128';
  const lines = [
    ...exportHeader('C with WebAssembly SIMD intrinsics', problem, schedule),
    '//',
    `// The kernel looplab's generator emits for this schedule, as C: ${fn}(${tensorC.join(', ')}) computes`,
    `// ${tensors[0].name} += ${tensors[1].name} * ${tensors[2].name} on f32, dense, row-major arrays (${tensors
      .map((t) => `${t.name}[${t.shape.join('][')}]`)
      .join(', ')}).`,
    `// Compile: emcc -O2 ${flags} --no-entry -o kernel.wasm kernel.c`,
    `// (${relaxed ? 'relaxed SIMD, clang 16+: runs on Chromium 114+, Node 22+ or with --experimental-wasm-relaxed-simd' : 'plain SIMD128: any engine with WebAssembly SIMD'}).`,
    '//',
    '// What the generator decided (from its report):',
    ...report.notes.map((note) => `//   ${note}`),
    '// Loops as the kernel runs them (the generator may split one schedule loop in two):',
    `//   ${loops.map((_, l) => planLoopText(l)).join(' ')}; the tile from loop ${plan.tileStart}, accumulators from loop ${plan.accStart}.`,
  ];
  if (report.parallel)
    lines.push(
      `// ${report.parallel.text} runs in parallel in looplab (kernel_range on threads); here it is a plain loop, one thread.`,
    );
  lines.push(
    '',
    '#include <wasm_simd128.h>',
    '',
    '#ifdef __EMSCRIPTEN__',
    '#include <emscripten.h>',
    '#define LOOPLAB_EXPORT EMSCRIPTEN_KEEPALIVE',
    '#else',
    '#define LOOPLAB_EXPORT',
    '#endif',
    ...(relaxed
      ? [
          '',
          '// f32x4.relaxed_madd(a, b, c) = a * b + c, fused or not as the engine likes. Its intrinsic needs',
          '// clang 16+ with -mrelaxed-simd; older toolchains (clang 14 encodes a pre-standard opcode) get',
          "// f32x4.mul + f32x4.add, the generator's choice on engines without relaxed SIMD.",
          '#if defined(__wasm_relaxed_simd__) && defined(__has_builtin) && __has_builtin(__builtin_wasm_relaxed_madd_f32x4)',
          '#define LOOPLAB_RELAXED_MADD(a, b, c) wasm_f32x4_relaxed_madd(a, b, c)',
          '#else',
          '#define LOOPLAB_RELAXED_MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)',
          '#endif',
        ]
      : []),
    '',
    ...(report.scratchBytes > 0
      ? [
          `// The packed panels (${report.packs.map((p) => `pack(${p.tensor}): ${p.elements} floats`).join(', ')}).`,
          `static float ${scratch}[${report.scratchBytes / 4}] __attribute__((aligned(16)));`,
          '',
        ]
      : []),
    `LOOPLAB_EXPORT void ${fn}(float *restrict ${tensorC[0]}, const float *restrict ${tensorC[1]}, const float *restrict ${tensorC[2]}) {`,
    ...body,
    '}',
    '',
  );
  return lines.join('\n');
}
