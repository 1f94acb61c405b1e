// What the agent worker does, apart from the comlink wiring in worker.ts so that it can be
// tested in Node (its contract is protocol.ts): hold a policy (the shipped one, fetched on first use, or files it is given) and
// roll it out on a problem with the runtime oracle (kernels generated, compiled and timed here,
// PAGE_AGENT_TIMING), answering with every step: the action, the value of every action with its
// legality and the core's reason, the schedule after it, its GFLOPS and the time so far.
import { detectTarget, loadCodegen, type Codegen, type Target } from '../../codegen/index.ts';
import type { Action } from '../../core/actions.ts';
import { parseProblemText } from '../../core/problem.ts';
import { defaultSchedule, parseSchedule, printSchedule } from '../../core/schedule.ts';
import type { NestState } from '../../core/types.ts';
import type { TimingOptions } from '../../runtime/timing.ts';
import { RuntimeOracle, SEARCH_TIMING } from '../../agent/oracle.ts';
import { maskedSoftmax, FeatureMlp, type ModelFiles, type PolicyOutputs } from '../../agent/policy.ts';
import { agentTune, type RolloutStep } from '../../agent/rollout.ts';
import { fetchShippedPolicy } from '../../agent/shippedPolicy.ts';
import { fetchShippedCostModel } from '../../agent/shippedCostModel.ts';
import { CostModel, codegenReporter } from '../../agent/costModel.ts';
import { nearestTileSpec } from '../../agent/nearestSpec.ts';
import { expertGrid } from '../../agent/expert.ts';
import { DEFAULT_TILE_SEARCH, tileSearch, type Scorer } from '../../agent/tileSearch.ts';
import { applyMacro, macroActions, tileSchedule, untiledSpec } from '../../agent/tileSpace.ts';
import type { Schedule } from '../../core/types.ts';
import type { AgentActionValue, AgentStepView, AgentWorkerApi } from './protocol.ts';
import { searchView } from './searchView.ts';
import { errorMessage } from '../../core/errors.ts';

export interface AgentWorkerDeps {
  /** Registers and selects a tfjs backend (default: tfjs-backend-cpu, loaded on first use). */
  loadTf?: () => Promise<void>;
  /** The shipped policy's files (default: fetched from the page's public/agent/). */
  fetchShipped?: () => Promise<ModelFiles>;
  /** The shipped cost model's files (default: fetched from the page's public/agent/cost-model/). */
  fetchCostModel?: () => Promise<ModelFiles>;
  loadCodegen?: () => Promise<Codegen>;
  /** How the rollout's schedules are timed (default PAGE_AGENT_TIMING). */
  timing?: TimingOptions;
}

/**
 * Timing of the rollout's schedules in the page: SEARCH_TIMING with one warm-up call for a slow
 * kernel instead of two, and one sample when it is slow (a 40 ms default conv costs 2 calls, not
 * 4). V8 compiles the TurboFan code in the background while the first call runs, so the second
 * call is already optimized. The policy's choices do not depend on these figures; they only
 * report each step (the performance panel measures every step again, checked).
 */
export const PAGE_AGENT_TIMING: TimingOptions = { ...SEARCH_TIMING, minWarmupCalls: 1, minSamples: 1, maxTotalMs: 40 };

/**
 * The cpu backend: the network is small (one forward pass is ~150k multiply-adds, well under a
 * millisecond), so the wasm backend's extra binary would cost more to load than it saves.
 */
async function loadCpuBackend(): Promise<void> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  if (tf.getBackend() !== 'cpu' && !(await tf.setBackend('cpu')))
    throw new Error('could not start the tfjs cpu backend');
  await tf.ready();
}

export function stepView(
  step: RolloutStep,
  index: number,
  elapsedMs: number,
  actions: readonly Action[],
  outputs: PolicyOutputs,
): AgentStepView {
  const values =
    outputs === 'logits'
      ? maskedSoftmax(
          step.outputs,
          step.legality.map((l) => l.ok),
        )
      : step.outputs;
  return {
    index,
    action: step.action,
    valueKind: outputs === 'logits' ? 'probability' : 'q-value',
    values: actions.map((action, i) => {
      const l = step.legality[i];
      const v: AgentActionValue = { action, value: values[i], output: step.outputs[i], legal: l.ok };
      if (!l.ok && l.reason) v.reason = l.reason;
      return v;
    }),
    scheduleText: printSchedule(step.after.schedule),
    cursor: step.after.cursor,
    gflops: step.gflops,
    elapsedMs,
  };
}

export function createAgentApi(deps: AgentWorkerDeps = {}): AgentWorkerApi {
  const loadTf = deps.loadTf ?? loadCpuBackend;
  const fetchShipped = deps.fetchShipped ?? (() => fetchShippedPolicy());
  let tfReady: Promise<void> | null = null;
  let runtime: Promise<{
    oracle: RuntimeOracle;
    searchOracle: RuntimeOracle;
    target: Target;
    codegen: Codegen;
  }> | null = null;
  let costModel: Promise<CostModel> | null = null;
  /** The policy of the next rollouts (the shipped one until loadPolicy says otherwise). */
  let policy: Promise<FeatureMlp> | null = null;

  const once = <T>(p: Promise<T>, reset: () => void): Promise<T> => {
    p.catch(reset); // a failed start is not kept: the next call tries again
    return p;
  };

  const ensureTf = () => (tfReady ??= once(loadTf(), () => (tfReady = null)));
  const ensureRuntime = () =>
    (runtime ??= once(
      (deps.loadCodegen ?? loadCodegen)().then((codegen) => {
        const target = detectTarget();
        return {
          oracle: new RuntimeOracle(codegen, target, deps.timing ?? PAGE_AGENT_TIMING, 2),
          // The search's answer is the fastest it measured, so it times as the CLI's does.
          searchOracle: new RuntimeOracle(codegen, target, deps.timing ?? SEARCH_TIMING, 2),
          target,
          codegen,
        };
      }),
      () => (runtime = null),
    ));

  const ensureCostModel = () =>
    (costModel ??= once(
      (async () => {
        await ensureTf();
        const files = await (deps.fetchCostModel ?? (() => fetchShippedCostModel()))();
        let model: CostModel;
        try {
          model = await CostModel.fromFiles(files);
        } catch (e) {
          throw new Error(`the agent's cost model could not be loaded: ${errorMessage(e)}`);
        }
        // Scoring a small problem's first candidates warms tfjs and the generator's report up, so
        // that the first search's time is the search's (the page loads it while idle).
        const { codegen, target, searchOracle } = await ensureRuntime();
        const warm = parseProblemText('C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64');
        const root = untiledSpec(warm);
        const schedules = macroActions(warm)
          .map((a) => applyMacro(warm, root, a))
          .filter((spec) => spec !== null)
          .map((spec) => tileSchedule(warm, spec) as Schedule);
        model.predictGflops(warm, schedules, codegenReporter(codegen, target));
        // And one kernel generated, compiled and timed: the worker's first costs the most.
        await searchOracle.gflops(warm, schedules[0]);
        return model;
      })(),
      () => (costModel = null),
    ));

  /** Loads a policy; it replaces the current one only once it has loaded (a failure keeps the old). */
  const load = async (files: ModelFiles | null): Promise<FeatureMlp> => {
    await ensureTf();
    const f = files ?? (await fetchShipped());
    let next: FeatureMlp;
    try {
      next = await FeatureMlp.fromFiles(f);
    } catch (e) {
      throw new Error(`the agent's policy could not be loaded: ${errorMessage(e)}`);
    }
    const previous = policy;
    policy = Promise.resolve(next);
    previous?.then(
      (p) => p.dispose(),
      () => {},
    );
    return next;
  };

  return {
    async loadPolicy(files) {
      // The code generator loads meanwhile, and one forward pass warms tfjs up, so that the first
      // rollout's time is the rollout's.
      const [p] = await Promise.all([load(files), ensureRuntime()]);
      const warm = parseProblemText('C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64');
      p.qValues(warm, { schedule: defaultSchedule(warm), cursor: 0 }, p.metadata.steps);
      return { featureSet: p.metadata.featureSet, actions: [...p.actions], steps: p.metadata.steps };
    },

    async tune(problemText, start, onStep) {
      const t0 = performance.now();
      const problem = parseProblemText(problemText);
      let startState: NestState | undefined;
      if (start) {
        const schedule = parseSchedule(problem, start.scheduleText);
        if (!Number.isInteger(start.cursor) || start.cursor < 0 || start.cursor >= schedule.loops.length) {
          throw new RangeError(`the cursor ${start.cursor} is not on a loop of ${start.scheduleText}`);
        }
        startState = { schedule, cursor: start.cursor };
        if (start.gflops !== undefined && !(Number.isFinite(start.gflops) && start.gflops > 0)) {
          throw new RangeError(`the start schedule's GFLOPS ${start.gflops} is not a positive number`);
        }
      }
      const [p, { oracle }] = await Promise.all([policy ?? load(null), ensureRuntime()]);
      const setupMs = performance.now() - t0;
      const steps: AgentStepView[] = [];
      const r = await agentTune(p, problem, oracle, {
        start: startState,
        startGflops: start?.gflops,
        onStep: (step, i, ms) => {
          const view = stepView(step, i, ms, p.actions, p.outputs);
          steps.push(view);
          onStep?.(view);
        },
      });
      return {
        startGflops: r.defaultGflops,
        steps,
        tuningMs: r.totalMs,
        setupMs,
      };
    },

    async loadCostModel() {
      await ensureCostModel();
    },

    async search(problemText, start) {
      const t0 = performance.now();
      const problem = parseProblemText(problemText);
      const startSchedule = start ? parseSchedule(problem, start.scheduleText) : defaultSchedule(problem);
      if (start?.gflops !== undefined && !(Number.isFinite(start.gflops) && start.gflops > 0)) {
        throw new RangeError(`the start schedule's GFLOPS ${start.gflops} is not a positive number`);
      }
      const [model, { searchOracle: oracle, codegen, target }] = await Promise.all([
        ensureCostModel(),
        ensureRuntime(),
      ]);
      // The problem's buffers (and the realm's first kernel) are setup, as the models' loading is.
      await oracle.prepare(problem);
      const setupMs = performance.now() - t0;
      const t1 = performance.now();
      const untiled = untiledSpec(problem);
      const fromUntiled = printSchedule(startSchedule) === printSchedule(tileSchedule(problem, untiled) as Schedule);
      // A person's schedule is measured like the search's candidates (same timing), so that the
      // answer can be held against it; the search starts from its nearest tile spec.
      const startGflops = fromUntiled ? start?.gflops : await oracle.gflops(problem, startSchedule);
      const root = fromUntiled ? untiled : nearestTileSpec(problem, startSchedule);
      const reporter = codegenReporter(codegen, target);
      const scorer: Scorer = (p, schedules) => model.predictGflops(p, schedules, reporter);
      const budgetMs = Math.max(300, DEFAULT_TILE_SEARCH.budgetMs - (performance.now() - t1));
      const seeds = expertGrid(problem).map((e) => e.spec);
      const result = await tileSearch(problem, oracle, scorer, { root, budgetMs, seeds });
      return searchView({
        problem,
        start: startSchedule,
        root,
        from: fromUntiled ? 'untiled' : 'nearest',
        startGflops,
        result,
        tuningMs: performance.now() - t1,
        setupMs,
      });
    },
  };
}
