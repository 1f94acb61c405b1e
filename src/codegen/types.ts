// What the code generator is asked for and what it gives back.
import type { KernelFacts } from '../core/explain.ts';
import type { AccessKind, InnermostLanes } from '../core/facts.ts';

/** Features of the engine that will run the kernel. */
export interface Target {
  /** The engine validates relaxed SIMD (`f32x4.relaxed_madd`). */
  relaxedSimd: boolean;
  /**
   * The engine loads every input value of an unrolled tile before its multiply-adds, so they all
   * hold a register at once (V8's TurboFan: Node 20). Otherwise a value holds one from its load
   * to its last use (V8's Turboshaft: Chromium 156). Decides how big a tile fits the registers.
   */
  hoistsLoads?: boolean;
  /**
   * The kernel imports a shared `WebAssembly.Memory` (`{ shared: true, maximum }`), so that
   * threads running the same module see one memory. Default false: a plain memory.
   */
  sharedMemory?: boolean;
  /**
   * An instrumented build for checking the cache simulator's access stream: the kernel also imports
   * `env.access(address: i32, code: i32)` and calls it before every memory instruction, with
   * code = tensor (0 output, 1 and 2 the inputs, a packed copy counting as its input) | 4 for a store
   * | bytes << 3. Default false.
   */
  trace?: boolean;
}

/** The schedule's parallel loop as the kernel runs it. */
export interface ParallelReport {
  /** Index of the loop in the schedule. */
  loop: number;
  /** The loop in schedule notation, e.g. `||m:64`. */
  text: string;
  /** Iterations `kernel_range` hands out: the full ones, then the tail (if any) as the last index. */
  iterations: number;
}

/** How one tensor is read or written along the vectorized variable. */
export type VectorAccess = AccessKind;

/** One loop as the kernel runs it: variables by index in `problem.variables`. */
export interface PlanLoop {
  variable: number;
  trip: number;
  tail: number;
  /** The schedule's loop it comes from (the generator may split one loop in two). */
  origin: number;
  /** Inputs packed at each iteration: bit 1 << tensor (1 first input, 2 second). */
  pack: number;
}

/**
 * The generator's plan in the terms of the loops it runs, enough to model the kernel's memory
 * accesses (src/codegen/accessStream.ts): these may differ from the schedule's loops when the
 * generator split the innermost loop to unroll it or kept part of a tile outside the registers.
 */
export interface KernelPlan {
  loops: PlanLoop[];
  /** First loop of the unrolled tile, first loop across which accumulators stay in registers. */
  tileStart: number;
  accStart: number;
  /**
   * A copy of the tile with at most this many accumulators (a tail's, or a small tile) keeps two
   * partial sums per accumulator: the loop right above it alternates between the two sets, which
   * are added when stored. 0: never (wasm/src/plan.h, Plan::partial_sum_limit).
   */
  partialSumLimit: number;
  /** Vector registers a tile may take, and the plan's parallel loop (-1: none): for Plan::jam. */
  registerBudget: number;
  parallelLoop: number;
  /** The vectorized variable's index and each tensor's access along it (output, in0, in1). */
  vecVar: number;
  access: [VectorAccess, VectorAccess, VectorAccess];
  horizontalSum: boolean;
  /** Per tensor, where its packed copy starts in the scratch (elements; 0 when not packed). */
  scratchOffset: [number, number, number];
}

/**
 * What the generator decided for a kernel, for people to read. The fields the explanations use
 * (vectorized variable, access per tensor, accumulator tile, what it is held across, unrolling)
 * are core's KernelFacts, documented there.
 */
export interface KernelReport extends KernelFacts {
  /**
   * The innermost loop in f32x4 vectors and scalar values (core's innermostLanes, the source the
   * explanations use too): with no whole vector every load is a scalar f32.load.
   */
  lanes: InnermostLanes;
  /** When the innermost loop is too long to unroll: how many vectors each of its iterations handles (0 otherwise). */
  innermostUnroll: number;
  relaxedFma: boolean;
  /** Vector registers the tile needs (accumulators + operands + temporaries) and how many there are. */
  registers: number;
  registerBudget: number;
  /** Number of copies of the loop body emitted to handle tails. */
  tailPaths: number;
  /** Loops above a copy of the tile that alternate two sets of partial sums (KernelPlan.partialSumLimit). */
  partialSumCopies: number;
  /** Output loops whose iterations run two at a time in one copy of the accumulator region (planGeometry's jam). */
  jammedCopies: number;
  /** Wasm instructions in the kernel body. */
  instructions: number;
  /** Size of the module in bytes. */
  bytes: number;
  /** The parallel loop, or null when the whole kernel runs on one thread. */
  parallel: ParallelReport | null;
  /**
   * Bytes of scratch memory the kernel's packed panels take; when > 0 the kernel takes the
   * scratch's byte address as one more, last, parameter.
   */
  scratchBytes: number;
  /** The packed inputs: the loop (index) at whose iterations each is packed and its panel's elements. */
  packs: { loop: number; tensor: string; elements: number }[];
  /** Human-readable sentences summarizing the decisions. */
  notes: string[];
  plan: KernelPlan;
}

/**
 * A generated kernel module. ABI: the module imports `env.memory` (a WebAssembly.Memory, shared
 * when the target asks for it) and exports `kernel(outPtr: i32, in0Ptr: i32, in1Ptr: i32)`, byte
 * addresses of the output and the two inputs (in the problem's order); it computes
 * `out += in0 * in1` for the problem. A schedule with a parallel loop also exports
 * `kernel_range(outPtr, in0Ptr, in1Ptr, begin: i32, end: i32)`, which runs only iterations
 * begin..end-1 of that loop (`report.parallel.iterations` of them, the tail last), so that
 * threads given disjoint ranges write disjoint parts of the output.
 */
export interface GeneratedKernel {
  bytes: Uint8Array;
  report: KernelReport;
}

/**
 * The peak module. ABI: imports nothing, exports `peak(iterations: i32) -> f32`; each
 * iteration performs `flopsPerIteration` floating-point operations entirely in registers.
 */
export interface GeneratedPeak {
  bytes: Uint8Array;
  flopsPerIteration: number;
}
