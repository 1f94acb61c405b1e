import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fetchShippedCostModel, shippedCostModelUrl } from './shippedCostModel.ts';
import { checkModelFiles, fetchShippedPolicy, shippedPolicyUrl } from './shippedPolicy.ts';

const root = new URL('../../public/', import.meta.url);

/** A fetch that serves public/ from disk, with `edit` applied to the bytes of one file. */
function diskFetch(edit: Record<string, (bytes: Uint8Array) => Uint8Array | null> = {}): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    const file = url.pathname.replace(/^\//, '');
    let bytes: Uint8Array | null;
    try {
      bytes = new Uint8Array(readFileSync(new URL(file, root)));
    } catch {
      bytes = null;
    }
    if (edit[file]) bytes = bytes && edit[file](bytes);
    if (!bytes) return new Response('not found', { status: 404, statusText: 'Not Found' });
    return new Response(bytes.slice().buffer, { status: 200 });
  }) as typeof fetch;
}

const url = shippedPolicyUrl('/', 'http://looplab.test/index.html');

describe('shipped policy files', () => {
  it('resolves the address against the base and the page', () => {
    expect(url).toBe('http://looplab.test/agent/model.json');
    expect(shippedPolicyUrl('/looplab', 'https://x.org/looplab/')).toBe('https://x.org/looplab/agent/model.json');
  });

  it('fetches model.json and the weights it names, and they agree', async () => {
    const files = await fetchShippedPolicy(diskFetch(), url);
    const meta = (files.modelJson.userDefinedMetadata as { looplab: { actions: string[]; steps: number } }).looplab;
    expect(meta.actions).toHaveLength(7);
    expect(files.weights.byteLength).toBe(readFileSync(new URL('agent/weights.bin', root)).byteLength);
    expect(() => checkModelFiles(files)).not.toThrow();
  });

  it('says which file is missing', async () => {
    await expect(fetchShippedPolicy(diskFetch({ 'agent/weights.bin': () => null }), url)).rejects.toThrow(
      "could not fetch the agent's weights (http://looplab.test/agent/weights.bin): 404 Not Found",
    );
    await expect(fetchShippedPolicy(diskFetch({ 'agent/model.json': () => null }), url)).rejects.toThrow(
      /model\.json.*404/,
    );
  });

  it('refuses damaged files with a reason', async () => {
    await expect(fetchShippedPolicy(diskFetch({ 'agent/weights.bin': (b) => b.slice(0, 1000) }), url)).rejects.toThrow(
      /weights\.bin has 1000 bytes but model\.json describes \d+/,
    );
    await expect(fetchShippedPolicy(diskFetch({ 'agent/model.json': (b) => b.slice(0, 200) }), url)).rejects.toThrow(
      /is not valid JSON/,
    );
    const noMeta = (b: Uint8Array) => {
      const json = JSON.parse(new TextDecoder().decode(b));
      delete json.userDefinedMetadata;
      return new TextEncoder().encode(JSON.stringify(json));
    };
    await expect(fetchShippedPolicy(diskFetch({ 'agent/model.json': noMeta }), url)).rejects.toThrow(
      /no looplab metadata/,
    );
  });
});

describe('shipped cost model files', () => {
  const costUrl = shippedCostModelUrl('/', 'http://looplab.test/index.html');

  it('fetches the cost model next to the policy and checks it as a cost model', async () => {
    expect(costUrl).toBe('http://looplab.test/agent/cost-model/model.json');
    const files = await fetchShippedCostModel(diskFetch(), costUrl);
    expect(files.weights.byteLength).toBe(readFileSync(new URL('agent/cost-model/weights.bin', root)).byteLength);
    expect(() => checkModelFiles(files, 'the cost model', 'cost-model')).not.toThrow();
  });

  it("refuses the policy's files as a cost model, and a cost model as a policy, saying so", async () => {
    await expect(fetchShippedCostModel(diskFetch(), url)).rejects.toThrow(/no looplab cost-model metadata/);
    await expect(fetchShippedPolicy(diskFetch(), costUrl)).rejects.toThrow(
      /no looplab metadata \(features and actions\)/,
    );
  });
});
