// What the cache worker does (worker.ts wires it to comlink; Node tests call it directly; its
// contract is protocol.ts): simulates the caches of a named machine on a schedule's kernel
// (runtime/cacheSim.ts). It has a worker of its own so that a simulation never waits behind a
// measurement nor delays one, and never runs on the page's thread.
import { type Codegen, loadCodegen } from '../../codegen/index.ts';
import { MACHINES, machineById } from '../../core/cache/machines.ts';
import { parseProblemText } from '../../core/problem.ts';
import { parseSchedule } from '../../core/schedule.ts';
import { simulateCache } from '../../runtime/cacheSim.ts';
import { type CacheSimModule, loadCacheSim } from '../../runtime/wasmCacheSim.ts';
import type { CacheWorkerApi } from './protocol.ts';

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
  return {
    async simulateCache(problemText, scheduleText, machineId) {
      const problem = parseProblemText(problemText);
      const schedule = parseSchedule(problem, scheduleText);
      const machine = machineById(machineId);
      if (!machine)
        throw new Error(`unknown machine '${machineId}'; choose one of ${MACHINES.map((m) => m.id).join(', ')}`);
      return simulateCache(await generator(), problem, schedule, machine, { reuse: true, compiled: await compiled() });
    },
  };
}
