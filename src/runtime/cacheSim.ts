// Simulates the caches of a named machine on the memory accesses the generated kernel of a
// schedule makes (codegen/accessStream.ts), with the tensors where the runtime places them
// (buffers.ts). The generator is asked for one fixed target, so the figures are the same on every
// machine and browser whatever engine runs the page.
import { type AccessBatchSink, accessStream } from '../codegen/accessStream.ts';
import type { Codegen, Target } from '../codegen/index.ts';
import { type CacheFigures, cacheFigures } from '../core/cache/figures.ts';
import type { Machine } from '../core/cache/machines.ts';
import { CacheSimulator } from '../core/cache/simulator.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { layoutBuffers } from './buffers.ts';

/** Chromium's engine (relaxed SIMD, loads kept in emitted order): what the page's kernels are planned for. */
export const SIMULATED_TARGET: Target = { relaxedSimd: true, hoistsLoads: false };

export interface KernelAccesses {
  /** Runs the kernel's accesses into `sink`, in order. */
  run(sink: AccessBatchSink): void;
  /** Memory instructions in one run. */
  instructions: number;
  /** Every address lies below this. */
  addressBytes: number;
}

/** The access stream of the schedule's kernel, at the runtime's tensor addresses. */
export function kernelAccesses(codegen: Codegen, problem: Problem, schedule: Schedule): KernelAccesses {
  const { report } = codegen.generate(problem, schedule, SIMULATED_TARGET);
  const stream = accessStream(problem, report.plan);
  const layout = layoutBuffers(problem);
  const bases = [layout.outPtr, layout.in0Ptr, layout.in1Ptr] as const;
  return { run: (sink) => stream.run(bases, sink), instructions: stream.count(), addressBytes: layout.usedBytes };
}

export interface CacheSimulation extends CacheFigures {
  /** Milliseconds the simulation took (generation excluded). */
  simulateMs: number;
}

export function simulateCache(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  machine: Machine,
): CacheSimulation {
  const accesses = kernelAccesses(codegen, problem, schedule);
  const t0 = performance.now();
  const sim = new CacheSimulator(machine, 3, accesses.addressBytes);
  accesses.run((addresses, codes, count) => sim.accessBatch(addresses, codes, count));
  const simulateMs = performance.now() - t0;
  const names = [problem.output.name, problem.inputs[0].name, problem.inputs[1].name];
  return { ...cacheFigures(sim.stats(), machine, names, problem.flops / 2, accesses.instructions), simulateMs };
}
