// What tune and eval share: loading the policy and the cost model (tfjs on the wasm backend) and the careful final
// measurement of the tuned schedules (checked against the reference, then timed with FINAL_TIMING,
// interleaved with the default's and the other methods').
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Codegen, Target } from '../src/codegen/index.ts';
import type { Problem, Schedule } from '../src/core/types.ts';
import type { FeatureMlp } from '../src/agent/policy.ts';
import { errorMessage } from '../src/core/errors.ts';
import { UsageError } from './cli.ts';
import type { Scorer } from '../src/agent/tileSearch.ts';

/** Most actions a tune or eval run may take per problem (LoopTune's episodes take 10). */
export const MAX_STEPS = 100;

/**
 * The policy of `--policy DIR` (`given`, as typed). A folder that holds no loadable policy is bad
 * input: the message names the missing or broken file and the fix.
 */
export async function loadAgentPolicy(given: string): Promise<FeatureMlp> {
  const { loadTfWasm } = await import('../src/runtime/xnnpack.ts');
  const { loadPolicy, SHIPPED_POLICY_DIR } = await import('../src/agent/policyFiles.ts');
  await loadTfWasm();
  try {
    return await loadPolicy(path.resolve(given));
  } catch (e) {
    throw new UsageError(
      `--policy ${given}: ${errorMessage(e)}; pass a folder holding model.json and weights.bin, ` +
        `as npm run train writes them (to ${SHIPPED_POLICY_DIR} by default)`,
    );
  }
}

/**
 * The agent's scorer: the cost model of `--cost-model DIR` (`given`, as typed) ranking schedules
 * from their features and the generator's report. A folder without one is bad input.
 */
export async function loadAgentScorer(given: string, codegen: Codegen, target: Target): Promise<Scorer> {
  const { loadTfWasm } = await import('../src/runtime/xnnpack.ts');
  const { loadCostModel, COST_MODEL_DIR } = await import('../src/agent/costModelFiles.ts');
  const { codegenReporter } = await import('../src/agent/costModel.ts');
  await loadTfWasm();
  let model: Awaited<ReturnType<typeof loadCostModel>>;
  try {
    model = await loadCostModel(path.resolve(given));
  } catch (e) {
    throw new UsageError(
      `--cost-model ${given}: ${errorMessage(e)}; pass a folder holding model.json and weights.bin, as npm run train:cost writes them (to ${COST_MODEL_DIR} by default)`,
    );
  }
  const reporter = codegenReporter(codegen, target);
  const scorer: Scorer = (problem, schedules) => model.predictGflops(problem, schedules, reporter);
  // Warm up (as the page's worker does on loading the model): the first calls of the generator's
  // report, the features and tfjs run unoptimized code, which would count as the first search's time.
  const { parseProblem } = await import('../src/core/problem.ts');
  const { expertGrid } = await import('../src/agent/expert.ts');
  const warm = parseProblem('C[m,n] += A[m,k] * B[k,n]', 'm=1024, n=1024, k=1024');
  for (let i = 0; i < 3; i++)
    scorer(
      warm,
      expertGrid(warm).map((e) => e.schedule),
    );
  return scorer;
}

export interface FinalMeasurement {
  gflops: number;
  correct: boolean;
  reason?: string;
  /** Rounds the batch was timed in. */
  rounds: number;
}

/** Rounds of the final timing: every schedule of a benchmark is timed this many times, interleaved. */
export const FINAL_ROUNDS = 3;

/**
 * Past the rounds asked for, a batch whose rounds are quick gets more, up to this many times as
 * many, while all of them fit FINAL_EXTRA_MS: a small kernel's figure varies from one compile and
 * run to the next by up to a third (a 5x5 convolution at 19x19: 19-22 GFLOPS in 2 of 8 rounds,
 * 30 in the others), so the best of 3 could leave one method on its low figure.
 */
export const FINAL_ROUNDS_FACTOR = 3;
export const FINAL_EXTRA_MS = 2000;

/**
 * Checks each schedule against the reference, then times all of them carefully (FINAL_TIMING)
 * `rounds` times (more for a quick batch: FINAL_ROUNDS_FACTOR, FINAL_EXTRA_MS), one after the
 * other in turn, and keeps each one's best: load that comes and goes on a shared machine then
 * slows every method's schedule alike, not the one timed at a bad moment.
 */
export async function finalMeasurer(
  codegen: Codegen,
  target: Target,
  rounds = FINAL_ROUNDS,
  extraMs = FINAL_EXTRA_MS,
): Promise<(problem: Problem, schedules: readonly Schedule[]) => Promise<FinalMeasurement[]>> {
  const { measureSchedule, timeSchedule } = await import('../src/runtime/measure.ts');
  const { allocateBuffers } = await import('../src/runtime/buffers.ts');
  const { FINAL_TIMING, measurementKey } = await import('../src/agent/oracle.ts');
  return async (problem, schedules) => {
    const buffers = allocateBuffers(problem, 1);
    const start = performance.now();
    const distinct = new Map<string, { schedule: Schedule; result: FinalMeasurement }>();
    for (const schedule of schedules) {
      const key = measurementKey(problem, schedule);
      if (distinct.has(key)) continue;
      const m = await measureSchedule(codegen, problem, schedule, target, { buffers, timing: FINAL_TIMING });
      distinct.set(key, {
        schedule,
        result: { gflops: m.gflops ?? 0, correct: m.correct, ...(m.reason ? { reason: m.reason } : {}), rounds: 1 },
      });
    }
    let round = 1;
    const another = () => {
      if (round < rounds) return true;
      const elapsed = performance.now() - start;
      return round < FINAL_ROUNDS_FACTOR * rounds && elapsed + elapsed / round <= extraMs;
    };
    for (; another(); round++) {
      for (const entry of distinct.values()) {
        if (!entry.result.correct) continue;
        const t = await timeSchedule(codegen, problem, entry.schedule, target, { buffers, timing: FINAL_TIMING });
        entry.result.gflops = Math.max(entry.result.gflops, t.gflops);
      }
    }
    return schedules.map((schedule) => ({ ...distinct.get(measurementKey(problem, schedule))!.result, rounds: round }));
  };
}

/**
 * The measurement cache's key prefix on this machine: SIMD flavour and the code generator's
 * build, so that measurements of an older generator (other kernels, other speeds) are not read
 * back as if they were of this one.
 */
export function measurementPrefix(target: Target): string {
  const wasm = readFileSync(fileURLToPath(new URL('../src/codegen/generated/looplab-codegen.wasm', import.meta.url)));
  const build = createHash('sha256').update(wasm).digest('hex').slice(0, 12);
  return `${target.relaxedSimd ? 'relaxed' : 'simd'}@${build}`;
}
