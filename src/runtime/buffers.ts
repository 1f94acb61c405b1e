// One WebAssembly.Memory holding the problem's three tensors, with seeded random inputs.
//
// Layout (byte offsets, every tensor 64-byte aligned, cache-line aligned for v128 loads):
//
//   [guard 64][out ...][guard >= 64][in0 ...][guard >= 64][in1 ...][guard >= 64]
//
// Address 0 is never a tensor (a kernel handed a null pointer would write into the guard), and
// the gaps between tensors are filled with a canary bit pattern so the correctness check can
// notice a kernel that writes outside the output tensor (see `guardsIntact`) and, usually, one
// that reads outside its inputs (see CANARY_BITS).
import type { Problem } from '../core/types.ts';
import { fillRandom } from '../core/random.ts';
import { errorMessage } from '../core/errors.ts';

export const ALIGN_BYTES = 64;
export const GUARD_BYTES = 64;
export const PAGE_BYTES = 65536;
/** Wasm32 memories hold at most 65536 pages (4 GiB); engines may refuse less. */
export const MAX_PAGES = 65536;
/**
 * Guard word: a huge finite float (~3.4e38). Not a NaN, because arithmetic on a NaN read from
 * a guard propagates its payload and could write the canary back unchanged; a kernel that
 * adds a product of guard values overflows to Infinity instead. As a bonus, a kernel reading
 * past the end of an input pulls this value into its sums, and the value check catches it.
 */
export const CANARY_BITS = 0x7f7edead;

export interface BufferLayout {
  /** Byte addresses of the tensors in the memory (out, in0, in1 order). */
  outPtr: number;
  in0Ptr: number;
  in1Ptr: number;
  /** Elements of each tensor. */
  outElements: number;
  in0Elements: number;
  in1Elements: number;
  /** Scratch for the kernels' packed panels, after the tensors (0 bytes unless asked for). */
  scratchPtr: number;
  scratchBytes: number;
  /** Bytes actually used (end of the last guard). */
  usedBytes: number;
  pages: number;
}

export interface KernelBuffers extends BufferLayout {
  memory: WebAssembly.Memory;
  /**
   * Views on the memory (the memory never grows, so they stay valid). Treat the inputs as
   * read-only: the check caches the reference output per buffers.
   */
  out: Float32Array;
  in0: Float32Array;
  in1: Float32Array;
  seed: number;
  /** Zero the output tensor (the kernel computes out += in0 * in1). */
  resetOutput(): void;
  /** True when every guard word still holds the canary. */
  guardsIntact(): boolean;
  /** Writes the canaries again (after a kernel overwrote them). */
  restoreGuards(): void;
}

/** The problem's tensors do not fit in one WebAssembly memory (or the engine refused it). */
export class BufferSizeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'BufferSizeError';
  }
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Byte layout for a problem's tensors; pure, no allocation. */
export function layoutBuffers(problem: Problem, scratchBytes = 0): BufferLayout {
  const outElements = problem.output.elements;
  const in0Elements = problem.inputs[0].elements;
  const in1Elements = problem.inputs[1].elements;
  const outPtr = GUARD_BYTES;
  const in0Ptr = alignUp(outPtr + outElements * 4 + GUARD_BYTES, ALIGN_BYTES);
  const in1Ptr = alignUp(in0Ptr + in0Elements * 4 + GUARD_BYTES, ALIGN_BYTES);
  const scratchPtr = alignUp(in1Ptr + in1Elements * 4 + GUARD_BYTES, ALIGN_BYTES);
  const usedBytes = alignUp(scratchPtr + scratchBytes + (scratchBytes > 0 ? GUARD_BYTES : 0), ALIGN_BYTES);
  const pages = Math.max(1, Math.ceil(usedBytes / PAGE_BYTES));
  return { outPtr, in0Ptr, in1Ptr, outElements, in0Elements, in1Elements, scratchPtr, scratchBytes, usedBytes, pages };
}

/** Seeds of the two input streams, derived from one seed so the inputs are not correlated. */
export function inputSeeds(seed: number): [number, number] {
  return [(seed * 2 + 1) >>> 0, (seed * 2 + 2) >>> 0];
}

export interface AllocateOptions {
  /**
   * A shared memory (`WebAssembly.Memory({ shared: true })`) that kernel threads can all use;
   * kernels must then be generated for `Target.sharedMemory`.
   */
  shared?: boolean;
  /** Bytes of scratch for packed panels (a kernel's `report.scratchBytes`), after the tensors. */
  scratchBytes?: number;
}

/**
 * Allocates a memory for the problem, fills the inputs with `fillRandom` (seeded, reproducible),
 * zeroes the output and writes the guard canaries.
 */
export function allocateBuffers(problem: Problem, seed = 1, options: AllocateOptions = {}): KernelBuffers {
  const layout = layoutBuffers(problem, options.scratchBytes ?? 0);
  if (layout.pages > MAX_PAGES) {
    const mib = Math.ceil(layout.usedBytes / 2 ** 20);
    throw new BufferSizeError(
      `the tensors need ${mib} MiB, more than a WebAssembly memory can hold (4096 MiB); use smaller sizes`,
    );
  }
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: layout.pages, maximum: layout.pages, shared: options.shared === true });
  } catch (e) {
    const mib = Math.ceil(layout.usedBytes / 2 ** 20);
    throw new BufferSizeError(`could not allocate ${mib} MiB for the tensors (${errorMessage(e)}); use smaller sizes`);
  }
  const buffer = memory.buffer;
  const out = new Float32Array(buffer, layout.outPtr, layout.outElements);
  const in0 = new Float32Array(buffer, layout.in0Ptr, layout.in0Elements);
  const in1 = new Float32Array(buffer, layout.in1Ptr, layout.in1Elements);
  const [seed0, seed1] = inputSeeds(seed);
  fillRandom(in0, seed0);
  fillRandom(in1, seed1);

  // Guard regions: everything in [0, usedBytes) that is not a tensor.
  const words = new Uint32Array(buffer, 0, layout.usedBytes / 4);
  const tensors: Array<[number, number]> = [
    [layout.outPtr / 4, layout.outPtr / 4 + layout.outElements],
    [layout.in0Ptr / 4, layout.in0Ptr / 4 + layout.in0Elements],
    [layout.in1Ptr / 4, layout.in1Ptr / 4 + layout.in1Elements],
    // The scratch is the kernels' to write: no canaries in it.
    [layout.scratchPtr / 4, (layout.scratchPtr + layout.scratchBytes) / 4],
  ];
  const guards: Array<[number, number]> = [];
  let cursor = 0;
  for (const [start, end] of tensors) {
    guards.push([cursor, start]);
    cursor = end;
  }
  guards.push([cursor, words.length]);
  const restoreGuards = () => {
    for (const [start, end] of guards) words.fill(CANARY_BITS, start, end);
  };
  restoreGuards();

  return {
    ...layout,
    memory,
    out,
    in0,
    in1,
    seed,
    resetOutput() {
      out.fill(0);
    },
    guardsIntact() {
      for (const [start, end] of guards) {
        for (let i = start; i < end; i++) if (words[i] !== CANARY_BITS) return false;
      }
      return true;
    },
    restoreGuards,
  };
}
