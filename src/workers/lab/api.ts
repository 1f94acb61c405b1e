// What the agent lab's worker does (worker.ts wires it to comlink; Node tests call it directly;
// its contract is protocol.ts):
//   race      the agent and searches tune the same problem one after another, each from scratch
//             (no shared measurements), streaming every improvement of each method's best
//             schedule against its own tuning time;
//   fineTune  fine-tunes the policy on the problem (fineTune.ts), streaming episode returns;
//   cancel    stops the run in progress: a race keeps what was found so far, a fine-tune ends.
// Runs yield to the worker's event loop between measurements so that `cancel` gets through.
import { detectTarget, loadCodegen } from '../../codegen/index.ts';
import { parseProblemText } from '../../core/problem.ts';
import { defaultSchedule, printSchedule } from '../../core/schedule.ts';
import type { Problem, Schedule } from '../../core/types.ts';
import { fineTune } from '../../agent/fineTune.ts';
import { CachingOracle, peakGflopsOnce, RuntimeOracle, type GflopsOracle } from '../../agent/oracle.ts';
import { FeatureMlp, type ModelFiles } from '../../agent/policy.ts';
import { agentTune } from '../../agent/rollout.ts';
import { runSearch, SEARCH_METHODS, type SearchMethod, type SearchPoint } from '../../agent/search.ts';
import { CostModel, codegenReporter } from '../../agent/costModel.ts';
import { expertTune } from '../../agent/expert.ts';
import { fetchShippedCostModel } from '../../agent/shippedCostModel.ts';
import { tileSearch, type Scorer } from '../../agent/tileSearch.ts';
import {
  DEFAULT_RACE_METHODS,
  type LabWorkerApi,
  type MethodRun,
  type RaceMethod,
  type RacePoint,
} from './protocol.ts';
import { errorMessage } from '../../core/errors.ts';

export const RACE_METHODS: readonly RaceMethod[] = ['agent', 'looptune', 'expert', ...SEARCH_METHODS];

export interface LabDeps {
  /** Starts tfjs (the wasm backend) before a policy is used. */
  loadTf(): Promise<unknown>;
  /** The shipped policy's files. */
  fetchShipped(): Promise<ModelFiles>;
  /**
   * The agent's cost model as a scorer (default: the shipped cost model, fetched over HTTP, with
   * the code generator's report).
   */
  scorer?(): Promise<Scorer>;
  /** The measuring oracle and the machine's peak (default: the runtime in this realm). */
  measuring?(): Promise<{ oracle: GflopsOracle; peakGflops(): Promise<number> }>;
  now?(): number;
}

export const TICK_MS = 200;
/** Longest stretch without yielding to the event loop, ms. */
const YIELD_EVERY_MS = 30;

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

const defaultMeasuring = async () => {
  const codegen = await loadCodegen();
  const target = detectTarget();
  return {
    oracle: new RuntimeOracle(codegen, target) as GflopsOracle,
    peakGflops: () => peakGflopsOnce(codegen, target),
  };
};

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function createLabApi(deps: LabDeps): LabWorkerApi {
  const now = deps.now ?? (() => performance.now());
  let measuring: ReturnType<NonNullable<LabDeps['measuring']>> | null = null;
  let shipped: Promise<ModelFiles> | null = null;
  let tf: Promise<unknown> | null = null;
  /** The run in progress: set to true to stop it. */
  let stop: { cancelled: boolean } | null = null;

  const measure = () => (measuring ??= (deps.measuring ?? defaultMeasuring)());
  let scorer: Promise<Scorer> | null = null;
  const defaultScorer = async (): Promise<Scorer> => {
    tf ??= deps.loadTf();
    await tf;
    const [model, codegen] = await Promise.all([
      fetchShippedCostModel().then((files) => CostModel.fromFiles(files)),
      loadCodegen(),
    ]);
    const reporter = codegenReporter(codegen, detectTarget());
    return (problem, schedules) => model.predictGflops(problem, schedules, reporter);
  };
  const scorerOf = () => {
    scorer ??= (deps.scorer ?? defaultScorer)();
    scorer.catch(() => (scorer = null));
    return scorer;
  };
  const policyOf = async (files: ModelFiles | null | undefined): Promise<FeatureMlp> => {
    tf ??= deps.loadTf();
    await tf;
    if (!files) {
      shipped ??= deps.fetchShipped();
      shipped.catch(() => (shipped = null));
      files = await shipped;
    }
    return FeatureMlp.fromFiles(files);
  };

  /** The oracle with cancellation and yields to the event loop (and an optional tick). */
  const guarded = (inner: GflopsOracle, flag: { cancelled: boolean }, tick?: () => void): GflopsOracle => {
    let lastYield = now();
    return {
      async gflops(problem: Problem, schedule: Schedule) {
        if (now() - lastYield >= YIELD_EVERY_MS) {
          await macrotask();
          lastYield = now();
        }
        if (flag.cancelled) throw new CancelledError();
        tick?.();
        return inner.gflops(problem, schedule);
      },
    };
  };

  const begin = () => {
    if (stop) throw new Error('the agent lab is already running something; cancel it first');
    stop = { cancelled: false };
    return stop;
  };

  const point = (p: SearchPoint): RacePoint => ({
    gflops: p.gflops,
    elapsedMs: p.elapsedMs,
    schedule: printSchedule(p.schedule),
    actions: [...p.actions],
  });

  return {
    async race(problemText, options, onEvent) {
      const problem = parseProblemText(problemText);
      const methods = options.methods ?? DEFAULT_RACE_METHODS;
      for (const m of methods)
        if (!RACE_METHODS.includes(m))
          throw new Error(`unknown method '${m}'; the methods are ${RACE_METHODS.join(', ')}`);
      if (!(options.budgetMs > 0)) throw new Error(`the time budget must be positive, got ${options.budgetMs} ms`);
      const flag = begin();
      try {
        const { oracle } = await measure();
        // Without a policy the agent's run fails in words and the searches still race.
        let policy: FeatureMlp | null = null;
        let policyError = '';
        if (methods.includes('looptune')) {
          try {
            policy = await policyOf(options.policy);
          } catch (e) {
            policyError = errorMessage(e);
          }
        }
        let agentScorer: Scorer | null = null;
        let scorerError = '';
        if (methods.includes('agent')) {
          try {
            agentScorer = await scorerOf();
          } catch (e) {
            scorerError = `the agent's cost model could not be loaded: ${errorMessage(e)}`;
          }
        }
        try {
          let defaultGflops: number;
          try {
            defaultGflops = await guarded(oracle, flag).gflops(problem, defaultSchedule(problem));
          } catch (e) {
            if (e instanceof CancelledError) return { defaultGflops: 0, runs: [], cancelled: true };
            throw e;
          }
          onEvent?.({ kind: 'default', gflops: defaultGflops });
          const runs: MethodRun[] = [];
          for (const method of methods) {
            if (flag.cancelled) break;
            onEvent?.({ kind: 'start', method });
            const trace: RacePoint[] = [];
            const start = now();
            let lastTick = start;
            const tick = () => {
              const t = now();
              if (t - lastTick >= TICK_MS) {
                lastTick = t;
                onEvent?.({ kind: 'tick', method, elapsedMs: t - start });
              }
            };
            const record = (p: SearchPoint) => {
              const rp = point(p);
              trace.push(rp);
              onEvent?.({ kind: 'improve', method, point: rp });
            };
            const methodOracle = guarded(oracle, flag, tick);
            const run: MethodRun = { method, trace, totalMs: 0, evaluations: 0, budgetSpent: false, cancelled: false };
            try {
              if (method === 'looptune') {
                if (!policy) throw new Error(policyError);
                const r = await agentTune(policy, problem, methodOracle, { now });
                r.trace.forEach(record);
                Object.assign(run, { evaluations: r.evaluations });
              } else if (method === 'agent') {
                if (!agentScorer) throw new Error(scorerError);
                const r = await tileSearch(problem, methodOracle, agentScorer, { now });
                r.trace.forEach(record);
                Object.assign(run, { evaluations: r.evaluations, budgetSpent: r.budgetSpent });
              } else if (method === 'expert') {
                const r = await expertTune(problem, methodOracle, now);
                r.trace.forEach(record);
                Object.assign(run, { evaluations: r.evaluations });
              } else {
                const r = await runSearch(method as SearchMethod, problem, methodOracle, {
                  budgetMs: options.budgetMs,
                  seed: options.seed ?? 1,
                  now,
                  onImprove: record,
                });
                Object.assign(run, { evaluations: r.evaluations, budgetSpent: r.budgetSpent });
              }
            } catch (e) {
              if (e instanceof CancelledError) run.cancelled = true;
              else run.error = errorMessage(e);
            }
            run.totalMs = now() - start;
            runs.push(run);
            onEvent?.({ kind: 'done', run });
          }
          return { defaultGflops, runs, cancelled: flag.cancelled };
        } finally {
          policy?.dispose();
        }
      } finally {
        stop = null;
      }
    },

    async fineTune(problemText, options, onEvent) {
      const problem = parseProblemText(problemText);
      if (!(options.budgetSec > 0)) throw new Error(`the time budget must be positive, got ${options.budgetSec} s`);
      const flag = begin();
      try {
        const { oracle, peakGflops } = await measure();
        const policy = await policyOf(options.policy);
        try {
          const peak = await peakGflops();
          onEvent?.({ kind: 'phase', phase: 'before' });
          // One cache for the run: episodes and rollouts revisit the same schedules.
          const cached = new CachingOracle(oracle);
          let training = false;
          const r = await fineTune(policy, problem, guarded(cached, { cancelled: false }), peak, {
            budgetSec: options.budgetSec,
            seed: options.seed,
            now,
            shouldStop: () => flag.cancelled,
            onEpisode: (e) => {
              if (!training) {
                training = true;
                onEvent?.({ kind: 'phase', phase: 'training' });
              }
              onEvent?.({ kind: 'episode', ...e });
            },
          });
          const { policy: tuned, ...rest } = r;
          tuned.dispose();
          return { ...rest, peakGflops: peak };
        } finally {
          policy.dispose();
        }
      } finally {
        stop = null;
      }
    },

    cancel() {
      if (stop) stop.cancelled = true;
    },
  };
}
