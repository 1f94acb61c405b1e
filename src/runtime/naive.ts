// The `naive-js` baseline: plain scalar JavaScript loops over the problem, one loop per variable
// in the default schedule's order (output variables, then reductions), innermost statement
// `out[o] += in0[x] * in1[y]`. The loop bounds and strides are baked into a function built with
// `new Function`, so V8 sees constants, as a person writing this loop by hand for these sizes
// would have.
import type { Problem } from '../core/types.ts';
import type { KernelBuffers } from './buffers.ts';
import { checkOutput, type CheckOptions, type CheckResult } from './check.ts';
import { measureThroughput, type TimingOptions } from './timing.ts';

export type NaiveKernel = (out: Float32Array, in0: Float32Array, in1: Float32Array) => void;

/** JavaScript source of the naive loop nest (exported for display and tests). */
export function naiveSource(problem: Problem): string {
  const vars = problem.variables;
  const out = problem.output.strides;
  const [t0, t1] = problem.inputs;
  const lines: string[] = ['"use strict";', 'return function naive(out, in0, in1) {'];
  let indent = '  ';
  vars.forEach((v, d) => {
    const size = problem.sizes[v] | 0;
    const prev = (name: string) => (d === 0 ? '0' : `${name}${d - 1}`);
    const so = out[v] ?? 0;
    const s0 = t0.strides[v] ?? 0;
    const s1 = t1.strides[v] ?? 0;
    lines.push(
      `${indent}for (let i${d} = 0, o${d} = ${prev('o')}, a${d} = ${prev('a')}, b${d} = ${prev('b')}; ` +
        `i${d} < ${size}; i${d}++, o${d} += ${so}, a${d} += ${s0}, b${d} += ${s1}) {`,
    );
    indent += '  ';
  });
  const last = vars.length - 1;
  if (last < 0) lines.push(`${indent}out[0] += in0[0] * in1[0];`);
  else lines.push(`${indent}out[o${last}] += in0[a${last}] * in1[b${last}];`);
  for (let d = vars.length - 1; d >= 0; d--) {
    indent = indent.slice(2);
    lines.push(`${indent}}`);
  }
  lines.push('};');
  return lines.join('\n');
}

/** Builds the specialized naive function for a problem. */
export function compileNaive(problem: Problem): NaiveKernel {
  return new Function(naiveSource(problem))() as NaiveKernel;
}

export interface NaiveMeasurement {
  gflops: number | null;
  gflopsMedian: number | null;
  check: CheckResult;
}

/** Checks and times the naive-js baseline on the given buffers (left with a zeroed output). */
export function measureNaive(
  problem: Problem,
  buffers: KernelBuffers,
  options: { timing?: TimingOptions; check?: CheckOptions } = {},
): NaiveMeasurement {
  const naive = compileNaive(problem);
  const { out, in0, in1 } = buffers;
  const run = () => naive(out, in0, in1);
  const check = checkOutput(problem, buffers, run, options.check);
  if (!check.correct) return { gflops: null, gflopsMedian: null, check };
  const t = measureThroughput(run, problem.flops, { ...options.timing, beforeSample: () => buffers.resetOutput() });
  buffers.resetOutput();
  return { gflops: t.gflops, gflopsMedian: t.gflopsMedian, check };
}
