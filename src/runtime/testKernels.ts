// Test helpers only: hand-assembled wasm kernels with the kernel ABI (imports env.memory, exports
// kernel(outPtr, in0Ptr, in1Ptr)) for the elementwise problem `C[i] += A[i] * B[i]`, with
// deliberate bugs, so the runtime's check can be tested without the code generator.
import { parseProblem } from '../core/problem.ts';

export type ElementwiseVariant = 'correct' | 'skipLast' | 'overrun' | 'writeInput' | 'trap';

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function str(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const I32 = 0x7f;
const F32 = 0x7d;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32GeS: [0x4e],
  f32Load: [0x2a, 2, 0],
  f32Store: [0x38, 2, 0],
  f32Add: [0x92],
  f32Mul: [0x94],
  unreachable: [0x00],
};

/** Byte address `ptr + i * 4` for parameter `ptr` and the loop counter (local 3). */
const addr = (ptr: number) => [...op.get(ptr), ...op.get(3), ...op.i32(2), ...op.i32Shl, ...op.i32Add];

/** Bytes of an elementwise kernel over n elements, correct or with the named bug. */
export function elementwiseKernelBytes(n: number, variant: ElementwiseVariant = 'correct'): Uint8Array {
  const bound = variant === 'skipLast' ? n - 1 : variant === 'overrun' ? n + 1 : n;
  const body: number[] = [
    ...(variant === 'trap' ? op.unreachable : []),
    ...op.block,
    ...op.loop,
    ...op.get(3),
    ...op.i32(bound),
    ...op.i32GeS,
    ...op.brIf(1),
    // out[i] = out[i] + in0[i] * in1[i]
    ...addr(0),
    ...addr(0),
    ...op.f32Load,
    ...addr(1),
    ...op.f32Load,
    ...addr(2),
    ...op.f32Load,
    ...op.f32Mul,
    ...op.f32Add,
    ...op.f32Store,
    ...(variant === 'writeInput'
      ? [...addr(1), ...addr(1), ...op.f32Load, ...addr(1), ...op.f32Load, ...op.f32Add, ...op.f32Store]
      : []),
    // i++
    ...op.get(3),
    ...op.i32(1),
    ...op.i32Add,
    ...op.set(3),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.end,
  ];
  const func = [...uleb(1), ...uleb(1), I32, ...body]; // one local: i32 i
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [...uleb(1), 0x60, 3, I32, I32, I32, 0]),
    ...section(2, [...uleb(1), ...str('env'), ...str('memory'), 0x02, 0x00, ...uleb(1)]),
    ...section(3, [...uleb(1), 0]),
    ...section(7, [...uleb(1), ...str('kernel'), 0x00, 0]),
    ...section(10, [...uleb(1), ...uleb(func.length), ...func]),
  ];
  return new Uint8Array(bytes);
}

/** Bytes of a toy peak module: `peak(iterations) -> f32`, 2 flops per iteration. */
export function toyPeakBytes(): Uint8Array {
  // locals: 0 = iterations (param), 1 = acc (f32)
  const body: number[] = [
    ...op.block,
    ...op.loop,
    ...op.get(0),
    ...op.i32(0),
    0x4c, // i32.le_s
    ...op.brIf(1),
    ...op.get(1),
    0x43,
    0x00,
    0x00,
    0x80,
    0x3f, // f32.const 1
    ...op.f32Mul,
    0x43,
    0x00,
    0x00,
    0x80,
    0x3f,
    ...op.f32Add,
    ...op.set(1),
    ...op.get(0),
    ...op.i32(-1),
    ...op.i32Add,
    ...op.set(0),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.get(1),
    ...op.end,
  ];
  const func = [...uleb(1), ...uleb(1), F32, ...body];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [...uleb(1), 0x60, 1, I32, 1, F32]),
    ...section(3, [...uleb(1), 0]),
    ...section(7, [...uleb(1), ...str('peak'), 0x00, 0]),
    ...section(10, [...uleb(1), ...uleb(func.length), ...func]),
  ];
  return new Uint8Array(bytes);
}

/**
 * A problem built by hand (no parser) whose tensors are indexed by plain variables, e.g.
 * plainProblem(['C', 'm', 'n'], ['A', 'm', 'k'], ['B', 'k', 'n'], { m: 4, n: 5, k: 6 }).
 */
export function plainProblem(
  out: [string, ...string[]],
  in0: [string, ...string[]],
  in1: [string, ...string[]],
  sizes: Record<string, number>,
): import('../core/types.ts').Problem {
  const tensor = ([name, ...vars]: [string, ...string[]]) => {
    const shape = vars.map((v) => sizes[v]);
    // Every problem variable has a stride (0 when the tensor does not use it).
    const strides: Record<string, number> = Object.fromEntries(Object.keys(sizes).map((v) => [v, 0]));
    let stride = 1;
    for (let d = vars.length - 1; d >= 0; d--) {
      strides[vars[d]] = stride;
      stride *= shape[d];
    }
    return {
      name,
      indices: vars.map((v) => [{ variable: v, coef: 1 }]),
      shape,
      strides,
      elements: stride,
    };
  };
  const outVars = out.slice(1);
  const reductionVariables: string[] = [];
  for (const v of [...in0.slice(1), ...in1.slice(1)]) {
    if (!outVars.includes(v) && !reductionVariables.includes(v)) reductionVariables.push(v);
  }
  const variables = [...outVars, ...reductionVariables];
  const show = ([name, ...vars]: string[]) => `${name}[${vars.join(',')}]`;
  return {
    op: `${show(out)} += ${show(in0)} * ${show(in1)}`,
    sizes,
    variables,
    reductionVariables,
    output: tensor(out),
    inputs: [tensor(in0), tensor(in1)],
    flops: 2 * variables.reduce((p, v) => p * sizes[v], 1),
  };
}

/** Small convolutions in every layout and stride the baselines take: CHW / OIHW and HWC / HWIO, stride 1 and 2, 1x1, the inputs in either order. */
export function convLayoutProblems(): import('../core/types.ts').Problem[] {
  return [
    parseProblem('O[co,oh,ow] += I[ci,oh+kh,ow+kw] * W[co,ci,kh,kw]', 'co=5, ci=3, oh=7, ow=6, kh=3, kw=2'),
    parseProblem('O[co,oh,ow] += I[ci,2*oh+kh,2*ow+kw] * W[co,ci,kh,kw]', 'co=4, ci=2, oh=5, ow=3, kh=3, kw=3'),
    parseProblem('O[co,oh,ow] += W[co,ci,kh,kw] * I[ci,oh+kh,ow+kw]', 'co=3, ci=4, oh=4, ow=4, kh=1, kw=1'),
    parseProblem('O[oh,ow,co] += I[oh+kh,ow+kw,ci] * W[kh,kw,ci,co]', 'co=5, ci=3, oh=7, ow=6, kh=3, kw=2'),
    parseProblem('O[oh,ow,co] += W[kh,kw,ci,co] * I[2*oh+kh,2*ow+kw,ci]', 'co=4, ci=2, oh=5, ow=3, kh=3, kw=3'),
    // Blocked weights (micro-panels of cv output channels), the output NHWC's memory.
    parseProblem('O[oh,ow,cb,cv] += I[oh+kh,ow+kw,ci] * W[cb,kh,kw,ci,cv]', 'cb=3, cv=4, ci=5, oh=7, ow=6, kh=3, kw=2'),
    parseProblem(
      'O[oh,ow,cb,cv] += W[cb,ci,kh,kw,cv] * I[2*oh+kh,2*ow+kw,ci]',
      'cb=2, cv=3, ci=4, oh=4, ow=3, kh=3, kw=2',
    ),
  ];
}
