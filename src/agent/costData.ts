// Measurements for the cost model: random problems (benchmarks.ts costTrainingProblem), each with
// a few random legal tile specs and a few entries of the expert grid measured through the
// (caching) oracle, so the measurement cache holds, per problem, schedules good and bad to learn
// the ranking from. The cache is the data set: costModel.ts reads it back by its keys. Given a
// scorer (a cost model trained on an earlier round), the random specs are replaced by the ones
// it ranks highest, as Ansor and MetaSchedule measure what their model proposes and retrain:
// the model then learns to tell apart the schedules it would pick.
import { seededRandom } from '../core/random.ts';
import { printSchedule } from '../core/schedule.ts';
import type { Schedule } from '../core/types.ts';
import {
  benchmarkProblem,
  costTrainingProblem,
  expertBenchmarks,
  largeBenchmarks,
  splitBenchmarks,
} from './benchmarks.ts';
import { expertGrid } from './expert.ts';
import type { GflopsOracle } from './oracle.ts';
import type { Scorer } from './tileSearch.ts';
import { isMeasuredSpec, randomSpec, tileSchedule, type TileSpec } from './tileSpace.ts';

/** Random specs the scorer ranks per problem when proposing. */
const PROPOSAL_POOL = 200;

export interface CollectOptions {
  seed: number;
  /** Wall-time budget in seconds. */
  budgetSec: number;
  /** Random tile specs per problem (default 8). */
  randomPerProblem?: number;
  /** Expert-grid entries per problem (default 4). */
  expertPerProblem?: number;
  /** When given, `proposedPerProblem` of the random specs are the scorer's best instead. */
  scorer?: Scorer;
  /** Default: half of randomPerProblem. */
  proposedPerProblem?: number;
  /** The share of problems from the large ranges (default LARGE_TRAINING_SHARE). */
  largeShare?: number;
  now?: () => number;
  onProblem?: (info: { problems: number; measured: number; id: string; wallSec: number }) => void;
}

/** Measures random problems until the budget is spent; returns the problems and measurements made. */
export async function collectMeasurements(
  oracle: GflopsOracle,
  options: CollectOptions,
): Promise<{ problems: number; measured: number }> {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const random = seededRandom(options.seed * 7741 + 3);
  const split = splitBenchmarks(options.seed);
  const excluded = new Set([...split.test, ...expertBenchmarks(), ...largeBenchmarks()].map((b) => b.id));
  let problems = 0;
  let measured = 0;
  while ((now() - start) / 1000 < options.budgetSec) {
    const b = costTrainingProblem(split.train, excluded, random, options.largeShare);
    const problem = benchmarkProblem(b);
    const chosen = new Map<string, Schedule>();
    const perProblem = options.randomPerProblem ?? 8;
    let randomCount = perProblem;
    // Three in four random specs from those the search measures (4-12 accumulators, 16 packed):
    // the ranking among them is what the model is for.
    const measurable = (sp: TileSpec) => isMeasuredSpec(problem, sp);
    if (options.scorer) {
      // The space is too large to score whole at large sizes: the scorer ranks a random sample.
      const proposed = Math.min(options.proposedPerProblem ?? Math.ceil(perProblem / 2), perProblem);
      const pool = new Map<string, Schedule>();
      for (let i = 0; i < PROPOSAL_POOL; i++) {
        const sp = randomSpec(problem, random, { accept: measurable });
        if (!sp) break;
        const s = tileSchedule(problem, sp) as Schedule;
        pool.set(printSchedule(s), s);
      }
      const schedules = [...pool.values()];
      const scores = options.scorer(problem, schedules);
      const order = schedules.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
      for (const i of order.slice(0, proposed)) chosen.set(printSchedule(schedules[i]), schedules[i]);
      randomCount = perProblem - proposed;
    }
    for (let i = 0; i < randomCount; i++) {
      const sp = randomSpec(problem, random, random() < 0.75 ? { accept: measurable } : {});
      const s = sp && tileSchedule(problem, sp);
      if (s) chosen.set(printSchedule(s), s);
    }
    const grid = expertGrid(problem);
    for (let i = 0; i < (options.expertPerProblem ?? 4) && grid.length > 0; i++) {
      const e = grid[Math.floor(random() * grid.length)];
      chosen.set(printSchedule(e.schedule), e.schedule);
    }
    for (const s of chosen.values()) {
      if ((now() - start) / 1000 >= options.budgetSec) break;
      await oracle.gflops(problem, s);
      measured++;
    }
    problems++;
    options.onProblem?.({ problems, measured, id: b.id, wallSec: (now() - start) / 1000 });
  }
  return { problems, measured };
}
