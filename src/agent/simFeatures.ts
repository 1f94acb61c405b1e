// The cache simulator's figures as cost-model features (the `simulator` group, costModel.ts):
// per level of the simulated machine (Zen 4: L1d, L2), the misses per multiply-add of each
// tensor and their sum, and the bytes moved to and from the next level per multiply-add. The
// compiled simulator (runtime/wasmCacheSim.ts) runs the generated kernel's accesses, sampled
// past `budget` accesses (runtime/cacheSim.ts), so a large kernel costs about as much as a small
// one. Unlike the analytic estimate (reuseModel.ts) it sees associativity, the packed copies and
// the tile's exact access order.
import type { Codegen } from '../codegen/index.ts';
import { DEFAULT_MACHINE_ID, machineById } from '../core/cache/machines.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { simulateCache } from '../runtime/cacheSim.ts';
import type { CacheSimModule } from '../runtime/wasmCacheSim.ts';
import { SIM_FEATURES, type SimulatedFeatures } from './costModel.ts';

/** Accesses simulated before long loops are sampled: about 1-3 ms a schedule compiled (src/agent/README.md). */
export const SIM_FEATURE_BUDGET = 100_000;
const logScaled = (x: number) => Math.log2(x + 2 ** -20) / 20;

/** Raw figures per level: misses per multiply-add of each tensor (output first), and bytes per multiply-add. */
export function simulatedTraffic(
  codegen: Codegen,
  compiled: CacheSimModule,
  problem: Problem,
  schedule: Schedule,
  budget = SIM_FEATURE_BUDGET,
): { missesPerFma: number[][]; bytesPerFma: number[] } {
  const machine = machineById(DEFAULT_MACHINE_ID);
  if (!machine) throw new Error(`no machine ${DEFAULT_MACHINE_ID}`);
  const figures = simulateCache(codegen, problem, schedule, machine, { compiled, budget });
  const fmas = problem.flops / 2;
  return {
    missesPerFma: figures.levels.map((l) => l.tensors.map((t) => t.misses / fmas)),
    bytesPerFma: figures.levels.map((l) => l.total.bytes / fmas),
  };
}

/** The feature group, log-scaled like the analytic misses. */
export function simulatedFeatures(
  codegen: Codegen,
  compiled: CacheSimModule,
  budget = SIM_FEATURE_BUDGET,
): SimulatedFeatures {
  return (problem, schedule) => {
    const t = simulatedTraffic(codegen, compiled, problem, schedule, budget);
    const out = new Float32Array(SIM_FEATURES);
    let o = 0;
    t.missesPerFma.forEach((perTensor, level) => {
      for (const m of perTensor) out[o++] = logScaled(m);
      out[o++] = logScaled(perTensor.reduce((a, b) => a + b, 0));
      out[o++] = logScaled(t.bytesPerFma[level] / 64);
    });
    return out;
  };
}
