// Fetching the agent's shipped cost model (public/agent/cost-model/model.json + weights.bin) over
// HTTP, checked like the policy (shippedPolicy.ts). Does not load tfjs.
import type { ModelFiles } from './policy.ts';
import { fetchModelFiles } from './shippedPolicy.ts';

/** The shipped cost model's model.json, absolute (a worker resolves relative URLs against its script). */
export function shippedCostModelUrl(
  base: string = import.meta.env?.BASE_URL ?? '/',
  page: string = globalThis.location?.href ?? 'http://localhost/',
): string {
  return new URL(`${base.endsWith('/') ? base : `${base}/`}agent/cost-model/model.json`, page).href;
}

export function fetchShippedCostModel(
  fetchFn: typeof fetch = fetch,
  url: string = shippedCostModelUrl(),
): Promise<ModelFiles> {
  return fetchModelFiles(url, fetchFn, 'cost-model');
}
