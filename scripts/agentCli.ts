// What tune and eval share: loading the policy and the cost model (tfjs on the wasm backend) and the careful final
// measurement of the tuned schedules (checked against the reference, then timed with FINAL_TIMING,
// interleaved with the default's and the other methods').
import type { Codegen, Target } from '../src/codegen/index.ts';
import type { Problem, Schedule } from '../src/core/types.ts';
import type { QPolicy } from '../src/agent/policy.ts';
import type { Scorer } from '../src/agent/tileSearch.ts';

export async function loadAgentPolicy(dir: string): Promise<QPolicy> {
  const { loadTfWasm } = await import('../src/runtime/xnnpack.ts');
  const { loadPolicy } = await import('../src/agent/policyFiles.ts');
  await loadTfWasm();
  return loadPolicy(dir);
}

/** The agent's scorer: the cost model in `dir` predicting GFLOPS from features and the generator's report. */
export async function loadAgentScorer(dir: string, codegen: Codegen, target: Target): Promise<Scorer> {
  const { loadTfWasm } = await import('../src/runtime/xnnpack.ts');
  const { loadCostModel } = await import('../src/agent/costModelFiles.ts');
  const { codegenReporter } = await import('../src/agent/costModel.ts');
  await loadTfWasm();
  const model = await loadCostModel(dir);
  const reporter = codegenReporter(codegen, target);
  return (problem, schedules) => model.predictGflops(problem, schedules, reporter);
}

export interface FinalMeasurement {
  gflops: number;
  correct: boolean;
  reason?: string;
}

/** Rounds of the final timing: every schedule of a benchmark is timed this many times, interleaved. */
export const FINAL_ROUNDS = 3;

/**
 * Checks each schedule against the reference, then times all of them carefully (FINAL_TIMING)
 * `rounds` times, one after the other in turn, and keeps each one's best: load that comes and goes
 * on a shared machine then slows every method's schedule alike, not the one timed at a bad moment.
 */
export async function finalMeasurer(
  codegen: Codegen,
  target: Target,
  rounds = FINAL_ROUNDS,
): Promise<(problem: Problem, schedules: readonly Schedule[]) => Promise<FinalMeasurement[]>> {
  const { measureSchedule, timeSchedule } = await import('../src/runtime/measure.ts');
  const { allocateBuffers } = await import('../src/runtime/buffers.ts');
  const { FINAL_TIMING, measurementKey } = await import('../src/agent/oracle.ts');
  return async (problem, schedules) => {
    const buffers = allocateBuffers(problem, 1);
    const distinct = new Map<string, { schedule: Schedule; result: FinalMeasurement }>();
    for (const schedule of schedules) {
      const key = measurementKey(problem, schedule);
      if (distinct.has(key)) continue;
      const m = await measureSchedule(codegen, problem, schedule, target, { buffers, timing: FINAL_TIMING });
      distinct.set(key, { schedule, result: { gflops: m.gflops ?? 0, correct: m.correct, ...(m.reason ? { reason: m.reason } : {}) } });
    }
    for (let round = 1; round < rounds; round++) {
      for (const entry of distinct.values()) {
        if (!entry.result.correct) continue;
        const t = await timeSchedule(codegen, problem, entry.schedule, target, { buffers, timing: FINAL_TIMING });
        entry.result.gflops = Math.max(entry.result.gflops, t.gflops);
      }
    }
    return schedules.map((schedule) => ({ ...distinct.get(measurementKey(problem, schedule))!.result }));
  };
}
