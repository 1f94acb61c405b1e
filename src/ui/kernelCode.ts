// The kernel of a schedule generated in the page (for its wasm text and the generator's report).
// The generator is loaded on first use (a dynamic import keeps it out of the first-load bundle);
// generating is a few milliseconds. Results are cached per problem and schedule.
import type { KernelReport } from '../codegen/types.ts';
import type { Problem, Schedule } from '../core/types.ts';
import { wasmToText } from './wasmText.ts';

export interface PageKernel {
  bytes: Uint8Array;
  report: KernelReport;
  relaxedSimd: boolean;
}

const CACHE_SIZE = 24;
const kernels = new Map<string, Promise<PageKernel>>();
const texts = new Map<string, Promise<string>>();

function remember<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const value = make();
  value.catch(() => cache.delete(key));
  cache.set(key, value);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return value;
}

/** Generates the kernel of `schedule` with this engine's SIMD features (relaxed or not). */
export function pageKernel(key: string, problem: Problem, schedule: Schedule): Promise<PageKernel> {
  return remember(kernels, key, async () => {
    const { loadCodegen, detectTarget } = await import('../codegen/index.ts');
    const codegen = await loadCodegen();
    const target = detectTarget();
    const { bytes, report } = codegen.generate(problem, schedule, target);
    return { bytes, report, relaxedSimd: target.relaxedSimd };
  });
}

/** The kernel's wasm text (wabt). */
export function pageKernelText(key: string, problem: Problem, schedule: Schedule): Promise<string> {
  return remember(texts, key, async () => wasmToText((await pageKernel(key, problem, schedule)).bytes));
}
