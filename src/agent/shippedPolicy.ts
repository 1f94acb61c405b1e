// Fetching a policy's model.json + weights.bin over HTTP (the page and its workers), checked
// before tfjs sees them so that a missing or damaged file gets a message in words. Only types
// come from policy.ts: this module does not load tfjs.
import type { ModelFiles } from './policy.ts';
import { errorMessage } from '../core/errors.ts';

/** What the page calls the policy that ships with the app. */
export const SHIPPED_POLICY_LABEL = 'shipped policy';

/** The shipped model.json's address, absolute (a worker resolves relative URLs against its script). */
export function shippedPolicyUrl(
  base: string = import.meta.env?.BASE_URL ?? '/',
  page: string = globalThis.location?.href ?? 'http://localhost/',
): string {
  return new URL(`${base.endsWith('/') ? base : `${base}/`}agent/model.json`, page).href;
}

/** What a model.json holds: LoopTune's policy or the agent's cost model. */
export type ModelKind = 'policy' | 'cost-model';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1 };

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

/**
 * Throws an Error saying what is wrong when `files` is not a looplab policy whose weights match
 * its manifest (tfjs itself would fail later with an offset error or silently read garbage).
 */
export function checkModelFiles(files: ModelFiles, where = 'the policy', kind: ModelKind = 'policy'): void {
  const json = files.modelJson as unknown as Record<string, unknown> | null;
  if (!json || typeof json !== 'object') throw new Error(`${where}: model.json is not a JSON object`);
  if (!json.modelTopology || typeof json.modelTopology !== 'object')
    throw new Error(`${where}: model.json has no modelTopology (not a tfjs layers model)`);
  const manifest = json.weightsManifest as Array<{ paths?: unknown; weights?: unknown }> | undefined;
  if (!Array.isArray(manifest) || manifest.length === 0 || !Array.isArray(manifest[0]?.weights)) {
    throw new Error(`${where}: model.json has no weightsManifest`);
  }
  const meta = (
    json.userDefinedMetadata as { looplab?: { actions?: unknown; featureSet?: unknown; kind?: unknown } } | undefined
  )?.looplab;
  if (kind === 'policy' && (!meta || !Array.isArray(meta.actions) || typeof meta.featureSet !== 'string')) {
    throw new Error(`${where}: model.json has no looplab metadata (features and actions); it was not saved by looplab`);
  }
  if (kind === 'cost-model' && meta?.kind !== 'cost-model') {
    throw new Error(`${where}: model.json has no looplab cost-model metadata; it was not saved by looplab's CostModel`);
  }
  let expected = 0;
  for (const group of manifest) {
    for (const spec of (group.weights ?? []) as WeightSpec[]) {
      const size = BYTES[spec?.dtype];
      if (!size || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new Error(`${where}: model.json describes weight ${String(spec?.name)} with an unknown dtype or shape`);
      }
      expected += spec.shape.reduce((a, b) => a * b, 1) * size;
    }
  }
  if (!(files.weights instanceof ArrayBuffer)) throw new Error(`${where}: the weights are not binary data`);
  if (files.weights.byteLength !== expected) {
    throw new Error(
      `${where}: weights.bin has ${files.weights.byteLength} bytes but model.json describes ${expected}; the files are damaged or do not belong together`,
    );
  }
  const specs = manifest.flatMap((group) => (group.weights ?? []) as WeightSpec[]);
  if (specs.every((spec) => spec.dtype === 'float32')) {
    for (const x of new Float32Array(files.weights)) {
      if (!Number.isFinite(x))
        throw new Error(`${where}: weights.bin holds weights that are not numbers (NaN or infinite); train it again`);
    }
  }
}

async function get(fetchFn: typeof fetch, url: string, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetchFn(url);
  } catch (e) {
    throw new Error(`could not fetch the agent's ${what} (${url}): ${errorMessage(e)}`);
  }
  if (!response.ok)
    throw new Error(
      `could not fetch the agent's ${what} (${url}): ${response.status} ${response.statusText}`.trimEnd(),
    );
  return response;
}

/** model.json at `modelUrl` and the weights file its manifest names (next to it), checked. */
export async function fetchModelFiles(
  modelUrl: string,
  fetchFn: typeof fetch = fetch,
  kind: ModelKind = 'policy',
): Promise<ModelFiles> {
  const response = await get(fetchFn, modelUrl, 'model.json');
  let modelJson: ModelFiles['modelJson'];
  try {
    modelJson = JSON.parse(await response.text());
  } catch (e) {
    throw new Error(`the agent's model.json (${modelUrl}) is not valid JSON: ${errorMessage(e)}`);
  }
  const name = (modelJson as { weightsManifest?: Array<{ paths?: string[] }> } | null)?.weightsManifest?.[0]
    ?.paths?.[0];
  if (typeof name !== 'string') throw new Error(`the agent's model.json (${modelUrl}) names no weights file`);
  const weightsUrl = new URL(name, modelUrl).href;
  const weights = await (await get(fetchFn, weightsUrl, 'weights')).arrayBuffer();
  const files: ModelFiles = { modelJson, weights };
  checkModelFiles(files, `the agent's ${kind === 'policy' ? 'policy' : 'cost model'} (${modelUrl})`, kind);
  return files;
}

/** The policy that ships with the app (public/agent/). */
export function fetchShippedPolicy(
  fetchFn: typeof fetch = fetch,
  url: string = shippedPolicyUrl(),
): Promise<ModelFiles> {
  return fetchModelFiles(url, fetchFn);
}
