// The code generator: loads the Emscripten-built C++ generator (browser, worker and Node)
// and turns (problem, schedule, target) into a compiled WebAssembly kernel and its report.
import type { Problem, Schedule } from '../core/types.ts';
import type { CodegenModule } from './generated/looplab-codegen.mjs';
import createCodegenModule from './generated/looplab-codegen.mjs';
import { describeReport, type RawReport } from './report.ts';
import { encodeSpec, type Budget } from './spec.ts';
import type { GeneratedKernel, GeneratedPeak, KernelReport, Target } from './types.ts';

export type { GeneratedKernel, GeneratedPeak, KernelReport, Target, VectorAccess } from './types.ts';
export type { Budget } from './spec.ts';
export { detectTarget } from './target.ts';

export interface CompiledKernel {
  module: WebAssembly.Module;
  /** The module's bytes (the page shows them as wasm text). */
  bytes: Uint8Array;
  report: KernelReport;
  /** Milliseconds spent generating the bytes and compiling them. */
  generateMs: number;
  compileMs: number;
}

export interface Codegen {
  /** Bytes of a kernel module for exactly this schedule (ABI in types.ts). */
  generate(problem: Problem, schedule: Schedule, target: Target, budget?: Budget): GeneratedKernel;
  /** generate + WebAssembly.compile. */
  compile(problem: Problem, schedule: Schedule, target: Target, budget?: Budget): Promise<CompiledKernel>;
  /** A module measuring the machine's SIMD multiply-add ceiling (ABI in types.ts). */
  peak(target: Target): GeneratedPeak;
}

/** Independent f32x4 accumulators of the peak kernel: enough to cover the multiply-add latency. */
const PEAK_ACCUMULATORS = 12;

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

async function instantiateGenerator(): Promise<CodegenModule> {
  if (!isNode) return createCodegenModule();
  // Node: hand Emscripten the binary (its web build would try to fetch a file:// URL).
  const fs = 'node:fs/promises';
  const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
  const wasmBinary = await readFile(new URL('./generated/looplab-codegen.wasm', import.meta.url));
  return createCodegenModule({ wasmBinary });
}

function copyResult(m: CodegenModule): { bytes: Uint8Array; report: string } {
  const heap = m.heap();
  const bytes = heap.slice(m._looplab_result_bytes(), m._looplab_result_bytes() + m._looplab_result_size());
  const at = m._looplab_result_report();
  const report = new TextDecoder().decode(heap.subarray(at, at + m._looplab_result_report_size()));
  return { bytes, report };
}

function wrap(m: CodegenModule): Codegen {
  const generate = (problem: Problem, schedule: Schedule, target: Target, budget?: Budget): GeneratedKernel => {
    const words = encodeSpec(problem, schedule, target, budget);
    const ptr = m._malloc(words.byteLength);
    try {
      m.heap().set(new Uint8Array(words.buffer), ptr);
      const status = m._looplab_generate(ptr, words.length);
      const { bytes, report } = copyResult(m);
      if (status !== 0) throw new Error(`code generator refused the schedule: ${report}`);
      return { bytes, report: describeReport(problem, schedule, JSON.parse(report) as RawReport) };
    } finally {
      m._free(ptr);
    }
  };
  return {
    generate,
    async compile(problem, schedule, target, budget) {
      const t0 = performance.now();
      const { bytes, report } = generate(problem, schedule, target, budget);
      const t1 = performance.now();
      const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
      const t2 = performance.now();
      return { module, bytes, report, generateMs: t1 - t0, compileMs: t2 - t1 };
    },
    peak(target) {
      m._looplab_peak(target.relaxedSimd ? 1 : 0, PEAK_ACCUMULATORS);
      return { bytes: copyResult(m).bytes, flopsPerIteration: PEAK_ACCUMULATORS * 4 * 2 };
    },
  };
}

let loading: Promise<Codegen> | undefined;

/** Loads the generator once per realm (page, worker or Node process). */
export function loadCodegen(): Promise<Codegen> {
  loading ??= instantiateGenerator().then(wrap);
  return loading;
}
