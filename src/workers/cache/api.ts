// What the cache worker does (worker.ts wires it to comlink; Node tests call it directly; its
// contract is protocol.ts): simulates the caches of a named machine on a schedule's kernel
// (runtime/cacheSim.ts). It has a worker of its own so that a simulation never waits behind a
// measurement nor delays one, and never runs on the page's thread. Its warm-up (warmUp) runs a
// small simulation (runtime/cacheSim.ts warmUpCacheSim) before the first request, so that the
// first simulation a person asks for runs as fast as the later ones.
import { type Codegen, loadCodegen } from '../../codegen/index.ts';
import { MACHINES, machineById } from '../../core/cache/machines.ts';
import { CACHE_WORKER_ENTRY, recordTiming } from '../../core/cache/timings.ts';
import { parseProblemText } from '../../core/problem.ts';
import { parseSchedule } from '../../core/schedule.ts';
import { simulateCache, warmUpCacheSim } from '../../runtime/cacheSim.ts';
import { EXACT_ON_REQUEST_UP_TO } from '../../core/cache/figures.ts';
import { type CacheSimModule, loadCacheSim } from '../../runtime/wasmCacheSim.ts';
import type { CacheSimulationOptions, CacheWarmUp, CacheWorkerApi } from './protocol.ts';

export interface CacheApiDeps {
  /** The code generator (default: loaded on first use). */
  codegen?: () => Promise<Codegen>;
  /** The compiled cache simulator (default: loaded on first use). */
  cacheSim?: () => Promise<CacheSimModule>;
}

export function createCacheApi(deps: CacheApiDeps = {}): CacheWorkerApi {
  let codegen: Promise<Codegen> | null = null;
  const generator = () => (codegen ??= (deps.codegen ?? loadCodegen)());
  let cacheSim: Promise<CacheSimModule> | null = null;
  const compiled = () => (cacheSim ??= (deps.cacheSim ?? loadCacheSim)());
  const simulate = async (
    problemText: string,
    scheduleText: string,
    machineId: string,
    options: CacheSimulationOptions = {},
  ) => {
    const problem = parseProblemText(problemText);
    const schedule = parseSchedule(problem, scheduleText);
    const machine = machineById(machineId);
    if (!machine)
      throw new Error(`unknown machine '${machineId}'; choose one of ${MACHINES.map((m) => m.id).join(', ')}`);
    const [codegen, module] = [await generator(), await compiled()];
    const t0 = performance.now();
    const result = simulateCache(codegen, problem, schedule, machine, {
      reuse: true,
      compiled: module,
      ...(options.exact ? { exact: true, maxAccesses: EXACT_ON_REQUEST_UP_TO } : {}),
    });
    recordTiming(CACHE_WORKER_ENTRY, t0, { schedule: scheduleText });
    return result;
  };
  let warming: Promise<CacheWarmUp> | null = null;
  return {
    async simulateCache(problemText, scheduleText, machineId, options) {
      // After the warm-up (a failed one too: then this request says why in its own words).
      if (warming) await warming.catch(() => {});
      return simulate(problemText, scheduleText, machineId, options);
    },
    warmUp() {
      warming ??= (async () => {
        const t0 = performance.now();
        const [codegen, module] = await Promise.all([generator(), compiled()]);
        const loadMs = performance.now() - t0;
        return { loadMs, simulateMs: warmUpCacheSim(codegen, module) };
      })();
      return warming;
    },
  };
}
