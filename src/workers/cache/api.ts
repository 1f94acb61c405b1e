// What the cache worker does (worker.ts wires it to comlink; Node tests call it directly; its
// contract is protocol.ts): simulates the caches of a named machine on a schedule's kernel
// (runtime/cacheSim.ts). It has a worker of its own so that a simulation never waits behind a
// measurement nor delays one, and never runs on the page's thread. Its warm-up (warmUp) runs a
// small register-tiled simulation before the first request, which is what makes V8 compile the hot
// code (the wasm functions tier up from Liftoff to TurboFan once called often enough, the stream's
// TypeScript likewise): the first simulation a person asks for then runs as fast as the later ones.
import { type Codegen, loadCodegen } from '../../codegen/index.ts';
import { MACHINES, machineById } from '../../core/cache/machines.ts';
import { parseProblemText } from '../../core/problem.ts';
import { parseSchedule } from '../../core/schedule.ts';
import { simulateCache } from '../../runtime/cacheSim.ts';
import { type CacheSimModule, loadCacheSim } from '../../runtime/wasmCacheSim.ts';
import type { CacheWarmUp, CacheWorkerApi } from './protocol.ts';

/** The warm-up's simulation: matmul 64^3 register-tiled as the page's schedules usually are, exact (0.23 M accesses). */
export const WARM_UP = {
  problem: 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64',
  schedule: 'k:4 m:16 n:8 k:16 m:4 n:8',
  machine: 'zen4',
};

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
  const simulate = async (problemText: string, scheduleText: string, machineId: string) => {
    const problem = parseProblemText(problemText);
    const schedule = parseSchedule(problem, scheduleText);
    const machine = machineById(machineId);
    if (!machine)
      throw new Error(`unknown machine '${machineId}'; choose one of ${MACHINES.map((m) => m.id).join(', ')}`);
    return simulateCache(await generator(), problem, schedule, machine, { reuse: true, compiled: await compiled() });
  };
  let warming: Promise<CacheWarmUp> | null = null;
  return {
    async simulateCache(problemText, scheduleText, machineId) {
      // After the warm-up (a failed one too: then this request says why in its own words).
      if (warming) await warming.catch(() => {});
      return simulate(problemText, scheduleText, machineId);
    },
    warmUp() {
      warming ??= (async () => {
        const t0 = performance.now();
        await Promise.all([generator(), compiled()]);
        const loadMs = performance.now() - t0;
        const { simulateMs } = await simulate(WARM_UP.problem, WARM_UP.schedule, WARM_UP.machine);
        return { loadMs, simulateMs };
      })();
      return warming;
    },
  };
}
