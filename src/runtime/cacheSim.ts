// Simulates the caches of a named machine on the memory accesses the generated kernel of a
// schedule makes (codegen/accessStream.ts), with the tensors where the runtime places them
// (buffers.ts). The generator is asked for one fixed target, so the figures are the same on every
// machine and browser whatever engine runs the page.
import { type AccessBatchSink, accessStream, CARRY_TILE, type ReuseTracking } from '../codegen/accessStream.ts';
import type { Codegen, Target } from '../codegen/index.ts';
import { type CacheFigures, type CarryLabel, cacheFigures, reuseFigures, TILE_LABEL } from '../core/cache/figures.ts';
import type { Machine } from '../core/cache/machines.ts';
import { CacheSimulator } from '../core/cache/simulator.ts';
import { loopText } from '../core/schedule.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { layoutBuffers } from './buffers.ts';

/** Chromium's engine (relaxed SIMD, loads kept in emitted order): what the page's kernels are planned for. */
export const SIMULATED_TARGET: Target = { relaxedSimd: true, hoistsLoads: false };

export interface KernelAccesses {
  /** Runs the kernel's accesses into `sink`, in order (with the carrying loop of each when `reuse` is given). */
  run(sink: AccessBatchSink, reuse?: ReuseTracking): void;
  /** What the carry bytes of the stream stand for, outermost loop first. */
  carries: CarryLabel[];
  /** Memory instructions in one run. */
  instructions: number;
  /** Every address lies below this. */
  addressBytes: number;
}

/** The access stream of the schedule's kernel, at the runtime's tensor addresses. */
export function kernelAccesses(codegen: Codegen, problem: Problem, schedule: Schedule): KernelAccesses {
  const { report } = codegen.generate(problem, schedule, SIMULATED_TARGET);
  const stream = accessStream(problem, report.plan);
  const layout = layoutBuffers(problem, report.scratchBytes);
  // A packed panel's copy lives in the scratch after the tensors; its accesses count for the input.
  const bases = [layout.outPtr, layout.in0Ptr, layout.in1Ptr, layout.scratchPtr] as const;
  const plan = report.plan;
  const carries: CarryLabel[] = plan.loops.slice(0, plan.tileStart).map((loop, carry) => ({
    carry,
    loop: `${loopText(schedule.loops[loop.origin])} (loop ${loop.origin + 1})`,
  }));
  carries.push({ carry: CARRY_TILE, loop: TILE_LABEL });
  return {
    run: (sink, reuse) => stream.run(bases, sink, reuse),
    carries,
    instructions: stream.count(),
    addressBytes: layout.usedBytes,
  };
}

export interface CacheSimulation extends CacheFigures {
  /** Milliseconds the simulation took (generation excluded). */
  simulateMs: number;
}

export interface SimulateOptions {
  /** Also find the loop that carries each tensor's reuse at each level (slower). */
  reuse?: boolean;
  /** Refuse (CacheWorkError) a kernel making more memory accesses than this. */
  maxAccesses?: number;
}

/** The simulation would take too long here. */
export class CacheWorkError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'CacheWorkError';
  }
}

export function simulateCache(
  codegen: Codegen,
  problem: Problem,
  schedule: Schedule,
  machine: Machine,
  options: SimulateOptions = {},
): CacheSimulation {
  const accesses = kernelAccesses(codegen, problem, schedule);
  const max = options.maxAccesses ?? Number.POSITIVE_INFINITY;
  if (accesses.instructions > max)
    throw new CacheWorkError(
      `the kernel makes ${Math.round(accesses.instructions / 1e6)} million memory accesses, more than the ${Math.round(max / 1e6)} million simulated here; ` +
        'use smaller sizes, or simulate it with npm run cache',
    );
  const t0 = performance.now();
  const sim = new CacheSimulator(machine, 3, accesses.addressBytes);
  accesses.run(
    (addresses, codes, count, carries) => sim.accessBatch(addresses, codes, count, carries),
    options.reuse ? { lineBytes: machine.lineBytes, addressBytes: accesses.addressBytes } : undefined,
  );
  const simulateMs = performance.now() - t0;
  const names = [problem.output.name, problem.inputs[0].name, problem.inputs[1].name];
  const stats = sim.stats();
  const figures = cacheFigures(stats, machine, names, problem.flops / 2, accesses.instructions);
  if (options.reuse) figures.reuse = reuseFigures(stats, names, accesses.carries);
  return { ...figures, simulateMs };
}
