// What tune and eval share: loading the policy (tfjs on the wasm backend) and the careful final
// measurement of a tuned schedule (checked against the reference, then timed with FINAL_TIMING).
import type { Codegen, Target } from '../src/codegen/index.ts';
import type { Problem, Schedule } from '../src/core/types.ts';
import type { QPolicy } from '../src/agent/policy.ts';

export async function loadAgentPolicy(dir: string): Promise<QPolicy> {
  const { loadTfWasm } = await import('../src/runtime/xnnpack.ts');
  const { loadPolicy } = await import('../src/agent/policyFiles.ts');
  await loadTfWasm();
  return loadPolicy(dir);
}

export interface FinalMeasurement {
  gflops: number;
  correct: boolean;
  reason?: string;
}

/** Checks, then times a schedule carefully; remembers answers by problem + schedule. */
export async function finalMeasurer(codegen: Codegen, target: Target): Promise<(problem: Problem, schedule: Schedule) => Promise<FinalMeasurement>> {
  const { measureSchedule } = await import('../src/runtime/measure.ts');
  const { allocateBuffers } = await import('../src/runtime/buffers.ts');
  const { FINAL_TIMING, measurementKey } = await import('../src/agent/oracle.ts');
  const memo = new Map<string, FinalMeasurement>();
  let buffers: { key: string; value: ReturnType<typeof allocateBuffers> } | null = null;
  return async (problem, schedule) => {
    const key = measurementKey(problem, schedule);
    const known = memo.get(key);
    if (known) return known;
    const pkey = measurementKey(problem, { loops: [] });
    if (buffers?.key !== pkey) buffers = { key: pkey, value: allocateBuffers(problem, 1) };
    const m = await measureSchedule(codegen, problem, schedule, target, { buffers: buffers.value, timing: FINAL_TIMING });
    const result: FinalMeasurement = { gflops: m.gflops ?? 0, correct: m.correct, ...(m.reason ? { reason: m.reason } : {}) };
    memo.set(key, result);
    return result;
  };
}
