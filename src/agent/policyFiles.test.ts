// Loading a policy folder: what is not a looplab policy is refused with a sentence, never a raw
// error from tfjs, and weights that are not numbers are refused rather than run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTfWasm } from '../runtime/xnnpack.ts';
import { FeatureMlp } from './policy.ts';
import { loadPolicy, savePolicy } from './policyFiles.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'looplab-policy-'));
beforeAll(async () => {
  await loadTfWasm();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadPolicy', () => {
  it('loads what savePolicy wrote', async () => {
    const folder = path.join(dir, 'good');
    await savePolicy(FeatureMlp.create(), folder);
    const policy = await loadPolicy(folder);
    expect(policy.inputSize).toBeGreaterThan(0);
    policy.dispose();
  });

  it('refuses a model.json that is not a layers model, saying so', async () => {
    const folder = path.join(dir, 'empty-json');
    await savePolicy(FeatureMlp.create(), folder);
    writeFileSync(path.join(folder, 'model.json'), '{}');
    await expect(loadPolicy(folder)).rejects.toThrow(
      `the policy in ${folder}: model.json has no modelTopology (not a tfjs layers model)`,
    );
  });

  it('says a model.json of {} is no layers model, even without its weights file', async () => {
    const folder = path.join(dir, 'bare');
    await savePolicy(FeatureMlp.create(), folder);
    writeFileSync(path.join(folder, 'model.json'), '{}');
    rmSync(path.join(folder, 'weights.bin'));
    await expect(loadPolicy(folder)).rejects.toThrow(
      `the policy in ${folder}: model.json has no modelTopology (not a tfjs layers model)`,
    );
  });

  it('refuses weights that are not numbers', async () => {
    const folder = path.join(dir, 'nan');
    await savePolicy(FeatureMlp.create(), folder);
    const file = path.join(folder, 'weights.bin');
    const bytes = readFileSync(file);
    writeFileSync(file, new Uint8Array(new Float32Array(bytes.byteLength / 4).fill(Number.NaN).buffer));
    await expect(loadPolicy(folder)).rejects.toThrow(
      `the policy in ${folder}: weights.bin holds weights that are not numbers (NaN or infinite); train it again`,
    );
  });
});
